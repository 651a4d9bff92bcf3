import type { CompiledPolicy } from '../security/access-policy.js'
import type {
  DimensionType,
  FormatDefinition,
  GranularityName as Granularity,
  MeasureType,
  Relationship,
} from './definition.js'

/**
 * A piece of SQL from the model with its references resolved. Strings are raw SQL written by the model
 * author (trusted); `cube` parts render as the quoted alias of that cube in the query; `measure` parts
 * (only inside calculated measures) render as the aggregated value of another measure.
 */
export type SqlPart =
  | string
  | { readonly kind: 'cube'; readonly cube: string }
  | { readonly kind: 'measure'; readonly cube: string; readonly name: string }
export type SqlTemplate = readonly SqlPart[]

interface CompiledMemberBase {
  readonly cube: string
  readonly name: string
  /** `cube.name` */
  readonly key: string
  readonly title: string
  readonly shortTitle: string
  readonly description?: string
  readonly meta?: Readonly<Record<string, unknown>>
  readonly format?: FormatDefinition
  readonly public: boolean
}

export interface CompiledDimension extends CompiledMemberBase {
  readonly type: DimensionType
  readonly sql: SqlTemplate
  readonly primaryKey: boolean
}

export interface CompiledMeasure extends CompiledMemberBase {
  readonly type: MeasureType
  /**
   * Set for `count_distinct_approx` (compiled as `count_distinct`): a dialect with an approximate distinct
   * count (`SqlDialect.approxCountDistinct`) uses it; others count exactly.
   */
  readonly approximate?: true
  /** Absent for `count` without sql. */
  readonly sql?: SqlTemplate
  /** Measure `filters`, ANDed; rendered as CASE WHEN inside the aggregate. */
  readonly filters: readonly SqlTemplate[]
  /**
   * True for `number`/`string`/`time`/`boolean` measures whose SQL references other measures: they are
   * computed from the aggregated values of those measures, never aggregated themselves.
   */
  readonly calculated: boolean
  /** Keys of the measures referenced (directly) by a calculated measure. */
  readonly measureRefs: readonly string[]
  readonly drillMembers: readonly string[]
}

export interface CompiledSegment extends CompiledMemberBase {
  readonly sql: SqlTemplate
}

export interface CompiledJoin {
  readonly from: string
  readonly to: string
  readonly relationship: Relationship
  /** Joins are LEFT JOINs from `from` to `to` on this condition. */
  readonly sql: SqlTemplate
}

export interface CompiledHierarchy {
  readonly name: string
  readonly title: string
  readonly levels: readonly string[]
  readonly public: boolean
}

export interface CompiledCube {
  readonly kind: 'cube'
  readonly name: string
  readonly title: string
  readonly description?: string
  readonly meta?: Readonly<Record<string, unknown>>
  readonly public: boolean
  readonly file?: string
  readonly dataSource: string
  /** What goes after FROM (a table name, or a parenthesized subquery), before the alias. */
  readonly from: SqlTemplate
  /** Names of the primary-key dimensions (composite keys allowed). */
  readonly primaryKey: readonly string[]
  /** Null-prototype records keyed by member name; iteration order is declaration order. */
  readonly dimensions: Readonly<Record<string, CompiledDimension>>
  readonly measures: Readonly<Record<string, CompiledMeasure>>
  readonly segments: Readonly<Record<string, CompiledSegment>>
  readonly hierarchies: readonly CompiledHierarchy[]
  /** Outgoing joins keyed by target cube name. */
  readonly joins: Readonly<Record<string, CompiledJoin>>
  readonly refreshKey?: Readonly<Record<string, unknown>>
  /** Access policies (absent: no policy, every caller sees everything). Row filter members are full keys. */
  readonly accessPolicy?: readonly CompiledPolicy[]
  /** Rollup pre-aggregations in declaration order (absent: none). */
  readonly preAggregations?: readonly CompiledRollup[]
}

/** A view member: an alias for a cube member reached along a fixed join path. */
export interface CompiledViewMember {
  readonly kind: 'dimension' | 'measure' | 'segment'
  readonly name: string
  readonly key: string
  /** The cube member it stands for. */
  readonly cube: string
  readonly member: string
  /** Cube names from the view's root to `cube`, e.g. ['orders', 'customers']. */
  readonly path: readonly string[]
  readonly title?: string
  readonly description?: string
  readonly format?: FormatDefinition
  readonly meta?: Readonly<Record<string, unknown>>
}

export interface CompiledView {
  readonly kind: 'view'
  readonly name: string
  readonly title: string
  readonly description?: string
  readonly meta?: Readonly<Record<string, unknown>>
  readonly public: boolean
  readonly file?: string
  readonly root: string
  readonly dimensions: Readonly<Record<string, CompiledViewMember>>
  readonly measures: Readonly<Record<string, CompiledViewMember>>
  readonly segments: Readonly<Record<string, CompiledViewMember>>
  readonly accessPolicy?: readonly CompiledPolicy[]
}

/** The frozen, serializable result of compiling a model. `version` is a SHA-256 of its content. */
export interface CompiledModel {
  readonly version: string
  readonly cubes: Readonly<Record<string, CompiledCube>>
  readonly views: Readonly<Record<string, CompiledView>>
}

/** A `type: rollup` pre-aggregation with its member references resolved to full keys (`cube.member`). */
export interface CompiledRollup {
  /** The cube that declares it, and its name there. */
  readonly cube: string
  readonly name: string
  readonly measures: readonly string[]
  readonly dimensions: readonly string[]
  readonly segments: readonly string[]
  readonly timeDimension?: string
  readonly granularity?: Granularity
  readonly partitionGranularity?: Granularity
  /** SQL returning one time value (Cube's `build_range_start.sql`); absent: the data's first time. */
  readonly buildRangeStart?: string
  readonly buildRangeEnd?: string
  readonly refreshKey: {
    /** `every` in milliseconds, when given. */
    readonly everyMs?: number
    readonly sql?: string
    readonly incremental: boolean
    readonly updateWindowMs?: number
  }
  readonly indexes: readonly { readonly name: string; readonly columns: readonly string[] }[]
  /** Cube's default since v1.3 (PR #9404): true. */
  readonly allowNonStrictDateRangeMatch: boolean
  readonly scheduledRefresh: boolean
  /** SHA-256 (hex, 12 chars) of everything above and of the SQL of every member it reads: part of table names. */
  readonly hash: string
}
