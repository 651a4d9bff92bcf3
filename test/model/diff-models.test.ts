/**
 * diffModels(): one model pair per classification rule (docs/model-lifecycle.md, "How changes are
 * classified"), each with the exact list of changes expected. A change to a member shows on every
 * member built from it (a view member, a calculated measure), so some rules list more than one change.
 */
import { describe, expect, it } from 'vitest'
import { compileModel, parseModel } from '../../src/index.js'
import { diffModels, type ModelChange } from '../../src/model/diff-models.js'

type Obj = Record<string, any>

/** The model every case edits: three cubes, a hidden one, joins, a view, a calculated measure, a pre-aggregation. */
function base(): { cubes: Obj[]; views: Obj[] } {
  return {
    cubes: [
      {
        name: 'customers',
        sql_table: 'customers',
        dimensions: [
          { name: 'id', sql: 'id', type: 'number', primary_key: true },
          { name: 'tier', sql: 'tier', type: 'string' },
          { name: 'created_at', sql: 'created_at', type: 'time' },
          { name: 'internal', sql: 'internal_code', type: 'string', public: false },
        ],
        measures: [{ name: 'count', type: 'count' }],
        hierarchies: [{ name: 'h', levels: ['tier'] }],
      },
      {
        name: 'orders',
        sql_table: 'orders',
        joins: [
          { name: 'customers', relationship: 'many_to_one', sql: '{CUBE}.customer_id = {customers}.id' },
          { name: 'products', relationship: 'many_to_one', sql: '{CUBE}.product_id = {products}.id' },
        ],
        dimensions: [
          { name: 'id', sql: 'id', type: 'number', primary_key: true },
          { name: 'status', sql: 'status', type: 'string' },
          { name: 'amount', sql: 'amount', type: 'number' },
        ],
        measures: [
          { name: 'count', type: 'count' },
          { name: 'total', sql: 'amount', type: 'sum' },
          { name: 'paid', type: 'count', filters: [{ sql: "{CUBE}.status = 'paid'" }] },
          { name: 'avg_amount', sql: '{total} / NULLIF({count}, 0)', type: 'number' },
        ],
        segments: [{ name: 'big', sql: '{CUBE}.amount > 100' }],
        pre_aggregations: [{ name: 'main', measures: ['count'], dimensions: ['status'] }],
      },
      {
        name: 'products',
        sql_table: 'products',
        dimensions: [
          { name: 'id', sql: 'id', type: 'number', primary_key: true },
          { name: 'price', sql: 'price', type: 'number' },
        ],
        measures: [{ name: 'count', type: 'count' }],
      },
      {
        name: 'archive',
        sql_table: 'archive',
        public: false,
        dimensions: [{ name: 'id', sql: 'id', type: 'number', primary_key: true }],
        measures: [],
      },
    ],
    views: [
      {
        name: 'sales',
        cubes: [
          { join_path: 'orders', includes: ['status', 'total'] },
          { join_path: 'orders.customers', includes: ['tier'] },
        ],
      },
    ],
  }
}

const cube = (m: { cubes: Obj[] }, name: string): Obj => m.cubes.find((c) => c.name === name)!
const member = (m: { cubes: Obj[] }, path: string): Obj => {
  const [c, kind, name] = path.split('.') as [string, string, string]
  return cube(m, c)[kind].find((x: Obj) => x.name === name)
}

interface Case {
  readonly rule: string
  readonly edit: (m: ReturnType<typeof base>) => void
  /** `code name severity`, in the order diffModels sorts them (by path). */
  readonly expected: readonly string[]
}

