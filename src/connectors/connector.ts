import { describeName, fail, isSemanticLayerError, SemanticLayerError } from '../errors.js'
import type { SqlDialect } from '../sql/dialect.js'

export interface ExecuteOptions {
  /** Cancels the statement when aborted: the connector stops it on the server. */
  readonly signal?: AbortSignal
  /** Stop the statement on the server after this many milliseconds (QUERY_TIMEOUT). */
  readonly timeoutMs?: number
  /**
   * The IANA time zone the statement converts times to (a bound parameter of it), when it converts any.
   * A connector whose server may not know the zone checks it and refuses with a coded error rather than
   * returning NULL time buckets (MySQL without time zone tables). Others ignore it.
   */
  readonly timeZone?: string
}

export interface HealthReport {
  readonly ok: boolean
  readonly latencyMs: number
  /** Why it is not ok; never contains credentials. */
  readonly error?: string
  /** Pool counters where the driver exposes them. */
  readonly pool?: { readonly total: number; readonly idle: number; readonly waiting: number }
}

/** A row keyed by column alias, as `execute` returns it. */
export type ObjectRow = Record<string, unknown>
/** A row as an array of its column values in SELECT-list order, as `executeArrays` returns it. */
export type ArrayRow = readonly unknown[]

/** The rows of one statement in the form the connector returned them. */
export type FetchedRows =
  | { readonly form: 'objects'; readonly rows: readonly ObjectRow[] }
  | { readonly form: 'arrays'; readonly rows: readonly ArrayRow[] }
  /**
   * Rows already shaped by the layer as they arrived (`executeMapped`): Cube rows keyed by member.
   * `claim()` is true for the first caller only, who may hand these rows out; any other caller copies
   * them. A run that several callers wait on calls `share()` before any of them resumes, and then every
   * caller copies, so result.data is never shared and no caller can change another's rows.
   */
  | {
      readonly form: 'shaped'
      readonly rows: readonly ObjectRow[]
      readonly claim: () => boolean
      readonly share: () => void
    }

/**
 * One data source. Connectors run SQL that Cortex rendered for their dialect and return rows keyed by
 * column alias. They own their driver and pool; `close()` releases everything they opened (and nothing
 * they were handed by the host).
 *
 * Errors: a SemanticLayerError with code CONNECTOR_FAILED (driver error as `cause`, no parameter values
 * in the message), QUERY_TIMEOUT or QUERY_CANCELLED.
 *
 * @example
 * // A connector of your own: execute and stream are required, executeArrays is optional.
 * // `id` names the database in result-cache keys (required when the layer is given a cache).
 * const mine = defineConnector({ id: inner.id, dialect: inner.dialect,
 *   execute: (sql, params, o) => inner.execute(sql, params, o),
 *   stream: (sql, params, o) => inner.stream(sql, params, o),
 *   healthCheck: () => inner.healthCheck(), close: () => inner.close() })
 */
