import { requireDriver } from './load-driver.js'
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import { isSemanticLayerError, SemanticLayerError } from '../errors.js'
import { duckdbDialect } from '../sql/dialects/duckdb-dialect.js'
import { readOptions, readingOptions, type OptionSpecs } from '../util/options.js'
import { cancelledError, runCancellable } from './cancellation.js'
import {
  brandConnector,
  mapFailure,
  sqlOf,
  type ArrayRow,
  type SqlConnector,
  type ExecuteOptions,
  type Statement,
  type StatementOptions,
} from './connector.js'
import { givenId } from './connector-identity.js'
import { duckdbValue, toDuckDBParams, type DuckDBTypeLike } from './duckdb-values.js'

/** The slice of @duckdb/node-api's DuckDBInstance that Cortex uses (typed structurally: no import of the driver). */
export interface DuckDBInstanceLike {
  connect(): Promise<DuckDBConnectionLike>
  closeSync?(): void
}

/** The slice of @duckdb/node-api's DuckDBConnection that Cortex uses. */
export interface DuckDBConnectionLike {
  /** Prepares one statement (DuckDB refuses several in one text). */
  prepare(sql: string): Promise<DuckDBPreparedLike>
  /** Stops the statement running on this connection (DuckDB's interrupt). */
  interrupt(): void
  closeSync?(): void
  disconnectSync?(): void
}

/** The slice of @duckdb/node-api's DuckDBPreparedStatement that Cortex uses. */
export interface DuckDBPreparedLike {
  /** Binds `$1`, `$2`, ... (typed `never`: the driver's own value type is not imported; see toDuckDBParams). */
  bind(values: never): void
  /** Starts the statement; its result is read chunk by chunk. */
  stream(): Promise<DuckDBResultLike>
  destroySync(): void
}

/** The slice of @duckdb/node-api's DuckDBResult that Cortex uses. */
export interface DuckDBResultLike {
  columnNames(): string[]
  yieldConvertedRows<T>(
    converter: (value: unknown, type: DuckDBTypeLike, converter: unknown) => T | null,
  ): AsyncIterable<(T | null)[][]>
}

/** Options of every duckdb() connector, whichever way it gets its database. */
export interface DuckDBCommonOptions {
  /**
   * Names the database for result-cache keys (see Connector.id). Default: `duckdb:file:` and the file's
   * absolute path; an in-memory database, or an instance or connection handed over, gets an id of its own.
   */
  readonly id?: string
  /** Connections the connector opens on the instance and runs statements on at once. Default 4. */
  readonly maxConnections?: number
}

export type DuckDBOptions = (
  | {
      /** The database file (relative to the current directory), or `':memory:'` for a private in-memory one. */
      readonly path: string
      /**
       * Open the file read-only. Default false. DuckDB lets one process at a time open a file, read-only too;
       * a missing file is an error unless `create: true`.
       */
      readonly readOnly?: boolean
      /** Create an empty database when the file does not exist. Default false: a missing file is an error. */
      readonly create?: boolean
    }
  /** A DuckDBInstance the host opened: the connector opens its own connections on it and never closes it. */
  | { readonly instance: DuckDBInstanceLike }
  /**
   * A DuckDBConnection the host opened: statements run on it one at a time; it is never closed, and its
   * session settings are left as they are (see docs/duckdb.md, "Time zones").
   */
  | { readonly connection: DuckDBConnectionLike }
) &
  DuckDBCommonOptions

/**
 * A connector for DuckDB through @duckdb/node-api (install it: `npm install @duckdb/node-api@1.5.6-r.1`).
 * The database opens on first use; each connection it opens gets `TimeZone = 'UTC'`, so nothing depends
 * on the host's time zone. Statements stop on the server (DuckDB's interrupt) on `signal` or `timeoutMs`.
 *
 * @example
 * import { duckdb } from 'cortex-semantic/duckdb'
 * createSemanticLayer({ model, connectors: { default: duckdb({ path: 'analytics.duckdb', readOnly: true }) } })
 */
export function duckdb(given: DuckDBOptions): SqlConnector {
  return readingOptions('duckdb options', () => createDuckDB(given))
}

interface Lease {
  readonly connection: DuckDBConnectionLike
  release(): void
}