const CASES: readonly Case[] = [
  {
    rule: 'a public cube removed is breaking',
    edit: (m) => {
      m.cubes = m.cubes.filter((c) => c.name !== 'products')
      cube(m, 'orders').joins.pop()
    },
    expected: ['JOIN_REMOVED orders.products breaking', 'CUBE_REMOVED products breaking'],
  },
  {
    rule: 'a cube that was not public removed is compatible',
    edit: (m) => {
      m.cubes = m.cubes.filter((c) => c.name !== 'archive')
    },
    expected: ['CUBE_REMOVED archive compatible'],
  },
  {
    rule: 'a cube added is compatible',
    edit: (m) => {
      m.cubes.push({ name: 'stores', sql_table: 'stores', dimensions: [{ name: 'id', sql: 'id', type: 'number' }] })
    },
    expected: ['CUBE_ADDED stores compatible'],
  },
  {
    rule: 'a cube made non-public is breaking',
    edit: (m) => {
      cube(m, 'products').public = false
    },
    expected: ['CUBE_HIDDEN products breaking'],
  },
  {
    rule: 'a cube made public is compatible',
    edit: (m) => {
      cube(m, 'archive').public = true
    },
    expected: ['CUBE_SHOWN archive compatible'],
  },
  {
    rule: 'a removed member is breaking',
    edit: (m) => {
      cube(m, 'customers').dimensions.splice(2, 1)
    },
    expected: ['MEMBER_REMOVED customers.created_at breaking'],
  },
  {
    rule: 'a removed member that was not public is compatible',
    edit: (m) => {
      cube(m, 'customers').dimensions.splice(3, 1)
    },
    expected: ['MEMBER_REMOVED customers.internal compatible'],
  },
  {
    rule: 'an added member is compatible',
    edit: (m) => {
      cube(m, 'customers').dimensions.push({ name: 'city', sql: 'city', type: 'string' })
    },
    expected: ['MEMBER_ADDED customers.city compatible'],
  },
  {
    rule: "a dimension's type changed is breaking",
    edit: (m) => {
      member(m, 'orders.dimensions.amount').type = 'string'
    },
    expected: ['MEMBER_TYPE_CHANGED orders.amount breaking'],
  },
  {
    rule: "a measure's aggregation changed is breaking, on the cube, the view and the measures built from it",
    edit: (m) => {
      member(m, 'orders.measures.total').type = 'avg'
    },
    expected: [
      'SQL_CHANGED orders.avg_amount results-may-change',
      'MEASURE_TYPE_CHANGED orders.total breaking',
      'MEASURE_TYPE_CHANGED sales.total breaking',
    ],
  },
  {
    rule: 'a member that changes kind is breaking',
    edit: (m) => {
      const p = cube(m, 'products')
      p.dimensions.pop()
      p.measures.push({ name: 'price', sql: 'price', type: 'sum' })
    },
    expected: ['MEMBER_KIND_CHANGED products.price breaking'],
  },
  {
    rule: 'a member made non-public is breaking',
    edit: (m) => {
      member(m, 'orders.dimensions.amount').public = false
    },
    expected: ['MEMBER_HIDDEN orders.amount breaking'],
  },
  {
    rule: 'a member made public is compatible',
    edit: (m) => {
      member(m, 'customers.dimensions.internal').public = true
    },
    expected: ['MEMBER_SHOWN customers.internal compatible'],
  },
  {
    rule: "a dimension's SQL changed may change results, here and in the view",
    edit: (m) => {
      member(m, 'orders.dimensions.status').sql = 'lower(status)'
    },
    expected: ['SQL_CHANGED orders.status results-may-change', 'SQL_CHANGED sales.status results-may-change'],
  },
  {
    rule: "a segment's SQL changed may change results",
    edit: (m) => {
      member(m, 'orders.segments.big').sql = '{CUBE}.amount > 500'
    },
    expected: ['SQL_CHANGED orders.big results-may-change'],
  },
  {
    rule: "a measure's filters changed may change results",
    edit: (m) => {
      member(m, 'orders.measures.paid').filters = [{ sql: "{CUBE}.status = 'shipped'" }]
    },
    expected: ['MEASURE_FILTERS_CHANGED orders.paid results-may-change'],
  },
  {
    rule: 'title, description, format and meta are compatible',
    edit: (m) => {
      Object.assign(member(m, 'orders.measures.total'), {
        title: 'Revenue',
        format: 'currency',
        description: 'd',
        meta: { a: 1 },
      })
    },
    expected: ['METADATA_CHANGED orders.total compatible', 'METADATA_CHANGED sales.total compatible'],
  },
  {
    rule: "a cube's title and description are compatible",
    edit: (m) => {
      Object.assign(cube(m, 'products'), { title: 'Catalog', description: 'd' })
    },
    expected: ['METADATA_CHANGED products compatible'],
  },
  {
    rule: 'a removed join is breaking',
    edit: (m) => {
      cube(m, 'orders').joins.pop()
    },
    expected: ['JOIN_REMOVED orders.products breaking'],
  },
  {
    rule: 'an added join may change results (a shorter path)',
    edit: (m) => {
      cube(m, 'customers').joins = [
        { name: 'products', relationship: 'many_to_one', sql: '{CUBE}.favourite_id = {products}.id' },
      ]
    },
    expected: ['JOIN_ADDED customers.products results-may-change'],
  },
  {
    rule: "a join's relationship changed is breaking (fan-out)",
    edit: (m) => {
      cube(m, 'orders').joins[1].relationship = 'one_to_one'
    },
    expected: ['JOIN_RELATIONSHIP_CHANGED orders.products breaking'],
  },
  {
    rule: "a join's condition changed may change results",
    edit: (m) => {
      cube(m, 'orders').joins[1].sql = '{CUBE}.product_code = {products}.id'
    },
    expected: ['JOIN_CONDITION_CHANGED orders.products results-may-change'],
  },
  {
    rule: "a cube's table changed may change results",
    edit: (m) => {
      cube(m, 'products').sql_table = 'products_v2'
    },
    expected: ['CUBE_SOURCE_CHANGED products results-may-change'],
  },
  {
    rule: "a cube's data source changed is breaking",
    edit: (m) => {
      cube(m, 'products').data_source = 'warehouse'
    },
    expected: ['DATA_SOURCE_CHANGED products breaking'],
  },
  {
    rule: 'a primary key changed may change results',
    edit: (m) => {
      Object.assign(member(m, 'products.dimensions.price'), { primary_key: true, public: true })
    },
    expected: ['PRIMARY_KEY_CHANGED products results-may-change'],
  },
  {
    rule: 'a dimension made primary key without public: true is hidden (Cube hides keys), which is breaking',
    edit: (m) => {
      member(m, 'products.dimensions.price').primary_key = true
    },
    expected: ['MEMBER_HIDDEN products.price breaking', 'PRIMARY_KEY_CHANGED products results-may-change'],
  },
  {
    rule: 'an access policy changed may change results',
    edit: (m) => {
      cube(m, 'products').access_policy = [{ group: 'admin', member_level: { includes: '*' } }]
    },
    expected: ['ACCESS_POLICY_CHANGED products results-may-change'],
  },
  {
    rule: 'a refresh key changed is compatible',
    edit: (m) => {
      cube(m, 'products').refresh_key = { every: '1 hour' }
    },
    expected: ['REFRESH_KEY_CHANGED products compatible'],
  },
  {
    rule: 'hierarchies are compatible',
    edit: (m) => {
      cube(m, 'customers').hierarchies = [
        { name: 'h', levels: ['tier', 'created_at'] },
        { name: 'h2', levels: ['tier'] },
      ]
    },
    expected: ['HIERARCHY_CHANGED customers.h compatible', 'HIERARCHY_ADDED customers.h2 compatible'],
  },
  {
    rule: 'pre-aggregations are compatible (Cortex does not read them)',
    edit: (m) => {
      cube(m, 'orders').pre_aggregations = [
        { name: 'main', measures: ['total'] },
        { name: 'daily', measures: ['count'] },
      ]
    },
    expected: ['PRE_AGGREGATION_ADDED orders.daily compatible', 'PRE_AGGREGATION_CHANGED orders.main compatible'],
  },
  {
    rule: 'a pre-aggregation removed is compatible',
    edit: (m) => {
      delete cube(m, 'orders').pre_aggregations
    },
    expected: ['PRE_AGGREGATION_REMOVED orders.main compatible'],
  },
  {
    rule: 'a view member that stands for another cube member may change results',
    edit: (m) => {
      m.views[0]!.cubes[1] = { join_path: 'orders', includes: [{ name: 'status', alias: 'tier' }] }
      m.views[0]!.cubes[0].includes = ['total']
    },
    expected: [
      'MEMBER_REMOVED sales.status breaking',
      'SQL_CHANGED sales.tier results-may-change',
      'VIEW_MEMBER_TARGET_CHANGED sales.tier results-may-change',
    ],
  },
  {
    rule: 'a view removed is breaking',
    edit: (m) => {
      m.views = []
    },
    expected: ['VIEW_REMOVED sales breaking'],
  },
  {
    rule: 'a view made non-public is breaking',
    edit: (m) => {
      m.views[0]!.public = false
    },
    expected: ['VIEW_HIDDEN sales breaking'],
  },
  {
    rule: 'a view added is compatible',
    edit: (m) => {
      m.views.push({ name: 'catalog', cubes: [{ join_path: 'products', includes: '*' }] })
    },
    expected: ['VIEW_ADDED catalog compatible'],
  },
  {
    rule: 'reordered members and camelCase keys are no change',
    edit: (m) => {
      const c = cube(m, 'customers')
      c.dimensions.reverse()
      c.hierarchies = [{ name: 'h', levels: ['tier'] }]
      const o = cube(m, 'orders')
      o.sqlTable = o.sql_table
      delete o.sql_table
    },
    expected: [],
  },
]

