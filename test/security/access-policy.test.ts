/**
 * Access policies, built from the examples in Cube's access-policy documentation (member level, row
 * level, conditions, group unions, the layered "viewer + regional" pattern). Expected rows come from
 * hand-written SQL over the same SQLite data.
 */
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  createSemanticLayer,
  isSemanticLayerError,
  parseModel,
  type AuditEvent,
  type SemanticLayer,
} from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'

const MODEL = `
cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: country, sql: country, type: string }
      - { name: status, sql: status, type: string }
      - { name: cost, sql: cost, type: number }
    measures:
      - { name: count, type: count }
      - { name: total_amount, sql: amount, type: sum }
    access_policy:
      # Cube docs: "For the manager group, allow access to all members but filter rows by the user's country"
      - group: manager
        member_level: { includes: '*' }
        row_level:
          filters: [{ member: country, operator: equals, values: ['{ securityContext.country }'] }]
      # Cube docs (member level): marketing sees counts by status only
      - group: marketing
        member_level: { includes: [count, status] }
      # Cube docs (conditions): a permissive policy that only applies to EMEA-based users
      - group: analyst
        conditions: [{ if: '{ securityContext.is_EMEA_based }' }]
        member_level: { excludes: [cost] }
      # allow_all: false with no filters → no rows
      - group: auditor
        row_level: { allow_all: false }
  # Cube's recommended pattern: a private cube without policies, policies on the view.
  - name: orders_base
    sql_table: orders
    public: false
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: country, sql: country, type: string }
      - { name: status, sql: status, type: string }
    measures:
      - { name: count, type: count }
      - { name: total_amount, sql: amount, type: sum }
views:
  - name: orders_view
    cubes:
      - { join_path: orders_base, includes: [country, status, count, total_amount] }
    access_policy:
      # Cube recipe "layered access policies": the base group grants members but no rows of its own
      - group: viewer
        member_level: { includes: '*' }
        row_level:
          filters: [{ member: country, operator: equals, values: ['__NONE__'] }]
      - group: viewer_north_america
        row_level:
          filters: [{ member: country, operator: equals, values: [US, CA, MX] }]
      - group: viewer_europe
        row_level:
          filters: [{ member: country, operator: equals, values: [DE, FR, GB] }]
`

let db: Database.Database
let layer: SemanticLayer
const events: AuditEvent[] = []

beforeAll(() => {
  db = new Database(':memory:')
  db.exec(`CREATE TABLE orders (id INTEGER PRIMARY KEY, country TEXT, status TEXT, amount REAL, cost REAL);`)
  const countries = ['US', 'CA', 'MX', 'DE', 'FR', 'GB', 'JP']
  const statuses = ['paid', 'shipped', 'cancelled']
  const insert = db.prepare('INSERT INTO orders VALUES (?, ?, ?, ?, ?)')
  for (let i = 1; i <= 70; i++) insert.run(i, countries[i % 7], statuses[i % 3], i * 10, i * 3)
  layer = createSemanticLayer({
    model: parseModel([{ content: MODEL }]),
    connectors: { default: sqlite({ database: db }) },
    onAudit: (e) => events.push(e),
  })
})
afterAll(async () => {
  await layer.close()
  db.close()
})

type Row = Record<string, unknown>
const sql = (text: string, ...params: unknown[]) => db.prepare(text).all(...params) as Row[]
const sorted = (rows: readonly Row[]) => [...rows].map((r) => JSON.stringify(r)).sort()

async function denied(
  promise: Promise<unknown>,
): Promise<{ code: string; issue: string | undefined; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(isSemanticLayerError(error)).toBe(true)
  if (!isSemanticLayerError(error)) throw new Error('unreachable')
  return { code: error.code, issue: error.issues[0]?.code, message: error.message }
}