function createDuckDB(given: DuckDBOptions): SqlConnector {
  const options = duckdbOptions(given)
  const id = givenId(options.id, 'duckdb') ?? duckdbIdentity(options)
  const max = 'connection' in options ? 1 : (options.maxConnections ?? 4)
  let instance: Promise<DuckDBInstanceLike> | undefined
  let closed = false
  const idle: DuckDBConnectionLike[] = []
  const opened: DuckDBConnectionLike[] = []
  const waiting: ((c: DuckDBConnectionLike | undefined) => void)[] = []
  let total = 0

  const getInstance = (): Promise<DuckDBInstanceLike> => {
    instance ??= 'instance' in options ? Promise.resolve(options.instance) : openFile(options as FileOptions)
    instance.catch(() => (instance = undefined))
    return instance
  }
  const newConnection = async (): Promise<DuckDBConnectionLike> => {
    if ('connection' in options) return options.connection
    const connection = await (await getInstance()).connect()
    // The session zone follows the host's by default; a connection of ours never depends on it.
    await drain(await startStatement(connection, "SET TimeZone = 'UTC'", []))
    opened.push(connection)
    return connection
  }
  /** A connection of the pool: an idle one, a new one while fewer than `max` exist, else the next released. */
  const acquire = async (): Promise<Lease> => {
    if (closed) throw closedError()
    let connection = idle.pop()
    if (!connection && total < max) {
      total++
      try {
        connection = await newConnection()
      } catch (error) {
        total--
        throw failed(error)
      }
    }
    connection ??= await new Promise<DuckDBConnectionLike | undefined>((r) => waiting.push(r))
    if (!connection) throw closedError()
    return lease(connection)
  }
  const lease = (connection: DuckDBConnectionLike): Lease => {
    let done = false
    return {
      connection,
      release() {
        if (done) return
        done = true
        const next = waiting.shift()
        if (next) next(connection)
        else idle.push(connection)
      },
    }
  }

  /** Runs one statement on a leased connection, stopping it (interrupt) on signal or timeout. */
  const run = async <T>(
    statement: Statement,
    execOptions: StatementOptions | undefined,
    read: (result: DuckDBResultLike, stopper: Stopper) => Promise<T>,
  ): Promise<T> => {
    const { sql, params } = sqlOf(statement, 'DuckDB')
    if (execOptions?.signal?.aborted) throw cancelledError(execOptions.signal.reason)
    const leased = await acquire()
    const stopper = interrupter(leased.connection)
    try {
      return await runCancellable(
        execOptions,
        async () => {
          try {
            return await read(await startStatement(leased.connection, sql, params, stopper), stopper)
          } catch (error) {
            throw failed(error)
          }
        },
        async () => stopper.stop(),
      )
    } finally {
      stopper.done()
      leased.release()
    }
  }

  const execute = async (statement: Statement, execOptions?: ExecuteOptions): Promise<unknown[]> => {
    const map = execOptions?.map
    const arrays = map !== undefined || execOptions?.rows === 'arrays'
    return run(statement, execOptions, async (result, stopper) => {
      const names = arrays ? [] : result.columnNames()
      const out: unknown[] = []
      let mapError: unknown
      for await (const chunk of result.yieldConvertedRows(duckdbValue)) {
        stopper.check()
        if (mapError !== undefined) continue // read to the end: the connection stays usable
        for (const row of chunk) {
          if (map) {
            try {
              out.push(map(row as ArrayRow))
            } catch (error) {
              mapError = mapFailure('DuckDB', error)
              break
            }
          } else out.push(arrays ? row : objectOf(names, row))
        }
      }
      if (mapError !== undefined) throw mapError
      return out
    })
  }

  const failed = (error: unknown): SemanticLayerError =>
    isSemanticLayerError(error)
      ? error
      : new SemanticLayerError(
          'CONNECTOR_FAILED',
          [
            {
              code: 'DUCKDB_ERROR',
              path: [],
              message: `DuckDB failed to run the query: ${describeDuckDBError(error)}`,
            },
          ],
          { cause: error },
        )

  return brandConnector({
    id,
    dialect: duckdbDialect,
    rowForms: ['arrays', 'mapped'],
    execute,
    async *stream(statement: Statement, execOptions?: StatementOptions) {
      const { sql, params } = sqlOf(statement, 'DuckDB')
      const signal = execOptions?.signal
      if (signal?.aborted) throw cancelledError(signal.reason)
      const leased = await acquire()
      const stopper = interrupter(leased.connection)
      const onAbort = (): void => stopper.stop()
      signal?.addEventListener('abort', onAbort, { once: true })
      try {
        let result: DuckDBResultLike
        try {
          result = await startStatement(leased.connection, sql, params, stopper)
        } catch (error) {
          throw signal?.aborted ? cancelledError(signal.reason, error) : failed(error)
        }
        const names = result.columnNames()
        const chunks = result.yieldConvertedRows(duckdbValue)[Symbol.asyncIterator]()
        for (;;) {
          let next: IteratorResult<unknown[][]>
          try {
            next = await chunks.next()
          } catch (error) {
            throw signal?.aborted ? cancelledError(signal.reason, error) : failed(error)
          }
          if (next.done) return
          for (const row of next.value) {
            if (signal?.aborted) throw cancelledError(signal.reason)
            yield objectOf(names, row)
          }
        }
      } finally {
        signal?.removeEventListener('abort', onAbort)
        stopper.done()
        leased.release()
      }
    },
    async healthCheck() {
      const started = performance.now()
      try {
        await execute({ kind: 'sql', sql: 'SELECT 1 AS ok', params: [] })
        return { ok: true, latencyMs: performance.now() - started }
      } catch (error) {
        const message = isSemanticLayerError(error)
          ? (error.issues[0]?.message ?? error.message)
          : describeDuckDBError(error)
        return { ok: false, latencyMs: performance.now() - started, error: message }
      }
    },
    async close() {
      if (closed) return
      closed = true
      for (const waiter of waiting.splice(0)) waiter(undefined)
      for (const connection of opened.splice(0)) {
        if (connection.closeSync) connection.closeSync()
        else connection.disconnectSync?.()
      }
      idle.length = 0
      if (!('instance' in options) && !('connection' in options) && instance) {
        const owned = await instance.catch(() => undefined)
        owned?.closeSync?.()
      }
      instance = undefined
    },
  })
}

