/**
 * Statements at the engines' limits, on every engine (SQLite here; PostgreSQL and MariaDB with their
 * CORTEX_TEST_*_URL, required under CI=true):
 * - more bound values than the engine takes (SQLite 32 766; PostgreSQL and MySQL 65 535, a 16-bit count
 *   that PostgreSQL wraps, dropping the connection) is QUERY_INVALID / TOO_MANY_PARAMETERS, decided before
 *   anything is sent, and the connection stays usable; just under the limit the query runs;
 * - a long list of conditions (2 000 `contains` values) runs everywhere: SQLite refuses expression trees
 *   deeper than 1 000, so long lists are nested in balanced halves.
 */
import Database from 'better-sqlite3'
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createSemanticLayer,
  defineConnector,
  isSemanticLayerError,
  parseModel,
  type Connector,
  type SqlConnector,
  type SemanticLayer,
} from '../../src/index.js'
import { mysql } from '../../src/mysql.js'
import { postgres } from '../../src/postgres.js'
import { sqlite } from '../../src/sqlite.js'
import { withDatabase } from './engines/server-datasets.js'
import type { QueryInput } from '../../src/index.js'

const require = createRequire(import.meta.url)
const ROWS = 300
const rows = Array.from({ length: ROWS }, (_, i) => ({
  id: i + 1,
  status: ['paid', 'shipped', 'open'][i % 3]!,
  note: i % 7 === 0 ? null : `note ${i % 50}`,
}))

interface Engine {
  readonly name: string
  readonly env?: string
  readonly url: string | undefined
  readonly limit: number
  /** Creates the table, returns the connector and a cleanup. */
  setup(url: string | undefined, table: string): Promise<{ connector: SqlConnector; cleanup: () => Promise<void> }>
}

const insertSql = (table: string, placeholder: (i: number) => string): [string, unknown[]] => {
  const params: unknown[] = []
  const bind = (v: unknown): string => (params.push(v), placeholder(params.length))
  const tuples = rows.map((r) => `(${[r.id, r.status, r.note].map(bind).join(', ')})`)
  return [`INSERT INTO ${table} (id, status, note) VALUES ${tuples.join(', ')}`, params]
}

