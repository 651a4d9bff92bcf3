import type { CompiledJoin, CompiledMeasure, CompiledModel, SqlTemplate } from '../../model/compiled.js'
import { templateCubes } from '../../model/references.js'
import type { NormalizedQuery } from '../normalized-query.js'
import { isMultiplied } from './join-tree.js'
import type { FoldedCube, JoinTree } from './query-plan.js'

/** A folded cube as fold-branches chooses it; build-plan adds where its partials come from (`source`). */
export type BranchFold = Omit<FoldedCube, 'source'>

/** Every cube of the folded branches, with or without measures: joins into them count as one_to_one. */
export function foldedCubes(folds: readonly BranchFold[]): Set<string> {
  return new Set(folds.flatMap((p) => p.path.map((j) => j.to)))
}

/** Measure types whose aggregate over a cube's rows can be rebuilt from per-parent partials. */
const DECOMPOSABLE = new Set(['count', 'sum', 'avg', 'min', 'max'])

/**
 * Fan-out folding: the branches to aggregate on their own, per row of their parent, before the join
 * (docs/fan-out.md, "Branch folding"; not Cube's `pre_aggregations`, which Cortex does not read). A
 * branch is the subtree below a one_to_many join out of a parent with a primary key. It qualifies when
 * nothing but its cubes' own measures reads any of its cubes (no dimension, filter, segment, other cube's
 * expression or join from outside), every join inside it is one_to_many or one_to_one and reads only the two cubes it
 * joins (so each row of a branch cube belongs to exactly one parent row), and every measure of its cubes
 * the query needs is decomposable and reads only its own cube. The topmost qualifying branches are
 * folded; one is kept only when its parent is not multiplied once every folded join counts as
 * one_to_one (otherwise its partials would be repeated), and when one is dropped the qualifying branches
 * inside it are considered instead, until stable. Each cube of a folded branch that has measures becomes
 * one {@link FoldedCube}; a branch cube without measures is joined only inside their derived tables.
 */
export function foldBranches(
  model: CompiledModel,
  q: NormalizedQuery,
  tree: JoinTree,
  measures: readonly CompiledMeasure[],
): BranchFold[] {
  if (q.ungrouped || tree.joins.length === 0) return []
  const read = cubesReadOutsideOwnMeasures(model, q, tree, measures)
  const own = new Map<string, CompiledMeasure[]>()
  for (const m of measures) if (!m.calculated) own.set(m.cube, [...(own.get(m.cube) ?? []), m])
  const into = new Map(tree.joins.map((j) => [j.to, j]))
  const below = (cube: string): CompiledJoin[] => tree.joins.filter((j) => j.from === cube)
  /** The joins of the branch below `join`, `join` first, parents before children. */
  const branch = (join: CompiledJoin): CompiledJoin[] => {
    const out = [join]
    for (let i = 0; i < out.length; i++) out.push(...below(out[i]!.to))
    return out
  }

  const candidates = tree.joins.filter(
    (join) =>
      join.relationship === 'one_to_many' &&
      model.cubes[join.from]!.primaryKey.length > 0 &&
      qualifies(branch(join), own, read),
  )
  const dropped = new Set<CompiledJoin>()
  let selected: CompiledJoin[] = []
  for (;;) {
    const live = new Set(candidates.filter((j) => !dropped.has(j)))
    // Topmost: no join above it (towards the root) is itself a live candidate.
    selected = [...live].filter((j) => {
      for (let at = into.get(j.from); at !== undefined; at = into.get(at.from)) if (live.has(at)) return false
      return true
    })
    const folded = new Set(selected.flatMap((j) => branch(j).map((b) => b.to)))
    const repeated = selected.filter((j) => isMultiplied(tree, j.from, folded))
    if (repeated.length === 0) break
    for (const j of repeated) dropped.add(j)
  }

  const out: BranchFold[] = []
  for (const top of selected) {
    for (const join of branch(top)) {
      const ms = own.get(join.to)
      if (!ms) continue
      const path: CompiledJoin[] = []
      for (let at: CompiledJoin | undefined = join; at !== top; at = into.get(at!.from)) path.unshift(at!)
      path.unshift(top)
      out.push({ cube: join.to, parent: top.from, path, measures: ms.map((m) => m.key) })
    }
  }
  return out
}

function qualifies(
  joins: readonly CompiledJoin[],
  own: ReadonlyMap<string, readonly CompiledMeasure[]>,
  read: ReadonlySet<string>,
): boolean {
  let measured = false
  for (const [i, join] of joins.entries()) {
    const cube = join.to
    if (read.has(cube)) return false
    if (i > 0 && join.relationship === 'many_to_one') return false
    if ([...templateCubes(join.sql, new Set())].some((c) => c !== cube && c !== join.from)) return false
    const ms = own.get(cube) ?? []
    if (!ms.every((m) => DECOMPOSABLE.has(m.type) && readsOnly(m, cube))) return false
    measured ||= ms.length > 0
  }
  return measured
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
 * condition counts for the cubes other than the two it joins).
 */
function cubesReadOutsideOwnMeasures(
  model: CompiledModel,
  q: NormalizedQuery,
  tree: JoinTree,
  measures: readonly CompiledMeasure[],
): Set<string> {
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
    const cubes = new Set<string>()
    if (m.sql) templateCubes(m.sql, cubes)
    m.filters.forEach((f) => templateCubes(f, cubes))
    for (const c of cubes) if (c !== m.cube) read.add(c)
  }
  for (const j of tree.joins)
    for (const c of templateCubes(j.sql, new Set())) if (c !== j.to && c !== j.from) read.add(c)
  return read
}
