import { SemanticLayerError } from '../errors.js'
import { snowflakeDialect } from '../sql/dialects/snowflake-dialect.js'
import { readingOptions, readOptions, type OptionSpecs } from '../util/options.js'
import { cancelledError, runCancellable } from './cancellation.js'
import {
  brandConnector,
  mapInPlace,
  sqlOf,
  type SqlConnector,
  type ExecuteOptions,
  type HealthReport,
  type ObjectRow,
  type Statement,
  type StatementOptions,
} from './connector.js'
import { givenId } from './connector-identity.js'
import { closedError, instantText, loadSdk, warehouseError } from './warehouse-support.js'

export interface SnowflakeOptions {
  /**
   * snowflake-sdk connection options: `account`, `username`, and `password`, `privateKey` or
   * `authenticator`; `warehouse`, `database`, `schema`, `role`, … Cortex creates and owns a pool of
   * such connections (it sets their session time zone, so it takes no connection of the host's).
   */
  readonly connection: Readonly<Record<string, unknown>>
  /** The pool: `max` connections (default 10), idle ones closed after `idleTimeoutMs` (default 5 minutes). */
  readonly pool?: { readonly max?: number; readonly idleTimeoutMs?: number }
  /** Names the data for result-cache keys. Default: `snowflake:` + account, host, database, schema, user, role. */
  readonly id?: string
}

const OPTIONS: OptionSpecs<SnowflakeOptions> = { connection: 'required', pool: 'object', id: 'any' }

// --- the slice of snowflake-sdk that Cortex uses (structural: the SDK is never imported) ---
interface SfColumn {
  getName(): string
  isNumber(): boolean
}
interface SfStatement {
  cancel(callback: (error: unknown) => void): void
  getColumns?(): readonly SfColumn[] | undefined
  streamRows(options?: object): AsyncIterable<unknown> & { destroy(error?: Error): void }
}
interface SfConnection {
  execute(options: {
    sqlText: string
    binds?: unknown[]
    fetchAsString?: string[]
    rowMode?: 'array' | 'object'
    streamResult?: boolean
    parameters?: Record<string, unknown>
    complete: (error: unknown, statement: SfStatement, rows?: unknown[]) => void
  }): SfStatement
}
interface SfPool {
  acquire(): Promise<SfConnection>
  release(connection: SfConnection): Promise<void>
  destroy(connection: SfConnection): Promise<void>
  drain(): Promise<void>
  clear(): Promise<void>
  readonly size?: number
  readonly available?: number
  readonly pending?: number
}
interface SnowflakeSdk {
  createPool(options: object, poolOptions: object): SfPool
}

/** Session settings the dialect relies on (see snowflake-dialect.ts), set on every connection Cortex opens. */
const SESSION_SQL = "ALTER SESSION SET TIMEZONE = 'UTC'"
/** Numbers as exact text (the layer makes numbers of those that fit); booleans, strings and dates as they are. */
const FETCH_AS_STRING = ['Number']

/**
 * A connector for Snowflake over the official SDK (install it: `npm install snowflake-sdk`). Statements
 * bind their values (`?`, never spliced); each new connection runs `ALTER SESSION SET TIMEZONE = 'UTC'`
 * (the dialect reads TIMESTAMP_NTZ as UTC) and every statement carries `STATEMENT_TIMEOUT_IN_SECONDS`
 * from its `timeoutMs`; a signal or a timeout cancels it (`abort-request`). `stream` reads rows as the SDK
 * fetches result chunks. NUMBER and FLOAT come back as exact text, timestamps as Cube's UTC text.
 *
 * @example
 * import { snowflake } from 'cortex-semantic/snowflake'
 * const connector = snowflake({
 *   connection: { account: 'xy12345.eu-central-1', username: 'CORTEX', password: process.env.SF_PASSWORD,
 *     warehouse: 'ANALYTICS', database: 'SHOP', schema: 'PUBLIC' },
 * })
 */
export function snowflake(input: SnowflakeOptions): SqlConnector {
  return readingOptions('snowflake options', () => createSnowflake(input))
}