const summary = (changes: readonly ModelChange[]): string[] => changes.map((c) => `${c.code} ${c.name} ${c.severity}`)

describe('diffModels classification', () => {
  it.each(CASES.map((c) => [c.rule, c] as const))('%s', (_rule, c) => {
    const after = base()
    c.edit(after)
    const diff = diffModels(parseModel([{ content: base() }]), parseModel([{ content: after }]))
    expect(summary(diff.changes)).toEqual(c.expected)
    expect(diff.breaking).toBe(c.expected.some((e) => e.endsWith(' breaking')))
    for (const change of diff.changes) {
      expect(change.breaking).toBe(change.severity === 'breaking')
      expect(change.message).toMatch(/\.$/)
    }
  })

  it('every rule in the classification table has a case', () => {
    const covered = new Set(CASES.flatMap((c) => c.expected.map((e) => e.split(' ')[0])))
    expect([...covered].sort()).toEqual([
      'ACCESS_POLICY_CHANGED',
      'CUBE_ADDED',
      'CUBE_HIDDEN',
      'CUBE_REMOVED',
      'CUBE_SHOWN',
      'CUBE_SOURCE_CHANGED',
      'DATA_SOURCE_CHANGED',
      'HIERARCHY_ADDED',
      'HIERARCHY_CHANGED',
      'JOIN_ADDED',
      'JOIN_CONDITION_CHANGED',
      'JOIN_RELATIONSHIP_CHANGED',
      'JOIN_REMOVED',
      'MEASURE_FILTERS_CHANGED',
      'MEASURE_TYPE_CHANGED',
      'MEMBER_ADDED',
      'MEMBER_HIDDEN',
      'MEMBER_KIND_CHANGED',
      'MEMBER_REMOVED',
      'MEMBER_SHOWN',
      'MEMBER_TYPE_CHANGED',
      'METADATA_CHANGED',
      'PRE_AGGREGATION_ADDED',
      'PRE_AGGREGATION_CHANGED',
      'PRE_AGGREGATION_REMOVED',
      'PRIMARY_KEY_CHANGED',
      'REFRESH_KEY_CHANGED',
      'SQL_CHANGED',
      'VIEW_ADDED',
      'VIEW_HIDDEN',
      'VIEW_MEMBER_TARGET_CHANGED',
      'VIEW_REMOVED',
    ])
  })
})

