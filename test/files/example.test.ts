/**
 * examples/files answers its questions over a CSV file and an Excel workbook; every answer is checked
 * against hand-written SQL over the same generated dataset in SQLite. The example imports the package by
 * name; those imports are pointed at src/ here, and resolving the package's own name needs a build
 * (dist/), so without one this suite is skipped by name.
 */
import Database from 'better-sqlite3'
import { existsSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createEcommerceSqlite } from '../../examples/ecommerce/generate.mjs'
import { bucketSql, canonicalRows, inLocalDays, type Row } from '../integration/oracle/helpers.js'

vi.mock('cortex-semantic', () => import('../../src/index.js'))
vi.mock('cortex-semantic/files', () => import('../../src/files.js'))

const built = ['dist/index.js', 'dist/files.js'].every((f) => existsSync(new URL(`../../${f}`, import.meta.url)))

let db: Database.Database
beforeAll(() => {
  db = new Database(':memory:')
  createEcommerceSqlite(db)
})
afterAll(() => db.close())
const oracle = (sql: string) => db.prepare(sql).all() as Row[]

describe.skipIf(!built)('examples/files (skipped without a build: it imports the package by name)', () => {
  it('answers questions over a CSV file and an Excel sheet like SQL over the same data', async () => {
    const { answer } = await import('../../examples/files/answer.mjs')
    const answers = await answer()
    expect(canonicalRows(answers['Revenue by customer tier']!, true)).toEqual(
      canonicalRows(
        oracle(`
      SELECT c.tier AS "customers.tier", sum(o.amount) AS "orders.revenue", count(o.id) AS "orders.count"
      FROM orders o LEFT JOIN customers c ON c.id = o.customer_id GROUP BY c.tier ORDER BY 2 DESC`),
        true,
      ),
    )
    const month = bucketSql('created_at', 'month', 'Europe/Berlin')
    expect(canonicalRows(answers['Paid orders per month of 2024, in Berlin time']!, true)).toEqual(
      canonicalRows(
        oracle(`
      SELECT ${month} AS "orders.created_at.month", ${month} AS "orders.created_at", count(*) AS "orders.count"
      FROM orders
      WHERE status = 'paid' AND ${inLocalDays('created_at', '2024-01-01', '2024-12-31', 'Europe/Berlin')}
      GROUP BY 1 ORDER BY 1`),
        true,
      ),
    )
    expect(canonicalRows(answers['Top 3 countries by revenue from active customers']!, true)).toEqual(
      canonicalRows(
        oracle(`
      SELECT c.country AS "customers.country", sum(o.amount) AS "orders.revenue"
      FROM orders o LEFT JOIN customers c ON c.id = o.customer_id
      WHERE c.is_active = 1 GROUP BY 1 ORDER BY 2 DESC LIMIT 3`),
        true,
      ),
    )
  })

  it("reads the workbook's header names and types as they are", async () => {
    const { createLayer } = await import('../../examples/files/answer.mjs')
    const { layer, connector } = await createLayer()
    try {
      await connector.load()
      expect(connector.status().customers!.columns).toEqual([
        { name: 'Customer ID', type: 'integer' },
        { name: 'Name', type: 'text' },
        { name: 'Email', type: 'text' },
        { name: 'City', type: 'text' },
        { name: 'Country', type: 'text' },
        { name: 'Tier', type: 'text' },
        { name: 'Active', type: 'boolean' },
        { name: 'Customer since', type: 'time' },
      ])
      expect(connector.status().orders!.rows).toBe(500)
    } finally {
      await layer.close()
    }
  })
})
