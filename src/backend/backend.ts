/**
 * A backend (target) turns a query plan into the statements one engine runs. It prints: every decision
 * is already in the plan (src/query/plan/query-plan.ts), so a backend reads nothing but the plan and its
 * own options, and never the model or the query. SQL engines share one printer (src/sql/sql-backend.ts)
 * and differ by a dialect; a MongoDB printer produces `{ collection, pipeline }` from the same plan.
 */
import type { Statement } from '../connectors/connector.js'
import type { OutputColumn, QueryPlan } from '../query/plan/query-plan.js'

export interface PrintOptions {
  /** Omit LIMIT when the query set none (streaming); an explicit limit is kept, without the extra row. */
  readonly stream?: boolean
}

/**
 * A plan printed for one engine. `main`'s limit asks for one row more than the plan's, to tell whether rows
 * were cut (not when streaming); `total` counts the rows without limit and offset, when the plan asks for it.
 */
export interface PrintedQuery<S> {
  readonly main: S
  readonly total?: S
  /** The plan's output columns (the order of `main`'s columns). */
  readonly columns: readonly OutputColumn[]
  /** The IANA zone the statements convert times to, if any: connectors check their server knows it. */
  readonly timeZone?: string
}

/** Plan → statements for one engine. `S` is the printed form, `statement` makes it what a connector runs. */
export interface Backend<S = unknown> {
  /** Names the output in cache keys and digests: equal names must print equal plans equally. */
  readonly name: string
  print(plan: QueryPlan, options?: PrintOptions): PrintedQuery<S>
  /**
   * The connector's form of a printed statement. `columns`: the plan's output columns in order for the main
   * statement; empty for the total, whose one row has one count column.
   */
  statement(printed: S, columns: readonly OutputColumn[]): Statement
}
