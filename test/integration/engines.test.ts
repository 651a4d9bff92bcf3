/**
 * The oracle suite on the other engines: the same generated dataset is loaded into DuckDB (in-process,
 * always run), PostgreSQL and MySQL/MariaDB (twice: a case-insensitive database and a `utf8mb4_bin` one) with native types, every
 * oracle case runs through the public API on that engine, and the rows are compared with the
 * hand-written SQLite oracle over identical data (numbers to 1e-9 relative). Rows are compared as
 * sets: string collation (and so the order of equal-by-collation keys) differs between engines;
 * ordered behaviour is covered on SQLite and by the ordering tests below on numeric keys.
 */
import Database from 'better-sqlite3'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEcommerceSqlite } from '../../examples/ecommerce/generate.mjs'
import { createSemanticLayer, loadModel, type Connector, type SemanticLayer } from '../../src/index.js'
import { duckdb } from '../../src/duckdb.js'
import { mysql } from '../../src/mysql.js'
import { postgres } from '../../src/postgres.js'
import { oracleCases } from './oracle/cases.js'
import { comparableRows, runOracle, type OracleCase, type Row } from './oracle/helpers.js'
import { MODEL_DIR, NOW } from './oracle/layer.js'
import { loadDuckDB } from './engines/duckdb-dataset.js'
import { loadMysql, loadPostgres, withDatabase } from './engines/server-datasets.js'
import type { QueryInput } from '../../src/index.js'

interface Engine {
  readonly name: string
  readonly env: string
  readonly url: string | undefined
  load(url: string, name: string): Promise<() => Promise<void>>
  connector(url: string, name: string): Connector
}

// DuckDB runs in-process: one instance per suite, always run (no server, no env var).
const duckdbInstances = new Map<string, Awaited<ReturnType<typeof loadDuckDB>>>()

const ENGINES: Engine[] = [
  {
    name: 'DuckDB (in-process)',
    env: 'none',
    url: 'in-process',
    load: async (_url, name) => {
      const instance = await loadDuckDB()
      duckdbInstances.set(name, instance)
      return async () => {
        duckdbInstances.delete(name)
        instance.closeSync()
      }
    },
    connector: (_url, name) => duckdb({ instance: duckdbInstances.get(name)! }),
  },
  {
    name: 'PostgreSQL',
    env: 'CORTEX_TEST_PG_URL',
    url: process.env.CORTEX_TEST_PG_URL,
    load: loadPostgres,
    connector: (url, schema) =>
      postgres({ connection: { connectionString: url, options: `-c search_path=${schema}` }, pool: { max: 4 } }),
  },
  {
    name: 'MySQL/MariaDB',
    env: 'CORTEX_TEST_MYSQL_URL',
    url: process.env.CORTEX_TEST_MYSQL_URL,
    load: (url, name) => loadMysql(url, name),
    connector: (url, database) => mysql({ connection: withDatabase(url, database), pool: { max: 4 } }),
  },
  {
    // MariaDB's server default (utf8mb4_general_ci): case- and accent-insensitive, every emoji equal to every other.
    name: 'MySQL/MariaDB, utf8mb4_general_ci database',
    env: 'CORTEX_TEST_MYSQL_URL',
    url: process.env.CORTEX_TEST_MYSQL_URL,
    load: (url, name) => loadMysql(url, name, 'utf8mb4_general_ci'),
    connector: (url, database) => mysql({ connection: withDatabase(url, database), pool: { max: 4 } }),
  },
  {
    // Case-sensitive, PAD SPACE: text operators must still fold case, security filters stay exact.
    name: 'MySQL/MariaDB, utf8mb4_bin database',
    env: 'CORTEX_TEST_MYSQL_URL',
    url: process.env.CORTEX_TEST_MYSQL_URL,
    load: (url, name) => loadMysql(url, name, 'utf8mb4_bin'),
    connector: (url, database) => mysql({ connection: withDatabase(url, database), pool: { max: 4 } }),
  },
]

const oracleDb = new Database(':memory:')
createEcommerceSqlite(oracleDb)
afterAll(() => oracleDb.close())

for (const engine of ENGINES) {
  if (!engine.url && process.env.CI === 'true') {
    it(`${engine.name}: ${engine.env} is required when CI=true`, () => {
      throw new Error(`${engine.env} is required when CI=true: .ci/run starts the server and sets it`)
    })
    continue
  }

  describe.skipIf(!engine.url)(`oracle suite on ${engine.name} (set ${engine.env})`, () => {
    const name = `cortex_oracle_${randomBytes(4).toString('hex')}`
    let layer: SemanticLayer
    let cleanup: (() => Promise<void>) | undefined

    beforeAll(async () => {
      cleanup = await engine.load(engine.url!, name)
      layer = createSemanticLayer({
        model: await loadModel(MODEL_DIR),
        connectors: { default: engine.connector(engine.url!, name) },
        now: () => new Date(NOW.getTime()),
      })
    })
    afterAll(async () => {
      await layer?.close()
      await cleanup?.()
    })

    it.each(oracleCases.map((c) => [`${c.kind}: ${c.name}`, c] as [string, OracleCase]))('%s', async (_name, c) => {
      const result = await layer.query(c.query)
      const rows = comparableRows(result.data, runOracle(oracleDb, c))
      expect(rows.actual).toEqual(rows.expected)
    })

    it('counts and sums come back as JS numbers, not strings', async () => {
      const { data } = await layer.query({ measures: ['orders.count', 'orders.total_amount', 'orders.avg_amount'] })
      const row = data[0] as Row
      for (const key of ['orders.count', 'orders.total_amount', 'orders.avg_amount'])
        expect(typeof row[key]).toBe('number')
      expect(row['orders.count']).toBe((oracleDb.prepare('SELECT count(*) AS n FROM orders').get() as Row).n)
    })

    it('orders by a measure and pages with limit/offset like the oracle', async () => {
      const q: QueryInput = {
        measures: ['orders.count'],
        dimensions: ['orders.customer_id'],
        order: [
          ['orders.count', 'desc'],
          ['orders.customer_id', 'asc'],
        ],
        limit: 5,
        offset: 3,
      }
      const expected = oracleDb
        .prepare(
          'SELECT customer_id AS "orders.customer_id", count(*) AS "orders.count" FROM orders GROUP BY customer_id ORDER BY 2 DESC, 1 ASC LIMIT 5 OFFSET 3',
        )
        .all() as Row[]
      // customer_id is not public: query it through a layer-level check of the ordering on customers instead.
      await expect(layer.query(q)).rejects.toMatchObject({ code: 'QUERY_INVALID' })
      const { data, truncated } = await layer.query({
        measures: ['orders.count'],
        dimensions: ['customers.id'],
        order: [
          ['orders.count', 'desc'],
          ['customers.id', 'asc'],
        ],
        limit: 5,
        offset: 3,
      })
      expect(truncated).toBe(true)
      expect(data.map((r) => [r['customers.id'], r['orders.count']])).toEqual(
        expected.map((r) => [r['orders.customer_id'], r['orders.count']]),
      )
    })
  })
}