function createSnowflake(input: SnowflakeOptions): SqlConnector {
  const options = readOptions<SnowflakeOptions>(input, OPTIONS, { what: 'snowflake options' }) as SnowflakeOptions
  if (typeof options.connection !== 'object' || options.connection === null) {
    const message = 'snowflake({ connection }) must be snowflake-sdk connection options (account, username, …).'
    throw new SemanticLayerError('CONFIG_INVALID', [{ code: 'INVALID_OPTION', path: ['connection'], message }])
  }
  const connection = { ...options.connection }
  const given = givenId(options.id, 'snowflake')
  const id = given ?? snowflakeIdentity(connection)
  let pool: SfPool | undefined
  let closed = false
  const ready = new WeakMap<SfConnection, Promise<void>>()

  const open = (): SfPool => {
    if (pool) return pool
    const sdk = loadSdk<SnowflakeSdk>('Snowflake', 'snowflake-sdk')
    pool = sdk.createPool(connection, {
      max: options.pool?.max ?? 10,
      min: 0,
      idleTimeoutMillis: options.pool?.idleTimeoutMs ?? 300_000,
      evictionRunIntervalMillis: 60_000,
    })
    return pool
  }

  const call = (
    conn: SfConnection,
    sqlText: string,
    binds: readonly unknown[],
    extra: { rowMode?: 'array' | 'object'; streamResult?: boolean; parameters?: Record<string, unknown> },
    started: (statement: SfStatement) => void = () => undefined,
  ): Promise<{ statement: SfStatement; rows: unknown[] }> =>
    new Promise((resolve, reject) => {
      const statement = conn.execute({
        sqlText,
        binds: [...binds],
        fetchAsString: FETCH_AS_STRING,
        ...extra,
        complete: (error, stmt, rows) => (error ? reject(error) : resolve({ statement: stmt, rows: rows ?? [] })),
      })
      started(statement)
    })

  const acquire = async (): Promise<SfConnection> => {
    if (closed) throw closedError('Snowflake')
    const p = open()
    const conn = await p.acquire()
    try {
      let session = ready.get(conn)
      if (!session) {
        session = call(conn, SESSION_SQL, [], {}).then(() => undefined)
        ready.set(conn, session)
      }
      await session
      return conn
    } catch (error) {
      ready.delete(conn)
      await p.destroy(conn).catch(() => undefined)
      throw error
    }
  }

  const parametersFor = (exec: StatementOptions | undefined): Record<string, unknown> => ({
    TIMEZONE: 'UTC',
    ...(exec?.timeoutMs !== undefined
      ? { STATEMENT_TIMEOUT_IN_SECONDS: Math.max(1, Math.ceil(exec.timeoutMs / 1000)) }
      : {}),
  })

  /** Run one statement to its end; the connection goes back to the pool (or is dropped if it broke). */
  const runStatement = async (
    statement: Statement,
    exec: StatementOptions | undefined,
    rowMode: 'array' | 'object',
  ): Promise<unknown[]> => {
    const { sql, params } = sqlOf(statement, 'Snowflake')
    let running: SfStatement | undefined
    let stopped = false
    try {
      return await runCancellable(
        exec,
        async () => {
          const conn = await acquire()
          try {
            if (stopped) throw cancelledError()
            const { statement: done, rows } = await call(
              conn,
              sql,
              params,
              { rowMode, parameters: parametersFor(exec) },
              (s) => {
                running = s
              },
            )
            const fix = rowFixer(done)
            for (let i = 0; i < rows.length; i++) rows[i] = fix(rows[i])
            return rows
          } finally {
            await open()
              .release(conn)
              .catch(() => undefined)
          }
        },
        () =>
          new Promise<void>((resolve) => {
            stopped = true
            if (!running) resolve()
            else running.cancel(() => resolve())
          }),
      )
    } catch (error) {
      throw toError(error, params)
    }
  }

  const connector = {
    dialect: snowflakeDialect,
    ...(id === undefined ? {} : { id }),
    rowForms: ['arrays', 'mapped'] as const,
    async execute(statement: Statement, exec?: ExecuteOptions): Promise<readonly unknown[]> {
      const arrays = exec?.map !== undefined || exec?.rows === 'arrays'
      const rows = await runStatement(statement, exec, arrays ? 'array' : 'object')
      return exec?.map ? mapInPlace('Snowflake', rows, exec.map) : rows
    },
    async *stream(statement: Statement, exec?: StatementOptions): AsyncGenerator<ObjectRow> {
      const { sql, params } = sqlOf(statement, 'Snowflake')
      if (exec?.signal?.aborted) throw cancelledError(exec.signal.reason)
      let conn: SfConnection | undefined
      let rows: (AsyncIterable<unknown> & { destroy(error?: Error): void }) | undefined
      try {
        const started = await runCancellable(
          exec,
          async () => {
            conn = await acquire()
            return call(conn, sql, params, { rowMode: 'object', streamResult: true, parameters: parametersFor(exec) })
          },
          async () => undefined,
        )
        rows = started.statement.streamRows()
        const fix = rowFixer(started.statement)
        for await (const row of rows) {
          if (exec?.signal?.aborted) throw cancelledError(exec.signal.reason)
          yield fix(row) as ObjectRow
        }
      } catch (error) {
        throw toError(error, params)
      } finally {
        rows?.destroy()
        if (conn)
          await open()
            .release(conn)
            .catch(() => undefined)
      }
    },
    async healthCheck(): Promise<HealthReport> {
      const started = performance.now()
      try {
        await connector.execute({ kind: 'sql', sql: 'SELECT 1', params: [] }, { timeoutMs: 30_000 })
        const p = pool
        const counters =
          p && typeof p.size === 'number' && typeof p.available === 'number' && typeof p.pending === 'number'
            ? { pool: { total: p.size, idle: p.available, waiting: p.pending } }
            : {}
        return { ok: true, latencyMs: performance.now() - started, ...counters }
      } catch (error) {
        const e = error as { issues?: { message?: string }[] }
        return { ok: false, latencyMs: performance.now() - started, error: e.issues?.[0]?.message ?? 'failed' }
      }
    },
    async close(): Promise<void> {
      closed = true
      const p = pool
      pool = undefined
      if (p) {
        await p.drain()
        await p.clear()
      }
    },
  }
  return brandConnector(connector)
}

