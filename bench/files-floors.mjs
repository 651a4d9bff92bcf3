// Floors under files(): how much of a load's time and memory SQLite and Node take before any parsing.
// Run by hand after bench/files.mjs has written the data: npm run build && node bench/files-floors.mjs
// Alternates, BENCH_FILES_RUNS times (default 3), in child processes: the files() load of the 1M-row
// orders CSV, DuckDB's read_csv of the same file, the insert-only floor (pre-parsed rows into SQLite the
// way the store inserts them) and Node's baseline RSS with the package and better-sqlite3 loaded.
import { execFileSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { DATA_DIR } from './lib/datasets.mjs'
import { benchPath } from './lib/util.mjs'

const RUNS = Number(process.env.BENCH_FILES_RUNS ?? 3)
const csv = readdirSync(DATA_DIR).find((f) => /^orders-all-.*\.csv$/.test(f))
if (!csv) throw new Error('no orders CSV: run node bench/files.mjs first')
const file = join(DATA_DIR, csv)
const fileMB = statSync(file).size / 1048576
const child = (script, ...args) =>
  JSON.parse(execFileSync(process.execPath, [benchPath(`children/${script}`), ...args], { encoding: 'utf8' }))
const samples = { files: [], duckdb: [], insert: [], baseline: [] }
for (let run = 0; run < RUNS; run++) {
  samples.files.push(child('files-load.mjs', 'files', file))
  samples.duckdb.push(child('files-load.mjs', 'duckdb', file))
  samples.insert.push(child('files-floor.mjs', 'insert', file))
  samples.baseline.push(child('files-floor.mjs', 'baseline', file))
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const range = (xs) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`
const ms = (how, key) => samples[how].map((s) => s[key])
const duck = median(ms('duckdb', 'loadMs'))
const load = median(ms('files', 'loadMs'))
const insert = median(ms('insert', 'insertMs'))
const base = median(ms('baseline', 'maxRssMB'))
const dbMB = samples.insert[0].dbMB
console.log(`files() floors, ${csv} (${fileMB.toFixed(1)} MiB), ${RUNS} runs each, medians (spread)`)
console.log(
  `files() load:              ${load.toFixed(0)} ms (${range(ms('files', 'loadMs'))}) = ${(load / duck).toFixed(2)}x DuckDB`,
)
console.log(`DuckDB read_csv:           ${duck.toFixed(0)} ms (${range(ms('duckdb', 'loadMs'))})`)
console.log(
  `SQLite insert-only floor:  ${insert.toFixed(0)} ms (${range(ms('insert', 'insertMs'))}) = ${(insert / duck).toFixed(2)}x DuckDB, ${((100 * insert) / load).toFixed(0)}% of the files() load`,
)
console.log(
  `files() peak RSS:          ${median(ms('files', 'maxRssMB')).toFixed(0)} MiB = ${(median(ms('files', 'maxRssMB')) / fileMB).toFixed(2)}x the file`,
)
console.log(
  `Node + package + driver:   ${base.toFixed(0)} MiB; SQLite database: ${dbMB.toFixed(1)} MiB; together ${(base + dbMB).toFixed(0)} MiB = ${((base + dbMB) / fileMB).toFixed(2)}x the file`,
)
