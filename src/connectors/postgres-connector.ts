import { driverMissing, requireDriver } from './load-driver.js'
import { isSemanticLayerError, SemanticLayerError, type ErrorIssue } from '../errors.js'
import { readOptions, readingOptions, type OptionSpecs } from '../util/options.js'
import { postgresDialect } from '../sql/dialects/postgres-dialect.js'
import { cancelledError, connectWithRetry, runCancellable, timeoutError } from './cancellation.js'
import {
  brandConnector,
  mapFailure,
  mapInPlace,
  sqlOf,
  type SqlConnector,
  type ArrayRow,
  type ExecuteOptions,
  type HealthReport,
  type Statement,
  type StatementOptions,
} from './connector.js'
import { givenId, postgresIdentity } from './connector-identity.js'
import {
  beginSession,
  endSession,
  installedPgVersions,
  mappedQueryClass,
  pgFastPaths,
  prefixable,
  type PgFastPaths,
  type PgQueryConfig,
  type PgQueryConstructor,
  type PgQueryLike,
  type PgVersions,
  type TypeParsers,
} from './postgres-fast-paths.js'
import { sessionSettings, withSessionPrefix, type SubmittableClass } from './postgres-session.js'

// pg and pg-cursor are typed structurally (the few members Cortex uses) so that neither
// `cortex-semantic` nor `cortex-semantic/postgres` needs them installed to type-check.

/** pg's ClientConfig / PoolConfig (connectionString, host, port, user, password, database, ssl, application_name, ...). */
export interface PoolConfigLike {
  readonly connectionString?: string
  readonly host?: string
  readonly port?: number
  readonly user?: string
  readonly database?: string
  readonly application_name?: string
  readonly [option: string]: unknown
}

/** The slice of a pg `Client` Cortex uses. */
export interface PgClientLike {
  query(config: PgQueryConfig): Promise<{ rows: unknown[] }>
  /** Submit a pg `Query` object (the mapped rows' subclass); its handlers receive the rows, its events the end. */
  query(query: PgQueryLike): unknown
  /** The backend process id (set once connected); used for `pg_cancel_backend`. */
  readonly processID?: number | null
  on(event: 'error', listener: (error: Error) => void): unknown
  removeListener(event: 'error', listener: (error: Error) => void): unknown
}

/** A client checked out of a pg `Pool`. */
export interface PgPoolClientLike extends PgClientLike {
  release(error?: Error | boolean): void
}

/** The slice of a pg `Pool` Cortex uses (a host's `new pg.Pool(...)` fits). */
export interface PgPoolLike {
  connect(): Promise<PgPoolClientLike>
  /** pg-pool keeps its config here; Cortex reads it to open the short-lived cancel connection. */
  readonly options?: object
  readonly totalCount?: number
  readonly idleCount?: number
  readonly waitingCount?: number
}

/** The slice of a knex instance (client `pg`) Cortex uses: raw connections from its pool. */
export interface KnexLike {
  readonly client: {
    acquireConnection(): Promise<unknown>
    releaseConnection(connection: unknown): Promise<unknown>
    /** Newer knex resolves `connection` (which may be a function) through this. */
    getRuntimeConnectionSettings?(): unknown
    readonly connectionSettings?: unknown
    readonly driverName?: string
    readonly pool?: { numUsed?(): number; numFree?(): number; numPendingAcquires?(): number } | null
  }
}

