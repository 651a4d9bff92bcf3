/**
 * Each matching rule with a query that must be served from a rollup and one that must not, the
 * explanation checked word for word where it matters. Served rows are compared with hand-written SQL.
 */
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEcommerceSqlite } from '../../examples/ecommerce/generate.mjs'
import { createSemanticLayer, loadModel, type QueryInput, type SemanticLayer } from '../../src/index.js'
import type { ModelInput } from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'
import { MODEL_DIR } from '../integration/oracle/layer.js'

const ROLLUPS: Record<string, unknown[]> = {
  orders: [
    {
      name: 'daily',
      measures: ['count', 'total_amount', 'paid_count'],
      dimensions: ['status', 'customers.country'],
      segments: ['paid'],
      time_dimension: 'created_at',
      granularity: 'day',
      partition_granularity: 'month',
    },
    { name: 'by_status', measures: ['avg_amount', 'customers_count'], dimensions: ['status'] },
  ],
}

let db: Database.Database
let layer: SemanticLayer
let berlin: SemanticLayer

async function model(): Promise<unknown> {
  const base = await loadModel(MODEL_DIR)
  return {
    cubes: base.cubes.map((c) => (ROLLUPS[c.name] ? { ...c, pre_aggregations: ROLLUPS[c.name] } : c)),
    views: base.views,
  }
}

beforeAll(async () => {
  db = new Database(':memory:')
  createEcommerceSqlite(db)
  const connectors = { default: sqlite({ database: db }) }
  layer = createSemanticLayer({
    model: (await model()) as ModelInput,
    connectors,
    cache: false,
    authorize: ({ securityContext }) => {
      const f = (securityContext as { filter?: unknown } | undefined)?.filter
      return f ? { allow: true, filters: [f as never] } : { allow: true }
    },
  })
  await layer.preAggregations.build()
  berlin = createSemanticLayer({
    model: (await model()) as ModelInput,
    connectors,
    cache: false,
    preAggregations: { timeZones: ['Europe/Berlin'] },
  })
  await berlin.preAggregations.build({ names: ['orders.daily'] })
})
afterAll(async () => {
  await layer?.close()
  await berlin?.close()
  db?.close()
})

const rows = (sql: string): unknown[] => db.prepare(sql).all()

/** The explanation of one rollup for a query: [matched, reasons]. */
async function explain(q: QueryInput, rollup = 'orders.daily', context?: Record<string, unknown>, on = layer) {
  const e = await on.preAggregations.explain(q, context ? { securityContext: context } : {})
  const c = e.considered.find((x) => x.name === rollup)
  expect(c, `rollup ${rollup} was considered`).toBeDefined()
  return { matched: c!.matched, reasons: c!.reasons, used: e.usedPreAggregations?.[0]?.name }
}

const byStatus = { measures: ['orders.count'], dimensions: ['orders.status'] } as const

describe('additive measures roll up from finer dimensions and grains', () => {
  it('serves count and sum by status from the (status, country, day) rollup, with the source numbers', async () => {
    const q = { measures: ['orders.count', 'orders.total_amount'], dimensions: ['orders.status'] }
    expect((await explain(q)).matched).toBe(true)
    const result = await layer.query(q)
    expect(result.usedPreAggregations?.[0]?.name).toBe('orders.daily')
    const expected = rows(
      `SELECT status AS "orders.status", count(*) AS "orders.count", sum(amount) AS "orders.total_amount" FROM orders GROUP BY status`,
    )
    expect(sortBy(result.data, 'orders.status')).toEqual(sortBy(expected, 'orders.status'))
  })

  it('does not serve a dimension the rollup lacks', async () => {
    const e = await explain({ measures: ['orders.count'], dimensions: ['orders.note'] })
    expect(e).toMatchObject({ matched: false, reasons: ['dimension orders.note is not in the rollup'] })
  })

  it('serves a calculated measure whose leaf measures are in the rollup, not one whose leaves are missing', async () => {
    expect((await explain({ measures: ['orders.amount_per_order'], dimensions: ['orders.status'] })).matched).toBe(true)
    const miss = await explain({ measures: ['orders.paid_ratio', 'orders.max_amount'] })
    expect(miss.reasons).toEqual(['measure orders.max_amount is not in the rollup'])
    const leafMiss = await explain({ measures: ['orders.paid_ratio'] }, 'orders.by_status')
    expect(leafMiss.reasons).toContain('measure orders.paid_count is not in the rollup')
  })
})

