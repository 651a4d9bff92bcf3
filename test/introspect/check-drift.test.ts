/**
 * checkDrift() on SQLite: tables and plain columns are checked in the catalog (existence and a type that
 * fits the member), everything else is planned with EXPLAIN QUERY PLAN, which evaluates no row (a
 * counting SQL function proves it).
 */
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkDrift } from '../../src/introspect/check-drift.js'
import { parseModel } from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'

let db: Database.Database
let evaluated = 0
beforeAll(() => {
  db = new Database(':memory:')
  db.exec(`
    CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, status TEXT, amount TEXT, created_at TEXT, paid INTEGER, "Net Amount" REAL);
    INSERT INTO customers VALUES (1, 'a');
    INSERT INTO orders VALUES (1, 1, 'paid', '10', '2024-01-01 00:00:00', 1, 9);
  `)
  db.function('counted', (x: unknown) => (evaluated++, x))
})
afterAll(() => db.close())

const MODEL = `
cubes:
  - name: customers
    sql_table: customers
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: name, sql: name, type: string }
  - name: orders
    sql_table: main.orders
    joins:
      - { name: customers, relationship: many_to_one, sql: "{CUBE}.customer_id = {customers}.id" }
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: status, sql: "{CUBE}.STATUS", type: string }
      - { name: created_at, sql: created_at, type: time }
      - { name: net, sql: '{CUBE}."Net Amount"', type: number }
      - { name: counted_status, sql: "counted({CUBE}.status)", type: string, public: false }
    measures:
      - { name: count, type: count }
      - { name: paid_count, sql: paid, type: sum }
      - { name: net_total, sql: '"Net Amount"', type: sum }
    segments:
      - { name: paid, sql: "{CUBE}.paid = 1" }
`

describe('checkDrift', () => {
  it('finds nothing wrong with a model that fits, without evaluating a row', async () => {
    const report = await checkDrift({
      model: parseModel([{ content: MODEL }]),
      connectors: { default: sqlite({ database: db }) },
    })
    expect(report.issues).toEqual([])
    expect(report.ok).toBe(true)
    // 2 tables; id, name, id, STATUS (case-insensitive), created_at, "Net Amount", paid, "Net Amount" from the catalog;
    // counted(...) and the segment and the join planned.
    expect(report.checked).toEqual({ cubes: 2, tables: 2, columns: 8, probes: 3 })
    expect(evaluated).toBe(0)
  })

  it('reports missing tables and columns, types that no longer fit, and SQL that no longer plans', async () => {
    const drifted = `
cubes:
  - name: ghosts
    sql_table: ghosts
    dimensions: [{ name: id, sql: id, type: number, primary_key: true }]
  - name: customers
    sql_table: customers
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: region, sql: region, type: string }
  - name: orders
    sql_table: orders
    joins:
      - { name: customers, relationship: many_to_one, sql: "{CUBE}.customer_ref = {customers}.id" }
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: status_upper, sql: "upper({CUBE}.state)", type: string }
      - { name: paid_at, sql: paid, type: time }
      - { name: odd, sql: "no_such_function({CUBE}.status)", type: string }
    measures:
      - { name: total, sql: amount, type: sum }
      - { name: filtered, type: count, filters: [{ sql: "{CUBE}.flag = 1" }] }
  - name: recent
    sql: SELECT * FROM orders WHERE created > '2024-01-01'
    dimensions: [{ name: id, sql: id, type: number, primary_key: true }]
`
    const report = await checkDrift({
      model: parseModel([{ content: drifted }]),
      connectors: { default: sqlite({ database: db }) },
    })
    expect(report.ok).toBe(false)
    const found = report.issues.map((i) => `${i.code} ${i.cube}${i.member ? `.${i.member}` : ''}`)
    expect(found).toEqual([
      'TABLE_MISSING ghosts',
      'COLUMN_MISSING customers.region',
      'PROBE_FAILED orders.status_upper',
      'COLUMN_TYPE_MISMATCH orders.paid_at',
      'PROBE_FAILED orders.odd',
      'COLUMN_TYPE_MISMATCH orders.total',
      'PROBE_FAILED orders.filtered',
      'PROBE_FAILED recent.id',
      'PROBE_FAILED orders.customers',
    ])
    const byMember = Object.fromEntries(report.issues.map((i) => [`${i.cube}.${i.member ?? ''}`, i]))
    expect(byMember['orders.total']).toMatchObject({
      table: 'main.orders',
      column: 'amount',
      expected: 'number',
      actual: 'TEXT',
      path: ['cubes', 'orders', 'measures', 'total', 'sql'],
    })
    expect(byMember['orders.total']!.message).toMatch(
      /Column "amount" is TEXT \(string\), which does not fit measure 'orders.total' of type sum: it needs a number column\./,
    )
    expect(byMember['orders.status_upper']!.message).toMatch(/no such column/)
    expect(byMember['customers.region']).toMatchObject({ path: ['cubes', 'customers', 'dimensions', 'region', 'sql'] })
    expect(byMember['orders.customers']!.message).toMatch(/^The join to "customers" no longer plans/)
  })

  it('skips cubes whose data source has no connector, saying so', async () => {
    const model = parseModel([
      { content: 'cubes:\n  - name: far\n    sql_table: far\n    data_source: warehouse\n    dimensions: []\n' },
    ])
    const report = await checkDrift({ model, connectors: { default: sqlite({ database: db }) } })
    expect(report.issues).toMatchObject([{ code: 'CONNECTOR_MISSING', cube: 'far' }])
  })
})
