/**
 * Tenant isolation, as properties: three tenants share one dataset; random queries under random
 * contexts (and the same query for one tenant right after another) never return another tenant's rows.
 * Runs on SQLite always and on PostgreSQL when CORTEX_TEST_PG_URL is set (required under CI=true):
 * once with row-level access policies on shared tables, once with a schema per tenant through a
 * connector factory. Expected aggregates come from hand-written SQL per tenant.
 */
import Database from 'better-sqlite3'
import fc from 'fast-check'
import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  createSemanticLayer,
  parseModel,
  type Connector,
  type QueryInput,
  type SemanticLayer,
} from '../../src/index.js'
import { postgres } from '../../src/postgres.js'
import { sqlite } from '../../src/sqlite.js'

const TENANTS = ['t1', 't2', 't3'] as const
const STAGES = ['open', 'won', 'lost']
type Row = Record<string, unknown>

/** Deterministic rows; every account name carries its tenant so leaks are visible in any grouping. */
function dataset() {
  const accounts: Row[] = []
  const deals: Row[] = []
  let dealId = 1
  for (let a = 1; a <= 30; a++) {
    const tenant = TENANTS[a % 3]!
    accounts.push({
      id: a,
      tenant_id: tenant,
      name: `${tenant} account ${a}`,
      region: ['emea', 'amer', 'apac'][a % 3 === 0 ? 1 : a % 2],
    })
    for (let d = 0; d < (a % 4) + 1; d++) {
      deals.push({
        id: dealId,
        tenant_id: tenant,
        account_id: a,
        stage: STAGES[(a + d) % 3],
        amount: 100 * ((a * 7 + d * 13) % 17) + TENANTS.indexOf(tenant),
      })
      dealId++
    }
  }
  return { accounts, deals }
}

const MODEL = (policy: boolean) => `
cubes:
  - name: accounts
    sql_table: accounts
    joins: [{ name: deals, relationship: one_to_many, sql: "{CUBE}.id = {deals.account_id}" }]
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: tenant_id, sql: tenant_id, type: string }
      - { name: name, sql: name, type: string }
      - { name: region, sql: region, type: string }
    measures: [{ name: count, type: count }]
${
  policy
    ? `    access_policy:
      - group: '*'
        row_level: { filters: [{ member: tenant_id, operator: equals, values: ['{ securityContext.tenant_id }'] }] }`
    : ''
}
  - name: deals
    sql_table: deals
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: tenant_id, sql: tenant_id, type: string }
      - { name: account_id, sql: account_id, type: number }
      - { name: stage, sql: stage, type: string }
      - { name: amount, sql: amount, type: number }
    measures:
      - { name: count, type: count }
      - { name: total, sql: amount, type: sum }
${
  policy
    ? `    access_policy:
      - group: '*'
        row_level: { filters: [{ member: tenant_id, operator: equals, values: ['{ securityContext.tenant_id }'] }] }`
    : ''
}
`

const DDL = [
  'CREATE TABLE accounts (id integer PRIMARY KEY, tenant_id text NOT NULL, name text NOT NULL, region text)',
  'CREATE TABLE deals (id integer PRIMARY KEY, tenant_id text NOT NULL, account_id integer NOT NULL, stage text NOT NULL, amount integer NOT NULL)',
]

const query = fc.record({
  measures: fc.subarray(['deals.count', 'deals.total', 'accounts.count'], { minLength: 1 }),
  dimensions: fc.subarray(['accounts.name', 'accounts.tenant_id', 'deals.stage', 'deals.tenant_id', 'accounts.region']),
  filters: fc.subarray([
    { member: 'deals.stage', operator: 'equals', values: ['won'] },
    { member: 'deals.amount', operator: 'gt', values: ['500'] },
    { member: 'accounts.region', operator: 'notEquals', values: ['apac'] },
    {
      or: [
        { member: 'accounts.tenant_id', operator: 'equals', values: ['t1', 't2', 't3'] },
        { member: 'deals.tenant_id', operator: 'set' },
      ],
    },
  ]),
})

