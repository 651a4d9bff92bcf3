// Child process for figure 7: peak RSS while reading every order of a dataset, one way per process
// (peak RSS is per process). Usage: node bench/children/stream.mjs <sqlite file> <mode>
//   layer-stream: for await (const row of layer.stream(q))      (Cortex, bounded memory)
//   raw-iterate:  for (const row of stmt.iterate(...params))     (better-sqlite3, same SQL)
//   layer-query:  the same rows through layer.query() in pages of 50 000 (everything a page holds is in memory at once)
import Database from 'better-sqlite3'
import { createSemanticLayer, loadModel } from '../../dist/index.js'
import { sqlite } from '../../dist/sqlite.js'
import { MODEL_DIR } from '../lib/figure.mjs'
import { STREAM_QUERY } from '../lib/queries.mjs'

const [file, mode] = process.argv.slice(2)
const db = new Database(file, { readonly: true })
const layer = createSemanticLayer({
  model: await loadModel(MODEL_DIR),
  connectors: { default: sqlite({ database: db }) },
  cache: false,
})
await layer.healthCheck()
// layer.sql() renders the query with its row limit as the last parameter; the raw reader runs that same
// statement with LIMIT -1 (no limit in SQLite), as layer.stream() reads every row.
const rendered = await layer.sql(STREAM_QUERY)
if (!/LIMIT \?$/.test(rendered.sql)) throw new Error(`unexpected statement: ${rendered.sql}`)
const rawParams = [...rendered.params.slice(0, -1), -1]

let peak = 0
const watch = () => {
  const rss = process.memoryUsage.rss()
  if (rss > peak) peak = rss
}
const baseline = process.memoryUsage.rss()
const started = performance.now()
let rows = 0
let checksum = 0
if (mode === 'layer-stream') {
  for await (const row of layer.stream(STREAM_QUERY)) {
    checksum += row['orders.amount']
    if (++rows % 10_000 === 0) watch()
  }
} else if (mode === 'raw-iterate') {
  const stmt = db.prepare(rendered.sql)
  for (const row of stmt.iterate(...rawParams)) {
    checksum += row.orders__amount
    if (++rows % 10_000 === 0) watch()
  }
} else if (mode === 'layer-query') {
  for (let offset = 0; ; offset += 50_000) {
    const { data } = await layer.query({ ...STREAM_QUERY, limit: 50_000, offset })
    watch()
    for (const row of data) checksum += row['orders.amount']
    rows += data.length
    if (data.length < 50_000) break
  }
} else throw new Error(`unknown mode ${mode}`)
watch()
const maxRss = process.resourceUsage().maxRSS * 1024
console.log(
  JSON.stringify({
    mode,
    rows,
    baseline,
    peak: Math.max(peak, maxRss),
    ms: performance.now() - started,
    checksum: Math.round(checksum),
  }),
)
await layer.close()
