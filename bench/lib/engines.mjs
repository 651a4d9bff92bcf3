// One dataset on one engine: a semantic layer over it (result cache off) and the raw driver on the same
// data with the same session settings, so "raw" and "layer" run the identical SQL the same way.
import { createRequire } from 'node:module'
import Database from 'better-sqlite3'
import { createSemanticLayer, loadModel } from '../../dist/index.js'
import { ensureMysql, ensurePostgres, ensureSqlite, mysqlDatabase, withDatabase } from './datasets.mjs'
import { MODEL_DIR, NOW, settings } from './figure.mjs'

const require = createRequire(import.meta.url)

/** Engines of this run: SQLite always, PostgreSQL / MySQL when BENCH_PG_URL / BENCH_MYSQL_URL are set. */
export function engines() {
  return ['sqlite', ...(settings.pgUrl ? ['postgres'] : []), ...(settings.mysqlUrl ? ['mysql'] : [])]
}

let definition
const model = async () => (definition ??= await loadModel(MODEL_DIR))

/**
 * Open `engine` at dataset `size`. Returns { layer, raw(sql, params), rawCortex(sql, params), close() }:
 * raw resolves to rows; rawCortex runs a statement Cortex rendered exactly as its connector sends it (the
 * same as raw except on MariaDB, where the connector adds a per-statement optimizer setting).
 * `layerOptions` are merged into createSemanticLayer's options (default: cache off).
 */
export async function openEngine(engine, size, layerOptions = {}) {
  const { file, version } = ensureSqlite(size)
  const options = { model: await model(), now: NOW, cache: false, maxLimit: 50_000, ...layerOptions }
  if (engine === 'sqlite') {
    const { sqlite } = await import('../../dist/sqlite.js')
    const db = new Database(file, { readonly: true })
    const layer = createSemanticLayer({ ...options, connectors: { default: sqlite({ database: db }) } })
    await layer.healthCheck() // opens the database (and registers Cortex's time-zone function on it)
    const statements = new Map()
    const raw = (sql, params) => {
      let stmt = statements.get(sql)
      if (!stmt) statements.set(sql, (stmt = db.prepare(sql)))
      return stmt.all(...params)
    }
    return { engine, size, layer, raw, rawCortex: raw, db, file, close: async () => (await layer.close(), db.close()) }
  }
  if (engine === 'postgres') {
    const { postgres } = await import('../../dist/postgres.js')
    const { schema } = await ensurePostgres(settings.pgUrl, size, file, version)
    const pg = require('pg')
    // The same session for both: the search path of this dataset, UTC (Cortex sets UTC on its connections),
    // and a statement timeout so a pathological plan fails the figure instead of hanging the run.
    const connection = {
      connectionString: settings.pgUrl,
      options: `-c search_path=${schema} -c TimeZone=UTC -c statement_timeout=120000`,
    }
    const layer = createSemanticLayer({ ...options, connectors: { default: postgres({ connection }) } })
    const pool = new pg.Pool({ ...connection, max: 4 })
    // Timestamps as PostgreSQL's text, as Cortex reads them (pg's default builds Date objects).
    const types = {
      getTypeParser: (oid, format) =>
        [1082, 1114, 1184].includes(oid) ? (v) => v : pg.types.getTypeParser(oid, format),
    }
    const raw = async (sql, params) => (await pool.query({ text: sql, values: params, types })).rows
    return { engine, size, layer, raw, rawCortex: raw, close: async () => (await layer.close(), await pool.end()) }
  }
  if (engine === 'mysql') {
    const { mysql } = await import('../../dist/mysql.js')
    await ensureMysql(settings.mysqlUrl, size, file, version)
    const url = withDatabase(settings.mysqlUrl, mysqlDatabase(size))
    const layer = createSemanticLayer({ ...options, connectors: { default: mysql({ connection: url }) } })
    const mysql2 = require('mysql2/promise')
    // Cortex's value settings: dates as text read in UTC, exact BIGINT/DECIMAL strings; prepared statements.
    const pool = mysql2.createPool({
      uri: url,
      connectionLimit: 4,
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      decimalNumbers: false,
      timezone: 'Z',
    })
    pool.pool.on('connection', (c) => {
      c.query("SET time_zone = '+00:00', div_precision_increment = 30") // as the connector's session setup
      // MariaDB: max_statement_time (seconds); MySQL 8: max_execution_time (ms). One of them fails.
      c.query('SET SESSION max_statement_time = 120', () => undefined)
      c.query('SET SESSION max_execution_time = 120000', () => undefined)
    })
    const raw = async (sql, params) => (await pool.execute(sql, params))[0]
    // On MariaDB the connector sends Cortex's statements with split materialization off (per statement,
    // see src/connectors/mysql-connector.ts); `rawCortex` sends a statement exactly as the connector does.
    const [[{ version: serverVersion }]] = await pool.query('SELECT VERSION() AS version')
    const prefix = /mariadb/i.test(serverVersion) ? "SET STATEMENT optimizer_switch='split_materialized=off' FOR " : ''
    const rawCortex = (sql, params) => raw(prefix + sql, params)
    return { engine, size, layer, raw, rawCortex, close: async () => (await layer.close(), await pool.end()) }
  }
  throw new Error(`unknown engine ${engine}`)
}
