import { requireDriver } from './load-driver.js'
import { isSemanticLayerError, SemanticLayerError } from '../errors.js'
import { readOptions, readingOptions, type OptionSpecs } from '../util/options.js'
import { mysqlDialect } from '../sql/dialects/mysql-dialect.js'
import { fixedOffsetText } from '../util/time-zone.js'
import { cancelledError, connectWithRetry, runCancellable, timeoutError } from './cancellation.js'
import {
  brandConnector,
  mapInPlace,
  sqlOf,
  type SqlConnector,
  type ExecuteOptions,
  type HealthReport,
  type Statement,
  type StatementOptions,
} from './connector.js'
import { givenId, mysqlIdentity } from './connector-identity.js'
import { handshakeFlavour, installedMysql2Version, isMariaDbVersion, mysqlInternals } from './mysql-fast-paths.js'
import { forServer, SET_SESSION } from './mysql-session.js'

/** mysql2 pool / connection options (host, port, user, password, database, ssl, ...), typed loosely. */
export interface MysqlPoolConfigLike {
  readonly [option: string]: unknown
}

/** A mysql2 pool the host owns: callback (`mysql2.createPool`) or promise (`mysql2/promise`). Never ended by Cortex. */
export interface MysqlPoolLike {
  getConnection(...args: never[]): unknown
}

/** A knex instance with `client: 'mysql2'`; Cortex borrows raw connections from its pool. Never destroyed by Cortex. */
export interface KnexLike {
  readonly client: {
    acquireConnection(): Promise<unknown>
    releaseConnection(connection: never): Promise<unknown>
  }
}

export interface MysqlOptions {
  /** A URL (`mysql://user:pass@host:3306/db`) or mysql2 pool options. Cortex creates and owns the pool. */
  readonly connection?: string | MysqlPoolConfigLike
  /**
   * The pool Cortex creates (ignored for existingPool / knex): `max` connections (default 10), idle ones
   * closed after `idleTimeoutMs`, `connectionTimeoutMs` to open one. Waiting for a free connection is
   * bounded by the query's `timeoutMs` / `signal`.
   */
  readonly pool?: { readonly max?: number; readonly idleTimeoutMs?: number; readonly connectionTimeoutMs?: number }
  readonly existingPool?: MysqlPoolLike
  readonly knex?: KnexLike
  /**
   * Names the database for result-cache keys (see Connector.id). Default: derived from host, port,
   * database, user and socket path of `connection`, of the existing pool's config or of knex's connection
   * settings (never the password). Set it when those cannot be read, or the layer refuses a shared cache.
   */
  readonly id?: string
  /**
   * Read mysql2's internal fields where they save work (the server's flavour from the handshake, pool
   * counters, a connection's broken state): only on the mysql2 versions they were tested with. Default
   * true; `false` keeps to mysql2's documented API (docs/connectors.md, "Driver internals").
   */
  readonly fastPaths?: boolean
}

const MYSQL_OPTIONS: OptionSpecs<MysqlOptions> = {
  connection: 'any',
  pool: 'object',
  existingPool: 'object',
  knex: 'any',
  id: 'any',
  fastPaths: 'boolean',
}

// --- the slice of mysql2's callback API that Cortex uses (structural: the driver is never imported) ---
type Row = Record<string, unknown>
interface Command {
  on(event: string, listener: (...args: never[]) => void): unknown
}
interface RawConnection {
  readonly threadId: number | null
  /** Set by mysql2 (3.x) from the handshake: whether the server is MariaDB, and its version text. */
  readonly _isMariaDB?: boolean
  readonly _handshakePacket?: { readonly serverVersion?: string }
  readonly config: object
  execute(options: object, callback?: (error: unknown, rows: unknown) => void): Command
  query(sql: string, callback: (error: unknown, rows?: unknown) => void): unknown
  pause(): void
  resume(): void
  destroy(): void
  release?(): void
  readonly stream?: { destroy?(): void }
  on(event: 'error', listener: (error: unknown) => void): unknown
}
interface RawPool {
  getConnection(callback: (error: unknown, connection: RawConnection) => void): void
  on(event: 'connection', listener: (connection: RawConnection) => void): unknown
  end(callback: (error?: unknown) => void): void
  readonly _allConnections?: { readonly length: number }
  readonly _freeConnections?: { readonly length: number }
  readonly _connectionQueue?: { readonly length: number }
}
interface MysqlDriver {
  createPool(config: object): RawPool
  Connection: new (options: { config: object }) => RawConnection
  ConnectionConfig: { parseUrl(url: string): Record<string, unknown> }
}
interface Source {
  acquire(): Promise<RawConnection>
  release(connection: RawConnection, dead: boolean): void
  counters(): HealthReport['pool'] | undefined
  end(): Promise<void>
}

