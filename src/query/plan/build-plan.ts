import { SemanticLayerError, describeName } from '../../errors.js'
import type { CompiledJoin, CompiledMeasure, CompiledModel, SqlTemplate } from '../../model/compiled.js'
import type { DimensionType } from '../../model/definition.js'
import { templateCubes } from '../../model/references.js'
import type { FilterNode, Granularity, NormalizedQuery, OrderItem, ResolvedMember } from '../normalized-query.js'
import { buildJoinTree, isMultiplied, orderJoins, type JoinTree } from './join-tree.js'
import { foldedCubes, preAggregate, type PreAggregatedCube } from './pre-aggregate.js'

export type { PreAggregatedCube } from './pre-aggregate.js'

export interface PlannedDimension {
  readonly alias: string
  readonly keys: readonly string[]
  readonly cube: string
  readonly name: string
  readonly type: DimensionType
  readonly granularity?: Granularity
  readonly sql: SqlTemplate
}

export interface PlannedMeasure {
  readonly alias: string
  /** Output key for selected measures; `cube.name` for hidden dependencies. */
  readonly key: string
  readonly measure: CompiledMeasure
  /** Returned to the caller (false: only needed by a calculated measure or a measure filter). */
  readonly selected: boolean
  /** Index into `groups` for aggregated measures; -1 for calculated ones. */
  readonly group: number
}

/**
 * Measures aggregated together. `cube` set: the cube is multiplied by the join tree, so these
 * measures are aggregated over its distinct rows (keys subquery joined back on the primary key).
 */
export interface MeasureGroup {
  readonly cube?: string
  /** With `cube`: the row filters of its table where it is joined back ({@link TableFilters}); absent when none. */
  readonly rejoinFilters?: TableFilters
}

/**
 * The conditions of the query's WHERE (row policies and hook filters among them) and its segments that
 * read only one cube. Every read of a cube's table in a statement is filtered by them: reads inside the
 * join tree (the main FROM, keys subqueries, pre-aggregated derived tables) by the whole WHERE, and the
 * table joined back to a keys subquery on its primary key by these, so no row outside them is read even
 * when the declared key is unique only within a tenant (a model's `primary_key: id` over a table keyed
 * by `(tenant_id, id)`). With a key that is unique they select the rows the keys subquery kept anyway.
 */
export interface TableFilters {
  readonly where: readonly FilterNode[]
  readonly segments: readonly SqlTemplate[]
}

export interface QueryPlan {
  readonly tree: JoinTree
  readonly dimensions: readonly PlannedDimension[]
  readonly measures: readonly PlannedMeasure[]
  readonly groups: readonly MeasureGroup[]
  /** Cubes with measures in the query whose rows the join tree repeats (folded branches taken into account). */
  readonly multiplied: readonly string[]
  /** Cubes of folded branches, aggregated per parent row in derived tables; their measures sit in the main group. */
  readonly preAggregated: readonly PreAggregatedCube[]
  readonly where: readonly FilterNode[]
  readonly having: readonly FilterNode[]
  readonly segments: readonly SqlTemplate[]
  readonly order: readonly OrderItem[]
  readonly limit: number
  /** The query set `limit` itself (streams ignore the default limit). */
  readonly explicitLimit: boolean
  readonly offset: number
  readonly total: boolean
  readonly ungrouped: boolean
  readonly timezone: string
}

/** Measure types whose value is unchanged when rows repeat (count without sql becomes count(distinct pk)). */
const DUPLICATE_SAFE = new Set(['count_distinct', 'min', 'max'])

