import type { Connector } from '../connectors/connector.js'
import type { ColumnType } from './column-types.js'

/**
 * The engine under files(): where loaded tables live and where statements run. The loader only creates
 * typed tables, appends rows and swaps them in; queries go to `connector`. SQLite in memory
 * (sqlite-table-store.ts, the default) and DuckDB in memory (duckdb-table-store.ts, `engine: 'duckdb'`).
 */
export interface TableStore {
  /** Runs every statement the layer sends (the store's own engine, over the tables swapped in). */
  readonly connector: Connector
  /** Start a new version of `table` with these columns, invisible to queries until `commit()`. */
  create(table: string, columns: readonly StoreColumn[]): TableWriter
  /**
   * A read that spans awaits (a stream) is starting: whatever it reads stays readable until the
   * returned release function is called, even if its table is swapped meanwhile.
   */
  lease(): () => void
  close(): Promise<void>
}

export interface StoreColumn {
  readonly name: string
  readonly type: ColumnType
}

/** Stored values: numbers (integers, numbers, booleans as 0/1), text (text and times), null. */
export type StoreValue = string | number | null

export interface TableWriter {
  /** Append one row, values in column order (the array may be reused by the caller afterwards). */
  insert(values: readonly StoreValue[]): void
  /** Rows appended so far. */
  readonly rows: number
  /**
   * Make this version the table's data, atomically: every statement sees either the previous version or
   * this one, whole. Statements running on the previous version finish on it. Builds `indexes` first.
   * SQLite commits synchronously; DuckDB's statements are asynchronous, so its commit returns a promise.
   */
  commit(indexes?: readonly (readonly string[])[]): void | Promise<void>
  /** Drop this version (a failed load): the table keeps serving its previous version. */
  abort(): void
}
