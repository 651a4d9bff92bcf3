// Child process: generate the e-commerce dataset at one size and write it to a SQLite file.
// Usage: node bench/lib/make-sqlite.mjs <orders> <customers> <products> <out.sqlite>
// Runs apart from the benchmark process so the generator's arrays (gigabytes at 5M orders) never sit
// in the heap the benchmarks measure. Writes to <out>.partial and renames at the end, so an interrupted
// run never leaves a file that looks complete.
import { renameSync, rmSync } from 'node:fs'
import Database from 'better-sqlite3'
import { ECOMMERCE_DDL, generateEcommerce } from '../../examples/ecommerce/generate.mjs'

const [orders, customers, products] = process.argv.slice(2, 5).map(Number)
const out = process.argv[5]
if (!out || ![orders, customers, products].every(Number.isSafeInteger)) {
  console.error('usage: make-sqlite.mjs <orders> <customers> <products> <out.sqlite>')
  process.exit(2)
}

const COLUMNS = {
  customers: ['id', 'name', 'email', 'city', 'country', 'tier', 'is_active', 'created_at'],
  products: ['id', 'name', 'category', 'price'],
  orders: ['id', 'customer_id', 'status', 'amount', 'discount', 'note', 'created_at', 'shipped_at'],
  order_items: ['id', 'order_id', 'product_id', 'quantity', 'unit_price'],
}

const started = performance.now()
const data = generateEcommerce({ orders, customers, products })
const generatedMs = performance.now() - started

const partial = `${out}.partial`
rmSync(partial, { force: true })
const db = new Database(partial)
// Bulk-load settings: no journal, no fsync. The file is rebuilt from scratch if anything goes wrong.
db.pragma('journal_mode = OFF')
db.pragma('synchronous = OFF')
db.pragma('cache_size = -262144')
// Tables first, indexes after the rows are in (one sorted build instead of millions of inserts into a B-tree).
const statements = ECOMMERCE_DDL.split(';')
  .map((s) => s.trim())
  .filter(Boolean)
for (const s of statements.filter((s) => !/^CREATE INDEX/i.test(s))) db.exec(s)
for (const [table, columns] of Object.entries(COLUMNS)) {
  const insert = db.prepare(
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
  )
  const rows = data[table]
  const chunk = 100_000
  for (let i = 0; i < rows.length; i += chunk) {
    db.transaction(() => {
      const end = Math.min(rows.length, i + chunk)
      for (let r = i; r < end; r++) {
        const row = rows[r]
        insert.run(columns.map((c) => row[c]))
      }
    })()
  }
}
for (const s of statements.filter((s) => /^CREATE INDEX/i.test(s))) db.exec(s)
db.exec('ANALYZE')
db.pragma('journal_mode = DELETE')
db.close()
renameSync(partial, out)
console.log(
  JSON.stringify({
    orders: data.orders.length,
    order_items: data.order_items.length,
    customers: data.customers.length,
    products: data.products.length,
    generatedMs: Math.round(generatedMs),
    totalMs: Math.round(performance.now() - started),
  }),
)
