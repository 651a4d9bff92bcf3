// Types for generate.mjs (plain JavaScript), so TypeScript tests and docs can import it.
import type { Database } from 'better-sqlite3'

export interface CustomerRow {
  id: number
  name: string
  email: string | null
  city: string | null
  country: string
  tier: 'gold' | 'silver' | 'bronze'
  /** 0 or 1, as SQLite stores booleans. */
  is_active: 0 | 1
  /** 'YYYY-MM-DD HH:MM:SS', UTC. */
  created_at: string
}

export interface ProductRow {
  id: number
  name: string
  category: string | null
  price: number
}

export interface OrderRow {
  id: number
  customer_id: number
  status: 'pending' | 'paid' | 'shipped' | 'cancelled' | 'refunded'
  /** Sum of the order's items' quantity * unit_price, in cents precision; 0 without items. */
  amount: number
  discount: number | null
  note: string | null
  created_at: string
  shipped_at: string | null
}

export interface OrderItemRow {
  id: number
  order_id: number
  product_id: number
  quantity: number
  unit_price: number
}

export interface EcommerceData {
  customers: CustomerRow[]
  products: ProductRow[]
  orders: OrderRow[]
  order_items: OrderItemRow[]
}

export interface GenerateOptions {
  seed?: number
  customers?: number
  products?: number
  orders?: number
}

export const ECOMMERCE_DDL: string
/** The fixed `orders.created_at` values (UTC) of the first orders. */
export const EDGE_ORDER_TIMESTAMPS: readonly string[]
export function generateEcommerce(options?: GenerateOptions): EcommerceData
export function createEcommerceSqlite(db: Database, data?: EcommerceData): EcommerceData
