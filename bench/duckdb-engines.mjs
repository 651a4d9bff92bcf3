// DuckDB against SQLite: the ten bench queries (figure 1's, lib/queries.mjs) on the same data, through
// layer.query() and raw (the identical SQL each layer renders, on its own driver), at 1M orders and, with
// BENCH_SIZES=1M,5M, 5M. Run by hand (not a figure of npm run bench):
//   npm run build && node bench/duckdb-engines.mjs
//
// Data: the bench's SQLite file (lib/datasets.mjs) and a DuckDB file made from it once (results/data/,
// tables exported as CSV and read with DuckDB's read_csv into typed columns: TIMESTAMP, DECIMAL(12,2),
// BOOLEAN), both opened read-only. Result cache off: every call reaches the engine. Each query is checked
// to give the same rows on both engines first; cases alternate (lib/util.mjs compare). DuckDB uses every
// core it is given (BENCH_DUCKDB_THREADS, default DuckDB's own: the machine's cores); SQLite one.
import { execFileSync } from 'node:child_process'
import { createWriteStream, existsSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { DuckDBInstance } from '@duckdb/node-api'
import { createSemanticLayer, loadModel } from '../dist/index.js'
import { duckdb } from '../dist/duckdb.js'
import { sqlite } from '../dist/sqlite.js'
import { DATA_DIR, ensureSqlite } from './lib/datasets.mjs'
import { MODEL_DIR, NOW } from './lib/figure.mjs'
import { COMPILE_QUERIES } from './lib/queries.mjs'
import { benchPath, compare, fmtRatio, fmtTime, log, sameRows, table } from './lib/util.mjs'

const SIZES = (process.env.BENCH_SIZES ?? '1M').split(',')
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 4)
// BENCH_QUERIES=0,1,9: only these of the ten (by position in lib/queries.mjs), e.g. to leave out the fan-out
// query (6), which SQLite answers in minutes at 1M orders.
const ONLY = process.env.BENCH_QUERIES?.split(',').map(Number)

const DDL = {
  customers:
    'id INTEGER PRIMARY KEY, name VARCHAR, email VARCHAR, city VARCHAR, country VARCHAR, tier VARCHAR, is_active BOOLEAN, created_at TIMESTAMP',
  products: 'id INTEGER PRIMARY KEY, name VARCHAR, category VARCHAR, price DECIMAL(12,2)',
  orders:
    'id INTEGER PRIMARY KEY, customer_id INTEGER, status VARCHAR, amount DECIMAL(12,2), discount DECIMAL(12,2), note VARCHAR, created_at TIMESTAMP, shipped_at TIMESTAMP',
  order_items:
    'id INTEGER PRIMARY KEY, order_id INTEGER, product_id INTEGER, quantity INTEGER, unit_price DECIMAL(12,2)',
}

