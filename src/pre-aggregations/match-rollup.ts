/**
 * Whether a rollup can answer a normalized query with the same rows as the source, and if not, every
 * reason why. Cube's rules (docs/pre-aggregations.md) with its known gaps closed: members of views are
 * matched as the cube members they stand for, date ranges must align with the rollup's grain in its zone,
 * and a non-additive measure is only served from a rollup whose groups are exactly the query's.
 */
import type { CompiledModel } from '../model/compiled.js'
import type { Condition, FilterNode, Granularity, NormalizedQuery, ResolvedMember } from '../query/normalized-query.js'
import { CALENDAR_END_MS, CALENDAR_START_MS, startOfLocal } from '../query/date-range.js'
import { localToUtc, utcToLocal, zoneOffsetMs } from '../util/time-zone.js'
import type { JoinTree } from '../query/plan/join-tree.js'
import type { RollupLayout } from './rollup-layout.js'

/** Granularities from finest to coarsest; `a` rolls up into `b` when every `b` bucket is a union of `a` buckets. */
const ORDER: readonly Granularity[] = ['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year']
export function rollsUp(from: Granularity, to: Granularity): boolean {
  if (from === to) return true
  if (to === 'week') return ORDER.indexOf(from) <= ORDER.indexOf('day')
  if (from === 'week') return false
  return ORDER.indexOf(from) < ORDER.indexOf(to)
}

/** A match: `range` is the query's range on the rollup's time dimension (instants), for choosing partitions. */
export type RollupMatch =
  | {
      readonly ok: true
      readonly exact: boolean
      readonly range?: { readonly fromMs: number; readonly toExclusiveMs: number }
    }
  | { readonly ok: false; readonly reasons: readonly string[] }

/** Whether instant `ms` starts a `g` bucket in `zone`, and no DST change makes that bucket's wall time ambiguous. */
export function alignedBoundary(ms: number, g: Granularity, zone: string): boolean {
  if (ms <= CALENDAR_START_MS || ms >= CALENDAR_END_MS) return true
  if (localToUtc(startOfLocal(utcToLocal(ms, zone), g), zone) !== ms) return false
  return wallSafe(ms, zone)
}

const SIX_HOURS = 6 * 3_600_000
/**
 * The rollup keeps wall-clock buckets; a fall-back transition just before (or after) `b` makes instants on
 * both sides of `b` share wall times, so a bucket would mix rows inside and outside the range.
 */
function wallSafe(b: number, zone: string): boolean {
  const off = (t: number): number => zoneOffsetMs(t, zone)
  const at = off(b)
  const before = off(b - SIX_HOURS)
  if (before > at && off(b - (before - at)) === before) return false
  const after = off(b + SIX_HOURS)
  if (after < at && off(b + (at - after) - 1) === after) return false
  return true
}

/** Leaf (non-calculated) measures of the query, calculated ones expanded; undefined entries mark a bad template. */
function leafMeasures(model: CompiledModel, roots: readonly ResolvedMember[], reasons: string[]): Set<string> {
  const out = new Set<string>()
  const seen = new Set<string>()
  const visit = (key: string): void => {
    if (seen.has(key)) return
    seen.add(key)
    const [c, n] = key.split('.') as [string, string]
    const m = model.cubes[c]!.measures[n]!
    if (!m.calculated) {
      out.add(key)
      return
    }
    if (m.sql?.some((p) => typeof p !== 'string' && p.kind === 'cube'))
      reasons.push(`measure ${key} reads columns besides other measures, so it cannot be computed from rollup rows`)
    for (const ref of m.measureRefs) visit(ref)
  }
  for (const m of roots) visit(`${m.cube}.${m.name}`)
  return out
}

const memberKey = (m: ResolvedMember): string => `${m.cube}.${m.name}`

