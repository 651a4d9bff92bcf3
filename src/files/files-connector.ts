import { createHash, randomUUID } from 'node:crypto'
import {
  brandConnector,
  type Connector,
  type ConnectorDefinition,
  type HealthReport,
  type SqlConnector,
} from '../connectors/connector.js'
import { SemanticLayerError, describeName, isSemanticLayerError } from '../errors.js'
import { duckdbDialect } from '../sql/dialects/duckdb-dialect.js'
import { sqliteDialect } from '../sql/dialects/sqlite-dialect.js'
import type { ColumnType } from './column-types.js'
import { fileError } from './file-errors.js'
import { foldAscii } from './load-sink.js'
import { loadTable } from './load-table.js'
import {
  tableSpecs,
  type FetchLike,
  type FilesOptions,
  type FilesTimers,
  type LoadTrigger,
  type TableSpec,
} from './options.js'
import { duckdbTableStore } from './duckdb-table-store.js'
import { sqliteTableStore } from './sqlite-table-store.js'
import type { TableStore } from './table-store.js'
import { watchFiles, type FileWatch } from './watch-files.js'

/** What a table holds now and how its last load went. */
export interface TableStatus {
  /** Whether the table has data (a load succeeded at least once). */
  readonly loaded: boolean
  readonly rows: number
  readonly bytes: number
  /** Content version of the data loaded (changes with the data and the table's options). */
  readonly version: string | undefined
  /** When the data now served was loaded (epoch ms of the connector's clock). */
  readonly loadedAt: number | undefined
  readonly columns: readonly { readonly name: string; readonly type: ColumnType }[]
  /** The last load's failure, while no later load has succeeded. The table still serves its previous data. */
  readonly error: SemanticLayerError | undefined
  /** A load is running. */
  readonly loading: boolean
}

/** A connector over files, with loading and reloading on top of the usual methods. */
export interface FilesConnector extends SqlConnector {
  /** Load every table that has no data yet (queries do this on their own first). Rejects with the first failure. */
  load(): Promise<void>
  /**
   * Read one table's source again (or every table's) and swap the new data in atomically. A failure
   * rejects and leaves the previous data in place; `onError` hears of it too.
   */
  reload(table?: string): Promise<void>
  /** Each table's state. */
  status(): Readonly<Record<string, TableStatus>>
  /**
   * A digest of the data the named tables hold (all tables when undefined or when a name is not one of
   * them). The layer puts it in result-cache keys, so a reload makes earlier results unreachable.
   */
  dataVersion(tables?: readonly string[] | undefined): string
}

interface TableState {
  readonly spec: TableSpec
  status: Omit<TableStatus, 'loading'>
  content: string | undefined
  running: Promise<void> | undefined
  /** A load requested while one runs: it starts when that one ends (changes during a load are not lost). */
  queued: Promise<void> | undefined
  refreshTimer: unknown
  debounceTimer: unknown
  lastFailureAt: number | undefined
}

const SYSTEM_TIMERS: FilesTimers = {
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms)
    handle.unref?.()
    return handle
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => Date.now(),
}

/** A table that never loaded is tried again by a query at most this often. */
const RETRY_MS = 10_000

/**
 * A connector whose tables come from files: CSV, Excel, JSON and NDJSON on disk or over HTTP(S), and
 * Google Sheets. Tables load into an in-memory SQLite database on the first query (or `await load()`),
 * and cubes use them by name (`sql_table: orders`) with the SQLite dialect.
 *
 * @example
 * import { files } from 'cortex-semantic/files'
 * const layer = createSemanticLayer({ model, connectors: { default: files({
 *   tables: { orders: './data/orders.csv', customers: { path: './data/crm.xlsx', sheet: 'Customers' } },
 *   columns: { orders: { created_at: 'time' } },
 *   watch: true,
 * }) } })
 */
