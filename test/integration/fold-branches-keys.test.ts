/**
 * branch folding grouped by the child's foreign key (docs/fan-out.md): rows whose key is NULL or
 * names no parent row must count nowhere, exactly as in the plain LEFT JOIN, and parents without child
 * rows must keep count 0 and NULL sums. The shared dataset has no such rows, so this one is built for
 * it. Expected rows come from hand-written SQL over the same tables.
 */
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createSemanticLayer, parseModel } from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'

const MODEL = `
cubes:
  - name: customers
    sql_table: customers
    joins:
      - { name: orders, relationship: one_to_many, sql: "{CUBE}.id = {orders.customer_id}" }
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true, public: true }
      - { name: tier, sql: tier, type: string }
    measures:
      - { name: count, type: count }
  - name: orders
    sql_table: orders
    joins:
      - { name: items, relationship: one_to_many, sql: "{items}.order_id = {CUBE}.id" }
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true, public: true }
      - { name: customer_id, sql: customer_id, type: number }
      - { name: status, sql: status, type: string }
    measures:
      - { name: count, type: count }
      - { name: total, sql: amount, type: sum }
  - name: items
    sql_table: items
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true, public: true }
      - { name: order_id, sql: order_id, type: number }
    measures:
      - { name: count, type: count }
      - { name: qty, sql: qty, type: sum }
      - { name: max_qty, sql: qty, type: max }
`

let db: Database.Database
let layer: ReturnType<typeof createSemanticLayer>

beforeAll(() => {
  db = new Database(':memory:')
  db.exec(`
    CREATE TABLE customers (id INTEGER PRIMARY KEY, tier TEXT);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, status TEXT, amount REAL);
    CREATE TABLE items (id INTEGER PRIMARY KEY, order_id INTEGER, qty INTEGER);
  `)
  const c = db.prepare('INSERT INTO customers VALUES (?, ?)')
  const o = db.prepare('INSERT INTO orders VALUES (?, ?, ?, ?)')
  const i = db.prepare('INSERT INTO items VALUES (?, ?, ?)')
  for (let id = 1; id <= 30; id++) c.run(id, ['gold', 'silver', 'bronze'][id % 3])
  // Customer ids 31..33 do not exist (orphans), some orders have no customer, customers 25..30 have no orders.
  for (let id = 1; id <= 120; id++)
    o.run(id, id % 11 === 0 ? null : id % 40 === 7 ? 31 + (id % 3) : 1 + (id % 24), ['paid', 'open'][id % 2], id * 2.5)
  // Order ids 500.. do not exist, some items have no order, orders 100..120 have no items.
  for (let id = 1; id <= 400; id++)
    i.run(id, id % 13 === 0 ? null : id % 29 === 0 ? 500 + id : 1 + (id % 99), 1 + (id % 7))
  layer = createSemanticLayer({
    model: parseModel([{ file: 'shop.yml', content: MODEL }]),
    connectors: { default: sqlite({ database: db }) },
  })
})
afterAll(() => db.close())

const rows = (sql: string): Record<string, unknown>[] => db.prepare(sql).all() as Record<string, unknown>[]
const sorted = <T extends Record<string, unknown>>(r: T[], key: string): T[] =>
  [...r].sort((a, b) => String(a[key]).localeCompare(String(b[key])))

describe('folding grouped by a foreign key with NULL and orphan keys', () => {
  test('a chain folded into customers (orders, and items through orders) by tier', async () => {
    const result = await layer.query({
      measures: ['customers.count', 'orders.count', 'orders.total', 'items.count', 'items.qty'],
      dimensions: ['customers.tier'],
    })
    expect(result.sql.sql).toContain('FROM orders AS "orders" GROUP BY 1')
    const expected =
      rows(`SELECT c.tier AS "customers.tier", count(*) AS "customers.count", coalesce(sum(oc.n), 0) AS "orders.count", sum(oc.amount) AS "orders.total",
        coalesce(sum(ic.n), 0) AS "items.count", sum(ic.qty) AS "items.qty"
      FROM customers c
      LEFT JOIN (SELECT customer_id, count(*) AS n, sum(amount) AS amount FROM orders GROUP BY customer_id) oc ON oc.customer_id = c.id
      LEFT JOIN (SELECT o.customer_id, count(*) AS n, sum(i.qty) AS qty FROM items i JOIN orders o ON o.id = i.order_id GROUP BY o.customer_id) ic ON ic.customer_id = c.id
      GROUP BY c.tier`)
    expect(sorted(result.data, 'customers.tier')).toEqual(sorted(expected, 'customers.tier'))
  })

  test('a leaf whose join is written child = parent, by order status; orders without items count 0', async () => {
    const result = await layer.query({
      measures: ['orders.count', 'orders.total', 'items.count', 'items.max_qty'],
      dimensions: ['orders.status', 'orders.id'],
      limit: 500,
    })
    expect(result.sql.sql).toContain('FROM items AS "items" GROUP BY 1')
    const expected =
      rows(`SELECT o.status AS "orders.status", o.id AS "orders.id", 1 AS "orders.count", o.amount AS "orders.total", coalesce(i.n, 0) AS "items.count", i.mx AS "items.max_qty"
      FROM orders o LEFT JOIN (SELECT order_id, count(*) AS n, max(qty) AS mx FROM items GROUP BY order_id) i ON i.order_id = o.id`)
    const key = (r: Record<string, unknown>) => String(r['orders.id']).padStart(4, '0')
    expect(result.data.length).toBe(120)
    expect([...result.data].sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
      [...expected].sort((a, b) => key(a).localeCompare(key(b))),
    )
    expect(result.data.some((r) => r['items.count'] === 0 && r['items.max_qty'] === null)).toBe(true)
  })
})
