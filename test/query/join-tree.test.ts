import { describe, expect, it } from 'vitest'
import { isSemanticLayerError, type SemanticLayerError } from '../../src/errors.js'
import { compileModel } from '../../src/model/compile-model.js'
import type { CompiledJoin, CompiledModel } from '../../src/model/compiled.js'
import type { Relationship } from '../../src/model/definition.js'
import { parseModel } from '../../src/model/load-model.js'
import { buildJoinTree, isMultiplied, orderJoins, type JoinTree } from '../../src/query/plan/join-tree.js'
import { miniModel } from '../fixtures/mini-model.js'

/**
 * A model from `cube: [targets]` (every join one_to_one, so primary keys are never required).
 * Joins are declared in the order given, so tests can list them against alphabetical order.
 */
function graph(edges: Record<string, readonly string[]>, relationship: Relationship = 'one_to_one'): CompiledModel {
  const names = new Set<string>(Object.keys(edges))
  for (const targets of Object.values(edges)) for (const t of targets) names.add(t)
  const cubes = [...names].map((name) => {
    const joins = (edges[name] ?? []).map(
      (to) => `      - { name: ${to}, relationship: ${relationship}, sql: "{CUBE}.${to}_id = {${to}}.id" }`,
    )
    return `  - name: ${name}
    sql_table: ${name}
    joins:
${joins.length ? joins.join('\n') : '      []'}
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
`
  })
  return compileModel(parseModel([{ file: 'graph.yml', content: `cubes:\n${cubes.join('')}` }]))
}

/** Joins as `from>to` strings, in tree order. */
const edges = (tree: JoinTree): string[] => tree.joins.map((j) => `${j.from}>${j.to}`)

function join(from: string, to: string, relationship: Relationship): CompiledJoin {
  return { from, to, relationship, sql: [] }
}

function treeError(model: CompiledModel, cubes: readonly string[]): SemanticLayerError {
  try {
    buildJoinTree(model, cubes)
  } catch (error) {
    if (isSemanticLayerError(error)) return error
    throw error
  }
  throw new Error('expected buildJoinTree to throw')
}

describe('buildJoinTree', () => {
  it('a single cube needs no joins', () => {
    const model = compileModel(miniModel())
    expect(buildJoinTree(model, ['orders'])).toEqual({ root: 'orders', joins: [] })
  })

  it('returns the compiled joins of the model', () => {
    const model = compileModel(miniModel())
    const tree = buildJoinTree(model, ['orders', 'items'])
    expect(tree.root).toBe('orders')
    expect(tree.joins).toEqual([model.cubes.orders!.joins.items])
  })

  it('chooses the root whose tree has the fewest joins', () => {
    // x reaches y in two joins (x → m → y); y reaches x directly.
    const model = graph({ x: ['m'], m: ['y'], y: ['x'] })
    const tree = buildJoinTree(model, ['x', 'y'])
    expect(tree.root).toBe('y')
    expect(edges(tree)).toEqual(['y>x'])
  })

  it('breaks a tie between roots by the first cube in the list', () => {
    const model = compileModel(miniModel())
    // items → orders → customers and customers → orders → items: two joins each.
    expect(edges(buildJoinTree(model, ['items', 'customers']))).toEqual(['items>orders', 'orders>customers'])
    expect(buildJoinTree(model, ['items', 'customers']).root).toBe('items')
    expect(edges(buildJoinTree(model, ['customers', 'items']))).toEqual(['customers>orders', 'orders>items'])
    expect(buildJoinTree(model, ['customers', 'items']).root).toBe('customers')
  })

  it('takes the shortest path, even when a longer one is declared first', () => {
    const model = graph({ a: ['b', 'd'], b: ['c'], c: ['d'] })
    expect(edges(buildJoinTree(model, ['a', 'd']))).toEqual(['a>d'])
  })

  it('breaks ties between equal-length paths alphabetically (diamond a→b→d, a→c→d goes through b)', () => {
    // a declares c before b, so declaration order would pick c.
    const model = graph({ a: ['c', 'b'], c: ['d'], b: ['d'] })
    const tree = buildJoinTree(model, ['a', 'd'])
    expect(tree.root).toBe('a')
    expect(edges(tree)).toEqual(['a>b', 'b>d'])
  })

  it('compares whole paths: a→b→y→z beats a→c→x→z although x < y', () => {
    const model = graph({ a: ['c', 'b'], c: ['x'], b: ['y'], x: ['z'], y: ['z'] })
    expect(edges(buildJoinTree(model, ['a', 'z']))).toEqual(['a>b', 'b>y', 'y>z'])
  })

  it('is deterministic: the same tree whatever the declaration order', () => {
    const one = graph({ a: ['b', 'c'], b: ['d'], c: ['d'] })
    const two = graph({ a: ['c', 'b'], c: ['d'], b: ['d'] })
    expect(edges(buildJoinTree(one, ['a', 'd']))).toEqual(edges(buildJoinTree(two, ['a', 'd'])))
  })

  it('joins are directed: a cube that is only joined to cannot be the root', () => {
    const model = graph({ parent: ['child'] })
    const tree = buildJoinTree(model, ['child', 'parent'])
    expect(tree.root).toBe('parent')
    expect(edges(tree)).toEqual(['parent>child'])
  })

  it('includes intermediate cubes the query does not name', () => {
    const model = compileModel(miniModel())
    const tree = buildJoinTree(model, ['items', 'customers'])
    expect(tree.joins.map((j) => j.to)).toContain('orders')
  })

  it('no path: QUERY_INVALID with JOIN_PATH_NOT_FOUND', () => {
    const model = graph({ a: [], b: [] })
    const error = treeError(model, ['a', 'b'])
    expect(error.code).toBe('QUERY_INVALID')
    expect(error.issues).toHaveLength(1)
    expect(error.issues[0]!.code).toBe('JOIN_PATH_NOT_FOUND')
    expect(error.issues[0]!.message).toContain('"a"')
    expect(error.issues[0]!.message).toMatch(/Declare a join/)
  })

  it('no path when both cubes only join a third one (a → c ← b)', () => {
    const model = graph({ a: ['c'], b: ['c'] })
    expect(treeError(model, ['a', 'b']).issues[0]!.code).toBe('JOIN_PATH_NOT_FOUND')
  })

  it('no path when the only join points the wrong way for some cube', () => {
    const model = graph({ a: ['b'], c: [] })
    expect(treeError(model, ['a', 'b', 'c']).issues[0]!.code).toBe('JOIN_PATH_NOT_FOUND')
  })
})

