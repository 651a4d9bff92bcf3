import { SemanticLayerError, describeName } from '../../errors.js'
import type { CompiledJoin, CompiledMeasure, CompiledModel, SqlTemplate } from '../../model/compiled.js'
import { templateCubes } from '../../model/references.js'
import type { FilterNode, NormalizedQuery, ResolvedMember } from '../normalized-query.js'
import { foldBranches, foldedCubes } from './fold-branches.js'
import { foreignKeyColumn } from './join-keys.js'
import { buildJoinTree, isMultiplied, orderJoins, treeCubes } from './join-tree.js'
import type {
  FoldedCube,
  JoinTree,
  MeasureGroup,
  OutputColumn,
  PlanCondition,
  PlanCube,
  PlanFilter,
  PlannedDimension,
  PlannedMeasure,
  QueryPlan,
  RowCount,
  TableFilters,
} from './query-plan.js'

export type * from './query-plan.js'

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

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

  const where = q.where.map((n) => planFilter(model, n))
  const groups: MeasureGroup[] = []
  const groupIndex = new Map<string, number>()
  const groupFor = (cube: string | undefined): number => {
    const id = cube ?? ''
    let i = groupIndex.get(id)
    if (i === undefined) {
      i = groups.length
      groups.push(cube === undefined ? {} : keysGroup(model, q, tree, dimensions, where, segments, cube))
      groupIndex.set(id, i)
    }
    return i
  }
  const branchFolds = foldBranches(
    model,
    q,
    tree,
    [...needed.values()].map((n) => n.measure),
  )
  const folded = foldedCubes(branchFolds)
  const isFold = (cube: string): boolean => branchFolds.some((f) => f.cube === cube)
  const multiplied = new Map<string, boolean>()
  const measures: PlannedMeasure[] = []
  for (const { measure: m, key, selected } of needed.values()) {
    let group = -1
    if (!m.calculated) {
      if (!multiplied.has(m.cube)) multiplied.set(m.cube, isMultiplied(tree, m.cube, folded))
      if (q.ungrouped) group = groupFor(undefined)
      else {
        const dedupInPlace =
          DUPLICATE_SAFE.has(m.type) || (m.type === 'count' && !m.sql && model.cubes[m.cube]!.primaryKey.length === 1)
        const fanned = multiplied.get(m.cube) === true && !dedupInPlace
        if (fanned) checkKeysGroupMeasure(model, m)
        group = groupFor(fanned ? m.cube : undefined)
      }
    }
    // Optional keys assigned, not spread: object spreads here cost a measurable share of compile time.
    const planned: Mutable<PlannedMeasure> = {
      alias: alias(`${m.cube}__${m.name}`, measures.length, 'm'),
      key,
      member: m.key,
      cube: m.cube,
      name: m.name,
      type: m.type,
      valueType: measureValueType(m),
      selected,
      group,
      filters: m.filters,
      calculated: m.calculated,
      folded: branchFolds.length > 0 && isFold(m.cube),
    }
    if (m.sql !== undefined) planned.sql = m.sql
    if (m.type === 'count' && !m.sql && !q.ungrouped) {
      planned.rowCount = countRows(model, m, tree, multiplied.get(m.cube) === true)
    }
    measures.push(planned)
  }

  const columns: OutputColumn[] = dimensions.map((d) => ({
    alias: d.alias,
    keys: d.keys,
    kind: 'dimension' as const,
    type: d.type,
  }))
  for (const m of measures) {
    if (m.selected) columns.push({ alias: m.alias, keys: [m.key], kind: 'measure', type: m.valueType })
  }
  const filtered = where.length > 0 || segments.length > 0
  const folds: FoldedCube[] = branchFolds.map((f) => ({
    cube: f.cube,
    parent: f.parent,
    path: f.path,
    measures: f.measures,
    source: foldSource(model, f.path[0]!, f.parent, filtered, tree, where, segments),
  }))
  const cubes: PlanCube[] = []
  for (const name of treeCubes(tree)) {
    const cube = model.cubes[name]!
    const primaryKey: SqlTemplate[] = []
    for (const k of cube.primaryKey) primaryKey.push(cube.dimensions[k]!.sql)
    cubes.push({ name, table: cube.from, primaryKey })
  }

  // Readonly by type, not frozen at run time (ADR 7): freezing it and the normalized
  // query cost 6–25 % of compile time.
  return {
    strategy: (!q.ungrouped && groups.length > 1) || groups.some((g) => g.cube !== undefined) ? 'multi' : 'single',
    cubes,
    tree,
    dimensions,
    measures,
    groups,
    multiplied: [...multiplied].filter(([, v]) => v).map(([k]) => k),
    folds,
    foldedJoinsOnly: folded.size === 0 ? [] : [...folded].filter((c) => !isFold(c)),
    where,
    having: q.having.length === 0 ? [] : q.having.map((n) => planFilter(model, n)),
    segments,
    columns,
    order: q.order.map((o) => ({
      key: o.key,
      column: columns.findIndex((c) => c.keys[0] === o.key) + 1,
      desc: o.desc,
    })),
    limit: q.limit,
    explicitLimit: q.explicitLimit,
    offset: q.offset,
    total: q.total,
    ungrouped: q.ungrouped,
    timezone: q.timezone,
  }
}

export function measureValueType(m: CompiledMeasure): 'number' | 'string' | 'time' | 'boolean' {
  return m.type === 'string' || m.type === 'time' || m.type === 'boolean' ? m.type : 'number'
}

