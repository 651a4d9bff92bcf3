/**
 * Cube's own client (`@cubejs-client/core`) against the handler on a loopback port. Expected values
 * come from hand-written SQL over the same SQLite data (an independent oracle), never from the library;
 * the client's ResultSet pivots them, so these tests also check every field the client reads.
 */
import cube, { type CubeApi, type Query } from '@cubejs-client/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type Running } from './server.js'

type Row = Record<string, unknown>

let s: Running
let api: CubeApi
beforeAll(async () => {
  s = await startServer()
  api = cube('token-is-not-checked-here', { apiUrl: s.apiUrl })
})
afterAll(() => s.close())

const oracle = (sql: string, ...params: unknown[]): Row[] => s.db.prepare(sql).all(...params) as Row[]
const round = (n: unknown): unknown => (typeof n === 'number' ? Math.round(n * 1e6) / 1e6 : n)
const rounded = (rows: readonly Row[]): Row[] =>
  rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Array.isArray(v) ? v : round(v)])))
const months2024H1 = ['01', '02', '03', '04', '05', '06'].map((m) => `2024-${m}-01T00:00:00.000`)
const QUARTER = `(strftime('%Y', o.created_at) || '-' || printf('%02d', ((CAST(strftime('%m', o.created_at) AS INTEGER) - 1) / 3) * 3 + 1) || '-01T00:00:00.000')`

describe('load: time dimension, filters', () => {
  const query: Query = {
    measures: ['orders.count', 'orders.total_amount'],
    timeDimensions: [{ dimension: 'orders.created_at', granularity: 'month', dateRange: ['2024-01-01', '2024-06-30'] }],
    filters: [
      {
        or: [
          { member: 'orders.status', operator: 'equals', values: ['paid', 'shipped'] },
          { member: 'orders.amount', operator: 'gt', values: ['400'] },
        ],
      },
    ],
  }
  const expected = (): Map<string, { n: number; total: number }> => {
    const rows =
      oracle(`SELECT strftime('%Y-%m-01T00:00:00.000', created_at) AS m, count(*) AS n, sum(amount) AS total FROM orders
      WHERE created_at >= '2024-01-01 00:00:00' AND created_at < '2024-07-01 00:00:00' AND (status IN ('paid', 'shipped') OR amount > 400)
      GROUP BY m`)
    return new Map(rows.map((r) => [r.m as string, { n: r.n as number, total: r.total as number }]))
  }

  it('tablePivot gives one row per month with the oracle counts and sums', async () => {
    const rs = await api.load(query)
    const want = expected()
    expect(want.size).toBeGreaterThan(3)
    expect(rounded(rs.tablePivot())).toEqual(
      rounded(
        months2024H1.map((m) => ({
          'orders.created_at.month': m,
          'orders.count': want.get(m)?.n ?? 0,
          'orders.total_amount': want.get(m)?.total ?? 0,
        })),
      ),
    )
  })

  it('chartPivot and series follow the same months', async () => {
    const rs = await api.load(query)
    const want = expected()
    expect(rounded(rs.chartPivot())).toEqual(
      rounded(
        months2024H1.map((m) => ({
          x: m,
          xValues: [m],
          'orders.count': want.get(m)?.n ?? 0,
          'orders.total_amount': want.get(m)?.total ?? 0,
        })),
      ),
    )
    const series = rs
      .series()
      .map((x) => ({ key: x.key, title: x.title, points: x.series.map((p) => [p.x, round(p.value)]) }))
    expect(series).toEqual([
      { key: 'orders.count', title: 'Orders Count', points: months2024H1.map((m) => [m, want.get(m)?.n ?? 0]) },
      {
        key: 'orders.total_amount',
        title: 'Orders Total amount',
        points: months2024H1.map((m) => [m, round(want.get(m)?.total ?? 0)]),
      },
    ])
  })

  it('echoes the normalized query the client pivots on (dateRange widened to whole days)', async () => {
    const rs = await api.load(query)
    expect(rs.query().timeDimensions).toEqual([
      {
        dimension: 'orders.created_at',
        granularity: 'month',
        dateRange: ['2024-01-01T00:00:00.000', '2024-06-30T23:59:59.999'],
      },
    ])
    expect(rs.pivotQuery()).toMatchObject({
      queryType: 'regularQuery',
      measures: ['orders.count', 'orders.total_amount'],
    })
    expect(rs.annotation().measures['orders.count']).toMatchObject({
      title: 'Orders Count',
      shortTitle: 'Count',
      type: 'number',
    })
  })
})

