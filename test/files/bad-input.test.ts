/**
 * Every kind of bad input gets a SemanticLayerError with a code, a message naming the source (and the
 * line and column where relevant) and no cell value; and a reload that fails keeps the previous data.
 * Cell values in these files contain SECRET so that a message quoting one would be caught.
 */
import { deflateRawSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { files, type FilesConnector, type FilesOptions } from '../../src/files.js'
import { isSemanticLayerError, type SemanticLayerError } from '../../src/index.js'
import { checkZipExpansion } from '../../src/files/zip-limits.js'
import { n, s, tempDir, testServer, xlsx, type TempDir, type TestServer } from './helpers.js'
import { sqlStatement } from '../../src/connectors/connector.js'

let dir: TempDir
let server: TestServer
const open: FilesConnector[] = []
beforeAll(async () => {
  dir = tempDir()
  server = await testServer()
})
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()))
  await server.close()
  dir.remove()
})

function connect(options: FilesOptions): FilesConnector {
  const c = files({ baseDir: dir.path, ...options })
  open.push(c)
  return c
}

async function failure(promise: Promise<unknown>): Promise<SemanticLayerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(isSemanticLayerError(error), String(error)).toBe(true)
  return error as SemanticLayerError
}

function expectIssue(error: SemanticLayerError, code: string, ...inMessage: string[]): void {
  expect(error.code).toBe('CONNECTOR_FAILED')
  expect(error.issues[0]?.code).toBe(code)
  for (const part of inMessage) expect(error.message).toContain(part)
  expect(error.message).not.toContain('SECRET')
}

const GOOD = 'id,name\n1,SECRET-a\n2,SECRET-b\n'

/** Each bad source as file content (or a setup), the issue code and what the message must name. */
const JSON_GOOD = '[{"id":1,"name":"a"},{"id":2,"name":"b"}]'
const sheets = (...names: string[]) =>
  xlsx(
    Object.fromEntries(
      names.map((name) => [
        name,
        [
          [s('id'), s('name')],
          [n(1), s('a')],
          [n(2), s('b')],
        ],
      ]),
    ),
  )

/**
 * Each bad source: its content, the issue code, what the message must name, and a good content for the same options.
 */
