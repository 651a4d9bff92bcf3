// npm run bench: every figure of docs/performance.md, measured in one run.
//
//   npm run bench                                   SQLite at 100k and 1M orders (~10 minutes on 2 cores)
//   BENCH_FULL=1 npm run bench                      adds the 5M-order dataset
//   BENCH_PG_URL=postgres://… BENCH_MYSQL_URL=mysql://… npm run bench
//                                                   adds PostgreSQL / MySQL to figures 3 and 4
//   BENCH_REDIS_URL=redis://… npm run bench         adds the Redis cache to figure 6
//   BENCH_ONLY=compile,fanout npm run bench         only some figures (compile, model-size, e2e, fanout, cached-query, memory)
//   BENCH_SIZES=5M BENCH_ONLY=e2e,fanout npm run bench  exactly these dataset sizes (100k, 1M, 5M)
//   BENCH_QUICK=1 npm run bench                     100k only and short sampling: a smoke test, not figures
//   BENCH_SKIP_CUBE=1 npm run bench                 figure 2 without installing Cube's compiler
//   BENCH_WRITE_DOCS=1 npm run bench                also replace the generated block of docs/performance.md
//   BENCH_MERGE=bench/results/a.json,bench/results/b.json node bench/run.mjs
//                                                   one report from earlier runs' JSON (a later file's figure
//                                                   replaces an earlier one of the same name); measures nothing
//
// Figures are ratios measured in the same process and run (never assertions on absolute time); each
// figure runs in its own Node process. Output: a markdown report on stdout (progress on stderr), JSON
// and markdown in bench/results/ (git-ignored). Datasets are generated once into bench/results/data/.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, release, totalmem, type } from 'node:os'
import { ensureSqlite } from './lib/datasets.mjs'
import { settings, sizes } from './lib/figure.mjs'
import { benchPath, log, table } from './lib/util.mjs'

const FIGURES = [
  ['compile', 'figures/compile.mjs'],
  ['model-size', 'figures/model-size.mjs'],
  ['e2e', 'figures/e2e.mjs'],
  ['fanout', 'figures/fanout.mjs'],
  ['cached-query', 'figures/cached-query.mjs'],
  ['memory', 'figures/memory.mjs'],
]

const started = Date.now()
if (process.env.BENCH_MERGE) {
  merge(process.env.BENCH_MERGE.split(',').map((f) => f.trim()))
  process.exit(0)
}
if (!existsSync(benchPath('../dist/index.js'))) {
  console.error('dist/ is missing: run `npm run build` first (npm run bench does).')
  process.exit(1)
}
// Read when the run starts (npm run bench has just built dist/ from this working tree).
const runBuild = build()
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : undefined
const selected = FIGURES.filter(([name]) => !only || only.has(name))
if (selected.length === 0) {
  console.error(`BENCH_ONLY matched no figure; use some of: ${FIGURES.map(([n]) => n).join(', ')}`)
  process.exit(1)
}

const machine = `${cpus()[0]?.model?.trim() ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, ${type()} ${release()}, Node ${process.version}`
const engines = ['SQLite', ...(settings.pgUrl ? ['PostgreSQL'] : []), ...(settings.mysqlUrl ? ['MySQL'] : [])]
log(`cortex-semantic benchmarks — ${machine}`)
log(`datasets: ${sizes().join(', ')} orders; engines: ${engines.join(', ')}${settings.redisUrl ? '; Redis cache' : ''}`)

// Datasets first (generated once, then reused), so figure timings never include generation.
if (selected.some(([name]) => ['e2e', 'fanout', 'cached-query', 'memory'].includes(name))) {
  for (const size of sizes()) ensureSqlite(size)
}

const resultsDir = benchPath('results')
mkdirSync(resultsDir, { recursive: true })
const figures = []
for (const [name, script] of selected) {
  const out = benchPath(`results/.figure-${name}-${process.pid}.json`)
  const t0 = Date.now()
  log(`\n== ${name}`)
  try {
    execFileSync(process.execPath, ['--expose-gc', benchPath(script), out], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: process.env,
    })
  } catch {
    // The figure wrote its error into its result file (or died before it could).
  }
  const result = existsSync(out)
    ? JSON.parse(readFileSync(out, 'utf8'))
    : {
        id: name,
        title: name,
        error: 'the figure process died without a result',
        markdown: `${name}: the figure process died without a result.`,
        verdicts: [],
        data: {},
      }
  rmSync(out, { force: true })
  result.name = name
  result.seconds = Math.round((Date.now() - t0) / 1000)
  log(`   ${result.error ? 'FAILED' : 'done'} in ${result.seconds} s`)
  figures.push(result)
}

const seconds = Math.round((Date.now() - started) / 1000)
const command = [
  settings.full ? 'BENCH_FULL=1' : '',
  settings.pgUrl ? 'BENCH_PG_URL=…' : '',
  settings.mysqlUrl ? 'BENCH_MYSQL_URL=…' : '',
  settings.redisUrl ? 'BENCH_REDIS_URL=…' : '',
  settings.quick ? 'BENCH_QUICK=1' : '',
  settings.sizes ? `BENCH_SIZES=${settings.sizes.join(',')}` : '',
  only ? `BENCH_ONLY=${[...only].join(',')}` : '',
  'npm run bench',
]
  .filter(Boolean)
  .join(' ')
