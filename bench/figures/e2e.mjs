// Figure 3: layer.query() end to end against the raw driver running the identical SQL (the statement
// layer.sql() returns, same parameters, same connection settings), at each dataset size, alternating
// between the two in the same process. Result cache off: every layer.query() reaches the database.
import { engines, openEngine } from '../lib/engines.mjs'
import { runFigure, settings, sizes } from '../lib/figure.mjs'
import { E2E_QUERIES } from '../lib/queries.mjs'
import { compare, fmtTime, log, table } from '../lib/util.mjs'

const TARGET_SMALL_NS = 100_000
const TARGET_PCT = 5

/**
 * Sampling effort: the small query gets thousands of samples; large ones 24, fewer when one run is slow
 * (about 10 s per side at most, never fewer than 6). `ms` is the first (verification) run.
 */
function effort(key, ms) {
  const q = settings.quick ? 0.3 : 1
  if (key === 'small') return { rounds: 4, minSamples: 400, minTimeMs: 3000 * q, warmupMs: 300 * q }
  const budget = 10_000 * q
  const minSamples = Math.max(6, Math.min(24, Math.floor(budget / Math.max(1, ms))))
  return {
    rounds: minSamples >= 12 ? 4 : 2,
    minSamples,
    minTimeMs: Math.min(budget, minSamples * ms) / 2,
    warmupMs: Math.min(300, ms),
  }
}

await runFigure('3', async () => {
  const rows = []
  const data = []
  for (const engine of engines()) {
    for (const size of sizes()) {
      const env = await openEngine(engine, size)
      // The same layer with the compiled-query cache off: small results then include compiling the query.
      const cold = await openEngine(engine, size, { compiledQueries: 0 })
      try {
        for (const { key, name, query } of E2E_QUERIES) {
          log(`e2e ${engine} ${size}: ${name}`)
          const rendered = await env.layer.sql(query)
          const t0 = performance.now()
          const result = await env.layer.query(query)
          const ms = performance.now() - t0
          if (result.cache?.hit) throw new Error('the result cache answered: figure 3 must reach the database')
          const rawRows = await env.rawCortex(rendered.sql, rendered.params)
          // The statement asks for limit + 1 rows to detect truncation; the layer returns at most limit.
          if (Math.min(rawRows.length, query.limit ?? Infinity) !== result.data.length)
            throw new Error(`row counts differ: raw ${rawRows.length}, layer ${result.data.length}`)
          const cases = { raw: () => env.rawCortex(rendered.sql, rendered.params), layer: () => env.layer.query(query) }
          if (key === 'small') cases.cold = () => cold.layer.query(query)
          const stats = await compare(cases, effort(key, ms))
          const overheadNs = stats.layer.p50 - stats.raw.p50
          const pct = (stats.layer.p50 / stats.raw.p50 - 1) * 100
          const coldOverheadNs = stats.cold ? stats.cold.p50 - stats.raw.p50 : undefined
          data.push({
            engine,
            size,
            key,
            name,
            rows: result.data.length,
            raw: stats.raw,
            layer: stats.layer,
            overheadNs,
            overheadPct: pct,
            cold: stats.cold,
            coldOverheadNs,
          })
          rows.push([
            engine,
            size,
            name,
            String(result.data.length),
            fmtTime(stats.raw.p50),
            fmtTime(stats.raw.p99),
            fmtTime(stats.layer.p50),
            fmtTime(stats.layer.p99),
            `${fmtTime(overheadNs)} (${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%)`,
            coldOverheadNs === undefined ? '—' : fmtTime(coldOverheadNs),
            `${fmtTime(stats.raw.gcPerCall)} / ${fmtTime(stats.layer.gcPerCall)}`,
            String(stats.layer.n),
          ])
        }
      } finally {
        await env.close()
        await cold.close()
      }
    }
  }

  const verdicts = []
  for (const engine of engines()) {
    const small = data.filter((d) => d.engine === engine && d.key === 'small')
    const worstSmall = Math.max(...small.map((d) => d.overheadNs))
    verdicts.push({
      figure: 3,
      target: `layer.query() overhead under 100 µs on small results (${engine})`,
      met: worstSmall < TARGET_SMALL_NS,
      value: small
        .map((d) => `${d.size}: ${fmtTime(d.overheadNs)} (${fmtTime(d.coldOverheadNs)} compiling the query each call)`)
        .join(', '),
    })
    const big = data.filter((d) => d.engine === engine && d.size === '1M' && d.key !== 'small')
    if (big.length) {
      verdicts.push({
        figure: 3,
        target: `layer.query() overhead under 5% of the raw driver at 1M rows (${engine})`,
        met: big.every((d) => d.overheadPct < TARGET_PCT),
        value: big
          .map(
            (d) => `${d.key}: ${d.overheadPct >= 0 ? '+' : ''}${d.overheadPct.toFixed(1)}% (${fmtTime(d.overheadNs)})`,
          )
          .join(', '),
      })
    }
  }

  const markdown = [
    '`layer.query(q)` against the raw driver running the SQL `layer.sql(q)` returns, with the same parameters and connection settings (better-sqlite3: a cached prepared statement, `.all()`; pg: `pool.query` with timestamps kept as text; mysql2: `pool.execute` with Cortex\'s value options). Result cache off. The two alternate in the same process; overhead = layer p50 − raw p50 (and as % of raw). "small" is a one-row primary-key lookup; "many rows" returns 50 000 rows through Cortex\'s row shaping (member-keyed objects, numbers converted). The layer keeps its default compiled-query cache, so a repeated query is not compiled again; *overhead, compiling each call* is the small query on a layer with `compiledQueries: 0`, sampled in the same rounds. *GC per call* is the time the garbage collector ran during each side\'s samples, divided by its samples: on large results it is a large part of the difference between the two sides, and it moves with the heap\'s state from run to run (docs/performance.md, Method).',
    '',
    table(
      [
        'engine',
        'orders',
        'query',
        'rows',
        'raw p50',
        'raw p99',
        'layer p50',
        'layer p99',
        'overhead (p50)',
        'overhead, compiling each call (p50)',
        'GC per call, raw / layer',
        'samples',
      ],
      rows,
    ),
  ].join('\n')

  return { title: 'Figure 3. layer.query() against the raw driver', markdown, verdicts, data: { results: data } }
})
