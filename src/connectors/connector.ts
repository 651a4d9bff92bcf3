import { describeName, fail, isSemanticLayerError, SemanticLayerError } from '../errors.js'
import type { Backend } from '../backend/backend.js'
import type { MongoStatement } from '../mongo/mongo-statement.js'
import { isSqlDialect, type SqlDialect } from '../sql/dialect.js'

/**
 * One statement for a connector to run. Today only SQL: text the layer rendered for the connector's
 * dialect and its bound parameters (nothing from a request is ever in `sql`). Other kinds (a MongoDB
 * pipeline) will be further members of this union; a connector refuses a kind it does not run.
 */
export interface SqlStatement {
  readonly kind: 'sql'
  readonly sql: string
  readonly params: readonly unknown[]
}

/** Every kind of statement a connector may be handed: SQL, or a MongoDB pipeline (`cortex-semantic/mongodb`). */
export type Statement = SqlStatement | MongoStatement

/** How one statement runs: `execute`'s and `stream`'s options. */
export interface StatementOptions {
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

/** The row forms `execute` can return besides objects (see {@link Connector.rowForms}). */
export type RowCapability = 'arrays' | 'mapped'

export interface ExecuteOptions extends StatementOptions {
  /**
   * `'objects'` (default): each row an object keyed by column alias. `'arrays'`: each row an array of its
   * column values in SELECT-list order. Ask for arrays only from a connector whose `rowForms` lists them.
   */
  readonly rows?: 'objects' | 'arrays'
  /**
   * Hand each row, as an array in SELECT-list order, to `map` as the driver produces it and resolve to
   * what `map` returned, keeping none of the driver's rows (only for a connector whose `rowForms` lists
   * `'mapped'`; `rows` is then ignored). If `map` throws, no later row is mapped, the statement is still
   * read to its end (the connection stays usable), and the promise rejects: with the error itself if it
   * is a SemanticLayerError, else CONNECTOR_FAILED / ROW_MAP_FAILED with it as `cause`.
   */
  readonly map?: (row: ArrayRow) => unknown
}

export interface HealthReport {
  readonly ok: boolean
  readonly latencyMs: number
  /** Why it is not ok; never contains credentials. */
  readonly error?: string
  /** Pool counters where the driver exposes them. */
  readonly pool?: { readonly total: number; readonly idle: number; readonly waiting: number }
}

/** A row keyed by column alias, as `execute` returns it by default. */
export type ObjectRow = Record<string, unknown>
/** A row as an array of its column values in SELECT-list order (`rows: 'arrays'`). */
export type ArrayRow = readonly unknown[]

/**
 * What a connector implements: one `execute`, one `stream`, `healthCheck`, `close`, and what it is
 * (`dialect`, `id`). This is the shape `defineConnector` takes; a connector answers object rows, and
 * may say in `rowForms` that it answers arrays or maps rows as they arrive (the built-in connectors do,
 * which keeps large results cheap: ADR 6, 8, 13). The layer asks only for what `rowForms` lists.
 */
export interface ConnectorDefinition {
  /**
   * The SQL dialect the layer renders for: a built-in connector's (`sqlite(...).dialect`). Every SQL
   * connector has one; a connector with a `backend` instead (MongoDB) has none.
   */
  readonly dialect?: SqlDialect
  /**
   * For engines that do not run SQL: the printer that turns query plans into this connector's statements
   * (the MongoDB connector's prints aggregation pipelines). Absent: SQL in `dialect`.
   */
  readonly backend?: Backend
  /**
   * What data this connector reads, for result-cache keys: two connectors with the same `id` must return
   * the same rows for the same statement, and connectors over different databases must have different
   * ones, so layers sharing a cache (one `memoryCache()`, one Redis prefix) never serve each other's
   * results. The built-in connectors derive it from their connection target (never the password) unless
   * given one. A connector without it cannot use a cache passed to `createSemanticLayer` (CONFIG_INVALID).
   */
  readonly id?: string
  /**
   * Row forms `execute` answers besides objects: `'arrays'` (honours `rows: 'arrays'`) and `'mapped'`
   * (honours `map`). Default none: the layer then reads object rows and shapes them by column alias.
   */
  readonly rowForms?: readonly RowCapability[]
  /**
   * Run one statement. Resolves to its rows: objects keyed by column alias, arrays (`rows: 'arrays'`), or
   * what `map` returned for each row. Rejects with CONNECTOR_FAILED (driver error as `cause`, no
   * parameter values in the message), QUERY_TIMEOUT or QUERY_CANCELLED.
   */
  execute(statement: Statement, options?: ExecuteOptions): Promise<readonly unknown[]>
  /** Run one statement and yield its rows as objects, with bounded memory (cursor / stream / iterate). */
  stream(statement: Statement, options?: StatementOptions): AsyncIterable<ObjectRow>
  /**
   * Optional: a digest of the data the named tables hold now (`tables`: the `sql_table` of each cube a
   * query reads; undefined when a cube is defined by SQL, meaning every table). When present, the layer
   * adds it to the query's result-cache key, so a cached result is served only for the data it was
   * computed on: `files()` changes it when a reload swaps new data in (ADR 12). Must be cheap.
   */
  dataVersion?(tables: readonly string[] | undefined): string
  /** Check that the source answers (e.g. `SELECT 1`). Never throws. */
  healthCheck(): Promise<HealthReport>
  /** Release what the connector opened (and nothing the host handed it). */
  close(): Promise<void>
}

/**
 * One data source, as `createSemanticLayer` takes it: made by a built-in factory (`sqlite()`,
 * `postgres()`, `mysql()`, `files()`) or by `defineConnector`. `execute` is typed by the row form asked
 * for.
 *
 * @example
 * const rows = await connector.execute({ kind: 'sql', sql: 'SELECT 1 AS one', params: [] })
 * const arrays = await connector.execute({ kind: 'sql', sql: 'SELECT 1', params: [] }, { rows: 'arrays' })
 */
export interface Connector extends ConnectorDefinition {
  execute(
    statement: Statement,
    options?: StatementOptions & { readonly rows?: 'objects' },
  ): Promise<readonly ObjectRow[]>
  execute(statement: Statement, options: StatementOptions & { readonly rows: 'arrays' }): Promise<readonly ArrayRow[]>
  execute<T>(statement: Statement, options: MapOptions<T>): Promise<readonly T[]>
  execute(statement: Statement, options?: ExecuteOptions): Promise<readonly unknown[]>
}

/** A connector that runs SQL: the built-in SQL connectors (`sqlite()`, `postgres()`, `mysql()`, `files()`). */
export interface SqlConnector extends Connector {
  readonly dialect: SqlDialect
}

/** Options that hand each row to `map` (see {@link ExecuteOptions.map}). */
export type MapOptions<T> = StatementOptions & {
  readonly rows?: 'objects' | 'arrays'
  readonly map: (row: ArrayRow) => T
}

/**
 * A SQL connector's dialect. UNSUPPORTED for a connector that runs another kind of statement (MongoDB):
 * `what` says what needed SQL (introspection, drift checks, `layer.sql` for another dialect).
 */
export function sqlDialectOf(connector: ConnectorDefinition, what: string): SqlDialect {
  if (connector.dialect) return connector.dialect
  const message = `${what} needs a SQL source; this connector runs ${connector.backend?.name ?? 'another kind of'} statements.`
  throw new SemanticLayerError('UNSUPPORTED', [{ code: 'NOT_SQL', path: ['connector'], message }])
}

/** A SQL statement from its text and bound parameters. */
export function sqlStatement(sql: string, params: readonly unknown[] = []): SqlStatement {
  return { kind: 'sql', sql, params }
}

/**
 * The SQL of a statement for a SQL connector; any other kind is UNSUPPORTED (a statement rendered for a
 * backend this connector is not).
 */
export function sqlOf(statement: Statement, engine: string): SqlStatement {
  const kind = (statement as { kind?: unknown } | null)?.kind
  const sql = statement as SqlStatement
  if (kind === 'sql' && typeof sql.sql === 'string' && Array.isArray(sql.params)) return sql
  const message =
    `The ${engine} connector runs SQL statements ({ kind: 'sql', sql, params }); it was given ` +
    `${typeof kind === 'string' ? `a statement of kind ${describeName(kind)}` : 'something else'}.`
  throw new SemanticLayerError('UNSUPPORTED', [{ code: 'UNSUPPORTED_STATEMENT', path: ['statement'], message }])
}

const BRAND = Symbol.for('cortex-semantic.Connector')

/** What branding returns: the connector's own extras, with the typed {@link Connector} members. */
export type Branded<T extends ConnectorDefinition> = Omit<T, keyof ConnectorDefinition> &
  (T extends { readonly dialect: SqlDialect } ? SqlConnector : Connector)

/** Mark an object as a connector (brand checks survive ESM/CJS duplication). */
export function brandConnector<T extends ConnectorDefinition>(connector: T): Branded<T> {
  Object.defineProperty(connector, BRAND, { value: true })
  return connector as unknown as Branded<T>
}

const REQUIRED_METHODS = ['execute', 'stream', 'healthCheck', 'close'] as const
const ROW_CAPABILITIES: readonly unknown[] = ['arrays', 'mapped'] satisfies RowCapability[]
/** Methods of the connector contract before 0.2 (CHANGELOG, "Changed"): refused with a migration note. */
const LEGACY_METHODS = ['executeArrays', 'executeMapped'] as const
const MIGRATION =
  'Connectors now have one execute(statement, options) with statement = { kind: "sql", sql, params }: ' +
  "options.rows === 'arrays' replaces executeArrays and options.map replaces executeMapped; list what " +
  "execute answers in rowForms (['arrays', 'mapped']). See CHANGELOG.md and docs/connectors.md."

/**
 * Make a connector of your own usable by `createSemanticLayer`: checks its shape (the methods of
 * {@link ConnectorDefinition} and a SQL dialect, usually a built-in connector's `dialect`) and brands it.
 * Only `execute` answering object rows is required; `rowForms` says what else it answers.
 *
 * @throws SemanticLayerError CONFIG_INVALID listing every missing or wrongly typed member.
 * @example
 * const inner = postgres({ connection: process.env.DATABASE_URL })
 * const logged = defineConnector({
 *   ...inner,
 *   execute: (statement, options) => (log(statement.sql), inner.execute(statement, options)),
 * })
 */
export function defineConnector<T extends ConnectorDefinition>(connector: T): Branded<T> {
  const issues: { code: string; path: (string | number)[]; message: string }[] = []
  const bad = (path: (string | number)[], message: string, code = 'INVALID_CONNECTOR'): number =>
    issues.push({ code, path, message })
  const c = connector as unknown as Record<string, unknown> | null
  if (typeof c !== 'object' || c === null || Array.isArray(c)) {
    bad([], 'defineConnector() takes an object with dialect, execute, stream, healthCheck and close.')
  } else {
    try {
      for (const m of REQUIRED_METHODS) {
        if (typeof c[m] !== 'function') bad([m], `A connector needs ${m}() (a function).`)
      }
      for (const m of LEGACY_METHODS) {
        if (c[m] !== undefined) bad([m], `${m} is no longer part of a connector. ${MIGRATION}`, 'LEGACY_CONNECTOR')
      }
      const forms = c.rowForms
      if (forms !== undefined && (!Array.isArray(forms) || forms.some((f) => !ROW_CAPABILITIES.includes(f)))) {
        bad(['rowForms'], "rowForms, when given, must list some of 'arrays' and 'mapped'.")
      }
      if (c.dataVersion !== undefined && typeof c.dataVersion !== 'function') {
        bad(['dataVersion'], 'dataVersion, when given, must be a function.')
      }
      if (c.backend === undefined && !isSqlDialect(c.dialect)) {
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

/** Whether `connector` says it answers `form` (its `rowForms`). */
export function answers(connector: ConnectorDefinition, form: RowCapability): boolean {
  return connector.rowForms?.includes(form) === true
}

/**
 * The error `execute` rejects with when its `map` threw `error`: a SemanticLayerError (the layer's own,
 * e.g. ROW_WIDTH_MISMATCH) as it is; anything else (a bug in the caller's map) as CONNECTOR_FAILED /
 * ROW_MAP_FAILED, its message not copied (it may hold row values) and the error itself as `cause`.
 */
export function mapFailure(engine: string, error: unknown): SemanticLayerError {
  if (isSemanticLayerError(error)) return error
  const message =
    `The map function passed to the ${engine} connector's execute threw on a result row; ` +
    "the error is this error's cause."
  return new SemanticLayerError('CONNECTOR_FAILED', [{ code: 'ROW_MAP_FAILED', path: [], message }], { cause: error })
}

/**
 * `map` for a driver that returns all rows at once: each row is replaced by `map`'s result as soon as it
 * is mapped, so a collection during mapping finds only the rows not yet mapped alive, not every driver
 * row until the last is shaped (ADR 8). `rows` must be the driver's own, fresh array.
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
