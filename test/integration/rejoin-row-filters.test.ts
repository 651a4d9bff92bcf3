/**
 * Row filters on every read of a cube's table (issue 16.3). Accounts and deals are keyed by
 * (tenant_id, id) in the database while the model declares `primary_key: id`, as a model over
 * per-tenant ids does. A fan-out query (acc.budget with deal.count) aggregates acc over its distinct keys
 * and joins the acc table back on `id`: that join read the other tenant's account with the same id
 * (t1's budget of 30 came back as 3 000 030). Every number here equals hand-written SQL over the asking
 * tenant's rows, on SQLite always and on PostgreSQL and MySQL/MariaDB when their URLs are set
 * (required under CI=true): row policies, the same filters from an `authorize` hook, the pre-aggregated
 * branch, `total` and `stream()`.
 */
import Database from 'better-sqlite3'
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createSemanticLayer, parseModel, type Connector, type SemanticLayer } from '../../src/index.js'
import { mysql } from '../../src/mysql.js'
import { postgres } from '../../src/postgres.js'
import { sqlite } from '../../src/sqlite.js'

type Row = Record<string, unknown>

const ACCOUNTS = [
  ['t1', 1, 10],
  ['t1', 2, 20],
  ['t2', 1, 1_000_000],
  ['t2', 2, 2_000_000],
  ['t2', 3, 3_000_000],
] as const
/** tenant, id, account id, stage: every account has deals, ids repeat across tenants. */
const DEALS = [
  ['t1', 1, 1, 'won'],
  ['t1', 2, 1, 'open'],
  ['t1', 3, 2, 'won'],
  ['t2', 1, 1, 'won'],
  ['t2', 2, 1, 'won'],
  ['t2', 3, 2, 'lost'],
  ['t2', 4, 3, 'open'],
] as const

const DDL = [
  `CREATE TABLE acc (tenant_id VARCHAR(10) NOT NULL, id INT NOT NULL, budget BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id))`,
  `CREATE TABLE deal (tenant_id VARCHAR(10) NOT NULL, id INT NOT NULL, acc_id INT NOT NULL, stage VARCHAR(10) NOT NULL,
    PRIMARY KEY (tenant_id, id))`,
]

const TENANT_POLICY = `
    access_policy:
      - group: '*'
        row_level: { filters: [{ member: tenant_id, operator: equals, values: ['{ securityContext.tenant }'] }] }`

/** Tenant row policies on acc and/or deal; without one on deal, deals follow the join and can be folded. */
function model({ accPolicy, dealPolicy }: { accPolicy: boolean; dealPolicy: boolean }): string {
  return `
cubes:
  - name: acc
    sql_table: acc
    joins:
      - name: deal
        relationship: one_to_many
        sql: "{CUBE}.tenant_id = {deal}.tenant_id AND {CUBE}.id = {deal}.acc_id"
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true, public: true }
      - { name: tenant_id, sql: tenant_id, type: string }
    measures:
      - { name: budget, sql: budget, type: sum }
      - { name: count, type: count }${accPolicy ? TENANT_POLICY : ''}
  - name: deal
    sql_table: deal
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true, public: true }
      - { name: tenant_id, sql: tenant_id, type: string }
      - { name: stage, sql: stage, type: string }
    measures:
      - { name: count, type: count }${dealPolicy ? TENANT_POLICY : ''}
`
}

/** Hand-written SQL per tenant (`?` placeholders; numbered for PostgreSQL). */
const ORACLE = {
  totals: `SELECT (SELECT sum(budget) FROM acc WHERE tenant_id = ?) AS budget,
    (SELECT count(*) FROM deal WHERE tenant_id = ?) AS deals`,
  byStage: `SELECT k.stage AS stage, sum(k.budget) AS budget,
      (SELECT count(*) FROM deal d2 WHERE d2.tenant_id = ? AND d2.stage = k.stage) AS deals
    FROM (SELECT DISTINCT d.stage, a.id, a.budget FROM acc a
      JOIN deal d ON d.tenant_id = a.tenant_id AND d.acc_id = a.id WHERE a.tenant_id = ?) k
    GROUP BY k.stage`,
}

