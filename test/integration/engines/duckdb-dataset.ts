/**
 * Loads the generated e-commerce dataset into an in-memory DuckDB database with native types (TIMESTAMP
 * holding UTC wall-clock time, exact DECIMAL, BOOLEAN), so the oracle suite runs on DuckDB and compares
 * with the hand-written SQLite oracle over identical data. DuckDB runs in-process: no server, always run.
 */
import { DuckDBInstance } from '@duckdb/node-api'
import { generateEcommerce } from '../../../examples/ecommerce/generate.mjs'

type Row = Record<string, unknown>
const TABLES = ['customers', 'products', 'orders', 'order_items'] as const
const COLUMNS: Record<(typeof TABLES)[number], readonly string[]> = {
  customers: ['id', 'name', 'email', 'city', 'country', 'tier', 'is_active', 'created_at'],
  products: ['id', 'name', 'category', 'price'],
  orders: ['id', 'customer_id', 'status', 'amount', 'discount', 'note', 'created_at', 'shipped_at'],
  order_items: ['id', 'order_id', 'product_id', 'quantity', 'unit_price'],
}

const DDL = [
  'CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR NOT NULL, email VARCHAR, city VARCHAR, country VARCHAR NOT NULL, tier VARCHAR NOT NULL, is_active BOOLEAN NOT NULL, created_at TIMESTAMP NOT NULL)',
  'CREATE TABLE products (id INTEGER PRIMARY KEY, name VARCHAR NOT NULL, category VARCHAR, price DECIMAL(12,2) NOT NULL)',
  'CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, status VARCHAR NOT NULL, amount DECIMAL(12,2) NOT NULL, discount DECIMAL(12,2), note VARCHAR, created_at TIMESTAMP NOT NULL, shipped_at TIMESTAMP)',
  'CREATE TABLE order_items (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, product_id INTEGER NOT NULL, quantity INTEGER NOT NULL, unit_price DECIMAL(12,2) NOT NULL)',
]

/** A new in-memory DuckDB instance holding the dataset (times bound as UTC text, cast by DuckDB). */
export async function loadDuckDB(): Promise<DuckDBInstance> {
  const instance = await DuckDBInstance.create(':memory:')
  const conn = await instance.connect()
  for (const ddl of DDL) await conn.run(ddl)
  const data = generateEcommerce() as unknown as Record<(typeof TABLES)[number], Row[]>
  for (const table of TABLES) {
    const cols = COLUMNS[table]
    for (let i = 0; i < data[table].length; i += 500) {
      const batch = data[table].slice(i, i + 500)
      const params: (string | number | boolean | null)[] = []
      const tuples = batch.map(
        (row) =>
          `(${cols
            .map((c) => {
              const v = row[c]
              params.push(c === 'is_active' ? v === 1 : (v as string | number | null))
              return `$${params.length}`
            })
            .join(', ')})`,
      )
      await conn.run(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${tuples.join(', ')}`, params)
    }
  }
  conn.closeSync()
  return instance
}