/** Build the plan: join tree, output columns, and which measures need fan-out protection. */
export function buildPlan(model: CompiledModel, q: NormalizedQuery): QueryPlan {
  const measureOf = (cube: string, name: string): CompiledMeasure => model.cubes[cube]!.measures[name]!

  // Every measure needed: selected, filtered (HAVING) and, transitively, what calculated ones use.
  const needed = new Map<string, { measure: CompiledMeasure; key: string; selected: boolean }>()
  const need = (m: CompiledMeasure, key: string, selected: boolean, trail: readonly string[]): void => {
    if (trail.includes(m.key)) {
      throw new SemanticLayerError('QUERY_INVALID', [
        {
          code: 'REFERENCE_CYCLE',
          path: [],
          message: `Measure ${describeName(m.key)} depends on itself through ${trail.join(' → ')}. Fix the model.`,
        },
      ])
    }
    const existing = needed.get(m.key)
    if (existing) {
      if (selected && !existing.selected) needed.set(m.key, { ...existing, key, selected })
      return
    }
    needed.set(m.key, { measure: m, key: selected ? key : m.key, selected })
    for (const ref of m.measureRefs) {
      const [c, n] = ref.split('.') as [string, string]
      need(measureOf(c, n), ref, false, [...trail, m.key])
    }
  }
  for (const m of q.measures) need(measureOf(m.cube, m.name), m.key, true, [])
  forEachCondition(q.having, (member) => need(measureOf(member.cube, member.name), member.key, false, []))

  // Cubes touched by anything in the query, in query order (for the root tie-break).
  const cubeOrder: string[] = []
  const touch = (cube: string): void => {
    if (!cubeOrder.includes(cube)) cubeOrder.push(cube)
  }
  const touchTemplate = (t: SqlTemplate | undefined): void => {
    if (t) for (const c of templateCubes(t, new Set())) touch(c)
  }
  for (const { measure } of needed.values()) {
    touch(measure.cube)
    touchTemplate(measure.sql)
    measure.filters.forEach(touchTemplate)
  }
  for (const d of q.dimensions) {
    touch(d.member.cube)
    touchTemplate(model.cubes[d.member.cube]!.dimensions[d.member.name]!.sql)
  }
  const touchFilter = (member: ResolvedMember): void => {
    touch(member.cube)
    const cube = model.cubes[member.cube]!
    if (member.kind === 'dimension') touchTemplate(cube.dimensions[member.name]!.sql)
    else cube.measures[member.name]!.filters.forEach(touchTemplate)
  }
  forEachCondition(q.where, touchFilter)
  const segments = q.segments.map((s) => {
    touch(s.cube)
    const sql = model.cubes[s.cube]!.segments[s.name]!.sql
    touchTemplate(sql)
    return sql
  })

  const tree = q.view ? viewTree(model, q, cubeOrder) : buildJoinTree(model, cubeOrder)

  // Aliases: readable `cube__member[_granularity]`, unique, and short enough for PostgreSQL (63 bytes).
  const usedAliases = new Set<string>()
  const alias = (base: string, index: number, prefix: string): string => {
    let a = base.length > 55 ? `${prefix}${index}` : base
    for (let n = 2; usedAliases.has(a); n++) a = `${base.slice(0, 50)}_${n}`
    usedAliases.add(a)
    return a
  }

  const dimensions: PlannedDimension[] = q.dimensions.map((d, i) => {
    const def = model.cubes[d.member.cube]!.dimensions[d.member.name]!
    return {
      alias: alias(`${d.member.cube}__${d.member.name}${d.granularity ? `_${d.granularity}` : ''}`, i, 'd'),
      keys: d.keys,
      cube: d.member.cube,
      name: d.member.name,
      type: d.type,
      ...(d.granularity === undefined ? {} : { granularity: d.granularity }),
      sql: def.sql,
    }
  })

  const groups: MeasureGroup[] = []
  const groupIndex = new Map<string, number>()
  const groupFor = (cube: string | undefined): number => {
    const id = cube ?? ''
    let i = groupIndex.get(id)
    if (i === undefined) {
      i = groups.length
      const filters = cube === undefined ? undefined : tableFilters(model, q.where, segments, cube)
      groups.push(cube === undefined ? {} : filters ? { cube, rejoinFilters: filters } : { cube })
      groupIndex.set(id, i)
    }
    return i
  }
  const preAggregated = preAggregate(
    model,
    q,
    tree,
    [...needed.values()].map((n) => n.measure),
  )
  const folded = foldedCubes(preAggregated)
  const multiplied = new Map<string, boolean>()
  const measures: PlannedMeasure[] = []
  let index = 0
  for (const { measure, key, selected } of needed.values()) {
    let group = -1
    if (!measure.calculated) {
      if (!multiplied.has(measure.cube)) multiplied.set(measure.cube, isMultiplied(tree, measure.cube, folded))
      if (q.ungrouped) group = groupFor(undefined)
      else {
        const dedupInPlace =
          DUPLICATE_SAFE.has(measure.type) ||
          (measure.type === 'count' && !measure.sql && model.cubes[measure.cube]!.primaryKey.length === 1)
        const fanned = multiplied.get(measure.cube) === true && !dedupInPlace
        if (fanned) checkKeysGroupMeasure(model, measure)
        group = groupFor(fanned ? measure.cube : undefined)
      }
    }
    measures.push({ alias: alias(`${measure.cube}__${measure.name}`, index++, 'm'), key, measure, selected, group })
  }

  // Readonly by type, not frozen at run time (ADR 7): freezing it and the normalized
  // query cost 6–25 % of compile time.
  return {
    tree,
    dimensions,
    measures,
    groups,
    multiplied: [...multiplied].filter(([, v]) => v).map(([k]) => k),
    preAggregated,
    where: q.where,
    having: q.having,
    segments,
    order: q.order,
    limit: q.limit,
    explicitLimit: q.explicitLimit,
    offset: q.offset,
    total: q.total,
    ungrouped: q.ungrouped,
    timezone: q.timezone,
  }
}