/** The tenant's own rows, by hand-written SQL: deals.count and deals.total per tenant. */
interface Oracle {
  totals(tenant: string): Promise<{ count: number; total: number }>
}

function checkRows(rows: readonly Row[], tenant: string): void {
  for (const row of rows) {
    for (const key of ['accounts.tenant_id', 'deals.tenant_id'])
      if (key in row && row[key] !== null) expect(row[key]).toBe(tenant)
    if (typeof row['accounts.name'] === 'string')
      expect((row['accounts.name'] as string).startsWith(`${tenant} `)).toBe(true)
  }
}

function isolationSuite(
  name: string,
  setup: () => Promise<{ layer: SemanticLayer; oracle: Oracle; close(): Promise<void> }>,
) {
  describe(name, () => {
    let layer: SemanticLayer
    let oracle: Oracle
    let close: () => Promise<void>
    beforeAll(async () => {
      ;({ layer, oracle, close } = await setup())
    })
    afterAll(async () => close?.())

    test("random queries under random tenants return only that tenant's rows", async () => {
      await fc.assert(
        fc.asyncProperty(query, fc.constantFrom(...TENANTS), fc.constantFrom(...TENANTS), async (q, first, second) => {
          // The same query for one tenant right after another (and again, to hit any cache warm).
          for (const tenant of [first, second, first]) {
            const { data } = await layer.query(q as QueryInput, { securityContext: { tenant_id: tenant } })
            checkRows(data, tenant)
          }
        }),
        { seed: 20261122, numRuns: 60 },
      )
    })

    test("aggregates equal hand-written SQL over the tenant's own rows, cold and warm", async () => {
      for (const round of [1, 2]) {
        for (const tenant of TENANTS) {
          const { data } = await layer.query(
            { measures: ['deals.count', 'deals.total'] },
            { securityContext: { tenant_id: tenant } },
          )
          const expected = await oracle.totals(tenant)
          expect({ round, tenant, count: data[0]?.['deals.count'], total: data[0]?.['deals.total'] }).toEqual({
            round,
            tenant,
            ...expected,
          })
        }
      }
    })

    test("a call without a tenant is refused, never answered with every tenant's rows", async () => {
      await expect(layer.query({ measures: ['deals.count'] })).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
      await expect(
        layer.query({ measures: ['deals.count'] }, { securityContext: { tenant_id: '../t1' } }),
      ).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    })
  })
}

// ---- SQLite: shared tables + row-level policies ----------------------------------------------------
isolationSuite('SQLite, shared tables, row-level policies', async () => {
  const db = new Database(':memory:')
  for (const ddl of DDL) db.exec(ddl)
  const { accounts, deals } = dataset()
  const insA = db.prepare('INSERT INTO accounts VALUES (@id, @tenant_id, @name, @region)')
  const insD = db.prepare('INSERT INTO deals VALUES (@id, @tenant_id, @account_id, @stage, @amount)')
  for (const a of accounts) insA.run(a)
  for (const d of deals) insD.run(d)
  const layer = createSemanticLayer({
    model: parseModel([{ content: MODEL(true) }]),
    connectors: { default: sqlite({ database: db }) },
    contextToTenant: (ctx) => ctx.tenant_id as string,
  })
  return {
    layer,
    oracle: {
      totals: async (t) =>
        db.prepare('SELECT count(*) AS count, sum(amount) AS total FROM deals WHERE tenant_id = ?').get(t) as {
          count: number
          total: number
        },
    },
    async close() {
      await layer.close()
      db.close()
    },
  }
})

// ---- PostgreSQL ---------------------------------------------------------------------------------
const PG = process.env.CORTEX_TEST_PG_URL
if (!PG && process.env.CI === 'true') {
  test('PostgreSQL tenant isolation: CORTEX_TEST_PG_URL is required when CI=true', () => {
    throw new Error('CORTEX_TEST_PG_URL is required when CI=true')
  })
}

