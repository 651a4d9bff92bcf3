/**
 * The query plan: plain, serializable data that states every decision about how a query is answered.
 * A backend only prints it (src/sql/render-sql.ts for SQL); it never looks at the model or the normalized
 * query, and never reads SQL text to decide anything. Member SQL stays as the model compiled it: a parsed
 * template (raw text from the model author, cube references, measure references).
 *
 * Readonly by type; frozen where it leaves the layer (`layer.plan()`), not on the hot path (ADR 7, ADR 14).
 */
import type { CompiledJoin, SqlTemplate } from '../../model/compiled.js'
import type { DimensionType, MeasureType } from '../../model/definition.js'
import type { Condition, Granularity } from '../normalized-query.js'

/** A cube the statement reads: its table (what goes after FROM) and its primary key's expressions. */
export interface PlanCube {
  readonly name: string
  /** A table name or a parenthesized subquery, as the model wrote it (for MongoDB: the collection). */
  readonly table: SqlTemplate
  /** The primary-key dimensions' expressions, in declaration order (empty: the cube has none). */
  readonly primaryKey: readonly SqlTemplate[]
}

/** The cubes of a query joined as a tree: `joins` in an order where each `from` is already joined. */
export interface JoinTree {
  readonly root: string
  readonly joins: readonly CompiledJoin[]
}

/**
 * How the statement is shaped.
 * - `single`: one SELECT over the join tree, grouped by the dimensions (no measure is repeated by the joins,
 *   or every repeated one is safe: min, max, count distinct, count of a single primary key).
 * - `multi`: one aggregate per {@link MeasureGroup}, joined on the dimensions null-safely; a group with a
 *   `cube` aggregates over that cube's distinct rows found by a keys subquery (docs/fan-out.md).
 */
export type PlanStrategy = 'single' | 'multi'

export interface PlannedDimension {
  readonly alias: string
  /** Keys the column is returned under (a time dimension with granularity also under its plain name). */
  readonly keys: readonly string[]
  readonly cube: string
  readonly name: string
  readonly type: DimensionType
  /** For time dimensions: the bucket; absent: the raw value. Buckets are taken in the plan's `timezone`. */
  readonly granularity?: Granularity
  readonly sql: SqlTemplate
}

/**
 * How a `count` without `sql` counts its cube's rows.
 * - `key`: `count([DISTINCT] key)`: rows a LEFT JOIN did not match count 0; `distinct` when the join tree
 *   repeats the cube's rows.
 * - `keys`: composite key: rows where every key column is set.
 * - `all`: the root cube without a primary key: every row (`count(*)`).
 */
export type RowCount =
  | { readonly kind: 'key'; readonly key: SqlTemplate; readonly distinct: boolean }
  | { readonly kind: 'keys'; readonly keys: readonly SqlTemplate[] }
  | { readonly kind: 'all' }

export interface PlannedMeasure {
  readonly alias: string
  /** Output key for selected measures; `cube.name` for hidden dependencies. */
  readonly key: string
  /** The cube member, `cube.name` (calculated measures name their dependencies by it). */
  readonly member: string
  readonly cube: string
  readonly name: string
  readonly type: MeasureType
  /** 'number' | 'string' | 'time' | 'boolean': how results convert driver values. */
  readonly valueType: 'number' | 'string' | 'time' | 'boolean'
  /** Returned to the caller (false: only needed by a calculated measure or a measure filter). */
  readonly selected: boolean
  /** Index into `groups` for aggregated measures; -1 for calculated ones. */
  readonly group: number
  /** Aggregated: the argument of the aggregate. Calculated: an expression over other measures. Absent: count rows. */
  readonly sql?: SqlTemplate
  /** The measure's own `filters`, ANDed: only rows passing them are aggregated. */
  readonly filters: readonly SqlTemplate[]
  /** Computed from other measures' aggregated values (`sql` holds measure references); never aggregated. */
  readonly calculated: boolean
  /** `count_distinct_approx`: a dialect with an approximate distinct count may use it. */
  readonly approximate?: true
  /** Aggregated over the partials of a folded branch ({@link FoldedCube}), not over the rows in scope. */
  readonly folded: boolean
  /** For `count` without `sql` in a grouped query: how rows are counted. */
  readonly rowCount?: RowCount
}

/**
 * Measures aggregated together. `cube` set: the cube is multiplied by the join tree, so these measures are
 * aggregated over its distinct rows: a keys subquery (`SELECT DISTINCT dimensions, primary key` over the
 * cubes in `keysCubes`) joined back to the cube's table on its primary key.
 */
export interface MeasureGroup {
  readonly cube?: string
  /** With `cube`: the cubes the keys subquery joins (a closed subtree of the join tree, root included). */
  readonly keysCubes?: readonly string[]
  /** With `cube`: the row filters of its table where it is joined back ({@link TableFilters}); absent when none. */
  readonly rejoinFilters?: TableFilters
}