/** The top-level conjuncts of `where` (ANDs flattened) and the segments that read only `cube`; undefined: none. */
function tableFilters(
  model: CompiledModel,
  where: readonly FilterNode[],
  segments: readonly SqlTemplate[],
  cube: string,
): TableFilters | undefined {
  const conjuncts = (n: FilterNode): FilterNode[] => (n.kind === 'and' ? n.children.flatMap(conjuncts) : [n])
  const only = (cubes: Set<string>): boolean => cubes.size === 1 && cubes.has(cube)
  const own = where.flatMap(conjuncts).filter((n) => only(filterCubes(model, n, new Set())))
  const ownSegments = segments.filter((s) => only(templateCubes(s, new Set())))
  return own.length + ownSegments.length > 0 ? { where: own, segments: ownSegments } : undefined
}

/** The cubes a filter reads: each condition's cube and the cubes its member's SQL names. */
function filterCubes(model: CompiledModel, node: FilterNode, into: Set<string>): Set<string> {
  if (node.kind !== 'condition') {
    for (const child of node.children) filterCubes(model, child, into)
    return into
  }
  const cube = model.cubes[node.member.cube]!
  into.add(cube.name)
  if (node.member.kind === 'dimension') templateCubes(cube.dimensions[node.member.name]!.sql, into)
  else if (node.member.kind === 'measure') {
    for (const f of cube.measures[node.member.name]!.filters) templateCubes(f, into)
  }
  return into
}

/** Walk every condition of a filter forest. */
export function forEachCondition(nodes: readonly FilterNode[], visit: (member: ResolvedMember) => void): void {
  for (const node of nodes) {
    if (node.kind === 'condition') visit(node.member)
    else forEachCondition(node.children, visit)
  }
}

/** A measure aggregated over a multiplied cube's distinct rows may only read that cube's columns. */
function checkKeysGroupMeasure(model: CompiledModel, measure: CompiledMeasure): void {
  const cubes = new Set<string>()
  if (measure.sql) templateCubes(measure.sql, cubes)
  for (const f of measure.filters) templateCubes(f, cubes)
  cubes.delete(measure.cube)
  if (model.cubes[measure.cube]!.primaryKey.length === 0 || cubes.size > 0) {
    throw new SemanticLayerError('UNSUPPORTED', [
      {
        code: 'FAN_OUT_UNSUPPORTED',
        path: [],
        message: `Measure ${describeName(measure.key)} would be multiplied by the joins of this query and ${cubes.size > 0 ? 'reads columns of other cubes' : 'its cube has no primary key'}, so Cortex cannot aggregate it safely. ${cubes.size > 0 ? 'Move the expression into a dimension of its own cube.' : 'Declare primary_key on its cube.'}`,
      },
    ])
  }
}

/** For a view query: the union of the view's join paths for the members used, plus shortest paths to any other cube touched. */
function viewTree(model: CompiledModel, q: NormalizedQuery, cubes: readonly string[]): JoinTree {
  const view = model.views[q.view!]!
  const picked = new Map<string, CompiledJoin>()
  const add = (path: readonly string[]): void => {
    for (let i = 1; i < path.length; i++) {
      const join = model.cubes[path[i - 1]!]!.joins[path[i]!]!
      const existing = picked.get(join.to)
      if (existing && existing.from !== join.from) {
        throw new SemanticLayerError('QUERY_INVALID', [
          {
            code: 'JOIN_PATH_CONFLICT',
            path: [],
            message: `View ${describeName(view.name)} reaches cube ${describeName(join.to)} along two different join paths in one query. Query the members in separate queries.`,
          },
        ])
      }
      picked.set(join.to, join)
    }
  }
  const visit = (m: ResolvedMember): void => add(m.viewPath ?? [view.root])
  q.measures.forEach(visit)
  q.dimensions.forEach((d) => visit(d.member))
  q.segments.forEach(visit)
  forEachCondition(q.where, visit)
  forEachCondition(q.having, visit)
  const reached = new Set([view.root, ...picked.keys()])
  const missing = cubes.filter((c) => !reached.has(c))
  if (missing.length > 0) {
    const extra = buildJoinTree(model, [view.root, ...missing])
    if (extra.root !== view.root) {
      throw new SemanticLayerError('QUERY_INVALID', [
        {
          code: 'JOIN_PATH_NOT_FOUND',
          path: [],
          message: `View ${describeName(view.name)} uses cubes its root cannot reach: ${missing.map(describeName).join(', ')}.`,
        },
      ])
    }
    for (const j of extra.joins) if (!picked.has(j.to)) picked.set(j.to, j)
  }
  return { root: view.root, joins: orderJoins(view.root, [...picked.values()]) }
}