describe('non-additive measures only on an exact match', () => {
  it('serves avg and count_distinct by exactly the rollup dimensions', async () => {
    const q = { measures: ['orders.avg_amount', 'orders.customers_count'], dimensions: ['orders.status'] }
    const e = await explain(q, 'orders.by_status')
    expect(e.matched).toBe(true)
    const result = await layer.query(q)
    const expected = rows(
      `SELECT status AS "orders.status", avg(amount) AS "orders.avg_amount", count(DISTINCT customer_id) AS "orders.customers_count" FROM orders GROUP BY status`,
    )
    expect(sortBy(result.data, 'orders.status')).toEqual(sortBy(expected, 'orders.status'))
  })

  it('does not serve avg over coarser groups, and says why', async () => {
    const e = await explain({ measures: ['orders.avg_amount'] }, 'orders.by_status')
    expect(e.reasons).toEqual([
      "measure orders.avg_amount (avg) is not additive and the rollup is not an exact match: the query's dimensions and granularity are not exactly the rollup's",
    ])
  })

  it('does not serve count_distinct filtered on a dimension it does not group by', async () => {
    const e = await explain(
      {
        measures: ['orders.customers_count'],
        filters: [{ member: 'orders.status', operator: 'equals', values: ['paid'] }],
      },
      'orders.by_status',
    )
    expect(e.reasons[0]).toContain('is not additive and the rollup is not an exact match')
  })
})

describe('time dimension: granularity and date range', () => {
  const month = {
    dimension: 'orders.created_at',
    granularity: 'month',
    dateRange: ['2024-01-01', '2024-03-31'],
  } as const

  it('serves month from day, reading only the partitions of the range', async () => {
    const q = { ...byStatus, timeDimensions: [month] }
    const result = await layer.query(q)
    expect(result.usedPreAggregations?.[0]?.tables).toHaveLength(3)
    expect(result.usedPreAggregations?.[0]?.tables.every((t) => /_2024(01|02|03)01_/.test(t))).toBe(true)
    const expected =
      rows(`SELECT status AS "orders.status", strftime('%Y-%m-01T00:00:00.000', created_at) AS "orders.created_at.month",
      strftime('%Y-%m-01T00:00:00.000', created_at) AS "orders.created_at", count(*) AS "orders.count"
      FROM orders WHERE created_at >= '2024-01-01' AND created_at < '2024-04-01' GROUP BY 1, 2`)
    expect(sortBy(result.data, 'orders.status', 'orders.created_at')).toEqual(
      sortBy(expected, 'orders.status', 'orders.created_at'),
    )
  })

  it('does not serve a grain finer than the rollup', async () => {
    const e = await explain({ ...byStatus, timeDimensions: [{ dimension: 'orders.created_at', granularity: 'hour' }] })
    expect(e.reasons).toEqual([
      "granularity hour of orders.created_at is finer than the rollup's day or does not roll up from it",
    ])
  })

  it('does not serve a date range ending at 12:00, finer than the rollup day', async () => {
    const e = await explain({
      ...byStatus,
      timeDimensions: [{ dimension: 'orders.created_at', dateRange: ['2024-01-01', '2024-01-31T11:59:59.999'] }],
    })
    expect(e.reasons).toEqual([
      'filter on orders.created_at: the date range ends inside a day of the rollup (2024-01-31T12:00:00.000Z), finer than its day granularity',
    ])
  })

  it('serves afterDate on a day boundary; not an equals on a time', async () => {
    const after = { member: 'orders.created_at', operator: 'afterOrOnDate', values: ['2024-05-01'] } as const
    expect((await explain({ ...byStatus, filters: [after] })).matched).toBe(true)
    const eq = { member: 'orders.created_at', operator: 'equals', values: ['2024-05-01T10:00:00'] } as const
    expect((await explain({ ...byStatus, filters: [eq] })).reasons[0]).toContain('only date ranges and before/after')
  })
})

