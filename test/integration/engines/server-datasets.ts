/**
 * Loads the generated e-commerce dataset into a real PostgreSQL schema or MySQL/MariaDB database with
 * native types (timestamps, exact decimals, booleans), so the oracle suite can run the same queries on
 * every engine and compare with the hand-written SQLite oracle over identical data.
 */
import { createRequire } from 'node:module'
import { generateEcommerce } from '../../../examples/ecommerce/generate.mjs'

const require = createRequire(import.meta.url)
type Row = Record<string, unknown>
const TABLES = ['customers', 'products', 'orders', 'order_items'] as const
const COLUMNS: Record<(typeof TABLES)[number], readonly string[]> = {
  customers: ['id', 'name', 'email', 'city', 'country', 'tier', 'is_active', 'created_at'],
  products: ['id', 'name', 'category', 'price'],
  orders: ['id', 'customer_id', 'status', 'amount', 'discount', 'note', 'created_at', 'shipped_at'],
  order_items: ['id', 'order_id', 'product_id', 'quantity', 'unit_price'],
}

const PG_DDL = `
CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL, email text, city text, country text NOT NULL, tier text NOT NULL, is_active boolean NOT NULL, created_at timestamp(3) NOT NULL);
CREATE TABLE products (id integer PRIMARY KEY, name text NOT NULL, category text, price numeric(12,2) NOT NULL);
CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL, status text NOT NULL, amount numeric(12,2) NOT NULL, discount numeric(12,2), note text, created_at timestamp(3) NOT NULL, shipped_at timestamp(3));
CREATE TABLE order_items (id integer PRIMARY KEY, order_id integer NOT NULL, product_id integer NOT NULL, quantity integer NOT NULL, unit_price numeric(12,2) NOT NULL);`

// Accent-sensitive, case-insensitive: LIKE folds case (Cube's ILIKE semantics), equality keeps accents.
const MY_DDL = (collation: string) => [
  `CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(200) NOT NULL, email VARCHAR(200), city VARCHAR(200), country VARCHAR(100) NOT NULL, tier VARCHAR(20) NOT NULL, is_active TINYINT(1) NOT NULL, created_at DATETIME(3) NOT NULL) DEFAULT CHARSET=utf8mb4 COLLATE=${collation}`,
  `CREATE TABLE products (id INT PRIMARY KEY, name VARCHAR(200) NOT NULL, category VARCHAR(200), price DECIMAL(12,2) NOT NULL) DEFAULT CHARSET=utf8mb4 COLLATE=${collation}`,
  `CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT NOT NULL, status VARCHAR(20) NOT NULL, amount DECIMAL(12,2) NOT NULL, discount DECIMAL(12,2), note VARCHAR(500), created_at DATETIME(3) NOT NULL, shipped_at DATETIME(3)) DEFAULT CHARSET=utf8mb4 COLLATE=${collation}`,
  `CREATE TABLE order_items (id INT PRIMARY KEY, order_id INT NOT NULL, product_id INT NOT NULL, quantity INT NOT NULL, unit_price DECIMAL(12,2) NOT NULL) DEFAULT CHARSET=utf8mb4 COLLATE=${collation}`,
]

function values(table: (typeof TABLES)[number], row: Row, booleans: boolean): unknown[] {
  return COLUMNS[table].map((c) => (c === 'is_active' && booleans ? row[c] === 1 : row[c]))
}

interface PgClient {
  connect(): Promise<unknown>
  query(sql: string, params?: unknown[]): Promise<unknown>
  end(): Promise<void>
}

/** Create `schema` in the database at `url` and load the dataset into it. Returns a cleanup function. */
export async function loadPostgres(url: string, schema: string): Promise<() => Promise<void>> {
  const { Client } = require('pg') as { Client: new (c: object) => PgClient }
  const client = new Client({ connectionString: url })
  await client.connect()
  const data = generateEcommerce() as unknown as Record<(typeof TABLES)[number], Row[]>
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  await client.query(`CREATE SCHEMA "${schema}"`)
  await client.query(`SET search_path TO "${schema}"`)
  await client.query(PG_DDL)
  for (const table of TABLES) {
    const cols = COLUMNS[table]
    for (let i = 0; i < data[table].length; i += 200) {
      const batch = data[table].slice(i, i + 200)
      const params: unknown[] = []
      const tuples = batch.map(
        (row) =>
          `(${values(table, row, true)
            .map((v) => (params.push(v), `$${params.length}`))
            .join(', ')})`,
      )
      await client.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${tuples.join(', ')}`, params)
    }
  }
  await client.end()
  return async () => {
    const c = new Client({ connectionString: url })
    await c.connect()
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await c.end()
  }
}

interface MyConnection {
  query(sql: string, params?: unknown[]): Promise<[unknown, unknown]>
  end(): Promise<void>
}

/**
 * Create database `name` on the server at `url` and load the dataset into it. Returns a cleanup function.
 * `collation`: the database's and tables' collation (e.g. 'utf8mb4_bin'); by default a case-insensitive one.
 */
export async function loadMysql(url: string, name: string, collation?: string): Promise<() => Promise<void>> {
  const mysql = require('mysql2/promise') as { createConnection(c: object): Promise<MyConnection> }
  const conn = await mysql.createConnection({ uri: url, multipleStatements: false, timezone: 'Z' })
  collation ??= await caseInsensitiveCollation(conn)
  await conn.query(`DROP DATABASE IF EXISTS \`${name}\``)
  await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE ${collation}`)
  await conn.query(`USE \`${name}\``)
  for (const ddl of MY_DDL(collation)) await conn.query(ddl)
  const data = generateEcommerce() as unknown as Record<(typeof TABLES)[number], Row[]>
  for (const table of TABLES) {
    const cols = COLUMNS[table]
    for (let i = 0; i < data[table].length; i += 200) {
      const batch = data[table].slice(i, i + 200)
      const params: unknown[] = []
      const tuples = batch.map(
        (row) =>
          `(${values(table, row, false)
            .map((v) => (params.push(v), '?'))
            .join(', ')})`,
      )
      await conn.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${tuples.join(', ')}`, params)
    }
  }
  await conn.end()
  return async () => {
    const c = await mysql.createConnection({ uri: url })
    await c.query(`DROP DATABASE IF EXISTS \`${name}\``)
    await c.end()
  }
}

/**
 * An accent-sensitive, case-insensitive collation if the server has one (MariaDB ≥ 10.10, MySQL 8);
 * MariaDB 10.11 as packaged here has neither, so UCA 5.2 (case- and accent-insensitive).
 */
async function caseInsensitiveCollation(conn: MyConnection): Promise<string> {
  const [rows] = (await conn.query(
    `SELECT COLLATION_NAME AS c FROM information_schema.COLLATIONS WHERE COLLATION_NAME IN ('utf8mb4_uca1400_as_ci', 'utf8mb4_0900_as_ci', 'utf8mb4_unicode_520_ci')`,
  )) as [Row[], unknown]
  const available = new Set(rows.map((r) => r.c))
  return (
    ['utf8mb4_uca1400_as_ci', 'utf8mb4_0900_as_ci', 'utf8mb4_unicode_520_ci'].find((c) => available.has(c)) ??
    'utf8mb4_general_ci'
  )
}

/** The URL with another database name (MySQL keeps each suite in its own database). */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}