/** Whether the server can convert to a named zone: NULL when its time zone tables lack it (or are empty). */
const ZONE_CHECK = "SELECT CONVERT_TZ('2000-01-01 00:00:00', '+00:00', ?) AS cortex_zone_check"
/** Zones remembered per connector (IANA has about 600 names; the map is cleared if something sends more). */
const MAX_CHECKED_ZONES = 1000
const ZONE_CHECK_TIMEOUT_MS = 10_000

/** Per-statement overrides, so host pools return the same value shapes as the pool Cortex creates. */
const VALUE_OPTIONS = {
  dateStrings: true,
  supportBigNumbers: true,
  bigNumberStrings: true,
  decimalNumbers: false,
  timezone: 'Z',
} as const
const STATEMENT_OPTIONS = { ...VALUE_OPTIONS, typeCast: true, rowsAsArray: false, nestTables: false } as const
/** The same, with rows as arrays of column values in SELECT-list order (`rows: 'arrays'`). */
const ARRAY_STATEMENT_OPTIONS = { ...STATEMENT_OPTIONS, rowsAsArray: true } as const
const STREAM_HIGH_WATER = 2000
const STREAM_LOW_WATER = 500
const STOPPED = Symbol('stopped')

/**
 * A connector for MySQL 8 and MariaDB through mysql2 (install it: `npm install mysql2`). Statements run
 * as server-side prepared statements; time values come back as text read in UTC; BIGINT and DECIMAL come
 * back as exact strings. Cancellation runs `KILL QUERY` on a separate short-lived connection. Every
 * connection it uses (also a host pool's or knex's) runs in UTC with `div_precision_increment = 30`;
 * a named time zone the server cannot convert to (empty zone tables) is refused with UNSUPPORTED /
 * TIME_ZONE_TABLES_MISSING, checked once per connector and zone (docs/mysql.md).
 *
 * @example
 * import { mysql } from 'cortex-semantic/mysql'
 * createSemanticLayer({ model, connectors: { default: mysql({ connection: process.env.MYSQL_URL!, pool: { max: 10 } }) } })
 */
export function mysql(input: MysqlOptions): SqlConnector {
  // Reading the host's pool or knex at construction (for the connector's id) must not throw raw either.
  return readingOptions('mysql options', () => createMysql(input))
}

/**
 * @internal `mysql()` with the installed mysql2 version given (tests pass one outside the pin to check the
 * documented-API fallbacks on a real server).
 */
