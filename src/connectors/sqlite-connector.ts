import { requireDriver } from './load-driver.js'
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { LRUCache } from 'lru-cache'
import { isSemanticLayerError, SemanticLayerError } from '../errors.js'
import { readOptions, readingOptions, type OptionSpecs } from '../util/options.js'
import { sqliteDialect, SQLITE_TZ_FUNCTION } from '../sql/dialects/sqlite-dialect.js'
import { convertUtcToZonedText } from '../util/time-zone.js'
import { cancelledError } from './cancellation.js'
import {
  brandConnector,
  mapInPlace,
  sqlOf,
  type SqlConnector,
  type ExecuteOptions,
  type Statement,
  type StatementOptions,
} from './connector.js'
import { givenId, sqliteIdentity } from './connector-identity.js'

/** The slice of better-sqlite3's Database that Cortex uses (typed structurally: no import of the driver). */
export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement
  function(
    name: string,
    options: { deterministic?: boolean; varargs?: boolean },
    fn: (...args: unknown[]) => unknown,
  ): unknown
  close(): unknown
  readonly open: boolean
  /** The file it was opened on (better-sqlite3 sets it): the connector's default `id`. */
  readonly name?: string
  /** True for an in-memory or temporary database. */
  readonly memory?: boolean
}

/** The slice of better-sqlite3's Statement that Cortex uses. */
export interface SqliteStatement {
  all(...params: unknown[]): unknown[]
  run(...params: unknown[]): unknown
  iterate(...params: unknown[]): IterableIterator<unknown>
  /** Rows as arrays of column values (true) or objects keyed by column name (false, the default). */
  raw(toggle?: boolean): SqliteStatement
  readonly reader: boolean
}

/** Options of every sqlite() connector, whichever way it gets its database. */
export interface SqliteCommonOptions {
  /**
   * Names the database for result-cache keys (see Connector.id). Default: `sqlite:file:` and the file's
   * absolute path; an in-memory database gets an id of its own, so it shares no cache entry with any other.
   */
  readonly id?: string
  /**
   * Prepared statements kept for reuse, keyed by SQL text: at most `maxEntries` (default 500) and
   * `maxBytes` estimated (default 64 MiB). A prepared statement lives in SQLite's native memory, about
   * 64 bytes per character of SQL (a 10 000-value IN list: ~1.7 MB), so it is counted at that rate.
   */
  readonly statementCache?: { readonly maxEntries?: number; readonly maxBytes?: number }
}

export type SqliteOptions = (
  | {
      /** The database file (relative to the current directory), or `':memory:'` / `''` for a private temporary one. */
      readonly filename: string
      /** Open the file read-only. Default false. */
      readonly readonly?: boolean
      /** Create an empty database when the file does not exist. Default false: a missing file is an error. */
      readonly create?: boolean
      /** How long a statement waits for a lock held by another connection (better-sqlite3's `timeout`). Default 5000. */
      readonly timeoutMs?: number
    }
  | { readonly database: SqliteDatabase }
) &
  SqliteCommonOptions

/**
 * A connector for SQLite through better-sqlite3 (install it: `npm install better-sqlite3`). The file is
 * opened on first use; a file that does not exist is an error naming it (`SQLITE_FILE_NOT_FOUND`) unless
 * `create: true`.
 *
 * @example
 * import { sqlite } from 'cortex-semantic/sqlite'
 * createSemanticLayer({ model, connectors: { default: sqlite({ filename: 'analytics.db', readonly: true }) } })
 */
export function sqlite(given: SqliteOptions): SqlConnector {
  return readingOptions('sqlite options', () => createSqlite(given))
}