const json = {
  machine,
  node: process.version,
  date: new Date(started).toISOString(),
  command,
  build: runBuild,
  seconds,
  sizes: sizes(),
  engines,
  settings: {
    ...settings,
    pgUrl: Boolean(settings.pgUrl),
    mysqlUrl: Boolean(settings.mysqlUrl),
    redisUrl: Boolean(settings.redisUrl),
  },
  figures,
}
const header = `Machine: ${machine}. Command: \`${command}\` (build ${json.build}). Datasets: ${sizes().join(', ')} orders (deterministic, examples/ecommerce/generate.mjs); engines: ${engines.join(', ')}. Run took ${Math.floor(seconds / 60)} min ${seconds % 60} s on ${new Date(started).toISOString().slice(0, 10)}.`
writeReport(header, figures, json, new Date(started))

/** The working tree's commit as `git describe` gives it (`-dirty` with uncommitted changes), or 'unknown'. */
function build() {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], {
      cwd: benchPath('..'),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
  } catch {
    return 'unknown'
  }
}

/** The markdown report of `figures`; written to stdout, bench/results/ and (BENCH_WRITE_DOCS=1) docs/performance.md. */
function writeReport(header, figures, json, when) {
  const verdictMark = (met) => (met === true ? 'met' : met === false ? '**missed**' : '—')
  const verdictRows = figures.flatMap((f) =>
    f.verdicts.map((v) => [String(v.figure), v.target, v.value, verdictMark(v.met)]),
  )
  const report = [
    header,
    '',
    '### Targets',
    '',
    table(['figure', 'target', 'measured', 'verdict'], verdictRows),
    ...figures.flatMap((f) => ['', `### ${f.title}`, '', f.markdown]),
  ].join('\n')
  console.log(`\n## cortex-semantic benchmarks\n\n${report}\n`)
  const stamp = when.toISOString().replace(/[:.]/g, '-')
  writeFileSync(benchPath(`results/bench-${stamp}.json`), JSON.stringify(json, null, 2))
  writeFileSync(benchPath(`results/bench-${stamp}.md`), `${report}\n`)
  log(`wrote bench/results/bench-${stamp}.json and .md`)
  if (process.env.BENCH_WRITE_DOCS !== '1') return
  const docs = benchPath('../docs/performance.md')
  const begin = '<!-- bench:begin (generated by BENCH_WRITE_DOCS=1 npm run bench; edit around it) -->'
  const end = '<!-- bench:end -->'
  const text = existsSync(docs) ? readFileSync(docs, 'utf8') : `# Performance\n\n${begin}\n${end}\n`
  const a = text.indexOf(begin)
  const b = text.indexOf(end)
  if (a < 0 || b < a) log('docs/performance.md has no generated block; not written')
  else {
    writeFileSync(docs, `${text.slice(0, a + begin.length)}\n\n${report}\n\n${text.slice(b)}`)
    log('updated the generated block of docs/performance.md')
  }
}

/**
 * BENCH_MERGE: one report from earlier runs (same machine expected; each run's command and date are listed).
 * A later run replaces a figure of an earlier one; figures that depend on the dataset size (3 and 4) are
 * kept per set of sizes, so a `BENCH_SIZES=5M` run adds its figures after the 100k/1M ones.
 */
function merge(files) {
  // A bare file name is looked up in bench/results/, where runs write their JSON.
  const runs = files.map((f) =>
    JSON.parse(readFileSync(existsSync(f) || f.includes('/') ? f : benchPath(`results/${f}`), 'utf8')),
  )
  const bySize = new Set(['e2e', 'fanout'])
  const keyOf = (run, f) => (bySize.has(f.name) ? `${f.name}@${run.sizes.join(',')}` : f.name)
  const byName = new Map()
  for (const run of runs) {
    for (const f of run.figures) {
      if (f.error) continue
      const key = keyOf(run, f)
      byName.set(key, {
        ...f,
        title: bySize.has(f.name) ? `${f.title} (${run.sizes.join(', ')} orders)` : f.title,
        sizes: run.sizes,
      })
    }
  }
  const order = FIGURES.map(([name]) => name)
  const merged = [...byName.entries()].sort(
    ([a], [b]) => order.indexOf(a.split('@')[0]) - order.indexOf(b.split('@')[0]),
  )
  const figures = merged.map(([, f]) => f)
  const chosen = new Set(merged.map(([key]) => key))
  const machines = [...new Set(runs.map((r) => r.machine))]
  const used = runs
    .map((r) => ({
      run: r,
      names: r.figures
        .filter((f) => !f.error && chosen.has(keyOf(r, f)) && byName.get(keyOf(r, f)).data === f.data)
        .map((f) => f.name),
    }))
    .filter((u) => u.names.length > 0)
  const parts = used.map(
    ({ run: r, names }) =>
      `\`${r.command}\` on ${r.date.slice(0, 16).replace('T', ' ')} UTC (${Math.floor(r.seconds / 60)} min ${r.seconds % 60} s, build ${r.build ?? 'not recorded'}) for ${names.join(', ')}`,
  )
  const builds = new Set(used.map((u) => u.run.build ?? 'not recorded'))
  const header = `Machine: ${machines.join('; ')}. Assembled with BENCH_MERGE from ${parts.length} runs of ${builds.size === 1 && !builds.has('not recorded') ? 'the same build' : 'the builds listed'}: ${parts.join('; ')}. Datasets: ${[...new Set(used.flatMap((u) => u.run.sizes))].join(', ')} orders (deterministic, examples/ecommerce/generate.mjs); engines: ${[...new Set(used.flatMap((u) => u.run.engines))].join(', ')}.`
  writeReport(
    header,
    figures,
    { merged: files, runs: runs.map(({ figures: _, ...rest }) => rest), figures },
    new Date(),
  )
}
