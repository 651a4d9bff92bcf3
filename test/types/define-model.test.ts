/**
 * Typed queries over a model written with defineModel: compile-time checks (`tsc --noEmit -p .` and
 * `npm run typecheck:fixtures` on the current TypeScript major compile this file; each `@ts-expect-error`
 * fails the build if its line stops being an error) and the runtime behaviour they describe.
 */
import Database from 'better-sqlite3'
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  createSemanticLayer,
  defineCube,
  defineModel,
  defineView,
  compileModel,
  loadModel,
  modelTypesSource,
  parseModel,
  type ModelTypes,
  type SemanticLayer,
  type TypedSemanticLayer,
} from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'

const orders = defineCube({
  name: 'orders',
  sql_table: 'orders',
  joins: [{ name: 'customers', relationship: 'many_to_one', sql: '{CUBE}.customer_id = {customers}.id' }],
  measures: [
    { name: 'count', type: 'count' },
    { name: 'total', sql: 'amount', type: 'sum' },
    { name: 'hidden_total', sql: 'amount', type: 'sum', public: false },
  ],
  dimensions: [
    { name: 'id', sql: 'id', type: 'number', primary_key: true },
    { name: 'status', sql: 'status', type: 'string' },
    { name: 'createdAt', sql: 'created_at', type: 'time' },
    { name: 'paid', sql: 'paid', type: 'boolean' },
  ],
  segments: [{ name: 'open', sql: "{CUBE}.status = 'open'" }],
})
const customers = defineCube({
  name: 'customers',
  sql_table: 'customers',
  measures: [{ name: 'count', type: 'count' }],
  dimensions: [
    { name: 'id', sql: 'id', type: 'number', primary_key: true, public: true },
    { name: 'tier', sql: 'tier', type: 'string' },
  ],
})
const bigOrders = defineCube({ name: 'big_orders', extends: 'orders', sql: 'SELECT * FROM orders WHERE amount > 10' })
const sales = defineView({
  name: 'sales',
  cubes: [
    { join_path: 'orders', includes: ['count', { name: 'status', alias: 'order_status' }] },
    { join_path: 'orders.customers', includes: '*', excludes: ['id'], prefix: true },
  ],
})
const model = defineModel({ cubes: [orders, customers, bigOrders], views: [sales] })
type Layer = TypedSemanticLayer<typeof model extends { cubes: unknown } ? InferFrom<typeof model> : never>
type InferFrom<T> = T extends import('../../src/index.js').TypedModelDefinition<infer M extends ModelTypes> ? M : never

/** The measures the inferred type has; the generator (`cortex types`) must list the same (a test below). */
const MEASURES = [
  'big_orders.count',
  'big_orders.total',
  'customers.count',
  'orders.count',
  'orders.total',
  'sales.count',
  'sales.customers_count',
] as const
const DIMENSIONS = {
  'big_orders.createdAt': 'time',
  'big_orders.paid': 'boolean',
  'big_orders.status': 'string',
  'customers.id': 'number',
  'customers.tier': 'string',
  'orders.createdAt': 'time',
  'orders.paid': 'boolean',
  'orders.status': 'string',
  'sales.customers_tier': 'string',
  'sales.order_status': 'string',
} as const

