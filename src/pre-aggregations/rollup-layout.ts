/**
 * The shape of a rollup's table and the query that fills it. A rollup's table holds one row per group of
 * its dimensions (its time dimension truncated to its granularity, as wall-clock time in the zone it is
 * built for), one 0/1 column per segment, and one column per measure, each computed by the ordinary
 * planner and renderer from a query on the model: the build reads the source exactly as a query would.
 */
import type {
  CompiledCube,
  CompiledDimension,
  CompiledMeasure,
  CompiledModel,
  CompiledRollup,
} from '../model/compiled.js'
import type { DimensionType } from '../model/definition.js'
import type {
  FilterNode,
  Granularity,
  NormalizedQuery,
  ResolvedMember,
  SelectedDimension,
} from '../query/normalized-query.js'
import { buildPlan, type QueryPlan } from '../query/plan/build-plan.js'

export interface LayoutColumn {
  /** Column name in the rollup table (c0, c1, …). */
  readonly column: string
  /** Member key (`cube.member`). */
  readonly key: string
}

export interface LayoutDimension extends LayoutColumn {
  readonly type: DimensionType
  /** Set for the rollup's time dimension: the grain its values are truncated to. */
  readonly granularity?: Granularity
}

export interface LayoutMeasure extends LayoutColumn {
  readonly measure: CompiledMeasure
  /** Whether rows of the rollup can be re-aggregated into coarser groups (count/sum/min/max, not multiplied). */
  readonly additive: boolean
}

/** A rollup built for one time zone: its columns and the plan of the query that fills its table. */
export interface RollupLayout {
  readonly rollup: CompiledRollup
  readonly zone: string
  readonly dimensions: readonly LayoutDimension[]
  readonly time?: LayoutDimension
  readonly segments: readonly LayoutColumn[]
  readonly measures: readonly LayoutMeasure[]
  /** Each joined cube's parent in the build's join tree (the root maps to undefined). */
  readonly parents: ReadonlyMap<string, string | undefined>
  readonly root: string
  /** The model the build query runs on: the model plus one 0/1 dimension per rollup segment. */
  readonly buildModel: CompiledModel
  /** The build query without a partition range. */
  readonly buildQuery: NormalizedQuery
  readonly buildPlan: QueryPlan
}

const ADDITIVE = new Set(['count', 'sum', 'min', 'max'])
/** Name of the synthetic 0/1 dimension holding a segment in the build model. */
const segmentDimension = (name: string): string => `cortex_segment_${name}`

function member(key: string, kind: ResolvedMember['kind']): ResolvedMember {
  const [cube, name] = key.split('.') as [string, string]
  return { key, kind, cube, name }
}

/** The build model: the cubes holding rollup segments get a 0/1 dimension per segment. */
function buildModelFor(model: CompiledModel, rollup: CompiledRollup): CompiledModel {
  if (rollup.segments.length === 0) return model
  const cubes: Record<string, CompiledCube> = Object.assign(Object.create(null), model.cubes)
  for (const key of rollup.segments) {
    const [c, s] = key.split('.') as [string, string]
    const cube = cubes[c]!
    const segment = cube.segments[s]!
    const dim: CompiledDimension = {
      cube: c,
      name: segmentDimension(s),
      key: `${c}.${segmentDimension(s)}`,
      title: segment.title,
      shortTitle: segment.shortTitle,
      public: false,
      type: 'number',
      primaryKey: false,
      sql: ['CASE WHEN (', ...segment.sql, ') THEN 1 ELSE 0 END'],
    }
    const dimensions = Object.assign(Object.create(null), cube.dimensions, { [dim.name]: dim })
    cubes[c] = { ...cube, dimensions }
  }
  return { ...model, cubes }
}

/** The layout of `rollup` built in `zone`. Throws (QUERY_INVALID from the planner) when its members cannot be joined. */
export function rollupLayout(model: CompiledModel, rollup: CompiledRollup, zone: string): RollupLayout {
  const buildModel = buildModelFor(model, rollup)
  let n = 0
  const col = (): string => `c${n++}`
  const dimType = (key: string): DimensionType => {
    const [c, d] = key.split('.') as [string, string]
    return model.cubes[c]!.dimensions[d]!.type
  }
  const dimensions: LayoutDimension[] = rollup.dimensions.map((key) => ({ column: col(), key, type: dimType(key) }))
  const time: LayoutDimension | undefined =
    rollup.timeDimension && rollup.granularity
      ? { column: col(), key: rollup.timeDimension, type: 'time', granularity: rollup.granularity }
      : undefined
  const segments: LayoutColumn[] = rollup.segments.map((key) => ({ column: col(), key }))
  const selected: SelectedDimension[] = [
    ...dimensions.map((d) => ({ member: member(d.key, 'dimension'), type: d.type, keys: [d.column] })),
    ...(time
      ? [
          {
            member: member(time.key, 'dimension'),
            type: 'time' as const,
            granularity: time.granularity!,
            keys: [time.column],
          },
        ]
      : []),
    ...segments.map((s) => {
      const [c, name] = s.key.split('.') as [string, string]
      const key = `${c}.${segmentDimension(name)}`
      return {
        member: { key, kind: 'dimension' as const, cube: c, name: segmentDimension(name) },
        type: 'number' as const,
        keys: [s.column],
      }
    }),
  ]
  const measureColumns = rollup.measures.map((key) => ({ column: col(), key }))
  const buildQuery = buildQueryOf(
    selected,
    measureColumns.map((m) => ({ ...member(m.key, 'measure'), key: m.column })),
    [],
    zone,
  )
  const plan = buildPlan(buildModel, buildQuery)
  const measures: LayoutMeasure[] = measureColumns.map((m) => {
    const [c, name] = m.key.split('.') as [string, string]
    const measure = model.cubes[c]!.measures[name]!
    return { ...m, measure, additive: ADDITIVE.has(measure.type) && !plan.multiplied.includes(c) }
  })
  const parents = new Map<string, string | undefined>([[plan.tree.root, undefined]])
  for (const j of plan.tree.joins) parents.set(j.to, j.from)
  return {
    rollup,
    zone,
    dimensions,
    ...(time ? { time } : {}),
    segments,
    measures,
    parents,
    root: plan.tree.root,
    buildModel,
    buildQuery,
    buildPlan: plan,
  }
}

/** The build query of a layout restricted to one partition's range [fromMs, toExclusiveMs) of its time dimension. */
export function partitionQuery(
  layout: RollupLayout,
  range: { fromMs: number; toExclusiveMs: number } | undefined,
): NormalizedQuery {
  if (!range || !layout.time) return layout.buildQuery
  const where: FilterNode = {
    kind: 'condition',
    member: member(layout.time.key, 'dimension'),
    type: 'time',
    condition: { op: 'range', not: false, fromMs: range.fromMs, toExclusiveMs: range.toExclusiveMs },
  }
  const q = layout.buildQuery
  return buildQueryOf(q.dimensions, q.measures, [where], layout.zone)
}

function buildQueryOf(
  dimensions: readonly SelectedDimension[],
  measures: readonly ResolvedMember[],
  where: readonly FilterNode[],
  timezone: string,
): NormalizedQuery {
  return {
    measures,
    dimensions,
    where,
    having: [],
    segments: [],
    order: [],
    limit: Number.MAX_SAFE_INTEGER,
    explicitLimit: false,
    offset: 0,
    total: false,
    ungrouped: false,
    timezone,
    echo: {},
  }
}
