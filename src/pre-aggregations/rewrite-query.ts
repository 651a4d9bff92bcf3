/**
 * The seam between matching and SQL: a query a rollup matched, rewritten onto a one-cube model whose cube
 * reads the rollup's table(s) and whose measures re-aggregate its columns. The planner and renderer print
 * it like any query, so nothing in them knows about rollups. Only this module builds such models.
 *
 * The rollup's time column holds wall-clock time of the zone it was built for, so the rewritten query
 * runs in UTC (no conversion) and its time bounds are moved to wall-clock time the same way.
 */
import type {
  CompiledCube,
  CompiledDimension,
  CompiledMeasure,
  CompiledModel,
  CompiledSegment,
  SqlPart,
} from '../model/compiled.js'
import type { FilterNode, FilterScalar, NormalizedQuery, ResolvedMember } from '../query/normalized-query.js'
import { CALENDAR_END_MS, CALENDAR_START_MS } from '../query/date-range.js'
import { localToUtc, utcToLocal } from '../util/time-zone.js'
import type { RollupLayout } from './rollup-layout.js'

/** The alias of the rollup's cube in the SQL. */
export const ROLLUP_CUBE = 'cortex_rollup'

export interface RewrittenQuery {
  readonly model: CompiledModel
  readonly normalized: NormalizedQuery
}

const memberKey = (m: { cube: string; name: string }): string => `${m.cube}.${m.name}`

/**
 * Rewrite `q` onto `layout`'s table. `from` is what follows FROM (a quoted table, or a parenthesized union
 * of partitions); `quote` quotes a column name for the store's dialect. `exact`: the rollup's groups are the
 * query's, so non-additive measures are read as stored.
 */
