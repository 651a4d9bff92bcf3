// Old build against new in one process: figure 1's ten queries compiled through layer.sql() (compiled-query
// cache off, as figure 1 measures), alternating between the two builds in rounds (ABBA). For a change to the
// compiler (planner or printer): build the base into another folder first, e.g.
//
//   git worktree add /tmp/plan-base main && cd /tmp/plan-base && cp -a <this repo>/node_modules . && npm run build
//   cd <this repo> && npm run build && BASE_DIST=/tmp/plan-base/dist node bench/compile-ab.mjs
//
// Prints one markdown row per query: p50 of each build and new/old. Quote ratios, not the times alone.
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import Database from 'better-sqlite3'
import { MODEL_DIR, NOW } from './lib/figure.mjs'
import { COMPILE_QUERIES } from './lib/queries.mjs'
import { compare, fmtTime } from './lib/util.mjs'

const base = process.env.BASE_DIST
if (!base) throw new Error('Set BASE_DIST to the dist folder of the build to compare against.')
const quick = process.env.BENCH_QUICK === '1'

async function layerOf(dist) {
  const root = await import(pathToFileURL(resolve(dist, 'index.js')).href)
  const { sqlite } = await import(pathToFileURL(resolve(dist, 'sqlite.js')).href)
  const model = await root.loadModel(MODEL_DIR)
  return root.createSemanticLayer({
    model,
    connectors: { default: sqlite({ database: new Database(':memory:') }) },
    now: NOW,
    cache: false,
    compiledQueries: 0,
  })
}

const oldLayer = await layerOf(base)
const newLayer = await layerOf(new URL('../dist', import.meta.url).pathname)
const options = { dialect: 'postgres' }
console.log('| query | old p50 | new p50 | new/old |')
console.log('| --- | ---: | ---: | ---: |')
const ratios = []
for (const { name, query } of COMPILE_QUERIES) {
  const [a, b] = [await oldLayer.sql(query, options), await newLayer.sql(query, options)]
  const same = a.sql === b.sql && JSON.stringify(a.params) === JSON.stringify(b.params)
  const stats = await compare(
    { old: () => oldLayer.sql(query, options), new: () => newLayer.sql(query, options) },
    { rounds: 6, minSamples: 60, minTimeMs: quick ? 300 : 3000, warmupMs: quick ? 100 : 500 },
  )
  const ratio = stats.new.p50 / stats.old.p50
  ratios.push(ratio)
  const row = [
    name,
    fmtTime(stats.old.p50),
    fmtTime(stats.new.p50),
    `${ratio.toFixed(2)}x${same ? '' : ' (SQL differs)'}`,
  ]
  console.log(`| ${row.join(' | ')} |`)
}
const geo = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length)
console.log(`\ngeometric mean new/old: ${geo.toFixed(2)}x`)
await oldLayer.close()
await newLayer.close()
