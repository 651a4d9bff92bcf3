// What it costs to give every statement its session settings on a connection the host owns
// (docs/security.md, "Shared pools"; docs/performance.md, "Session settings on host pools").
//
//   npm run build && BENCH_PG_URL=postgres://… BENCH_MYSQL_URL=mysql://… node bench/session-settings.mjs
//
// Per engine, one statement of each kind (a one-value SELECT, where the overhead shows most, and a
// grouped scan of 10 000 rows), timed per call, one call at a time on a pool of 3:
// - raw driver: the statement alone, on connections already set up (what an owned pool costs);
// - raw driver + SET: a separate SET round trip before each statement (the obvious alternative);
// - connector, owned pool: Cortex's connector on a pool it created (settings once per connection);
// - connector, host pool: the same connector over the host's pool (PostgreSQL: the transaction-local
//   set_config() written ahead of the statement in the same round trip; MariaDB: SET STATEMENT … FOR;
//   MySQL: a SET at each checkout).
// Not part of `npm run bench`: run it by hand after touching src/connectors/*-session.ts.
import { createRequire } from 'node:module'
import { compare, fmtRatio, fmtTime, log, table } from './lib/util.mjs'

const require = createRequire(import.meta.url)
const { postgres } = await import('../dist/postgres.js')
const { mysql } = await import('../dist/mysql.js')
const rounds = Number(process.env.BENCH_ROUNDS ?? 6)
const minTimeMs = Number(process.env.BENCH_TIME_MS ?? 3000)

async function pgCases(url) {
  const pg = require('pg')
  const schema = `cortex_bench_session_${process.pid}`
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  await admin.query(`CREATE SCHEMA ${schema}`)
  await admin.query(`CREATE TABLE ${schema}.orders AS
    SELECT g AS id, (g % 7)::text AS status, g % 1000 AS amount FROM generate_series(1, 10000) g`)
  await admin.query(`ANALYZE ${schema}.orders`)
  const session = `-c search_path=${schema} -c TimeZone=UTC`
  const raw = new pg.Pool({ connectionString: url, max: 3, idleTimeoutMillis: 0, options: session })
  const host = new pg.Pool({ connectionString: url, max: 3, idleTimeoutMillis: 0 })
  const owned = postgres({ connection: url, pool: { max: 3, idleTimeoutMs: 0 }, searchPath: [schema] })
  const shared = postgres({ existingPool: host, searchPath: [schema] })
  const statements = {
    'one value': ['SELECT $1::int AS x', [1]],
    'grouped scan': [
      'SELECT status, count(*) AS n, sum(amount) AS s FROM orders WHERE amount > $1 GROUP BY 1 ORDER BY 1 LIMIT $2',
      [100, 10001],
    ],
  }
  const setup = `SET TIME ZONE 'UTC'; SET search_path TO "${schema}"`
  const cases = {}
  for (const [name, [sql, params]] of Object.entries(statements)) {
    cases[name] = {
      'raw driver': () => raw.query({ text: sql, values: params, rowMode: 'array' }),
      'raw driver + SET round trip': async () => {
        const c = await raw.connect()
        try {
          await c.query(setup)
          return await c.query({ text: sql, values: params, rowMode: 'array' })
        } finally {
          c.release()
        }
      },
      'connector, owned pool': () => owned.executeArrays(sql, params),
      'connector, host pool (per statement)': () => shared.executeArrays(sql, params),
    }
  }
  return {
    cases,
    async close() {
      await owned.close()
      await Promise.all([raw.end(), host.end()])
      await admin.query(`DROP SCHEMA ${schema} CASCADE`)
      await admin.end()
    },
  }
}

async function mysqlCases(url) {
  const mysql2 = require('mysql2/promise')
  const database = `cortex_bench_session_${process.pid}`
  const admin = await mysql2.createConnection({ uri: url })
  await admin.query(`CREATE DATABASE ${database}`)
  await admin.query(`CREATE TABLE ${database}.orders (id INT PRIMARY KEY, status VARCHAR(8), amount INT)`)
  for (let i = 0; i < 10000; i += 1000) {
    const rows = Array.from({ length: 1000 }, (_, k) => [i + k + 1, String((i + k + 1) % 7), (i + k + 1) % 1000])
    await admin.query(`INSERT INTO ${database}.orders VALUES ?`, [rows])
  }
  const u = new URL(url)
  u.pathname = `/${database}`
  const raw = mysql2.createPool({ uri: u.toString(), connectionLimit: 3 })
  const host = mysql2.createPool({ uri: u.toString(), connectionLimit: 3 })
  const owned = mysql({ connection: u.toString(), pool: { max: 3 } })
  const shared = mysql({ existingPool: host })
  const statements = {
    'one value': ['SELECT ? + 0 AS x', [1]],
    'grouped scan': [
      'SELECT status, count(*) AS n, sum(amount) AS s FROM orders WHERE amount > ? GROUP BY 1 ORDER BY 1 LIMIT ?',
      [100, 10001],
    ],
  }
  const cases = {}
  for (const [name, [sql, params]] of Object.entries(statements)) {
    cases[name] = {
      'raw driver': () => raw.execute({ sql, values: params, rowsAsArray: true }),
      'raw driver + SET round trip': async () => {
        const c = await raw.getConnection()
        try {
          await c.query("SET time_zone = '+00:00'")
          return await c.execute({ sql, values: params, rowsAsArray: true })
        } finally {
          c.release()
        }
      },
      'connector, owned pool': () => owned.executeArrays(sql, params),
      'connector, host pool (per statement)': () => shared.executeArrays(sql, params),
    }
  }
  return {
    cases,
    async close() {
      await owned.close()
      await Promise.all([raw.end(), host.end()])
      await admin.query(`DROP DATABASE ${database}`)
      await admin.end()
    },
  }
}

const engines = [
  ['PostgreSQL', process.env.BENCH_PG_URL, pgCases],
  ['MySQL/MariaDB', process.env.BENCH_MYSQL_URL, mysqlCases],
]
if (!engines.some(([, url]) => url)) throw new Error('Set BENCH_PG_URL and/or BENCH_MYSQL_URL.')
const lines = []
for (const [engine, url, make] of engines) {
  if (!url) continue
  const { cases, close } = await make(url)
  try {
    for (const [statement, variants] of Object.entries(cases)) {
      log(`${engine}: ${statement}`)
      const stats = await compare(variants, { rounds, minTimeMs, warmupMs: 300 })
      const base = stats['raw driver'].p50
      lines.push(`\n${engine}, ${statement} (p50 per call, one call at a time, pool of 3):\n`)
      const rows = Object.entries(stats).map(([k, s]) => [k, fmtTime(s.p50), fmtTime(s.p99), fmtRatio(s.p50 / base)])
      lines.push(table(['variant', 'p50', 'p99', 'vs raw driver'], rows))
    }
  } finally {
    await close()
  }
}
process.stdout.write(`${lines.join('\n')}\n`)