describe('orderJoins', () => {
  it('puts every join after the join of its from-cube; within a level by target name', () => {
    const joins = [
      join('c', 'e', 'one_to_one'),
      join('b', 'd', 'one_to_one'),
      join('a', 'c', 'one_to_one'),
      join('a', 'b', 'one_to_one'),
    ]
    expect(orderJoins('a', joins).map((j) => `${j.from}>${j.to}`)).toEqual(['a>b', 'a>c', 'b>d', 'c>e'])
  })

  it('does not modify its input', () => {
    const joins = [join('b', 'c', 'one_to_one'), join('a', 'b', 'one_to_one')]
    orderJoins('a', joins)
    expect(joins.map((j) => j.to)).toEqual(['c', 'b'])
  })
})

describe('isMultiplied', () => {
  const tree = (...joins: CompiledJoin[]): JoinTree => ({ root: joins[0]!.from, joins })

  it('one_to_many from A to B multiplies A, not B', () => {
    const t = tree(join('a', 'b', 'one_to_many'))
    expect(isMultiplied(t, 'a')).toBe(true)
    expect(isMultiplied(t, 'b')).toBe(false)
  })

  it('many_to_one from A to B multiplies B, not A', () => {
    const t = tree(join('a', 'b', 'many_to_one'))
    expect(isMultiplied(t, 'a')).toBe(false)
    expect(isMultiplied(t, 'b')).toBe(true)
  })

  it('one_to_one multiplies neither', () => {
    const t = tree(join('a', 'b', 'one_to_one'))
    expect(isMultiplied(t, 'a')).toBe(false)
    expect(isMultiplied(t, 'b')).toBe(false)
  })

  it('A hasOne B, B hasMany C: A and B are multiplied, C is not', () => {
    const t = tree(join('a', 'b', 'one_to_one'), join('b', 'c', 'one_to_many'))
    expect(isMultiplied(t, 'a')).toBe(true)
    expect(isMultiplied(t, 'b')).toBe(true)
    expect(isMultiplied(t, 'c')).toBe(false)
  })

  it('the many side two edges away: C (one_to_one from A) is multiplied by A hasMany B', () => {
    const t = tree(join('a', 'c', 'one_to_one'), join('a', 'b', 'one_to_many'))
    expect(isMultiplied(t, 'c')).toBe(true)
    expect(isMultiplied(t, 'b')).toBe(false)
  })

  it('a chain of many_to_one (items → orders → customers) multiplies everything but the start', () => {
    const t = tree(join('items', 'orders', 'many_to_one'), join('orders', 'customers', 'many_to_one'))
    expect(isMultiplied(t, 'items')).toBe(false)
    expect(isMultiplied(t, 'orders')).toBe(true)
    expect(isMultiplied(t, 'customers')).toBe(true)
  })

  it('two "one" sides of a many-row cube are both multiplied (b → a, b → c many_to_one)', () => {
    const t = tree(join('b', 'a', 'many_to_one'), join('b', 'c', 'many_to_one'))
    expect(isMultiplied(t, 'b')).toBe(false)
    expect(isMultiplied(t, 'a')).toBe(true)
    expect(isMultiplied(t, 'c')).toBe(true)
  })

  it('a cube outside the tree and a tree without joins are not multiplied', () => {
    expect(isMultiplied({ root: 'a', joins: [] }, 'a')).toBe(false)
    expect(isMultiplied(tree(join('a', 'b', 'one_to_many')), 'z')).toBe(false)
  })

  it('on trees built from the mini model', () => {
    const model = compileModel(miniModel())
    const ordersItems = buildJoinTree(model, ['orders', 'items'])
    expect(isMultiplied(ordersItems, 'orders')).toBe(true)
    expect(isMultiplied(ordersItems, 'items')).toBe(false)
    const ordersCustomers = buildJoinTree(model, ['orders', 'customers'])
    expect(isMultiplied(ordersCustomers, 'orders')).toBe(false)
    expect(isMultiplied(ordersCustomers, 'customers')).toBe(true)
  })
})
