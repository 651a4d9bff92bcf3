/**
 * Types only: a model's members as a type ({@link ModelTypes}, written by `cortex types` or inferred by
 * `defineModel`), the queries that fit it ({@link TypedQuery}) and the rows they return
 * ({@link ResultRow}). Nothing here exists at run time; the runtime check (`parseQuery`, normalize) is
 * unchanged and still answers JavaScript callers and data read from requests.
 */
import type { Granularity } from './date-range.js'
import type { FilterValue, OrderDirection } from './parse-query.js'

/** What a measure returns: `count` (count, count_distinct, count_distinct_approx: never null) or a value type. */
export type MeasureKind = 'count' | 'number' | 'string' | 'time' | 'boolean'
/** A dimension's type as the model declares it. */
export type DimensionKind = 'number' | 'string' | 'time' | 'boolean'

/**
 * The members of a model, by kind, keyed `cube.member` (views' members too):
 *
 * ```ts
 * type Shop = {
 *   measures: { 'orders.count': 'count'; 'orders.revenue': 'number' }
 *   dimensions: { 'orders.status': 'string'; 'orders.createdAt': 'time' }
 *   timeDimensions: { 'orders.createdAt': 'day' | 'week' | 'month' }  // each time dimension's granularities
 *   segments: 'orders.completed'
 * }
 * ```
 */
export interface ModelTypes {
  readonly measures: object
  readonly dimensions: object
  readonly timeDimensions: object
  readonly segments: string
}

/** The value a member of this kind has in a result row (sums and averages over no rows are null). */
export type ValueOfKind<K> = K extends 'count'
  ? number
  :
      | (K extends 'number' ? number : K extends 'string' | 'time' ? string : K extends 'boolean' ? boolean : unknown)
      | null

/** Operators every member type takes. */
type CommonOperator = 'equals' | 'notEquals' | 'gt' | 'gte' | 'lt' | 'lte' | 'set' | 'notSet'
type StringOperator = 'contains' | 'notContains' | 'startsWith' | 'notStartsWith' | 'endsWith' | 'notEndsWith'
type TimeOperator = 'inDateRange' | 'notInDateRange' | 'beforeDate' | 'beforeOrOnDate' | 'afterDate' | 'afterOrOnDate'

/**
 * The filter operators the layer accepts on a member of kind `K` (as normalize checks them at run time):
 * comparisons on every type, text matching on strings, date ranges on times, `measureFilter` on measures.
 */
export type OperatorFor<K, IsMeasure extends boolean = false> =
  | CommonOperator
  | (K extends 'string' ? StringOperator : never)
  | (K extends 'time' ? TimeOperator : never)
  | (IsMeasure extends true ? 'measureFilter' : never)

type Keys<T> = keyof T & string
export type MeasureName<M extends ModelTypes> = Keys<M['measures']>
export type DimensionName<M extends ModelTypes> = Keys<M['dimensions']>
export type TimeDimensionName<M extends ModelTypes> = Keys<M['timeDimensions']>
export type SegmentName<M extends ModelTypes> = M['segments']
/** A time dimension's granularities (Cube's built-in ones unless the type says fewer). */
export type GranularityOf<M extends ModelTypes, D extends string> = D extends keyof M['timeDimensions']
  ? M['timeDimensions'][D] & string
  : never

/** `cube.dimension`, or `cube.timeDimension.granularity` (Cube accepts both in `dimensions`). */
export type DimensionRef<M extends ModelTypes> =
  | DimensionName<M>
  | { [D in TimeDimensionName<M>]: `${D}.${GranularityOf<M, D>}` }[TimeDimensionName<M>]

export type TypedTimeDimension<M extends ModelTypes> = {
  [D in TimeDimensionName<M>]: {
    readonly dimension: D
    readonly granularity?: GranularityOf<M, D>
    readonly dateRange?: string | readonly [string, string]
  }
}[TimeDimensionName<M>]

