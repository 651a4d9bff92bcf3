import { createRequire } from 'node:module'
import { brandConnector, type Connector, type ConnectorDefinition } from '../connectors/connector.js'
import { isSemanticLayerError, type SemanticLayerError } from '../errors.js'
import { readingOptions } from '../util/options.js'
import {
  cancelledError,
  closedError,
  driverError,
  driverMissingError,
  mapFailedError,
  statementError,
  timeoutError,
} from './mongo-errors.js'
import {
  mongoIdentity,
  readMongoOptions,
  type MongoClientLike,
  type MongoConnectorOptions,
  type MongoCursorLike,
  type MongoDbLike,
} from './mongo-options.js'
import type { MongoDocument, MongoExecuteOptions, MongoRowForm, MongoStatement } from './mongo-statement.js'
import { fromBson } from './mongo-values.js'
import { mongoBackend } from './mongo-backend.js'

/** What `healthCheck()` reports; never throws, never holds credentials. */
export interface MongoHealthReport {
  readonly ok: boolean
  readonly latencyMs: number
  readonly error?: string
}

/**
 * A MongoDB data source: runs aggregation pipelines and returns their documents with BSON values in the
 * layer's forms (mongo-values.ts). The shape of issue 17's one connector contract.
 */
/** The MongoDB connector's own members: what it runs and how (the connector contract's, for pipelines). */
export interface MongoConnectorMembers {
  readonly engine: 'mongodb'
  /** What data it reads, for result-cache keys (hosts + database, never the password); see Connector.id. */
  readonly id?: string
  /** Run one pipeline and return every row in the requested form. */
  execute(statement: MongoStatement, options?: MongoExecuteOptions): Promise<readonly unknown[]>
  /** Run one pipeline and yield its rows as objects, `streamBatchSize` documents in memory at a time. */
  stream(statement: MongoStatement, options?: MongoExecuteOptions): AsyncIterable<Record<string, unknown>>
  /** `ping` (or, for a `{ db }` without `command`, an empty aggregate). Never throws. */
  healthCheck(): Promise<MongoHealthReport>
  /** Closes the client Cortex created from `url`; a host's client or db is left open. */
  close(): Promise<void>
}

/**
 * A MongoDB data source for `createSemanticLayer` (a {@link Connector} whose `backend` prints plans as
 * pipelines), also callable directly with `{ kind: 'mongo', collection, pipeline }` statements.
 */
export type MongoConnector = MongoConnectorMembers & Connector

interface MongoDriver {
  MongoClient: new (url: string, options?: MongoDocument) => MongoClientLike
}

const STREAM_BATCH = 1000
const HEALTH_TIMEOUT_MS = 10_000
const HEALTH_COLLECTION = 'cortex_health_check'
const noop = (): void => undefined

/**
 * A connector for MongoDB (the `mongodb` driver is an optional peer: `npm install mongodb`, needed only
 * for `url`). Pipelines run with `maxTimeMS` from `timeoutMs`; an AbortSignal closes the cursor and, on
 * driver 6.13+, aborts the running command. Errors are CONNECTOR_FAILED without values or credentials,
 * QUERY_TIMEOUT or QUERY_CANCELLED.
 *
 * @example
 * import { mongodb } from 'cortex-semantic/mongodb'
 * const shop = mongodb({ url: process.env.MONGO_URL, database: 'shop', pool: { max: 10 } })
 * // the host's client, never closed by Cortex: mongodb({ client, database: 'shop' })
 * // anything shaped like a Db: mongodb({ db })
 * const rows = await shop.execute({ kind: 'mongo', collection: 'orders', pipeline: [{ $count: 'n' }] })
 */
export function mongodb(options: MongoConnectorOptions): MongoConnector {
  return readingOptions('mongodb options', () => createMongo(options))
}

