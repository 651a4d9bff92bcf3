import type { CompiledJoin, CompiledMeasure, CompiledModel, SqlTemplate } from '../../model/compiled.js'
import { templateCubes } from '../../model/references.js'
import type { NormalizedQuery } from '../normalized-query.js'
import { isMultiplied, type JoinTree } from './join-tree.js'

/**
 * A leaf cube of the join tree whose measures are aggregated per row of its parent before the join:
 * the renderer replaces the leaf by `(SELECT parent pk, partial aggregates FROM parent JOIN leaf ON
 * <join> GROUP BY parent pk)` LEFT JOINed to the parent on its primary key, so the leaf no longer
 * multiplies the parent.
 */
export interface PreAggregatedLeaf {
  /** The leaf cube (the derived table takes its alias). */
  readonly cube: string
  /** The tree's one_to_many join from the parent (`join.from`) into the leaf. */
  readonly join: CompiledJoin
  /** Keys of the leaf's measures the query needs, each decomposable into per-parent partials. */
  readonly measures: readonly string[]
}

/** Measure types whose aggregate over the leaf's rows can be rebuilt from per-parent partials. */
const DECOMPOSABLE = new Set(['count', 'sum', 'avg', 'min', 'max'])

/**
 * The leaves to pre-aggregate (see docs/fan-out.md, "Leaf pre-aggregation"). A leaf qualifies when it
 * is reached over a one_to_many join from a parent with a primary key, nothing but its own measures
 * reads it (no dimension, filter, segment, other cube's expression or other join), and each of those
 * measures is decomposable and reads only the leaf's columns. A folded leaf is kept only when its
 * parent is not multiplied once every folded join counts as one_to_one: otherwise the partials would be
 * repeated, so that leaf falls back to the keys subquery (repeated until stable).
 */
export function preAggregateLeaves(model: CompiledModel, q: NormalizedQuery, tree: JoinTree, measures: readonly CompiledMeasure[]): PreAggregatedLeaf[] {
  if (q.ungrouped) return []
  const read = cubesReadOutsideOwnMeasures(model, q, tree, measures)
  let leaves = tree.joins.flatMap((join) => {
    const own = measures.filter((m) => !m.calculated && m.cube === join.to)
    return qualifies(model, tree, join, own, read) ? [{ cube: join.to, join, measures: own.map((m) => m.key) }] : []
  })
  for (let size = -1; size !== leaves.length; ) {
    size = leaves.length
    const folded = new Set(leaves.map((l) => l.cube))
    leaves = leaves.filter((l) => !isMultiplied(tree, l.join.from, folded))
  }
  return leaves
}

function qualifies(model: CompiledModel, tree: JoinTree, join: CompiledJoin, own: readonly CompiledMeasure[], read: ReadonlySet<string>): boolean {
  const leaf = join.to
  if (join.relationship !== 'one_to_many' || read.has(leaf) || own.length === 0) return false
  if (tree.joins.some((j) => j.from === leaf)) return false
  if (model.cubes[join.from]!.primaryKey.length === 0) return false
  const joinCubes = templateCubes(join.sql, new Set())
  if ([...joinCubes].some((c) => c !== leaf && c !== join.from)) return false
  return own.every((m) => DECOMPOSABLE.has(m.type) && readsOnly(m, leaf))
}

function readsOnly(m: CompiledMeasure, cube: string): boolean {
  const cubes = new Set<string>()
  if (m.sql) templateCubes(m.sql, cubes)
  for (const f of m.filters) templateCubes(f, cubes)
  return [...cubes].every((c) => c === cube)
}

/**
 * Cubes read by anything other than their own aggregated measures: dimensions, WHERE conditions
 * (policy row filters included), segments, other cubes' measures, and join conditions (a join's
 * condition counts for the cubes other than its target, which reads its own join).
 */
function cubesReadOutsideOwnMeasures(model: CompiledModel, q: NormalizedQuery, tree: JoinTree, measures: readonly CompiledMeasure[]): Set<string> {
  const read = new Set<string>()
  const add = (t: SqlTemplate | undefined): void => {
    if (t) templateCubes(t, read)
  }
  for (const d of q.dimensions) {
    read.add(d.member.cube)
    add(model.cubes[d.member.cube]!.dimensions[d.member.name]!.sql)
  }
  for (const s of q.segments) {
    read.add(s.cube)
    add(model.cubes[s.cube]!.segments[s.name]!.sql)
  }
  const visit = (nodes: NormalizedQuery['where']): void => {
    for (const n of nodes) {
      if (n.kind !== 'condition') visit(n.children)
      else {
        const cube = model.cubes[n.member.cube]!
        read.add(n.member.cube)
        if (n.member.kind === 'dimension') add(cube.dimensions[n.member.name]!.sql)
        else if (n.member.kind === 'measure') cube.measures[n.member.name]!.filters.forEach(add)
      }
    }
  }
  visit(q.where)
  for (const m of measures) {
    if (m.calculated) continue
    const own = new Set<string>()
    if (m.sql) templateCubes(m.sql, own)
    m.filters.forEach((f) => templateCubes(f, own))
    for (const c of own) if (c !== m.cube) read.add(c)
  }
  for (const j of tree.joins) for (const c of templateCubes(j.sql, new Set())) if (c !== j.to && c !== j.from) read.add(c)
  return read
}