/** Compile-time only: never called. */
function typeChecks(layer: Layer): void {
  // Members, per kind, from the cubes, `extends` and the view; hidden members and primary keys are not there.
  type M = InferFrom<typeof model>
  expectTypeOf<keyof M['measures']>().toEqualTypeOf<(typeof MEASURES)[number]>()
  expectTypeOf<M['dimensions']>().toEqualTypeOf<{
    'orders.status': 'string'
    'orders.createdAt': 'time'
    'orders.paid': 'boolean'
    'customers.id': 'number'
    'customers.tier': 'string'
    'big_orders.status': 'string'
    'big_orders.createdAt': 'time'
    'big_orders.paid': 'boolean'
    'sales.order_status': 'string'
    'sales.customers_tier': 'string'
  }>()
  expectTypeOf<M['dimensions']>().toEqualTypeOf<{ -readonly [K in keyof typeof DIMENSIONS]: (typeof DIMENSIONS)[K] }>()
  expectTypeOf<keyof M['timeDimensions']>().toEqualTypeOf<'orders.createdAt' | 'big_orders.createdAt'>()
  expectTypeOf<M['segments']>().toEqualTypeOf<'orders.open' | 'big_orders.open'>()

  // Rows: exactly the selected keys, with their value types.
  const q = layer.query({
    measures: ['orders.count', 'orders.total'],
    dimensions: ['orders.status', 'orders.paid'],
    timeDimensions: [{ dimension: 'orders.createdAt', granularity: 'month' }],
  })
  expectTypeOf(q).resolves.toHaveProperty('data').toEqualTypeOf<
    {
      'orders.count': number
      'orders.total': number | null
      'orders.status': string | null
      'orders.paid': boolean | null
      'orders.createdAt.month': string | null
      'orders.createdAt': string | null
    }[]
  >()
  expectTypeOf(layer.query({ dimensions: ['orders.createdAt.week'] }))
    .resolves.toHaveProperty('data')
    .toEqualTypeOf<{ 'orders.createdAt.week': string | null }[]>()
  for (const _row of layer.stream({ measures: ['sales.count'] }) as never as Iterable<never>) void _row
  expectTypeOf(layer.stream({ measures: ['sales.count'] })).toEqualTypeOf<AsyncIterable<{ 'sales.count': number }>>()

  // Filters: the operator fits the member's type.
  void layer.query({
    measures: ['orders.count'],
    filters: [
      { member: 'orders.status', operator: 'startsWith', values: ['o'] },
      { member: 'orders.createdAt', operator: 'inDateRange', values: ['2024-01-01', '2024-12-31'] },
      { member: 'orders.total', operator: 'measureFilter' },
      { or: [{ member: 'orders.paid', operator: 'equals', values: [true] }] },
    ],
    segments: ['orders.open'],
    order: { 'orders.count': 'desc' },
  })

  // @ts-expect-error an unknown member
  void layer.query({ measures: ['orders.cnt'] })
  // @ts-expect-error a member that is not public
  void layer.query({ measures: ['orders.hidden_total'] })
  // @ts-expect-error a dimension in measures
  void layer.query({ measures: ['orders.status'] })
  // @ts-expect-error text matching on a number
  void layer.query({ filters: [{ member: 'orders.total', operator: 'contains', values: ['1'] }] })
  // @ts-expect-error a date range on a string
  void layer.query({ filters: [{ member: 'orders.status', operator: 'inDateRange', values: ['2024'] }] })
  // @ts-expect-error measureFilter on a dimension
  void layer.query({ filters: [{ and: [{ member: 'orders.status', operator: 'measureFilter' }] }] })
  // @ts-expect-error a granularity that does not exist
  void layer.query({ timeDimensions: [{ dimension: 'orders.createdAt', granularity: 'fortnight' }] })
  // @ts-expect-error a granularity on a dimension that is not a time
  void layer.query({ dimensions: ['orders.status.month'] })
  // @ts-expect-error timeDimensions need a time dimension
  void layer.query({ timeDimensions: [{ dimension: 'orders.status' }] })
  // @ts-expect-error an unknown key at the top
  void layer.query({ measures: ['orders.count'], dimensons: ['orders.status'] })
  // @ts-expect-error an unknown key inside
  void layer.sql({ timeDimensions: [{ dimension: 'orders.createdAt', granulrity: 'day' }] })
  // @ts-expect-error an unknown segment
  void layer.stream({ segments: ['orders.closed'] })
  // @ts-expect-error order on an unknown key
  void layer.query({ measures: ['orders.count'], order: [['orders.cont', 'asc']] })

  // The typed layer is the untyped one too, for code that takes any layer.
  expectTypeOf(layer.untyped).toEqualTypeOf<SemanticLayer>()
}
void typeChecks

/** Untyped use is unchanged: `createSemanticLayer` without a typed model gives today's SemanticLayer. */
function untypedChecks(): void {
  const untyped = createSemanticLayer({ model: { cubes: [] }, connectors: {} })
  expectTypeOf(untyped).toEqualTypeOf<SemanticLayer>()
  expectTypeOf<ReturnType<typeof createSemanticLayer>>().toEqualTypeOf<SemanticLayer>()
  void untyped.query({ measures: ['anything.goes'] })
  const typed = createSemanticLayer({ model, connectors: {} })
  expectTypeOf(typed).toEqualTypeOf<Layer>()
}
void untypedChecks