export function createMysql(input: MysqlOptions, mysql2Version = installedMysql2Version()): SqlConnector {
  const options = readOptions<MysqlOptions>(input, MYSQL_OPTIONS, { what: 'mysql options' }) as MysqlOptions
  const given = [options.connection, options.existingPool, options.knex].filter((v) => v !== undefined).length
  if (given !== 1) {
    throw new SemanticLayerError('CONFIG_INVALID', [
      {
        code: 'CONFIG_INVALID',
        path: [],
        message: 'mysql() needs exactly one of `connection` (a URL or mysql2 pool options), `existingPool` or `knex`.',
      },
    ])
  }
  // The host's pool or knex: session settings with every statement or checkout (see mysql-session.ts).
  const hostOwned = options.connection === undefined
  const internals = mysqlInternals(mysql2Version, options.fastPaths !== false)
  // MariaDB or MySQL, per connection: from mysql2's handshake fields, or asked once per connector.
  const flavours = new WeakMap<object, boolean>()
  let asked: Promise<boolean> | undefined
  const flavourOf = async (connection: RawConnection): Promise<boolean> => {
    const known = handshakeFlavour(connection, internals)
    if (known !== undefined) return known
    const pending = (asked ??= serverVersion(connection).then(isMariaDbVersion))
    pending.catch(() => {
      if (asked === pending) asked = undefined // a failed question is asked again
    })
    return pending
  }
  const mariadb = (connection: RawConnection): boolean => flavours.get(connection) === true
  let source: Source | undefined
  let driver: MysqlDriver | undefined
  let closed = false
  const ready = new WeakMap<object, Promise<void>>() // owned pool's connection → its session SET (no module state)
  const loaded = (): MysqlDriver => (driver ??= loadMysqlDriver())
  const initialize = (connection: RawConnection): void => {
    const setting = run(connection, SET_SESSION)
    setting.catch(() => undefined) // awaited (and reported) by acquire
    ready.set(connection, setting)
  }
  const open = (): Source => (source ??= createSource(options, loaded, initialize, internals))
  // Named zones this server converts to, checked once per connector (its pool) and zone: with empty time
  // zone tables CONVERT_TZ returns NULL, and every row would fall into one NULL time bucket. Both outcomes
  // are kept; a failed check (connection, timeout) is not, so the next query checks again.
  const zones = new Map<string, Promise<void>>()
  const checkZone = (zone: string | undefined, timeoutMs: number | undefined): Promise<void> | undefined => {
    if (zone === undefined || fixedOffsetText(zone) !== undefined) return undefined
    let pending = zones.get(zone)
    if (!pending) {
      if (zones.size >= MAX_CHECKED_ZONES) zones.clear()
      // Shared by concurrent first queries, so it runs without any one caller's signal.
      const limit = Math.min(timeoutMs ?? ZONE_CHECK_TIMEOUT_MS, ZONE_CHECK_TIMEOUT_MS)
      pending = runStatement(ZONE_CHECK, [zone], { timeoutMs: limit }).then((rows) => {
        if ((rows[0] as Row | undefined)?.cortex_zone_check == null) throw zoneTablesError()
      })
      zones.set(zone, pending)
      pending.catch((error: unknown) => {
        if (!isSemanticLayerError(error) || error.issues[0]?.code !== 'TIME_ZONE_TABLES_MISSING') zones.delete(zone)
      })
    }
    return pending
  }

  const acquire = async (control: Control): Promise<RawConnection> => {
    if (closed) throw closedError()
    const src = open()
    const pending = connectWithRetry(async () => {
      const connection = await src.acquire()
      try {
        if (typeof connection.execute !== 'function' || typeof connection.pause !== 'function') {
          throw new SemanticLayerError('CONFIG_INVALID', [
            {
              code: 'CONFIG_INVALID',
              path: [],
              message: "The pool or knex instance must use mysql2 (knex: client 'mysql2').",
            },
          ])
        }
        if (!flavours.has(connection)) flavours.set(connection, await flavourOf(connection))
        if (!hostOwned) {
          if (!ready.has(connection)) initialize(connection)
          await ready.get(connection)
        } else if (!mariadb(connection)) await run(connection, SET_SESSION) // MariaDB: each statement carries it
        return connection
      } catch (error) {
        ready.delete(connection)
        src.release(connection, !isSemanticLayerError(error))
        throw error
      }
    })
    try {
      return await new Promise<RawConnection>((resolve, reject) => {
        control.wake = () => reject(STOPPED)
        pending.then(resolve, reject)
      })
    } catch (error) {
      if (error === STOPPED)
        pending.then(
          (c) => src.release(c, false),
          () => undefined,
        )
      if (error === STOPPED || isSemanticLayerError(error)) throw error
      throw closed ? closedError(error) : connectorError('CONNECT_FAILED', 'Could not connect to MySQL', error, [])
    } finally {
      control.wake = undefined
    }
  }

  const kill = async (connection: RawConnection): Promise<void> => {
    const threadId = connection.threadId
    if (!Number.isSafeInteger(threadId)) throw new Error('no thread id')
    // A fresh connection with the same settings: works even when the pool is exhausted.
    const config = Object.create(
      Object.getPrototypeOf(connection.config) as object,
      Object.getOwnPropertyDescriptors(connection.config),
    ) as Record<string, unknown>
    config.pool = undefined
    const killer = new (loaded().Connection)({ config })
    killer.on('error', () => undefined)
    let timer: NodeJS.Timeout | undefined
    try {
      await Promise.race([
        run(killer, `KILL QUERY ${threadId}`),
        new Promise((_, reject) => (timer = setTimeout(reject, 5000, new Error('KILL QUERY timed out')))),
      ])
    } finally {
      clearTimeout(timer)
      hardClose(killer)
    }
  }

  /** Run one statement; `arrays`: rows as arrays in SELECT-list order (mysql2's rowsAsArray). */
  const runStatement = async (
    sql: string,
    params: readonly unknown[],
    execOptions: StatementOptions | undefined,
    arrays = false,
  ): Promise<unknown[]> => {
    const zoneChecked = checkZone(execOptions?.timeZone, execOptions?.timeoutMs)
    if (zoneChecked) await zoneChecked
    const control = new Control(kill)
    try {
      return await runCancellable(
        execOptions,
        async () => {
          const connection = await acquire(control)
          let failure: unknown
          try {
            if (control.stopped) throw STOPPED
            control.start(connection)
            return await new Promise<unknown[]>((resolve, reject) => {
              const options = arrays ? ARRAY_STATEMENT_OPTIONS : STATEMENT_OPTIONS
              const statement = { sql: forServer(mariadb(connection), sql, hostOwned), values: [...params], ...options }
              connection.execute(statement, (error, rows) => {
                if (error) reject(error)
                else resolve(Array.isArray(rows) ? rows : [])
              })
            })
          } catch (error) {
            failure = error
            throw error
          } finally {
            await control.finish()
            const dead = failure !== undefined && isDead(connection, failure, internals)
            open().release(connection, control.forced || dead)
          }
        },
        () => control.cancel(),
      )
    } catch (error) {
      throw toConnectorError(error, params)
    }
  }

  async function* stream(statement: Statement, execOptions?: StatementOptions): AsyncGenerator<Row> {
    const { sql, params } = sqlOf(statement, 'MySQL')
    const signal = execOptions?.signal
    if (signal?.aborted) throw cancelledError(signal.reason)
    const zoneChecked = checkZone(execOptions?.timeZone, execOptions?.timeoutMs)
    if (zoneChecked) await zoneChecked
    const control = new Control(kill)
    let why: 'timeout' | 'abort' | undefined
    let notify: (() => void) | undefined
    const stop = (reason: 'timeout' | 'abort'): void => {
      why ??= reason
      void control.cancel().catch(() => undefined)
      notify?.()
    }
    const timeoutMs = execOptions?.timeoutMs
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => stop('timeout'), timeoutMs)
    const onAbort = (): void => stop('abort')
    signal?.addEventListener('abort', onAbort, { once: true })
    const stoppedError = (cause?: unknown): SemanticLayerError =>
      why === 'timeout' ? timeoutError(timeoutMs!, cause) : cancelledError(signal?.reason, cause)
    let connection: RawConnection | undefined
    let started = false
    let done = false
    let failure: unknown
    try {
      try {
        connection = await acquire(control)
      } catch (error) {
        throw why ? stoppedError(error === STOPPED ? undefined : error) : error
      }
      if (why) throw stoppedError()
      const conn = connection
      let rows: Row[] = []
      let head = 0
      let paused = false
      control.start(conn)
      let command: Command
      try {
        const text = forServer(mariadb(conn), sql, hostOwned)
        command = conn.execute({ sql: text, values: [...params], ...STATEMENT_OPTIONS })
      } catch (error) {
        done = true // rejected before anything was sent (e.g. an undefined parameter)
        throw toConnectorError(error, params)
      }
      started = true
      command.on('result', (row: Row) => {
        rows.push(row)
        if (!paused && rows.length - head >= STREAM_HIGH_WATER) {
          paused = true
          conn.pause() // backpressure: stop reading the socket; the server blocks on its write
        }
        notify?.()
      })
      const settle = (error?: unknown): void => {
        if (error !== undefined) failure ??= error
        done = true
        notify?.()
      }
      command.on('error', settle)
      command.on('end', () => settle())
      for (;;) {
        if (why) throw stoppedError(failure)
        if (head < rows.length) {
          const row = rows[head]!
          rows[head++] = undefined as never
          if (head > 4096 && head * 2 > rows.length) {
            rows = rows.slice(head)
            head = 0
          }
          if (paused && rows.length - head <= STREAM_LOW_WATER) {
            paused = false
            conn.resume()
          }
          yield row
          continue
        }
        if (failure !== undefined) throw toConnectorError(failure, params)
        if (done) return
        await new Promise<void>((resolve) => (notify = resolve))
        notify = undefined
      }
    } finally {
      if (timer) clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      if (connection) {
        const abandoned = started && !done
        await control.finish()
        // Stopped or abandoned mid-result: stop the statement, then drop the connection rather than drain it.
        if (abandoned && !control.killed) await kill(connection).catch(() => undefined)
        open().release(
          connection,
          abandoned || control.forced || (failure !== undefined && isDead(connection, failure, internals)),
        )
      }
    }
  }

  const id = givenId(options.id, 'mysql') ?? mysqlIdentity(mysqlTarget(options))
  return brandConnector({
    ...(id === undefined ? {} : { id }),
    dialect: mysqlDialect,
    rowForms: ['arrays', 'mapped'],
    // mysql2 returns all rows at once; with `map` they are shaped in place (see mapInPlace).
    async execute(statement: Statement, execOptions?: ExecuteOptions): Promise<unknown[]> {
      const { sql, params } = sqlOf(statement, 'MySQL')
      const map = execOptions?.map
      if (map) return mapInPlace('MySQL', await runStatement(sql, params, execOptions, true), map)
      return runStatement(sql, params, execOptions, execOptions?.rows === 'arrays')
    },
    stream,
    async healthCheck() {
      const started = performance.now()
      try {
        await runStatement('SELECT 1 AS ok', [], { timeoutMs: 10_000 })
        const pool = source?.counters()
        return { ok: true, latencyMs: performance.now() - started, ...(pool ? { pool } : {}) }
      } catch (error) {
        return {
          ok: false,
          latencyMs: performance.now() - started,
          error: error instanceof Error ? error.message : 'health check failed',
        }
      }
    },
    async close() {
      if (closed) return
      closed = true
      await source?.end()
    },
  })
}

