/**
 * The CSV tokenizer and the JSON record splitter: records, NULL conventions, line numbers, and the
 * property that matters for streaming: however the text is cut into chunks, the records are the same.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  CsvParser,
  CsvSyntaxError,
  sniffDelimiter,
  type CsvDialect,
  type CsvField,
} from '../../src/files/csv-parser.js'
import { JsonRecords, JsonSyntaxError, quoteBigIntegers } from '../../src/files/json-records.js'

const DIALECT: CsvDialect = { delimiter: ',', quote: '"', nullValues: new Set(['']), quotedNulls: false }

function csv(
  chunks: readonly string[],
  dialect: CsvDialect = DIALECT,
): { fields: CsvField[]; line: number; blank: boolean }[] {
  const out: { fields: CsvField[]; line: number; blank: boolean }[] = []
  const parser = new CsvParser(dialect, (fields, line, blank) => out.push({ fields: [...fields], line, blank }))
  for (const c of chunks) parser.push(c)
  parser.end()
  return out
}
const fields = (text: string, dialect?: CsvDialect) => csv([text], dialect).map((r) => r.fields)

describe('CSV tokenizer', () => {
  it('reads an unquoted empty field as NULL and a quoted "" as an empty string', () => {
    expect(fields('a,b,c\n,"",x\n')).toEqual([
      ['a', 'b', 'c'],
      [null, '', 'x'],
    ])
    expect(fields('a,b\n1,\n')).toEqual([
      ['a', 'b'],
      ['1', null],
    ])
  })

  it('takes nullValues for unquoted fields only, unless quotedNulls', () => {
    const nulls = { ...DIALECT, nullValues: new Set(['', 'NA']) }
    expect(fields('NA,"NA",""\n', nulls)).toEqual([[null, 'NA', '']])
    expect(fields('NA,"NA",""\n', { ...nulls, quotedNulls: true })).toEqual([[null, null, null]])
    expect(fields(',x\n', { ...DIALECT, nullValues: new Set(['NULL']) })).toEqual([['', 'x']])
  })

  it('keeps delimiters, doubled quotes and line breaks inside quotes, and quotes inside unquoted text', () => {
    expect(fields('"a,b","say ""hi""","two\nlines",x"y\n')).toEqual([['a,b', 'say "hi"', 'two\nlines', 'x"y']])
  })

  it('ends records at \\n, \\r\\n or \\r, and counts lines inside quoted fields', () => {
    const records = csv(['h1,h2\r\n1,"a\r\nb"\r2,c\n3,d'])
    expect(records.map((r) => r.fields)).toEqual([
      ['h1', 'h2'],
      ['1', 'a\r\nb'],
      ['2', 'c'],
      ['3', 'd'],
    ])
    expect(records.map((r) => r.line)).toEqual([1, 2, 4, 5])
  })

  it('marks empty lines as blank and reads a trailing delimiter as one more NULL field', () => {
    expect(csv(['a\n\nb,\n']).map((r) => [r.fields, r.blank])).toEqual([
      [['a'], false],
      [[null], true],
      [['b', null], false],
    ])
  })

  it('uses the configured delimiter and quote', () => {
    expect(fields("a;'x;y';''\n", { ...DIALECT, delimiter: ';', quote: "'" })).toEqual([['a', 'x;y', '']])
  })

  it('reports an unclosed quote and text after a closing quote with their lines', () => {
    const error = (text: string) => {
      try {
        fields(text)
      } catch (e) {
        return e
      }
      return undefined
    }
    expect(error('a\n"b\nc\n')).toMatchObject({ reason: 'unterminated-quote', line: 2 })
    expect(error('a\n"x\ny"z\n')).toMatchObject({ reason: 'text-after-quote', line: 3 })
    expect(error('a\n"x\ny"z\n')).toBeInstanceOf(CsvSyntaxError)
  })

  it('gives the same records however the text is cut into chunks (property)', () => {
    const field = fc.oneof(
      fc.constant(''),
      fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', ' ', 'é', '😀') }),
    )
    const quoted = (f: string) => (f === '' || /[,"\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)
    const record = fc.array(field, { minLength: 2, maxLength: 2 })
    fc.assert(
      fc.property(
        fc.array(record, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        (rows, cuts, eol) => {
          const text = rows.map((r) => r.map(quoted).join(',')).join(eol) + eol
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b)
          const chunks: string[] = []
          let from = 0
          for (const p of points) {
            chunks.push(text.slice(from, p))
            from = p
          }
          chunks.push(text.slice(from))
          const expected = rows.map((r) => r.map((f) => (f === '' ? '' : f)))
          const got = csv(chunks).map((r) => r.fields.map((f) => f ?? 'NULL'))
          // Every field was written quoted when empty, so none reads as NULL.
          expect(got).toEqual(expected)
        },
      ),
      { numRuns: 500 },
    )
  })

  it.each([
    ['id,name\n1,a\n', ','],
    ['id;name;x\n1;"a;b";2\n', ';'],
    ['id\tname\n1\ta,b\n', '\t'],
    ['id|name\n1|a\n', '|'],
    ['just one column\nvalue, with a comma?\n', ','],
    ['a;b,c\n1;2,3\n4;5,6\n', ','],
  ])('sniffs the delimiter of %j as %j', (text, delimiter) => {
    expect(sniffDelimiter(text, '"', true)).toBe(delimiter)
  })
})

describe('JSON records', () => {
  function records(chunks: readonly string[]): [Record<string, unknown>, number][] {
    const out: [Record<string, unknown>, number][] = []
    const parser = new JsonRecords((r, line) => out.push([r, line]))
    for (const c of chunks) parser.push(c)
    parser.end()
    return out
  }

  it('splits an array of objects and NDJSON, with the line each record starts on', () => {
    expect(records(['[\n {"a": 1},\n {"a": "x,]}"}\n]\n'])).toEqual([
      [{ a: 1 }, 2],
      [{ a: 'x,]}' }, 3],
    ])
    expect(records(['{"a":1}\r\n\n{"b":[1,2]}'])).toEqual([
      [{ a: 1 }, 1],
      [{ b: [1, 2] }, 3],
    ])
    expect(records(['[]'])).toEqual([])
  })

  it('keeps integers beyond 2^53 exact, as text', () => {
    expect(
      records(['[{"id": 12345678901234567890, "n": 1.5, "s": "12345678901234567890", "small": 9007199254740991}]']),
    ).toEqual([[{ id: '12345678901234567890', n: 1.5, s: '12345678901234567890', small: 9007199254740991 }, 1]])
    expect(quoteBigIntegers('{"a":-99999999999999999999,"b":"-99999999999999999999","c":1e400}')).toBe(
      '{"a":"-99999999999999999999","b":"-99999999999999999999","c":1e400}',
    )
  })

  it.each([
    ['[{"a":1},]', 'syntax', 1],
    ['[{"a":1}\n,\n{"a":}]', 'syntax', 3],
    ['[1, 2]', 'not-object', 1],
    ['{"a":1}\n[1]', 'not-object', 2],
    ['{"a":1}\n{"a"', 'syntax', 2],
    ['"text"', 'not-array-or-lines', 1],
    ['[{"a":1}] x', 'syntax', 1],
    ['[{"a":1}', 'syntax', 1],
  ])('reports %j as %s on line %i', (text, reason, line) => {
    let error: unknown
    try {
      records([text])
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(JsonSyntaxError)
    expect(error).toMatchObject({ reason, line })
  })

  it('gives the same records however the text is cut into chunks (property)', () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.integer(), { maxLength: 3 }),
    )
    const record = fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), value, { maxKeys: 4 })
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 6 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 6 }),
        (objects, ndjson, cuts) => {
          const text = ndjson ? objects.map((o) => JSON.stringify(o)).join('\n') : JSON.stringify(objects, null, 1)
          if (ndjson && objects.length === 0) return
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b)
          const chunks: string[] = []
          let from = 0
          for (const p of points) {
            chunks.push(text.slice(from, p))
            from = p
          }
          chunks.push(text.slice(from))
          expect(records(chunks).map(([r]) => r)).toEqual(objects.map((o) => JSON.parse(JSON.stringify(o))))
        },
      ),
      { numRuns: 500 },
    )
  })
})