/** Stops the statement running on one connection, and says whether it was asked to. */
interface Stopper {
  stop(): void
  /** Throws once `stop` was called (between chunks, and before a statement starts). */
  check(): void
  /** The statement settled: no more interrupts. */
  done(): void
}

/**
 * DuckDB's interrupt stops the statement running on the connection at that moment; one sent while the
 * statement is still being prepared or started is lost. So a stop is also checked before starting and
 * between chunks, and the interrupt is repeated every 10 ms until the statement settles.
 */
function interrupter(connection: DuckDBConnectionLike): Stopper {
  let stopped = false
  let timer: ReturnType<typeof setInterval> | undefined
  return {
    stop() {
      if (stopped) return
      stopped = true
      connection.interrupt()
      timer = setInterval(() => connection.interrupt(), 10)
      timer.unref?.()
    },
    check() {
      if (stopped) throw new Error('Interrupted by Cortex (cancelled or timed out)')
    },
    done() {
      if (timer) clearInterval(timer)
      timer = undefined
    },
  }
}

/** Prepare, bind and start one statement; the prepared statement is freed once its result exists. */
async function startStatement(
  connection: DuckDBConnectionLike,
  sql: string,
  params: readonly unknown[],
  stopper?: Stopper,
): Promise<DuckDBResultLike> {
  const prepared = await connection.prepare(sql)
  try {
    stopper?.check()
    if (params.length > 0) prepared.bind(toDuckDBParams(params) as never)
    return await prepared.stream()
  } finally {
    prepared.destroySync()
  }
}

function objectOf(names: readonly string[], row: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (let i = 0; i < names.length; i++) out[names[i]!] = row[i]
  return out
}

async function drain(result: DuckDBResultLike): Promise<void> {
  for await (const _ of result.yieldConvertedRows(duckdbValue)) {
    // nothing to read: a SET answers no rows
  }
}

function closedError(): SemanticLayerError {
  const message = 'The DuckDB connector was closed. Create a new one (or a new layer) to run queries.'
  return new SemanticLayerError('CONNECTOR_FAILED', [{ code: 'CLOSED', path: [], message }])
}

type FileOptions = Extract<DuckDBOptions, { readonly path: string }>

function duckdbIdentity(options: DuckDBOptions): string {
  if ('path' in options && options.path !== ':memory:' && options.path !== '') {
    return `duckdb:file:${isAbsolute(options.path) ? options.path : resolve(options.path)}`
  }
  return `duckdb:memory:${randomUUID()}`
}

/**
 * Open the file, which must exist unless `create` is set (DuckDB would otherwise create an empty
 * database, and the first query would fail with "table does not exist" far from the typo in the path).
 */