describe('row level', () => {
  test('a manager sees only rows of their own country', async () => {
    const { data } = await layer.query(
      { measures: ['orders.count', 'orders.total_amount'], dimensions: ['orders.status'] },
      { securityContext: { groups: ['manager'], country: 'DE' } },
    )
    const expected = sql(
      `SELECT status AS "orders.status", count(*) AS "orders.count", sum(amount) AS "orders.total_amount" FROM orders WHERE country = 'DE' GROUP BY status`,
    )
    expect(sorted(data)).toEqual(sorted(expected))
  })

  test('a manager without a country in the context is refused, never answered with all rows', async () => {
    const e = await denied(layer.query({ measures: ['orders.count'] }, { securityContext: { groups: ['manager'] } }))
    expect(e).toMatchObject({ code: 'UNAUTHORIZED', issue: 'SECURITY_CONTEXT_INCOMPLETE' })
  })

  test('a list in the security context filters by any of its values (Cube issue #9248)', async () => {
    const { data } = await layer.query(
      { measures: ['orders.count'] },
      { securityContext: { groups: ['manager'], country: ['US', 'JP'] } },
    )
    expect(data).toEqual(sql(`SELECT count(*) AS "orders.count" FROM orders WHERE country IN ('US', 'JP')`))
  })

  test('allow_all: false gives no rows', async () => {
    const { data } = await layer.query(
      { measures: ['orders.count'], dimensions: ['orders.country'] },
      { securityContext: { groups: ['auditor'] } },
    )
    expect(data).toEqual([])
  })

  test('the layered pattern: base group alone sees no rows; base + regional sees the region; two regions see both', async () => {
    const q = { measures: ['orders_view.count'], dimensions: ['orders_view.country'] }
    const base = await layer.query(q, { securityContext: { groups: ['viewer'] } })
    expect(base.data).toEqual([])
    const na = await layer.query(q, { securityContext: { groups: ['viewer', 'viewer_north_america'] } })
    expect(sorted(na.data)).toEqual(
      sorted(
        sql(
          `SELECT country AS "orders_view.country", count(*) AS "orders_view.count" FROM orders WHERE country IN ('US','CA','MX') GROUP BY country`,
        ),
      ),
    )
    const both = await layer.query(q, {
      securityContext: { groups: ['viewer', 'viewer_north_america', 'viewer_europe'] },
    })
    expect(sorted(both.data)).toEqual(
      sorted(
        sql(
          `SELECT country AS "orders_view.country", count(*) AS "orders_view.count" FROM orders WHERE country IN ('US','CA','MX','DE','FR','GB') GROUP BY country`,
        ),
      ),
    )
  })

  test('the policy filter is in the SQL as bound parameters, and a filter the caller adds cannot widen it', async () => {
    const result = await layer.query(
      {
        measures: ['orders.count'],
        filters: [
          {
            or: [
              { member: 'orders.country', operator: 'equals', values: ['US'] },
              { member: 'orders.country', operator: 'set' },
            ],
          },
        ],
      },
      { securityContext: { groups: ['manager'], country: 'FR' } },
    )
    expect(result.data).toEqual(sql(`SELECT count(*) AS "orders.count" FROM orders WHERE country = 'FR'`))
    expect(result.sql.params).toContain('FR')
    expect(result.sql.sql).not.toContain("'FR'")
  })
})

