import type { SqlDialect } from '../sql/dialect.js'

export interface ExecuteOptions {
  /** Cancels the statement when aborted. */
  readonly signal?: AbortSignal
}

/**
 * One data source. Connectors run SQL that Cortex rendered for their dialect and return rows keyed by
 * column alias. They own their driver and pool; `close()` releases everything they opened (and nothing
 * they were handed by the host).
 */
export interface Connector {
  readonly dialect: SqlDialect
  /** Run one statement with bound parameters. */
  execute(sql: string, params: readonly unknown[], options?: ExecuteOptions): Promise<readonly Record<string, unknown>[]>
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
