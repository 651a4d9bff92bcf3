import type { DimensionType, GranularityName } from '../model/definition.js'

export type Granularity = GranularityName

/** A member named by the query, resolved to the cube member it stands for. */
export interface ResolvedMember {
  /** The name as the query wrote it (`sales.status`), without granularity. */
  readonly key: string
  readonly kind: 'dimension' | 'measure' | 'segment'
  /** The underlying cube and member. */
  readonly cube: string
  readonly name: string
  /** For members reached through a view: the cube names from the view's root to `cube`. */
  readonly viewPath?: readonly string[]
}

export interface SelectedDimension {
  readonly member: ResolvedMember
  readonly type: DimensionType
  readonly granularity?: Granularity
  /** Keys this column is returned under (a time dimension with granularity also under its plain name). */
  readonly keys: readonly string[]
}

/** A filter value already converted to the member's type; instants are epoch milliseconds (UTC). */
export type FilterScalar = string | number | boolean | { readonly instant: number }

export type Condition =
  | { readonly op: 'in'; readonly not: boolean; readonly values: readonly FilterScalar[]; readonly orNull: boolean }
  | { readonly op: 'null'; readonly not: boolean }
  | {
      readonly op: 'like'
      readonly not: boolean
      readonly mode: 'contains' | 'starts' | 'ends'
      readonly values: readonly string[]
      readonly orNull: boolean
    }
  | { readonly op: 'compare'; readonly cmp: '>' | '>=' | '<' | '<='; readonly value: FilterScalar }
  /** Half-open instant range: from ≤ x < toExclusive (negated: x < from OR x ≥ toExclusive). */
  | { readonly op: 'range'; readonly not: boolean; readonly fromMs: number; readonly toExclusiveMs: number }
  /** `measureFilter`: the measure's own `filters` applied to rows. */
  | { readonly op: 'measureFilter' }

export type FilterNode =
  | { readonly kind: 'and' | 'or'; readonly children: readonly FilterNode[] }
  | {
      readonly kind: 'condition'
      readonly member: ResolvedMember
      readonly type: DimensionType | 'number' | 'string' | 'time' | 'boolean'
      readonly condition: Condition
      /**
       * A security filter (access-policy row filter, `authorize` filter, filter added by `queryRewrite`):
       * text compares exactly, whatever the column's collation (see SqlDialect.exact).
       */
      readonly exact?: true
    }

export interface OrderItem {
  /** Key of a selected measure or dimension (the first of its keys). */
  readonly key: string
  readonly desc: boolean
}

/**
 * A validated query with every member resolved, every date turned into instants and every default
 * applied. Plain frozen data: the input of planning and part of cache keys.
 */
export interface NormalizedQuery {
  readonly measures: readonly ResolvedMember[]
  readonly dimensions: readonly SelectedDimension[]
  /** Row-level conditions (dimensions, segments as members, measureFilter, date ranges). */
  readonly where: readonly FilterNode[]
  /** Conditions on aggregated measures. */
  readonly having: readonly FilterNode[]
  readonly segments: readonly ResolvedMember[]
  readonly order: readonly OrderItem[]
  readonly limit: number
  readonly explicitLimit: boolean
  readonly offset: number
  readonly total: boolean
  readonly ungrouped: boolean
  readonly timezone: string
  /** The view all members come from, when the query uses one. */
  readonly view?: string
  /** The query echoed back in Cube's normalized shape (`result.query`). */
  readonly echo: Readonly<Record<string, unknown>>
}