describe('member level', () => {
  test('marketing may query count by status', async () => {
    const { data } = await layer.query(
      { measures: ['orders.count'], dimensions: ['orders.status'] },
      { securityContext: { groups: ['marketing'] } },
    )
    expect(sorted(data)).toEqual(
      sorted(sql(`SELECT status AS "orders.status", count(*) AS "orders.count" FROM orders GROUP BY status`)),
    )
  })

  test('marketing may not query total_amount, nor filter on country', async () => {
    expect(
      await denied(layer.query({ measures: ['orders.total_amount'] }, { securityContext: { groups: ['marketing'] } })),
    ).toMatchObject({ code: 'FORBIDDEN_MEMBER' })
    expect(
      await denied(
        layer.query(
          { measures: ['orders.count'], filters: [{ member: 'orders.country', operator: 'equals', values: ['US'] }] },
          { securityContext: { groups: ['marketing'] } },
        ),
      ),
    ).toMatchObject({ code: 'FORBIDDEN_MEMBER' })
  })

  test('group union: marketing + manager gets the union of members (manager grants all)', async () => {
    const { data } = await layer.query(
      { measures: ['orders.total_amount'] },
      { securityContext: { groups: ['marketing', 'manager'], country: 'US' } },
    )
    // Rows: marketing's policy has no row_level (all rows) and is OR-ed with manager's country filter.
    expect(data).toEqual(sql(`SELECT sum(amount) AS "orders.total_amount" FROM orders`))
  })

  test('conditions: an analyst outside EMEA gets no policy at all; inside EMEA everything but cost', async () => {
    expect(
      await denied(
        layer.query({ measures: ['orders.count'] }, { securityContext: { groups: ['analyst'], is_EMEA_based: false } }),
      ),
    ).toMatchObject({ code: 'FORBIDDEN', issue: 'NO_POLICY_APPLIES' })
    const { data } = await layer.query(
      { measures: ['orders.total_amount'] },
      { securityContext: { groups: ['analyst'], is_EMEA_based: true } },
    )
    expect(data).toEqual(sql(`SELECT sum(amount) AS "orders.total_amount" FROM orders`))
    expect(
      await denied(
        layer.query({ dimensions: ['orders.cost'] }, { securityContext: { groups: ['analyst'], is_EMEA_based: true } }),
      ),
    ).toMatchObject({ code: 'FORBIDDEN_MEMBER' })
  })

  test('unmatched groups are denied; no security context is UNAUTHORIZED', async () => {
    expect(
      await denied(layer.query({ measures: ['orders.count'] }, { securityContext: { groups: ['intern'] } })),
    ).toMatchObject({ code: 'FORBIDDEN' })
    expect(await denied(layer.query({ measures: ['orders.count'] }))).toMatchObject({
      code: 'UNAUTHORIZED',
      issue: 'SECURITY_CONTEXT_REQUIRED',
    })
  })

  test('meta lists only what the caller may see', async () => {
    const meta = await layer.meta({ securityContext: { groups: ['marketing'] } })
    const orders = meta.cubes.find((c) => c.name === 'orders')
    expect(orders?.measures.map((m) => m.name)).toEqual(['orders.count'])
    expect(orders?.dimensions.map((d) => d.name)).toEqual(['orders.status'])
    expect(meta.cubes.find((c) => c.name === 'orders_view')).toBeUndefined()
    expect(meta.cubes.find((c) => c.name === 'orders_base')).toBeUndefined()
    const nobody = await layer.meta()
    expect(nobody.cubes).toEqual([])
  })
})