export type PostgresOptions = {
  /** A connection URL or pg's PoolConfig. */
  connection?: string | PoolConfigLike
  /** Pool sizing for the pool Cortex creates (only with `connection`). */
  pool?: { min?: number; max?: number; idleTimeoutMs?: number; connectionTimeoutMs?: number }
  /** Use a pool the host already has (pg.Pool, typed structurally); Cortex never ends it. */
  existingPool?: PgPoolLike
  /** Use a knex instance the host already has (client 'pg'); Cortex never destroys it. */
  knex?: KnexLike
  /**
   * Schemas to resolve unqualified table names in (e.g. a schema per tenant). Each name is quoted as an
   * identifier. On a pool Cortex creates it is set once per connection; on an `existingPool` or `knex`
   * connection every statement carries it (transaction-local), so per-tenant connectors may share one
   * pool and the host's sessions keep their own search_path.
   */
  searchPath?: readonly string[]
  /**
   * Names the database for result-cache keys (see Connector.id). Default: derived from host, port,
   * database, user and searchPath of `connection`, of the existing pool's options or of knex's connection
   * settings (never the password). Set it when those cannot be read, or the layer refuses a shared cache.
   */
  id?: string
  /**
   * Use pg internals where they are measured to help (rows mapped as pg-protocol reads them; session
   * settings written ahead of each statement on a host's connection): only on the pg, pg-protocol and
   * knex versions they were tested with, each checked when pg loads. Default true; `false` keeps to pg's
   * documented API (docs/connectors.md, "Driver internals").
   */
  fastPaths?: boolean
}

interface PgModule {
  Pool: new (
    config: Record<string, unknown>,
  ) => PgPoolLike & { on(event: string, listener: (...args: never[]) => void): unknown; end(): Promise<void> }
  Client: new (config: unknown) => PgClientLike & { connect(): Promise<void>; end(): Promise<void> }
  types: TypeParsers
  Query: PgQueryConstructor
}
interface PgCursor {
  read(rows: number): Promise<Record<string, unknown>[]>
  close(): Promise<void>
}
type CursorConstructor = new (
  text: string,
  values: unknown[],
  config: { types: unknown },
) => PgCursor & InstanceType<SubmittableClass>
interface Lease {
  readonly client: PgClientLike
  release(error?: unknown): void
}

const BATCH_ROWS = 1000
const ARRAY_ROWS = { rowMode: 'array' } as const
/** date, timestamp, timestamptz: kept as PostgreSQL's text (UTC session) instead of Dates parsed in the process time zone. */
const TEXT_TYPES = new Set([1082, 1114, 1184])
const CONNECTION_LOST_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03'])
const noop = (): void => undefined

/**
 * A connector for PostgreSQL through `pg` (install it: `npm install pg`; `npm install pg-cursor` for
 * streaming). Every connection it uses runs in UTC; int8 and numeric come back as exact text.
 *
 * @example
 * import { postgres } from 'cortex-semantic/postgres'
 * createSemanticLayer({ model, connectors: { default: postgres({ connection: process.env.DATABASE_URL, pool: { max: 10 } }) } })
 * // or reuse the host's pool, which Cortex never ends: postgres({ existingPool: pool })
 */
export function postgres(options: PostgresOptions): SqlConnector {
  // Reading the host's pool or knex at construction (for the connector's id) must not throw raw either.
  return readingOptions('postgres options', () => createPostgres(options))
}

/**
 * @internal `postgres()` with the installed driver versions given (tests pass versions outside the pins
 * to check the documented-API fallbacks on a real server).
 */