describe('load: fan-out joins', () => {
  it('counts each cube over its own rows across one-to-many joins (tablePivot, chartPivot, series)', async () => {
    const rs = await api.load({
      measures: ['customers.count', 'orders.count', 'order_items.revenue'],
      dimensions: ['customers.tier'],
      order: { 'customers.tier': 'asc' },
    })
    const want = oracle(`WITH cu AS (SELECT tier, count(*) AS n FROM customers GROUP BY tier),
      od AS (SELECT c.tier, count(o.id) AS n FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.tier),
      it AS (SELECT c.tier, sum(oi.quantity * oi.unit_price) AS r FROM customers c JOIN orders o ON o.customer_id = c.id JOIN order_items oi ON oi.order_id = o.id GROUP BY c.tier)
      SELECT cu.tier AS "customers.tier", cu.n AS "customers.count", od.n AS "orders.count", it.r AS "order_items.revenue"
      FROM cu JOIN od ON od.tier = cu.tier LEFT JOIN it ON it.tier = cu.tier ORDER BY cu.tier`)
    expect(want).toHaveLength(3)
    expect(rounded(rs.tablePivot())).toEqual(rounded(want))
    expect(rounded(rs.chartPivot())).toEqual(
      rounded(want.map(({ 'customers.tier': tier, ...m }) => ({ x: tier, xValues: [tier], ...m }))),
    )
    expect(rs.series().map((x) => x.key)).toEqual(['customers.count', 'orders.count', 'order_items.revenue'])
    expect(rs.series()[1]!.series).toEqual(want.map((r) => ({ x: r['customers.tier'], value: r['orders.count'] })))
  })

  it('pivots a dimension into series: quarters × tiers, with a dimension filter on the joined cube', async () => {
    const rs = await api.load({
      measures: ['orders.count'],
      dimensions: ['customers.tier'],
      timeDimensions: [
        { dimension: 'orders.created_at', granularity: 'quarter', dateRange: ['2024-01-01', '2024-12-31'] },
      ],
      filters: [{ member: 'customers.country', operator: 'notEquals', values: ['Germany', 'USA'] }],
    })
    const rows =
      oracle(`SELECT ${QUARTER} AS q, c.tier AS tier, count(*) AS n FROM orders o JOIN customers c ON c.id = o.customer_id
      WHERE o.created_at >= '2024-01-01 00:00:00' AND o.created_at < '2025-01-01 00:00:00' AND c.country NOT IN ('Germany', 'USA') GROUP BY q, tier`)
    const quarters = ['01', '04', '07', '10'].map((m) => `2024-${m}-01T00:00:00.000`)
    const tiers = [...new Set(rows.map((r) => r.tier as string))]
    expect(tiers.length).toBe(3)
    const count = (q: string, t: string): number =>
      (rows.find((r) => r.q === q && r.tier === t)?.n as number | undefined) ?? 0
    const chart = rs.chartPivot()
    expect(chart.map((r) => r.x)).toEqual(quarters)
    for (const row of chart) for (const t of tiers) expect(row[`${t},orders.count`]).toBe(count(row.x, t))
    const series = rs.series()
    expect(series.map((x) => x.key).sort()).toEqual(tiers.map((t) => `${t},orders.count`).sort())
    for (const x of series)
      expect(x.series.map((p) => p.value)).toEqual(quarters.map((q) => count(q, x.key.split(',')[0]!)))
  })
})

