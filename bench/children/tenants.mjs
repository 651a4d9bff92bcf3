// Child process for figure 7 (run with --expose-gc): heap used by N tenants on per-tenant models.
// The model factory returns the same parsed definition (parsed once, as an app would cache its YAML);
// the layer compiles it once per tenant and keeps each tenant's compiled model in its LRU.
// Usage: node --expose-gc bench/children/tenants.mjs <tenants> <model folder>
import Database from 'better-sqlite3'
import { createSemanticLayer, loadModel } from '../../dist/index.js'
import { sqlite } from '../../dist/sqlite.js'

const tenants = Number(process.argv[2])
const definition = await loadModel(process.argv[3])
const query = { measures: ['orders.count', 'order_items.revenue'], dimensions: ['customers.tier'] }
const settle = async () => {
  for (let i = 0; i < 4; i++) {
    globalThis.gc()
    await new Promise((resolve) => setImmediate(resolve))
  }
  return process.memoryUsage().heapUsed
}

const layer = createSemanticLayer({
  model: () => definition,
  connectors: { default: sqlite({ database: new Database(':memory:') }) },
  contextToTenant: (ctx) => ctx.tenant,
  maxTenants: tenants,
  cache: false,
})
// One tenant first, so code paths and lazily built shared state are not counted per tenant.
await layer.sql(query, { securityContext: { tenant: 'warmup' } })
const before = await settle()
const started = performance.now()
for (let i = 0; i < tenants; i++) await layer.sql(query, { securityContext: { tenant: `tenant-${i}` } })
const ms = performance.now() - started
const after = await settle()
// Every tenant must still be resident (an LRU eviction would make the figure meaningless).
// Then calls to resident tenants, round robin (each touches another tenant's compiled model).
const times = []
for (let pass = 0; pass < 5; pass++) {
  for (let i = 0; i < tenants; i++) {
    const t0 = performance.now()
    await layer.sql(query, { securityContext: { tenant: `tenant-${i}` } })
    times.push(performance.now() - t0)
  }
}
times.sort((a, b) => a - b)
const residentQueryMs = times[Math.floor((times.length - 1) / 2)]
console.log(
  JSON.stringify({
    tenants,
    before,
    after,
    perTenant: (after - before) / tenants,
    firstQueryMs: ms / tenants,
    residentQueryMs,
  }),
)
await layer.close()
