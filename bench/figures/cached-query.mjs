// Figure 6: layer.query() served from the result cache (memory adapter; Redis when BENCH_REDIS_URL is
// set), against the same query uncached and the raw driver, same process, 100k-order SQLite dataset.
import { createRequire } from 'node:module'
import { openEngine } from '../lib/engines.mjs'
import { runFigure, settings } from '../lib/figure.mjs'
import { CACHE_QUERY } from '../lib/queries.mjs'
import { compare, fmtRatio, fmtTime, log, table } from '../lib/util.mjs'

const require = createRequire(import.meta.url)
const TARGET_NS = 20_000
const SIZE = '100k'

await runFigure('6', async () => {
  const q = settings.quick ? 0.3 : 1
  const base = await openEngine('sqlite', SIZE)
  try {
    // Does this build have a result cache? (`result.cache` is set by layers that do.)
    const probe = await openEngine('sqlite', SIZE, { cache: undefined })
    const first = await probe.layer.query(CACHE_QUERY)
    const second = await probe.layer.query(CACHE_QUERY)
    await probe.close()
    if (first.cache === undefined) {
      return {
        title: 'Figure 6. Cached query latency',
        markdown:
          'Pending: this build of Cortex has no result cache (`result.cache` is not set). The code path is ready in `bench/figures/cached-query.mjs`.',
        verdicts: [
          {
            figure: 6,
            target: 'Cached query p50 under 20 µs in memory',
            met: null,
            value: 'pending: no result cache in this build',
          },
        ],
        data: { pending: true },
      }
    }
    if (!second.cache?.hit) throw new Error('a repeated query was not served from the default cache')

    const index = await import('../../dist/index.js')
    const adapters = [
      ['memory', index.memoryCache ? () => index.memoryCache() : () => undefined, async () => undefined],
      // The same hit when the query is compiled on every call (a query with a relative date range is never kept compiled).
      [
        'memory (compiled-query cache off)',
        index.memoryCache ? () => index.memoryCache() : () => undefined,
        async () => undefined,
        { compiledQueries: 0 },
      ],
    ]
    if (settings.redisUrl) {
      const { redisCache } = await import('../../dist/redis.js')
      const Redis = require('ioredis')
      const client = new Redis(settings.redisUrl)
      adapters.push([
        'redis',
        () => redisCache({ client, prefix: `cortex-bench-${process.pid}:` }),
        async () => client.quit(),
      ])
    }

    const rawRendered = await base.layer.sql(CACHE_QUERY)
    log('cache: uncached layer.query() and raw driver')
    const reference = await compare(
      { raw: () => base.raw(rawRendered.sql, rawRendered.params), uncached: () => base.layer.query(CACHE_QUERY) },
      { rounds: 2, minSamples: 20, minTimeMs: 2000 * q },
    )

    const rows = [
      ['raw driver (no cache)', fmtTime(reference.raw.p50), fmtTime(reference.raw.p99), '—', String(reference.raw.n)],
      [
        'layer.query(), cache off',
        fmtTime(reference.uncached.p50),
        fmtTime(reference.uncached.p99),
        '—',
        String(reference.uncached.n),
      ],
    ]
    const data = { reference, adapters: {} }
    const verdicts = []
    for (const [name, make, cleanup, layerOptions = {}] of adapters) {
      log(`cache: ${name} hits`)
      const cache = make()
      const env = await openEngine('sqlite', SIZE, { cache, ...layerOptions })
      try {
        await env.layer.query(CACHE_QUERY) // fill
        let misses = 0
        const hit = async () => {
          const r = await env.layer.query(CACHE_QUERY)
          if (!r.cache.hit) misses++
          return r
        }
        const stats = (await compare({ hit }, { rounds: 1, minSamples: 200, minTimeMs: 2000 * q, warmupMs: 300 * q }))
          .hit
        data.adapters[name] = { ...stats, misses }
        rows.push([
          `layer.query(), ${name} cache hit`,
          fmtTime(stats.p50),
          fmtTime(stats.p99),
          fmtRatio(reference.uncached.p50 / stats.p50, 0),
          `${stats.n} (${misses} not hits)`,
        ])
        if (name === 'memory')
          verdicts.push({
            figure: 6,
            target: 'Cached query p50 under 20 µs in memory',
            met: stats.p50 < TARGET_NS,
            value: `p50 ${fmtTime(stats.p50)}, p99 ${fmtTime(stats.p99)}; ${fmtRatio(reference.uncached.p50 / stats.p50, 0)} faster than uncached`,
          })
        else if (name.startsWith('memory'))
          verdicts.push({
            figure: 6,
            target: 'Cached query p50 in memory when the query is compiled on every call (reported)',
            met: null,
            value: `p50 ${fmtTime(stats.p50)}, p99 ${fmtTime(stats.p99)}`,
          })
        else
          verdicts.push({
            figure: 6,
            target: `Cached query latency with ${name} (reported, no target)`,
            met: null,
            value: `p50 ${fmtTime(stats.p50)}, p99 ${fmtTime(stats.p99)}`,
          })
      } finally {
        await env.close()
        await cleanup()
      }
    }
    if (!settings.redisUrl) rows.push(['layer.query(), redis cache hit', '—', '—', '—', 'not run: set BENCH_REDIS_URL'])
    const markdown = [
      `\`${JSON.stringify(CACHE_QUERY)}\` on the ${SIZE}-order SQLite dataset (5 rows). A hit finds the compiled query in the layer's compiled-query cache (keyed by the query text and a digest of the security context; with \`compiledQueries: 0\` it parses, authorizes, normalizes, plans and renders it again), keys the result by a digest of the SQL and parameters, reads the invalidation generations and refresh-key values (default \`every: 10 second\`), then decodes and shapes the stored rows. Speed-up = uncached p50 / hit p50. *Not hits*: sampled calls that reached the database because the 10-second refresh-key bucket turned.`,
      '',
      table(['path', 'p50', 'p99', 'speed-up', 'samples'], rows),
    ].join('\n')
    return { title: 'Figure 6. Cached query latency', markdown, verdicts, data }
  } finally {
    await base.close()
  }
})
