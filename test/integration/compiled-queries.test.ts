/**
 * The compiled-query cache (createSemanticLayer({ compiledQueries })): a repeated query skips
 * compilation, yet nothing that depends on the call is ever reused — the security context, the tenant's
 * model, hooks, and relative date ranges under a moving clock. Expected rows come from hand-written SQL.
 */
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createSemanticLayer, isSemanticLayerError, parseModel } from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'

const MODEL = `
cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: country, sql: country, type: string }
      - { name: created_at, sql: created_at, type: time }
    measures:
      - { name: count, type: count }
      - { name: total_amount, sql: amount, type: sum }
    access_policy:
      - group: manager
        row_level:
          filters: [{ member: country, operator: equals, values: ['{ securityContext.country }'] }]
      - group: admin
`

let db: Database.Database

beforeAll(() => {
  db = new Database(':memory:')
  db.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY, country TEXT, amount REAL, created_at TEXT)')
  const insert = db.prepare('INSERT INTO orders VALUES (?, ?, ?, ?)')
  const countries = ['DE', 'FR', 'US']
  for (let i = 1; i <= 60; i++)
    insert.run(i, countries[i % 3], i * 1.5, `2024-06-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00.000`)
})
afterAll(() => db.close())

const oracle = (sql: string, ...params: unknown[]): number =>
  Number((db.prepare(sql).get(...params) as { n: number }).n)
const QUERY = { measures: ['orders.count', 'orders.total_amount'] }

