/**
 * Security filters compare exactly on every engine (issue 16, item 7). A row policy `tenant_id equals
 * { securityContext.tenant_id }` rendered a plain `=`, so under MySQL's default `_ci` / PAD SPACE
 * collation tenant `ACME` also received the rows of `acme`, `ACME ` and `Acmé`; a SQLite column declared
 * `COLLATE NOCASE` and a PostgreSQL column with a case-insensitive (nondeterministic ICU) collation did
 * the same. Access-policy row filters, `authorize` filters and filters `queryRewrite` adds must match
 * only the exact value; a user's own `equals` keeps the column's semantics (docs/queries.md).
 *
 * Runs through `layer.query()` on SQLite always, on MariaDB and PostgreSQL when their URLs are set
 * (required under CI=true). Expected rows are computed in JS from the inserted data.
 */
import Database from 'better-sqlite3'
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it, test } from 'vitest'
import {
  createSemanticLayer,
  parseModel,
  type Connector,
  type SemanticLayer,
  type SemanticLayerOptions,
} from '../../src/index.js'
import { mysql } from '../../src/mysql.js'
import { postgres } from '../../src/postgres.js'
import { sqlite } from '../../src/sqlite.js'
import { sqlStatement } from '../../src/connectors/connector.js'

type Row = Record<string, unknown>
const require = createRequire(import.meta.url)

/** Tenant ids that a case-, accent- or trailing-space-insensitive comparison would confuse with 'ACME'. */
const ROWS = [
  { id: 1, tenant_id: 'ACME', amount: 1 },
  { id: 2, tenant_id: 'ACME', amount: 2 },
  { id: 3, tenant_id: 'acme', amount: 10 },
  { id: 4, tenant_id: 'ACME ', amount: 100 },
  { id: 5, tenant_id: 'Acmé', amount: 1000 },
  { id: 6, tenant_id: 'AcMe', amount: 10000 },
  { id: 7, tenant_id: 'other', amount: 100000 },
  // Enough distinct tenants that an index on tenant_id is worth using (checked with EXPLAIN below).
  ...Array.from({ length: 3000 }, (_, i) => ({ id: 100 + i, tenant_id: `filler-${i}`, amount: 0 })),
]
const TENANTS = ['ACME', 'acme', 'ACME ', 'Acmé', 'AcMe'] as const