/** One filter: its operator fits the member's type. */
export type TypedFilter<M extends ModelTypes> =
  | {
      [K in MeasureName<M>]: {
        readonly member: K
        readonly operator: OperatorFor<M['measures'][K], true>
        readonly values?: readonly FilterValue[]
      }
    }[MeasureName<M>]
  | {
      [K in DimensionName<M>]: {
        readonly member: K
        readonly operator: OperatorFor<M['dimensions'][K]>
        readonly values?: readonly FilterValue[]
      }
    }[DimensionName<M>]
  | { readonly and: readonly TypedFilter<M>[] }
  | { readonly or: readonly TypedFilter<M>[] }

/** A key a result row can have, so one `order` may name. */
export type OrderKey<M extends ModelTypes> = MeasureName<M> | DimensionRef<M>

/** Cube's REST query with every member name checked against the model `M`. */
export interface TypedQuery<M extends ModelTypes> {
  readonly measures?: readonly MeasureName<M>[]
  readonly dimensions?: readonly DimensionRef<M>[]
  readonly timeDimensions?: readonly TypedTimeDimension<M>[]
  readonly filters?: readonly TypedFilter<M>[]
  readonly segments?: readonly SegmentName<M>[]
  readonly order?:
    | { readonly [K in OrderKey<M>]?: OrderDirection }
    | readonly (readonly [OrderKey<M>, OrderDirection])[]
  readonly limit?: number
  readonly offset?: number
  readonly total?: boolean
  readonly timezone?: string
  readonly ungrouped?: boolean
  readonly renewQuery?: boolean
}

/**
 * What `query()` takes for a query literal `Q`: `Q` itself (so its member names are kept for the row
 * type), checked against {@link TypedQuery} (nested keys, member names, operators, granularities) and
 * refused when it has a top-level key Cube's query does not (generic parameters skip excess-property checks).
 */
export type CheckedQuery<M extends ModelTypes, Q> = Q &
  TypedQuery<M> & { readonly [K in Exclude<keyof Q, keyof TypedQuery<M>>]: never }

type Element<A> = A extends readonly (infer E)[] ? E : never
/** A list whose length the type does not know (a `string[]`, not a literal tuple): its members may be absent. */
type IsWide<A> = A extends readonly unknown[] ? (number extends A['length'] ? true : false) : false
type Maybe<Wide, T> = Wide extends true ? Partial<T> : T

type MeasureColumns<M extends ModelTypes, Q> = Q extends { readonly measures: infer A }
  ? Maybe<IsWide<A>, { [K in Element<A> & MeasureName<M>]: ValueOfKind<M['measures'][K]> }>
  : unknown

type DimensionValue<M extends ModelTypes, K> =
  K extends DimensionName<M> ? ValueOfKind<M['dimensions'][K]> : string | null

type DimensionColumns<M extends ModelTypes, Q> = Q extends { readonly dimensions: infer A }
  ? Maybe<IsWide<A>, { [K in Element<A> & string]: DimensionValue<M, K> }>
  : unknown

/** Keys a time dimension entry returns: `dim.granularity` and the plain `dim` (as Cube); none without a granularity. */
type TimeKeys<T> = T extends {
  readonly dimension: infer D extends string
  readonly granularity: infer G extends string
}
  ? `${D}.${G}` | D
  : never

type TimeColumns<Q> = Q extends { readonly timeDimensions: infer A }
  ? Maybe<IsWide<A>, { [K in TimeKeys<Element<A>>]: string | null }>
  : unknown

type Flatten<T> = { [K in keyof T]: T[K] } & {}

/**
 * The row a query `Q` returns over the model `M`: exactly the keys it selects, with their value types.
 *
 * @example
 * // { 'orders.count': number; 'orders.createdAt.month': string | null; 'orders.createdAt': string | null }
 * type Row = ResultRow<Shop, { measures: ['orders.count']; timeDimensions: [{ dimension: 'orders.createdAt'; granularity: 'month' }] }>
 */
export type ResultRow<M extends ModelTypes, Q> = Flatten<MeasureColumns<M, Q> & DimensionColumns<M, Q> & TimeColumns<Q>>

/** Cube's built-in granularities, which every time dimension has. */
export type { Granularity }