describe('compiled-query cache', () => {
  test('a repeated query skips compilation: contextToGroups is not consulted again for an equal context', async () => {
    let groupCalls = 0
    const layer = createSemanticLayer({
      model: parseModel([{ content: MODEL }]),
      connectors: { default: sqlite({ database: db }) },
      cache: false,
      contextToGroups: (ctx) => {
        groupCalls++
        return ctx?.groups as string[]
      },
    })
    const ctx = { groups: ['manager'], country: 'DE' }
    const first = await layer.query(QUERY, { securityContext: ctx })
    const callsAfterFirst = groupCalls
    const second = await layer.query(QUERY, { securityContext: { country: 'DE', groups: ['manager'] } }) // equal, other key order
    expect(callsAfterFirst).toBeGreaterThan(0)
    expect(groupCalls).toBe(callsAfterFirst)
    expect(second.data).toEqual(first.data)
    expect(second.data[0]!['orders.count']).toBe(oracle("SELECT count(*) AS n FROM orders WHERE country = 'DE'"))
    // Shared between calls, so frozen: a caller changing them cannot change the next call's statement or answer.
    for (const shared of [second.annotation, second.query, second.sql, second.sql.params])
      expect(Object.isFrozen(shared)).toBe(true)
    expect(() => (second.sql.params as unknown[]).push('x')).toThrow(TypeError)
    await layer.close()
  })

  test('never reuses a compilation across security contexts: each context gets its own rows', async () => {
    const layer = createSemanticLayer({
      model: parseModel([{ content: MODEL }]),
      connectors: { default: sqlite({ database: db }) },
      cache: false,
    })
    for (const country of ['DE', 'FR', 'US', 'DE']) {
      const { data } = await layer.query(QUERY, { securityContext: { groups: ['manager'], country } })
      expect(data[0]!['orders.count']).toBe(oracle('SELECT count(*) AS n FROM orders WHERE country = ?', country))
      expect(data[0]!['orders.total_amount']).toBeCloseTo(
        oracle('SELECT sum(amount) AS n FROM orders WHERE country = ?', country),
        9,
      )
    }
    const all = await layer.query(QUERY, { securityContext: { groups: ['admin'] } })
    expect(all.data[0]!['orders.count']).toBe(oracle('SELECT count(*) AS n FROM orders'))
    await expect(layer.query(QUERY, { securityContext: { groups: ['manager'] } })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    })
    await layer.close()
  })

  test('relative date ranges follow the clock: a query reading it is compiled again on every call', async () => {
    let nowMs = Date.UTC(2024, 5, 10, 12)
    const layer = createSemanticLayer({
      model: parseModel([{ content: MODEL }]),
      connectors: { default: sqlite({ database: db }) },
      cache: false,
      now: () => new Date(nowMs),
    })
    const ctx = { groups: ['admin'] }
    const query = {
      measures: ['orders.count'],
      timeDimensions: [{ dimension: 'orders.created_at', dateRange: 'today' }],
    }
    const day = (d: string): number =>
      oracle("SELECT count(*) AS n FROM orders WHERE created_at >= ? AND created_at < date(?, '+1 day')", d, d)
    expect((await layer.query(query, { securityContext: ctx })).data[0]!['orders.count']).toBe(day('2024-06-10'))
    nowMs = Date.UTC(2024, 5, 11, 12)
    const next = await layer.query(query, { securityContext: ctx })
    expect(next.data[0]!['orders.count']).toBe(day('2024-06-11'))
    expect(next.query.timeDimensions).toEqual([
      { dimension: 'orders.created_at', dateRange: ['2024-06-11T00:00:00.000', '2024-06-11T23:59:59.999'] },
    ])
    await layer.close()
  })

  test('hooks run on every call: a later denial or a different rewrite takes effect at once', async () => {
    let allow = true
    let country = 'DE'
    const layer = createSemanticLayer({
      model: parseModel([{ content: MODEL }]),
      connectors: { default: sqlite({ database: db }) },
      cache: false,
      queryRewrite: (query) => ({
        ...query,
        filters: [{ member: 'orders.country', operator: 'equals', values: [country] }],
      }),
      authorize: () => allow,
    })
    const ctx = { groups: ['admin'] }
    const amount = async (): Promise<unknown> =>
      (await layer.query(QUERY, { securityContext: ctx })).data[0]!['orders.total_amount']
    expect(await amount()).toBeCloseTo(oracle("SELECT sum(amount) AS n FROM orders WHERE country = 'DE'"), 9)
    country = 'US'
    expect(await amount()).toBeCloseTo(oracle("SELECT sum(amount) AS n FROM orders WHERE country = 'US'"), 9)
    allow = false
    const denied = await layer.query(QUERY, { securityContext: ctx }).catch((e: unknown) => e)
    expect(isSemanticLayerError(denied) && denied.code).toBe('FORBIDDEN')
    await layer.close()
  })

  test('per-tenant models: a compilation is only reused for the tenant and model instance it was made for', async () => {
    // Each tenant's model reads one country's rows; when a tenant's model is built again (after eviction)
    // it may differ, as a reloaded model would: the old compilation must not be used with it.
    const countryOf: Record<string, string> = { a: 'DE', b: 'FR' }
    const modelFor = (country: string) =>
      parseModel([
        { content: MODEL.replace('sql_table: orders', `sql: "SELECT * FROM orders WHERE country = '${country}'"`) },
      ])
    let builds = 0
    const layer = createSemanticLayer({
      model: ({ tenant }) => {
        builds++
        return modelFor(countryOf[tenant]!)
      },
      connectors: { default: sqlite({ database: db }) },
      contextToTenant: (ctx) => ctx?.tenant as string | undefined,
      maxTenants: 1, // every switch evicts the other tenant: its model is built (a new instance) again
      cache: false,
    })
    const expectRows = async (tenant: string): Promise<void> => {
      const { data } = await layer.query(QUERY, { securityContext: { tenant, groups: ['admin'] } })
      // Every country has as many orders, so the amounts tell them apart.
      expect(data[0]!['orders.total_amount']).toBeCloseTo(
        oracle('SELECT sum(amount) AS n FROM orders WHERE country = ?', countryOf[tenant]),
        9,
      )
    }
    await expectRows('a')
    await expectRows('b')
    countryOf.a = 'US' // tenant a's model changes; it is rebuilt on its next call
    await expectRows('a')
    await expectRows('b')
    expect(builds).toBe(4)
    await layer.close()
  })

  test('compiledQueries: 0 and false turn it off; anything else but a non-negative integer is refused', async () => {
    for (const compiledQueries of [0, false] as const) {
      let groupCalls = 0
      const layer = createSemanticLayer({
        model: parseModel([{ content: MODEL }]),
        connectors: { default: sqlite({ database: db }) },
        cache: false,
        compiledQueries,
        contextToGroups: (ctx) => {
          groupCalls++
          return ctx?.groups as string[]
        },
      })
      await layer.query(QUERY, { securityContext: { groups: ['admin'] } })
      const once = groupCalls
      await layer.query(QUERY, { securityContext: { groups: ['admin'] } })
      expect(groupCalls).toBe(2 * once)
      await layer.close()
    }
    for (const compiledQueries of [-1, 1.5, Number.NaN, '10']) {
      const error = (() => {
        try {
          createSemanticLayer({
            model: parseModel([{ content: MODEL }]),
            connectors: {},
            compiledQueries: compiledQueries as number,
          })
        } catch (e) {
          return e
        }
      })()
      expect(isSemanticLayerError(error) && error.code).toBe('CONFIG_INVALID')
      expect(isSemanticLayerError(error) && error.issues[0]!.path).toEqual(['compiledQueries'])
    }
  })
})
