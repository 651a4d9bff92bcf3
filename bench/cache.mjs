// Cached query latency (p50, p99) with the memory and Redis adapters, against the same query uncached,
// measured in one run. Run after `npm run build`:
//   CORTEX_TEST_REDIS_URL=redis://127.0.0.1:6379 node bench/cache.mjs
// Without a Redis URL (CORTEX_TEST_REDIS_URL or REDIS_URL) the Redis rows are left out.
// Prints a markdown table; keys written to Redis live under a per-run prefix and are deleted at the end.
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { bench, do_not_optimize, run, summary } from 'mitata'
import { createSemanticLayer, loadModel } from '../dist/index.js'
import { redisCache } from '../dist/redis.js'
import { sqlite } from '../dist/sqlite.js'
import { createEcommerceSqlite, generateEcommerce } from '../examples/ecommerce/generate.mjs'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))
const db = new Database(':memory:')
createEcommerceSqlite(db, generateEcommerce({ orders: 20_000, customers: 2_000, products: 200 }))
const loaded = await loadModel(here('../examples/ecommerce/model'))
// Measure hits, not refreshes: with the default refresh key (every 10 s) a run would also time the one
// refresh per query and interval. The model is otherwise unchanged (a frozen definition is compiled as is).
const model = Object.freeze({
  ...loaded,
  cubes: loaded.cubes.map((c) => Object.freeze({ ...c, refresh_key: { every: '1 hour' } })),
})
const now = () => new Date('2025-06-15T12:00:00Z')
const redisUrl = process.env.CORTEX_TEST_REDIS_URL ?? process.env.REDIS_URL
const prefix = `cortex-bench:${process.pid}:`

const queries = {
  /** The "typical query": 3 members, 2 filters, one join. */
  typical: {
    measures: ['orders.count', 'orders.total_amount'],
    dimensions: ['customers.country'],
    filters: [
      { member: 'orders.status', operator: 'equals', values: ['paid', 'shipped'] },
      { member: 'customers.tier', operator: 'notEquals', values: ['bronze'] },
    ],
  },
  /** Three cubes with fan-out, by month in a named time zone: a heavier statement. */
  'fan-out': {
    measures: ['customers.count', 'orders.count', 'order_items.revenue'],
    dimensions: ['customers.tier'],
    timeDimensions: [{ dimension: 'orders.created_at', granularity: 'month', dateRange: ['2024-01-01', '2024-12-31'] }],
    timezone: 'Europe/Berlin',
  },
}

const layers = {
  uncached: createSemanticLayer({ model, connectors: { default: sqlite({ database: db }) }, now, cache: false }),
}
layers.memory = createSemanticLayer({ model, connectors: { default: sqlite({ database: db }) }, now })
const clients = []
if (redisUrl) {
  const { Redis } = await import('ioredis')
  const io = new Redis(redisUrl)
  clients.push(async () => io.disconnect())
  layers['redis (ioredis)'] = createSemanticLayer({
    model,
    connectors: { default: sqlite({ database: db }) },
    now,
    cache: redisCache({ client: io, prefix }),
  })
  const { createClient } = await import('redis')
  const nr = createClient({ url: redisUrl })
  nr.on('error', () => undefined)
  await nr.connect()
  clients.push(async () => nr.destroy())
  layers['redis (node-redis)'] = createSemanticLayer({
    model,
    connectors: { default: sqlite({ database: db }) },
    now,
    cache: redisCache({ client: nr, prefix }),
  })
}

// Every cached layer must actually serve hits: warm it and check.
for (const [name, layer] of Object.entries(layers)) {
  for (const q of Object.values(queries)) {
    await layer.query(q)
    const again = await layer.query(q)
    if (name !== 'uncached' && !again.cache.hit) throw new Error(`${name} did not hit after warming`)
  }
}

for (const [qName, q] of Object.entries(queries)) {
  summary(() => {
    for (const [name, layer] of Object.entries(layers)) {
      bench(`${qName} | ${name}`, async () => do_not_optimize(await layer.query(q)))
    }
  })
}

const out = await run({ format: 'quiet' })
const stats = Object.fromEntries(out.benchmarks.map((t) => [t.alias, t.runs[0].stats]))
const fmt = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1e3).toFixed(1)} µs`)

console.log(
  `\nMachine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, Node ${process.version}; SQLite in memory, 20 000 orders; Redis: ${redisUrl ?? 'not set (rows left out)'}\n`,
)
console.log('| query | cache | p50 | p99 | p50 uncached / p50 | p99 uncached / p99 |')
console.log('| --- | --- | --- | --- | --- | --- |')
for (const qName of Object.keys(queries)) {
  const base = stats[`${qName} | uncached`]
  for (const name of Object.keys(layers)) {
    const s = stats[`${qName} | ${name}`]
    const ratio = (a, b) => `${(a / b).toFixed(1)}×`
    console.log(
      `| ${qName} | ${name} | ${fmt(s.p50)} | ${fmt(s.p99)} | ${name === 'uncached' ? '1.0×' : ratio(base.p50, s.p50)} | ${name === 'uncached' ? '1.0×' : ratio(base.p99, s.p99)} |`,
    )
  }
}
console.log('\nCached rows are hits in the default mode (stale-if-slow), refresh_key every 1 hour; Redis on localhost.')

for (const layer of Object.values(layers)) await layer.close()
if (redisUrl) {
  const { Redis } = await import('ioredis')
  const admin = new Redis(redisUrl)
  let cursor = '0'
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    cursor = next
    if (keys.length > 0) await admin.del(...keys)
  } while (cursor !== '0')
  admin.disconnect()
}
for (const close of clients) await close()
db.close()
