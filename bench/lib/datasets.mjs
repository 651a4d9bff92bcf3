// Deterministic benchmark datasets: the e-commerce generator at 100k, 1M and 5M orders, written once to
// SQLite files under bench/results/data/ (git-ignored) and reused by later runs; PostgreSQL and MySQL
// copies are loaded from those files (identical rows) into their own schema/database and reused too.
import { createHash } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { benchPath, log } from './util.mjs'

const require = createRequire(import.meta.url)

/** Bump when the loaders change in a way that changes the stored data. */
const LOADER_VERSION = 1

export const DATA_DIR = benchPath('results/data')

/** Sizes by name. Customers and products scale with orders so joins keep their shape. */
export const SIZES = {
  '100k': { orders: 100_000, customers: 5_000, products: 500 },
  '1M': { orders: 1_000_000, customers: 50_000, products: 500 },
  '5M': { orders: 5_000_000, customers: 250_000, products: 500 },
}

const TABLES = ['customers', 'products', 'orders', 'order_items']
const COLUMNS = {
  customers: ['id', 'name', 'email', 'city', 'country', 'tier', 'is_active', 'created_at'],
  products: ['id', 'name', 'category', 'price'],
  orders: ['id', 'customer_id', 'status', 'amount', 'discount', 'note', 'created_at', 'shipped_at'],
  order_items: ['id', 'order_id', 'product_id', 'quantity', 'unit_price'],
}

/** A short digest of everything that decides the rows: the generator's source, the sizes, the loader. */
function dataVersion(size) {
  const generator = readFileSync(benchPath('../examples/ecommerce/generate.mjs'))
  return createHash('sha256')
    .update(generator)
    .update(JSON.stringify(SIZES[size]))
    .update(String(LOADER_VERSION))
    .digest('hex')
    .slice(0, 10)
}

