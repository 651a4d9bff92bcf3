/**
 * The correctness suite: every query runs through the public API on SQLite and its rows are
 * compared with hand-written SQL over the same database (see oracle/*.ts). Expectations never come
 * from the library. Numbers are compared to 1e-9 relative; rows are compared as sets unless the
 * query's order is total.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isSemanticLayerError } from '../../src/index.js'
import { oracleCases } from './oracle/cases.js'
import { comparableRows, runOracle, type CubeQuery, type OracleCase, type Row } from './oracle/helpers.js'
import { openFixture, type Fixture } from './oracle/layer.js'

let fx: Fixture

beforeAll(async () => {
  fx = await openFixture()
})
afterAll(async () => {
  await fx?.close()
})

const query = (q: CubeQuery) => fx.layer.query(q)
const oracle = (sql: string, ...params: unknown[]) => fx.db.prepare(sql).all(...params) as Row[]

function expectSameRows(actual: readonly Row[], expected: readonly Row[], ordered = false) {
  expect(Array.isArray(actual)).toBe(true)
  const rows = comparableRows(actual, expected, ordered)
  expect(rows.actual).toEqual(rows.expected)
}

const KINDS = [...new Set(oracleCases.map((c) => c.kind))]

describe.each(KINDS)('oracle: %s', (kind) => {
  const cases = oracleCases.filter((c) => c.kind === kind)
  it.each(cases.map((c) => [c.name, c] as [string, OracleCase]))('%s', async (_name, c) => {
    const result = await query(c.query)
    expectSameRows(result.data, runOracle(fx.db, c), c.ordered)
  })
})

describe('fan-out: customers without orders (root customers)', () => {
  it('keeps them with orders.count 0 and orders.total_amount null', async () => {
    const { data } = await query({
      measures: ['customers.count', 'orders.count', 'orders.total_amount'],
      dimensions: ['customers.name'],
    })
    const orderless = oracle('SELECT name FROM customers WHERE id NOT IN (SELECT customer_id FROM orders)').map(
      (r) => r.name,
    )
    expect(orderless.length).toBeGreaterThanOrEqual(4)
    for (const name of orderless) {
      expect(data.find((r) => r['customers.name'] === name)).toEqual({
        'customers.name': name,
        'customers.count': 1,
        'orders.count': 0,
        'orders.total_amount': null,
      })
    }
    expect(data).toHaveLength(60)
  })
})

describe('order, limit, offset, total, truncated', () => {
  const statuses = ['cancelled', 'paid', 'pending', 'refunded', 'shipped']

  it('orders by an object: measure desc, then dimension asc', async () => {
    const { data } = await query({
      measures: ['orders.count'],
      dimensions: ['customers.country'],
      order: { 'orders.count': 'desc', 'customers.country': 'asc' },
    })
    expectSameRows(
      data,
      oracle(`SELECT c.country AS "customers.country", count(o.id) AS "orders.count" FROM orders o LEFT JOIN customers c ON c.id = o.customer_id
        GROUP BY c.country ORDER BY 2 DESC, 1 ASC`),
      true,
    )
  })

  it('orders by an array of [member, direction] pairs', async () => {
    const { data } = await query({
      measures: ['orders.total_amount'],
      dimensions: ['orders.status'],
      order: [
        ['orders.total_amount', 'asc'],
        ['orders.status', 'desc'],
      ],
    })
    expectSameRows(
      data,
      oracle(
        `SELECT status AS "orders.status", sum(amount) AS "orders.total_amount" FROM orders GROUP BY 1 ORDER BY 2 ASC, 1 DESC`,
      ),
      true,
    )
  })

  it('orders by a dimension ascending with a limit', async () => {
    const result = await query({
      measures: ['customers.count'],
      dimensions: ['customers.country'],
      order: { 'customers.country': 'asc' },
      limit: 3,
    })
    expectSameRows(
      result.data,
      oracle(
        `SELECT country AS "customers.country", count(*) AS "customers.count" FROM customers GROUP BY 1 ORDER BY 1 LIMIT 3`,
      ),
      true,
    )
    expect(result.truncated).toBe(true)
  })

  it('applies limit and offset after ordering', async () => {
    const { data } = await query({
      measures: ['orders.count'],
      dimensions: ['orders.status'],
      order: { 'orders.status': 'asc' },
      limit: 2,
      offset: 1,
    })
    expect(data.map((r) => r['orders.status'])).toEqual(['paid', 'pending'])
  })

  it('reports total ignoring limit and offset', async () => {
    const result = await query({
      measures: ['orders.count'],
      dimensions: ['orders.status'],
      order: { 'orders.status': 'asc' },
      limit: 2,
      offset: 1,
      total: true,
    })
    expect(result.total).toBe(5)
    expect(result.data).toHaveLength(2)
    expect(result.truncated).toBe(true)
  })

  it('reports total without a limit', async () => {
    const result = await query({ measures: ['orders.count'], dimensions: ['customers.name'], total: true })
    expect(result.total).toBe(oracle('SELECT count(DISTINCT customer_id) AS n FROM orders')[0]?.n)
    expect(result.data).toHaveLength(result.total ?? -1)
  })

  it.each([
    ['no limit', {}, 5, false],
    ['a limit that fits exactly', { limit: 5 }, 5, false],
    ['a limit one short', { limit: 4 }, 4, true],
    ['a limit of 1', { limit: 1 }, 1, true],
    ['limit 2 offset 3 (the last two rows)', { limit: 2, offset: 3 }, 2, false],
    ['limit 2 offset 2 (one row left after the page)', { limit: 2, offset: 2 }, 2, true],
  ] as const)('truncated with %s', async (_name, extra, rows, truncated) => {
    const result = await query({
      measures: ['orders.count'],
      dimensions: ['orders.status'],
      order: { 'orders.status': 'asc' },
      ...extra,
    })
    expect(result.data).toHaveLength(rows)
    expect(result.truncated).toBe(truncated)
    const offset = 'offset' in extra ? extra.offset : 0
    expect(result.data.map((r) => r['orders.status'])).toEqual(statuses.slice(offset, offset + rows))
  })

  it('ungrouped: one row per order, measures not aggregated', async () => {
    const result = await query({
      measures: ['orders.total_amount', 'orders.count'],
      dimensions: ['orders.id', 'orders.status'],
      filters: [{ member: 'orders.id', operator: 'lte', values: ['30'] }],
      order: { 'orders.id': 'asc' },
      ungrouped: true,
    })
    expectSameRows(
      result.data,
      oracle(
        `SELECT id AS "orders.id", status AS "orders.status", amount AS "orders.total_amount", 1 AS "orders.count" FROM orders WHERE id <= 30 ORDER BY id`,
      ),
      true,
    )
  })

  it('default order: the first granular time dimension ascending, even with measures and dimensions', async () => {
    const { data } = await query({
      measures: ['orders.count'],
      dimensions: ['orders.status'],
      timeDimensions: [
        { dimension: 'orders.created_at', granularity: 'month', dateRange: ['2024-01-01', '2024-06-30'] },
      ],
    })
    const months = data.map((r) => String(r['orders.created_at.month']))
    expect(months.length).toBeGreaterThan(20)
    expect(months).toEqual([...months].sort())
  })

  it('default order: the first measure descending when there are measures and dimensions', async () => {
    const { data } = await query({
      measures: ['orders.count', 'orders.total_amount'],
      dimensions: ['customers.country'],
    })
    const counts = data.map((r) => Number(r['orders.count']))
    expect(counts).toEqual([...counts].sort((a, b) => b - a))
    expectSameRows(
      data,
      oracle(`SELECT c.country AS "customers.country", count(o.id) AS "orders.count", sum(o.amount) AS "orders.total_amount"
        FROM orders o LEFT JOIN customers c ON c.id = o.customer_id GROUP BY 1`),
    )
  })

  it('default order: the first dimension ascending without measures', async () => {
    const { data } = await query({ dimensions: ['orders.status'] })
    expect(data.map((r) => r['orders.status'])).toEqual(statuses)
  })
})

describe('views', () => {
  it('do not expose excluded members', async () => {
    const error = await query({ dimensions: ['customer_overview.email'] }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isSemanticLayerError(error)).toBe(true)
    expect((error as { code?: unknown }).code).toBe('QUERY_INVALID')
  })

  it("include '*' brings the cube's public primary key", async () => {
    const { data } = await query({
      measures: ['customer_overview.count'],
      dimensions: ['customer_overview.id'],
      filters: [{ member: 'customer_overview.id', operator: 'lte', values: ['3'] }],
    })
    expectSameRows(
      data,
      oracle(`SELECT id AS "customer_overview.id", 1 AS "customer_overview.count" FROM customers WHERE id <= 3`),
    )
  })
})

describe('result shape', () => {
  it('annotates every member with a title and a type', async () => {
    const result = await query({
      measures: ['orders.count', 'orders.total_amount', 'orders.avg_amount'],
      dimensions: ['orders.status', 'customers.is_active', 'orders.amount'],
      timeDimensions: [
        { dimension: 'orders.created_at', granularity: 'month', dateRange: ['2024-01-01', '2024-03-31'] },
      ],
      segments: ['orders.paid'],
    })
    const { annotation } = result
    for (const m of ['orders.count', 'orders.total_amount', 'orders.avg_amount']) {
      const a = annotation.measures[m]
      expect(a, m).toBeDefined()
      expect(typeof a?.title, m).toBe('string')
      expect(String(a?.title).length, m).toBeGreaterThan(0)
      expect(a?.type, m).toBe('number')
    }
    expect(annotation.measures['orders.total_amount']?.format).toBe('currency')
    const dimensionTypes = { 'orders.status': 'string', 'customers.is_active': 'boolean', 'orders.amount': 'number' }
    for (const [d, type] of Object.entries(dimensionTypes)) {
      expect(typeof annotation.dimensions[d]?.title, d).toBe('string')
      expect(annotation.dimensions[d]?.type, d).toBe(type)
    }
    expect(annotation.timeDimensions['orders.created_at.month']?.type).toBe('time')
    expect(typeof annotation.timeDimensions['orders.created_at.month']?.title).toBe('string')
    expect(typeof result.query).toBe('object')
  })

  it('returns numbers for measures and number dimensions, booleans for boolean dimensions', async () => {
    const { data } = await query({
      measures: [
        'orders.count',
        'orders.customers_count',
        'orders.total_amount',
        'orders.avg_amount',
        'orders.paid_ratio',
      ],
      dimensions: ['customers.is_active', 'customers.id'],
    })
    expect(data.length).toBeGreaterThan(40)
    for (const row of data) {
      for (const key of [
        'orders.count',
        'orders.customers_count',
        'orders.total_amount',
        'orders.avg_amount',
        'orders.paid_ratio',
        'customers.id',
      ]) {
        expect(typeof row[key], key).toBe('number')
      }
      expect(typeof row['customers.is_active']).toBe('boolean')
    }
  })

  it('binds every filter value as a parameter and never writes it into the SQL text', async () => {
    const hostile = "x' OR 1=1 --"
    const result = await query({
      measures: ['orders.count'],
      filters: [
        {
          or: [
            { member: 'customers.name', operator: 'equals', values: [hostile] },
            { member: 'orders.note', operator: 'contains', values: ['FRAGILE'] },
            { member: 'orders.amount', operator: 'gt', values: ['123.456'] },
          ],
        },
      ],
    })
    expectSameRows(
      result.data,
      oracle(
        `SELECT count(o.id) AS "orders.count" FROM orders o LEFT JOIN customers c ON c.id = o.customer_id
          WHERE c.name = ? OR instr(lower(o.note), 'fragile') > 0 OR o.amount > 123.456`,
        hostile,
      ),
    )
    const { sql, params } = result.sql
    expect(params).toContain(hostile)
    expect(params.some((p) => typeof p === 'string' && p.toLowerCase().includes('fragile'))).toBe(true)
    expect(params.some((p) => Number(p) === 123.456)).toBe(true)
    expect(sql).not.toContain(hostile)
    expect(sql).not.toContain('1=1')
    expect(sql.toLowerCase()).not.toContain('fragile')
    expect(sql).not.toContain('123.456')
    expect(oracle('SELECT count(*) AS n FROM orders')[0]?.n).toBe(500)
  })
})