describe('load: request forms and query types', () => {
  it('reports total rows with limit and order (totalRows)', async () => {
    const rs = await api.load({
      measures: ['orders.count'],
      dimensions: ['orders.status'],
      order: { 'orders.count': 'desc' },
      limit: 2,
      total: true,
    })
    const want = oracle(
      `SELECT status AS "orders.status", count(*) AS "orders.count" FROM orders GROUP BY status ORDER BY 2 DESC LIMIT 2`,
    )
    expect(rs.tablePivot()).toEqual(want)
    expect(rs.totalRows()).toBe((oracle('SELECT count(DISTINCT status) AS n FROM orders')[0] as { n: number }).n)
  })

  it('answers POST as well as GET (the client switches to POST for long queries)', async () => {
    const post = cube('t', { apiUrl: s.apiUrl, method: 'POST' })
    const rs = await post.load({
      measures: ['orders.count'],
      filters: [{ member: 'orders.status', operator: 'equals', values: ['refunded'] }],
    })
    expect(rs.rawData()).toEqual(oracle(`SELECT count(*) AS "orders.count" FROM orders WHERE status = 'refunded'`))
  })

  it("sends compact and columnar layouts when the client asks (load(..., 'compact'))", async () => {
    const query: Query = {
      measures: ['orders.count'],
      dimensions: ['orders.status'],
      order: { 'orders.status': 'asc' },
    }
    const want = oracle(
      `SELECT status AS "orders.status", count(*) AS "orders.count" FROM orders GROUP BY status ORDER BY status`,
    )
    for (const format of ['compact', 'columnar'] as const) {
      const rs = await new Promise<import('@cubejs-client/core').ResultSet>((resolve, reject) => {
        api.load(query, {}, (error, result) => (error || !result ? reject(error) : resolve(result)), format)
      })
      expect(rs.tablePivot()).toEqual(want)
    }
    const raw = await fetch(
      `${s.apiUrl}/load?query=${encodeURIComponent(JSON.stringify({ ...query, responseFormat: 'compact' }))}`,
    )
    expect(((await raw.json()) as { data: unknown }).data).toEqual({
      members: ['orders.status', 'orders.count'],
      dataset: want.map((r) => [r['orders.status'], r['orders.count']]),
    })
  })

  it('answers /v1/subscribe like /v1/load (the HTTP client polls it)', async () => {
    const path = `?query=${encodeURIComponent(JSON.stringify({ measures: ['orders.count'] }))}`
    const [load, subscribe] = await Promise.all([
      fetch(`${s.apiUrl}/load${path}`),
      fetch(`${s.apiUrl}/subscribe${path}`),
    ])
    expect(((await subscribe.json()) as { data: unknown }).data).toEqual(
      ((await load.json()) as { data: unknown }).data,
    )
  })

  it('blends an array of queries on their common granularity (time.month)', async () => {
    const range: [string, string] = ['2024-01-01', '2024-06-30']
    const rs = await api.load([
      {
        measures: ['orders.count'],
        timeDimensions: [{ dimension: 'orders.created_at', granularity: 'month', dateRange: range }],
      },
      {
        measures: ['customers.count'],
        timeDimensions: [{ dimension: 'customers.created_at', granularity: 'month', dateRange: range }],
      },
    ])
    const per = (table: string): Map<string, number> =>
      new Map(
        oracle(
          `SELECT strftime('%Y-%m-01T00:00:00.000', created_at) AS m, count(*) AS n FROM ${table} WHERE created_at >= '2024-01-01' AND created_at < '2024-07-01' GROUP BY m`,
        ).map((r) => [r.m as string, r.n as number]),
      )
    const orders = per('orders')
    const customers = per('customers')
    expect(rs.chartPivot()).toEqual(
      months2024H1.map((m) => ({
        x: m,
        xValues: [m],
        'orders.count': orders.get(m) ?? 0,
        'customers.count': customers.get(m) ?? 0,
      })),
    )
    expect(rs.pivotQuery()).toMatchObject({
      queryType: 'blendingQuery',
      timeDimensions: [{ dimension: 'time', granularity: 'month' }],
    })
  })

  it("refuses blending without one common granularity, and multi-query answers to clients that can't read them", async () => {
    const td = (dimension: string, granularity: string): NonNullable<Query['timeDimensions']> => [
      { dimension, granularity, dateRange: ['2024-01-01', '2024-03-31'] },
    ]
    const mixed = await api
      .load([
        { measures: ['orders.count'], timeDimensions: td('orders.created_at', 'month') },
        { measures: ['customers.count'], timeDimensions: td('customers.created_at', 'day') },
      ])
      .catch((e: unknown) => e)
    expect(mixed).toMatchObject({ status: 400, message: 'Data blending query granularities must match' })
    const legacy = await fetch(
      `${s.apiUrl}/load?query=${encodeURIComponent(JSON.stringify([{ measures: ['orders.count'], timeDimensions: td('orders.created_at', 'month') }]))}`,
    )
    expect(legacy.status).toBe(400)
    expect(await legacy.json()).toMatchObject({
      type: 'UserError',
      error: expect.stringMatching(/^'blendingQuery' query type is not supported by the client/),
    })
  })

  it('compares date ranges (compareDateRange) and labels each result with its range', async () => {
    const rs = await api.load({
      measures: ['orders.count'],
      timeDimensions: [
        {
          dimension: 'orders.created_at',
          granularity: 'quarter',
          compareDateRange: [
            ['2024-01-01', '2024-06-30'],
            ['2023-01-01', '2023-06-30'],
          ],
        },
      ],
    } as Query)
    const [first, second] = rs.decompose()
    const count = (from: string, to: string): number[] =>
      oracle(
        `SELECT count(*) AS n FROM orders o WHERE o.created_at >= ? AND o.created_at < ? GROUP BY ${QUARTER} ORDER BY ${QUARTER}`,
        from,
        to,
      ).map((r) => r.n as number)
    expect(first!.rawData().map((r) => r['orders.count'])).toEqual(count('2024-01-01', '2024-07-01'))
    expect(second!.rawData().map((r) => r['orders.count'])).toEqual(count('2023-01-01', '2023-07-01'))
    expect(first!.rawData()[0]!.compareDateRange).toBe('2024-01-01T00:00:00.000 - 2024-06-30T23:59:59.999')
    const keys = Object.keys(rs.chartPivot()[0]!).filter((k) => k.endsWith('orders.count'))
    expect(keys).toEqual([
      '2024-01-01T00:00:00.000 - 2024-06-30T23:59:59.999,orders.count',
      '2023-01-01T00:00:00.000 - 2023-06-30T23:59:59.999,orders.count',
    ])
  })
})