const MODEL = (policy: boolean) => `
cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true, public: true }
      - { name: tenant_id, sql: tenant_id, type: string }
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

const tenantFilter = (ctx: unknown) => ({
  member: 'orders.tenant_id',
  operator: 'equals' as const,
  values: [(ctx as { tenant_id: string }).tenant_id],
})

/** The three ways a security filter enters a query. */
const MECHANISMS: Record<string, Omit<SemanticLayerOptions, 'connectors'>> = {
  'an access-policy row filter': { model: parseModel([{ content: MODEL(true) }]) },
  'an authorize filter': {
    model: parseModel([{ content: MODEL(false) }]),
    authorize: ({ securityContext }) => ({ allow: true, filters: [tenantFilter(securityContext)] }),
  },
  'a filter queryRewrite adds': {
    model: parseModel([{ content: MODEL(false) }]),
    queryRewrite: (q, { securityContext }) => ({
      ...q,
      filters: [...(q.filters ?? []), tenantFilter(securityContext)],
    }),
  },
}

/** What the tenant may see: its rows by exact (code point) equality, per tenant_id. */
function own(tenants: readonly string[]): Row[] {
  const rows = ROWS.filter((r) => tenants.includes(r.tenant_id))
  return [...new Set(rows.map((r) => r.tenant_id))].map((t) => ({
    'orders.tenant_id': t,
    'orders.count': rows.filter((r) => r.tenant_id === t).length,
    'orders.total': rows.filter((r) => r.tenant_id === t).reduce((s, r) => s + r.amount, 0),
  }))
}
const sorted = (rows: readonly Row[]) =>
  [...rows].sort((a, b) => (String(a['orders.tenant_id']) < String(b['orders.tenant_id']) ? -1 : 1))

interface EngineSetup {
  readonly connector: Connector
  /** The plan of a statement as text (EXPLAIN / EXPLAIN QUERY PLAN), to check the tenant_id index is usable. */
  explain(sql: string, params: readonly unknown[]): Promise<string>
  close(): Promise<void>
}

interface Engine {
  readonly name: string
  readonly env?: string
  /** Ids a user's own `equals 'acme'` matches under this column's collation (documented semantics). */
  readonly userEqualsAcme: readonly number[]
  setup(): Promise<EngineSetup>
}

const ENGINES: Engine[] = [
  {
    name: 'SQLite, a COLLATE NOCASE column',
    userEqualsAcme: [1, 2, 3, 6], // NOCASE folds ASCII letters only; trailing spaces count
    async setup() {
      const db = new Database(':memory:')
      db.exec(
        'CREATE TABLE orders (id INTEGER PRIMARY KEY, tenant_id TEXT COLLATE NOCASE NOT NULL, amount INTEGER NOT NULL)',
      )
      db.exec('CREATE INDEX orders_tenant ON orders (tenant_id)')
      const insert = db.prepare('INSERT INTO orders VALUES (@id, @tenant_id, @amount)')
      for (const r of ROWS) insert.run(r)
      db.exec('ANALYZE')
      return {
        connector: sqlite({ database: db }),
        explain: async (sql, params) => JSON.stringify(db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params)),
        close: async () => void db.close(),
      }
    },
  },
  {
    name: 'MariaDB/MySQL, a utf8mb4_general_ci column (case- and accent-insensitive, PAD SPACE)',
    env: 'CORTEX_TEST_MYSQL_URL',
    userEqualsAcme: [1, 2, 3, 4, 5, 6],
    async setup() {
      const url = process.env.CORTEX_TEST_MYSQL_URL!
      const promise = require('mysql2/promise') as typeof import('mysql2/promise')
      const database = `cortex_exact_${randomBytes(4).toString('hex')}`
      const admin = await promise.createConnection(url)
      await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`)
      await admin.query(
        `CREATE TABLE \`${database}\`.orders (id INT PRIMARY KEY, tenant_id VARCHAR(40) NOT NULL, amount BIGINT NOT NULL, KEY orders_tenant (tenant_id))`,
      )
      for (let i = 0; i < ROWS.length; i += 500) {
        const batch = ROWS.slice(i, i + 500)
        await admin.query(
          `INSERT INTO \`${database}\`.orders VALUES ${batch.map(() => '(?, ?, ?)').join(', ')}`,
          batch.flatMap((r) => [r.id, r.tenant_id, r.amount]),
        )
      }
      await admin.query(`ANALYZE TABLE \`${database}\`.orders`)
      const u = new URL(url)
      u.pathname = `/${database}`
      const connector = mysql({ connection: u.toString(), pool: { max: 2 } })
      return {
        connector,
        explain: async (sql, params) => JSON.stringify(await connector.execute(sqlStatement(`EXPLAIN ${sql}`, params))),
        async close() {
          await admin.query(`DROP DATABASE IF EXISTS \`${database}\``)
          await admin.end()
        },
      }
    },
  },
  ...(['"default"', 'ci'] as const).map(
    (collation): Engine => ({
      name:
        collation === 'ci'
          ? 'PostgreSQL, a nondeterministic case-insensitive ICU collation'
          : 'PostgreSQL, the default (deterministic) collation',
      env: 'CORTEX_TEST_PG_URL',
      userEqualsAcme: collation === 'ci' ? [1, 2, 3, 6] : [3], // und-u-ks-level2: case folded, accents and spaces kept
      async setup() {
        const url = process.env.CORTEX_TEST_PG_URL!
        const { Client } = require('pg') as typeof import('pg')
        const schema = `cortex_exact_${randomBytes(4).toString('hex')}`
        const admin = new Client({ connectionString: url })
        await admin.connect()
        await admin.query(`CREATE SCHEMA "${schema}"`)
        const column = collation === 'ci' ? `"${schema}".ci` : '"default"'
        if (collation === 'ci')
          await admin.query(
            `CREATE COLLATION "${schema}".ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)`,
          )
        await admin.query(
          `CREATE TABLE "${schema}".orders (id integer PRIMARY KEY, tenant_id text COLLATE ${column} NOT NULL, amount bigint NOT NULL)`,
        )
        await admin.query(`CREATE INDEX ON "${schema}".orders (tenant_id)`)
        for (let i = 0; i < ROWS.length; i += 500) {
          const batch = ROWS.slice(i, i + 500)
          await admin.query(
            `INSERT INTO "${schema}".orders VALUES ${batch.map((_, j) => `($${3 * j + 1}, $${3 * j + 2}, $${3 * j + 3})`).join(', ')}`,
            batch.flatMap((r) => [r.id, r.tenant_id, r.amount]),
          )
        }
        await admin.query(`ANALYZE "${schema}".orders`)
        return {
          connector: postgres({
            connection: { connectionString: url, options: `-c search_path=${schema}` },
            pool: { max: 2 },
          }),
          async explain(sql, params) {
            // With sequential scans priced out, the plan uses the index exactly when some condition can.
            const c = new Client({ connectionString: url, options: `-c search_path=${schema} -c enable_seqscan=off` })
            await c.connect()
            try {
              return JSON.stringify((await c.query(`EXPLAIN ${sql}`, [...params])).rows)
            } finally {
              await c.end()
            }
          },
          async close() {
            await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
            await admin.end()
          },
        }
      },
    }),
  ),
]

