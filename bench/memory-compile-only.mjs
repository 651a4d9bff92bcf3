// Heap of a server answering unique large compile-only requests (issue 16, finding 2): 500 POSTs to
// /cubejs-api/v1/sql through the node handler on a loopback port, each with `contains` filter values no
// other request has (~0.9 MB, or ~20 KB), and the heap after a full collection every 100 requests.
// test/http/memory-bounds.test.ts runs it and checks that the heap stays bounded.
//
// Usage (after `npm run build`): node --expose-gc bench/memory-compile-only.mjs [scenario] [dist folder]
//   scenario `many-values` (default): 90 values of 10 000 characters each, allowed by the default limits.
//   scenario `one-value`: one 900 000-character value (the reproduction), with maxFilterValueLength
//   raised to 1 000 000 so that it is accepted and reaches the caches.
//   scenario `medium`: 20 values of 1 000 characters (~20 KB): small enough to be kept in the compiled-query
//   cache, so its byte bound (32 MiB estimated by default) is what holds the heap.
// Prints one JSON line: { scenario, requests, heapMb: [after 0, 100, ..., 500 requests], statuses }.
import Database from 'better-sqlite3'
import { createServer } from 'node:http'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createEcommerceSqlite } from '../examples/ecommerce/generate.mjs'

const scenario = process.argv[2] ?? 'many-values'
const dist = resolve(process.argv[3] ?? new URL('../dist', import.meta.url).pathname)
const { createSemanticLayer, loadModel } = await import(pathToFileURL(`${dist}/index.js`).href)
const { sqlite } = await import(pathToFileURL(`${dist}/sqlite.js`).href)
const { createNodeHandler } = await import(pathToFileURL(`${dist}/http.js`).href)
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc')

const REQUESTS = 500
const STEP = 100
const db = new Database(':memory:')
createEcommerceSqlite(db)
const model = await loadModel(new URL('../examples/ecommerce/model', import.meta.url).pathname)
const layer = createSemanticLayer({
  model,
  connectors: { default: sqlite({ database: db }) },
  ...(scenario === 'one-value' ? { maxFilterValueLength: 1_000_000 } : {}),
})
const handler = createNodeHandler(layer)
const server = createServer(handler)
await new Promise((r) => server.listen(0, '127.0.0.1', r))
const url = `http://127.0.0.1:${server.address().port}/cubejs-api/v1/sql`

/** ~0.9 MB of filter values that no other request has. */
function values(i) {
  const tag = `${i.toString(36)}-`
  if (scenario === 'one-value') return [tag + 'x'.repeat(900_000 - tag.length)]
  if (scenario === 'medium') return Array.from({ length: 20 }, (_, j) => `${tag}${j}-`.padEnd(1_000, 'z'))
  return Array.from({ length: 90 }, (_, j) => `${tag}${j}-`.padEnd(10_000, 'y'))
}

async function heapMb() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc()
    await new Promise((r) => setImmediate(r))
  }
  return Math.round((process.memoryUsage().heapUsed / 2 ** 20) * 10) / 10
}

const statuses = {}
const heap = [await heapMb()]
for (let i = 1; i <= REQUESTS; i++) {
  const filters = [{ member: 'orders.status', operator: 'contains', values: values(i) }]
  const body = JSON.stringify({ query: { measures: ['orders.count'], dimensions: ['orders.status'], filters } })
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  await res.arrayBuffer()
  statuses[res.status] = (statuses[res.status] ?? 0) + 1
  if (i % STEP === 0) heap.push(await heapMb())
}
console.log(JSON.stringify({ scenario, requests: REQUESTS, heapMb: heap, statuses }))
server.closeAllConnections()
server.close()
await handler.close()
db.close()