interface Engine {
  readonly connector: Connector
  oracle(sql: string, params: unknown[]): Promise<Row[]>
  close(): Promise<void>
}

const num = (v: unknown): number => Number(v)

function suite(name: string, open: () => Promise<Engine>): void {
  describe(name, () => {
    let engine: Engine
    const layers: SemanticLayer[] = []
    const layer = (options: { accPolicy: boolean; dealPolicy: boolean; hook?: boolean }): SemanticLayer => {
      const l = createSemanticLayer({
        model: parseModel([{ content: model(options) }]),
        connectors: { default: engine.connector },
        cache: false,
        ...(options.hook
          ? {
              authorize: ({ securityContext }) => ({
                allow: true as const,
                filters: ['acc.tenant_id', 'deal.tenant_id'].map((member) => ({
                  member,
                  operator: 'equals' as const,
                  values: [String(securityContext?.tenant)],
                })),
              }),
            }
          : {}),
      })
      layers.push(l)
      return l
    }
    beforeAll(async () => {
      engine = await open()
    })
    afterAll(async () => {
      for (const l of layers) await l.close()
      await engine?.close()
    })

    const totals = async (tenant: string) => {
      const [row] = await engine.oracle(ORACLE.totals, [tenant, tenant])
      return { budget: num(row!.budget), deals: num(row!.deals) }
    }
    const byStage = async (tenant: string) =>
      (await engine.oracle(ORACLE.byStage, [tenant, tenant]))
        .map((r) => ({ 'deal.stage': r.stage, 'acc.budget': num(r.budget), 'deal.count': num(r.deals) }))
        .sort((a, b) => String(a['deal.stage']).localeCompare(String(b['deal.stage'])))
    const stage = (r: Row): string => String(r['deal.stage'])
    const sorted = (rows: Row[]) => [...rows].sort((a, b) => stage(a).localeCompare(stage(b)))
    const as = (tenant: string) => ({ securityContext: { tenant } })
    const BY_STAGE = { measures: ['acc.budget', 'deal.count'], dimensions: ['deal.stage'] }

    test.each(['t1', 't2'])('row policies, keys subquery joined back on id: %s gets its own', async (tenant) => {
      const l = layer({ accPolicy: true, dealPolicy: true })
      const expected = await totals(tenant)
      expect(expected.budget).toBe(tenant === 't1' ? 30 : 6_000_000) // the oracle itself
      const alone = await l.query({ measures: ['acc.budget'] }, { securityContext: { tenant } })
      expect(alone.data).toEqual([{ 'acc.budget': expected.budget }])
      const fanned = await l.query({ measures: ['acc.budget', 'deal.count'] }, { securityContext: { tenant } })
      expect(fanned.sql.sql).toContain('cortex_keys')
      expect(fanned.data).toEqual([{ 'acc.budget': expected.budget, 'deal.count': expected.deals }])
    })

    test("row policies, by deal stage, with total: every row and the total from the tenant's own rows", async () => {
      const l = layer({ accPolicy: true, dealPolicy: true })
      const expected = await byStage('t1')
      const result = await l.query({ ...BY_STAGE, total: true }, as('t1'))
      expect(sorted(result.data)).toEqual(expected)
      expect(result.total).toBe(expected.length)
    })

    test('row policies through stream(): the same rows as hand-written SQL', async () => {
      const l = layer({ accPolicy: true, dealPolicy: true })
      const rows: Row[] = []
      for await (const row of l.stream(BY_STAGE, as('t1'))) rows.push(row)
      expect(sorted(rows)).toEqual(await byStage('t1'))
    })

    test('the same tenant filters from an authorize hook instead of policies', async () => {
      const l = layer({ accPolicy: false, dealPolicy: false, hook: true })
      const expected = await totals('t1')
      const fanned = await l.query({ measures: ['acc.budget', 'deal.count'] }, { securityContext: { tenant: 't1' } })
      expect(fanned.data).toEqual([{ 'acc.budget': expected.budget, 'deal.count': expected.deals }])
      const result = await l.query(BY_STAGE, as('t1'))
      expect(sorted(result.data)).toEqual(await byStage('t1'))
    })

    test('a policy on acc only: deals folded per account, the derived table under the policy', async () => {
      const l = layer({ accPolicy: true, dealPolicy: false })
      const expected = await totals('t1')
      const fanned = await l.query({ measures: ['acc.budget', 'deal.count'] }, { securityContext: { tenant: 't1' } })
      expect(fanned.sql.sql).not.toContain('cortex_keys')
      expect(fanned.sql.sql).toContain('cortex_pk_0')
      expect(fanned.data).toEqual([{ 'acc.budget': expected.budget, 'deal.count': expected.deals }])
      const byAccount = { measures: ['acc.budget', 'deal.count'], dimensions: ['acc.id'], total: true }
      const total = await l.query(byAccount, as('t1'))
      expect(total.total).toBe(2)
      expect(total.data.map((r) => r['acc.budget']).sort()).toEqual([10, 20])
    })
  })
}