/**
 * The conditions of the query's WHERE (row policies and hook filters among them) and its segments that
 * read only one cube. Every read of a cube's table in a statement is filtered by them: reads inside the
 * join tree (the main FROM, keys subqueries, folded derived tables) by the whole WHERE, and the table
 * joined back to a keys subquery on its primary key by these, so no row outside them is read even when the
 * declared key is unique only within a tenant (a model's `primary_key: id` over a table keyed by
 * `(tenant_id, id)`). With a key that is unique they select the rows the keys subquery kept anyway.
 */
export interface TableFilters {
  readonly where: readonly PlanFilter[]
  readonly segments: readonly SqlTemplate[]
}

/**
 * Where a folded cube's partials are computed from:
 * - `foreignKey`: the branch's join is `<child column> = <parent's single-column key>` and the query has no
 *   WHERE or segment: the parent is left out and the partials are grouped by `column`, as one writes it.
 * - `parent`: the parent's table and the path down, grouped by the parent's key.
 * - `scoped`: the query has a WHERE or segments: the cubes in `cubes` (a closed subtree of the join tree
 *   holding the parent and what the filters read) LEFT JOINed as in the main FROM, then the path down,
 *   under the query's WHERE, so only the parent rows the query keeps are aggregated.
 */
export type FoldSource =
  | { readonly kind: 'foreignKey'; readonly column: SqlTemplate }
  | { readonly kind: 'parent' }
  | { readonly kind: 'scoped'; readonly cubes: readonly string[] }

/**
 * A cube of a folded branch whose measures are aggregated per row of the branch's parent before the
 * join: a derived table `(SELECT parent key, partial aggregates FROM … GROUP BY parent key)` LEFT JOINed
 * to the parent on its primary key, so it no longer multiplies the parent (fold-branches.ts).
 */
export interface FoldedCube {
  /** The cube whose measures are aggregated (the derived table takes its alias). */
  readonly cube: string
  /** The branch's parent: the cube whose primary key the partials are grouped by. */
  readonly parent: string
  /**
   * The tree's joins from `parent` down to `cube`, in order: the first is the branch's one_to_many join
   * out of the parent, every later one is one_to_many or one_to_one. Joined with INNER JOIN inside.
   */
  readonly path: readonly CompiledJoin[]
  /** Members (`cube.name`) of the cube's measures the query needs, each decomposable into partials. */
  readonly measures: readonly string[]
  readonly source: FoldSource
}

/** A condition on one member, with the member's expression resolved. */
export interface PlanCondition {
  readonly kind: 'condition'
  /** The cube member, `cube.name`. */
  readonly member: string
  readonly cube: string
  readonly name: string
  readonly memberKind: 'dimension' | 'measure' | 'segment'
  /** The type the values were converted to. */
  readonly type: DimensionType | 'number' | 'string' | 'time' | 'boolean'
  /** Operator and typed values (instants as epoch milliseconds, UTC). */
  readonly condition: Condition
  /** A security filter: text compares exactly, whatever the column's collation. */
  readonly exact?: true
  /** A dimension's row expression (WHERE conditions). */
  readonly sql?: SqlTemplate
  /** `measureFilter`: the measure's own filters, applied to rows. */
  readonly filters?: readonly SqlTemplate[]
}

/** A filter tree: `and` / `or` groups of conditions (an empty `and` is true, an empty `or` false). */
export type PlanFilter = { readonly kind: 'and' | 'or'; readonly children: readonly PlanFilter[] } | PlanCondition

/** One result column: its alias in the statement, the keys it is returned under and its value type. */
export interface OutputColumn {
  readonly alias: string
  readonly keys: readonly string[]
  readonly kind: 'dimension' | 'measure'
  /** 'number' | 'string' | 'time' | 'boolean': how shape converts driver values. */
  readonly type: string
}

export interface PlanOrder {
  readonly key: string
  /** 1-based position in `columns`. */
  readonly column: number
  readonly desc: boolean
}

export interface QueryPlan {
  readonly strategy: PlanStrategy
  /** The cubes the statement reads, root first, then in join order. */
  readonly cubes: readonly PlanCube[]
  readonly tree: JoinTree
  readonly dimensions: readonly PlannedDimension[]
  /** Selected measures in query order, then hidden dependencies. */
  readonly measures: readonly PlannedMeasure[]
  readonly groups: readonly MeasureGroup[]
  /** Cubes with measures in the query whose rows the join tree repeats (folded branches taken into account). */
  readonly multiplied: readonly string[]
  /** Cubes of folded branches, aggregated per parent row in derived tables; their measures sit in the main group. */
  readonly folds: readonly FoldedCube[]
  /** Cubes of folded branches without measures of their own: joined only inside the folds' derived tables. */
  readonly foldedJoinsOnly: readonly string[]
  readonly where: readonly PlanFilter[]
  readonly having: readonly PlanFilter[]
  readonly segments: readonly SqlTemplate[]
  /** The result's columns: dimensions, then selected measures. */
  readonly columns: readonly OutputColumn[]
  readonly order: readonly PlanOrder[]
  readonly limit: number
  /** The query set `limit` itself (streams ignore the default limit). */
  readonly explicitLimit: boolean
  readonly offset: number
  /** Also count the rows without limit and offset. */
  readonly total: boolean
  readonly ungrouped: boolean
  /** IANA zone time dimensions are bucketed in. */
  readonly timezone: string
}
