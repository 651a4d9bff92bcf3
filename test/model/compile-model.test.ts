import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { buildSync } from 'esbuild'
import { describe, expect, it, test } from 'vitest'
import { isSemanticLayerError, type ErrorIssue, type SemanticLayerError } from '../../src/errors.js'
import { compileModel } from '../../src/model/compile-model.js'
import type { CompiledModel } from '../../src/model/compiled.js'
import { parseModel, type ModelSourceEntry } from '../../src/model/load-model.js'
import { miniModel } from '../fixtures/mini-model.js'

const FILE = 'm.yml'

function compile(yaml: string | readonly ModelSourceEntry[]): CompiledModel {
  return compileModel(parseModel(typeof yaml === 'string' ? [{ file: FILE, content: yaml }] : yaml))
}

function compileError(yaml: string | readonly ModelSourceEntry[]): SemanticLayerError {
  // parseModel must accept the model: the problem has to be found by compileModel.
  const definition = parseModel(typeof yaml === 'string' ? [{ file: FILE, content: yaml }] : yaml)
  try {
    compileModel(definition)
  } catch (error) {
    if (isSemanticLayerError(error)) return error
    throw error
  }
  throw new Error('expected compileModel to throw')
}

/** The one issue with this code (fails when there is none or more than one). */
function only(error: SemanticLayerError, code: string): ErrorIssue {
  expect(error.code).toBe('MODEL_INVALID')
  const found = error.issues.filter((i) => i.code === code)
  expect(found, JSON.stringify(error.issues)).toHaveLength(1)
  return found[0]!
}

/** Exactly one issue in total, with this code and path; returns it for message checks. */
function single(error: SemanticLayerError, code: string, path: readonly (string | number)[]): ErrorIssue {
  expect(error.code).toBe('MODEL_INVALID')
  expect(error.issues, JSON.stringify(error.issues)).toHaveLength(1)
  const issue = error.issues[0]!
  expect(issue.code).toBe(code)
  expect(issue.path).toEqual(path)
  return issue
}

/** A cube `orders` with a primary key and a count; `extra` is appended under the cube (indented 4 spaces). */
function ordersCube(extra = '', head = '    sql_table: orders\n'): string {
  return `cubes:
  - name: orders
${head}    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: status, sql: status, type: string }
${extra}`
}

const CUBE = (cube: string) => ({ kind: 'cube', cube })
const MEASURE = (cube: string, name: string) => ({ kind: 'measure', cube, name })