/** A filter node with its members' expressions resolved from the model. */
function planFilter(model: CompiledModel, node: FilterNode): PlanFilter {
  if (node.kind !== 'condition') return { kind: node.kind, children: node.children.map((c) => planFilter(model, c)) }
  const { member } = node
  const cube = model.cubes[member.cube]!
  const out: Mutable<PlanCondition> = {
    kind: 'condition',
    member: `${member.cube}.${member.name}`,
    cube: member.cube,
    name: member.name,
    memberKind: member.kind,
    type: node.type,
    condition: node.condition,
  }
  if (node.exact) out.exact = true
  if (member.kind === 'dimension') out.sql = cube.dimensions[member.name]!.sql
  else if (node.condition.op === 'measureFilter') out.filters = cube.measures[member.name]!.filters
  return out
}

/**
 * How a `count` without sql counts its cube's rows: by primary key, so rows a LEFT JOIN did not match
 * count as 0 and rows the join tree repeats count once.
 */
function countRows(model: CompiledModel, m: CompiledMeasure, tree: JoinTree, multiplied: boolean): RowCount {
  const cube = model.cubes[m.cube]!
  const pk = cube.primaryKey
  if (pk.length === 1) return { kind: 'key', key: cube.dimensions[pk[0]!]!.sql, distinct: multiplied }
  if (pk.length > 1) return { kind: 'keys', keys: pk.map((n) => cube.dimensions[n]!.sql) }
  if (m.cube !== tree.root) {
    throw new SemanticLayerError('UNSUPPORTED', [
      {
        code: 'MISSING_PRIMARY_KEY',
        path: [],
        message: `Counting ${m.cube} rows through a join needs its primary key. Declare primary_key: true on the dimension that identifies a row of '${m.cube}'.`,
      },
    ])
  }
  return { kind: 'all' }
}

/**
 * A keys group for a multiplied cube. Its keys subquery joins the cubes its dimensions, filters and
 * segments read, the multiplied cube itself, and every cube on the tree path to them. Every join is a LEFT
 * JOIN, so leaving out the other leaves cannot add or remove (dimensions, key) pairs; it only avoids
 * multiplying rows that DISTINCT would fold again.
 */
function keysGroup(
  model: CompiledModel,
  q: NormalizedQuery,
  tree: JoinTree,
  dimensions: readonly PlannedDimension[],
  where: readonly PlanFilter[],
  segments: readonly SqlTemplate[],
  cube: string,
): MeasureGroup {
  const keysCubes = scopeCubes(tree, new Set([cube]), where, segments, dimensions)
  const filters = tableFilters(model, q.where, where, segments, cube)
  return filters ? { cube, keysCubes, rejoinFilters: filters } : { cube, keysCubes }
}

/** Where a folded cube's partials come from (see {@link FoldSource}). */
function foldSource(
  model: CompiledModel,
  top: CompiledJoin,
  parent: string,
  filtered: boolean,
  tree: JoinTree,
  where: readonly PlanFilter[],
  segments: readonly SqlTemplate[],
): FoldedCube['source'] {
  if (filtered) return { kind: 'scoped', cubes: scopeCubes(tree, new Set([parent]), where, segments) }
  const p = model.cubes[parent]!
  const column = foreignKeyColumn(
    top.sql,
    top.to,
    parent,
    p.primaryKey.map((k) => p.dimensions[k]!.sql),
  )
  return column ? { kind: 'foreignKey', column } : { kind: 'parent' }
}

/**
 * `needed` plus the cubes that the WHERE conditions and segments read (and the dimensions, when given),
 * closed over tree paths to the root and over the cubes kept joins' conditions read; in tree order.
 */
function scopeCubes(
  tree: JoinTree,
  needed: Set<string>,
  where: readonly PlanFilter[],
  segments: readonly SqlTemplate[],
  dimensions?: readonly PlannedDimension[],
): string[] {
  const add = (t: SqlTemplate): void => {
    for (const part of t) if (typeof part !== 'string') needed.add(part.cube)
  }
  if (dimensions) for (const d of dimensions) add(d.sql)
  for (const s of segments) add(s)
  const visit = (nodes: readonly PlanFilter[]): void => {
    for (const n of nodes) {
      if (n.kind !== 'condition') visit(n.children)
      else {
        needed.add(n.cube)
        if (n.sql) add(n.sql)
        n.filters?.forEach(add)
      }
    }
  }
  visit(where)
  const parent = new Map(tree.joins.map((j) => [j.to, j.from]))
  // Close over tree paths, and over cubes that a kept join's own condition reads, until stable.
  for (let size = -1; size !== needed.size; ) {
    size = needed.size
    for (const c of [...needed]) for (let at = parent.get(c); at !== undefined; at = parent.get(at)) needed.add(at)
    for (const j of tree.joins) if (needed.has(j.to)) add(j.sql)
  }
  return treeCubes(tree).filter((c) => needed.has(c))
}

/** The top-level conjuncts of `where` (ANDs flattened) and the segments that read only `cube`; undefined: none. */
function tableFilters(
  model: CompiledModel,
  where: readonly FilterNode[],
  planned: readonly PlanFilter[],
  segments: readonly SqlTemplate[],
  cube: string,
): TableFilters | undefined {
  const conjuncts = <T extends FilterNode | PlanFilter>(n: T): T[] =>
    n.kind === 'and' ? (n.children as readonly T[]).flatMap(conjuncts) : [n]
  const only = (cubes: Set<string>): boolean => cubes.size === 1 && cubes.has(cube)
  const plannedConjuncts = planned.flatMap(conjuncts)
  const own = where
    .flatMap(conjuncts)
    .map((n, i) => [n, plannedConjuncts[i]!] as const)
    .filter(([n]) => only(filterCubes(model, n, new Set())))
    .map(([, p]) => p)
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
