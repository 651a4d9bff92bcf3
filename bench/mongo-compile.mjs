// Compile time of the ten bench queries (bench/lib/queries.mjs) to MongoDB pipelines against their compile
// time to SQL, in one process: `layer.sql(q)` on a layer over a MongoDB source and on one over SQLite, the
// compiled-query cache off so every call parses, normalizes, plans and prints. Rounds alternate between
// the two sides; per query the median of the rounds, then the ratio (pipeline / SQL). No server is
// involved (the MongoDB source is a `{ db }` that is never called).
//
// Usage (after `npm run build`): node bench/mongo-compile.mjs [iterations per round, default 300]
import Database from 'better-sqlite3'
import { createSemanticLayer, loadModel } from '../dist/index.js'
import { mongodb } from '../dist/mongodb.js'
import { sqlite } from '../dist/sqlite.js'
import { COMPILE_QUERIES } from './lib/queries.mjs'

const ITERATIONS = Number(process.argv[2] ?? 300)
const ROUNDS = 7
const model = await loadModel(new URL('../examples/ecommerce/model', import.meta.url).pathname)
const db = new Database(':memory:')
const never = {
  collection: () => ({
    aggregate: () => {
      throw new Error('not run')
    },
  }),
}
const sqlLayer = createSemanticLayer({
  model,
  connectors: { default: sqlite({ database: db }) },
  compiledQueries: false,
})
const mongoLayer = createSemanticLayer({
  model,
  connectors: { default: mongodb({ db: never, id: 'bench' }) },
  compiledQueries: false,
})

async function time(layer, query) {
  const started = performance.now()
  for (let i = 0; i < ITERATIONS; i++) await layer.sql(query)
  return ((performance.now() - started) * 1000) / ITERATIONS // µs per call
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const rows = []
for (const { name, query } of COMPILE_QUERIES) {
  await time(sqlLayer, query)
  await time(mongoLayer, query)
  const sql = []
  const mongo = []
  for (let r = 0; r < ROUNDS; r++) {
    sql.push(await time(sqlLayer, query))
    mongo.push(await time(mongoLayer, query))
  }
  rows.push({ name, sqlUs: median(sql), pipelineUs: median(mongo), ratio: median(mongo) / median(sql) })
}
const geomean = Math.exp(rows.reduce((s, r) => s + Math.log(r.ratio), 0) / rows.length)
for (const r of rows)
  console.log(`${r.ratio.toFixed(2)}×  sql ${r.sqlUs.toFixed(1)} µs  pipeline ${r.pipelineUs.toFixed(1)} µs  ${r.name}`)
console.log(`geometric mean of the ratios (pipeline / SQL): ${geomean.toFixed(2)}×`)
await sqlLayer.close()
await mongoLayer.close()
db.close()
