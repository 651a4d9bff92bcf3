// Each figure runs in its own Node process (a clean heap, no JIT state from another figure), started by
// bench/run.mjs with the path of a JSON file to write its result to.
import { writeFileSync } from 'node:fs'
import { benchPath, log } from './util.mjs'

export const MODEL_DIR = benchPath('../examples/ecommerce/model')
export const NOW = () => new Date('2025-06-15T12:00:00Z')

/** Settings passed from run.mjs through the environment. */
export const settings = {
  full: process.env.BENCH_FULL === '1',
  quick: process.env.BENCH_QUICK === '1',
  pgUrl: process.env.BENCH_PG_URL || undefined,
  mysqlUrl: process.env.BENCH_MYSQL_URL || undefined,
  redisUrl: process.env.BENCH_REDIS_URL || undefined,
  /** BENCH_SIZES=5M (comma-separated): exactly these dataset sizes, e.g. to add 5M figures in a run of their own. */
  sizes: process.env.BENCH_SIZES ? process.env.BENCH_SIZES.split(',').map((s) => s.trim()) : undefined,
}

for (const size of settings.sizes ?? []) {
  if (!['100k', '1M', '5M'].includes(size))
    throw new Error(`BENCH_SIZES: unknown size ${JSON.stringify(size)}; use 100k, 1M and/or 5M`)
}

/** Dataset sizes of this run: BENCH_SIZES if set; else 100k and 1M, 5M with BENCH_FULL=1 (100k only with BENCH_QUICK=1). */
export const sizes = () =>
  settings.sizes ?? (settings.quick ? ['100k'] : settings.full ? ['100k', '1M', '5M'] : ['100k', '1M'])

/**
 * Run a figure: `body` returns { title, markdown, verdicts, data }. Written to the file named by the
 * first argument; errors become a result with `error` set, so one broken figure never hides the others.
 */
export async function runFigure(id, body) {
  const out = process.argv[2]
  let result
  try {
    result = { id, ...(await body()) }
  } catch (error) {
    log(`figure ${id} failed: ${error?.stack ?? error}`)
    result = {
      id,
      title: `Figure ${id}`,
      error: String(error?.stack ?? error),
      markdown: `Figure ${id} failed: \`${String(error?.message ?? error).split('\n')[0]}\``,
      verdicts: [],
      data: {},
    }
  }
  if (out) writeFileSync(out, JSON.stringify(result, null, 2))
  else console.log(result.markdown)
  // Drivers and worker pools must not keep the process alive.
  process.exit(result.error ? 1 : 0)
}
