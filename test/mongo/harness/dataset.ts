/**
 * The integration suite's e-commerce dataset (examples/ecommerce/generate.mjs, the same rows the oracle
 * SQL runs on) as MongoDB documents, the way an application would store them:
 *
 * - each document has an `_id` ObjectId (made from the row's id, so it is deterministic) and keeps the
 *   row's `id` as a plain number: the model's `sql: id`;
 * - times are BSON dates (`Date`), read from the rows' UTC text;
 * - `customers.is_active` is a boolean;
 * - SQL NULL is stored BOTH ways, by the row's id: `null` in rows with an even id, the field left out in
 *   rows with an odd id. Every null-sensitive pipeline must treat a missing field and null alike
 *   (nullable columns: customers.email/city, products.category, orders.discount/note/shipped_at);
 * - numbers are doubles. mingo cannot do arithmetic on Decimal128 or Long (it sums them as 0), so the
 *   typed variant with Decimal128 amounts and Long ids ({@link typedOrders}) is used only where values are
 *   passed through, to check the connector's value mapping.
 */
import Database from 'better-sqlite3'
import { Decimal128, Long, ObjectId } from 'mongodb'
import { createEcommerceSqlite, generateEcommerce, type EcommerceData } from '../../../examples/ecommerce/generate.mjs'
import type { MongoDocument } from '../../../src/mongo/mongo-statement.js'

export type Collections = Record<string, MongoDocument[]>

const TIME_COLUMNS = new Set(['created_at', 'shipped_at'])
const OBJECT_ID_PREFIX: Record<string, string> = {
  customers: 'c0',
  products: 'b0',
  orders: 'a0',
  order_items: 'd0',
}

export function utcDate(text: string): Date {
  return new Date(`${text.replace(' ', 'T')}Z`)
}

/** A deterministic ObjectId per table and id: 24 hex digits. */
export function objectIdFor(table: string, id: number): ObjectId {
  return new ObjectId(`${OBJECT_ID_PREFIX[table]}${id.toString(16).padStart(22, '0')}`)
}

function toDocument(table: string, row: Record<string, unknown>): MongoDocument {
  const id = row.id as number
  const doc: MongoDocument = { _id: objectIdFor(table, id) }
  for (const [key, value] of Object.entries(row)) {
    if (value === null) {
      if (id % 2 === 0) doc[key] = null
      continue
    }
    if (TIME_COLUMNS.has(key)) doc[key] = utcDate(value as string)
    else if (key === 'is_active') doc[key] = value === 1
    else doc[key] = value
  }
  return doc
}

export function toCollections(data: EcommerceData): Collections {
  const out: Collections = {}
  for (const table of ['customers', 'products', 'orders', 'order_items'] as const) {
    out[table] = (data[table] as unknown as Record<string, unknown>[]).map((row) => toDocument(table, row))
  }
  return out
}

/** Orders with `amount` as Decimal128 (two decimals), `id` as Long and `customer_ref` as an ObjectId. */
export function typedOrders(data: EcommerceData): MongoDocument[] {
  return data.orders.map((o) => ({
    _id: objectIdFor('orders', o.id),
    id: Long.fromNumber(o.id),
    amount: Decimal128.fromString(o.amount.toFixed(2)),
    customer_ref: objectIdFor('customers', o.customer_id),
    created_at: utcDate(o.created_at),
  }))
}

/** The dataset in SQLite (the oracle) and as collections (for mingo), from one generation. */
export function loadDataset(): { db: Database.Database; data: EcommerceData; collections: Collections } {
  const db = new Database(':memory:')
  const data = createEcommerceSqlite(db, generateEcommerce())
  return { db, data, collections: toCollections(data) }
}
