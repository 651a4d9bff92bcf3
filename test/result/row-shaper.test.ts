import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { isSemanticLayerError } from '../../src/errors.js'
import { shapedRows } from '../../src/cache/fetched-rows.js'
import { RowShaper, parseShortDecimal } from '../../src/result/shape-result.js'
import type { OutputColumn } from '../../src/sql/render-sql.js'

const COLUMNS: OutputColumn[] = [
  { alias: 'orders__status', keys: ['orders.status'], kind: 'dimension', type: 'string' },
  {
    alias: 'orders__created_at_day',
    keys: ['orders.created_at.day', 'orders.created_at'],
    kind: 'dimension',
    type: 'time',
  },
  { alias: 'orders__paid', keys: ['orders.paid'], kind: 'dimension', type: 'boolean' },
  { alias: 'orders__amount', keys: ['orders.amount'], kind: 'measure', type: 'number' },
  // Names a generated function must carry as data, never as code.
  { alias: 'a"b\\c', keys: ['x.`${1}`\n\u2028"'], kind: 'dimension', type: 'string' },
]

/** Driver rows as PostgreSQL/MySQL return them: numeric text, 't'/'f', Dates, nulls. */
function driverRows(n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    orders__status: i % 7 === 0 ? null : `s${i % 5}`,
    orders__created_at_day: i % 2 === 0 ? new Date(Date.UTC(2024, 0, 1 + (i % 300))) : '2024-02-03T00:00:00.000',
    orders__paid: i % 3 === 0 ? 't' : i % 3 === 1 ? 0 : null,
    orders__amount: i % 4 === 0 ? `${i}.25` : i % 4 === 1 ? BigInt(i) : i % 4 === 2 ? '123456789012345678901' : null,
    'a"b\\c': { i },
  }))
}

/** The same rows as executeArrays returns them: column values in SELECT-list (= COLUMNS) order. */
const asArrays = (rows: Record<string, unknown>[]): unknown[][] => rows.map((r) => COLUMNS.map((c) => r[c.alias]))

const KEYS = [
  'orders.status',
  'orders.created_at.day',
  'orders.created_at',
  'orders.paid',
  'orders.amount',
  'x.`${1}`\n\u2028"',
]