const CASES: {
  name: string
  file: string
  content: string | Buffer
  code: string
  mentions: string[]
  options?: object
  good?: string | Buffer
}[] = [
  { name: 'an empty file', file: 'empty.csv', content: '', code: 'FILE_EMPTY', mentions: ['empty.csv'] },
  {
    name: 'a file holding only a byte-order mark',
    file: 'bom.csv',
    content: '\uFEFF',
    code: 'FILE_EMPTY',
    mentions: ['bom.csv'],
  },
  {
    name: 'no header (an empty first line)',
    file: 'nohead.csv',
    content: '\nid,name\n1,SECRET\n',
    code: 'HEADER_MISSING',
    mentions: ['nohead.csv', 'line 1'],
  },
  {
    name: 'a duplicate header name (in any case)',
    file: 'dup.csv',
    content: 'id,Name,name\n1,SECRET,SECRET\n',
    code: 'HEADER_DUPLICATE',
    mentions: ['dup.csv', 'columns 2 and 3', '"name"'],
  },
  {
    name: 'an empty header name',
    file: 'noname.csv',
    content: 'id,,name\n1,SECRET,x\n',
    code: 'HEADER_EMPTY_NAME',
    mentions: ['noname.csv', 'column 2'],
  },
  {
    name: 'a row with more fields than the header',
    file: 'more.csv',
    content: 'id,name\n1,a\n2,SECRET,extra\n',
    code: 'FIELD_COUNT',
    mentions: ['more.csv', 'line 3', '3 fields', 'header has 2'],
  },
  {
    name: 'a row with fewer fields than the header',
    file: 'fewer.csv',
    content: 'id,name\n1,"multi\nline"\n2\n',
    code: 'FIELD_COUNT',
    mentions: ['fewer.csv', 'line 4', '1 field '],
  },
  {
    name: 'a value that does not fit a declared type',
    file: 'value.csv',
    content: 'id,amount\n1,10\n2,SECRET\n',
    code: 'VALUE_INVALID',
    mentions: ['value.csv', 'line 3', 'column "amount"', 'number'],
    options: { columns: { amount: 'number' } },
    good: 'id,amount\n1,10\n2,20\n',
  },
  {
    name: 'text that is not UTF-8',
    file: 'latin1.csv',
    content: Buffer.concat([Buffer.from('id,name\n1,ok\n2,'), Buffer.from([0x53, 0xe9, 0x43]), Buffer.from('RET\n')]),
    code: 'ENCODING_INVALID',
    mentions: ['latin1.csv', 'line 3', 'UTF-8'],
  },
  {
    name: 'UTF-16 text',
    file: 'utf16.csv',
    content: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('id\n1\n', 'utf16le')]),
    code: 'ENCODING_INVALID',
    mentions: ['utf16.csv', 'UTF-16'],
  },
  {
    name: 'a quote that is never closed',
    file: 'quote.csv',
    content: 'id,name\n1,"SECRET\n2,b\n',
    code: 'CSV_MALFORMED',
    mentions: ['quote.csv', 'line 2'],
  },
  {
    name: 'text after a closing quote',
    file: 'after.csv',
    content: 'id,name\n1,"SECRET"x\n',
    code: 'CSV_MALFORMED',
    mentions: ['after.csv', 'line 2'],
  },
  {
    name: 'a file over maxFileBytes',
    file: 'big.csv',
    content: `id\n${'1\n'.repeat(100)}`,
    code: 'FILE_TOO_LARGE',
    mentions: ['big.csv', 'maxFileBytes (50 bytes)'],
    options: { maxFileBytes: 50 },
  },
  {
    name: 'more rows than maxRows',
    file: 'rows.csv',
    content: 'id\n1\n2\n3\n',
    code: 'TOO_MANY_ROWS',
    mentions: ['rows.csv', 'maxRows (2)'],
    options: { maxRows: 2 },
  },
  {
    name: 'invalid JSON',
    file: 'bad.json',
    content: '[{"id": 1},\n {"id": SECRET}]',
    code: 'JSON_INVALID',
    mentions: ['bad.json', 'line 2'],
    good: JSON_GOOD,
  },
  {
    name: 'a JSON record that is not an object',
    file: 'scalar.ndjson',
    content: '{"id": 1}\n"SECRET"\n',
    code: 'JSON_INVALID',
    mentions: ['scalar.ndjson', 'line 2', 'not an object'],
    good: JSON_GOOD,
  },
  {
    name: 'a type for a column the file lacks',
    file: 'col.csv',
    content: 'id\n1\n',
    code: 'COLUMN_UNKNOWN',
    mentions: ['col.csv', '"amount"'],
    options: { columns: { amount: 'number' } },
    good: 'id,amount\n1,2\n',
  },
  {
    name: 'an unknown sheet (the sheets are listed)',
    file: 'book.xlsx',
    content: xlsx({ Customers: [[s('id')], [n(1)]], 'Q3 "Targets"': [[s('a')]] }),
    code: 'SHEET_NOT_FOUND',
    mentions: ['book.xlsx', '"Orders"', '"Customers"', '"Q3 \\"Targets\\""'],
    options: { sheet: 'Orders' },
    good: sheets('Customers', 'Orders'),
  },
  {
    name: 'a sheet index past the last sheet',
    file: 'book2.xlsx',
    content: xlsx({ Only: [[s('id')]] }),
    code: 'SHEET_NOT_FOUND',
    mentions: ['sheet index 3', '"Only"'],
    options: { sheet: 3 },
    good: sheets('a', 'b', 'c', 'd'),
  },
  {
    name: 'a sheet with more rows than maxRows',
    file: 'rows.xlsx',
    content: xlsx({ S: [[s('id')], [n(1)], [n(2)], [n(3)]] }),
    code: 'TOO_MANY_ROWS',
    mentions: ['rows.xlsx', 'maxRows (2)'],
    options: { maxRows: 2 },
    good: sheets('S'),
  },
  {
    name: 'a workbook that is not one',
    file: 'fake.xlsx',
    content: 'SECRET, not a workbook',
    code: 'SHEET_INVALID',
    mentions: ['fake.xlsx'],
    good: sheets('S'),
  },
]