/**
 * Per-statement cancellation state. KILL QUERY is sent only once the statement was handed to the
 * connection, repeated while it still runs (a KILL that lands during PREPARE is lost), and the
 * connection is released only after every KILL has finished, so a late KILL never hits the next
 * borrower's statement. If KILL is impossible, the socket is destroyed to free the caller.
 */
class Control {
  stopped = false
  forced = false
  killed = false
  wake: (() => void) | undefined
  private connection: RawConnection | undefined
  private settled = false
  private onSettled: (() => void) | undefined
  private killing: Promise<void> | undefined
  constructor(private readonly kill: (connection: RawConnection) => Promise<void>) {}

  start(connection: RawConnection): void {
    this.connection = connection
  }

  cancel(): Promise<void> {
    this.stopped = true
    this.wake?.()
    if (!this.connection || this.settled) return Promise.resolve()
    return (this.killing ??= this.killLoop(this.connection))
  }

  async finish(): Promise<void> {
    this.settled = true
    this.onSettled?.()
    await this.killing
  }

  private async killLoop(connection: RawConnection): Promise<void> {
    for (let attempt = 0; attempt < 5 && !this.settled; attempt++) {
      try {
        await this.kill(connection)
        this.killed = true
      } catch {
        break
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 500)
        this.onSettled = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
    if (!this.settled) {
      this.forced = true
      hardClose(connection)
    }
  }
}

/** Where a mysql() connector connects, as its options tell: the URL or config, a pool's config, knex's settings. */
function mysqlTarget(options: MysqlOptions): unknown {
  if (options.knex) return (options.knex.client as { connectionSettings?: unknown } | undefined)?.connectionSettings
  if (options.existingPool) {
    type WithConfig = { config?: { connectionConfig?: unknown }; pool?: { config?: { connectionConfig?: unknown } } }
    const pool = options.existingPool as WithConfig
    return pool.config?.connectionConfig ?? pool.pool?.config?.connectionConfig
  }
  return options.connection
}

function createSource(
  options: MysqlOptions,
  driver: () => MysqlDriver,
  onNewConnection: (c: RawConnection) => void,
  internals: boolean,
): Source {
  if (options.knex) {
    const client = options.knex.client as unknown as {
      acquireConnection(): Promise<RawConnection>
      releaseConnection(c: RawConnection): Promise<unknown>
      pool?: { numUsed?(): number; numFree?(): number; numPendingAcquires?(): number }
    }
    return {
      acquire: () => client.acquireConnection(),
      release(connection, dead) {
        if (dead) hardClose(connection) // knex validates on the next acquire and discards it
        void client.releaseConnection(connection).catch(() => undefined)
      },
      counters() {
        const p = client.pool
        if (!p?.numUsed || !p.numFree || !p.numPendingAcquires) return undefined
        return { total: p.numUsed() + p.numFree(), idle: p.numFree(), waiting: p.numPendingAcquires() }
      },
      end: async () => undefined,
    }
  }
  const owned = options.existingPool === undefined
  let pool: RawPool | undefined
  const core = (): RawPool => {
    if (pool) return pool
    if (options.existingPool) {
      const inner = (options.existingPool as { pool?: RawPool }).pool // a mysql2/promise pool wraps the callback pool
      pool = inner && typeof inner.getConnection === 'function' ? inner : (options.existingPool as unknown as RawPool)
    } else {
      const d = driver()
      const c = options.connection!
      const base =
        typeof c === 'string'
          ? d.ConnectionConfig.parseUrl(c)
          : typeof c.uri === 'string'
            ? { ...c, ...d.ConnectionConfig.parseUrl(c.uri), uri: undefined }
            : { ...c }
      const sizing = options.pool ?? {}
      pool = d.createPool({
        ...base,
        ...VALUE_OPTIONS,
        maxPreparedStatements: typeof base.maxPreparedStatements === 'number' ? base.maxPreparedStatements : 256,
        connectionLimit: sizing.max ?? (typeof base.connectionLimit === 'number' ? base.connectionLimit : 10),
        ...(sizing.idleTimeoutMs === undefined ? {} : { idleTimeout: sizing.idleTimeoutMs }),
        ...(sizing.connectionTimeoutMs === undefined ? {} : { connectTimeout: sizing.connectionTimeoutMs }),
      })
      pool.on('connection', onNewConnection)
    }
    return pool
  }
  return {
    acquire: () =>
      new Promise((resolve, reject) =>
        core().getConnection((error, connection) => (error ? reject(error) : resolve(connection))),
      ),
    release(connection, dead) {
      if (dead) hardClose(connection)
      else connection.release?.()
    },
    counters() {
      const p = internals ? pool : undefined // mysql2's private arrays: only on the pinned versions
      if (!p?._allConnections || !p._freeConnections || !p._connectionQueue) return undefined
      return { total: p._allConnections.length, idle: p._freeConnections.length, waiting: p._connectionQueue.length }
    },
    end: () => (owned && pool ? new Promise<void>((resolve) => pool!.end(() => resolve())) : Promise.resolve()),
  }
}

/**
 * mysql2's destroy() only half-closes the socket (FIN). A server blocked writing rows to a paused
 * connection never reads that FIN, so the socket is reset: the server's write fails and its thread ends.
 */
function hardClose(connection: RawConnection): void {
  connection.stream?.destroy?.()
  connection.destroy()
}

/** `SELECT VERSION()` on this connection (mysql2's documented query API). */
function serverVersion(connection: RawConnection): Promise<unknown> {
  return new Promise((resolve, reject) =>
    connection.query('SELECT VERSION() AS v', (error: unknown, rows?: unknown) =>
      error ? reject(error) : resolve((rows as { v?: unknown }[] | undefined)?.[0]?.v),
    ),
  )
}

function run(connection: RawConnection, sql: string): Promise<void> {
  return new Promise((resolve, reject) => connection.query(sql, (error) => (error ? reject(error) : resolve())))
}

const LOST_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ER_CONNECTION_KILLED',
  'ER_SERVER_SHUTDOWN',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'ER_NET_READ_INTERRUPTED',
])