const csvValue = (v) =>
  v === null ? '' : /[",\r\n]/.test(String(v)) || v === '' ? `"${String(v).replace(/"/g, '""')}"` : String(v)

/** The SQLite dataset as a DuckDB file with native types, made once per dataset version. */
async function ensureDuckdbFile(sqliteFile, size, version) {
  const file = join(DATA_DIR, `ecommerce-${size}-${version}.duckdb`)
  if (existsSync(file)) return file
  log(`making ${file} from ${sqliteFile} …`)
  const db = new Database(sqliteFile, { readonly: true })
  const partial = `${file}.partial`
  rmSync(partial, { force: true })
  const instance = await DuckDBInstance.create(partial)
  const con = await instance.connect()
  for (const [t, ddl] of Object.entries(DDL)) {
    const columns = ddl.split(', ').map((c) => c.split(' ')[0])
    const csv = join(DATA_DIR, `export-${size}-${t}.csv`)
    const out = createWriteStream(csv)
    let buffer = `${columns.join(',')}\n`
    for (const row of db
      .prepare(`SELECT ${columns.join(', ')} FROM ${t}`)
      .raw(true)
      .iterate()) {
      buffer += `${row.map(csvValue).join(',')}\n`
      if (buffer.length > 1 << 20) {
        if (!out.write(buffer)) await new Promise((resolve) => out.once('drain', resolve))
        buffer = ''
      }
    }
    await new Promise((resolve) => out.end(buffer, resolve))
    await con.run(`CREATE TABLE ${t} (${ddl})`)
    await con.run(`INSERT INTO ${t} SELECT * FROM read_csv('${csv}', header = true, all_varchar = true)`)
    rmSync(csv)
  }
  con.closeSync()
  instance.closeSync()
  db.close()
  execFileSync('mv', [partial, file])
  return file
}

async function main() {
  if (!existsSync(benchPath('../dist/duckdb.js'))) throw new Error('build first: npm run build')
  const model = await loadModel(MODEL_DIR)
  const report = { node: process.version, loadBefore: loadavg(), sizes: [] }
  const lines = []
  for (const size of SIZES) {
    const { file: sqliteFile, version } = ensureSqlite(size)
    const duckFile = await ensureDuckdbFile(sqliteFile, size, version)
    const sdb = new Database(sqliteFile, { readonly: true })
    const options = { model, now: NOW, cache: false, maxLimit: 50_000 }
    const lite = createSemanticLayer({ ...options, connectors: { default: sqlite({ database: sdb }) } })
    const instance = await DuckDBInstance.create(duckFile, {
      access_mode: 'READ_ONLY',
      ...(process.env.BENCH_DUCKDB_THREADS ? { threads: process.env.BENCH_DUCKDB_THREADS } : {}),
    })
    const duck = createSemanticLayer({ ...options, connectors: { default: duckdb({ instance }) } })
    await lite.healthCheck()
    await duck.healthCheck()
    const rawCon = await instance.connect()
    await rawCon.run("SET TimeZone = 'UTC'")
    const statements = new Map()
    const rawSqlite = (sql, params) => {
      let stmt = statements.get(sql)
      if (!stmt) statements.set(sql, (stmt = sdb.prepare(sql)))
      return stmt.all(...params)
    }
    // The driver's plain JS values (getRowObjectsJS): what a hand-written app on @duckdb/node-api gets.
    const rawDuck = async (sql, params) => (await rawCon.runAndReadAll(sql, params)).getRowObjectsJS()
    const rows = []
    const data = []
    for (const [index, { name, query }] of COMPILE_QUERIES.entries()) {
      if (ONLY && !ONLY.includes(index)) continue
      log(`${size}: ${name}`)
      const [ls, ds] = [await lite.sql(query), await duck.sql(query)]
      const [lr, dr] = [await lite.query(query), await duck.query(query)]
      if (!sameRows(lr.data, dr.data)) throw new Error(`${name}: SQLite and DuckDB answer different rows`)
      const stats = await compare(
        {
          sqlite: () => lite.query(query),
          duckdb: () => duck.query(query),
          rawSqlite: () => rawSqlite(ls.sql, ls.params),
          rawDuckdb: () => rawDuck(ds.sql, ds.params),
        },
        { rounds: 2, minSamples: SAMPLES, minTimeMs: 0, warmupMs: 0 },
      )
      const p = (k) => stats[k].p50
      data.push({ name, rows: lr.data.length, stats })
      log(
        `  rows ${lr.data.length}: layer SQLite ${fmtTime(p('sqlite'))}, DuckDB ${fmtTime(p('duckdb'))}; raw SQLite ` +
          `${fmtTime(p('rawSqlite'))}, DuckDB ${fmtTime(p('rawDuckdb'))}`,
      )
      rows.push([
        name,
        String(lr.data.length),
        fmtTime(p('sqlite')),
        fmtTime(p('duckdb')),
        fmtRatio(p('sqlite') / p('duckdb'), 1),
        fmtTime(p('rawSqlite')),
        fmtTime(p('rawDuckdb')),
        fmtRatio(p('rawSqlite') / p('rawDuckdb'), 1),
        `${fmtRatio(p('sqlite') / p('rawSqlite'))} / ${fmtRatio(p('duckdb') / p('rawDuckdb'))}`,
      ])
    }
    rawCon.closeSync()
    await lite.close()
    await duck.close()
    instance.closeSync()
    sdb.close()
    report.sizes.push({ size, data })
    lines.push(`### ${size} orders`, '')
    lines.push(
      table(
        [
          'query',
          'rows',
          'SQLite layer p50',
          'DuckDB layer p50',
          'SQLite / DuckDB (layer)',
          'SQLite raw p50',
          'DuckDB raw p50',
          'SQLite / DuckDB (raw)',
          'layer / raw (SQLite / DuckDB)',
        ],
        rows,
      ),
      '',
    )
  }
  report.loadAfter = loadavg()
  const header =
    `DuckDB against SQLite (Node ${process.version}, ${SAMPLES} samples per case, medians; load average ` +
    `${report.loadBefore.map((l) => l.toFixed(1)).join('/')} before, ` +
    `${report.loadAfter.map((l) => l.toFixed(1)).join('/')} after)`
  console.log([header, '', ...lines].join('\n'))
  writeFileSync(
    benchPath(`results/duckdb-engines-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
    JSON.stringify(report, (_k, v) => (typeof v === 'bigint' ? String(v) : v), 2),
  )
}

await main()
