// files(): from file to first answer, against DuckDB's read_csv and PostgreSQL's COPY on the same file.
// Run by hand (not a figure of npm run bench): npm run build && node bench/files.mjs
// (BENCH_FILES_CASES=1M runs the 1M-row CSV case only.)
//
// Data: the orders of the bench's 1M dataset as CSV (about 60 MB), and the first 100 000 orders as an
// .xlsx workbook (real date cells) and as CSV, all written under bench/results/data/ from the bench's
// SQLite file and reused. Each measurement runs in its own child process (bench/children/files-load.mjs),
// which reports its load time, its time to the first answer (a GROUP BY status over every row) and its
// peak RSS; runs alternate between the ways of loading, BENCH_FILES_RUNS times (default 3).
// Three ways for CSV: files() on SQLite (the default engine), files({ engine: 'duckdb' }) (the same loader,
// rows appended into DuckDB), and raw DuckDB read_csv (DuckDB's own parser and type sniffing, none of
// files()' semantics: the reference). @duckdb/node-api is the package's pinned devDependency. PostgreSQL runs when CORTEX_TEST_PG_URL is set (a random table, dropped after;
// server-side COPY reads the file, so the server must be on this machine).
import { execFileSync } from 'node:child_process'
import { copyFileSync, createWriteStream, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { DATA_DIR, ensureSqlite } from './lib/datasets.mjs'
import { benchPath, log } from './lib/util.mjs'

const require = createRequire(import.meta.url)
const RUNS = Number(process.env.BENCH_FILES_RUNS ?? 3)
const COLUMNS = ['id', 'customer_id', 'status', 'amount', 'discount', 'note', 'created_at', 'shipped_at']

function duckdbVersion() {
  return JSON.parse(readFileSync(benchPath('../node_modules/@duckdb/node-api/package.json'), 'utf8')).version
}

const csvValue = (v) =>
  v === null ? '' : /[",\r\n]/.test(String(v)) || v === '' ? `"${String(v).replace(/"/g, '""')}"` : String(v)

/** orders as CSV (the first `limit` rows), written once. */
async function ordersCsv(sqliteFile, version, limit) {
  const file = join(DATA_DIR, `orders-${limit ?? 'all'}-${version}.csv`)
  if (existsSync(file)) return file
  log(`writing ${file} …`)
  const db = new Database(sqliteFile, { readonly: true })
  const out = createWriteStream(`${file}.partial`)
  out.write(`${COLUMNS.join(',')}\n`)
  let buffer = ''
  for (const row of db
    .prepare(`SELECT ${COLUMNS.join(', ')} FROM orders ORDER BY id${limit ? ` LIMIT ${limit}` : ''}`)
    .raw(true)
    .iterate()) {
    buffer += `${row.map(csvValue).join(',')}\n`
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise((resolve) => out.once('drain', resolve))
      buffer = ''
    }
  }
  await new Promise((resolve) => out.end(buffer, resolve))
  db.close()
  execFileSync('mv', [`${file}.partial`, file])
  return file
}

/** The first `limit` orders as an .xlsx workbook with date cells, written once. */
function ordersXlsx(sqliteFile, version, limit) {
  const file = join(DATA_DIR, `orders-${limit}-${version}.xlsx`)
  if (existsSync(file)) return file
  log(`writing ${file} …`)
  const XLSX = require('@e965/xlsx')
  const db = new Database(sqliteFile, { readonly: true })
  const serial = (utc) => Date.parse(`${utc.replace(' ', 'T')}Z`) / 86_400_000 + 25_569
  const sheet = {}
  COLUMNS.forEach((c, i) => (sheet[XLSX.utils.encode_cell({ r: 0, c: i })] = { t: 's', v: c }))
  let r = 0
  for (const row of db
    .prepare(`SELECT ${COLUMNS.join(', ')} FROM orders ORDER BY id LIMIT ${limit}`)
    .raw(true)
    .iterate()) {
    r++
    row.forEach((v, c) => {
      if (v === null) return
      const cell = COLUMNS[c].endsWith('_at')
        ? { t: 'n', v: serial(v), z: 'yyyy-mm-dd hh:mm:ss' }
        : typeof v === 'number'
          ? { t: 'n', v }
          : { t: 's', v }
      sheet[XLSX.utils.encode_cell({ r, c })] = cell
    })
  }
  sheet['!ref'] = XLSX.utils.encode_range({ s: { r: 0, c: 0 }, e: { r, c: COLUMNS.length - 1 } })
  const book = XLSX.utils.book_new()
  XLSX.utils.book_append_sheet(book, sheet, 'orders')
  writeFileSync(file, XLSX.write(book, { type: 'buffer', bookType: 'xlsx', compression: true }))
  db.close()
  return file
}

function measure(how, file) {
  const out = execFileSync(process.execPath, [benchPath('children/files-load.mjs'), how, file], {
    encoding: 'utf8',
    env: process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return JSON.parse(out)
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const spread = (xs) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`

async function main() {
  if (!existsSync(benchPath('../dist/files.js'))) throw new Error('build first: npm run build')
  const duckdb = duckdbVersion()
  const { file: sqliteFile, version } = ensureSqlite('1M')
  const csv1M = await ordersCsv(sqliteFile, version)
  const csv100k = await ordersCsv(sqliteFile, version, 100_000)
  const xlsx100k = ordersXlsx(sqliteFile, version, 100_000)
  // Server-side COPY needs a path the PostgreSQL server can read.
  const pgCopy = (src) => {
    const dst = join(tmpdir(), `cortex-files-bench-${process.pid}-${src.split('/').pop()}`)
    copyFileSync(src, dst)
    execFileSync('chmod', ['644', dst])
    return dst
  }
  const pg = process.env.CORTEX_TEST_PG_URL ? { csv1M: pgCopy(csv1M), csv100k: pgCopy(csv100k) } : undefined

  const cases = [
    {
      name: '1M orders, CSV',
      file: csv1M,
      ways: [['files', csv1M], ['files-duckdb', csv1M], ['duckdb', csv1M], ...(pg ? [['postgres', pg.csv1M]] : [])],
    },
    {
      name: '100k orders, CSV',
      file: csv100k,
      ways: [
        ['files', csv100k],
        ['files-duckdb', csv100k],
        ['duckdb', csv100k],
        ...(pg ? [['postgres', pg.csv100k]] : []),
      ],
    },
    {
      name: '100k orders, .xlsx',
      file: xlsx100k,
      ways: [
        ['files', xlsx100k],
        ['files-duckdb', xlsx100k],
      ],
    },
  ]
  const report = { node: process.version, duckdb, loadBefore: loadavg(), runs: RUNS, cases: [] }
  const only = process.env.BENCH_FILES_CASES
  for (const c of only ? cases.filter((x) => x.name.startsWith(only)) : cases) {
    const samples = Object.fromEntries(c.ways.map(([how]) => [how, []]))
    for (let run = 0; run < RUNS; run++) {
      for (const [how, file] of c.ways) {
        const m = measure(how, file)
        samples[how].push(m)
        log(
          `${c.name} ${how} run ${run + 1}: load ${m.loadMs.toFixed(0)} ms, first answer ` +
            `${m.firstAnswerMs.toFixed(0)} ms, peak RSS ${m.maxRssMB.toFixed(0)} MiB`,
        )
      }
    }
    const size = statSync(c.file).size
    const summary = Object.fromEntries(
      Object.entries(samples).map(([how, ms]) => [
        how,
        {
          rows: ms[0].rows,
          loadMs: median(ms.map((m) => m.loadMs)),
          loadSpread: spread(ms.map((m) => m.loadMs)),
          firstAnswerMs: median(ms.map((m) => m.firstAnswerMs)),
          firstAnswerSpread: spread(ms.map((m) => m.firstAnswerMs)),
          rowsPerSecond: ms[0].rows / (median(ms.map((m) => m.loadMs)) / 1000),
          maxRssMB: median(ms.map((m) => m.maxRssMB)),
        },
      ]),
    )
    report.cases.push({ name: c.name, fileMB: size / 1048576, summary })
  }
  report.loadAfter = loadavg()
  if (pg) for (const f of Object.values(pg)) rmSync(f, { force: true })

  const lines = [
    `files(): file to first answer (Node ${process.version}, DuckDB ${duckdb}, ${RUNS} runs each, medians; load ` +
      `average ${report.loadBefore.map((l) => l.toFixed(1)).join('/')} before, ` +
      `${report.loadAfter.map((l) => l.toFixed(1)).join('/')} after)`,
    '',
  ]
  lines.push(
    '| data | file | loaded by | load (spread) | first answer (spread) | rows/s | peak RSS | RSS / file | load vs ' +
      'DuckDB | load vs PostgreSQL COPY |',
  )
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
  for (const c of report.cases) {
    const duck = c.summary.duckdb
    const post = c.summary.postgres
    for (const [how, s] of Object.entries(c.summary)) {
      const ratio = (other) =>
        other && how !== 'duckdb' && how !== 'postgres' ? `${(s.loadMs / other.loadMs).toFixed(2)}x` : ''
      lines.push(
        `| ${c.name} | ${c.fileMB.toFixed(1)} MiB | ${how} | ${s.loadMs.toFixed(0)} ms (${s.loadSpread}) | ` +
          `${s.firstAnswerMs.toFixed(0)} ms (${s.firstAnswerSpread}) | ` +
          `${Math.round(s.rowsPerSecond).toLocaleString('en')} | ${s.maxRssMB.toFixed(0)} MiB | ` +
          `${how === 'postgres' ? '(server)' : `${(s.maxRssMB / c.fileMB).toFixed(2)}x`} | ${ratio(duck)} | ` +
          `${ratio(post)} |`,
      )
    }
  }
  const text = lines.join('\n')
  console.log(text)
  writeFileSync(
    benchPath(`results/files-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
    JSON.stringify(report, null, 2),
  )
}

await main()