for (const engine of ENGINES) {
  const missing = engine.env !== undefined && !process.env[engine.env]
  if (missing && process.env.CI === 'true') {
    test(`${engine.name}: ${engine.env} is required when CI=true`, () => {
      throw new Error(`${engine.env} is required when CI=true`)
    })
    continue
  }

  describe.skipIf(missing)(
    `security filters compare exactly: ${engine.name}${engine.env ? ` (set ${engine.env})` : ''}`,
    () => {
      let setup: EngineSetup
      const layers: SemanticLayer[] = []
      const layerWith = (options: Omit<SemanticLayerOptions, 'connectors'>): SemanticLayer => {
        const layer = createSemanticLayer({
          ...options,
          connectors: { default: setup.connector },
          contextToTenant: (ctx) => `t${Buffer.from(String(ctx.tenant_id)).toString('hex')}`,
        })
        layers.push(layer)
        return layer
      }
      beforeAll(async () => {
        setup = await engine.setup()
      })
      afterAll(async () => {
        await setup?.connector.close()
        await setup?.close()
      })

      it.each(Object.keys(MECHANISMS))(
        '%s: each tenant gets only its exact rows, never another case, accent or trailing-space variant',
        async (mechanism) => {
          const layer = layerWith(MECHANISMS[mechanism]!)
          for (const round of [1, 2]) {
            // the second round answers from the caches
            for (const tenant of TENANTS) {
              const { data } = await layer.query(
                { measures: ['orders.count', 'orders.total'], dimensions: ['orders.tenant_id'] },
                { securityContext: { tenant_id: tenant } },
              )
              expect({ round, tenant, data: sorted(data) }).toEqual({ round, tenant, data: own([tenant]) })
              const { data: totals } = await layer.query(
                { measures: ['orders.total'] },
                { securityContext: { tenant_id: tenant } },
              )
              expect({ round, tenant, total: totals[0]?.['orders.total'] }).toEqual({
                round,
                tenant,
                total: own([tenant])[0]!['orders.total'],
              })
            }
          }
        },
      )

      // Rows are told apart by id: grouping by tenant_id would merge the variants under the column's own collation.
      const ids = async (layer: SemanticLayer, tenant: unknown): Promise<number[]> =>
        (
          await layer.query(
            { measures: ['orders.count'], dimensions: ['orders.id'] },
            { securityContext: { tenant_id: tenant } },
          )
        ).data
          .map((r) => Number(r['orders.id']))
          .sort((a, b) => a - b)
      const idsOf = (keep: (t: string) => boolean) => ROWS.filter((r) => keep(r.tenant_id)).map((r) => r.id)

      it('a context list is an exact IN; notEquals, startsWith and lt from authorize compare exactly too', async () => {
        const policy = layerWith(MECHANISMS['an access-policy row filter']!)
        expect(await ids(policy, ['ACME', 'AcMe'])).toEqual(idsOf((t) => t === 'ACME' || t === 'AcMe'))
        const hooks = layerWith({
          model: parseModel([{ content: MODEL(false) }]),
          authorize: () => ({
            allow: true,
            filters: [
              { member: 'orders.tenant_id', operator: 'notEquals', values: ['ACME'] },
              { member: 'orders.tenant_id', operator: 'startsWith', values: ['A'] },
              { member: 'orders.tenant_id', operator: 'lt', values: ['Acm'] },
            ],
          }),
        })
        // Code point order: 'ACME ' < 'Acm' ('C' < 'c') and 'AcMe' < 'Acm' ('M' < 'm'); 'Acmé' > 'Acm'; 'acme' does not start with 'A'.
        expect(await ids(hooks, 'x')).toEqual(idsOf((t) => t !== 'ACME' && t.startsWith('A') && t < 'Acm'))
        expect(idsOf((t) => t !== 'ACME' && t.startsWith('A') && t < 'Acm')).toEqual([4, 6])
      })

      it("a user's own equals keeps the column's semantics (docs/queries.md), inside the exact tenant filter", async () => {
        const open = layerWith({ model: parseModel([{ content: MODEL(false) }]) })
        const { data } = await open.query(
          {
            measures: ['orders.count'],
            dimensions: ['orders.id'],
            filters: [{ member: 'orders.tenant_id', operator: 'equals', values: ['acme'] }],
          },
          { securityContext: { tenant_id: 'any' } },
        )
        expect(data.map((r) => r['orders.id']).sort((a, b) => Number(a) - Number(b))).toEqual(engine.userEqualsAcme)
        const policy = layerWith(MECHANISMS['an access-policy row filter']!)
        const within = await policy.query(
          {
            measures: ['orders.total'],
            filters: [{ member: 'orders.tenant_id', operator: 'equals', values: ['acme'] }],
          },
          { securityContext: { tenant_id: 'ACME' } },
        )
        expect(within.data[0]?.['orders.total']).toBe(engine.userEqualsAcme.includes(1) ? 3 : null)
      })

      it('the exact tenant filter can still use the index on tenant_id', async () => {
        const layer = layerWith(MECHANISMS['an access-policy row filter']!)
        const { sql, params } = await layer.sql(
          { measures: ['orders.total'], dimensions: ['orders.tenant_id'] },
          { securityContext: { tenant_id: 'ACME' } },
        )
        const plan = await setup.explain(sql, params)
        expect(plan).toMatch(/orders_tenant|Index|index/)
        expect(plan).not.toMatch(/SCAN orders\b(?! USING)|"type":"ALL"|Seq Scan/)
      })
    },
  )
}
