/** layer.explain: the plan's decisions as text, built from the plan only; security filter values not shown. */
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { createSemanticLayer, loadModel } from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'

async function exampleLayer(authorize?: () => unknown) {
  const model = await loadModel(new URL('../../examples/ecommerce/model', import.meta.url).pathname)
  return createSemanticLayer({
    model,
    connectors: { default: sqlite({ database: new Database(':memory:') }) },
    cache: false,
    ...(authorize ? { authorize: authorize as never } : {}),
  })
}

describe('layer.explain', () => {
  it('names the folded branch, where its partials come from, and the filters', async () => {
    const layer = await exampleLayer()
    const { text, plan } = await layer.explain({
      measures: ['customers.count', 'orders.count', 'order_items.revenue'],
      dimensions: ['customers.tier'],
      filters: [{ member: 'orders.status', operator: 'equals', values: ['paid'] }],
    })
    expect(plan.folds.map((f) => f.cube)).toEqual(['order_items'])
    expect(text.split('\n')).toEqual(
      expect.arrayContaining([
        'strategy: one aggregate over the join tree',
        'from: customers',
        expect.stringMatching(/^ {2}orders -> order_items \(one_to_many\) on .*: folded: aggregated per orders row/),
        expect.stringMatching(/^branch order_items: measures order_items\.revenue from customers, orders joined down/),
        'where: orders.status in ["paid"]',
        'group by: customers.tier',
      ]),
    )
    await layer.close()
  })

  it('names a keys subquery with the cubes it joins', async () => {
    const layer = await exampleLayer()
    const { text } = await layer.explain({
      measures: ['orders.total_amount', 'order_items.products_count'],
      dimensions: ['customers.tier'],
      limit: 5,
    })
    expect(text).toContain('strategy: 2 aggregate(s) joined on the dimensions (fan-out safe)')
    expect(text).toContain(
      'group 0: orders.total_amount over distinct orders rows (keys subquery over orders, customers, ' +
        'joined back on the primary key of orders)',
    )
    expect(text.split('\n')).toContain('limit 5')
    await layer.close()
  })

  it('counts the values of security filters instead of showing them', async () => {
    const layer = await exampleLayer(() => ({
      allow: true,
      filters: [{ member: 'customers.country', operator: 'equals', values: ['secret-country'] }],
    }))
    const { text } = await layer.explain({ measures: ['orders.count'], dimensions: ['customers.tier'] })
    expect(text).toContain('customers.country in [1 security value(s)]')
    expect(text).not.toContain('secret-country')
    await layer.close()
  })

  it('refuses bad options with a coded error', async () => {
    const layer = await exampleLayer()
    await expect(layer.explain({ measures: ['orders.count'] }, { securityContxt: {} } as never)).rejects.toMatchObject({
      code: 'QUERY_INVALID',
    })
    await layer.close()
  })
})
