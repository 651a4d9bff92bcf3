// npm run demo — builds the package, creates a demo SQLite database and runs every query in
// examples/queries/*.json through the built package (dist/), printing the SQL, the parameters and
// the rows. Each query file is { "description": "...", "query": { ...Cube REST query... } }.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { createSemanticLayer, isSemanticLayerError, loadModel } from '../dist/index.js'
import { sqlite } from '../dist/sqlite.js'
import { createEcommerceSqlite } from './ecommerce/generate.mjs'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))
const DEMO_DIR = here('../.demo/')
const DB_FILE = here('../.demo/shop.db')
const MODEL_DIR = here('./ecommerce/model')
const QUERY_DIR = here('./queries/')
/** The demo's clock, so relative date ranges ('last 6 months') give the same answer every run. */
const NOW = new Date('2025-06-15T12:00:00Z')

const useColor = process.stdout.isTTY && !process.env.NO_COLOR
const paint = (code) => (text) => (useColor ? `\x1b[${code}m${text}\x1b[0m` : text)
const bold = paint('1')
const dim = paint('2')
const red = paint('31')
const cyan = paint('36')

async function main() {
  const started = performance.now()

  // 1. A fresh database with the deterministic e-commerce dataset.
  mkdirSync(DEMO_DIR, { recursive: true })
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(DB_FILE + suffix, { force: true })
  const db = new Database(DB_FILE)
  const data = createEcommerceSqlite(db)
  db.close()
  console.log(bold('Cortex demo'))
  console.log(
    dim(
      `database  ${relative(process.cwd(), DB_FILE)}: ${data.customers.length} customers, ${data.products.length} products, ${data.orders.length} orders, ${data.order_items.length} order items`,
    ),
  )
  console.log(dim(`model     ${relative(process.cwd(), MODEL_DIR)}`))
  console.log(dim(`clock     now = ${NOW.toISOString()} (fixed, for relative date ranges)`))

  // 2. The semantic layer: the model folder plus one connector.
  const layer = createSemanticLayer({
    model: await loadModel(MODEL_DIR),
    connectors: { default: sqlite({ filename: DB_FILE, readonly: true }) },
    now: () => NOW,
  })

  // 3. Every example query, in file name order.
  const files = readdirSync(QUERY_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
  const failed = []
  try {
    for (const file of files) {
      const { description, query } = JSON.parse(readFileSync(QUERY_DIR + file, 'utf8'))
      console.log(`\n${bold(cyan(`== ${file}`))}\n${description}`)
      console.log(dim(`query:  ${JSON.stringify(query)}`))
      try {
        const result = await layer.query(query)
        console.log(`${dim('sql:')}    ${formatSql(result.sql.sql).join('\n        ')}`)
        console.log(`${dim('params:')} ${JSON.stringify(result.sql.params)}`)
        console.log(table(result.data))
        const total = result.total === undefined ? '' : `   total: ${result.total}`
        console.log(dim(`rows: ${result.data.length}   truncated: ${result.truncated}${total}`))
      } catch (error) {
        failed.push(file)
        console.log(red(`FAILED: ${describeError(error)}`))
      }
    }
  } finally {
    await layer.close()
  }

  const ms = Math.round(performance.now() - started)
  console.log(`\n${files.length - failed.length} of ${files.length} queries ran in ${ms} ms.`)
  if (failed.length > 0) {
    console.log(red(`Failed: ${failed.join(', ')}`))
    process.exitCode = 1
  }
}

/** Code, message and issues of an error, without a stack trace. */
function describeError(error) {
  if (isSemanticLayerError(error)) {
    const cause = error.cause instanceof Error ? `\n  cause: ${error.cause.message}` : ''
    const issues = error.issues.map((i) => `\n  - ${i.code} at ${JSON.stringify(i.path)}: ${i.message}`).join('')
    return `${issues ? error.code : error.message}${issues}${cause}`
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

/** Rows as an aligned text table; numbers right-aligned and rounded to 3 decimals for display. */
function table(rows) {
  if (rows.length === 0) return dim('(no rows)')
  const columns = Object.keys(rows[0])
  const cell = (v) =>
    v === null
      ? 'null'
      : typeof v === 'number' && !Number.isInteger(v)
        ? String(Math.round(v * 1000) / 1000)
        : String(v)
  const cells = rows.map((row) => columns.map((c) => cell(row[c])))
  const numeric = columns.map((c) => rows.every((r) => r[c] === null || typeof r[c] === 'number'))
  const width = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)))
  const line = (values) => values.map((v, i) => (numeric[i] ? v.padStart(width[i]) : v.padEnd(width[i]))).join(' │ ')
  return [bold(line(columns)), width.map((w) => '─'.repeat(w)).join('─┼─'), ...cells.map(line)].join('\n')
}

/** Break SQL into lines before its main clauses, for reading only (quoted text is never split). */
function formatSql(sql) {
  const BREAK = /^(FROM|LEFT JOIN|INNER JOIN|WHERE|GROUP BY|HAVING|ORDER BY|LIMIT) /
  const lines = []
  let current = ''
  let quote = ''
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]
    if (quote) {
      if (ch === quote) quote = ''
    } else if (ch === "'" || ch === '"') quote = ch
    else if (ch === ' ' && BREAK.test(sql.slice(i + 1))) {
      lines.push(current)
      current = ''
      continue
    }
    current += ch
  }
  lines.push(current)
  return lines
}

main().catch((error) => {
  console.error(red(`Demo failed: ${describeError(error)}`))
  process.exitCode = 1
})
