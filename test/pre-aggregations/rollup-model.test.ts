/** Cube's rollup syntax: accepted, compiled with resolved references, and the types Cortex does not build refused. */
import { describe, expect, it } from 'vitest'
import { compileModel, isSemanticLayerError } from '../../src/index.js'

const cube = (preAggregations: unknown[]) => ({
  cubes: [
    {
      name: 'orders',
      sql_table: 'orders',
      joins: [{ name: 'customers', relationship: 'many_to_one', sql: '{CUBE}.customer_id = {customers.id}' }],
      dimensions: [
        { name: 'id', sql: 'id', type: 'number', primary_key: true },
        { name: 'status', sql: 'status', type: 'string' },
        { name: 'created_at', sql: 'created_at', type: 'time' },
      ],
      measures: [
        { name: 'count', type: 'count' },
        { name: 'total', sql: 'amount', type: 'sum' },
        { name: 'avg_total', sql: '{total} / NULLIF({count}, 0)', type: 'number' },
      ],
      segments: [{ name: 'paid', sql: "{CUBE}.status = 'paid'" }],
      pre_aggregations: preAggregations,
    },
    {
      name: 'customers',
      sql_table: 'customers',
      dimensions: [
        { name: 'id', sql: 'id', type: 'number', primary_key: true },
        { name: 'country', sql: 'country', type: 'string' },
      ],
      measures: [{ name: 'count', type: 'count' }],
    },
  ],
})

function issues(preAggregations: unknown[]): { code: string; path: readonly (string | number)[]; message: string }[] {
  try {
    compileModel(cube(preAggregations) as never)
  } catch (error) {
    if (isSemanticLayerError(error)) return error.issues.map((i) => ({ ...i }))
    throw error
  }
  return []
}

describe('rollup pre-aggregations in the model', () => {
  it('compiles every documented key, camelCase too, with references resolved to full keys', () => {
    const model = compileModel(
      cube([
        {
          name: 'daily',
          type: 'rollup',
          measures: ['CUBE.count', 'total'],
          dimensions: ['status', 'customers.country'],
          segments: ['CUBE.paid'],
          timeDimension: '{CUBE.created_at}',
          granularity: 'day',
          partitionGranularity: 'month',
          buildRangeStart: { sql: 'SELECT min(created_at) FROM orders' },
          buildRangeEnd: { sql: 'SELECT max(created_at) FROM orders' },
          refreshKey: { every: '1 hour', incremental: true, updateWindow: '7 day' },
          indexes: [{ name: 'by_status', columns: ['status'] }],
          allowNonStrictDateRangeMatch: false,
          scheduledRefresh: true,
        },
      ]) as never,
    )
    const [r] = model.cubes.orders!.preAggregations!
    expect(r).toMatchObject({
      cube: 'orders',
      name: 'daily',
      measures: ['orders.count', 'orders.total'],
      dimensions: ['orders.status', 'customers.country'],
      segments: ['orders.paid'],
      timeDimension: 'orders.created_at',
      granularity: 'day',
      partitionGranularity: 'month',
      refreshKey: { everyMs: 3_600_000, incremental: true, updateWindowMs: 7 * 86_400_000 },
      indexes: [{ name: 'by_status', columns: ['orders.status'] }],
      allowNonStrictDateRangeMatch: false,
    })
    expect(r!.hash).toMatch(/^[0-9a-f]{12}$/)
  })

  it('gives a different content hash when a member the rollup reads changes its SQL', () => {
    const a = compileModel(cube([{ name: 'r', measures: ['total'], dimensions: ['status'] }]) as never)
    const changed = cube([{ name: 'r', measures: ['total'], dimensions: ['status'] }])
    ;(changed.cubes[0]!.measures[1] as { sql: string }).sql = 'amount * 2'
    const b = compileModel(changed as never)
    expect(a.cubes.orders!.preAggregations![0]!.hash).not.toBe(b.cubes.orders!.preAggregations![0]!.hash)
  })

  it.each([
    ['original_sql', 'original_sql'],
    ['rollup_join', 'rollup_join'],
    ['rollup_lambda', 'rollup_lambda'],
    ['rollupJoin', 'rollup_join'],
  ])('refuses type %s with UNSUPPORTED_FEATURE at its path', (type, named) => {
    const found = issues([{ name: 'r', type, measures: ['count'] }])
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({
      code: 'UNSUPPORTED_FEATURE',
      path: ['cubes', 'orders', 'pre_aggregations', 0, 'type'],
    })
    expect(found[0]!.message).toContain(named)
  })

  it('refuses union_with_source_data (lambda) and unknown types and keys', () => {
    expect(issues([{ name: 'r', measures: ['count'], union_with_source_data: true }])[0]?.code).toBe(
      'UNSUPPORTED_FEATURE',
    )
    expect(issues([{ name: 'r', type: 'cube', measures: ['count'] }])[0]?.code).toBe('WRONG_TYPE')
    const unknown = issues([{ name: 'r', measures: ['count'], partition: 'month' }])[0]
    expect(unknown?.message).toContain('partition_granularity')
  })

  it('reports unknown members, a missing granularity, calculated measures and stray keys, all at once', () => {
    const found = issues([
      { name: 'a', measures: ['nope'], dimensions: ['customers.nope'] },
      { name: 'b', measures: ['count'], time_dimension: 'created_at' },
      { name: 'c', measures: ['avg_total'] },
      { name: 'd', measures: ['count'], time_dimension: 'status', granularity: 'day' },
      { name: 'e', measures: ['count'], refresh_key: { update_window: '1 day' } },
    ])
    const codes = found.map((i) => `${i.code} ${i.path.slice(3).join('.')}`)
    expect(codes).toEqual([
      'UNKNOWN_MEMBER a.measures.0',
      'UNKNOWN_MEMBER a.dimensions.0',
      'MISSING_KEY b.granularity',
      'INVALID_PRE_AGGREGATION c.measures',
      'INVALID_PRE_AGGREGATION d.time_dimension',
      'INVALID_PRE_AGGREGATION e.refresh_key.update_window',
    ])
    expect(found.find((i) => i.path.includes('c'))?.message).toContain('list the measures it uses')
  })
})