function isLost(error: unknown): boolean {
  const e = error as { code?: unknown; fatal?: unknown } | null
  return e?.fatal === true || (typeof e?.code === 'string' && LOST_CODES.has(e.code))
}

/**
 * The connection cannot serve another statement: destroy it so the pool opens a fresh one. The error
 * decides; with `internals`, mysql2's private state of the connection too.
 */
function isDead(connection: RawConnection, error: unknown, internals: boolean): boolean {
  if (!internals) return isLost(error)
  const c = connection as unknown as {
    _fatalError?: unknown
    _protocolError?: unknown
    _closing?: unknown
    stream?: { destroyed?: boolean }
  }
  return isLost(error) || Boolean(c._fatalError || c._protocolError || c._closing || c.stream?.destroyed)
}

function toConnectorError(error: unknown, params: readonly unknown[]): SemanticLayerError {
  if (isSemanticLayerError(error)) return error
  return isLost(error)
    ? connectorError('CONNECTION_LOST', 'The MySQL connection was lost while the query ran', error, params)
    : connectorError('MYSQL_ERROR', 'MySQL failed to run the query', error, params)
}

function connectorError(
  issue: 'MYSQL_ERROR' | 'CONNECTION_LOST' | 'CONNECT_FAILED',
  what: string,
  error: unknown,
  params: readonly unknown[],
): SemanticLayerError {
  return new SemanticLayerError(
    'CONNECTOR_FAILED',
    [{ code: issue, path: [], message: `${what}: ${describeMysqlError(error, params)}` }],
    { cause: error },
  )
}

