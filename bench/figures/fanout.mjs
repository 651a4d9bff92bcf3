// Figure 4: the fan-out-safe SQL Cortex generates against the SQL a person would write by hand for the
// same numbers, both run by the raw driver (no layer in the timing), alternating, same process. Each
// pair is first checked to return the same rows.
import { engines, openEngine } from '../lib/engines.mjs'
import { runFigure, settings, sizes } from '../lib/figure.mjs'
import { FANOUT_QUERIES } from '../lib/queries.mjs'
import { compare, fmtRatio, fmtTime, log, sameRows, table } from '../lib/util.mjs'

const TARGET_RATIO = 1.5

/**
 * Samples per side: 10, fewer when one run is slow (about 12 s per side at most; never fewer than 4).
 * `ms` is the slower side's first (verification) run.
 */
function effort(ms) {
  const q = settings.quick ? 0.3 : 1
  const budget = 12_000 * q
  const minSamples = Math.max(4, Math.min(10, Math.floor(budget / Math.max(1, ms))))
  return { rounds: 2, minSamples, minTimeMs: Math.min(budget, minSamples * ms) / 2 }
}

await runFigure('4', async () => {
  const rows = []
  const data = []
  for (const engine of engines()) {
    for (const size of sizes()) {
      const env = await openEngine(engine, size)
      try {
        for (const { name, query, handWritten } of FANOUT_QUERIES) {
          log(`fan-out ${engine} ${size}: ${name}`)
          const generated = await env.layer.sql(query)
          const t0 = performance.now()
          const a = await env.rawCortex(generated.sql, generated.params)
          const t1 = performance.now()
          const b = await env.raw(handWritten, [])
          const slowest = Math.max(t1 - t0, performance.now() - t1)
          if (!sameRows(a, b)) throw new Error(`generated and hand-written SQL disagree for "${name}" on ${engine} ${size}:\n${JSON.stringify(a.slice(0, 3))}\n${JSON.stringify(b.slice(0, 3))}`)
          const stats = await compare({ generated: () => env.rawCortex(generated.sql, generated.params), handWritten: () => env.raw(handWritten, []) }, effort(slowest))
          const ratio = stats.generated.p50 / stats.handWritten.p50
          data.push({ engine, size, name, generatedSql: generated.sql, handWritten, generated: stats.generated, hand: stats.handWritten, ratio })
          rows.push([engine, size, name, fmtTime(stats.handWritten.p50), fmtTime(stats.handWritten.p99), fmtTime(stats.generated.p50), fmtTime(stats.generated.p99), fmtRatio(ratio), String(stats.generated.n)])
        }
      } finally {
        await env.close()
      }
    }
  }
  const verdicts = engines().map((engine) => {
    const mine = data.filter((d) => d.engine === engine)
    const worst = mine.reduce((w, d) => (d.ratio > w.ratio ? d : w), mine[0])
    return {
      figure: 4,
      target: `Fan-out-safe SQL within 1.5x of hand-written SQL (${engine})`,
      met: mine.every((d) => d.ratio <= TARGET_RATIO),
      value: `${mine.filter((d) => d.ratio <= TARGET_RATIO).length}/${mine.length} within 1.5x; worst ${fmtRatio(worst.ratio)} (${worst.size}, ${worst.name})`,
    }
  })
  const markdown = [
    'The SQL `layer.sql(q)` generates for fan-out queries (measures of cubes on both sides of one_to_many joins) against hand-written SQL that pre-aggregates the many side per key before joining (see `bench/lib/queries.mjs`). Both run through the raw driver, alternating; each pair returns the same rows (checked first). Ratio = generated p50 / hand-written p50.',
    '',
    table(['engine', 'orders', 'query', 'hand-written p50', 'hand-written p99', 'generated p50', 'generated p99', 'generated / hand', 'samples'], rows),
  ].join('\n')
  return { title: 'Figure 4. Fan-out-safe SQL against hand-written SQL', markdown, verdicts, data: { results: data } }
})