describe('compileModel issues (one test per code)', () => {
  it('DUPLICATE_NAME: a cube defined twice, reported at the second definition with the other file', () => {
    const error = compileError([
      { file: 'a.yml', content: 'cubes:\n  - { name: orders, sql_table: a }\n' },
      { file: 'b.yml', content: 'cubes:\n  - { name: orders, sql_table: b }\n' },
    ])
    const issue = single(error, 'DUPLICATE_NAME', ['b.yml', 'cubes', 'orders'])
    expect(issue.message).toContain('a.yml')
    expect(issue.message).toMatch(/Rename or remove/)
  })

  it('DUPLICATE_NAME: one member name used as a dimension and as a measure', () => {
    const error = compileError(
      ordersCube(`    measures:
      - { name: status, type: count }
`),
    )
    const issue = single(error, 'DUPLICATE_NAME', [FILE, 'cubes', 'orders', 'measures', 'status'])
    expect(issue.message).toMatch(/unique across dimensions, measures and segments/)
  })

  it('DUPLICATE_NAME: two joins to the same cube', () => {
    const error = compileError(`cubes:
  - name: a
    sql_table: a
    joins:
      - { name: b, relationship: one_to_one, sql: "{CUBE}.id = {b}.id" }
      - { name: b, relationship: one_to_one, sql: "{CUBE}.x = {b}.x" }
  - { name: b, sql_table: b }
`)
    const issue = single(error, 'DUPLICATE_NAME', [FILE, 'cubes', 'a', 'joins', 'b'])
    expect(issue.message).toMatch(/Keep one/)
  })

  it('DUPLICATE_NAME: a view that would expose two members with the same name', () => {
    const error = compileError(`cubes:
  - name: orders
    sql_table: orders
    joins:
      - { name: customers, relationship: many_to_one, sql: "{CUBE}.customer_id = {customers}.id" }
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: status, sql: status, type: string }
  - name: customers
    sql_table: customers
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: status, sql: status, type: string }
views:
  - name: shop
    cubes:
      - { join_path: orders, includes: [status] }
      - { join_path: orders.customers, includes: [id, status] }
`)
    const issue = single(error, 'DUPLICATE_NAME', [FILE, 'views', 'shop', 'cubes', 1, 'includes', 1])
    expect(issue.message).toMatch(/prefix: true or an alias/)
  })

  it('DUPLICATE_NAME: a view with the same name as a cube', () => {
    const error = compileError(`cubes:
  - { name: orders, sql_table: orders, dimensions: [{ name: id, sql: id, type: number }] }
views:
  - name: orders
    cubes:
      - { join_path: orders, includes: '*' }
`)
    const issue = single(error, 'DUPLICATE_NAME', [FILE, 'views', 'orders'])
    expect(issue.message).toMatch(/must be unique/)
  })

  it('EXTENDS_CYCLE: cubes that extend each other', () => {
    const error = compileError(`cubes:
  - { name: a, extends: b, sql_table: a }
  - { name: b, extends: a, sql_table: b }
`)
    expect(error.code).toBe('MODEL_INVALID')
    expect(error.issues.map((i) => i.code)).toEqual(['EXTENDS_CYCLE', 'EXTENDS_CYCLE'])
    expect(error.issues.map((i) => i.path)).toEqual([
      [FILE, 'cubes', 'a', 'extends'],
      [FILE, 'cubes', 'b', 'extends'],
    ])
    expect(error.issues[0]!.message).toMatch(/Remove the cycle/)
  })

  it('UNKNOWN_REFERENCE: a {reference} that names nothing', () => {
    const error = compileError(
      ordersCube(`      - { name: label, sql: "{nope} || 'x'", type: string }
`),
    )
    const issue = single(error, 'UNKNOWN_REFERENCE', [FILE, 'cubes', 'orders', 'dimensions', 'label', 'sql'])
    expect(issue.message).toContain('{nope}')
    expect(issue.message).toMatch(/Use \{CUBE\}, \{member\}, \{cube\} or \{cube\.member\}/)
  })

  it('UNKNOWN_REFERENCE: {cube.member} where the cube has no such member', () => {
    const error = compileError(
      ordersCube(`      - { name: label, sql: "{orders.nope}", type: string }
`),
    )
    const issue = single(error, 'UNKNOWN_REFERENCE', [FILE, 'cubes', 'orders', 'dimensions', 'label', 'sql'])
    expect(issue.message).toMatch(/has no member 'nope'/)
  })

  it('UNKNOWN_REFERENCE: extends names a cube that does not exist', () => {
    const error = compileError(`cubes:
  - { name: child, extends: ghost, sql_table: c }
`)
    const issue = single(error, 'UNKNOWN_REFERENCE', [FILE, 'cubes', 'child', 'extends'])
    expect(issue.message).toContain("'ghost'")
    expect(issue.message).toMatch(/Check the name or add that cube/)
  })

  it('UNKNOWN_REFERENCE: a hierarchy level that is not a dimension of the cube', () => {
    const error = compileError(
      ordersCube(`    hierarchies:
      - { name: h, levels: [status, nope] }
`),
    )
    const issue = single(error, 'UNKNOWN_REFERENCE', [FILE, 'cubes', 'orders', 'hierarchies', 'h', 'levels', 1])
    expect(issue.message).toMatch(/Use one of its dimension names/)
  })

  it('UNKNOWN_REFERENCE: a drill member that names no dimension or measure', () => {
    const error = compileError(
      ordersCube(`    measures:
      - { name: count, type: count, drill_members: [status, orders.ghost] }
`),
    )
    const issue = single(error, 'UNKNOWN_REFERENCE', [FILE, 'cubes', 'orders', 'measures', 'count', 'drill_members', 1])
    expect(issue.message).toContain('orders.ghost')
  })

  it('UNKNOWN_REFERENCE: a view includes a member its cube does not have', () => {
    const error = compileError(
      ordersCube(`views:
  - name: v
    cubes:
      - { join_path: orders, includes: [status, ghost] }
`),
    )
    const issue = single(error, 'UNKNOWN_REFERENCE', [FILE, 'views', 'v', 'cubes', 0, 'includes', 1])
    expect(issue.message).toContain("no member 'ghost'")
  })

  it('UNKNOWN_REFERENCE: a view join_path through a cube that does not exist', () => {
    const error = compileError(
      ordersCube(`views:
  - name: v
    cubes:
      - { join_path: orders, includes: [status] }
      - { join_path: orders.ghost, includes: '*' }
`),
    )
    single(error, 'UNKNOWN_REFERENCE', [FILE, 'views', 'v', 'cubes', 1, 'join_path'])
  })

  it('INVALID_CUBE: a view over a cube that has errors says that cube is invalid and where its issues are', () => {
    const error = compileError([
      { file: 'orders.yml', content: 'cubes: [{ name: orders, dimensions: [{ name: s, sql: s, type: string }] }]' },
      { file: 'views.yml', content: 'views:\n  - { name: sales, cubes: [{ join_path: orders, includes: [s] }] }' },
    ])
    expect(error.issues.map((i) => [i.code, i.path])).toEqual([
      ['MISSING_SQL', ['orders.yml', 'cubes', 'orders']],
      ['INVALID_CUBE', ['views.yml', 'views', 'sales', 'cubes', 0, 'join_path']],
    ])
    expect(error.issues[1]!.message).toBe(
      "join_path 'orders' names cube 'orders', which has errors of its own" +
        ' (reported under orders.yml.cubes.orders). Fix those first; this view then compiles too.',
    )
    expect(error.issues[1]!.message).not.toContain('is not a')
  })

  it('UNKNOWN_REFERENCE: a join_path naming a view, or a misspelt cube, says so', () => {
    const viaView = compileError(
      ordersCube(`views:
  - name: v
    cubes:
      - { join_path: orders, includes: [status] }
  - name: w
    cubes:
      - { join_path: v, includes: [status] }
`),
    )
    const viewIssue = single(viaView, 'UNKNOWN_REFERENCE', [FILE, 'views', 'w', 'cubes', 0, 'join_path'])
    expect(viewIssue.message).toContain("'v', which is a view")
    const typo = compileError(
      ordersCube(`views:
  - name: v
    cubes:
      - { join_path: ordres, includes: [status] }
`),
    )
    const typoIssue = single(typo, 'UNKNOWN_REFERENCE', [FILE, 'views', 'v', 'cubes', 0, 'join_path'])
    expect(typoIssue.message).toContain('Did you mean "orders"?')
  })

  it('did you mean: misspelt joins, extends, references and view includes suggest the model name', () => {
    const error = compileError(`cubes:
  - name: orders
    sql_table: orders
    joins:
      - { name: custmers, relationship: many_to_one, sql: "{CUBE}.customer_id = {customers.id}" }
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: status, sql: "{CUBE}.status", type: string }
      - { name: label, sql: "{stauts}", type: string }
    measures:
      - { name: count, type: count }
      - { name: ratio, sql: "{orders.cuont} / 2", type: number }
  - name: customers
    sql_table: customers
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
  - name: vip
    extends: customrs
views:
  - name: v
    cubes:
      - { join_path: customers, includes: [idd] }
`)
    const hint = (message: string): string | undefined => /Did you mean (.*)\?/.exec(message)?.[1]
    const hints = Object.fromEntries(error.issues.map((i) => [i.path.slice(1).join('.'), hint(i.message)]))
    expect(hints).toEqual({
      'cubes.orders.joins.custmers': '"customers"',
      'cubes.orders.dimensions.label.sql': '"status"',
      'cubes.orders.measures.ratio.sql': '"count"',
      'cubes.vip.extends': '"customers"',
      'views.v.cubes.0.includes.0': '"id"',
    })
  })

  it('SQL_AND_SQL_TABLE: a cube with both sql and sql_table', () => {
    const error = compileError(ordersCube('', '    sql_table: orders\n    sql: SELECT * FROM orders\n'))
    const issue = single(error, 'SQL_AND_SQL_TABLE', [FILE, 'cubes', 'orders'])
    expect(issue.message).toMatch(/Keep exactly one/)
  })

  it('MISSING_SQL: a cube with neither sql nor sql_table', () => {
    const error = compileError(ordersCube('', ''))
    const issue = single(error, 'MISSING_SQL', [FILE, 'cubes', 'orders'])
    expect(issue.message).toContain('sql_table')
  })

  it('MISSING_SQL: a dimension without sql or case', () => {
    const error = compileError(
      ordersCube(`      - { name: region, type: string }
`),
    )
    const issue = single(error, 'MISSING_SQL', [FILE, 'cubes', 'orders', 'dimensions', 'region'])
    expect(issue.message).toMatch(/Add sql:/)
  })

  it('MISSING_SQL: a non-count measure without sql (count without sql is fine)', () => {
    const error = compileError(
      ordersCube(`    measures:
      - { name: count, type: count }
      - { name: total, type: sum }
`),
    )
    const issue = single(error, 'MISSING_SQL', [FILE, 'cubes', 'orders', 'measures', 'total'])
    expect(issue.message).toMatch(/type sum needs sql/)
    expect(issue.message).toMatch(/Add sql:/)
  })

  it('SQL_AND_CASE: a dimension with both sql and case', () => {
    const error = compileError(
      ordersCube(`      - name: size
        type: string
        sql: size
        case:
          when: [{ sql: "{CUBE}.amount > 10", label: big }]
`),
    )
    const issue = single(error, 'SQL_AND_CASE', [FILE, 'cubes', 'orders', 'dimensions', 'size'])
    expect(issue.message).toMatch(/Keep one of them/)
  })

  it('UNSUPPORTED_FEATURE: member_masking in an access policy', () => {
    const error = compileError(
      ordersCube(`    access_policy:
      - { group: '*', member_masking: { includes: '*' } }
`),
    )
    const issue = single(error, 'UNSUPPORTED_FEATURE', [FILE, 'cubes', 'orders', 'access_policy', 0, 'member_masking'])
    expect(issue.message).toMatch(/member_level/)
  })

  it('INVALID_POLICY: a policy needs exactly one of group and groups', () => {
    const error = compileError(
      ordersCube(`    access_policy:
      - { member_level: { includes: '*' } }
`),
    )
    const issue = single(error, 'INVALID_POLICY', [FILE, 'cubes', 'orders', 'access_policy', 0])
    expect(issue.message).toMatch(/group/)
  })

  it('INVALID_POLICY: a condition that is not a security context expression', () => {
    const error = compileError(
      ordersCube(`    access_policy:
      - { group: '*', conditions: [{ if: 'drop table users' }] }
`),
    )
    single(error, 'INVALID_POLICY', [FILE, 'cubes', 'orders', 'access_policy', 0, 'conditions', 0, 'if'])
  })

  it('UNKNOWN_REFERENCE: a row filter on a member the view does not have', () => {
    const error = compileError(
      ordersCube(`views:
  - name: v
    access_policy:
      - group: '*'
        row_level:
          filters: [{ member: nope, operator: equals, values: ['{ securityContext.tenant }'] }]
    cubes:
      - { join_path: orders, includes: '*' }
`),
    )
    single(error, 'UNKNOWN_REFERENCE', [FILE, 'views', 'v', 'access_policy', 0, 'row_level', 'filters', 0, 'member'])
  })

  it('UNSUPPORTED_FEATURE: rolling_window on a measure', () => {
    const error = compileError(
      ordersCube(`    measures:
      - { name: total, sql: amount, type: sum, rolling_window: { trailing: 7 day } }
`),
    )
    const issue = single(error, 'UNSUPPORTED_FEATURE', [FILE, 'cubes', 'orders', 'measures', 'total', 'rolling_window'])
    expect(issue.message).toMatch(/Remove rolling_window/)
  })

  it('UNSUPPORTED_FEATURE: {SECURITY_CONTEXT.x} in member sql', () => {
    const error = compileError(
      ordersCube(`      - { name: mine, sql: "{CUBE}.tenant = {SECURITY_CONTEXT.tenant}", type: boolean }
`),
    )
    const issue = single(error, 'UNSUPPORTED_FEATURE', [FILE, 'cubes', 'orders', 'dimensions', 'mine', 'sql'])
    expect(issue.message).toContain('SECURITY_CONTEXT')
    expect(issue.message).toMatch(/security hooks/)
  })

  it('UNSUPPORTED_FEATURE: {SECURITY_CONTEXT.x} in the cube sql', () => {
    const error = compileError(
      ordersCube('', '    sql: "SELECT * FROM orders WHERE tenant = {SECURITY_CONTEXT.tenant}"\n'),
    )
    single(error, 'UNSUPPORTED_FEATURE', [FILE, 'cubes', 'orders', 'sql'])
  })

  it('UNKNOWN_JOIN_TARGET: a join to a cube that does not exist', () => {
    const error = compileError(
      ordersCube(`    joins:
      - { name: ghosts, relationship: many_to_one, sql: "{CUBE}.ghost_id = 1" }
`),
    )
    const issue = single(error, 'UNKNOWN_JOIN_TARGET', [FILE, 'cubes', 'orders', 'joins', 'ghosts'])
    expect(issue.message).toMatch(/Use the name of an existing cube/)
  })

  it('UNKNOWN_JOIN_TARGET: a cube that joins itself', () => {
    const error = compileError(
      ordersCube(`    joins:
      - { name: orders, relationship: many_to_one, sql: "{CUBE}.parent_id = {CUBE}.id" }
`),
    )
    const issue = single(error, 'UNKNOWN_JOIN_TARGET', [FILE, 'cubes', 'orders', 'joins', 'orders'])
    expect(issue.message).toMatch(/extends: orders/)
  })

  it('REFERENCE_CYCLE: dimensions a → b → a', () => {
    const error = compileError(
      ordersCube(`      - { name: a, sql: "{b} + 1", type: number }
      - { name: b, sql: "{a} + 1", type: number }
`),
    )
    const issue = single(error, 'REFERENCE_CYCLE', [FILE, 'cubes', 'orders', 'dimensions', 'a', 'sql'])
    expect(issue.message).toMatch(/Break the cycle/)
  })

  it('REFERENCE_CYCLE: calculated measures that reference each other', () => {
    const error = compileError(
      ordersCube(`    measures:
      - { name: x, sql: "{y} + 1", type: number }
      - { name: y, sql: "{x} + 1", type: number }
`),
    )
    const issue = only(error, 'REFERENCE_CYCLE')
    expect(issue.path).toEqual([FILE, 'cubes', 'orders', 'measures', 'x', 'sql'])
    expect(issue.message).toContain('orders.x → orders.y → orders.x')
  })

  it('MEASURE_REFERENCE: a dimension that references a measure', () => {
    const error = compileError(
      ordersCube(`      - { name: bad, sql: "{count} > 1", type: boolean }
    measures:
      - { name: count, type: count }
`),
    )
    const issue = single(error, 'MEASURE_REFERENCE', [FILE, 'cubes', 'orders', 'dimensions', 'bad', 'sql'])
    expect(issue.message).toMatch(/Reference a dimension or column here/)
  })

  it('MEASURE_REFERENCE: a sum measure that references a measure', () => {
    const error = compileError(
      ordersCube(`    measures:
      - { name: total, sql: amount, type: sum }
      - { name: doubled, sql: "{total} * 2", type: sum }
`),
    )
    const issue = single(error, 'MEASURE_REFERENCE', [FILE, 'cubes', 'orders', 'measures', 'doubled', 'sql'])
    expect(issue.message).toMatch(/type: number/)
  })

  it('MISSING_PRIMARY_KEY: a cube whose rows a join can multiply has no primary key', () => {
    const error = compileError(`cubes:
  - name: orders
    sql_table: orders
    joins:
      - { name: items, relationship: one_to_many, sql: "{CUBE}.id = {items}.order_id" }
    dimensions:
      - { name: status, sql: status, type: string }
    measures:
      - { name: total, sql: amount, type: sum }
  - name: items
    sql_table: items
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
`)
    const issue = single(error, 'MISSING_PRIMARY_KEY', [FILE, 'cubes', 'orders'])
    expect(issue.message).toContain('primary_key: true')
  })

  it('MISSING_PRIMARY_KEY is not reported for duplicate-safe measures or without fanning joins', () => {
    expect(() =>
      compile(`cubes:
  - name: orders
    sql_table: orders
    joins:
      - { name: items, relationship: one_to_many, sql: "{CUBE}.id = {items}.order_id" }
    dimensions:
      - { name: status, sql: status, type: string }
    measures:
      - { name: n, sql: id, type: count_distinct }
      - { name: biggest, sql: amount, type: max }
  - name: items
    sql_table: items
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
  - name: lonely
    sql_table: lonely
    measures:
      - { name: count, type: count }
`),
    ).not.toThrow()
  })

  it('INVALID_JOIN_PATH: a view join_path that does not start at the root cube', () => {
    const error = compileError(`cubes:
  - name: orders
    sql_table: orders
    dimensions: [{ name: id, sql: id, type: number, primary_key: true }]
  - name: customers
    sql_table: customers
    dimensions: [{ name: country, sql: country, type: string }]
views:
  - name: v
    cubes:
      - { join_path: orders, includes: [id] }
      - { join_path: customers, includes: [country] }
`)
    const issue = single(error, 'INVALID_JOIN_PATH', [FILE, 'views', 'v', 'cubes', 1, 'join_path'])
    expect(issue.message).toMatch(/must start at the view's root cube 'orders'/)
  })

  it('INVALID_JOIN_PATH: a view join_path along a join that is not declared', () => {
    const error = compileError(`cubes:
  - name: orders
    sql_table: orders
    dimensions: [{ name: id, sql: id, type: number, primary_key: true }]
  - name: customers
    sql_table: customers
    joins:
      - { name: orders, relationship: one_to_many, sql: "{CUBE}.id = {orders}.customer_id" }
    dimensions: [{ name: id, sql: id, type: number, primary_key: true }, { name: country, sql: country, type: string }]
views:
  - name: v
    cubes:
      - { join_path: orders, includes: [id] }
      - { join_path: orders.customers, includes: [country] }
`)
    const issue = single(error, 'INVALID_JOIN_PATH', [FILE, 'views', 'v', 'cubes', 1, 'join_path'])
    expect(issue.message).toMatch(/declares no join to 'customers'. Add the join or fix the path/)
  })

  it('MISSING_KEY: a view that lists no cubes', () => {
    const error = compileError(
      ordersCube(`views:
  - { name: v, cubes: [] }
`),
    )
    const issue = single(error, 'MISSING_KEY', [FILE, 'views', 'v', 'cubes'])
    expect(issue.message).toContain('join_path')
  })

  it('reports every problem at once', () => {
    const error = compileError(`cubes:
  - name: a
    dimensions:
      - { name: x, type: string }
  - name: b
    sql_table: b
    joins:
      - { name: ghost, relationship: one_to_one, sql: "1 = 1" }
`)
    expect(error.code).toBe('MODEL_INVALID')
    expect(error.issues.map((i) => [i.code, i.path])).toEqual([
      ['MISSING_SQL', [FILE, 'cubes', 'a']],
      ['MISSING_SQL', [FILE, 'cubes', 'a', 'dimensions', 'x']],
      ['UNKNOWN_JOIN_TARGET', [FILE, 'cubes', 'b', 'joins', 'ghost']],
    ])
    expect(error.message).toMatch(/^MODEL_INVALID: /)
  })
})

describe('reference resolution', () => {
  const model = compile(`cubes:
  - name: orders
    sql_table: public.orders
    joins:
      - { name: customers, relationship: many_to_one, sql: "{CUBE}.customer_id = {customers.id}" }
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: status, sql: status, type: string }
      - { name: padded, sql: "  status  ", type: string }
      - { name: whole, sql: "{CUBE}", type: string }
      - { name: upper_status, sql: "UPPER({status})", type: string }
      - { name: cube_member, sql: "{CUBE.status} || {orders.status}", type: string }
      - { name: country, sql: "{customers.country}", type: string }
      - { name: customer_name, sql: "{customers}.name", type: string }
      - { name: code_ok, sql: "{CUBE}.code ~ '^[0-9]{2,3}$'", type: boolean }
      - { name: json_text, sql: "'{\\"a\\": 1}'", type: string }
    measures:
      - { name: total, sql: amount, type: sum }
      - { name: paid_total, sql: "{CUBE}.amount", type: sum, filters: [{ sql: "{status} = 'paid'" }] }
    segments:
      - { name: paid, sql: "{status} = 'paid'" }
  - name: customers
    sql_table: customers
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: country, sql: "UPPER({CUBE}.country)", type: string }
`)
  const orders = model.cubes.orders!
  const dim = (name: string) => orders.dimensions[name]!.sql

  it('a bare column is prefixed with its cube', () => {
    expect(dim('status')).toEqual([CUBE('orders'), '.status'])
    expect(dim('padded')).toEqual([CUBE('orders'), '.status'])
    expect(orders.measures.total!.sql).toEqual([CUBE('orders'), '.amount'])
  })

  it('{CUBE} is the cube itself', () => {
    expect(dim('whole')).toEqual([CUBE('orders')])
    expect(orders.measures.paid_total!.sql).toEqual([CUBE('orders'), '.amount'])
  })

  it('{member} and {CUBE.member} and {cube.member} inline the member sql in parentheses', () => {
    expect(dim('upper_status')).toEqual(['UPPER((', CUBE('orders'), '.status))'])
    expect(dim('cube_member')).toEqual(['(', CUBE('orders'), '.status) || (', CUBE('orders'), '.status)'])
  })

  it('{cube.member} of another cube inlines that cube member, compiled in its own cube', () => {
    expect(dim('country')).toEqual(['(UPPER(', CUBE('customers'), '.country))'])
    expect(orders.joins.customers!.sql).toEqual([CUBE('orders'), '.customer_id = (', CUBE('customers'), '.id)'])
  })

  it('{cube} alone is that cube alias', () => {
    expect(dim('customer_name')).toEqual([CUBE('customers'), '.name'])
  })

  it('braces that are not references stay as text', () => {
    expect(dim('code_ok')).toEqual([CUBE('orders'), ".code ~ '^[0-9]{2,3}$'"])
    expect(dim('json_text')).toEqual(['\'{"a": 1}\''])
  })

  it('measure filters and segments resolve references too', () => {
    expect(orders.measures.paid_total!.filters).toEqual([['(', CUBE('orders'), ".status) = 'paid'"]])
    expect(orders.segments.paid!.sql).toEqual(['(', CUBE('orders'), ".status) = 'paid'"])
  })

  it('compiled cube data: from, primary key, joins', () => {
    expect(orders.from).toEqual(['public.orders'])
    expect(orders.primaryKey).toEqual(['id'])
    expect(orders.dataSource).toBe('default')
    expect(orders.joins.customers).toMatchObject({ from: 'orders', to: 'customers', relationship: 'many_to_one' })
    expect(Object.keys(orders.dimensions)).toEqual([
      'id',
      'status',
      'padded',
      'whole',
      'upper_status',
      'cube_member',
      'country',
      'customer_name',
      'code_ok',
      'json_text',
    ])
    expect(orders.dimensions.id!.primaryKey).toBe(true)
    expect(orders.dimensions.status!.primaryKey).toBe(false)
  })

  it('a cube sql becomes a parenthesized subquery', () => {
    const m = compile(
      ordersCube('', '    sql: "SELECT * FROM {customers} WHERE 1 = 1"\n') +
        `  - { name: customers, sql_table: customers_table }
`,
    )
    expect(m.cubes.orders!.from).toEqual(['(SELECT * FROM ', CUBE('customers'), ' WHERE 1 = 1)'])
  })
})

describe('extends', () => {
  const model = compile(`cubes:
  - name: base
    sql_table: base_table
    title: Base Things
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: status, sql: status, type: string }
    measures:
      - { name: count, type: count }
  - name: child
    extends: base
    dimensions:
      - { name: status, sql: new_status, type: string }
      - { name: region, sql: "{CUBE}.region", type: string }
    measures:
      - { name: total, sql: amount, type: sum }
`)

  it('inherits sql_table and merges members; the child overrides by name', () => {
    const child = model.cubes.child!
    expect(child.from).toEqual(['base_table'])
    expect(Object.keys(child.dimensions)).toEqual(['id', 'status', 'region'])
    expect(Object.keys(child.measures)).toEqual(['count', 'total'])
    expect(child.dimensions.status!.sql).toEqual([CUBE('child'), '.new_status'])
    expect(child.primaryKey).toEqual(['id'])
  })

  it('inherited members belong to the child ({CUBE} is the child)', () => {
    const id = model.cubes.child!.dimensions.id!
    expect(id.sql).toEqual([CUBE('child'), '.id'])
    expect(id.key).toBe('child.id')
    expect(id.cube).toBe('child')
  })

  it('the parent is unchanged', () => {
    const base = model.cubes.base!
    expect(Object.keys(base.dimensions)).toEqual(['id', 'status'])
    expect(base.dimensions.status!.sql).toEqual([CUBE('base'), '.status'])
    expect(base.measures.total).toBeUndefined()
  })

  it('a child with its own sql_table uses it', () => {
    const m = compile(`cubes:
  - { name: base, sql_table: base_table, dimensions: [{ name: id, sql: id, type: number }] }
  - { name: child, extends: base, sql_table: child_table }
`)
    expect(m.cubes.child!.from).toEqual(['child_table'])
  })

  // BUG (src/model/compile-model.ts:110-117): `base` is Object.assign of the whole chain, so the parent's
  // sql_table survives next to the child's own sql and the model is rejected with SQL_AND_SQL_TABLE.
  test('a child with its own sql overrides the parent sql_table', () => {
    const m = compile(`cubes:
  - { name: base, sql_table: base_table, dimensions: [{ name: id, sql: id, type: number }] }
  - { name: child, extends: base, sql: "SELECT * FROM child_table" }
`)
    expect(m.cubes.child!.from).toEqual(['(SELECT * FROM child_table)'])
  })
})

describe('members', () => {
  const model = compile(`cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: total_amount, sql: amount, type: number }
      - { name: createdAt, sql: created_at, type: time }
      - { name: named, sql: x, type: string, title: My Own Title }
      - name: size
        type: string
        case:
          when:
            - { sql: "{CUBE}.amount > 100", label: big }
            - { sql: "{total_amount} = 0", label: "O'Brien" }
            - { sql: "{CUBE}.amount < 0", label: { sql: "{CUBE}.kind" } }
          else: { label: small }
    measures:
      - { name: count, type: count }
      - { name: total, sql: amount, type: sum }
      - { name: avg_total, sql: "{total} / NULLIF({count}, 0)", type: number }
      - { name: plain_number, sql: "SUM({CUBE}.amount) * 2", type: number }
      - { name: visitors, sql: visitor_id, type: count_distinct_approx }
  - name: sales_orders
    title: Sales Orders
    sql_table: so
    dimensions:
      - { name: total_amount, sql: amount, type: number }
`)
  const orders = model.cubes.orders!

  it('a case dimension compiles to CASE WHEN with quoted labels (quotes escaped)', () => {
    expect(orders.dimensions.size!.sql).toEqual([
      'CASE WHEN (',
      CUBE('orders'),
      ".amount > 100) THEN 'big' WHEN ((",
      CUBE('orders'),
      ".amount) = 0) THEN 'O''Brien' WHEN (",
      CUBE('orders'),
      '.amount < 0) THEN (',
      CUBE('orders'),
      ".kind) ELSE 'small' END",
    ])
  })

  it('a measure referencing measures is calculated, with its measureRefs', () => {
    const avg = orders.measures.avg_total!
    expect(avg.calculated).toBe(true)
    expect(avg.measureRefs).toEqual(['orders.total', 'orders.count'])
    expect(avg.sql).toEqual([MEASURE('orders', 'total'), ' / NULLIF(', MEASURE('orders', 'count'), ', 0)'])
    expect(orders.measures.total!.calculated).toBe(false)
    expect(orders.measures.total!.measureRefs).toEqual([])
    expect(orders.measures.plain_number!.calculated).toBe(false)
  })

  it('count without sql has no sql', () => {
    expect(orders.measures.count!.sql).toBeUndefined()
    expect(orders.measures.count!.type).toBe('count')
  })

  it('count_distinct_approx maps to count_distinct, marked approximate for dialects with an approximate count', () => {
    expect(orders.measures.visitors!.type).toBe('count_distinct')
    expect(orders.measures.visitors!.approximate).toBe(true)
    expect(orders.measures.count!.approximate).toBeUndefined()
  })

  it('titles: words from the name, prefixed with the cube title', () => {
    expect(orders.dimensions.total_amount).toMatchObject({
      title: 'Orders Total Amount',
      shortTitle: 'Total Amount',
      key: 'orders.total_amount',
    })
    expect(orders.dimensions.createdAt).toMatchObject({ title: 'Orders Created At', shortTitle: 'Created At' })
    expect(orders.dimensions.named).toMatchObject({ title: 'Orders My Own Title', shortTitle: 'My Own Title' })
    expect(orders.title).toBe('Orders')
    expect(model.cubes.sales_orders!.dimensions.total_amount).toMatchObject({
      title: 'Sales Orders Total Amount',
      shortTitle: 'Total Amount',
    })
    expect(orders.measures.avg_total!.title).toBe('Orders Avg Total')
  })
})

describe('the compiled model', () => {
  it('is deeply frozen', () => {
    const model = compileModel(miniModel())
    expect(Object.isFrozen(model)).toBe(true)
    expect(Object.isFrozen(model.cubes)).toBe(true)
    expect(Object.isFrozen(model.views)).toBe(true)
    const orders = model.cubes.orders!
    for (const value of [
      orders,
      orders.dimensions,
      orders.dimensions.status,
      orders.dimensions.status!.sql,
      orders.dimensions.status!.sql[0],
      orders.measures.avg_total!.measureRefs,
      orders.joins.items,
      orders.primaryKey,
      model.views.shop!.dimensions.customers_country!.path,
    ]) {
      expect(Object.isFrozen(value)).toBe(true)
    }
    expect(() => {
      ;(orders.dimensions.status as { name: string }).name = 'hacked'
    }).toThrow(TypeError)
    expect(() => {
      ;(model.cubes as Record<string, unknown>).extra = {}
    }).toThrow(TypeError)
  })

  it('is versioned by a SHA-256 that is stable for the same model and changes with it', () => {
    const a = compileModel(miniModel())
    const b = compileModel(miniModel())
    expect(a.version).toMatch(/^[0-9a-f]{64}$/)
    expect(b.version).toBe(a.version)
    const changed = compile(ordersCube())
    const changedAgain = compile(ordersCube())
    const titled = compile(ordersCube().replace('  - name: orders\n', '  - name: orders\n    title: Sales\n'))
    expect(changed.version).toBe(changedAgain.version)
    expect(changed.version).not.toBe(a.version)
    expect(titled.version).not.toBe(changed.version)
  })

  it('is plain JSON data', () => {
    const model = compileModel(miniModel())
    expect(JSON.parse(JSON.stringify(model))).toEqual(model)
  })

  it('compiles views: members, paths and titles', () => {
    const shop = compileModel(miniModel()).views.shop!
    expect(shop.root).toBe('orders')
    expect(Object.keys(shop.dimensions)).toEqual(['status', 'customers_country'])
    expect(Object.keys(shop.measures)).toEqual(['count', 'total'])
    expect(shop.dimensions.customers_country).toMatchObject({
      cube: 'customers',
      member: 'country',
      path: ['orders', 'customers'],
      key: 'shop.customers_country',
      title: 'Customers Country',
    })
    expect(shop.measures.total).toMatchObject({ cube: 'orders', member: 'total', path: ['orders'] })
  })
})

describe('options Cube documents as harmless when false', () => {
  // BUG (src/model/compile-model.ts:161-163 and :275): compileModel rejects these keys whenever they are
  // present, even with the value false, while model-schema.ts documents (and implements for its own
  // unsupported keys) that `false` is harmless. A Cube model with `multi_stage: false` or `sub_query: false`
  // does not load unchanged.
  test('multi_stage: false on a measure is accepted', () => {
    expect(() =>
      compile(
        ordersCube(`    measures:
      - { name: count, type: count, multi_stage: false }
`),
      ),
    ).not.toThrow()
  })

  test('sub_query: false on a dimension is accepted', () => {
    expect(() =>
      compile(
        ordersCube(`      - { name: x, sql: x, type: string, sub_query: false }
`),
      ),
    ).not.toThrow()
  })

  it('multi_stage: true is rejected as UNSUPPORTED_FEATURE', () => {
    const error = compileError(
      ordersCube(`    measures:
      - { name: count, type: count, multi_stage: true }
`),
    )
    single(error, 'UNSUPPORTED_FEATURE', [FILE, 'cubes', 'orders', 'measures', 'count', 'multi_stage'])
  })
})

/**
 * Compile in a worker thread so a compiler that never returns cannot hang the test run: resolves to the
 * issue codes, 'ok', or 'timeout'. The sources are bundled with esbuild (a dependency of tsup).
 */
let bundled: string | undefined
function compileInWorker(yaml: string, timeoutMs: number): Promise<string[] | 'ok' | 'timeout'> {
  const bundle = (bundled ??= buildSync({
    stdin: {
      contents:
        "export { compileModel } from './src/model/compile-model.ts'\nexport { parseModel } from './src/model/load-model.ts'\n",
      resolveDir: fileURLToPath(new URL('../../', import.meta.url)),
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
  }).outputFiles[0]!.text)
  const source = `const lib = (() => { const module = { exports: {} }; const exports = module.exports; ${bundle}
; return module.exports })()
const { parentPort, workerData } = require('node:worker_threads')
try { lib.compileModel(lib.parseModel([{ file: 'm.yml', content: workerData }])); parentPort.postMessage('ok') }
catch (e) { parentPort.postMessage(Array.isArray(e.issues) ? e.issues.map((i) => i.code) : ['THREW ' + String(e)]) }`
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: yaml })
    const timer = setTimeout(() => {
      void worker.terminate()
      resolve('timeout')
    }, timeoutMs)
    worker.once('message', (message: string[] | 'ok') => {
      clearTimeout(timer)
      void worker.terminate()
      resolve(message)
    })
    worker.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
  })
}