function createSqlite(given: SqliteOptions): SqlConnector {
  const options = sqliteOptions(given)
  if (!('database' in options)) checkFileOptions(options)
  let db: SqliteDatabase | undefined
  const owned = !('database' in options)
  const handle = 'database' in options ? options.database : undefined
  const file = handle ? (handle.memory === true ? undefined : handle.name) : (options as { filename: string }).filename
  const id = givenId(options.id, 'sqlite') ?? sqliteIdentity(file, randomUUID)
  // Prepared statements by SQL, one per row form: raw() switches a statement's form and cannot be called
  // while the statement is being iterated by a stream.
  const statements = statementCache(options.statementCache)

  const open = (): SqliteDatabase => {
    if (db) return db
    db = 'database' in options ? options.database : openFile(options, loadDriver())
    // DST-correct named time zones: SQLite has none, so convert in JS (cached per zone and 15 minutes).
    db.function(SQLITE_TZ_FUNCTION, { deterministic: true }, (value: unknown, tz: unknown) =>
      typeof tz === 'string' ? convertUtcToZonedText(value, tz) : null,
    )
    return db
  }

  const prepared = (sql: string, arrays = false): SqliteStatement => {
    const database = open()
    const form = arrays ? 'arrays' : 'objects'
    const cached = statements.get(sql)
    let stmt = cached?.[form]
    if (!stmt) {
      stmt = arrays ? database.prepare(sql).raw(true) : database.prepare(sql)
      // Set again, with the new form: lru-cache sizes an entry when it is set.
      statements.delete(sql)
      statements.set(sql, { ...cached, [form]: stmt })
    }
    return stmt
  }
  /** Every row of one statement, as objects or as arrays; honours an aborted signal before it starts. */
  const all = (
    sql: string,
    params: readonly unknown[],
    execOptions: StatementOptions | undefined,
    arrays: boolean,
  ): unknown[] => {
    if (execOptions?.signal?.aborted) throw cancelledError(execOptions.signal.reason)
    try {
      const stmt = prepared(sql, arrays)
      // A statement that returns no rows (DDL: pre-aggregation builds) runs when asked for objects (none come
      // back); asked for arrays it fails above (raw() refuses it), as before.
      if (!stmt.reader) {
        stmt.run(...params)
        return []
      }
      return stmt.all(...params)
    } catch (error) {
      throw failed(error)
    }
  }
  /**
   * better-sqlite3 builds every row (an array, with `raw()`) in one native call; with `map` they are
   * shaped in place (see mapInPlace).
   */
  const execute = async (statement: Statement, execOptions?: ExecuteOptions): Promise<unknown[]> => {
    const { sql, params } = sqlOf(statement, 'SQLite')
    const map = execOptions?.map
    if (map) return mapInPlace('SQLite', all(sql, params, execOptions, true), map)
    return all(sql, params, execOptions, execOptions?.rows === 'arrays')
  }
  // Opening the file (or loading the driver) fails with its own coded error, which passes through.
  const failed = (error: unknown): SemanticLayerError =>
    isSemanticLayerError(error)
      ? error
      : new SemanticLayerError(
          'CONNECTOR_FAILED',
          [
            {
              code: 'SQLITE_ERROR',
              path: [],
              message: `SQLite failed to run the query: ${describeSqliteError(error)}`,
            },
          ],
          { cause: error },
        )

  // better-sqlite3 runs statements synchronously on the calling thread: a statement cannot be
  // interrupted once started, so signals and timeouts are honoured before it starts (and between
  // streamed rows).
  return brandConnector({
    id,
    dialect: sqliteDialect,
    rowForms: ['arrays', 'mapped'],
    execute,
    async *stream(statement: Statement, execOptions?: StatementOptions) {
      const { sql, params } = sqlOf(statement, 'SQLite')
      let iterator: IterableIterator<unknown>
      try {
        iterator = prepared(sql).iterate(...params)
      } catch (error) {
        throw failed(error)
      }
      try {
        for (;;) {
          if (execOptions?.signal?.aborted) throw cancelledError(execOptions.signal.reason)
          let next: IteratorResult<unknown>
          try {
            next = iterator.next()
          } catch (error) {
            throw failed(error)
          }
          if (next.done) return
          yield next.value as Record<string, unknown>
        }
      } finally {
        iterator.return?.()
      }
    },
    async healthCheck() {
      const started = performance.now()
      try {
        prepared('SELECT 1 AS ok').all()
        return { ok: true, latencyMs: performance.now() - started }
      } catch (error) {
        const message = isSemanticLayerError(error)
          ? (error.issues[0]?.message ?? error.message)
          : describeSqliteError(error)
        return { ok: false, latencyMs: performance.now() - started, error: message }
      }
    },
    async close() {
      statements.clear()
      if (db && owned && db.open) db.close()
      db = undefined
    },
  })
}

type CachedStatements = { readonly objects?: SqliteStatement; readonly arrays?: SqliteStatement }

/** Measured: 58–66 bytes of native memory per character of SQL, about 4.7 KB for a short statement. */
const statementBytes = (sql: string): number => 4_096 + 64 * sql.length

function statementCache(options: SqliteOptions['statementCache']): LRUCache<string, CachedStatements> {
  const maxEntries = options?.maxEntries ?? 500
  const maxBytes = options?.maxBytes ?? 64 * 2 ** 20
  for (const [name, v] of [
    ['maxEntries', maxEntries],
    ['maxBytes', maxBytes],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 1) {
      const message = `sqlite({ statementCache: { ${name} } }) must be a positive integer.`
      const issue = { code: 'INVALID_OPTION', path: ['statementCache', name], message }
      throw new SemanticLayerError('CONFIG_INVALID', [issue])
    }
  }
  return new LRUCache<string, CachedStatements>({
    max: maxEntries,
    maxSize: maxBytes,
    // A statement larger than an eighth of the budget is prepared on every call instead of evicting the rest.
    maxEntrySize: Math.max(1, Math.floor(maxBytes / 8)),
    sizeCalculation: (entry, sql) => ((entry.objects ? 1 : 0) + (entry.arrays ? 1 : 0)) * statementBytes(sql) || 1,
  })
}

