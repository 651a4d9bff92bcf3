/**
 * The data model as written by users (Cube's YAML/JSON format), after loading and shape validation.
 * Keys are normalized to snake_case (Cube accepts both `sql_table` and `sqlTable`). Member lists are
 * arrays in declaration order. Nothing here is resolved yet: references, `extends`, joins and primary
 * keys are checked by compile-model.
 */

export type DimensionType = 'string' | 'number' | 'time' | 'boolean'
export type MeasureType =
  | 'count'
  | 'count_distinct'
  | 'count_distinct_approx'
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'number'
  | 'string'
  | 'time'
  | 'boolean'
/** Canonical relationship names; `has_one`/`has_many`/`belongs_to` (and camelCase) are mapped on load. */
export type Relationship = 'one_to_one' | 'one_to_many' | 'many_to_one'

/** `format` as Cube accepts it: a name, or a `{ type: 'custom-numeric', value }` style object. */
export type FormatDefinition = string | Readonly<Record<string, unknown>>

export interface ModelDefinition {
  readonly cubes: readonly CubeDefinition[]
  readonly views: readonly ViewDefinition[]
}

interface Described {
  readonly title?: string
  readonly description?: string
  readonly meta?: Readonly<Record<string, unknown>>
  /** Cube's `public` (alias `shown` for members). Defaults to true. */
  readonly public?: boolean
}

export interface CubeDefinition extends Described {
  readonly name: string
  /** The file the cube came from, for error paths; absent for objects passed in directly. */
  readonly file?: string
  readonly sql_table?: string
  readonly sql?: string
  readonly data_source?: string
  readonly extends?: string
  readonly sql_alias?: string
  readonly joins: readonly JoinDefinition[]
  readonly dimensions: readonly DimensionDefinition[]
  readonly measures: readonly MeasureDefinition[]
  readonly segments: readonly SegmentDefinition[]
  readonly hierarchies: readonly HierarchyDefinition[]
  /** Accepted and kept for later issues (caching); not interpreted by the core. */
  readonly refresh_key?: Readonly<Record<string, unknown>>
  /** Rollup pre-aggregations (docs/pre-aggregations.md): they never change results, only where they come from. */
  readonly pre_aggregations?: readonly RollupDefinition[]
  /** Access policies: see compile-model (fails closed until the security layer interprets them). */
  readonly access_policy?: readonly unknown[]
}

export type GranularityName = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year'

/** Cube's `type: rollup` pre-aggregation, as written (member references not resolved yet). */
export interface RollupDefinition {
  readonly name: string
  readonly type?: 'rollup'
  readonly measures: readonly string[]
  readonly dimensions: readonly string[]
  readonly segments: readonly string[]
  readonly time_dimension?: string
  readonly granularity?: GranularityName
  readonly partition_granularity?: GranularityName
  readonly build_range_start?: { readonly sql: string }
  readonly build_range_end?: { readonly sql: string }
  readonly refresh_key?: {
    readonly every?: string
    readonly sql?: string
    readonly incremental?: boolean
    readonly update_window?: string
  }
  readonly indexes: readonly { readonly name: string; readonly columns: readonly string[]; readonly type?: 'regular' }[]
  readonly allow_non_strict_date_range_match?: boolean
  readonly scheduled_refresh?: boolean
}

export interface JoinDefinition {
  /** Name of the target cube. */
  readonly name: string
  readonly relationship: Relationship
  readonly sql: string
}

export interface CaseWhenDefinition {
  readonly sql: string
  /** A literal label, or `{ sql }` for a computed one. */
  readonly label: string | { readonly sql: string }
}

export interface CaseDefinition {
  readonly when: readonly CaseWhenDefinition[]
  readonly else?: { readonly label: string | { readonly sql: string } }
}

export interface DimensionDefinition extends Described {
  readonly name: string
  readonly type: DimensionType
  /** Exactly one of `sql` and `case`. */
  readonly sql?: string
  readonly case?: CaseDefinition
  readonly primary_key?: boolean
  readonly format?: FormatDefinition
  /** Cube features that change results and are not implemented: compile-model rejects them. */
  readonly sub_query?: boolean
  readonly propagate_filters_to_sub_query?: boolean
  readonly granularities?: readonly unknown[]
}

export interface MeasureFilterDefinition {
  readonly sql: string
}

export interface MeasureDefinition extends Described {
  readonly name: string
  readonly type: MeasureType
  /** Optional only for `count`. */
  readonly sql?: string
  readonly filters: readonly MeasureFilterDefinition[]
  readonly format?: FormatDefinition
  /** Member references (`name`, `cube.name` or `{...}`), resolved by compile-model. */
  readonly drill_members: readonly string[]
  /** Cube features that change results and are not implemented: compile-model rejects them. */
  readonly rolling_window?: Readonly<Record<string, unknown>>
  readonly multi_stage?: boolean
}

export interface SegmentDefinition extends Described {
  readonly name: string
  readonly sql: string
}

export interface HierarchyDefinition extends Described {
  readonly name: string
  /** Dimension references. */
  readonly levels: readonly string[]
}

export interface ViewIncludeObject {
  readonly name: string
  readonly alias?: string
  readonly title?: string
  readonly description?: string
  readonly format?: FormatDefinition
  readonly meta?: Readonly<Record<string, unknown>>
}

export interface ViewCubeDefinition {
  /** Dotted path of cube names from the view's root cube, e.g. `orders.customers`. */
  readonly join_path: string
  /** `'*'` or a list of member names / objects. */
  readonly includes: '*' | readonly (string | ViewIncludeObject)[]
  readonly excludes: readonly string[]
  /** `true` prefixes member names with the cube name (or `alias`) and `_`. */
  readonly prefix?: boolean
  readonly alias?: string
}

export interface ViewDefinition extends Described {
  readonly name: string
  readonly file?: string
  readonly cubes: readonly ViewCubeDefinition[]
  readonly folders?: readonly unknown[]
  readonly access_policy?: readonly unknown[]
}
