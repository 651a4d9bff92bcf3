import { SemanticLayerError, describeName } from '../../errors.js'
import type { CompiledJoin, CompiledModel } from '../../model/compiled.js'
import type { JoinTree } from './query-plan.js'

export type { JoinTree } from './query-plan.js'

/**
 * Choose the join tree for a set of cubes.
 *
 * Joins are directed (a cube LEFT JOINs the cubes it declares joins to). Every cube of the query is a
 * candidate root; from each, a breadth-first search over declared joins (neighbours visited in name
 * order) gives the shortest path to every other cube, ties broken by the alphabetically smallest
 * sequence of cube names. The root whose tree has the fewest joins wins; ties go to the cube named
 * first in the query (measures, then dimensions, then filters and segments).
 */
export function buildJoinTree(model: CompiledModel, cubes: readonly string[]): JoinTree {
  const first = cubes[0]
  if (first === undefined)
    throw new SemanticLayerError('INTERNAL', [{ code: 'INTERNAL', path: [], message: 'Join planning got no cubes.' }])
  if (cubes.length === 1) return { root: first, joins: [] }
  let best: JoinTree | undefined
  for (const root of cubes) {
    const tree = treeFrom(model, root, cubes)
    if (tree && (!best || tree.joins.length < best.joins.length)) best = tree
  }
  if (!best) {
    throw new SemanticLayerError('QUERY_INVALID', [
      {
        code: 'JOIN_PATH_NOT_FOUND',
        path: [],
        message: `No join path connects the cubes ${cubes.map(describeName).join(', ')}: no cube among them reaches all the others through declared joins. Declare a join (joins: in one of the cubes) or query them separately.`,
      },
    ])
  }
  return best
}

function treeFrom(model: CompiledModel, root: string, targets: readonly string[]): JoinTree | undefined {
  const parent = new Map<string, CompiledJoin | null>([[root, null]])
  const queue = [root]
  while (queue.length > 0) {
    const cube = queue.shift()!
    const joins = model.cubes[cube]?.joins ?? {}
    for (const to of Object.keys(joins).sort()) {
      if (parent.has(to)) continue
      parent.set(to, joins[to]!)
      queue.push(to)
    }
  }
  const picked = new Map<string, CompiledJoin>()
  for (const target of targets) {
    if (!parent.has(target)) return undefined
    let join = parent.get(target)
    while (join) {
      picked.set(join.to, join)
      join = parent.get(join.from)
    }
  }
  return { root, joins: orderJoins(root, [...picked.values()]) }
}

/** Every cube of the tree: the root, then each joined cube in join order. */
export function treeCubes(tree: JoinTree): string[] {
  return [tree.root, ...tree.joins.map((j) => j.to)]
}

/** Order joins so each one's `from` is joined before it; within a level, by target name. */
export function orderJoins(root: string, joins: readonly CompiledJoin[]): CompiledJoin[] {
  const out: CompiledJoin[] = []
  const joined = new Set([root])
  let pending = [...joins].sort((a, b) => (a.to < b.to ? -1 : a.to > b.to ? 1 : 0))
  while (pending.length > 0) {
    const ready = pending.filter((j) => joined.has(j.from))
    if (ready.length === 0) break
    for (const j of ready) out.push(j), joined.add(j.to)
    pending = pending.filter((j) => !joined.has(j.to))
  }
  return out
}

/**
 * Is `cube`'s row multiplied by the tree? Walking the tree outward from the cube, any step to the
 * "many" side of a join (forward along one_to_many, backward along many_to_one) repeats its rows.
 * Joins into the cubes of `oneToOne` (folded branches: one row per parent row) count as one_to_one.
 */
export function isMultiplied(tree: JoinTree, cube: string, oneToOne: ReadonlySet<string> = new Set()): boolean {
  const seen = new Set([cube])
  const stack = [cube]
  while (stack.length > 0) {
    const at = stack.pop()!
    for (const j of tree.joins) {
      const forward = j.from === at && !seen.has(j.to)
      const backward = j.to === at && !seen.has(j.from)
      if (!forward && !backward) continue
      const relationship = oneToOne.has(j.to) ? 'one_to_one' : j.relationship
      if ((forward && relationship === 'one_to_many') || (backward && relationship === 'many_to_one')) return true
      const next = forward ? j.to : j.from
      seen.add(next)
      stack.push(next)
    }
  }
  return false
}