describe('cross-cube reference cycles', () => {
  it('a cycle between two cubes is reported as REFERENCE_CYCLE', async () => {
    const codes = await compileInWorker(
      `cubes:
  - { name: a, sql_table: a, dimensions: [{ name: x, sql: "{b.y}", type: number }] }
  - { name: b, sql_table: b, dimensions: [{ name: y, sql: "{a.x}", type: number }] }
`,
      10_000,
    )
    expect(codes).not.toBe('timeout')
    expect(new Set(codes)).toEqual(new Set(['REFERENCE_CYCLE']))
  }, 20_000)

  // BUG (src/model/compile-model.ts:458-469): foreignInline compiles the other cube's member in a fresh
  // CubeCompiler with no memo and stops only at depth 32, so a cycle whose members reference each other
  // twice recurses 2^33 times: compileModel never returns (startup hangs) instead of REFERENCE_CYCLE.
  test('a cycle whose members reference each other twice is reported promptly', async () => {
    const codes = await compileInWorker(
      `cubes:
  - { name: a, sql_table: a, dimensions: [{ name: x, sql: "{b.y} + {b.y}", type: number }] }
  - { name: b, sql_table: b, dimensions: [{ name: y, sql: "{a.x} + {a.x}", type: number }] }
`,
      3_000,
    )
    expect(codes).not.toBe('timeout')
    expect(codes).toContain('REFERENCE_CYCLE')
  }, 20_000)
})