describe('bad input', () => {
  it.each(CASES)('$name: $code', async ({ file, content, code, mentions, options }) => {
    const path = dir.file(file, content)
    const c = connect({ tables: { t: { path, ...(options ?? {}) } } })
    const error = await failure(c.load())
    expectIssue(error, code, ...mentions)
    expect(error.issues[0]?.path.slice(0, 2)).toEqual(['tables', 't'])
    // A query on the table fails with the same error, not with SQLite's "no such table".
    expect(await failure(c.execute(sqlStatement('SELECT * FROM t', [])))).toBe(error)
  })

  it.each(CASES)('$name: a reload keeps the previous data', async ({ file, content, code, options, good }) => {
    const path = dir.file(`reload-${file}`, good ?? GOOD)
    const errors: string[] = []
    const c = connect({
      tables: { t: { path, ...(options ?? {}) } },
      onError: (e, info) => errors.push(`${info.table}:${info.trigger}:${e.issues[0]?.code}`),
    })
    await c.load()
    const before = await c.execute(sqlStatement('SELECT * FROM t ORDER BY id', []))
    expect(before.length).toBeGreaterThan(0)
    const version = c.status().t!.version
    dir.file(`reload-${file}`, content)
    expectIssue(await failure(c.reload('t')), code)
    expect(await c.execute(sqlStatement('SELECT * FROM t ORDER BY id', []))).toEqual(before)
    expect(c.status().t).toMatchObject({ loaded: true, version, error: { issues: [{ code }] } })
    expect(errors).toEqual([`t:reload:${code}`])
  })

  it('a missing file: FILE_NOT_FOUND naming the path', async () => {
    const c = connect({ tables: { t: 'nowhere/missing.csv' } })
    expectIssue(await failure(c.load()), 'FILE_NOT_FOUND', 'nowhere/missing.csv')
  })

  it('a folder where a file should be: FILE_UNREADABLE', async () => {
    const c = connect({ tables: { t: { path: dir.path, format: 'csv' } } })
    expectIssue(await failure(c.load()), 'FILE_UNREADABLE')
  })

  it('a URL that answers an error status: HTTP_STATUS with the code, the URL without its query', async () => {
    server.routes.set('/forbidden.csv?token=SECRET', { status: 403, body: 'no' })
    server.routes.set('/broken.csv', { status: 500, body: 'SECRET' })
    server.routes.set('/login.csv', { body: '<html>sign in</html>', type: 'text/html' })
    const c = connect({
      tables: {
        a: `${server.origin}/forbidden.csv?token=SECRET`,
        b: `${server.origin}/broken.csv`,
        c: `${server.origin}/login.csv`,
      },
    })
    expectIssue(await failure(c.reload('a')), 'HTTP_STATUS', 'HTTP 403', `${server.origin}/forbidden.csv`, 'headers')
    expectIssue(await failure(c.reload('b')), 'HTTP_STATUS', 'HTTP 500')
    expectIssue(await failure(c.reload('c')), 'FETCH_FAILED', 'HTML page')
  })

  it('a URL nobody answers: FETCH_FAILED', async () => {
    const closed = await testServer()
    const url = `${closed.origin}/x.csv`
    await closed.close()
    const c = connect({ tables: { t: url } })
    expectIssue(await failure(c.load()), 'FETCH_FAILED', '/x.csv')
  })

  it('a URL over maxFileBytes, by its Content-Length or as it streams', async () => {
    server.routes.set('/large.csv', { body: `id\n${'1\n'.repeat(1000)}` })
    const c = connect({ tables: { t: { url: `${server.origin}/large.csv`, maxFileBytes: 100 } } })
    expectIssue(await failure(c.load()), 'FILE_TOO_LARGE', 'maxFileBytes (100 bytes)')
    const chunked = connect({
      tables: { t: { url: 'https://example.test/stream.csv', maxFileBytes: 100 } },
      fetch: async () => ({
        ok: true,
        status: 200,
        headers: { get: () => null },
        body: (async function* () {
          for (let i = 0; i < 10; i++) yield new Uint8Array(40).fill(49)
        })(),
      }),
    })
    expectIssue(await failure(chunked.load()), 'FILE_TOO_LARGE')
  })

  it('a spreadsheet that expands past maxFileBytes is refused before SheetJS expands it (zip bombs)', async () => {
    const workbook = xlsx({
      S: [[s('id'), s('text')], ...Array.from({ length: 2000 }, (_, i) => [n(i), s('x'.repeat(200))])],
    })
    expect(workbook.length).toBeLessThan(100_000)
    const c = connect({ tables: { t: { path: dir.file('bomb.xlsx', workbook), maxFileBytes: 100_000 } } })
    expectIssue(await failure(c.load()), 'FILE_TOO_LARGE', 'bomb.xlsx (uncompressed)', 'maxFileBytes (100000 bytes)')
    const fine = connect({ tables: { t: { path: dir.file('fine.xlsx', workbook), maxFileBytes: 2_000_000 } } })
    await fine.load()
    expect(fine.status().t!.rows).toBe(2000)
  })

  it('zip checks: declared sizes, real sizes behind a declared 0 or a lie, ZIP64 fields', async () => {
    const payload = Buffer.alloc(1_000_000)
    const limit = 100_000
    expect(await checkZipExpansion(zip([{ name: 'a.xml', data: Buffer.from('<a/>') }]), limit)).toBeUndefined()
    expect(await checkZipExpansion(zip([{ name: 'a.xml', data: payload }]), limit)).toBe('too-large')
    expect(await checkZipExpansion(zip([{ name: 'a.xml', data: payload, declared: 10 }]), limit)).toBe('too-large')
    expect(await checkZipExpansion(zip([{ name: 'a.xml', data: payload, declared: 0, streamed: true }]), limit)).toBe(
      'too-large',
    )
    expect(
      await checkZipExpansion(
        zip([{ name: 'a.xml', data: Buffer.from('<a/>'), declared: 2 ** 40, zip64: true }]),
        limit,
      ),
    ).toBe('too-large')
    expect(
      await checkZipExpansion(
        zip(Array.from({ length: 30 }, (_, i) => ({ name: `p${i}.xml`, data: Buffer.alloc(5_000) }))),
        limit,
      ),
    ).toBe('too-large')
    expect(await checkZipExpansion(Buffer.from('PK\u0003\u0004 truncated'), limit)).toBe('invalid')
  })

  it('bad options: CONFIG_INVALID with every problem at once', () => {
    let error: unknown
    try {
      files({
        tables: {
          a: { path: 'a.csv', timezone: 'Mars/Olympus', delimiter: ';;' },
          A: 'b.csv',
          orders__v2: 'c.csv',
          d: { path: 'd.unknown' },
          e: { url: 'ftp://x/y.csv' },
          f: { googleSheet: { spreadsheetId: 'x' } },
          g: { path: 'g.csv', columns: { x: 'decimal' as 'number' } },
        },
        maxRows: 0,
        bogus: true,
      } as unknown as FilesOptions)
    } catch (e) {
      error = e
    }
    expect(isSemanticLayerError(error)).toBe(true)
    const e = error as SemanticLayerError
    expect(e.code).toBe('CONFIG_INVALID')
    expect(e.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'bogus',
      'maxRows',
      'tables.A',
      'tables.a.delimiter',
      'tables.a.timezone',
      'tables.d.format',
      'tables.e.url',
      'tables.f.googleSheet',
      'tables.g.columns.x',
      'tables.orders__v2',
    ])
  })

  it('reload() of a table that is not configured: QUERY_INVALID listing the tables', async () => {
    const c = connect({ tables: { t: dir.file('ok.csv', GOOD) } })
    const error = await failure(c.reload('orders'))
    expect(error.code).toBe('QUERY_INVALID')
    expect(error.message).toContain('"t"')
  })
})