export function createPostgres(options: PostgresOptions, versions: PgVersions = installedPgVersions()): SqlConnector {
  validateOptions(options)
  const sessions = new WeakMap<object, Promise<void>>()
  const settings = sessionSettings(options.searchPath)
  // A connection the host owns may have had its settings changed since Cortex last used it (by another
  // tenant's connector or by the host): every statement on it carries them (see postgres-session.ts).
  const hostOwned = options.existingPool !== undefined || options.knex !== undefined
  const withSettings = <T extends SubmittableClass>(Base: T, prefix: boolean): T =>
    prefix ? withSessionPrefix(Base, settings.perStatement) : Base
  let driver: PgModule | undefined
  let owned: InstanceType<PgModule['Pool']> | undefined
  let ownedConfig: Record<string, unknown> | undefined
  let types: TypeParsers | undefined
  // Each class with and without the session prefix (see prefixed()).
  const plainQueries: (PgQueryConstructor | undefined)[] = []
  const mappedQueries: (ReturnType<typeof mappedQueryClass> | undefined)[] = []
  const cursorClasses: (CursorConstructor | undefined)[] = []
  let fast: PgFastPaths | undefined
  let closed = false
  let closing: Promise<void> | undefined

  const pg = (): PgModule => (driver ??= loadDriver<PgModule>('pg'))
  /** Which pg internals this connector uses (postgres-fast-paths.ts): decided once, when pg is loaded. */
  const paths = (): PgFastPaths => (fast ??= pgFastPaths(pg() as never, versions, options.fastPaths !== false))
  /**
   * Whether a statement on `client` gets its session settings by the prefix (ADR 10): only on a host's
   * connection, only with the pinned internals, and only if that connection (maybe of another copy of pg)
   * has the methods the prefix writes with. A host's connection without it runs the statement inside a
   * transaction after `set_config()` instead (see inSession()).
   */
  const prefixed = (client: PgClientLike): boolean => hostOwned && paths().sessionPrefix && prefixable(client)
  const queryTypes = (): TypeParsers => {
    const defaults = pg().types
    return (types ??= {
      getTypeParser: (oid, format) =>
        TEXT_TYPES.has(oid) ? (value: string) => value : defaults.getTypeParser(oid, format),
    })
  }
  const ownedPool = (): InstanceType<PgModule['Pool']> => {
    if (owned) return owned
    const Pool = pg().Pool
    ownedConfig = poolConfig(options)
    const pool = new Pool(ownedConfig)
    // An idle client that dies (server restart, terminate) is already dropped by pg-pool; without a
    // listener the 'error' event would crash the host process.
    pool.on('error', noop)
    pool.on('connect', (client: PgClientLike) => void session(client).catch(noop))
    return (owned = pool)
  }

  /** On the pool Cortex owns: run the session settings once per physical connection, before its first statement. */
  const session = (client: PgClientLike): Promise<void> => {
    let ready = sessions.get(client)
    if (!ready) sessions.set(client, (ready = client.query({ text: settings.once }).then(noop)))
    return ready
  }

  const acquireRaw = async (): Promise<Lease> => {
    if (options.knex) {
      const knexClient = options.knex.client
      const connection = (await knexClient.acquireConnection()) as PgClientLike
      return {
        client: connection,
        release(error) {
          const release = (): void => void knexClient.releaseConnection(connection).catch(noop)
          if (!error) return release()
          // knex validates connections when it hands them out: a disposed one is destroyed, not reused.
          if (paths().knexDispose) {
            ;(connection as { __knex__disposed?: unknown }).__knex__disposed = error
            return release()
          }
          // Documented path: end the connection (knex discards an ended one), then hand it back.
          endThen(connection, release)
        },
      }
    }
    const client = await (options.existingPool ?? ownedPool()).connect()
    return { client, release: (error) => client.release(error ? (error instanceof Error ? error : true) : undefined) }
  }

  /** Acquire a set-up client; transient connection errors are retried, the statement never is. */
  const checkout = (): Promise<Lease> =>
    connectWithRetry(async () => {
      if (closed) throw closedError()
      const lease = await acquireRaw()
      try {
        if (!hostOwned) await session(lease.client)
      } catch (error) {
        lease.release(error ?? true)
        throw error
      }
      return lease
    }).catch((error: unknown) => {
      throw isSemanticLayerError(error) ? error : closed ? closedError() : connectFailed(error)
    })

  const cancelConfig = async (): Promise<unknown> => {
    let config: unknown
    if (options.knex) {
      const knexClient = options.knex.client
      config = await (knexClient.getRuntimeConnectionSettings
        ? knexClient.getRuntimeConnectionSettings()
        : knexClient.connectionSettings)
    } else if (options.existingPool) config = options.existingPool.options
    else config = ownedConfig
    if (typeof config === 'string') return { connectionString: config, connectionTimeoutMillis: 5000 }
    const base = (config ?? {}) as Record<string, unknown>
    // pg-pool keeps the password as a non-enumerable property: copy it explicitly.
    const copy: Record<string, unknown> = { ...base, password: base.password }
    copy.connectionTimeoutMillis =
      typeof base.connectionTimeoutMillis === 'number' && base.connectionTimeoutMillis > 0
        ? base.connectionTimeoutMillis
        : 5000
    return copy
  }

  /**
   * Stop the statement running on `client` from a separate short-lived connection, so that cancelling
   * works even when the pool is exhausted. If that connection cannot be made, the statement's own socket
   * is destroyed instead (its client is then discarded).
   */
  const cancelOnServer = async (client: PgClientLike): Promise<void> => {
    try {
      const pid = client.processID
      if (typeof pid !== 'number') throw new Error('The client has no backend process id')
      const canceller = new (pg().Client)(await cancelConfig())
      canceller.on('error', noop)
      try {
        await canceller.connect()
        await canceller.query({ text: 'SELECT pg_cancel_backend($1)', values: [pid] })
      } finally {
        await canceller.end().catch(noop)
      }
    } catch {
      ;(client as { connection?: { stream?: { destroy?(): void } } }).connection?.stream?.destroy?.()
    }
  }

  const poolCounters = (): HealthReport['pool'] => {
    if (options.knex) {
      const p = options.knex.client.pool
      if (!p?.numUsed || !p.numFree || !p.numPendingAcquires) return undefined
      return { total: p.numUsed() + p.numFree(), idle: p.numFree(), waiting: p.numPendingAcquires() }
    }
    const p = options.existingPool ?? owned
    if (!p || typeof p.totalCount !== 'number') return undefined
    return { total: p.totalCount, idle: p.idleCount ?? 0, waiting: p.waitingCount ?? 0 }
  }

  /**
   * Run one statement and return its rows: objects keyed by column alias, arrays in SELECT-list order
   * (pg's rowMode 'array'), or, given `map`, map(array) for each row as pg parses it (see mapped()).
   */
  const run = async (
    sql: string,
    params: readonly unknown[],
    execOptions: StatementOptions | undefined,
    arrays: boolean,
    map?: (row: unknown[]) => unknown,
  ): Promise<unknown[]> => {
    if (closed) throw closedError()
    if (execOptions?.signal?.aborted) throw cancelledError(execOptions.signal.reason)
    const started = performance.now()
    const limit = execOptions?.timeoutMs
    const lease = await acquireBefore(checkout(), execOptions, started)
    let broken: unknown
    const onError = (error: Error): void => void (broken ??= error)
    lease.client.on('error', onError)
    let cancelling: Promise<void> | undefined
    try {
      // The budget covers the wait for a connection too.
      const runOptions: StatementOptions = {
        ...(execOptions?.signal ? { signal: execOptions.signal } : {}),
        ...(limit === undefined ? {} : { timeoutMs: Math.max(1, limit - (performance.now() - started)) }),
      }
      const client = lease.client
      const prefix = prefixed(client)
      const config: PgQueryConfig = { text: sql, values: [...params], types: queryTypes(), ...(arrays && ARRAY_ROWS) }
      const statement = (): Promise<unknown[]> => {
        if (!map) return plain(client, config, prefix)
        if (paths().mappedRows) return mapped(client, sql, params, map, prefix)
        // Documented path: pg's array rows, each mapped in place (ADR 8's SQLite/MySQL form).
        return plain(client, config, prefix).then((rows) =>
          mapInPlace('PostgreSQL', rows, map as (row: ArrayRow) => unknown),
        )
      }
      const inSession = async (): Promise<unknown[]> => {
        await beginSession(client, settings.perStatement)
        let ok = false
        try {
          const rows = await statement()
          ok = true
          return rows
        } finally {
          if (!(await endSession(client, ok))) broken ??= new Error('The session transaction could not be ended')
        }
      }
      return await runCancellable(
        runOptions,
        hostOwned && !prefix ? inSession : statement,
        () => (cancelling = cancelOnServer(lease.client)),
      )
    } catch (error) {
      const driverError = isSemanticLayerError(error) ? error.cause : error
      if (isConnectionLevel(driverError)) broken ??= driverError
      if (!isSemanticLayerError(error)) throw queryFailed(error)
      // Report the caller's budget, not what was left of it after waiting for a connection.
      throw error.code === 'QUERY_TIMEOUT' && limit !== undefined ? timeoutError(limit, error.cause) : error
    } finally {
      // Never hand the client back while a cancel aimed at its backend is still on its way.
      await cancelling
      lease.client.removeListener('error', onError)
      lease.release(broken)
    }
  }

  /** One statement through pg's Query (with the session settings on a host's connection): its rows. */
  const plain = (client: PgClientLike, config: PgQueryConfig, prefix: boolean): Promise<unknown[]> =>
    new Promise((resolve, reject) => {
      const Query = (plainQueries[Number(prefix)] ??= withSettings(pg().Query, prefix))
      const query = new Query(config)
      query.on('error', reject)
      query.on('end', (result) => resolve(result.rows))
      client.query(query)
    })

  /**
   * One statement through {@link MappedQuery}: each row goes to `map` as pg-protocol reads it, and
   * nothing else keeps it, so `map`'s input can be collected young.
   */
  const mapped = (
    client: PgClientLike,
    sql: string,
    params: readonly unknown[],
    map: (row: unknown[]) => unknown,
    prefix: boolean,
  ): Promise<unknown[]> =>
    new Promise((resolve, reject) => {
      const Mapped = (mappedQueries[Number(prefix)] ??= withSettings(mappedQueryClass(pg().Query), prefix))
      const query = new Mapped({ text: sql, values: [...params] }, queryTypes(), map)
      query.on('error', reject)
      query.on('end', () => {
        const { rows, failure } = query.outcome()
        if (rows) resolve(rows)
        // A type parser's error is the driver's (POSTGRES_ERROR, as pg reports it); a map's is ROW_MAP_FAILED.
        else reject(failure.parsing ? failure.error : mapFailure('PostgreSQL', failure.error))
      })
      client.query(query)
    })

  /** Rows as objects, as arrays (`rows: 'arrays'`), or map's results (`map`, as pg parses each row). */
  const execute = (statement: Statement, execOptions?: ExecuteOptions): Promise<unknown[]> => {
    const { sql, params } = sqlOf(statement, 'PostgreSQL')
    const map = execOptions?.map
    return run(sql, params, execOptions, map !== undefined || execOptions?.rows === 'arrays', map)
  }

  const target = options.knex?.client?.connectionSettings ?? options.existingPool?.options ?? options.connection
  const id = givenId(options.id, 'postgres') ?? postgresIdentity(target, options.searchPath)
  return brandConnector({
    ...(id === undefined ? {} : { id }),
    dialect: postgresDialect,
    rowForms: ['arrays', 'mapped'],
    execute,

    async *stream(statement: Statement, execOptions?: StatementOptions) {
      const { sql, params } = sqlOf(statement, 'PostgreSQL')
      if (closed) throw closedError()
      const BaseCursor = loadDriver<CursorConstructor>('pg-cursor')
      if (execOptions?.signal?.aborted) throw cancelledError(execOptions.signal.reason)
      const started = performance.now()
      const lease = await acquireBefore(checkout(), execOptions, started)
      let broken: unknown
      let stopped: StopReason | undefined
      let reading = false
      let cancelling: Promise<void> | undefined
      const onError = (error: Error): void => void (broken ??= error)
      const dispose = watchStop(execOptions, started, (why) => {
        stopped ??= why
        // Between batches nothing runs on the server: the next check throws and `finally` closes the cursor.
        if (reading) cancelling ??= cancelOnServer(lease.client)
      })
      lease.client.on('error', onError)
      const prefix = prefixed(lease.client)
      // Without the prefix, a host's connection reads the cursor inside a transaction with its settings.
      const inSession = hostOwned && !prefix
      let sessionOpen = false
      let finished = false
      let cursor: PgCursor | undefined
      try {
        const Cursor = (cursorClasses[Number(prefix)] ??= withSettings(BaseCursor, prefix))
        if (inSession) {
          try {
            await beginSession(lease.client, settings.perStatement)
            sessionOpen = true
          } catch (error) {
            broken ??= error
            throw queryFailed(error)
          }
        }
        cursor = (lease.client as unknown as { query(c: PgCursor): PgCursor }).query(
          new Cursor(sql, [...params], { types: queryTypes() }),
        )
        for (;;) {
          if (stopped) throw stopError(stopped, execOptions)
          let rows: Record<string, unknown>[]
          reading = true
          try {
            rows = await cursor.read(BATCH_ROWS)
          } catch (error) {
            broken ??= error
            if (stopped) {
              await cancelling
              throw stopError(stopped, execOptions, error)
            }
            throw queryFailed(error)
          } finally {
            reading = false
          }
          if (rows.length === 0) {
            finished = true
            return
          }
          for (const row of rows) {
            if (stopped) throw stopError(stopped, execOptions)
            yield row
          }
        }
      } finally {
        dispose()
        await cancelling
        // After an error the cursor's protocol state is not worth trusting: the connection is discarded.
        if (cursor && !broken) await cursor.close().catch((error: unknown) => void (broken = error))
        if (sessionOpen && !broken && !(await endSession(lease.client, finished))) {
          broken = new Error('The session transaction could not be ended')
        }
        lease.client.removeListener('error', onError)
        lease.release(broken)
      }
    },

    async healthCheck() {
      const started = performance.now()
      const pool = (counters = poolCounters()): { pool?: NonNullable<HealthReport['pool']> } =>
        counters ? { pool: counters } : {}
      try {
        await run('SELECT 1 AS ok', [], { timeoutMs: 10_000 }, false)
        return { ok: true, latencyMs: performance.now() - started, ...pool() }
      } catch (error) {
        return {
          ok: false,
          latencyMs: performance.now() - started,
          error: error instanceof Error ? error.message : 'PostgreSQL health check failed',
          ...pool(),
        }
      }
    },

    close() {
      closed = true
      // Only the pool Cortex created is ended; a host's pool or knex instance is left as it was.
      return (closing ??= owned ? owned.end().catch(noop) : Promise.resolve())
    },
  })
}

