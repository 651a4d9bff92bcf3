/**
 * A `{ db }` for the MongoDB connector over in-memory collections, evaluated by mingo (an independent
 * implementation of MongoDB's query language): `collection(name).aggregate(pipeline, options)` returns a
 * cursor with `toArray()`, async iteration in batches and `close()`, as the driver's does. No MongoDB
 * server can be installed on these machines, so this is what the pipelines run on here.
 *
 * - An unknown collection is empty, as on MongoDB.
 * - Documents reach mingo as fresh shallow copies, so a stage that writes into its input (mingo's
 *   CLONE_OFF mode) cannot change the stored data.
 * - `scriptEnabled: false`: a pipeline with `$where`, `$function` or `$accumulator` fails here.
 * - mingo ignores `maxTimeMS`; every call's options are recorded (`calls`) so tests can check them.
 * - `honourSignal`: abort the cursor when the `signal` option aborts, as driver 6.13+ does; without it the
 *   cursor ignores the signal, as older drivers and other `{ db }` shapes may.
 * - Batches of `batchSize` (default 101) documents, with a macrotask between batches, like a server round trip.
 */
import { Aggregator } from 'mingo'
import type { MongoCursorLike, MongoDbLike } from '../../../src/mongo/mongo-options.js'
import type { MongoDocument } from '../../../src/mongo/mongo-statement.js'

export interface AggregateCall {
  readonly collection: string
  readonly pipeline: readonly MongoDocument[]
  readonly options: MongoDocument
}

export interface MingoDb extends MongoDbLike {
  readonly calls: AggregateCall[]
  /** Cursors closed by their consumer (close() called), counted. */
  readonly closed: { count: number }
  /** Documents handed out so far, over all cursors. */
  readonly served: { count: number }
}

export interface MingoDbOptions {
  readonly honourSignal?: boolean
  /** Give the db a `command()` that answers `{ ping: 1 }` (the driver's Db has one). */
  readonly withCommand?: boolean
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** Run a pipeline on mingo over `collections` (the same evaluation the harness cursor does), all at once. */
export function runMingo(
  collections: Readonly<Record<string, readonly MongoDocument[]>>,
  collection: string,
  pipeline: readonly MongoDocument[],
): MongoDocument[] {
  const resolve = (name: string): MongoDocument[] => (collections[name] ?? []).map((d) => ({ ...d }))
  const aggregator = new Aggregator([...pipeline], { collectionResolver: resolve, scriptEnabled: false })
  return aggregator.run(resolve(collection))
}

export function mingoDb(
  collections: Readonly<Record<string, readonly MongoDocument[]>>,
  options: MingoDbOptions = {},
): MingoDb {
  const calls: AggregateCall[] = []
  const closed = { count: 0 }
  const served = { count: 0 }
  const resolve = (name: string): MongoDocument[] => (collections[name] ?? []).map((d) => ({ ...d }))
  const db: MingoDb = {
    calls,
    closed,
    served,
    databaseName: 'harness',
    collection(name) {
      return {
        aggregate(pipeline, aggregateOptions = {}) {
          calls.push({ collection: name, pipeline, options: aggregateOptions })
          return cursor(name, pipeline, aggregateOptions)
        },
      }
    },
  }
  if (options.withCommand) {
    db.command = async (command) => {
      if (command.ping === 1) return { ok: 1 }
      throw Object.assign(new Error('no such command'), {
        name: 'MongoServerError',
        code: 59,
        codeName: 'CommandNotFound',
      })
    }
  }

  function cursor(name: string, pipeline: readonly MongoDocument[], aggregateOptions: MongoDocument): MongoCursorLike {
    let source: { next(): { value?: unknown; done: boolean } } | undefined
    let isClosed = false
    const batchSize = typeof aggregateOptions.batchSize === 'number' ? aggregateOptions.batchSize : 101
    const signal = options.honourSignal ? (aggregateOptions.signal as AbortSignal | undefined) : undefined
    const start = () =>
      (source ??= new Aggregator([...pipeline], { collectionResolver: resolve, scriptEnabled: false }).stream(
        resolve(name),
      ))
    async function* iterate(): AsyncGenerator<MongoDocument> {
      let inBatch = 0
      for (;;) {
        if (inBatch === 0) await tick()
        if (signal?.aborted) throw signal.reason
        if (isClosed) return
        const next = start().next()
        if (next.done) return
        served.count++
        inBatch = (inBatch + 1) % batchSize
        yield next.value as MongoDocument
      }
    }
    return {
      [Symbol.asyncIterator]: () => iterate(),
      async toArray() {
        const out: MongoDocument[] = []
        for await (const doc of iterate()) out.push(doc)
        return out
      },
      async close() {
        if (!isClosed) closed.count++
        isClosed = true
      },
    }
  }
  return db
}