describe('diffModels inputs and result', () => {
  it('summarises the changes and names both versions', () => {
    const after = base()
    member(after, 'orders.measures.total').type = 'avg'
    after.cubes.push({ name: 'stores', sql_table: 'stores', dimensions: [{ name: 'id', sql: 'id', type: 'number' }] })
    const before = parseModel([{ content: base() }])
    const next = parseModel([{ content: after }])
    const diff = diffModels(before, next)
    expect(diff.summary).toEqual({ added: 1, removed: 0, changed: 3, breaking: 2, resultsMayChange: 1 })
    expect(diff.before).toBe(compileModel(before).version)
    expect(diff.after).toBe(compileModel(next).version)
  })

  it('takes compiled models (layer.model) and plain objects too; pre-aggregations need definitions', () => {
    const after = base()
    cube(after, 'orders').pre_aggregations = []
    member(after, 'orders.dimensions.status').sql = 'lower(status)'
    const fromCompiled = diffModels(compileModel(parseModel([{ content: base() }])), after)
    expect(summary(fromCompiled.changes)).toEqual([
      'SQL_CHANGED orders.status results-may-change',
      'SQL_CHANGED sales.status results-may-change',
    ])
    expect(summary(diffModels(base(), after).changes)).toContain('PRE_AGGREGATION_REMOVED orders.main compatible')
  })

  it('refuses a side that does not compile, with its issues', () => {
    const after = base()
    member(after, 'orders.measures.total').sql = '{CUBE.nope}'
    expect(() => diffModels(base(), after)).toThrow(
      expect.objectContaining({
        code: 'MODEL_INVALID',
        issues: expect.arrayContaining([expect.objectContaining({ code: 'UNKNOWN_REFERENCE' })]),
      }),
    )
  })
})