/** Match `q` (planned with join tree `tree`) against `layout`: a match, or every reason it does not match. */
export function matchRollup(
  model: CompiledModel,
  layout: RollupLayout,
  q: NormalizedQuery,
  tree: JoinTree,
): RollupMatch {
  const reasons: string[] = []
  const timeKey = layout.time?.key
  if (q.ungrouped) return { ok: false, reasons: ['the query is ungrouped: it reads rows, not groups'] }
  const usesTime = layout.time !== undefined || layout.dimensions.some((d) => d.type === 'time')
  if (usesTime && q.timezone !== layout.zone)
    reasons.push(`the query's time zone ${q.timezone} is not one the rollup is built for (${layout.zone})`)

  // Measures.
  const havingMembers: ResolvedMember[] = []
  walk(q.having, (n) => havingMembers.push(n.member))
  const leaves = leafMeasures(model, [...q.measures, ...havingMembers], reasons)
  const held = new Map(layout.measures.map((m) => [m.key, m]))
  let additive = true
  for (const key of leaves) {
    const m = held.get(key)
    if (!m) reasons.push(`measure ${key} is not in the rollup`)
    else if (!m.additive) additive = false
  }

  // Dimensions and the time dimension.
  const dims = new Set(layout.dimensions.map((d) => d.key))
  const queryGroups = new Set<string>()
  for (const d of q.dimensions) {
    const key = memberKey(d.member)
    if (d.granularity !== undefined && key === timeKey) {
      const g = layout.time!.granularity!
      if (!rollsUp(g, d.granularity))
        reasons.push(
          `granularity ${d.granularity} of ${key} is finer than the rollup's ${g} or does not roll up from it`,
        )
      queryGroups.add(`${key}.${d.granularity}`)
    } else if (dims.has(key)) queryGroups.add(key)
    else reasons.push(`dimension ${key} is not in the rollup`)
  }

  // Segments.
  const segments = new Set(layout.segments.map((s) => s.key))
  for (const s of q.segments)
    if (!segments.has(memberKey(s))) reasons.push(`segment ${memberKey(s)} is not in the rollup`)

  // Filters: on rollup dimensions, or a range aligned to the rollup's grain on its time dimension.
  let onlySelected = true
  walk(q.where, (node) => {
    const key = memberKey(node.member)
    const c = node.condition
    if (c.op === 'measureFilter') {
      reasons.push(`the filter of measure ${key} applies to rows, which the rollup does not keep`)
      return
    }
    if (key === timeKey) {
      const g = layout.time!.granularity!
      if (!queryGroups.has(`${key}.${g}`)) onlySelected = false
      const bounds = timeBounds(c)
      if (bounds === 'any') return
      if (bounds === undefined) {
        reasons.push(
          `filter on ${key}: only date ranges and before/after comparisons can use the rollup's time dimension`,
        )
        return
      }
      for (const b of bounds.edges) {
        if (!alignedBoundary(b, g, layout.zone))
          reasons.push(
            `filter on ${key}: the date range ${b === bounds.edges[0] ? 'starts' : 'ends'} inside a ${g} of the rollup (${new Date(b).toISOString()}), finer than its ${g} granularity`,
          )
      }
      return
    }
    if (!dims.has(key)) {
      reasons.push(`filter on ${key}: dimension not in the rollup`)
      return
    }
    if (!queryGroups.has(key)) onlySelected = false
    const type = layout.dimensions.find((d) => d.key === key)!.type
    if (type === 'time' && (c.op === 'range' || c.op === 'compare'))
      reasons.push(`filter on ${key}: time comparisons only work on the rollup's time dimension`)
  })

  // Tree: rollup rows come from its own join tree; the query must join its cubes the same way from the same root.
  if (tree.root !== layout.root)
    reasons.push(
      `the query's join tree starts at ${tree.root}, the rollup's at ${layout.root}, so they count different rows`,
    )
  for (const j of tree.joins) {
    if (layout.parents.get(j.to) !== j.from)
      reasons.push(`the query joins ${j.to} from ${j.from}; the rollup does not join it that way`)
  }

  if (!additive) {
    const rollupGroups = new Set([...dims, ...(timeKey ? [`${timeKey}.${layout.time!.granularity}`] : [])])
    const exactGroups = rollupGroups.size === queryGroups.size && [...rollupGroups].every((g) => queryGroups.has(g))
    const exactSegments = q.segments.length === segments.size
    const nonAdditive = [...leaves].filter((k) => held.get(k)?.additive === false)
    if (!exactGroups || !exactSegments || !onlySelected) {
      const what = nonAdditive.map(
        (k) =>
          `${k} (${held.get(k)!.measure.type}${layout.buildPlan.multiplied.includes(k.split('.')[0]!) ? ', multiplied by a join in the rollup' : ''})`,
      )
      const why = !exactGroups
        ? "the query's dimensions and granularity are not exactly the rollup's"
        : !exactSegments
          ? "the query's segments are not exactly the rollup's"
          : 'a filter is on a dimension the query does not group by'
      reasons.push(`measure ${what.join(', ')} is not additive and the rollup is not an exact match: ${why}`)
    }
  }
  if (reasons.length > 0) return { ok: false, reasons: unique(reasons) }
  const range = timeKey ? topLevelRange(q.where, timeKey) : undefined
  return { ok: true, exact: !additive, ...(range ? { range } : {}) }
}