describe('sql, meta, dryRun', () => {
  it('sql() returns the SQL text and the bound parameters that load would run', async () => {
    const query: Query = {
      measures: ['orders.count'],
      filters: [{ member: 'orders.status', operator: 'equals', values: ['paid'] }],
    }
    const sql = await api.sql(query)
    const direct = await s.layer.sql(query as Record<string, unknown>)
    expect(sql.sql()).toBe(direct.sql)
    expect(sql.rawQuery().sql).toEqual([direct.sql, [...direct.params]])
    expect(sql.rawQuery().sql[1]).toContain('paid')
    // The statement really counts paid orders (checked against the oracle, not the library).
    expect(s.db.prepare(sql.sql()).all(...sql.rawQuery().sql[1])).toEqual([
      { orders__count: (oracle(`SELECT count(*) AS n FROM orders WHERE status = 'paid'`)[0] as { n: number }).n },
    ])
  })

  it('meta() lists cubes and views with their members', async () => {
    const meta = await api.meta()
    expect(meta.cubes.map((c) => c.name).sort()).toEqual([
      'customer_overview',
      'customers',
      'order_items',
      'orders',
      'products',
      'sales',
    ])
    expect(meta.resolveMember('orders.total_amount', 'measures')).toMatchObject({ title: 'Orders Total amount' })
    expect(meta.membersForQuery(null, 'dimensions').map((m) => m.name)).toContain('customers.tier')
    expect(meta.cubes.some((c) => c.measures.some((m) => m.name === 'orders.customer_id'))).toBe(false)
  })

  it('dryRun() normalizes without running: query type, order, pivot query', async () => {
    const before = s.handler.metrics().queries.count
    const dry = await api.dryRun({
      measures: ['orders.count'],
      dimensions: ['orders.status'],
      timeDimensions: [
        { dimension: 'orders.created_at', granularity: 'week', dateRange: ['2024-01-01', '2024-01-31'] },
      ],
    })
    expect(dry.queryType).toBe('regularQuery')
    expect(dry.normalizedQueries[0]).toMatchObject({
      measures: ['orders.count'],
      timeDimensions: [
        {
          dimension: 'orders.created_at',
          granularity: 'week',
          dateRange: ['2024-01-01T00:00:00.000', '2024-01-31T23:59:59.999'],
        },
      ],
      order: [{ id: 'orders.created_at.week', desc: false }],
      timezone: 'UTC',
    })
    expect(dry.queryOrder).toEqual([{ 'orders.created_at.week': 'asc' }])
    expect(dry.pivotQuery).toMatchObject({ queryType: 'regularQuery', dimensions: ['orders.status'] })
    expect(s.handler.metrics().queries.count).toBe(before)
  })

  it("rejects a bad query with RequestError 400 and Cube's UserError body", async () => {
    const error = await api.load({ measures: ['orders.nope'] }).catch((e: unknown) => e)
    expect(error).toMatchObject({ status: 400, response: { type: 'UserError' } })
    expect((error as { message: string }).message).toMatch(/"orders" has no member "nope"/)
    expect((error as { response: { issues: unknown[] } }).response.issues[0]).toMatchObject({ path: ['measures', 0] })
  })
})
