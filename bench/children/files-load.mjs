// Child process for bench/files.mjs: load one file one way, answer one question, print JSON with the
// timings and this process's peak RSS. One process per measurement, so peak RSS is that load's own.
// Usage: node bench/children/files-load.mjs <files|files-duckdb|duckdb|postgres> <file> [table]
// files: files() on its default engine (SQLite); files-duckdb: files({ engine: 'duckdb' }); duckdb: raw read_csv.
import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'

const [how, file] = process.argv.slice(2)
const QUESTION = 'SELECT status, count(*) AS n, sum(amount) AS total FROM orders GROUP BY status ORDER BY status'
const started = performance.now()
let loadedAt
let rows
let answer

if (how === 'files' || how === 'files-duckdb') {
  const { files } = await import('../../dist/files.js')
  const { createSemanticLayer } = await import('../../dist/index.js')
  const connector = files({
    tables: { orders: { path: file, ...(file.endsWith('.xlsx') ? { sheet: 0 } : {}) } },
    maxFileBytes: 2 ** 31,
    ...(how === 'files-duckdb' ? { engine: 'duckdb' } : {}),
  })
  const layer = createSemanticLayer({
    model: {
      cubes: [
        {
          name: 'orders',
          sql_table: 'orders',
          measures: [
            { name: 'count', type: 'count' },
            { name: 'total', sql: 'amount', type: 'sum' },
          ],
          dimensions: [
            { name: 'id', sql: 'id', type: 'number', primary_key: true },
            { name: 'status', sql: 'status', type: 'string' },
          ],
        },
      ],
    },
    connectors: { default: connector },
    cache: false,
  })
  await connector.load()
  loadedAt = performance.now()
  answer = (
    await layer.query({
      measures: ['orders.count', 'orders.total'],
      dimensions: ['orders.status'],
      order: { 'orders.status': 'asc' },
    })
  ).data
  rows = connector.status().orders.rows
  await layer.close()
} else if (how === 'duckdb') {
  const { DuckDBInstance } = await import('@duckdb/node-api')
  const instance = await DuckDBInstance.create(':memory:')
  const con = await instance.connect()
  await con.run(`CREATE TABLE orders AS SELECT * FROM read_csv('${file.replace(/'/g, "''")}')`)
  loadedAt = performance.now()
  answer = (await con.runAndReadAll(QUESTION)).getRowObjectsJson()
  rows = Number((await con.runAndReadAll('SELECT count(*) AS n FROM orders')).getRowObjectsJson()[0].n)
  con.closeSync?.()
} else if (how === 'postgres') {
  const pg = createRequire(import.meta.url)('pg')
  const client = new pg.Client({ connectionString: process.env.CORTEX_TEST_PG_URL })
  await client.connect()
  const table = `cortex_files_bench_${randomBytes(4).toString('hex')}`
  try {
    await client.query(
      `CREATE TABLE ${table} (id integer, customer_id integer, status text, amount numeric(12,2), discount ` +
        `numeric(12,2), note text, created_at timestamp(3), shipped_at timestamp(3))`,
    )
    // Server-side COPY: PostgreSQL reads the file itself (same machine), the fastest way in.
    await client.query(`COPY ${table} FROM '${file.replace(/'/g, "''")}' WITH (FORMAT csv, HEADER true)`)
    loadedAt = performance.now()
    answer = (await client.query(QUESTION.replace('FROM orders', `FROM ${table}`))).rows
    rows = Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n)
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${table}`)
    await client.end()
  }
}
const done = performance.now()
process.stdout.write(
  JSON.stringify({
    how,
    rows,
    loadMs: loadedAt - started,
    firstAnswerMs: done - started,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    groups: answer.length,
  }),
)
