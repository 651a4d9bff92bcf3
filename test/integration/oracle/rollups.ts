/**
 * The e-commerce model with rollups covering as many oracle cases as possible (pre-aggregation oracle
 * suite): the same queries must give the oracle's rows whether a rollup serves them or the source does.
 */
import { loadModel } from '../../../src/index.js'
import { MODEL_DIR } from './layer.js'

export const ROLLUP_ZONES = ['UTC', 'America/New_York', 'Europe/Berlin']

const ROLLUPS: Record<string, readonly Record<string, unknown>[]> = {
  orders: [
    {
      name: 'main',
      measures: ['count', 'total_amount', 'min_amount', 'max_amount', 'paid_count', 'paid_amount', 'total_discount'],
      dimensions: [
        'status',
        'note',
        'amount',
        'customers.tier',
        'customers.name',
        'customers.country',
        'customers.city',
      ],
      segments: ['paid', 'big'],
      time_dimension: 'created_at',
      granularity: 'hour',
      partition_granularity: 'quarter',
      indexes: [{ name: 'by_status', columns: ['status'] }],
    },
    // Orders multiplied through their items: served only on an exact match (by category).
    {
      name: 'by_category',
      measures: ['count', 'total_amount', 'avg_amount', 'paid_amount', 'paid_count', 'customers_count'],
      dimensions: ['order_items.products.category'],
    },
    {
      name: 'by_status',
      measures: ['CUBE.count', 'avg_amount', 'customers_count', 'total_amount'],
      dimensions: ['CUBE.status'],
    },
  ],
  customers: [
    {
      name: 'main',
      measures: ['count', 'active_count'],
      dimensions: ['tier', 'country', 'name', 'city', 'is_active', 'tier_rank'],
      segments: ['active'],
    },
  ],
  order_items: [{ name: 'main', measures: ['count', 'revenue', 'total_quantity'], dimensions: ['products.category'] }],
  products: [{ name: 'main', measures: ['count', 'avg_price'], dimensions: ['category'] }],
}

/** The example model, each cube given the rollups above (a plain copy: compiled like any model object). */
export async function modelWithRollups(): Promise<unknown> {
  const base = await loadModel(MODEL_DIR)
  return {
    cubes: base.cubes.map((c) => (ROLLUPS[c.name] ? { ...c, pre_aggregations: ROLLUPS[c.name] } : c)),
    views: base.views,
  }
}
