/**
 * The `cortex generate` round trip, shared by SQLite and the server engines: the e-commerce dataset (with
 * its foreign keys) plus two tables whose names need quoting everywhere (spaces, quotes, reserved
 * words, mixed case) joined by a composite foreign key. The queries run on a layer over the generated
 * model; the expected rows come from hand-written SQL over the same data in SQLite.
 */
import type Database from 'better-sqlite3'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'vitest'
import type { GeneratedFile } from '../../src/introspect/generate-model.js'
import type { SemanticLayer } from '../../src/index.js'

type Row = Record<string, unknown>

/** `"Order Notes"` (composite key) and `"line-items"` (composite foreign key to it), per engine. */
export const QUOTED_DDL = {
  sqlite: [
    'CREATE TABLE "Order Notes" ("select" INTEGER NOT NULL, "group" INTEGER NOT NULL, "weird ""q"" col" TEXT, "Mixed Case" REAL, "from" DATETIME, PRIMARY KEY ("select", "group"))',
    'CREATE TABLE "line-items" (id INTEGER PRIMARY KEY, "Note Select" INTEGER, "Note Group" INTEGER, "Order" REAL, FOREIGN KEY ("Note Select", "Note Group") REFERENCES "Order Notes" ("select", "group"))',
  ],
  postgres: [
    'CREATE TABLE "Order Notes" ("select" integer NOT NULL, "group" integer NOT NULL, "weird ""q"" col" text, "Mixed Case" numeric(10,2), "from" timestamp, PRIMARY KEY ("select", "group"))',
    'CREATE TABLE "line-items" (id integer PRIMARY KEY, "Note Select" integer, "Note Group" integer, "Order" numeric(10,2), FOREIGN KEY ("Note Select", "Note Group") REFERENCES "Order Notes" ("select", "group"))',
  ],
  mysql: [
    'CREATE TABLE `Order Notes` (`select` INT NOT NULL, `group` INT NOT NULL, `weird "q" col` VARCHAR(50), `Mixed Case` DECIMAL(10,2), `from` DATETIME, PRIMARY KEY (`select`, `group`))',
    'CREATE TABLE `line-items` (id INT PRIMARY KEY, `Note Select` INT, `Note Group` INT, `Order` DECIMAL(10,2), FOREIGN KEY (`Note Select`, `Note Group`) REFERENCES `Order Notes` (`select`, `group`))',
  ],
} as const

export const NOTES: readonly (readonly unknown[])[] = [
  [1, 1, 'alpha "one"', 10.5, '2024-01-02 03:04:05'],
  [1, 2, 'beta', 20.25, '2024-02-03 04:05:06'],
  [2, 1, 'alpha "one"', 5, null],
]
export const LINES: readonly (readonly unknown[])[] = [
  [1, 1, 1, 3.5],
  [2, 1, 1, 1.25],
  [3, 1, 2, 7],
  [4, 2, 1, 2],
  [5, null, null, 9],
]

/** Foreign keys the e-commerce tables have in SQLite (the server datasets are loaded without them). */
export const ECOMMERCE_FOREIGN_KEYS = [
  ['orders', 'customer_id', 'customers'],
  ['order_items', 'order_id', 'orders'],
  ['order_items', 'product_id', 'products'],
] as const

export function insertQuotedSqlite(db: Database.Database): void {
  for (const ddl of QUOTED_DDL.sqlite) db.exec(ddl)
  const note = db.prepare('INSERT INTO "Order Notes" VALUES (?, ?, ?, ?, ?)')
  for (const row of NOTES) note.run(...row)
  const line = db.prepare('INSERT INTO "line-items" VALUES (?, ?, ?, ?)')
  for (const row of LINES) line.run(...row)
}

/** Write generated files to a fresh folder (as `cortex generate --out` does) and return it. */
export function writeModel(files: readonly GeneratedFile[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'cortex-generated-'))
  for (const f of files) writeFileSync(join(dir, f.path), f.content)
  return dir
}

interface Case {
  readonly name: string
  readonly query: Record<string, unknown>
  /** Hand-written SQLite over the same data; columns aliased with the member names. */
  readonly oracle: string
}