describe('RowShaper', () => {
  // Large results go through the generated function, small ones through the loop: they must agree.
  test.each(['number', 'string'] as const)(
    'shapes large results exactly like the row-by-row path (decimals: %s)',
    (decimals) => {
      const rows = driverRows(2_000)
      const shaper = new RowShaper(COLUMNS, decimals)
      const { data, truncated } = shaper.all({ form: 'objects', rows }, 1_500)
      expect(truncated).toBe(true)
      expect(data).toHaveLength(1_500)
      const one = new RowShaper(COLUMNS, decimals).one
      expect(data).toEqual(rows.slice(0, 1_500).map(one))
      expect(data[0]).toEqual({
        'orders.status': null,
        'orders.created_at.day': '2024-01-01T00:00:00.000',
        'orders.created_at': '2024-01-01T00:00:00.000',
        'orders.paid': true,
        'orders.amount': decimals === 'string' ? '0.25' : 0.25,
        'x.`${1}`\n\u2028"': '{"i":0}',
      })
      expect(data[2]!['orders.amount']).toBe('123456789012345678901') // beyond 2^53: exact text in both modes
      expect(Object.keys(data[1]!)).toEqual(KEYS)
      expect(new Set(data).size).toBe(data.length) // no two rows are one object
    },
  )

  // Arrays (executeArrays) must shape to exactly what objects (execute) do, on the generated path (≥ 512
  // rows) and on the loop, with and without truncation.
  test.each([
    ['number', 2_000, 1_500],
    ['string', 2_000, 1_500],
    ['number', 600, 600],
    ['string', 20, 10],
    ['number', 10, 10],
  ] as const)(
    'array rows shape exactly like object rows (decimals: %s, %i rows, limit %i)',
    (decimals, count, limit) => {
      const rows = driverRows(count)
      const shaper = new RowShaper(COLUMNS, decimals)
      const fromObjects = shaper.all({ form: 'objects', rows }, limit)
      const fromArrays = shaper.all({ form: 'arrays', rows: asArrays(rows) }, limit)
      expect(fromArrays).toStrictEqual(fromObjects)
      expect(fromArrays.truncated).toBe(count > limit)
      expect(fromArrays.data).toHaveLength(Math.min(count, limit))
      // Spot checks that do not go through the object path: every kind of value, the time under both keys.
      expect(Object.keys(fromArrays.data[1]!)).toEqual(KEYS)
      expect(fromArrays.data[0]).toStrictEqual({
        'orders.status': null,
        'orders.created_at.day': '2024-01-01T00:00:00.000',
        'orders.created_at': '2024-01-01T00:00:00.000',
        'orders.paid': true,
        'orders.amount': decimals === 'string' ? '0.25' : 0.25,
        'x.`${1}`\n\u2028"': '{"i":0}',
      })
      expect(fromArrays.data[1]).toMatchObject({
        'orders.status': 's1',
        'orders.created_at': '2024-02-03T00:00:00.000',
        'orders.paid': false,
        'orders.amount': 1,
      })
      expect(fromArrays.data[2]).toMatchObject({ 'orders.paid': null, 'orders.amount': '123456789012345678901' })
      expect(fromArrays.data[3]!['orders.amount']).toBeNull()
    },
  )

  test('one row at a time: oneArray agrees with one', () => {
    const shaper = new RowShaper(COLUMNS)
    const rows = driverRows(8)
    expect(asArrays(rows).map(shaper.oneArray)).toStrictEqual(rows.map(shaper.one))
  })

  test.each(['number', 'string'] as const)(
    'fromArray (one row as it arrives, generated) agrees with oneArray (decimals: %s)',
    (decimals) => {
      const shaper = new RowShaper(COLUMNS, decimals)
      const rows = asArrays(driverRows(40))
      expect(rows.map(shaper.fromArray)).toStrictEqual(rows.map(shaper.oneArray))
      expect(Object.keys(shaper.fromArray(rows[0]!))).toEqual(KEYS)
      // The generated function copies one template row per call: every row is its own plain object.
      const [a, b] = [shaper.fromArray(rows[1]!), shaper.fromArray(rows[1]!)]
      expect(a).not.toBe(b)
      a['orders.status'] = 'changed'
      expect([b['orders.status'], shaper.fromArray(rows[1]!)['orders.status']]).toEqual(['s1', 's1'])
      expect(Object.getPrototypeOf(a)).toBe(Object.prototype)
      expect(() => shaper.fromArray(rows[0]!.slice(1))).toThrow(
        expect.objectContaining({
          code: 'CONNECTOR_FAILED',
          issues: [expect.objectContaining({ code: 'ROW_WIDTH_MISMATCH' })],
        }),
      )
    },
  )

  test('rowMapper: the loop for small results (no code generated), the generated function from the 512th row, the same rows', () => {
    const shaper = new RowShaper(COLUMNS)
    const generated = () => (shaper as unknown as { generatedRow?: unknown }).generatedRow
    const small = asArrays(driverRows(20))
    expect(small.map(shaper.rowMapper())).toStrictEqual(small.map(shaper.oneArray))
    expect(generated()).toBeUndefined()
    const large = asArrays(driverRows(600))
    expect(large.map(shaper.rowMapper())).toStrictEqual(large.map(shaper.oneArray))
    expect(generated()).toBeTypeOf('function')
    expect(() => shaper.rowMapper()(small[0]!.slice(1))).toThrow(expect.objectContaining({ code: 'CONNECTOR_FAILED' }))
  })

  test('shaped rows are cut to the limit; the first caller gets them, every other caller its own copies', () => {
    const shaper = new RowShaper(COLUMNS)
    const rows = asArrays(driverRows(5)).map(shaper.fromArray)
    const fetched = shapedRows(rows)
    const first = shaper.all(fetched, 4)
    const second = shaper.all(fetched, 4)
    expect(first.truncated).toBe(true)
    expect(first.data).toStrictEqual(rows.slice(0, 4))
    expect(second.data).toStrictEqual(first.data)
    for (let i = 0; i < 4; i++) expect(second.data[i]).not.toBe(first.data[i])
    const whole = shapedRows(rows)
    expect(shaper.all(whole, 5)).toStrictEqual({ data: rows, truncated: false })
  })

  test('array rows of the wrong width are a CONNECTOR_FAILED error naming no values, not rows of nulls', () => {
    const shaper = new RowShaper(COLUMNS)
    const narrow = asArrays(driverRows(3)).map((r) => r.slice(1))
    let caught: unknown
    try {
      shaper.all({ form: 'arrays', rows: narrow }, 10)
    } catch (error) {
      caught = error
    }
    expect(isSemanticLayerError(caught)).toBe(true)
    expect(caught).toMatchObject({ code: 'CONNECTOR_FAILED', issues: [{ code: 'ROW_WIDTH_MISMATCH' }] })
    expect((caught as Error).message).toContain('4 values')
    expect((caught as Error).message).not.toContain('s1')
    // An empty result has no width to check.
    expect(shaper.all({ form: 'arrays', rows: [] }, 10)).toStrictEqual({ data: [], truncated: false })
  })
})

describe('parseShortDecimal (the fast path for numeric text)', () => {
  test('gives exactly what Number() gives, or leaves the text to Number()', () => {
    const decimalText = fc
      .tuple(
        fc.boolean(),
        fc.stringMatching(/^\d{0,17}$/),
        fc.option(fc.stringMatching(/^\d{0,17}$/), { nil: undefined }),
      )
      .map(([neg, int, frac]) => `${neg ? '-' : ''}${int}${frac === undefined ? '' : `.${frac}`}`)
    const anyText = fc.oneof(
      decimalText,
      fc.string({ unit: fc.constantFrom(...'0123456789.-+eE x'.split('')), maxLength: 20 }),
      fc.string(),
    )
    fc.assert(
      fc.property(anyText, (text) => {
        const fast = parseShortDecimal(text)
        if (fast !== undefined) expect(Object.is(fast, Number(text))).toBe(true)
      }),
      { numRuns: 20_000 },
    )
  })

  test('takes the fast path for the decimals drivers send, and only for them', () => {
    const cases: [string, number | undefined][] = [
      ['12.50', 12.5],
      ['-0.10', -0.1],
      ['0', 0],
      ['-0', -0],
      ['7', 7],
      ['.5', 0.5],
      ['5.', 5],
      ['123456789012345', 123456789012345],
      ['99999999999999.9', 99999999999999.9],
      ['0.00000000000001', 1e-14],
      ['0.000000000000001', undefined],
      ['1234567890123456', undefined],
      ['12345678901234.5678', undefined],
      ['1e5', undefined],
      ['', undefined],
      ['-', undefined],
      ['.', undefined],
      [' 1', undefined],
      ['+1', undefined],
      ['1.2.3', undefined],
      ['NaN', undefined],
      ['Infinity', undefined],
    ]
    for (const [text, expected] of cases) expect(Object.is(parseShortDecimal(text), expected)).toBe(true)
  })
})