const DB = `
CREATE TABLE customers (id INTEGER PRIMARY KEY, tier TEXT);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, status TEXT, amount REAL, created_at TEXT, paid INTEGER);
INSERT INTO customers VALUES (1, 'gold'), (2, 'silver');
INSERT INTO orders VALUES (1, 1, 'open', 5, '2024-01-05 10:00:00', 0), (2, 1, 'done', 20, '2024-01-20 10:00:00', 1),
  (3, 2, 'open', 40, '2024-02-03 10:00:00', 1);
`

describe('defineModel', () => {
  it('runs typed queries, rows keyed as the type says', async () => {
    const db = new Database(':memory:')
    db.exec(DB)
    const layer = createSemanticLayer({ model, connectors: { default: sqlite({ database: db }) } })
    try {
      const { data } = await layer.query({
        measures: ['orders.count', 'orders.total'],
        timeDimensions: [{ dimension: 'orders.createdAt', granularity: 'month' }],
        order: { 'orders.createdAt.month': 'asc' },
      })
      // Oracle: SELECT strftime('%Y-%m', created_at), COUNT(*), SUM(amount) FROM orders GROUP BY 1 ORDER BY 1
      const oracle = db
        .prepare(
          "SELECT strftime('%Y-%m', created_at) AS m, COUNT(*) AS n, SUM(amount) AS t FROM orders GROUP BY 1 ORDER BY 1",
        )
        .all() as { m: string; n: number; t: number }[]
      expect(data.map((r) => [r['orders.createdAt.month']?.slice(0, 7), r['orders.count'], r['orders.total']])).toEqual(
        oracle.map((r) => [r.m, r.n, r.t]),
      )
      expect(Object.keys(data[0]!).sort()).toEqual(
        ['orders.count', 'orders.createdAt', 'orders.createdAt.month', 'orders.total'].sort(),
      )
      const view = await layer.query({
        measures: ['sales.customers_count'],
        dimensions: ['sales.customers_tier'],
        order: { 'sales.customers_tier': 'asc' },
      })
      const tiers = db
        .prepare(
          'SELECT c.tier AS tier, COUNT(DISTINCT c.id) AS n FROM orders o JOIN customers c ON o.customer_id = c.id GROUP BY 1 ORDER BY 1',
        )
        .all() as { tier: string; n: number }[]
      expect(view.data).toEqual(tiers.map((r) => ({ 'sales.customers_tier': r.tier, 'sales.customers_count': r.n })))
    } finally {
      await layer.close()
      db.close()
    }
  })

  it('validates exactly like the same model in YAML: same error code, issues and paths', async () => {
    const bad = {
      cubes: [
        {
          name: 'orders',
          sql_tabel: 'orders',
          measures: [{ name: 'count', type: 'cnt' }],
          dimensions: [{ name: 'status', type: 'string' }],
        },
      ],
    }
    const yaml = `cubes:
  - name: orders
    sql_tabel: orders
    measures:
      - name: count
        type: cnt
    dimensions:
      - name: status
        type: string
`
    const fromTs = captured(() => defineModel(bad))
    const fromYaml = await loadModel(yaml).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(fromTs).toMatchObject({ code: 'MODEL_INVALID' })
    expect((fromTs as { issues: unknown[] }).issues.length).toBeGreaterThanOrEqual(2)
    expect((fromTs as { issues: unknown }).issues).toEqual((fromYaml as { issues: unknown }).issues)
  })

  it('infers the members cortex types generates from the compiled model, with the same kinds', () => {
    const source = modelTypesSource(compileModel(model))
    const block = (kind: string): string => {
      const start = source.indexOf(`  ${kind}: {`)
      return source.slice(start, source.indexOf('\n  }', start))
    }
    const entries = (kind: string) => [...block(kind).matchAll(/'([^']+)': '(\w+)'/g)].map((m) => [m[1], m[2]])
    expect(entries('measures').map(([k]) => k)).toEqual([...MEASURES])
    expect(Object.fromEntries(entries('dimensions'))).toEqual(DIMENSIONS)
    expect(source).toContain("segments: 'big_orders.open' | 'orders.open'")
  })

  it('gives the same definition parseModel gives for the same object (one compile path)', () => {
    const plain = { cubes: [orders, customers, bigOrders], views: [sales] }
    expect(JSON.stringify(defineModel(plain))).toEqual(JSON.stringify(parseModel([{ content: plain }])))
  })
})

function captured(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  return undefined
}