function unique(list: string[]): string[] {
  return [...new Set(list)]
}

/** The range the query's top-level conjuncts keep on the rollup's time dimension (others only narrow it further). */
function topLevelRange(
  where: readonly FilterNode[],
  timeKey: string,
): { fromMs: number; toExclusiveMs: number } | undefined {
  let range: { fromMs: number; toExclusiveMs: number } | undefined
  const conjuncts = (n: FilterNode): FilterNode[] => (n.kind === 'and' ? n.children.flatMap(conjuncts) : [n])
  for (const n of where.flatMap(conjuncts)) {
    if (n.kind !== 'condition' || memberKey(n.member) !== timeKey) continue
    if (n.condition.op === 'range' && n.condition.not) continue
    const bounds = timeBounds(n.condition)
    if (bounds !== 'any' && bounds?.range) range = intersect(range, bounds.range)
  }
  return range
}

function intersect(
  a: { fromMs: number; toExclusiveMs: number } | undefined,
  b: { fromMs: number; toExclusiveMs: number },
): { fromMs: number; toExclusiveMs: number } {
  if (!a) return b
  return { fromMs: Math.max(a.fromMs, b.fromMs), toExclusiveMs: Math.min(a.toExclusiveMs, b.toExclusiveMs) }
}

/**
 * The instants a time condition cuts at: every edge must be a bucket boundary of the rollup. `'any'`: the
 * condition keeps or drops whole buckets whatever their boundaries (set / notSet).
 */
function timeBounds(
  c: Condition,
): { edges: number[]; range?: { fromMs: number; toExclusiveMs: number } } | 'any' | undefined {
  switch (c.op) {
    case 'null':
      return 'any'
    case 'range':
      return { edges: [c.fromMs, c.toExclusiveMs], range: { fromMs: c.fromMs, toExclusiveMs: c.toExclusiveMs } }
    case 'compare': {
      const v = c.value
      if (typeof v !== 'object') return undefined
      const edge = c.cmp === '>=' || c.cmp === '<' ? v.instant : v.instant + 1
      return c.cmp === '>=' || c.cmp === '>'
        ? { edges: [edge], range: { fromMs: edge, toExclusiveMs: CALENDAR_END_MS } }
        : { edges: [edge], range: { fromMs: CALENDAR_START_MS, toExclusiveMs: edge } }
    }
    default:
      return undefined
  }
}

/** Every condition node under `nodes`, through and/or. */
export function walk(
  nodes: readonly FilterNode[],
  visit: (node: Extract<FilterNode, { kind: 'condition' }>) => void,
): void {
  for (const n of nodes) {
    if (n.kind === 'condition') visit(n)
    else walk(n.children, visit)
  }
}
