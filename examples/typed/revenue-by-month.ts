/**
 * A typed query over the example model. `cortex-model.d.ts` next to this file is what
 * `cortex types examples/ecommerce/model --out examples/typed/cortex-model.d.ts` writes (a test checks
 * it is up to date); `createSemanticLayer<CortexModel>` makes every member name, operator and granularity
 * below a compile-time check and types the rows. test/types/typed-example.test.ts runs it, and compiles a
 * copy with a misspelt member to prove that one does not compile.
 *
 * In an application the imports are 'cortex-semantic' and 'cortex-semantic/sqlite'.
 */
import type { Database } from 'better-sqlite3'
import { fileURLToPath } from 'node:url'
import { createSemanticLayer, loadModel } from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'
import type { CortexModel } from './cortex-model.js'

export interface MonthRevenue {
  readonly month: string | null
  readonly orders: number
  readonly revenue: number | null
}

/** Paid orders and revenue per month of 2024 (UTC). */
export async function revenueByMonth(db: Database): Promise<MonthRevenue[]> {
  const model = await loadModel(fileURLToPath(new URL('../ecommerce/model', import.meta.url)))
  const layer = createSemanticLayer<CortexModel>({ model, connectors: { default: sqlite({ database: db }) } })
  try {
    const { data } = await layer.query({
      measures: ['orders.count', 'orders.total_amount'],
      timeDimensions: [
        { dimension: 'orders.created_at', granularity: 'month', dateRange: ['2024-01-01', '2024-12-31'] },
      ],
      filters: [{ member: 'orders.status', operator: 'equals', values: ['paid'] }],
      order: { 'orders.created_at.month': 'asc' },
    })
    // Each row has exactly these keys: 'orders.count' is a number, the sum and the month may be null.
    return data.map((row) => ({
      month: row['orders.created_at.month'],
      orders: row['orders.count'],
      revenue: row['orders.total_amount'],
    }))
  } finally {
    await layer.close()
  }
}