export interface Connector {
  readonly dialect: SqlDialect
  /**
   * What data this connector reads, for result-cache keys: two connectors with the same `id` must return
   * the same rows for the same SQL, and connectors over different databases must have different ones, so
   * layers sharing a cache (one `memoryCache()`, one Redis prefix) never serve each other's results. The
   * built-in connectors derive it from their connection target (never the password) unless given one.
   * A custom connector without it cannot use a cache passed to `createSemanticLayer` (CONFIG_INVALID).
   */
  readonly id?: string
  /** Run one statement with bound parameters. */
  execute(sql: string, params: readonly unknown[], options?: ExecuteOptions): Promise<readonly ObjectRow[]>
  /**
   * Optional: run one statement like `execute`, but return each row as an array of its column values in
   * SELECT-list order (better-sqlite3 `raw()`, pg `rowMode: 'array'`, mysql2 `rowsAsArray`). The same
   * value types, errors, timeouts and cancellation as `execute`. When present, `layer.query()` uses it
   * for result rows and skips building an object per row keyed by column alias; without it the layer
   * reads `execute`'s objects. Every built-in connector has it.
   */
  executeArrays?(sql: string, params: readonly unknown[], options?: ExecuteOptions): Promise<readonly ArrayRow[]>
  /**
   * Optional: like `executeArrays`, but hand each row to `map` as the driver produces it and return what
   * `map` returned, without keeping the driver's rows. `layer.query()` prefers it: a result's driver rows
   * then die young instead of all living until shaping ends, which under sustained load more than
   * halved what the layer adds to a 50 000-row PostgreSQL result (ADR 8). If `map` throws, no later row is mapped, the
   * statement still runs to its end (the connection stays usable) and the promise rejects: with the error
   * itself if it is a SemanticLayerError, else CONNECTOR_FAILED (issue code ROW_MAP_FAILED) with it as
   * `cause`. Every built-in connector has it: PostgreSQL maps each row as pg-protocol reads it (ADR 9); SQLite and MySQL
   * get all rows from their driver at once and replace each by its mapped row as it is mapped.
   */
  executeMapped?<T>(
    sql: string,
    params: readonly unknown[],
    map: (row: ArrayRow) => T,
    options?: ExecuteOptions,
  ): Promise<readonly T[]>
  /** Run one statement and yield rows with bounded memory (cursor / stream / iterate). */
  stream(sql: string, params: readonly unknown[], options?: ExecuteOptions): AsyncIterable<Record<string, unknown>>
  /**
   * Optional: a digest of the data the named tables hold now (`tables`: the `sql_table` of each cube a
   * query reads; undefined when a cube is defined by SQL, meaning every table). When present, the layer
   * adds it to the query's result-cache key, so a cached result is served only for the data it was
   * computed on: `files()` changes it when a reload swaps new data in (ADR 12). Must be cheap.
   */
  dataVersion?(tables: readonly string[] | undefined): string
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

const REQUIRED_METHODS = ['execute', 'stream', 'healthCheck', 'close'] as const
const OPTIONAL_METHODS = ['executeArrays', 'executeMapped'] as const
const DIALECT_METHODS = [
  'quoteIdentifier',
  'placeholder',
  'booleanParam',
  'instantParam',
  'instantPlaceholder',
  'timeComparable',
  'timeGroup',
  'like',
  'nullSafeEquals',
  'limitOffset',
] as const
const DIALECT_NAMES: readonly unknown[] = ['sqlite', 'postgres', 'mysql']

/**
 * Make a connector of your own usable by `createSemanticLayer`: checks its shape (the methods of
 * {@link Connector} and a SQL dialect, usually a built-in connector's `dialect`) and brands it.
 *
 * @throws SemanticLayerError CONFIG_INVALID listing every missing or wrongly typed member.
 * @example
 * const logged = defineConnector({ ...inner, execute: (sql, params, o) => (log(sql), inner.execute(sql, params, o)) })
 */
export function defineConnector<T extends Connector>(connector: T): T {
  const issues: { code: string; path: (string | number)[]; message: string }[] = []
  const bad = (path: (string | number)[], message: string): number =>
    issues.push({ code: 'INVALID_CONNECTOR', path, message })
  const c = connector as unknown as Record<string, unknown> | null
  if (typeof c !== 'object' || c === null || Array.isArray(c)) {
    bad([], 'defineConnector() takes an object with dialect, execute, stream, healthCheck and close.')
  } else {
    try {
      for (const m of REQUIRED_METHODS) {
        if (typeof c[m] !== 'function') bad([m], `A connector needs ${m}() (a function).`)
      }
      for (const m of OPTIONAL_METHODS) {
        if (c[m] !== undefined && typeof c[m] !== 'function') bad([m], `${m}, when given, must be a function.`)
      }
      const d = c.dialect as Record<string, unknown> | null | undefined
      const dialectOk =
        typeof d === 'object' &&
        d !== null &&
        DIALECT_NAMES.includes(d.name) &&
        DIALECT_METHODS.every((m) => typeof d[m] === 'function')
      if (!dialectOk) {
        bad(['dialect'], "A connector needs its engine's SQL dialect: a built-in connector's (sqlite(...).dialect).")
      }
    } catch (error) {
      fail('CONFIG_INVALID', 'INVALID_CONNECTOR', [], 'Reading the connector threw. Pass a plain object.', error)
    }
  }
  if (issues.length > 0) throw new SemanticLayerError('CONFIG_INVALID', issues)
  // A frozen object cannot take the brand: brand a copy with the same prototype and properties.
  const copy = (): T =>
    Object.create(Object.getPrototypeOf(connector) as object, Object.getOwnPropertyDescriptors(connector)) as T
  const target = Object.isExtensible(connector) ? connector : copy()
  return brandConnector(target)
}

export function isConnector(value: unknown): value is Connector {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
}

/**
 * The error `executeMapped` rejects with when its map threw `error`: a SemanticLayerError (the layer's
 * own, e.g. ROW_WIDTH_MISMATCH) as it is; anything else (a bug in the caller's map) as CONNECTOR_FAILED /
 * ROW_MAP_FAILED, its message not copied (it may hold row values) and the error itself as `cause`.
 */
export function mapFailure(engine: string, error: unknown): SemanticLayerError {
  if (isSemanticLayerError(error)) return error
  return new SemanticLayerError(
    'CONNECTOR_FAILED',
    [
      {
        code: 'ROW_MAP_FAILED',
        path: [],
        message: `The function passed to the ${engine} connector's executeMapped threw on a result row; the error is this error's cause.`,
      },
    ],
    { cause: error },
  )
}

/**
 * `executeMapped` for a driver that returns all rows at once: each row is replaced by `map`'s result as
 * soon as it is mapped, so a collection during mapping finds only the rows not yet mapped alive, not
 * every driver row until the last is shaped (ADR 8). `rows` must be the driver's own, fresh array.
 */
export function mapInPlace<T>(engine: string, rows: unknown[], map: (row: ArrayRow) => T): T[] {
  try {
    for (let i = 0; i < rows.length; i++) rows[i] = map(rows[i] as ArrayRow)
  } catch (error) {
    throw mapFailure(engine, error)
  }
  return rows as T[]
}

/**
 * Connectors by data source, copied and checked: an object whose every value is a connector made by a
 * factory or defineConnector(). `what` names the source in messages (the option, or the factory).
 */
const FACTORY_HINT = "Create connectors with a factory such as sqlite() from 'cortex-semantic/sqlite'."

export function connectorRecord(given: unknown, what = 'connectors'): Readonly<Record<string, Connector>> {
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    const orFactory = what === 'connectors' ? ' or a function of the tenant' : ''
    const message = `${what} must be an object { default: connector, ... }${orFactory}. ${FACTORY_HINT}`
    fail('CONFIG_INVALID', 'INVALID_OPTION', ['connectors'], message)
  }
  const out = Object.create(null) as Record<string, Connector>
  for (const name of Object.keys(given)) {
    let connector: unknown
    try {
      connector = (given as Record<string, unknown>)[name]
    } catch (error) {
      const message = `Reading connectors.${name} threw. Pass plain data.`
      fail('CONFIG_INVALID', 'UNREADABLE_OPTION', ['connectors', name], message, error)
    }
    if (!isConnector(connector)) {
      const message = `connectors.${describeName(name)} is not a Cortex connector. ${FACTORY_HINT}`
      fail('CONFIG_INVALID', 'INVALID_CONNECTOR', ['connectors', name], message)
    }
    out[name] = connector
  }
  return out
}