type StopReason = 'timeout' | 'abort'

/** Call `stop` once when the signal aborts or the time budget (counted from `started`) runs out; returns the disposer. */
function watchStop(
  options: StatementOptions | undefined,
  started: number,
  stop: (why: StopReason) => void,
): () => void {
  const signal = options?.signal
  const limit = options?.timeoutMs
  const onAbort = (): void => stop('abort')
  const timer =
    limit === undefined
      ? undefined
      : setTimeout(() => stop('timeout'), Math.max(0, limit - (performance.now() - started)))
  if (signal?.aborted) onAbort()
  else signal?.addEventListener('abort', onAbort, { once: true })
  return () => {
    if (timer) clearTimeout(timer)
    signal?.removeEventListener('abort', onAbort)
  }
}

function stopError(why: StopReason, options: StatementOptions | undefined, cause?: unknown): SemanticLayerError {
  return why === 'timeout' ? timeoutError(options!.timeoutMs!, cause) : cancelledError(options?.signal?.reason, cause)
}

/** Wait for a connection unless the signal aborts or the time budget runs out first; a late lease is released unused. */
async function acquireBefore(
  acquiring: Promise<Lease>,
  options: StatementOptions | undefined,
  started: number,
): Promise<Lease> {
  if (!options?.signal && options?.timeoutMs === undefined) return acquiring
  let dispose = noop
  const stopped = new Promise<never>(
    (_, reject) => (dispose = watchStop(options, started, (why) => reject(stopError(why, options)))),
  )
  try {
    return await Promise.race([acquiring, stopped])
  } catch (error) {
    acquiring.then((lease) => lease.release(), noop)
    throw error
  } finally {
    dispose()
  }
}

