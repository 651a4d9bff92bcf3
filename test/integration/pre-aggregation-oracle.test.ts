/**
 * Every oracle case with rollups built: the rows must equal the hand-written SQL over the same data on
 * SQLite, PostgreSQL and MariaDB, whether a rollup served the case or the source did. The cases a rollup
 * served are listed (and their number checked), so a matcher that silently stops matching is seen.
 */
import Database from 'better-sqlite3'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEcommerceSqlite } from '../../examples/ecommerce/generate.mjs'
import { createSemanticLayer, sourceStore, type Connector, type SemanticLayer } from '../../src/index.js'
import { mysql } from '../../src/mysql.js'
import { postgres } from '../../src/postgres.js'
import { sqlite } from '../../src/sqlite.js'
import { loadMysql, loadPostgres, withDatabase } from './engines/server-datasets.js'
import { oracleCases } from './oracle/cases.js'
import { comparableRows, runOracle, type OracleCase } from './oracle/helpers.js'
import { NOW } from './oracle/layer.js'
import { modelWithRollups, ROLLUP_ZONES } from './oracle/rollups.js'

interface Engine {
  readonly name: string
  readonly env?: string
  readonly url: string | undefined
  load(url: string, name: string): Promise<() => Promise<void>>
  connector(url: string, name: string): Connector
  /** Store schema: the test's own schema/database on servers, the source itself on SQLite. */
  readonly schema: boolean
}

const ENGINES: Engine[] = [
  {
    name: 'SQLite',
    url: 'memory',
    schema: false,
    load: async () => async () => undefined,
    connector: () => {
      const db = new Database(':memory:')
      createEcommerceSqlite(db)
      return sqlite({ database: db })
    },
  },
  {
    name: 'PostgreSQL',
    env: 'CORTEX_TEST_PG_URL',
    url: process.env.CORTEX_TEST_PG_URL,
    schema: true,
    load: loadPostgres,
    connector: (url, schema) =>
      postgres({ connection: { connectionString: url, options: `-c search_path=${schema}` }, pool: { max: 4 } }),
  },
  {
    name: 'MySQL/MariaDB',
    env: 'CORTEX_TEST_MYSQL_URL',
    url: process.env.CORTEX_TEST_MYSQL_URL,
    schema: true,
    load: (url, name) => loadMysql(url, name),
    connector: (url, database) => mysql({ connection: withDatabase(url, database), pool: { max: 4 } }),
  },
]

const oracleDb = new Database(':memory:')
createEcommerceSqlite(oracleDb)
afterAll(() => oracleDb.close())

for (const engine of ENGINES) {
  if (!engine.url && process.env.CI === 'true') {
    it(`${engine.name}: ${engine.env} is required when CI=true`, () => {
      throw new Error(`${engine.env} is required when CI=true`)
    })
    continue
  }
  describe.skipIf(!engine.url)(`oracle cases served from rollups on ${engine.name}`, () => {
    const name = `cortex_rollups_${randomBytes(4).toString('hex')}`
    let layer: SemanticLayer
    let cleanup: (() => Promise<void>) | undefined
    const used = new Map<string, string>()

    beforeAll(async () => {
      cleanup = await engine.load(engine.url!, name)
      layer = createSemanticLayer({
        model: (await modelWithRollups()) as never,
        connectors: { default: engine.connector(engine.url!, name) },
        now: () => new Date(NOW.getTime()),
        cache: false,
        preAggregations: {
          timeZones: ROLLUP_ZONES,
          ...(engine.schema ? { store: sourceStore({ schema: name }) } : {}),
        },
      })
      const summary = await layer.preAggregations.build()
      expect(summary.failed).toEqual([])
      expect(summary.built.length).toBeGreaterThan(10)
    }, 120_000)
    afterAll(async () => {
      if (used.size > 0) {
        const lines = [...used].map(([c, r]) => `  ${r}  ← ${c}`)
        console.info(
          `${engine.name}: ${used.size} of ${oracleCases.length} oracle cases served from rollups:\n${lines.join('\n')}`,
        )
      }
      await layer?.close()
      await cleanup?.()
    })

    it.each(oracleCases.map((c) => [`${c.kind}: ${c.name}`, c] as [string, OracleCase]))('%s', async (label, c) => {
      const result = await layer.query(c.query)
      if (result.usedPreAggregations) used.set(label, result.usedPreAggregations.map((u) => u.name).join(', '))
      const rows = comparableRows(result.data, runOracle(oracleDb, c))
      expect(rows.actual).toEqual(rows.expected)
    })

    it('served a large share of the cases from rollups', () => {
      // Counted over the cases above (they run first, in order): at least a third use a rollup.
      expect(used.size).toBeGreaterThanOrEqual(Math.floor(oracleCases.length / 3))
    })
  })
}