function createMongo(given: MongoConnectorOptions): MongoConnector {
  const { options, source } = readMongoOptions(given)
  const secrets = source.kind === 'url' ? source.secrets : []
  let owned: MongoClientLike | undefined
  let db: MongoDbLike | undefined
  let closed = false
  let closing: Promise<void> | undefined

  const database = (): MongoDbLike => {
    if (closed) throw closedError()
    if (db) return db
    if (source.kind === 'db') return (db = source.db)
    if (source.kind === 'client') return (db = source.client.db(source.database))
    const { MongoClient } = loadDriver()
    try {
      owned = new MongoClient(source.url, clientOptions(options))
    } catch (error) {
      throw driverError(error, secrets)
    }
    return (db = owned.db(source.database))
  }

  /** Documents of one pipeline, each converted, until the end, a stop or the consumer's return. */
  async function* documents(
    statement: MongoStatement,
    run: MongoExecuteOptions | undefined,
    batchSize: number | undefined,
  ): AsyncGenerator<MongoDocument> {
    checkStatement(statement)
    if (run?.signal?.aborted) throw cancelledError(run.signal.reason)
    const target = database()
    let cursor: MongoCursorLike | undefined
    let closing: Promise<void> | undefined
    const close = (): Promise<void> => (closing ??= closeQuietly(cursor))
    const stop = watchStop(run, () => void close())
    try {
      const aggregateOptions: MongoDocument = {
        ...(run?.timeoutMs === undefined ? {} : { maxTimeMS: Math.ceil(run.timeoutMs) }),
        ...(batchSize === undefined ? {} : { batchSize }),
        ...(options.allowDiskUse === undefined ? {} : { allowDiskUse: options.allowDiskUse }),
        ...(stop.signal ? { signal: stop.signal } : {}),
      }
      cursor = target.collection(statement.collection).aggregate([...statement.pipeline], aggregateOptions)
      const it = cursor[Symbol.asyncIterator]()
      for (;;) {
        const next = await stop.race(it.next())
        if (next.done) return
        yield next.value
      }
    } catch (error) {
      throw stop.failure(error) ?? (isSemanticLayerError(error) ? error : driverError(error, secrets, run?.timeoutMs))
    } finally {
      stop.dispose()
      await close()
    }
  }

  const execute = async (statement: MongoStatement, run?: MongoExecuteOptions): Promise<unknown[]> => {
    const form = run?.map ?? run?.rows ?? 'objects'
    const toRow = rowReader(statement, form)
    const rows: unknown[] = []
    for await (const doc of documents(statement, run, options.batchSize)) {
      const row = toRow(doc)
      if (typeof form !== 'function') rows.push(row)
      else {
        try {
          rows.push(form(row as unknown[]))
        } catch (error) {
          throw isSemanticLayerError(error) ? error : mapFailedError(error)
        }
      }
    }
    return rows
  }

  const healthCheck = async (): Promise<MongoHealthReport> => {
    const started = performance.now()
    try {
      const target = database()
      if (typeof target.command === 'function') {
        const ping = target.command({ ping: 1 }, { maxTimeMS: HEALTH_TIMEOUT_MS })
        const stop = watchStop({ timeoutMs: HEALTH_TIMEOUT_MS }, noop)
        try {
          await stop.race(Promise.resolve(ping))
        } catch (error) {
          throw stop.failure(error) ?? driverError(error, secrets, HEALTH_TIMEOUT_MS)
        } finally {
          stop.dispose()
        }
      } else {
        const probe = { kind: 'mongo', collection: HEALTH_COLLECTION, pipeline: [{ $limit: 1 }] } as const
        await execute(probe, { timeoutMs: HEALTH_TIMEOUT_MS })
      }
      return { ok: true, latencyMs: performance.now() - started }
    } catch (error) {
      const message = isSemanticLayerError(error) ? error.message : driverError(error, secrets).message
      return { ok: false, latencyMs: performance.now() - started, error: message }
    }
  }

  const id = options.id ?? mongoIdentity(source)
  const connector = {
    engine: 'mongodb',
    backend: mongoBackend,
    rowForms: ['arrays', 'mapped'],
    ...(id === undefined ? {} : { id }),
    execute,
    async *stream(statement, run) {
      const toRow = rowReader(statement, 'objects')
      for await (const doc of documents(statement, run, options.streamBatchSize ?? STREAM_BATCH))
        yield toRow(doc) as Record<string, unknown>
    },
    healthCheck,
    close() {
      closed = true
      return (closing ??= owned?.close ? owned.close().catch(noop) : Promise.resolve())
    },
  } satisfies MongoConnectorMembers & Pick<ConnectorDefinition, 'backend' | 'rowForms'>
  // Branded: createSemanticLayer takes it as a data source, and plans for it print as pipelines.
  return brandConnector(connector as unknown as ConnectorDefinition) as unknown as MongoConnector
}