const ENGINES: Engine[] = [
  {
    name: 'SQLite',
    url: 'memory',
    limit: 32_766,
    async setup(_url, table) {
      const db = new Database(':memory:')
      db.exec(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY, status TEXT, note TEXT)`)
      const [sql, params] = insertSql(table, () => '?')
      db.prepare(sql).run(...params)
      return { connector: sqlite({ database: db }), cleanup: async () => void db.close() }
    },
  },
  {
    name: 'PostgreSQL',
    env: 'CORTEX_TEST_PG_URL',
    url: process.env.CORTEX_TEST_PG_URL,
    limit: 65_535,
    async setup(url, table) {
      type PgClient = {
        connect(): Promise<void>
        query(s: string, p?: unknown[]): Promise<unknown>
        end(): Promise<void>
      }
      const { Client } = require('pg') as { Client: new (c: object) => PgClient }
      const schema = `cortex_limits_${randomBytes(4).toString('hex')}`
      const admin = new Client({ connectionString: url })
      await admin.connect()
      await admin.query(`CREATE SCHEMA ${schema}`)
      await admin.query(`CREATE TABLE ${schema}.${table} (id integer PRIMARY KEY, status text, note text)`)
      const [sql, params] = insertSql(`${schema}.${table}`, (i) => `$${i}`)
      await admin.query(sql, params)
      await admin.end()
      const connection = { connectionString: url!, options: `-c search_path=${schema}` }
      const connector = postgres({ connection, pool: { max: 1 } })
      return {
        connector,
        cleanup: async () => {
          const c = new Client({ connectionString: url })
          await c.connect()
          await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
          await c.end()
        },
      }
    },
  },
  {
    name: 'MySQL/MariaDB',
    env: 'CORTEX_TEST_MYSQL_URL',
    url: process.env.CORTEX_TEST_MYSQL_URL,
    limit: 65_535,
    async setup(url, table) {
      type MyConnection = { query(s: string, p?: unknown[]): Promise<unknown>; end(): Promise<void> }
      const my = require('mysql2/promise') as { createConnection(c: object): Promise<MyConnection> }
      const database = `cortex_limits_${randomBytes(4).toString('hex')}`
      const admin = await my.createConnection({ uri: url })
      await admin.query(`CREATE DATABASE ${database}`)
      await admin.query(`CREATE TABLE ${database}.${table} (id INT PRIMARY KEY, status VARCHAR(20), note VARCHAR(50))`)
      const [sql, params] = insertSql(`${database}.${table}`, () => '?')
      await admin.query(sql, params)
      await admin.end()
      const connector = mysql({ connection: withDatabase(url!, database), pool: { max: 1 } })
      return {
        connector,
        cleanup: async () => {
          const c = await my.createConnection({ uri: url })
          await c.query(`DROP DATABASE IF EXISTS ${database}`)
          await c.end()
        },
      }
    },
  },
]

/** `id` is one of `n` values: an `or` of equals filters of at most 10 000 values each (the per-filter maximum). */
function idFilters(n: number): NonNullable<QueryInput['filters']> {
  const out: { member: string; operator: 'equals'; values: number[] }[] = []
  for (let start = 0; start < n; start += 10_000) {
    const values = Array.from({ length: Math.min(10_000, n - start) }, (_, i) => start + i + 1)
    out.push({ member: 'items.id', operator: 'equals', values })
  }
  return [{ or: out }]
}

for (const engine of ENGINES) {
  if (!engine.url && process.env.CI === 'true') {
    it(`${engine.name}: ${engine.env} is required when CI=true`, () => {
      throw new Error(`${engine.env} is required when CI=true: .ci/run starts the server and sets it`)
    })
    continue
  }

  describe.skipIf(!engine.url)(`statement limits on ${engine.name}${engine.env ? ` (set ${engine.env})` : ''}`, () => {
    const table = `limits_${randomBytes(4).toString('hex')}`
    let layer: SemanticLayer
    let cleanup: (() => Promise<void>) | undefined
    const calls = { n: 0 }

    beforeAll(async () => {
      const made = await engine.setup(engine.url, table)
      cleanup = async () => {
        await layer?.close()
        await made.cleanup()
      }
      const inner = made.connector
      // Counts every statement that reaches the connector.
      const counted = defineConnector({
        dialect: inner.dialect,
        rowForms: inner.rowForms ?? [],
        execute: (statement, o) => (calls.n++, inner.execute(statement, o)),
        stream: (statement, o) => (calls.n++, inner.stream(statement, o)),
        healthCheck: () => inner.healthCheck(),
        close: () => inner.close(),
      })
      const model = parseModel([
        {
          content: `cubes:
  - name: items
    sql_table: ${table}
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true, public: true }
      - { name: status, sql: status, type: string }
      - { name: note, sql: note, type: string }
    measures:
      - { name: count, type: count }
`,
        },
      ])
      // Filter values beyond the default per-query maximum (10 000), to reach the statement limit through filters.
      layer = createSemanticLayer({ model, connectors: { default: counted }, cache: false, maxFilterValues: 100_000 })
    })
    afterAll(async () => {
      await cleanup?.()
    })

    it(`refuses over ${engine.limit} bound values before sending, naming the limit; the connection lives`, async () => {
      const before = calls.n
      const over: QueryInput = { measures: ['items.count'], filters: idFilters(engine.limit + 1), total: true }
      const error = await layer.query(over).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(isSemanticLayerError(error)).toBe(true)
      if (!isSemanticLayerError(error)) return
      expect(error.code).toBe('QUERY_INVALID')
      expect(error.issues).toHaveLength(1)
      expect(error.issues[0]).toMatchObject({ code: 'TOO_MANY_PARAMETERS', path: ['filters'] })
      expect(error.issues[0]!.message).toContain(`at most ${engine.limit}`)
      expect(error.issues[0]!.message).not.toMatch(/\b12345\b/)
      await expect(layer.stream(over)[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 'QUERY_INVALID' })
      expect(calls.n).toBe(before)
      // The same connection answers the next query.
      expect((await layer.query({ measures: ['items.count'] })).data).toEqual([{ 'items.count': ROWS }])
    })

    it('runs a statement just under the limit', async () => {
      // The main statement also binds its limit (+1 row), so leave room for it.
      const { data, sql } = await layer.query({ measures: ['items.count'], filters: idFilters(engine.limit - 1) })
      expect(sql.params.length).toBe(engine.limit)
      expect(data).toEqual([{ 'items.count': ROWS }])
    })

    it('runs 2 000 contains values (a condition list deeper than SQLite takes when flat)', async () => {
      const values = Array.from({ length: 2_000 }, (_, i) => `zz${i}`)
      values[1_500] = 'note 4'
      const filters: QueryInput['filters'] = [{ member: 'items.note', operator: 'contains', values }]
      const { data } = await layer.query({ measures: ['items.count'], filters })
      // "note 4" is in note 4 and notes 40-49.
      const expected = rows.filter((r) => r.note !== null && /^note 4\d?$/.test(r.note)).length
      expect(expected).toBeGreaterThan(10)
      expect(data).toEqual([{ 'items.count': expected }])
    })
  })
}
