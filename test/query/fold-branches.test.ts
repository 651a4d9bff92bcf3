import { describe, expect, it } from 'vitest'
import { compileModel } from '../../src/model/compile-model.js'
import { normalizeQuery } from '../../src/query/normalize-query.js'
import { parseQuery } from '../../src/query/parse-query.js'
import { buildPlan, type QueryPlan } from '../../src/query/plan/build-plan.js'
import { shopBranchesModel } from '../fixtures/shop-branches.js'

// The shared model: customers → orders → items, notes, …; items → products (many_to_one).
const model = compileModel(shopBranchesModel())

function plan(query: Record<string, unknown>): QueryPlan {
  return buildPlan(
    model,
    normalizeQuery(parseQuery(query), model, { defaultLimit: 10_000, maxLimit: 50_000, nowMs: Date.UTC(2024, 5, 15) }),
  )
}

/** The groups by their multiplied cube ({} for the plain group); keysCubes are checked where they matter. */
const groupCubes = (p: QueryPlan) => p.groups.map((g) => (g.cube === undefined ? {} : { cube: g.cube }))
const leaves = (p: QueryPlan) => p.folds.map((l) => ({ cube: l.cube, parent: l.parent, measures: l.measures }))
const paths = (p: QueryPlan) => p.folds.map((l) => l.path.map((j) => `${j.from}>${j.to}`).join(' '))

describe('branch folding is chosen', () => {
  it('for a one_to_many leaf whose measures are sums and counts: the parent is no longer multiplied', () => {
    const p = plan({
      measures: ['orders.total', 'orders.count', 'items.qty', 'items.count'],
      dimensions: ['orders.status'],
    })
    expect(leaves(p)).toEqual([{ cube: 'items', parent: 'orders', measures: ['items.qty', 'items.count'] }])
    expect(p.multiplied).toEqual([])
    expect(groupCubes(p)).toEqual([{}])
    expect(p.measures.every((m) => m.group === 0)).toBe(true)
  })

  it('for avg, min and filtered sums (decomposable into per-parent partials)', () => {
    const p = plan({
      measures: ['orders.total', 'items.avg_price', 'items.min_price', 'items.big_qty'],
      dimensions: ['orders.status'],
    })
    expect(leaves(p)).toEqual([
      { cube: 'items', parent: 'orders', measures: ['items.avg_price', 'items.min_price', 'items.big_qty'] },
    ])
  })

  it('for leaf measures needed only by a calculated measure or a measure filter', () => {
    const p = plan({
      measures: ['orders.per_item'],
      dimensions: ['orders.status'],
      filters: [{ member: 'items.qty', operator: 'gt', values: ['3'] }],
    })
    expect(leaves(p)).toEqual([{ cube: 'items', parent: 'orders', measures: ['items.count', 'items.qty'] }])
    expect(groupCubes(p)).toEqual([{}])
  })

  it('with a time dimension with granularity and a filter on the parent', () => {
    const p = plan({
      measures: ['orders.count', 'items.qty'],
      timeDimensions: [
        { dimension: 'orders.created_at', granularity: 'month', dateRange: ['2024-01-01', '2024-03-31'] },
      ],
      filters: [{ member: 'orders.status', operator: 'equals', values: ['paid'] }],
    })
    expect(leaves(p)).toEqual([{ cube: 'items', parent: 'orders', measures: ['items.qty'] }])
    expect(p.multiplied).toEqual([])
  })

  it('for a whole chain: orders and items fold into customers, each grouped per customer', () => {
    const p = plan({ measures: ['customers.count', 'orders.count', 'items.qty'], dimensions: ['customers.country'] })
    expect(p.tree.root).toBe('customers')
    expect(leaves(p)).toEqual([
      { cube: 'orders', parent: 'customers', measures: ['orders.count'] },
      { cube: 'items', parent: 'customers', measures: ['items.qty'] },
    ])
    expect(paths(p)).toEqual(['customers>orders', 'customers>orders orders>items'])
    expect(p.multiplied).toEqual([])
    expect(groupCubes(p)).toEqual([{}])
  })

  it('for a chain whose middle cube has no measure in the query: only items gets a derived table, through orders', () => {
    const p = plan({ measures: ['customers.credit', 'items.qty', 'items.count'], dimensions: ['customers.country'] })
    expect(leaves(p)).toEqual([{ cube: 'items', parent: 'customers', measures: ['items.qty', 'items.count'] }])
    expect(paths(p)).toEqual(['customers>orders orders>items'])
    expect(p.multiplied).toEqual([])
  })

  it('for the last link only, when the middle of the chain cannot fold (count_distinct is not decomposable)', () => {
    const p = plan({ measures: ['customers.count', 'items.qty', 'items.skus'], dimensions: ['customers.country'] })
    expect(p.folds).toEqual([])
    const q = plan({
      measures: ['customers.count', 'orders.count', 'items.qty'],
      dimensions: ['customers.country'],
      filters: [{ member: 'orders.status', operator: 'equals', values: ['paid'] }],
    })
    // orders is read by the filter, so the branch below customers does not qualify; items still folds into orders.
    expect(leaves(q)).toEqual([{ cube: 'items', parent: 'orders', measures: ['items.qty'] }])
    expect(q.multiplied).toEqual(['customers'])
  })

  it('for two leaves under one parent: both fold, and the parent is not multiplied', () => {
    const p = plan({ measures: ['orders.total', 'items.qty', 'notes.count'], dimensions: ['orders.status'] })
    expect(leaves(p).map((l) => l.cube)).toEqual(['items', 'notes'])
    expect(p.multiplied).toEqual([])
    expect(groupCubes(p)).toEqual([{}])
  })
})

