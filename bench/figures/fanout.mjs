// Figure 4: the fan-out-safe SQL Cortex generates against the SQL a person would write by hand for the
// same numbers, both run by the raw driver (no layer in the timing) with the session settings Cortex's
// connector uses (`rawCortex`: on MariaDB, split materialization off), alternating, same process. Each
// pair is first checked to return the same rows. A pair that fails (a statement over the engine's
// 120 s limit, say) is reported as a row and counts as missed; the other pairs still run.
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
          const run = {
            generated: () => env.rawCortex(generated.sql, generated.params),
            handWritten: () => env.rawCortex(handWritten, []),
          }
          try {
            const t0 = performance.now()
            const a = await run.generated()
            const t1 = performance.now()
            const b = await run.handWritten()
            const slowest = Math.max(t1 - t0, performance.now() - t1)
            if (!sameRows(a, b))
              throw new Error(
                `generated and hand-written SQL disagree for "${name}" on ${engine} ${size}:\n${JSON.stringify(a.slice(0, 3))}\n${JSON.stringify(b.slice(0, 3))}`,
              )
            const stats = await compare(run, effort(slowest))
            const ratio = stats.generated.p50 / stats.handWritten.p50
            data.push({
              engine,
              size,
              name,
              generatedSql: generated.sql,
              handWritten,
              generated: stats.generated,
              hand: stats.handWritten,
              ratio,
            })
            rows.push([
              engine,
              size,
              name,
              fmtTime(stats.handWritten.p50),
              fmtTime(stats.handWritten.p99),
              fmtTime(stats.generated.p50),
              fmtTime(stats.generated.p99),
              fmtRatio(ratio),
              String(stats.generated.n),
            ])
          } catch (error) {
            if (/disagree/.test(String(error?.message))) throw error
            const message = String(error?.message ?? error).split('\n')[0]
            log(`  failed: ${message}`)
            data.push({
              engine,
              size,
              name,
              generatedSql: generated.sql,
              handWritten,
              error: message,
              ratio: Number.POSITIVE_INFINITY,
            })
            rows.push([engine, size, name, '—', '—', '—', '—', `failed: ${message}`, '0'])
          }
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
      value: `${mine.filter((d) => d.ratio <= TARGET_RATIO).length}/${mine.length} within 1.5x; worst ${worst.error ? `failed: ${worst.error}` : fmtRatio(worst.ratio)} (${worst.size}, ${worst.name})`,
    }
  })
  const markdown = [
    "The SQL `layer.sql(q)` generates for fan-out queries (measures of cubes on both sides of one_to_many joins) against hand-written SQL that pre-aggregates the many side per key before joining (see `bench/lib/queries.mjs`). Both run through the raw driver with the session settings of Cortex's connector (on MariaDB each statement, hand-written too, runs with `split_materialized=off`, see docs/fan-out.md), alternating; each pair returns the same rows (checked first). Ratio = generated p50 / hand-written p50. Statements are stopped after 120 s; a pair that fails is shown as failed and counts as missed.",
    '',
    table(
      [
        'engine',
        'orders',
        'query',
        'hand-written p50',
        'hand-written p99',
        'generated p50',
        'generated p99',
        'generated / hand',
        'samples',
      ],
      rows,
    ),
  ].join('\n')
  return { title: 'Figure 4. Fan-out-safe SQL against hand-written SQL', markdown, verdicts, data: { results: data } }
})
