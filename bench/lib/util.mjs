// Shared helpers: paths, progress output (stderr: stdout carries only the report), measurement on
// mitata, percentiles and formatting.
import { constants, PerformanceObserver } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { measure } from 'mitata'

/** A path relative to bench/. */
export const benchPath = (p) => fileURLToPath(new URL(`../${p}`, import.meta.url))

export function log(message) {
  process.stderr.write(`${message}\n`)
}

/** Percentile of sorted samples (nearest rank, as mitata computes its own). */
export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(p * (sorted.length - 1))))]
}

export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b)
  return {
    n: sorted.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    min: sorted[0],
    max: sorted[sorted.length - 1],
    avg: sorted.reduce((s, v) => s + v, 0) / sorted.length,
  }
}

/**
 * Time `fn` with mitata's `measure`, one sample per call (no batching, so p99 is the p99 of single
 * calls, not of batch averages). Times are nanoseconds.
 */
export async function sample(fn, { minSamples = 12, maxSamples = 1e6, minTimeMs = 500 } = {}) {
  const stats = await measure(fn, {
    batch_threshold: -1, // never batch: every sample is one call
    min_samples: minSamples,
    max_samples: maxSamples,
    min_cpu_time: minTimeMs * 1e6,
    samples_threshold: Number.MAX_SAFE_INTEGER, // keep every sample (mitata trims 2 at each end otherwise)
  })
  return stats.samples
}

/** Garbage collections during the current compare(): [start, duration] in ms, forced ones (mitata's gc()) left out. */
const collections = []
let observer

/**
 * Measure several functions in the same run, alternating between them for `rounds` rounds so drift
 * (caches, frequency, GC) lands on all of them alike. Returns summaries by name, in nanoseconds, each
 * with `gcPerCall`: the collector's time during that function's samples (from Node's `gc` performance
 * entries, collections forced by the harness left out) divided by its number of samples.
 */
export async function compare(
  cases,
  { rounds = 4, minSamples = 12, maxSamples = 1e6, minTimeMs = 1000, warmupMs = 0 } = {},
) {
  observer ??= new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      if (!((e.detail?.flags ?? 0) & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED))
        collections.push([e.startTime, e.duration])
  })
  observer.observe({ entryTypes: ['gc'] })
  collections.length = 0
  const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
  const blocks = []
  // Let the JIT tier up before anything is kept.
  if (warmupMs > 0) for (const fn of Object.values(cases)) await sample(fn, { minSamples: 2, minTimeMs: warmupMs })
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? Object.keys(cases) : Object.keys(cases).reverse()
    for (const name of order) {
      const from = performance.now()
      const got = await sample(cases[name], {
        minSamples: Math.ceil(minSamples / rounds),
        maxSamples: Math.ceil(maxSamples / rounds),
        minTimeMs: minTimeMs / rounds,
      })
      blocks.push({ name, from, to: performance.now() })
      for (const v of got) samples[name].push(v)
    }
  }
  // gc entries are delivered asynchronously: let the last ones arrive.
  await new Promise((resolve) => setTimeout(resolve, 20))
  const gcMs = Object.fromEntries(Object.keys(cases).map((k) => [k, 0]))
  for (const { name, from, to } of blocks)
    for (const [start, duration] of collections) if (start >= from && start < to) gcMs[name] += duration
  return Object.fromEntries(
    Object.entries(samples).map(([k, v]) => [k, { ...summarize(v), gcPerCall: (gcMs[k] * 1e6) / v.length }]),
  )
}

/** Format nanoseconds for people. */
export function fmtTime(ns) {
  if (ns === undefined || ns === null || Number.isNaN(ns)) return '—'
  if (ns < 0) return `−${fmtTime(-ns)}`
  if (ns < 1e3) return `${ns.toFixed(0)} ns`
  if (ns < 1e6) return `${(ns / 1e3).toFixed(ns < 1e4 ? 2 : 1)} µs`
  if (ns < 1e9) return `${(ns / 1e6).toFixed(ns < 1e7 ? 2 : 1)} ms`
  return `${(ns / 1e9).toFixed(2)} s`
}

export function fmtRatio(x, digits = 2) {
  return x === undefined || Number.isNaN(x) ? '—' : `${x.toFixed(digits)}x`
}

export function fmtBytes(bytes) {
  if (bytes === undefined || bytes === null) return '—'
  const abs = Math.abs(bytes)
  if (abs < 1024) return `${bytes.toFixed(0)} B`
  if (abs < 2 ** 20) return `${(bytes / 1024).toFixed(1)} KiB`
  if (abs < 2 ** 30) return `${(bytes / 2 ** 20).toFixed(1)} MiB`
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`
}

/** A markdown table from a header row and body rows. */
export function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

/** Rows compared as numbers rounded to 6 significant digits (float sums differ in the last bits by order). */
export function sameRows(a, b) {
  const norm = (rows) =>
    rows
      .map((row) =>
        Object.values(row)
          .map((v) => {
            if (v === null || v === undefined) return 'null'
            const n =
              typeof v === 'number'
                ? v
                : typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))
                  ? Number(v)
                  : undefined
            return n === undefined ? String(v) : Number(n.toPrecision(6)).toString()
          })
          .join('\u0001'),
      )
      .sort()
  const x = norm(a)
  const y = norm(b)
  return x.length === y.length && x.every((v, i) => v === y[i])
}