function zoneTablesError(): SemanticLayerError {
  return new SemanticLayerError('UNSUPPORTED', [
    {
      code: 'TIME_ZONE_TABLES_MISSING',
      path: ['timezone'],
      message:
        "This MySQL/MariaDB server cannot convert times to the query's time zone: its time zone tables are " +
        'empty or lack that zone, so CONVERT_TZ would return NULL. Load them (MariaDB: ' +
        'mariadb-tzinfo-to-sql /usr/share/zoneinfo | mariadb -u root mysql; MySQL: ' +
        'mysql_tzinfo_to_sql /usr/share/zoneinfo | mysql -u root mysql) and create the connector again, ' +
        'or query in UTC or a fixed-offset zone such as Etc/GMT-5.',
    },
  ])
}

function closedError(cause?: unknown): SemanticLayerError {
  return new SemanticLayerError(
    'CONNECTOR_FAILED',
    [{ code: 'CLOSED', path: [], message: 'This MySQL connector was closed; create a new one.' }],
    cause === undefined ? undefined : { cause },
  )
}

/**
 * Code, errno and the driver's message with every quoted part removed: MySQL quotes offending values
 * ("Incorrect datetime value: '...'"), so quoted text is never shown; text parameters are masked first
 * (a value with a quote inside would otherwise end the quoted part early). The driver error stays in `cause`.
 */