/** Path of the SQLite file for `size`, generating it (in a child process) when missing or stale. */
export function ensureSqlite(size) {
  const spec = SIZES[size]
  const version = dataVersion(size)
  mkdirSync(DATA_DIR, { recursive: true })
  const file = join(DATA_DIR, `ecommerce-${size}-${version}.sqlite`)
  if (existsSync(file)) return { file, version, generated: false }
  // Remove stale files of the same size (older generator) so the folder does not grow without bound.
  for (const f of readdirSync(DATA_DIR))
    if (f.startsWith(`ecommerce-${size}-`)) rmSync(join(DATA_DIR, f), { force: true })
  log(`generating the ${size} dataset (${spec.orders.toLocaleString('en')} orders) into ${file} …`)
  const started = performance.now()
  const out = execFileSync(
    process.execPath,
    [
      '--max-old-space-size=16384',
      benchPath('lib/make-sqlite.mjs'),
      String(spec.orders),
      String(spec.customers),
      String(spec.products),
      file,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  )
  log(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s: ${out.trim()}`)
  return { file, version, generated: true }
}

/** Row counts of a SQLite dataset file. */
export function countRows(file) {
  const db = new Database(file, { readonly: true })
  try {
    return Object.fromEntries(TABLES.map((t) => [t, db.prepare(`SELECT count(*) AS n FROM ${t}`).get().n]))
  } finally {
    db.close()
  }
}

function* batches(db, table, size) {
  const stmt = db.prepare(`SELECT ${COLUMNS[table].join(', ')} FROM ${table} ORDER BY id`).raw(true)
  let batch = []
  for (const row of stmt.iterate()) {
    batch.push(row)
    if (batch.length >= size) {
      yield batch
      batch = []
    }
  }
  if (batch.length) yield batch
}

// ---- PostgreSQL ---------------------------------------------------------------------------------

const PG_TYPES = {
  customers: ['integer', 'text', 'text', 'text', 'text', 'text', 'boolean', 'timestamp(3)'],
  products: ['integer', 'text', 'text', 'numeric(12,2)'],
  orders: ['integer', 'integer', 'text', 'numeric(12,2)', 'numeric(12,2)', 'text', 'timestamp(3)', 'timestamp(3)'],
  order_items: ['integer', 'integer', 'integer', 'integer', 'numeric(12,2)'],
}
const PG_NOT_NULL = {
  customers: [1, 1, 0, 0, 1, 1, 1, 1],
  products: [1, 1, 0, 1],
  orders: [1, 1, 1, 1, 0, 0, 1, 0],
  order_items: [1, 1, 1, 1, 1],
}

/** Schema name holding the PostgreSQL copy of `size`. */
export const pgSchema = (size) => `cortex_bench_${size.toLowerCase()}`

/**
 * Load the SQLite dataset into schema cortex_bench_<size> of the database at `url` (native types, as in
 * the integration suite), unless a complete copy of the same version is already there. Rows go in
 * 20 000 at a time as one INSERT … SELECT FROM unnest($1::int[], $2::text[], …) per batch: one
 * round trip and one parameter per column, close to COPY without needing pg-copy-streams.
 */
export async function ensurePostgres(url, size, sqliteFile, version) {
  const pg = require('pg')
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const schema = pgSchema(size)
  try {
    const existing = await client.query(`SELECT to_regclass($1) AS t`, [`${schema}.cortex_bench_meta`])
    if (existing.rows[0].t) {
      const meta = await client.query(`SELECT version FROM "${schema}".cortex_bench_meta`)
      if (meta.rows[0]?.version === version) return { schema, loaded: false }
    }
    log(`loading the ${size} dataset into PostgreSQL schema ${schema} …`)
    const started = performance.now()
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await client.query(`CREATE SCHEMA "${schema}"`)
    await client.query(`SET search_path TO "${schema}"`)
    for (const table of TABLES) {
      const cols = COLUMNS[table].map(
        (c, i) =>
          `${c} ${PG_TYPES[table][i]}${PG_NOT_NULL[table][i] ? ' NOT NULL' : ''}${c === 'id' ? ' PRIMARY KEY' : ''}`,
      )
      await client.query(`CREATE TABLE ${table} (${cols.join(', ')})`)
    }
    const db = new Database(sqliteFile, { readonly: true })
    try {
      for (const table of TABLES) {
        const cols = COLUMNS[table]
        const unnest = cols.map((_, i) => `$${i + 1}::${PG_TYPES[table][i].replace(/\(.*\)/, '')}[]`).join(', ')
        const sql = `INSERT INTO ${table} (${cols.join(', ')}) SELECT * FROM unnest(${unnest})`
        for (const batch of batches(db, table, 20_000)) {
          const arrays = cols.map((c, i) => batch.map((row) => (c === 'is_active' ? row[i] === 1 : row[i])))
          await client.query(sql, arrays)
        }
      }
    } finally {
      db.close()
    }
    await client.query('CREATE INDEX order_items_order_id ON order_items (order_id)')
    await client.query('CREATE INDEX orders_customer_id ON orders (customer_id)')
    await client.query('ANALYZE')
    await client.query('CREATE TABLE cortex_bench_meta (version text NOT NULL)')
    await client.query('INSERT INTO cortex_bench_meta VALUES ($1)', [version])
    log(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    return { schema, loaded: true }
  } finally {
    await client.end()
  }
}

// ---- MySQL / MariaDB ----------------------------------------------------------------------------

const MY_TYPES = {
  customers: [
    'INT',
    'VARCHAR(200)',
    'VARCHAR(200)',
    'VARCHAR(200)',
    'VARCHAR(100)',
    'VARCHAR(20)',
    'TINYINT(1)',
    'DATETIME(3)',
  ],
  products: ['INT', 'VARCHAR(200)', 'VARCHAR(200)', 'DECIMAL(12,2)'],
  orders: ['INT', 'INT', 'VARCHAR(20)', 'DECIMAL(12,2)', 'DECIMAL(12,2)', 'VARCHAR(500)', 'DATETIME(3)', 'DATETIME(3)'],
  order_items: ['INT', 'INT', 'INT', 'INT', 'DECIMAL(12,2)'],
}

/** Database name holding the MySQL copy of `size`. */
export const mysqlDatabase = (size) => `cortex_bench_${size.toLowerCase()}`

/** The URL with another database name. */
export function withDatabase(url, database) {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

/**
 * Load the SQLite dataset into database cortex_bench_<size> on the server at `url` (utf8mb4, an
 * accent-sensitive case-insensitive collation where the server has one), unless a complete copy of
 * the same version is there. Multi-row INSERTs of 5 000 rows inside one transaction per table.
 */
export async function ensureMysql(url, size, sqliteFile, version) {
  const mysql = require('mysql2/promise')
  const name = mysqlDatabase(size)
  const conn = await mysql.createConnection({ uri: url, timezone: 'Z' })
  try {
    const [meta] = await conn.query(
      `SELECT 1 AS ok FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'cortex_bench_meta'`,
      [name],
    )
    if (meta.length > 0) {
      const [rows] = await conn.query(`SELECT version FROM \`${name}\`.cortex_bench_meta`)
      if (rows[0]?.version === version) return { database: name, loaded: false }
    }
    log(`loading the ${size} dataset into MySQL database ${name} …`)
    const started = performance.now()
    // Accent-sensitive case-insensitive where the server has one (MariaDB 11+, MySQL 8); else unicode_520_ci.
    const preferred = ['utf8mb4_uca1400_as_ci', 'utf8mb4_0900_as_ci', 'utf8mb4_unicode_520_ci', 'utf8mb4_unicode_ci']
    const [collations] = await conn.query(
      `SELECT COLLATION_NAME AS c FROM information_schema.COLLATIONS WHERE COLLATION_NAME IN (?)`,
      [preferred],
    )
    const available = new Set(collations.map((r) => r.c))
    const collation = preferred.find((c) => available.has(c)) ?? 'utf8mb4_bin'
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``)
    await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE ${collation}`)
    await conn.query(`USE \`${name}\``)
    for (const table of TABLES) {
      const cols = COLUMNS[table].map(
        (c, i) =>
          `${c} ${MY_TYPES[table][i]}${PG_NOT_NULL[table][i] ? ' NOT NULL' : ''}${c === 'id' ? ' PRIMARY KEY' : ''}`,
      )
      await conn.query(`CREATE TABLE ${table} (${cols.join(', ')}) DEFAULT CHARSET=utf8mb4 COLLATE=${collation}`)
    }
    const db = new Database(sqliteFile, { readonly: true })
    try {
      for (const table of TABLES) {
        await conn.query('START TRANSACTION')
        for (const batch of batches(db, table, 5_000)) {
          await conn.query(`INSERT INTO ${table} (${COLUMNS[table].join(', ')}) VALUES ?`, [batch])
        }
        await conn.query('COMMIT')
      }
    } finally {
      db.close()
    }
    await conn.query('CREATE INDEX order_items_order_id ON order_items (order_id)')
    await conn.query('CREATE INDEX orders_customer_id ON orders (customer_id)')
    await conn.query('ANALYZE TABLE customers, products, orders, order_items')
    await conn.query('CREATE TABLE cortex_bench_meta (version VARCHAR(40) NOT NULL)')
    await conn.query('INSERT INTO cortex_bench_meta VALUES (?)', [version])
    log(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    return { database: name, loaded: true }
  } finally {
    await conn.end()
  }
}