export const ROUND_TRIP_CASES: readonly Case[] = [
  {
    name: 'count and sums by a string dimension',
    query: { measures: ['orders.count', 'orders.amount', 'orders.discount'], dimensions: ['orders.status'] },
    oracle:
      'SELECT status AS "orders.status", count(*) AS "orders.count", sum(amount) AS "orders.amount", sum(discount) AS "orders.discount" FROM orders GROUP BY status',
  },
  {
    name: 'a sum across a generated many_to_one join',
    query: { measures: ['orders.amount', 'orders.count'], dimensions: ['customers.tier'] },
    oracle:
      'SELECT c.tier AS "customers.tier", sum(o.amount) AS "orders.amount", count(*) AS "orders.count" FROM orders o LEFT JOIN customers c ON c.id = o.customer_id GROUP BY c.tier',
  },
  {
    name: 'a sum across another generated join',
    query: { measures: ['order_items.quantity', 'order_items.count'], dimensions: ['products.category'] },
    oracle:
      'SELECT p.category AS "products.category", sum(i.quantity) AS "order_items.quantity", count(*) AS "order_items.count" FROM order_items i LEFT JOIN products p ON p.id = i.product_id GROUP BY p.category',
  },
  {
    name: 'two joins deep: items by customer country',
    query: { measures: ['order_items.quantity'], dimensions: ['customers.country'] },
    oracle:
      'SELECT c.country AS "customers.country", sum(i.quantity) AS "order_items.quantity" FROM order_items i LEFT JOIN orders o ON o.id = i.order_id LEFT JOIN customers c ON c.id = o.customer_id GROUP BY c.country',
  },
  {
    name: 'a generated time dimension by year',
    query: { measures: ['orders.count'], timeDimensions: [{ dimension: 'orders.created_at', granularity: 'year' }] },
    oracle: `SELECT strftime('%Y-01-01T00:00:00.000', created_at) AS "orders.created_at.year",
      strftime('%Y-01-01T00:00:00.000', created_at) AS "orders.created_at", count(*) AS "orders.count" FROM orders GROUP BY 1`,
  },
  {
    name: 'quoted names: a sum by a column with quotes in its name',
    query: { measures: ['Order_Notes.count', 'Order_Notes.Mixed_Case'], dimensions: ['Order_Notes.weird_q_col'] },
    oracle:
      'SELECT "weird ""q"" col" AS "Order_Notes.weird_q_col", count(*) AS "Order_Notes.count", sum("Mixed Case") AS "Order_Notes.Mixed_Case" FROM "Order Notes" GROUP BY 1',
  },
  {
    name: 'quoted names: a sum across a composite foreign key',
    query: { measures: ['line_items.Order', 'line_items.count'], dimensions: ['Order_Notes.weird_q_col'] },
    oracle: `SELECT n."weird ""q"" col" AS "Order_Notes.weird_q_col", sum(l."Order") AS "line_items.Order", count(*) AS "line_items.count"
      FROM "line-items" l LEFT JOIN "Order Notes" n ON n."select" = l."Note Select" AND n."group" = l."Note Group" GROUP BY 1`,
  },
]

/** Rows as sorted JSON with numbers rounded, so engines' decimal and float sums compare. */
function comparable(rows: readonly Row[]): string[] {
  const norm = (v: unknown): unknown => (typeof v === 'number' ? Math.round(v * 1e6) / 1e6 : v)
  return rows
    .map((r) =>
      JSON.stringify(
        Object.keys(r)
          .sort()
          .map((k) => [k, norm(r[k])]),
      ),
    )
    .sort()
}

/** Every round-trip case on `layer` equals its hand-written SQLite query on `oracle`. */
export async function expectRoundTrip(layer: SemanticLayer, oracle: Database.Database): Promise<void> {
  for (const c of ROUND_TRIP_CASES) {
    const { data } = await layer.query(c.query)
    const expected = oracle.prepare(c.oracle).all() as Row[]
    expect(expected.length, c.name).toBeGreaterThan(0)
    expect(comparable(data), c.name).toEqual(comparable(expected))
  }
}
