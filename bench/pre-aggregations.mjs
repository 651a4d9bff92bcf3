// Run by hand, not a figure: a rollup query against the same query on the source (SQLite), build time per
// partition, and the cost of choosing a rollup per query. `node bench/pre-aggregations.mjs` after
// `npm run build`; BENCH_SIZE=100k|1M|5M (default 100k; datasets are generated on first use).
import Database from 'better-sqlite3'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { createSemanticLayer, loadModel, sqliteStore } from '../dist/index.js'
import { sqlite } from '../dist/sqlite.js'
import { DATA_DIR, ensureSqlite } from './lib/datasets.mjs'
import { MODEL_DIR } from './lib/figure.mjs'
import { compare, fmtRatio, fmtTime, log } from './lib/util.mjs'

const size = process.env.BENCH_SIZE ?? '100k'
const { file } = ensureSqlite(size)
const store = join(DATA_DIR, `rollups-${size}.db`)
rmSync(store, { force: true })
rmSync(`${store}-wal`, { force: true })
rmSync(`${store}-shm`, { force: true })

const base = await loadModel(MODEL_DIR)
const rollup = {
  name: 'daily',
  measures: ['count', 'total_amount'],
  dimensions: ['status'],
  time_dimension: 'created_at',
  granularity: 'day',
  partition_granularity: 'month',
}
const model = {
  cubes: base.cubes.map((c) => (c.name === 'orders' ? { ...c, pre_aggregations: [rollup] } : c)),
  views: base.views,
}

const db = new Database(file)
const durations = []
const common = { model, connectors: { default: sqlite({ database: db }) }, cache: false, maxLimit: 50_000 }
const served = createSemanticLayer({
  ...common,
  preAggregations: {
    store: sqliteStore({ filename: store }),
    onEvent: (e) => e.type === 'finished' && durations.push(e.durationMs),
  },
})
const source = createSemanticLayer({ ...common, preAggregations: false })

const started = performance.now()
const summary = await served.preAggregations.build()
const buildMs = performance.now() - started
if (summary.failed.length > 0) throw summary.failed[0].error
durations.sort((a, b) => a - b)
log(
  `${size}: built ${summary.built.length} partitions in ${buildMs.toFixed(0)} ms; per partition median ${durations[durations.length >> 1]} ms, max ${durations.at(-1)} ms`,
)

const q = {
  measures: ['orders.count', 'orders.total_amount'],
  dimensions: ['orders.status'],
  timeDimensions: [{ dimension: 'orders.created_at', granularity: 'month', dateRange: ['2024-01-01', '2024-12-31'] }],
}
const a = await served.query(q)
const b = await source.query(q)
if (!a.usedPreAggregations) throw new Error('the rollup did not serve the benchmark query')
// Same rows; sums over REAL columns to 1e-9 relative (floating-point sums depend on the order of addition).
const close = (x, y) =>
  x === y || (typeof x === 'number' && typeof y === 'number' && Math.abs(x - y) <= 1e-9 * Math.abs(y))
const same =
  a.data.length === b.data.length && a.data.every((r, i) => Object.keys(r).every((k) => close(r[k], b.data[i][k])))
if (!same) throw new Error('rollup and source rows differ')

const query = await compare(
  { rollup: () => served.query(q), source: () => source.query(q) },
  { rounds: 3, minTimeMs: 1500, minSamples: 5 },
)
log(
  `query: source p50 ${fmtTime(query.source.p50)} / rollup p50 ${fmtTime(query.rollup.p50)} = ${fmtRatio(query.source.p50 / query.rollup.p50, 0)} faster from the rollup`,
)

// Choosing a rollup: sql() compiles from the compiled-query cache; with rollups built it also routes
// (cached per compiled query and build). explain() decides afresh every call (match, rewrite, plan, render).
const choose = await compare(
  { routed: () => served.sql(q), plain: () => source.sql(q), explain: () => served.preAggregations.explain(q) },
  { rounds: 3, minTimeMs: 1000 },
)
log(
  `sql(): plain ${fmtTime(choose.plain.p50)}, routed ${fmtTime(choose.routed.p50)} (routing adds ${fmtTime(choose.routed.p50 - choose.plain.p50)})`,
)
log(
  `explain() (uncached decision incl. rewrite, plan, render): ${fmtTime(choose.explain.p50)}, ${fmtTime(choose.explain.p50 - choose.plain.p50)} over plain sql()`,
)

await served.close()
await source.close()
db.close()