export function files(options: FilesOptions): FilesConnector {
  const specs = tableSpecs(options)
  const timers = options.timers ?? SYSTEM_TIMERS
  const fetch = options.fetch ?? (globalThis.fetch as unknown as FetchLike | undefined)
  const tables = new Map<string, TableState>(
    specs.map((spec) => [
      spec.name,
      {
        spec,
        status: {
          loaded: false,
          rows: 0,
          bytes: 0,
          version: undefined,
          loadedAt: undefined,
          columns: [],
          error: undefined,
        },
        content: undefined,
        running: undefined,
        queued: undefined,
        refreshTimer: undefined,
        debounceTimer: undefined,
        lastFailureAt: undefined,
      },
    ]),
  )
  const byFolded = new Map([...tables.values()].map((t) => [foldAscii(t.spec.name), t]))
  let store: TableStore | undefined
  let watcher: FileWatch | undefined
  let started = false
  let closed = false

  const duck = options.engine === 'duckdb'
  const storeOf = (): TableStore => (store ??= duck ? duckdbTableStore() : sqliteTableStore())

  const report = (error: SemanticLayerError, table: string, trigger: LoadTrigger): void => {
    if (options.onError) {
      try {
        options.onError(error, { table, trigger })
      } catch {
        // A throwing hook must not turn a reported failure into an unhandled one.
      }
    } else if (trigger !== 'load' && trigger !== 'reload') {
      process.emitWarning(
        `cortex-semantic files(): reloading table ${describeName(table)} failed; it keeps its previous data. ` +
          `${error.message}`,
        { code: 'CORTEX_FILES_RELOAD_FAILED' },
      )
    }
  }

  /** One load of one table; the table's state changes only when it ends. */
  const runLoad = async (state: TableState, trigger: LoadTrigger): Promise<void> => {
    const started = timers.now()
    const { spec } = state
    try {
      if (!fetch && spec.origin.kind === 'url')
        throw fileError(
          'FETCH_FAILED',
          { table: spec.name, label: spec.label },
          'needs fetch: this runtime has no global fetch. Pass files({ fetch }).',
        )
      const result = await loadTable(spec, {
        store: storeOf(),
        source: { fetch: fetch!, fetchTimeoutMs: options.fetchTimeoutMs ?? 60_000 },
        currentContent: state.content,
        closed: () => closed,
        onProgress: (rows, bytes, totalBytes) => options.onProgress?.({ table: spec.name, rows, bytes, totalBytes }),
      })
      if (result.changed) {
        state.content = result.content
        state.status = {
          loaded: true,
          rows: result.rows,
          bytes: result.bytes,
          version: versionOf(spec, result.content),
          loadedAt: timers.now(),
          columns: result.columns,
          error: undefined,
        }
      } else state.status = { ...state.status, error: undefined }
      state.lastFailureAt = undefined
      options.onLoad?.({
        table: spec.name,
        trigger,
        rows: state.status.rows,
        bytes: state.status.bytes,
        durationMs: timers.now() - started,
        version: state.status.version!,
        changed: result.changed,
        columns: state.status.columns,
      })
    } catch (caught) {
      const error = isSemanticLayerError(caught)
        ? caught
        : fileError('LOAD_FAILED', { table: spec.name, label: spec.label }, 'could not be loaded (see cause).', {
            cause: caught,
          })
      state.status = { ...state.status, error }
      state.lastFailureAt = timers.now()
      report(error, spec.name, trigger)
      throw error
    } finally {
      scheduleRefresh(state)
    }
  }

  /** Load a table now, or right after the load in progress (one follow-up however many ask meanwhile). */
  const request = (state: TableState, trigger: LoadTrigger): Promise<void> => {
    if (closed) return Promise.reject(closedError())
    if (state.running) {
      state.queued ??= state.running
        .catch(() => undefined)
        .then(() => {
          state.queued = undefined
          return request(state, trigger)
        })
      return state.queued
    }
    const run = runLoad(state, trigger)
    state.running = run
    const clear = (): void => {
      if (state.running === run) state.running = undefined
    }
    run.then(clear, clear)
    return run
  }

  const scheduleRefresh = (state: TableState): void => {
    const every = state.spec.refreshEveryMs
    if (every === undefined || closed) return
    if (state.refreshTimer !== undefined) timers.clearTimeout(state.refreshTimer)
    state.refreshTimer = timers.setTimeout(() => {
      state.refreshTimer = undefined
      request(state, 'refresh').catch(() => undefined)
    }, every)
  }

  const startWatching = (): void => {
    if (started) return
    started = true
    if (!options.watch) return
    const paths = [...tables.values()].flatMap((t) =>
      t.spec.origin.kind === 'path' ? [{ table: t.spec.name, path: t.spec.origin.path }] : [],
    )
    if (paths.length === 0) return
    watcher = watchFiles(paths, (table) => {
      const state = tables.get(table)
      if (!state || closed) return
      if (state.debounceTimer !== undefined) timers.clearTimeout(state.debounceTimer)
      state.debounceTimer = timers.setTimeout(() => {
        state.debounceTimer = undefined
        request(state, 'watch').catch(() => undefined)
      }, options.watchDebounceMs ?? 300)
    })
  }

  /**
   * Before a statement: tables without data are loaded (a table whose load failed is tried again at most
   * every RETRY_MS). Resolves when they are done, failed or not; undefined when nothing is pending, so the
   * statement runs in the same turn and no swap can come between the check and the statement.
   */
  const pendingLoads = (): Promise<unknown> | undefined => {
    startWatching()
    const now = timers.now()
    let pending: Promise<unknown>[] | undefined
    for (const state of tables.values()) {
      if (state.status.loaded) continue
      if (state.running) (pending ??= []).push(state.running.catch(() => undefined))
      else if (state.lastFailureAt === undefined || now - state.lastFailureAt >= RETRY_MS) {
        ;(pending ??= []).push(request(state, 'load').catch(() => undefined))
      }
    }
    return pending && Promise.all(pending)
  }

  /** A statement failed on a table that has no data: the table's load error says why. */
  const explain = (error: unknown): unknown => {
    const cause = isSemanticLayerError(error) ? (error.cause as { message?: unknown } | undefined) : undefined
    const missing =
      typeof cause?.message === 'string'
        ? (/no such table: (?:main\.)?(.+)$/.exec(cause.message) ??
            /Table with name "?([^"\s!]+)"? does not exist/.exec(cause.message))?.[1]
        : undefined
    const state = missing === undefined ? undefined : byFolded.get(foldAscii(missing))
    return state && !state.status.loaded && state.status.error ? state.status.error : error
  }

  /** Every statement goes through here to the store's connector (the one delegation point). */
  const delegate = <T>(call: (inner: Connector) => Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(closedError())
    const run = (): Promise<T> => call(storeOf().connector).catch((error: unknown) => Promise.reject(explain(error)))
    const pending = pendingLoads()
    return pending ? pending.then(run) : run()
  }

  const connector: ConnectorDefinition & Omit<FilesConnector, keyof Connector> = {
    id: options.id ?? connectorId(specs),
    dialect: duck ? duckdbDialect : sqliteDialect,
    // Whatever the store's connector answers (SQLite's or DuckDB's: both all forms), with the options as given.
    rowForms: ['arrays', 'mapped'],
    execute: (statement, o) => delegate((c) => c.execute(statement, o)),
    async *stream(statement, o) {
      if (closed) throw closedError()
      await pendingLoads()
      const s = storeOf()
      const release = s.lease()
      try {
        yield* s.connector.stream(statement, o)
      } catch (error) {
        throw explain(error)
      } finally {
        release()
      }
    },
    async healthCheck(): Promise<HealthReport> {
      const started = timers.now()
      const failed = [...tables.values()].filter((t) => !t.status.loaded && t.status.error)
      if (failed.length > 0) {
        return {
          ok: false,
          latencyMs: timers.now() - started,
          error:
            `Tables without data: ` +
            `${failed.map((t) => `${t.spec.name} (${t.status.error!.issues[0]?.code ?? 'LOAD_FAILED'})`).join(', ')}`,
        }
      }
      if (!store) return { ok: true, latencyMs: 0 }
      return store.connector.healthCheck()
    },
    async close() {
      if (closed) return
      closed = true
      watcher?.close()
      for (const state of tables.values()) {
        if (state.refreshTimer !== undefined) timers.clearTimeout(state.refreshTimer)
        if (state.debounceTimer !== undefined) timers.clearTimeout(state.debounceTimer)
      }
      await Promise.all([...tables.values()].map((t) => t.queued ?? t.running)).catch(() => undefined)
      await store?.close()
    },
    async load() {
      startWatching()
      const results = await Promise.allSettled(
        [...tables.values()].filter((t) => !t.status.loaded).map((t) => t.running ?? request(t, 'load')),
      )
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
      if (failure) throw failure.reason
    },
    async reload(table) {
      startWatching()
      if (table !== undefined) {
        const state = typeof table === 'string' ? byFolded.get(foldAscii(table)) : undefined
        if (!state)
          throw new SemanticLayerError('QUERY_INVALID', [
            {
              code: 'UNKNOWN_TABLE',
              path: ['table'],
              message:
                `reload(): ${describeName(table)} is not a table of this connector. Tables: ` +
                `${[...tables.keys()].map((t) => describeName(t)).join(', ')}.`,
            },
          ])
        return request(state, 'reload')
      }
      const results = await Promise.allSettled([...tables.values()].map((t) => request(t, 'reload')))
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
      if (failure) throw failure.reason
    },
    status() {
      return Object.fromEntries(
        [...tables.values()].map((t) => [t.spec.name, { ...t.status, loading: t.running !== undefined }]),
      )
    },
    dataVersion(names) {
      const wanted = names?.map((n) => byFolded.get(foldAscii(unquote(n))))
      const chosen =
        wanted === undefined || wanted.some((t) => t === undefined)
          ? [...tables.values()]
          : [...new Set(wanted as TableState[])]
      // Before a table has data there is no version to share: a unique one makes such a result unreachable.
      if (chosen.some((t) => t.status.version === undefined)) return `unloaded:${randomUUID()}`
      return createHash('sha256')
        .update(
          chosen
            .map((t) => `${t.spec.name}\0${t.status.version!}`)
            .sort()
            .join('\0'),
        )
        .digest('hex')
    },
  }
  return brandConnector(connector) as FilesConnector
}

/** `files:<digest>` of every table's name, source (path or URL) and options: the default Connector.id. */
function connectorId(specs: readonly TableSpec[]): string {
  const parts = specs.map((s) => [s.name, s.origin.kind === 'path' ? s.origin.path : s.origin.url, s.optionsDigest])
  return `files:${createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32)}`
}

function versionOf(spec: TableSpec, content: string): string {
  return createHash('sha256').update(spec.optionsDigest).update(content).digest('hex').slice(0, 32)
}

/** `"orders"` → `orders` (a quoted sql_table names the same table). */
function unquote(name: string): string {
  return name.length >= 2 && name.startsWith('"') && name.endsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name
}

function closedError(): SemanticLayerError {
  return new SemanticLayerError('CONNECTOR_FAILED', [
    { code: 'CONNECTOR_CLOSED', path: [], message: 'This files() connector is closed.' },
  ])
}