/** A zip written by hand, to say what its headers declare. */
function zip(
  entries: { name: string; data: Buffer; declared?: number; streamed?: boolean; zip64?: boolean }[],
): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const e of entries) {
    const compressed = deflateRawSync(e.data)
    const size = e.declared ?? e.data.length
    const name = Buffer.from(e.name)
    const extra = e.zip64 ? Buffer.alloc(20) : Buffer.alloc(0)
    if (e.zip64) {
      extra.writeUInt16LE(1, 0)
      extra.writeUInt16LE(16, 2)
      extra.writeBigUInt64LE(BigInt(size), 4)
      extra.writeBigUInt64LE(BigInt(compressed.length), 12)
    }
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(e.streamed ? 8 : 0, 6)
    local.writeUInt16LE(8, 8)
    local.writeUInt32LE(e.streamed ? 0 : e.zip64 ? 0xffffffff : compressed.length, 18)
    local.writeUInt32LE(e.streamed ? 0 : e.zip64 ? 0xffffffff : size, 22)
    local.writeUInt16LE(name.length, 26)
    local.writeUInt16LE(extra.length, 28)
    locals.push(local, name, extra, compressed)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(8, 10)
    central.writeUInt32LE(e.zip64 ? 0xffffffff : compressed.length, 20)
    central.writeUInt32LE(e.zip64 ? 0xffffffff : size, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt16LE(extra.length, 30)
    central.writeUInt32LE(offset, 42)
    centrals.push(central, name, extra)
    offset += 30 + name.length + extra.length + compressed.length
  }
  const cd = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(cd.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, cd, end])
}