function toError(error: unknown, params: readonly unknown[]): SemanticLayerError {
  const e = error as { code?: unknown; sqlState?: unknown; message?: unknown } | null
  const code = [
    typeof e?.sqlState === 'string' ? `SQLSTATE ${e.sqlState}` : undefined,
    typeof e?.code === 'string' || typeof e?.code === 'number' ? `code ${e.code}` : undefined,
  ]
    .filter(Boolean)
    .join(', ')
  const message = typeof e?.message === 'string' ? e.message : 'unknown error'
  return warehouseError(
    'SNOWFLAKE_ERROR',
    'Snowflake failed to run the query',
    error,
    params,
    code ? `${code}: ${message}` : message,
  )
}

/**
 * Each row as the layer wants it, in place: Date values (TIMESTAMP_* and DATE columns the SQL did not
 * format) as Cube's UTC text, and NULL in a NUMBER/FLOAT column as null: with `fetchAsString` the SDK turns
 * a NULL into the text 'NULL' unless `representNullAsStringNull: false` was set (SDK-wide state that any
 * connection in the process may change), and a number column never holds that text otherwise.
 */
function rowFixer(statement: SfStatement): (row: unknown) => unknown {
  const columns = statement.getColumns?.() ?? []
  const numbers = new Set<number | string>()
  columns.forEach((c, i) => {
    if (c.isNumber()) numbers.add(i).add(c.getName())
  })
  const value = (key: number | string, v: unknown): unknown =>
    v instanceof Date ? instantText(v.getTime()) : v === 'NULL' && numbers.has(key) ? null : v
  return (row) => {
    if (Array.isArray(row)) {
      for (let i = 0; i < row.length; i++) row[i] = value(i, row[i])
    } else if (row !== null && typeof row === 'object') {
      const o = row as Record<string, unknown>
      for (const k in o) o[k] = value(k, o[k])
    }
    return row
  }
}

/** What a connection reads: account or host, database, schema, user and role (never a secret). */
function snowflakeIdentity(c: Record<string, unknown>): string | undefined {
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)
  const account = text(c.account) ?? text(c.accessUrl) ?? text(c.host)
  if (!account) return undefined
  const target = {
    account,
    host: text(c.host) ?? text(c.accessUrl),
    database: text(c.database),
    schema: text(c.schema),
    user: text(c.username),
    role: text(c.role),
  }
  return `snowflake:${JSON.stringify(target)}`
}