const insertRows = async (run: (sql: string, params: unknown[]) => Promise<unknown>): Promise<void> => {
  for (const a of ACCOUNTS) await run('INSERT INTO acc VALUES (?, ?, ?)', [...a])
  for (const d of DEALS) await run('INSERT INTO deal VALUES (?, ?, ?, ?)', [...d])
}

suite('SQLite', async () => {
  const db = new Database(':memory:')
  for (const ddl of DDL) db.exec(ddl)
  await insertRows(async (sql, params) => db.prepare(sql).run(...params))
  return {
    connector: sqlite({ database: db }),
    oracle: async (sql, params) => db.prepare(sql).all(...params) as Row[],
    close: async () => void db.close(),
  }
})

const PG = process.env.CORTEX_TEST_PG_URL
const MY = process.env.CORTEX_TEST_MYSQL_URL
if (process.env.CI === 'true') {
  if (!PG)
    test('PostgreSQL: CORTEX_TEST_PG_URL is required when CI=true', () => {
      throw new Error('CORTEX_TEST_PG_URL is required when CI=true')
    })
  if (!MY)
    test('MySQL/MariaDB: CORTEX_TEST_MYSQL_URL is required when CI=true', () => {
      throw new Error('CORTEX_TEST_MYSQL_URL is required when CI=true')
    })
}
const numbered = (sql: string): string => {
  let n = 0
  return sql.replace(/\?/g, () => `$${++n}`)
}

if (PG) {
  suite('PostgreSQL', async () => {
    const schema = `cortex_rejoin_${randomBytes(4).toString('hex')}`
    const client = new pg.Client({ connectionString: PG })
    await client.connect()
    await client.query(`CREATE SCHEMA ${schema}`)
    await client.query(`SET search_path TO ${schema}`)
    for (const ddl of DDL) await client.query(ddl)
    await insertRows((sql, params) => client.query(numbered(sql), params))
    const connection = { connectionString: PG, options: `-c search_path=${schema}` }
    const connector = postgres({ connection, pool: { max: 2 } })
    return {
      connector,
      oracle: async (sql, params) => (await client.query(numbered(sql), params)).rows as Row[],
      async close() {
        await connector.close()
        await client.query(`DROP SCHEMA ${schema} CASCADE`)
        await client.end()
      },
    }
  })
}

if (MY) {
  suite('MySQL/MariaDB', async () => {
    const database = `cortex_rejoin_${randomBytes(4).toString('hex')}`
    const admin: Pool = createPool({ uri: MY, connectionLimit: 1 })
    await admin.query(`CREATE DATABASE ${database}`)
    const u = new URL(MY)
    u.pathname = `/${database}`
    const pool: Pool = createPool({ uri: u.toString(), connectionLimit: 1 })
    for (const ddl of DDL) await pool.query(ddl)
    await insertRows((sql, params) => pool.query(sql, params))
    const connector = mysql({ connection: u.toString(), pool: { max: 2 } })
    return {
      connector,
      oracle: async (sql, params) => (await pool.query<RowDataPacket[]>(sql, params))[0] as Row[],
      async close() {
        await connector.close()
        await pool.end()
        await admin.query(`DROP DATABASE ${database}`)
        await admin.end()
      },
    }
  })
}
