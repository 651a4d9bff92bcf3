// npm run bench — compile time of typical queries, and layer.query() against better-sqlite3 running
// the identical SQL, measured in one run. Prints a markdown table; writes JSON to bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { bench, do_not_optimize, run, summary } from 'mitata'
import { createSemanticLayer, loadModel } from '../dist/index.js'
import { sqlite } from '../dist/sqlite.js'
import { createEcommerceSqlite, generateEcommerce } from '../examples/ecommerce/generate.mjs'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))
const db = new Database(':memory:')
createEcommerceSqlite(db, generateEcommerce({ orders: 20_000, customers: 2_000, products: 200 }))
const model = await loadModel(here('../examples/ecommerce/model'))
const layer = createSemanticLayer({ model, connectors: { default: sqlite({ database: db }) }, now: () => new Date('2025-06-15T12:00:00Z') })

/** The "typical query": 3 members, 2 filters, one join. */
const typical = {
  measures: ['orders.count', 'orders.total_amount'],
  dimensions: ['customers.country'],
  filters: [
    { member: 'orders.status', operator: 'equals', values: ['paid', 'shipped'] },
    { member: 'customers.tier', operator: 'notEquals', values: ['bronze'] },
  ],
}
const fanout = {
  measures: ['customers.count', 'orders.count', 'order_items.revenue'],
  dimensions: ['customers.tier'],
  timeDimensions: [{ dimension: 'orders.created_at', granularity: 'month', dateRange: ['2024-01-01', '2024-12-31'] }],
  timezone: 'Europe/Berlin',
}
const small = { measures: ['orders.count'], dimensions: ['orders.status'] }

const rendered = await layer.sql(small)
const stmt = db.prepare(rendered.sql)
const results = {}

summary(() => {
  bench('compile: typical (3 members, 2 filters, 1 join)', async () => do_not_optimize(await layer.sql(typical)))
  bench('compile: fan-out, 3 cubes, month in Europe/Berlin', async () => do_not_optimize(await layer.sql(fanout)))
})
summary(() => {
  bench('raw better-sqlite3: small grouped query', () => do_not_optimize(stmt.all(...rendered.params)))
  bench('layer.query(): same query', async () => do_not_optimize(await layer.query(small)))
})

const out = await run({ format: 'quiet' })
const rows = []
for (const trial of out.benchmarks) {
  const stats = trial.runs[0].stats
  results[trial.alias] = { p50_ns: stats.p50, p99_ns: stats.p99, avg_ns: stats.avg }
  rows.push(`| ${trial.alias} | ${(stats.p50 / 1000).toFixed(1)} µs | ${(stats.p99 / 1000).toFixed(1)} µs |`)
}
const raw = results['raw better-sqlite3: small grouped query']
const ours = results['layer.query(): same query']
const overhead = ours.p50_ns - raw.p50_ns
console.log(`\nMachine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, Node ${process.version}\n`)
console.log('| benchmark | p50 | p99 |\n| --- | --- | --- |')
console.log(rows.join('\n'))
console.log(`\nlayer.query() / raw driver (p50): ${(ours.p50_ns / raw.p50_ns).toFixed(3)}x, overhead ${(overhead / 1000).toFixed(1)} µs per query`)
mkdirSync(here('./results'), { recursive: true })
writeFileSync(here(`./results/bench-${Date.now()}.json`), JSON.stringify({ node: process.version, results }, null, 2))
await layer.close()
