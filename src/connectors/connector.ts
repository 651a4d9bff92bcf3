import type { SqlDialect } from '../sql/dialect.js'

export interface ExecuteOptions {
  /** Cancels the statement when aborted: the connector stops it on the server. */
  readonly signal?: AbortSignal
  /** Stop the statement on the server after this many milliseconds (QUERY_TIMEOUT). */
  readonly timeoutMs?: number
}

export interface HealthReport {
  readonly ok: boolean
  readonly latencyMs: number
  /** Why it is not ok; never contains credentials. */
  readonly error?: string
  /** Pool counters where the driver exposes them. */
  readonly pool?: { readonly total: number; readonly idle: number; readonly waiting: number }
}

/**
 * One data source. Connectors run SQL that Cortex rendered for their dialect and return rows keyed by
 * column alias. They own their driver and pool; `close()` releases everything they opened (and nothing
 * they were handed by the host).
 *
 * Errors: a SemanticLayerError with code CONNECTOR_FAILED (driver error as `cause`, no parameter values
 * in the message), QUERY_TIMEOUT or QUERY_CANCELLED.
 */
export interface Connector {
  readonly dialect: SqlDialect
  /** Run one statement with bound parameters. */
  execute(sql: string, params: readonly unknown[], options?: ExecuteOptions): Promise<readonly Record<string, unknown>[]>
  /** Run one statement and yield rows with bounded memory (cursor / stream / iterate). */
  stream(sql: string, params: readonly unknown[], options?: ExecuteOptions): AsyncIterable<Record<string, unknown>>
  /** Check that the source answers (e.g. `SELECT 1`). Never throws. */
  healthCheck(): Promise<HealthReport>
  close(): Promise<void>
}

const BRAND = Symbol.for('cortex-semantic.Connector')

/** Mark an object as a connector (brand checks survive ESM/CJS duplication). */
export function brandConnector<T extends Connector>(connector: T): T {
  Object.defineProperty(connector, BRAND, { value: true })
  return connector
}

export function isConnector(value: unknown): value is Connector {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
}
