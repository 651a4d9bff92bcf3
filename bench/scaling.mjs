// Scale-out on one machine: 1, 2, 3 and 4 Cortex instances (separate Node processes running the HTTP
// handler, bench/children/scaling-server.mjs) against one PostgreSQL and one Redis, under a closed-loop
// load generator in this process that spreads requests round-robin over the instances (what a load
// balancer does). Two workloads per instance count:
//   uncached: result cache off, every request runs its SQL on PostgreSQL (200 distinct queries).
//   cached:   one Redis cache shared by every instance (same prefix), 20 distinct queries warmed once
//             through instance 1: the other instances serve them without computing them again.
// Throughput (requests/s), p50 / p99 latency, what each instance computed on PostgreSQL and served from the
// shared cache (warm-up included), and the machine's load average before and after
// each run: the machine's cores are shared with PostgreSQL, Redis, the load generator and anything else
// running, so read the figures with that column. Run after `npm run build`:
//   CORTEX_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test CORTEX_TEST_REDIS_URL=redis://127.0.0.1:6379 \
//     node bench/scaling.mjs [--seconds 6] [--concurrency 32] [--instances 1,2,3,4]
import { spawn } from 'node:child_process'
import { Agent, request } from 'node:http'
import { cpus, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { ensurePostgres, ensureSqlite } from './lib/datasets.mjs'
import { benchPath, log, percentile, table } from './lib/util.mjs'

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '6' },
    concurrency: { type: 'string', default: '32' },
    instances: { type: 'string', default: '1,2,3,4' },
  },
})
const SECONDS = Number(args.seconds)
const CONCURRENCY = Number(args.concurrency)
const COUNTS = args.instances.split(',').map(Number)
const pgUrl = process.env.CORTEX_TEST_PG_URL ?? process.env.BENCH_PG_URL
const redisUrl = process.env.CORTEX_TEST_REDIS_URL ?? process.env.BENCH_REDIS_URL
if (!pgUrl || !redisUrl) throw new Error('Set CORTEX_TEST_PG_URL and CORTEX_TEST_REDIS_URL.')

const { file, version } = ensureSqlite('100k')
const { schema } = await ensurePostgres(pgUrl, '100k', file, version)

const STATUSES = ['pending', 'paid', 'shipped', 'cancelled', 'refunded']
/** 200 distinct queries: revenue by category and month, for one status and a 30-day window among 40. */
function uncachedQuery(i) {
  const start = new Date(Date.UTC(2024, 0, 1) + (i % 40) * 7 * 86_400_000)
  const end = new Date(start.getTime() + 29 * 86_400_000)
  return {
    measures: ['orders.count', 'orders.total_amount'],
    dimensions: ['customers.country'],
    timeDimensions: [
      { dimension: 'orders.created_at', dateRange: [start.toISOString().slice(0, 10), end.toISOString().slice(0, 10)] },
    ],
    filters: [{ member: 'orders.status', operator: 'equals', values: [STATUSES[Math.floor(i / 40) % 5]] }],
  }
}
const cachedQuery = (i) => uncachedQuery(i % 20)

async function startInstances(n, cache, prefix) {
  const children = []
  for (let i = 0; i < n; i++) {
    const child = spawn(process.execPath, [benchPath('children/scaling-server.mjs')], {
      env: {
        ...process.env,
        SCALING_PG_URL: pgUrl,
        SCALING_SCHEMA: schema,
        SCALING_REDIS_URL: redisUrl,
        SCALING_PREFIX: prefix,
        SCALING_CACHE: cache,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const entry = { child, port: 0, out: '' }
    const port = await new Promise((resolve, reject) => {
      child.stdout.on('data', (d) => {
        entry.out += d
        const m = /ready (\d+)/.exec(entry.out)
        if (m) resolve(Number(m[1]))
      })
      child.on('exit', (code) => reject(new Error(`instance exited with ${code}`)))
    })
    entry.port = port
    children.push(entry)
  }
  return children
}

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })
function post(port, query) {
  const body = JSON.stringify({ query })
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/cubejs-api/v1/load',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume()
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** Closed loop: CONCURRENCY clients, each sending its next request when the last one answered. */
async function load(ports, queryOf, seconds) {
  const latencies = []
  let next = 0
  let errors = 0
  const until = performance.now() + seconds * 1000
  const client = async () => {
    while (performance.now() < until) {
      const i = next++
      const started = performance.now()
      try {
        await post(ports[i % ports.length], queryOf(i))
        latencies.push(performance.now() - started)
      } catch {
        errors++
      }
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: CONCURRENCY }, client))
  const elapsed = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  return {
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    n: latencies.length,
    errors,
  }
}

const rows = []
const data = []
for (const workload of ['uncached', 'cached']) {
  for (const n of COUNTS) {
    const prefix = `cortex-scaling:${process.pid}:${workload}:${n}:`
    const instances = await startInstances(n, workload === 'cached' ? 'redis' : 'off', prefix)
    const ports = instances.map((i) => i.port)
    const queryOf = workload === 'cached' ? cachedQuery : uncachedQuery
    // Warm-up: JIT and pools on every instance; for `cached`, the 20 results computed once through instance 1.
    if (workload === 'cached') for (let i = 0; i < 20; i++) await post(ports[0], cachedQuery(i))
    await load(ports, queryOf, 1.5)
    const before = loadavg()[0]
    const r = await load(ports, queryOf, SECONDS)
    const after = loadavg()[0]
    for (const { child } of instances) child.kill('SIGTERM')
    await Promise.all(
      instances.map(
        ({ child }) => new Promise((resolve) => (child.exitCode !== null ? resolve() : child.on('exit', resolve))),
      ),
    )
    // Per instance over the whole run (warm-up included): requests computed on PostgreSQL / served from the cache.
    const served = instances.map(({ out }) => JSON.parse(/counts (\{.*\})/.exec(out)?.[1] ?? '{"hits":0,"computed":0}'))
    const computed = served.map((c) => c.computed).join('/')
    const hits = served.map((c) => c.hits).join('/')
    log(`${workload} ×${n}: ${r.rps.toFixed(0)} req/s, p99 ${r.p99.toFixed(1)} ms, computed ${computed}, hits ${hits}`)
    data.push({ workload, instances: n, ...r, loadBefore: before, loadAfter: after, served })
    const base = data.find((d) => d.workload === workload && d.instances === COUNTS[0])
    rows.push([
      workload,
      String(n),
      r.rps.toFixed(0),
      `${(r.rps / base.rps).toFixed(2)}×`,
      r.p50.toFixed(1),
      r.p99.toFixed(1),
      String(r.errors),
      computed,
      hits,
      `${before.toFixed(1)} → ${after.toFixed(1)}`,
    ])
  }
}
agent.destroy()
console.log(
  `\n${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${CONCURRENCY} concurrent clients, ${SECONDS} s per run, Node ${process.version}\n`,
)
console.log(
  table(
    [
      'workload',
      'instances',
      'req/s',
      'vs 1',
      'p50 ms',
      'p99 ms',
      'errors',
      'computed per instance',
      'cache hits per instance',
      'load avg (1 min)',
    ],
    rows,
  ),
)
console.log(`\n${JSON.stringify(data)}`)