describe('filters, segments, join roots and views', () => {
  it('serves a filter on a rollup dimension; not one on another dimension', async () => {
    const ok = { member: 'customers.country', operator: 'equals', values: ['DE'] } as const
    expect((await explain({ ...byStatus, filters: [ok] })).matched).toBe(true)
    const bad = { member: 'orders.note', operator: 'set' } as const
    expect((await explain({ ...byStatus, filters: [bad] })).reasons).toEqual([
      'filter on orders.note: dimension not in the rollup',
    ])
  })

  it('serves a segment of the rollup; not one it lacks', async () => {
    const q = { ...byStatus, segments: ['orders.paid'] }
    expect((await explain(q)).matched).toBe(true)
    const result = await layer.query(q)
    expect(result.data).toEqual(
      rows(`SELECT status AS "orders.status", count(*) AS "orders.count" FROM orders WHERE status = 'paid' GROUP BY 1`),
    )
    expect((await explain({ ...byStatus, segments: ['orders.big'] })).reasons).toEqual([
      'segment orders.big is not in the rollup',
    ])
  })

  it('does not serve a query rooted at another cube (customers without orders would be lost)', async () => {
    const e = await explain({ measures: ['customers.count', 'orders.count'], dimensions: ['customers.country'] })
    expect(e.reasons).toContain('measure customers.count is not in the rollup')
    expect(e.reasons).toContain(
      "the query's join tree starts at customers, the rollup's at orders, so they count different rows",
    )
  })

  it('serves a query through the sales view from the rollup of the cube under it', async () => {
    const q = { measures: ['sales.count'], dimensions: ['sales.status'] }
    const e = await layer.preAggregations.explain(q)
    expect(e.usedPreAggregations?.[0]?.name).toBe('orders.daily')
    const result = await layer.query(q)
    expect(sortBy(result.data, 'sales.status')).toEqual(
      sortBy(rows(`SELECT status AS "sales.status", count(*) AS "sales.count" FROM orders GROUP BY 1`), 'sales.status'),
    )
  })

  it('ungrouped queries are never served', async () => {
    const e = await explain({ dimensions: ['orders.status'], ungrouped: true, limit: 5 })
    expect(e.reasons).toEqual(['the query is ungrouped: it reads rows, not groups'])
  })
})

describe('security filters', () => {
  it('serves when every security filter member is in the rollup, and applies it', async () => {
    const context = { filter: { member: 'customers.country', operator: 'equals', values: ['DE'] } }
    expect((await explain(byStatus, 'orders.daily', context)).matched).toBe(true)
    const result = await layer.query(byStatus, { securityContext: context })
    expect(result.usedPreAggregations).toBeDefined()
    const expected = rows(`SELECT o.status AS "orders.status", count(*) AS "orders.count" FROM orders o
      JOIN customers c ON c.id = o.customer_id WHERE c.country = 'DE' GROUP BY 1`)
    expect(sortBy(result.data, 'orders.status')).toEqual(sortBy(expected, 'orders.status'))
  })

  it('goes to the source when a security filter reads a member the rollup lacks', async () => {
    const context = { filter: { member: 'orders.note', operator: 'set' } }
    const e = await explain(byStatus, 'orders.daily', context)
    expect(e.reasons).toEqual(['filter on orders.note: dimension not in the rollup'])
    expect((await layer.query(byStatus, { securityContext: context })).usedPreAggregations).toBeUndefined()
  })
})

describe('time zones', () => {
  const q: QueryInput = {
    ...byStatus,
    timezone: 'Europe/Berlin',
    timeDimensions: [{ dimension: 'orders.created_at', granularity: 'day', dateRange: ['2024-03-01', '2024-03-31'] }],
  }

  it('does not serve a zone the rollup is not built for', async () => {
    const e = await explain(q)
    expect(e.reasons[0]).toBe("the query's time zone Europe/Berlin is not one the rollup is built for (UTC)")
    // Berlin's local midnights are not UTC day boundaries either: each edge is named.
    expect(e.reasons.slice(1)).toEqual([
      'filter on orders.created_at: the date range starts inside a day of the rollup (2024-02-29T23:00:00.000Z), finer than its day granularity',
      'filter on orders.created_at: the date range ends inside a day of the rollup (2024-03-31T22:00:00.000Z), finer than its day granularity',
    ])
  })

  it('serves a zone it is built for, with the local days of that zone (DST change on 2024-03-31)', async () => {
    expect((await explain(q, 'orders.daily', undefined, berlin)).matched).toBe(true)
    const served = await berlin.query(q)
    const source = await layer.query(q) // the UTC-only layer answers this zone from the source
    expect(served.usedPreAggregations).toBeDefined()
    expect(source.usedPreAggregations).toBeUndefined()
    const key = (r: Record<string, unknown>) => `${r['orders.status']}|${r['orders.created_at.day']}`
    expect(served.data.map(key).sort()).toEqual(source.data.map(key).sort())
    expect(sortBy(served.data, 'orders.status', 'orders.created_at.day')).toEqual(
      sortBy(source.data, 'orders.status', 'orders.created_at.day'),
    )
  })
})

describe('builds', () => {
  it('says a rollup that is not built yet is not used', async () => {
    const fresh = createSemanticLayer({
      model: (await model()) as ModelInput,
      connectors: { default: sqlite({ database: db }) },
    })
    const e = await explain(byStatus, 'orders.daily', undefined, fresh)
    expect(e.reasons).toEqual(['it is not built yet: run layer.preAggregations.build()'])
    await fresh.close()
  })
})

function sortBy(list: readonly unknown[], ...keys: string[]): unknown[] {
  const k = (r: unknown) => keys.map((key) => String((r as Record<string, unknown>)[key])).join('|')
  return [...list].sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0))
}