async function openFile(options: FileOptions): Promise<DuckDBInstanceLike> {
  const driver = loadDriver()
  const { path } = options
  const memory = path === ':memory:' || path === ''
  const where = memory ? ':memory:' : resolve(path)
  if (!memory && options.create !== true && !existsSync(where)) {
    throw fileError(
      'DUCKDB_FILE_NOT_FOUND',
      `No DuckDB database at ${where}. Check the path (a relative path is resolved against the current directory), or pass create: true to create an empty database there.`,
    )
  }
  try {
    const config: Record<string, string> = {}
    if (options.readOnly === true) config.access_mode = 'READ_ONLY'
    return await driver.DuckDBInstance.create(memory ? ':memory:' : where, config)
  } catch (error) {
    throw fileError(
      'DUCKDB_OPEN_FAILED',
      `Could not open the DuckDB database ${where}: ${describeDuckDBError(error)} (DuckDB lets one process at a time open a file, read-only too.)`,
      error,
    )
  }
}

function fileError(code: string, message: string, cause?: unknown): SemanticLayerError {
  return new SemanticLayerError(
    'CONNECTOR_FAILED',
    [{ code, path: ['path'], message }],
    cause === undefined ? undefined : { cause },
  )
}

/**
 * DuckDB's message without what may hold values: the statement excerpt after "LINE n:" is cut and every
 * single-quoted part (a literal, or a value a conversion failed on) is masked. Double-quoted names stay.
 */
export function describeDuckDBError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  const line = message.search(/\nLINE \d/)
  const head = line < 0 ? message : message.slice(0, line)
  return head
    .replace(/'(?:[^']|'')*'/g, "'…'")
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300)
}

interface DuckDBDriver {
  DuckDBInstance: { create(path: string, config?: Record<string, string>): Promise<DuckDBInstanceLike> }
}

/** @duckdb/node-api, loaded only when a connector opens a database of its own. */
export function loadDriver(): DuckDBDriver {
  return requireDriver(
    '@duckdb/node-api',
    'The DuckDB connector needs @duckdb/node-api',
    'npm install --save-exact @duckdb/node-api@1.5.6-r.1',
  )
}

const DUCKDB_OPTIONS: OptionSpecs<DuckDBOptions> = {
  path: 'any',
  readOnly: 'any',
  create: 'any',
  instance: 'object',
  connection: 'object',
  id: 'any',
  maxConnections: 'any',
}

/** The options read once (unknown keys refused with the closest name), with exactly one way to the database. */
function duckdbOptions(given: unknown): DuckDBOptions {
  const o: Partial<Record<string, unknown>> = readOptions<DuckDBOptions>(given, DUCKDB_OPTIONS, {
    what: 'duckdb options',
  })
  const issues: { code: string; path: string[]; message: string }[] = []
  const bad = (path: string[], message: string): number => issues.push({ code: 'INVALID_OPTION', path, message })
  const ways = ['path', 'instance', 'connection'].filter((k) => o[k] !== undefined)
  if (ways.length !== 1) {
    bad(
      [],
      "duckdb() needs exactly one of path (a file, or ':memory:'), instance (a DuckDBInstance) or connection " +
        '(a DuckDBConnection).',
    )
  }
  if (o.path !== undefined && typeof o.path !== 'string') bad(['path'], "path must be a file path or ':memory:'.")
  if (o.instance !== undefined && typeof (o.instance as { connect?: unknown }).connect !== 'function')
    bad(['instance'], 'instance must be a DuckDBInstance from @duckdb/node-api.')
  if (o.connection !== undefined) {
    const c = o.connection as { prepare?: unknown; interrupt?: unknown }
    if (typeof c.prepare !== 'function' || typeof c.interrupt !== 'function')
      bad(['connection'], 'connection must be a DuckDBConnection from @duckdb/node-api.')
  }
  for (const key of ['readOnly', 'create'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'boolean') bad([key], `${key} must be true or false.`)
    if (o[key] !== undefined && o.path === undefined) bad([key], `${key} applies to path only.`)
  }
  if (o.create === true && o.readOnly === true)
    bad(['create'], 'create: true cannot create a database opened readOnly: true. Drop one of them.')
  const m = o.maxConnections
  if (m !== undefined && (!Number.isSafeInteger(m) || (m as number) < 1 || (m as number) > 64))
    bad(['maxConnections'], 'maxConnections must be an integer from 1 to 64.')
  if (issues.length) throw new SemanticLayerError('CONFIG_INVALID', issues)
  return o as unknown as DuckDBOptions
}