describe('hooks and audit', () => {
  test('queryRewrite sees the model, can narrow, and throwing denies with FORBIDDEN', async () => {
    const model = parseModel([{ content: MODEL }])
    const seen: string[] = []
    const hooked = createSemanticLayer({
      model,
      connectors: { default: sqlite({ database: db }) },
      queryRewrite: (query, { model: compiled, securityContext }) => {
        seen.push(Object.keys(compiled.cubes).join(','))
        if (securityContext?.blocked) throw new Error('blocked user')
        return {
          ...query,
          filters: [...(query.filters ?? []), { member: 'orders.status', operator: 'equals', values: ['paid'] }],
        }
      },
    })
    const { data } = await hooked.query(
      { measures: ['orders.count'] },
      { securityContext: { groups: ['manager'], country: 'US' } },
    )
    expect(data).toEqual(sql(`SELECT count(*) AS "orders.count" FROM orders WHERE country = 'US' AND status = 'paid'`))
    expect(seen).toEqual(['orders,orders_base'])
    expect(
      await denied(
        hooked.query(
          { measures: ['orders.count'] },
          { securityContext: { groups: ['manager'], country: 'US', blocked: true } },
        ),
      ),
    ).toMatchObject({ code: 'FORBIDDEN', issue: 'QUERY_REWRITE_DENIED' })
  })

  test('a rewrite that adds a forbidden member is refused', async () => {
    const hooked = createSemanticLayer({
      model: parseModel([{ content: MODEL }]),
      connectors: { default: sqlite({ database: db }) },
      queryRewrite: (q) => ({ ...q, measures: ['orders.total_amount'] }),
    })
    expect(
      await denied(hooked.query({ measures: ['orders.count'] }, { securityContext: { groups: ['marketing'] } })),
    ).toMatchObject({ code: 'FORBIDDEN_MEMBER' })
  })

  test('authorize can deny, and can add row filters', async () => {
    const hooked = createSemanticLayer({
      model: parseModel([{ content: MODEL }]),
      connectors: { default: sqlite({ database: db }) },
      authorize: ({ securityContext }) =>
        securityContext?.suspended
          ? { allow: false }
          : { allow: true, filters: [{ member: 'orders.status', operator: 'notEquals', values: ['cancelled'] }] },
    })
    const { data } = await hooked.query({ measures: ['orders.count'] }, { securityContext: { groups: ['marketing'] } })
    expect(data).toEqual(sql(`SELECT count(*) AS "orders.count" FROM orders WHERE status <> 'cancelled'`))
    expect(
      await denied(
        hooked.query({ measures: ['orders.count'] }, { securityContext: { groups: ['marketing'], suspended: true } }),
      ),
    ).toMatchObject({ code: 'FORBIDDEN', issue: 'AUTHORIZE_DENIED' })
  })

  test('every query emits an audit event, allowed or denied, without filter values', async () => {
    events.length = 0
    await layer.query(
      {
        measures: ['orders.count'],
        filters: [{ member: 'orders.status', operator: 'equals', values: ['SECRET-STATUS'] }],
      },
      { securityContext: { groups: ['manager'], country: 'US', sub: 'user-7' } },
    )
    await layer
      .query({ measures: ['orders.total_amount'] }, { securityContext: { groups: ['marketing'], sub: 'user-8' } })
      .catch(() => undefined)
    expect(events).toHaveLength(2)
    expect(events[0]).toMatchObject({
      outcome: 'allowed',
      user: 'user-7',
      members: ['orders.count', 'orders.status'],
      filterMembers: ['orders.status'],
      rows: 1,
    })
    expect(events[0]?.sqlHash).toMatch(/^[0-9a-f]{64}$/)
    expect(events[1]).toMatchObject({ outcome: 'denied', user: 'user-8', errorCode: 'FORBIDDEN_MEMBER' })
    expect(JSON.stringify(events)).not.toContain('SECRET-STATUS')
  })
})

describe('views and the cubes behind them', () => {
  test('a view query also applies the policies of the cubes its SQL touches (fail closed)', async () => {
    const model = parseModel([
      {
        content: `
cubes:
  - name: orders
    sql_table: orders
    dimensions: [{ name: id, sql: id, type: number, primary_key: true }, { name: country, sql: country, type: string }]
    measures: [{ name: count, type: count }]
    access_policy:
      - group: '*'
        row_level: { filters: [{ member: country, operator: equals, values: ['{ securityContext.country }'] }] }
views:
  - name: v
    cubes: [{ join_path: orders, includes: '*' }]
    access_policy: [{ group: '*' }]
`,
      },
    ])
    const viewLayer = createSemanticLayer({ model, connectors: { default: sqlite({ database: db }) } })
    const { data } = await viewLayer.query({ measures: ['v.count'] }, { securityContext: { country: 'JP' } })
    expect(data).toEqual(sql(`SELECT count(*) AS "v.count" FROM orders WHERE country = 'JP'`))
    await viewLayer.close()
  })
})