export function rewriteOntoRollup(
  model: CompiledModel,
  layout: RollupLayout,
  q: NormalizedQuery,
  from: string,
  quote: (name: string) => string,
  dataSource: string,
): RewrittenQuery {
  const col = (name: string): SqlPart[] => [{ kind: 'cube', cube: ROLLUP_CUBE }, `.${quote(name)}`]
  const base = (name: string, title: string) => ({
    cube: ROLLUP_CUBE,
    name,
    key: `${ROLLUP_CUBE}.${name}`,
    title,
    shortTitle: title,
    public: false,
  })
  const dimensions: Record<string, CompiledDimension> = Object.create(null)
  const byKey = new Map<string, string>()
  for (const d of [...layout.dimensions, ...(layout.time ? [layout.time] : [])]) {
    dimensions[d.column] = { ...base(d.column, d.key), type: d.type, primaryKey: false, sql: col(d.column) }
    if (!d.granularity || !byKey.has(d.key)) byKey.set(d.key, d.column)
  }
  const timeColumn = layout.time?.column
  const segments: Record<string, CompiledSegment> = Object.create(null)
  const segmentNames = new Map<string, string>()
  for (const s of layout.segments) {
    segments[s.column] = { ...base(s.column, s.key), sql: [...col(s.column), ' = 1'] }
    segmentNames.set(s.key, s.column)
  }
  const measures: Record<string, CompiledMeasure> = Object.create(null)
  const measureNames = new Map<string, string>()
  const measureBase = (name: string, title: string) => ({
    ...base(name, title),
    filters: [],
    calculated: false,
    measureRefs: [],
    drillMembers: [],
  })
  for (const m of layout.measures) {
    const t = m.measure.type
    const value = col(m.column)
    measureNames.set(m.key, m.column)
    measures[m.column] = !m.additive
      ? {
          ...measureBase(m.column, m.key),
          type: t === 'string' || t === 'time' || t === 'boolean' ? t : 'number',
          sql: ['max(', ...value, ')'],
        }
      : t === 'count'
        ? { ...measureBase(m.column, m.key), type: 'number', sql: ['COALESCE(sum(', ...value, '), 0)'] }
        : { ...measureBase(m.column, m.key), type: t, sql: value }
  }
  // Calculated measures the query reaches, their templates pointed at the rollup's measures.
  let calculated = 0
  const measureName = (key: string): string => {
    const known = measureNames.get(key)
    if (known !== undefined) return known
    const [c, n] = key.split('.') as [string, string]
    const m = model.cubes[c]!.measures[n]!
    const name = `k${calculated++}`
    measureNames.set(key, name)
    const sql = m.sql!.map(
      (p): SqlPart =>
        typeof p !== 'string' && p.kind === 'measure'
          ? { kind: 'measure', cube: ROLLUP_CUBE, name: measureName(memberKey(p)) }
          : p,
    )
    measures[name] = {
      ...measureBase(name, key),
      type: m.type,
      sql,
      calculated: true,
      measureRefs: m.measureRefs.map((r) => `${ROLLUP_CUBE}.${measureName(r)}`),
    }
    return name
  }
  const onRollup = (m: ResolvedMember, name: string): ResolvedMember => ({
    key: m.key,
    kind: m.kind,
    cube: ROLLUP_CUBE,
    name,
  })
  const mapNode = (n: FilterNode): FilterNode => {
    if (n.kind !== 'condition') return { kind: n.kind, children: n.children.map(mapNode) }
    const key = memberKey(n.member)
    if (n.member.kind === 'measure') return { ...n, member: onRollup(n.member, measureName(key)) }
    const isTime = layout.time !== undefined && key === layout.time.key
    const name = isTime ? timeColumn! : byKey.get(key)!
    return {
      ...n,
      member: onRollup(n.member, name),
      ...(isTime ? { condition: toWall(n.condition, layout.zone) } : {}),
    }
  }
  const cube: CompiledCube = {
    kind: 'cube',
    name: ROLLUP_CUBE,
    title: layout.rollup.name,
    public: false,
    dataSource,
    from: [from],
    primaryKey: [],
    dimensions,
    measures,
    segments,
    hierarchies: [],
    joins: Object.create(null),
  }
  const normalized: NormalizedQuery = {
    measures: q.measures.map((m) => onRollup(m, measureName(memberKey(m)))),
    dimensions: q.dimensions.map((d) => {
      const key = memberKey(d.member)
      const name = d.granularity !== undefined && key === layout.time?.key ? timeColumn! : byKey.get(key)!
      return { ...d, member: onRollup(d.member, name) }
    }),
    where: q.where.map(mapNode),
    having: q.having.map(mapNode),
    segments: q.segments.map((s) => onRollup(s, segmentNames.get(memberKey(s))!)),
    order: q.order,
    limit: q.limit,
    explicitLimit: q.explicitLimit,
    offset: q.offset,
    total: q.total,
    ungrouped: false,
    timezone: 'UTC',
    echo: q.echo,
  }
  const cubes: Record<string, CompiledCube> = Object.create(null)
  cubes[ROLLUP_CUBE] = cube
  return { model: { version: `${model.version}:${from}`, cubes, views: Object.create(null) }, normalized }
}

/** An instant as the wall-clock time of `zone` read as UTC (the rollup's time column); calendar ends stay. */
function wall(ms: number, zone: string): number {
  if (ms <= CALENDAR_START_MS || ms >= CALENDAR_END_MS) return ms
  return localToUtc(utcToLocal(ms, zone), 'UTC')
}

/** A time condition the matcher accepted (bounds on bucket boundaries), moved to wall-clock time. */
function toWall(c: FilterNode extends infer N ? (N extends { condition: infer C } ? C : never) : never, zone: string) {
  if (c.op === 'range') return { ...c, fromMs: wall(c.fromMs, zone), toExclusiveMs: wall(c.toExclusiveMs, zone) }
  if (c.op === 'compare' && typeof c.value === 'object') {
    // `> v` and `<= v` cut at v + 1 ms, a boundary: rewritten as `>=` / `<` there.
    const edge = c.cmp === '>=' || c.cmp === '<' ? c.value.instant : c.value.instant + 1
    const cmp = c.cmp === '>' ? '>=' : c.cmp === '<=' ? '<' : c.cmp
    const value: FilterScalar = { instant: wall(edge, zone) }
    return { op: 'compare' as const, cmp, value }
  }
  return c
}