const POSTGRES_OPTIONS: OptionSpecs<PostgresOptions> = {
  connection: 'any',
  pool: 'object',
  existingPool: 'object',
  knex: 'any',
  searchPath: 'any',
  id: 'any',
  fastPaths: 'boolean',
}

function validateOptions(options: PostgresOptions): void {
  const o = readOptions<PostgresOptions>(options, POSTGRES_OPTIONS, { what: 'postgres options' })
  const issues: ErrorIssue[] = []
  const add = (code: string, path: (string | number)[], message: string): number => issues.push({ code, path, message })
  const given = (['connection', 'existingPool', 'knex'] as const).filter((k) => o[k] !== undefined)
  if (given.length !== 1)
    add(
      'POSTGRES_SOURCE',
      given.slice(1, 2),
      `Pass exactly one of connection, existingPool or knex to postgres() (got ${given.join(', ') || 'none'}).`,
    )
  if (
    o.connection !== undefined &&
    typeof o.connection !== 'string' &&
    (typeof o.connection !== 'object' || o.connection === null)
  )
    add('POSTGRES_CONNECTION', ['connection'], 'connection must be a postgres:// URL or a pg PoolConfig object.')
  if (o.existingPool !== undefined && typeof o.existingPool?.connect !== 'function')
    add('POSTGRES_POOL', ['existingPool'], 'existingPool must be a pg.Pool (an object with connect()).')
  const knexClient = o.knex?.client
  if (
    o.knex !== undefined &&
    (typeof knexClient?.acquireConnection !== 'function' ||
      typeof knexClient.releaseConnection !== 'function' ||
      (knexClient.driverName ?? 'pg') !== 'pg')
  ) {
    add('POSTGRES_KNEX', ['knex'], "knex must be a knex instance created with client 'pg'.")
  }
  if (o.pool !== undefined) {
    if (o.connection === undefined)
      add(
        'POSTGRES_POOL_OPTIONS',
        ['pool'],
        'pool sizes the pool Cortex creates from connection; size an existingPool or knex pool where you create it.',
      )
    for (const key of ['min', 'max', 'idleTimeoutMs', 'connectionTimeoutMs'] as const) {
      const v = o.pool[key]
      const least = key === 'max' ? 1 : 0
      if (v !== undefined && (!Number.isInteger(v) || v < least))
        add('POSTGRES_POOL_OPTIONS', ['pool', key], `pool.${key} must be an integer ≥ ${least}.`)
    }
    if ((o.pool.min ?? 0) > (o.pool.max ?? Infinity))
      add('POSTGRES_POOL_OPTIONS', ['pool', 'min'], 'pool.min must not exceed pool.max.')
  }
  if (
    o.searchPath !== undefined &&
    (!Array.isArray(o.searchPath) ||
      o.searchPath.length === 0 ||
      o.searchPath.some((n) => typeof n !== 'string' || n.length === 0 || n.length > 63 || n.includes('\u0000')))
  ) {
    add(
      'POSTGRES_SEARCH_PATH',
      ['searchPath'],
      'searchPath must be a non-empty list of schema names (1-63 characters each).',
    )
  }
  if (issues.length) throw new SemanticLayerError('CONFIG_INVALID', issues)
}

