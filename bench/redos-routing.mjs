// How long the HTTP handler takes to route a path ending in a long run of slashes (issue 16, finding 5:
// the router trimmed them with /\/+$/, quadratic in the run, before authentication).
//
// Usage (after `npm run build`): node bench/redos-routing.mjs [dist folder] [slash counts...]
//   Default counts: 15000 150000 1500000. Against an older build, keep the counts small: it is quadratic.
// Prints one JSON line per count: the median of 5 requests through the fetch handler (no sockets, so the
// URL's length is not capped by Node's header limit), and then the scenario over a loopback
// server: 20 requests of 15 000 slashes in flight, then how long GET /healthz waits behind them.
import { createServer } from 'node:http'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const dist = resolve(process.argv[2] ?? new URL('../dist', import.meta.url).pathname)
const counts = process.argv.length > 3 ? process.argv.slice(3).map(Number) : [15_000, 150_000, 1_500_000]
const { createSemanticLayer } = await import(pathToFileURL(`${dist}/index.js`).href)
const { createFetchHandler, createNodeHandler } = await import(pathToFileURL(`${dist}/http.js`).href)
const layer = createSemanticLayer({ model: { cubes: [] }, connectors: {} })

const handle = createFetchHandler(layer)
for (const n of counts) {
  const url = `http://localhost/cubejs-api/v1/load${'/'.repeat(n)}x`
  const times = []
  for (let i = 0; i < 5; i++) {
    const request = new Request(url)
    const started = performance.now()
    const response = await handle(request)
    times.push(performance.now() - started)
    await response.arrayBuffer()
  }
  times.sort((a, b) => a - b)
  console.log(JSON.stringify({ slashes: n, medianMs: Math.round(times[2] * 100) / 100 }))
}

const node = createNodeHandler(layer)
const server = createServer({ maxHeaderSize: 64 * 1024 }, node)
await new Promise((r) => server.listen(0, '127.0.0.1', r))
const origin = `http://127.0.0.1:${server.address().port}`
const slashes = `${origin}/x${'/'.repeat(15_000)}y`
const attack = Array.from({ length: 20 }, () =>
  fetch(slashes)
    .then((r) => r.arrayBuffer())
    .catch(() => undefined),
)
const started = performance.now()
await (await fetch(`${origin}/healthz`)).arrayBuffer()
const healthzMs = performance.now() - started
await Promise.all(attack)
console.log(JSON.stringify({ scenario: '20 x 15000 slashes, then /healthz', healthzMs: Math.round(healthzMs) }))
server.closeAllConnections()
server.close()
await handle.close()
