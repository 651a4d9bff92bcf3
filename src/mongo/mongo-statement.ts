/**
 * What the MongoDB connector runs and how it is asked to return rows. Written against the connector
 * contract of issue 17 (`execute(statement, options)` with the row form as an option, `stream`,
 * `healthCheck`, `close`, `id`); when that contract's TypeScript types land, these map onto them one to
 * one: `MongoStatement` is its `{ kind: 'mongo' }` statement, `MongoExecuteOptions` its execute options
 * (`rows`: the row form), and only mongo-connector.ts reads them.
 */

/** One aggregation document (a stage or an expression): plain data, as BSON will carry it. */
export type MongoDocument = Record<string, unknown>

/**
 * One aggregation pipeline over one collection: what a MongoDB source compiles a query to, and what
 * `layer.sql(q)` will show for it.
 */
export interface MongoStatement {
  readonly kind: 'mongo'
  /** The collection the pipeline starts from (a cube's `sql_table`). */
  readonly collection: string
  readonly pipeline: readonly MongoDocument[]
  /**
   * The output fields in order. Needed for array rows (a row is `columns.map(c => doc[c])`); object rows
   * are then keyed by exactly these fields, a field the document lacks read as null. Without it, object
   * rows carry the document's own fields.
   */
  readonly columns?: readonly string[]
}

/** An array row: the values of `MongoStatement.columns`, in that order. */
export type MongoArrayRow = readonly unknown[]

/**
 * The row form: documents as objects (default), arrays in `columns` order, or each array row handed to
 * a function as it arrives, whose results are returned (nothing else keeps the document).
 */
export type MongoRowForm = 'objects' | 'arrays' | ((row: MongoArrayRow) => unknown)

export interface MongoExecuteOptions {
  /** Cancels the pipeline: the cursor is closed and, with driver 6.13+, the running command aborted. */
  readonly signal?: AbortSignal
  /** Sent as `maxTimeMS`; the connector also stops waiting after this long (QUERY_TIMEOUT). */
  readonly timeoutMs?: number
  readonly rows?: MongoRowForm
  /** The layer's name for a function row form (the connector contract's `map`): wins over `rows`. */
  readonly map?: (row: MongoArrayRow) => unknown
  /** Accepted for the shared contract and ignored: pipelines carry their zone in their date operators. */
  readonly timeZone?: string
}