function poolConfig(options: PostgresOptions): Record<string, unknown> {
  const connection = options.connection
  const config: Record<string, unknown> =
    typeof connection === 'string' ? { connectionString: connection } : { ...connection }
  config.application_name ??= 'cortex-semantic'
  const sizing = options.pool
  if (sizing?.min !== undefined) config.min = sizing.min
  if (sizing?.max !== undefined) config.max = sizing.max
  if (sizing?.idleTimeoutMs !== undefined) config.idleTimeoutMillis = sizing.idleTimeoutMs
  if (sizing?.connectionTimeoutMs !== undefined) config.connectionTimeoutMillis = sizing.connectionTimeoutMs
  return config
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

/** Errors after which the connection cannot be trusted: it is released with the error so the pool drops it. */
function isConnectionLevel(error: unknown): boolean {
  const code = errorCode(error)
  if (code && (CONNECTION_LOST_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true
  const message = error instanceof Error ? error.message : ''
  return /Connection terminated|not queryable|Client was closed/.test(message)
}

const SQLSTATE_CLASSES: Record<string, string> = {
  '08': 'connection exception',
  '0A': 'feature not supported',
  '21': 'cardinality violation',
  '22': 'data exception',
  '23': 'integrity constraint violation',
  '25': 'invalid transaction state',
  '28': 'invalid authorization',
  '3D': 'invalid catalog name',
  '3F': 'invalid schema name',
  '40': 'transaction rollback',
  '42': 'syntax error or access rule violation',
  '53': 'insufficient resources',
  '54': 'program limit exceeded',
  '55': 'object not in prerequisite state',
  '57': 'operator intervention',
  '58': 'system error',
}

/**
 * pg's own message, redacted by one rule (docs/connectors.md, "Errors"): names of objects stay, values
 * and credentials never appear.
 * - PostgreSQL double-quotes the names of objects (database, role, schema, relation, column, constraint,
 *   type); they are kept, except in data exceptions (class 22), whose double quotes hold the offending
 *   value: those messages are cut before the value (`…: "abc"`) and every quoted part is masked.
 * - Single-quoted text (a literal) and `0x…` bytes are masked in every class.
 * - Classes whose message is free text (PL/pgSQL RAISE, internal errors, unlisted classes) show only
 *   the SQLSTATE. DETAIL and HINT (which hold key values) are never copied; the driver error is `cause`.
 * Bound values never reach the SQL text, and PostgreSQL never puts a password in a message.
 */
function describePostgresError(error: unknown): string {
  const code = errorCode(error)
  if (!code || !/^[0-9A-Z]{5}$/.test(code)) return `PostgreSQL client error${code ? ` (${code})` : ''}`
  const cls = SQLSTATE_CLASSES[code.slice(0, 2)]
  if (!cls) return `SQLSTATE ${code}`
  let message = error instanceof Error ? error.message : ''
  if (code.startsWith('22')) message = message.split(': ')[0]!.replace(/"[^"]*"/g, '"…"')
  message = message.replace(/'[^']*'/g, "'…'").replace(/\b0x[0-9a-f]+\b/gi, '0x…')
  return `SQLSTATE ${code} (${cls})${message ? `: ${message.slice(0, 300)}` : ''}`
}

function queryFailed(error: unknown): SemanticLayerError {
  if (isConnectionLevel(error)) {
    return new SemanticLayerError(
      'CONNECTOR_FAILED',
      [
        {
          code: 'CONNECTION_LOST',
          path: [],
          message: `The connection to PostgreSQL was lost while the query ran (${describePostgresError(error)}). The connection was discarded and the query was not retried; run it again.`,
        },
      ],
      { cause: error },
    )
  }
  return new SemanticLayerError(
    'CONNECTOR_FAILED',
    [
      {
        code: 'POSTGRES_ERROR',
        path: [],
        message: `PostgreSQL failed to run the query: ${describePostgresError(error)}.`,
      },
    ],
    { cause: error },
  )
}

function connectFailed(error: unknown): SemanticLayerError {
  const code = errorCode(error)
  const detail =
    code && /^[0-9A-Z]{5}$/.test(code)
      ? describePostgresError(error)
      : `${code ?? 'no error code'}: ${(error instanceof Error ? error.message : String(error)).replace(/"[^"]*"/g, '"…"').slice(0, 200)}`
  return new SemanticLayerError(
    'CONNECTOR_FAILED',
    [
      {
        code: 'CONNECT_FAILED',
        path: [],
        message: `Could not connect to PostgreSQL (${detail}). Check the connection settings and that the server accepts connections.`,
      },
    ],
    { cause: error },
  )
}

function closedError(): SemanticLayerError {
  return new SemanticLayerError('CONNECTOR_FAILED', [
    {
      code: 'CLOSED',
      path: [],
      message: 'The PostgreSQL connector was closed. Create a new connector to run more queries.',
    },
  ])
}

/** The DRIVER_MISSING error for an optional package the PostgreSQL connector needs. */
export function driverMissingError(packageName: 'pg' | 'pg-cursor', cause?: unknown): SemanticLayerError {
  return driverMissing(pgNeed(packageName), `npm install ${packageName}`, cause)
}

const pgNeed = (packageName: 'pg' | 'pg-cursor'): string =>
  packageName === 'pg' ? 'The PostgreSQL connector needs pg' : 'Streaming from PostgreSQL needs pg-cursor'

function loadDriver<T>(packageName: 'pg' | 'pg-cursor'): T {
  return requireDriver(packageName, pgNeed(packageName))
}

/** End a connection borrowed from knex with pg's own `end()` (at most 1 s), then `then()`. */
function endThen(connection: unknown, then: () => void): void {
  let timer: NodeJS.Timeout | undefined
  const ending = (connection as { end?(): Promise<void> }).end?.()
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, 1000)
    timer.unref?.()
  })
  void Promise.race([Promise.resolve(ending).catch(noop), late]).then(() => {
    clearTimeout(timer)
    then()
  })
}