type FileOptions = Exclude<SqliteOptions, { readonly database: SqliteDatabase }>

function checkFileOptions(options: FileOptions): void {
  const issues: { code: string; path: string[]; message: string }[] = []
  const bad = (key: string, message: string): number => issues.push({ code: 'INVALID_OPTION', path: [key], message })
  if (typeof options.filename !== 'string')
    bad('filename', "sqlite() needs filename: a path to the database file, or ':memory:'.")
  for (const key of ['readonly', 'create'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') bad(key, `${key} must be true or false.`)
  }
  if (options.create === true && options.readonly === true)
    bad('create', 'create: true cannot create a database opened readonly: true. Drop one of them.')
  const t = options.timeoutMs
  if (t !== undefined && (typeof t !== 'number' || !Number.isFinite(t) || t < 0))
    bad('timeoutMs', 'timeoutMs must be a non-negative number of milliseconds.')
  if (issues.length) throw new SemanticLayerError('CONFIG_INVALID', issues)
}

/**
 * Open the file, which must exist unless `create` is set (better-sqlite3 would otherwise create an empty
 * database, and the first query would fail with "no such table" far from the typo in the path).
 */
function openFile(options: FileOptions, Database: DatabaseConstructor): SqliteDatabase {
  const { filename } = options
  const temporary = filename === ':memory:' || filename === ''
  const mustExist = !temporary && options.create !== true
  const where = temporary ? filename : resolve(filename)
  const notFound = (cause?: unknown): SemanticLayerError =>
    fileError(
      'SQLITE_FILE_NOT_FOUND',
      `No SQLite database at ${where}. Check the path (a relative filename is resolved against the current directory), or pass create: true to create an empty database there.`,
      cause,
    )
  if (mustExist && !existsSync(where)) throw notFound()
  try {
    return new Database(filename, {
      readonly: options.readonly ?? false,
      fileMustExist: mustExist,
      timeout: options.timeoutMs ?? 5000,
    })
  } catch (error) {
    if (mustExist && !existsSync(where)) throw notFound(error)
    throw fileError(
      'SQLITE_OPEN_FAILED',
      `Could not open the SQLite database ${where}: ${describeSqliteError(error)}`,
      error,
    )
  }
}

function fileError(code: string, message: string, cause?: unknown): SemanticLayerError {
  return new SemanticLayerError(
    'CONNECTOR_FAILED',
    [{ code, path: ['filename'], message }],
    cause === undefined ? undefined : { cause },
  )
}

/** The driver's own message names the problem (no such column, syntax); it never contains bound values. */
function describeSqliteError(error: unknown): string {
  const code = (error as { code?: unknown }).code
  const message = error instanceof Error ? error.message : String(error)
  return `${typeof code === 'string' ? `${code}: ` : ''}${message.slice(0, 300)}`
}

type DatabaseConstructor = new (filename: string, options: Record<string, unknown>) => SqliteDatabase

function loadDriver(): DatabaseConstructor {
  return requireDriver('better-sqlite3', 'The SQLite connector needs better-sqlite3')
}

const SQLITE_OPTIONS: OptionSpecs<SqliteOptions> = {
  filename: 'any',
  readonly: 'any',
  create: 'any',
  timeoutMs: 'any',
  database: 'object',
  id: 'any',
  statementCache: 'any',
}

/**
 * The options read once (unknown keys refused with the closest name), with exactly one of filename or
 * database (a better-sqlite3 Database); the file options are checked by checkFileOptions.
 */
function sqliteOptions(given: unknown): SqliteOptions {
  const o: Partial<Record<string, unknown>> = readOptions<SqliteOptions>(given, SQLITE_OPTIONS, {
    what: 'sqlite options',
  })
  const database = o.database as { prepare?: unknown } | undefined
  if ((o.filename === undefined) === (database === undefined)) {
    const message =
      "sqlite() needs exactly one of filename (a path, or ':memory:') or database (a better-sqlite3" + ' Database).'
    throw new SemanticLayerError('CONFIG_INVALID', [{ code: 'INVALID_OPTION', path: [], message }])
  }
  if (database !== undefined && typeof database.prepare !== 'function') {
    const message = 'database must be a better-sqlite3 Database.'
    throw new SemanticLayerError('CONFIG_INVALID', [{ code: 'INVALID_OPTION', path: ['database'], message }])
  }
  return o as unknown as SqliteOptions
}