/** How each document becomes a row of the requested form; arrays and functions need `columns`. */
function rowReader(statement: MongoStatement, form: MongoRowForm): (doc: MongoDocument) => unknown {
  const columns = statement?.columns
  if (form === 'objects' && columns === undefined) return (doc) => fromBson(doc)
  if (columns === undefined) throw statementError('array rows (rows: "arrays" or a function) need statement.columns')
  if (form === 'objects') return (doc) => Object.fromEntries(columns.map((c) => [c, fromBson(doc[c])]))
  return (doc) => columns.map((c) => fromBson(doc[c]))
}

function checkStatement(s: MongoStatement): void {
  if (typeof s !== 'object' || s === null || s.kind !== 'mongo') throw statementError('got another kind of statement')
  const c = s.collection as unknown
  if (typeof c !== 'string' || c.length === 0 || c.length > 255 || c.startsWith('$') || c.includes('\0'))
    throw statementError('collection must be a collection name')
  if (!Array.isArray(s.pipeline) || s.pipeline.some((stage) => typeof stage !== 'object' || stage === null))
    throw statementError('pipeline must be a list of stage documents')
  if (s.columns !== undefined && (!Array.isArray(s.columns) || s.columns.some((k) => typeof k !== 'string')))
    throw statementError('columns, when given, must be a list of field names')
}

type StopReason = 'timeout' | 'abort'

interface Stop {
  /** Aborts when the caller's signal does or the time budget runs out (undefined when neither is set). */
  readonly signal: AbortSignal | undefined
  /** `promise`, unless a stop comes first (then rejects; the promise's own outcome is ignored). */
  race<T>(promise: Promise<T>): Promise<T>
  /** The error to report if the run was stopped (whatever `cause` the driver then gave), else undefined. */
  failure(cause: unknown): SemanticLayerError | undefined
  dispose(): void
}

/**
 * The caller's signal and time budget as one internal AbortController, handed to the driver as
 * `signal`, plus a race for `{ db }` shapes that ignore it: a stop settles the caller's promise at once and
 * runs `onStop` (closing the cursor).
 */
function watchStop(run: MongoExecuteOptions | undefined, onStop: () => void): Stop {
  const signal = run?.signal
  const limit = run?.timeoutMs
  if (!signal && limit === undefined) {
    return { signal: undefined, race: (p) => p, failure: () => undefined, dispose: noop }
  }
  const controller = new AbortController()
  let why: StopReason | undefined
  let rejectStop: (error: unknown) => void = noop
  const stopped = new Promise<never>((_, reject) => (rejectStop = reject))
  stopped.catch(noop)
  const failure = (cause?: unknown): SemanticLayerError | undefined =>
    why === undefined
      ? undefined
      : why === 'timeout'
        ? timeoutError(limit!, cause)
        : cancelledError(signal?.reason, cause)
  const stop = (reason: StopReason): void => {
    if (why) return
    why = reason
    controller.abort(failure())
    rejectStop(failure())
    onStop()
  }
  const onAbort = (): void => stop('abort')
  const timer = limit === undefined ? undefined : setTimeout(() => stop('timeout'), limit)
  signal?.addEventListener('abort', onAbort, { once: true })
  return {
    signal: controller.signal,
    race: (p) => {
      p.catch(noop)
      return why ? Promise.reject(failure()) : Promise.race([p, stopped])
    },
    failure,
    dispose() {
      if (timer) clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    },
  }
}

async function closeQuietly(cursor: MongoCursorLike | undefined): Promise<void> {
  try {
    await cursor?.close?.()
  } catch {}
}

function clientOptions(options: Partial<MongoConnectorOptions>): MongoDocument {
  const pool = options.pool ?? {}
  return {
    appName: 'cortex-semantic',
    ...options.clientOptions,
    ...(pool.max === undefined ? {} : { maxPoolSize: pool.max }),
    ...(pool.min === undefined ? {} : { minPoolSize: pool.min }),
    ...(pool.idleTimeoutMs === undefined ? {} : { maxIdleTimeMS: pool.idleTimeoutMs }),
    ...(pool.connectionTimeoutMs === undefined ? {} : { connectTimeoutMS: pool.connectionTimeoutMs }),
    ...(pool.serverSelectionTimeoutMs === undefined ? {} : { serverSelectionTimeoutMS: pool.serverSelectionTimeoutMs }),
  }
}

function loadDriver(): MongoDriver {
  try {
    const require = createRequire(import.meta.url)
    return require('mongodb') as MongoDriver
  } catch (error) {
    throw driverMissingError(error)
  }
}