export function describeMysqlError(error: unknown, params: readonly unknown[] = []): string {
  const e = error as { code?: unknown; errno?: unknown; sqlMessage?: unknown; message?: unknown } | null
  const raw =
    typeof e?.sqlMessage === 'string' ? e.sqlMessage : typeof e?.message === 'string' ? e.message : 'unknown error'
  let message = raw
  for (const p of params) if (typeof p === 'string' && p.length >= 3) message = message.split(p).join('…')
  message = message.replace(/(?<![\p{L}\p{N}])(?:'(?:[^'\\]|\\.|'')*'?|"(?:[^"\\]|\\.|"")*"?)/gu, "'…'")
  const code = typeof e?.code === 'string' ? e.code : undefined
  const errno = typeof e?.errno === 'number' ? e.errno : undefined
  const prefix = [code, errno === undefined ? undefined : `errno ${errno}`].filter(Boolean).join(', ')
  return `${prefix ? `${prefix}: ` : ''}${message.slice(0, 300)}`
}

/** @internal Load mysql2 (exported with a module name for the DRIVER_MISSING test). */
export function loadMysqlDriver(moduleName = 'mysql2'): MysqlDriver {
  return requireDriver(moduleName, 'The MySQL connector needs mysql2', 'npm install mysql2')
}