interface PgClient {
  connect(): Promise<void>
  query(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>
  end(): Promise<void>
}
const require = createRequire(import.meta.url)

async function pgSchema(url: string, schema: string, rows: ReturnType<typeof dataset>, tenant?: string): Promise<void> {
  const { Client } = require('pg') as { Client: new (c: object) => PgClient }
  const c = new Client({ connectionString: url })
  await c.connect()
  await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  await c.query(`CREATE SCHEMA "${schema}"`)
  for (const ddl of DDL) await c.query(ddl.replace('CREATE TABLE ', `CREATE TABLE "${schema}".`))
  for (const a of rows.accounts.filter((r) => !tenant || r.tenant_id === tenant))
    await c.query(`INSERT INTO "${schema}".accounts VALUES ($1, $2, $3, $4)`, [a.id, a.tenant_id, a.name, a.region])
  for (const d of rows.deals.filter((r) => !tenant || r.tenant_id === tenant))
    await c.query(`INSERT INTO "${schema}".deals VALUES ($1, $2, $3, $4, $5)`, [
      d.id,
      d.tenant_id,
      d.account_id,
      d.stage,
      d.amount,
    ])
  await c.end()
}

async function pgTotals(url: string, sql: string, params: unknown[]): Promise<{ count: number; total: number }> {
  const { Client } = require('pg') as { Client: new (c: object) => PgClient }
  const c = new Client({ connectionString: url })
  await c.connect()
  const { rows } = await c.query(sql, params)
  await c.end()
  return { count: Number(rows[0]!.count), total: Number(rows[0]!.total) }
}

async function dropSchemas(url: string, schemas: string[]): Promise<void> {
  const { Client } = require('pg') as { Client: new (c: object) => PgClient }
  const c = new Client({ connectionString: url })
  await c.connect()
  for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`)
  await c.end()
}

if (PG) {
  isolationSuite('PostgreSQL, shared tables, row-level policies', async () => {
    const schema = `cortex_iso_${randomBytes(4).toString('hex')}`
    await pgSchema(PG, schema, dataset())
    const layer = createSemanticLayer({
      model: parseModel([{ content: MODEL(true) }]),
      connectors: {
        default: postgres({
          connection: { connectionString: PG, options: `-c search_path=${schema}` },
          pool: { max: 3 },
        }),
      },
      contextToTenant: (ctx) => ctx.tenant_id as string,
    })
    return {
      layer,
      oracle: {
        totals: (t) =>
          pgTotals(PG, `SELECT count(*) AS count, sum(amount) AS total FROM "${schema}".deals WHERE tenant_id = $1`, [
            t,
          ]),
      },
      async close() {
        await layer.close()
        await dropSchemas(PG, [schema])
      },
    }
  })

  isolationSuite('PostgreSQL, a schema per tenant through a connector factory', async () => {
    const prefix = `cortex_ten_${randomBytes(3).toString('hex')}`
    const rows = dataset()
    for (const t of TENANTS) await pgSchema(PG, `${prefix}_${t}`, rows, t)
    const opened: Connector[] = []
    const layer = createSemanticLayer({
      model: parseModel([{ content: MODEL(false) }]),
      contextToTenant: (ctx) => ctx.tenant_id as string,
      // The tenant id is validated by the layer before the factory runs; the connector quotes the schema name.
      connectors: ({ tenant }) => {
        const c = postgres({ connection: PG, searchPath: [`${prefix}_${tenant}`], pool: { max: 2 } })
        opened.push(c)
        return { default: c }
      },
    })
    return {
      layer,
      oracle: {
        totals: (t) => pgTotals(PG, `SELECT count(*) AS count, sum(amount) AS total FROM "${prefix}_${t}".deals`, []),
      },
      async close() {
        await layer.close()
        expect(opened.length).toBe(TENANTS.length)
        await dropSchemas(
          PG,
          TENANTS.map((t) => `${prefix}_${t}`),
        )
      },
    }
  })
}