describe('branch folding is not chosen', () => {
  const none = (query: Record<string, unknown>) => {
    const p = plan(query)
    expect(p.folds).toEqual([])
    return p
  }

  it('with a dimension on the leaf', () => {
    const p = none({ measures: ['orders.total', 'items.qty'], dimensions: ['items.sku'] })
    expect(groupCubes(p)).toEqual([{ cube: 'orders' }, {}])
  })

  it('with a dimension of another cube that reads the leaf', () => {
    none({ measures: ['customers.count', 'items.qty'], dimensions: ['orders.first_sku'] })
  })

  it('with a dimension filter on the leaf', () => {
    const p = none({
      measures: ['orders.total', 'items.qty'],
      dimensions: ['orders.status'],
      filters: [{ member: 'items.sku', operator: 'equals', values: ['A'] }],
    })
    expect(p.multiplied).toEqual(['orders'])
  })

  it('with a segment on the leaf', () => {
    none({ measures: ['orders.total', 'items.qty'], dimensions: ['orders.status'], segments: ['items.big'] })
  })

  it('with a count_distinct measure on the leaf', () => {
    const p = none({ measures: ['orders.total', 'items.qty', 'items.skus'], dimensions: ['orders.status'] })
    expect(groupCubes(p)).toEqual([{ cube: 'orders' }, {}])
  })

  it('for an ungrouped query', () => {
    none({ measures: ['orders.total', 'items.qty'], dimensions: ['orders.id'], ungrouped: true })
  })

  it('for a leaf reached over many_to_one (the leaf is multiplied, not its parent)', () => {
    const p = none({ measures: ['items.count', 'products.avg_price'], dimensions: ['items.sku'] })
    expect(p.multiplied).toEqual(['products'])
  })

  it('for a branch with a many_to_one join inside (products rows would repeat per item): nothing folds', () => {
    const p = none({
      measures: ['customers.count', 'items.count', 'products.avg_price'],
      dimensions: ['customers.country'],
    })
    expect(p.multiplied).toEqual(['customers', 'products'])
  })

  it('when the parent stays multiplied by a sibling that cannot fold (no partials would be repeated)', () => {
    // notes has a dimension, so it stays joined and multiplies orders; folding items would repeat its partials.
    const p = none({ measures: ['orders.total', 'items.qty'], dimensions: ['notes.author'] })
    expect(p.multiplied).toEqual(['orders', 'items'])
    expect(groupCubes(p)).toEqual([{ cube: 'orders' }, { cube: 'items' }])
    // Each keys subquery joins the multiplied cube, what the dimensions read, and the paths to them.
    expect(p.groups.map((g) => g.keysCubes)).toEqual([
      ['orders', 'notes'],
      ['orders', 'items', 'notes'],
    ])
  })

  it('for a leaf with no measure in the query', () => {
    none({ measures: ['orders.total'], dimensions: ['orders.status'] })
  })
})
