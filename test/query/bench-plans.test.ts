/**
 * The plans of the ten bench queries (bench/lib/queries.mjs, figure 1) over the example model, as the
 * layer hands them out (`layer.explain`): plain JSON, deep-frozen, and equal to the committed snapshot
 * (test/query/snapshots/bench-plans.json), so a change to any planning decision shows up in review.
 */
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
// @ts-expect-error: a plain .mjs module shared with the benchmarks, without type declarations
import { COMPILE_QUERIES } from '../../bench/lib/queries.mjs'
import { createSemanticLayer, loadModel } from '../../src/index.js'
import type { QueryPlan } from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'

const queries = COMPILE_QUERIES as { name: string; query: Record<string, unknown> }[]

async function exampleLayer() {
  const model = await loadModel(new URL('../../examples/ecommerce/model', import.meta.url).pathname)
  return createSemanticLayer({
    model,
    connectors: { default: sqlite({ database: new Database(':memory:') }) },
    now: () => new Date('2025-06-15T12:00:00Z'),
    cache: false,
  })
}

/** Every object and array reachable from `value` is frozen. */
function deeplyFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true
  if (!Object.isFrozen(value)) return false
  return Object.values(value).every(deeplyFrozen)
}

describe('the plans of the ten bench queries', () => {
  it('are deep-frozen plain JSON, equal to the committed snapshot', async () => {
    const layer = await exampleLayer()
    const plans: Record<string, QueryPlan> = {}
    for (const { name, query } of queries) {
      const { plan } = await layer.explain(query)
      expect(deeplyFrozen(plan), name).toBe(true)
      expect(JSON.parse(JSON.stringify(plan)), name).toEqual(plan)
      plans[name] = plan
    }
    expect(Object.keys(plans)).toHaveLength(10)
    await expect(`${JSON.stringify(plans, null, 1)}\n`).toMatchFileSnapshot('./snapshots/bench-plans.json')
    await layer.close()
  })

  it('state the strategy each query needs: folded branches and where their partials come from', async () => {
    const layer = await exampleLayer()
    const summary: string[] = []
    for (const { query } of queries) {
      const { plan } = await layer.explain(query)
      const keyed = plan.groups.filter((g) => g.cube !== undefined).map((g) => `keys:${g.cube}`)
      const folded = plan.folds.map((f) => `fold:${f.cube}<${f.parent}(${f.source.kind})`)
      summary.push([plan.strategy, ...folded, ...keyed].join(' '))
    }
    // Read against docs/fan-out.md: the two branches under customers are folded by the child's foreign key
    // (no WHERE), as is the view's order_items under orders; nothing else multiplies a measure.
    expect(summary).toEqual([
      'single',
      'single',
      'single',
      'single',
      'single',
      'single',
      'single fold:orders<customers(foreignKey) fold:order_items<customers(foreignKey)',
      'single',
      'single fold:order_items<orders(foreignKey)',
      'single',
    ])
    await layer.close()
  })
})
