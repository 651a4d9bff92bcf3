/**
 * The MongoDB connector over the `{ db }` shape, run by mingo over the e-commerce dataset (no MongoDB
 * server can be installed here): rows in every form, value mapping, options handed to `aggregate`,
 * streaming with bounded memory, cancellation, timeouts, errors and the health check.
 */
import { Binary, Decimal128, Long, ObjectId, UUID } from 'mongodb'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { isSemanticLayerError, type SemanticLayerError } from '../../src/errors.js'
import { mongodb } from '../../src/mongodb.js'
import type { MongoCursorLike, MongoDbLike } from '../../src/mongo/mongo-options.js'
import type { MongoDocument } from '../../src/mongo/mongo-statement.js'
import { RowShaper } from '../../src/result/shape-result.js'
import { loadDataset, objectIdFor, typedOrders } from './harness/dataset.js'
import { mingoDb } from './harness/mingo-db.js'

const { db: sqlite, data, collections } = loadDataset()
afterAll(() => sqlite.close())

async function rejection(promise: Promise<unknown>): Promise<SemanticLayerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isSemanticLayerError(error)) throw new Error(`expected a SemanticLayerError, got ${String(error)}`)
  return error
}

const byStatus = {
  kind: 'mongo',
  collection: 'orders',
  pipeline: [
    { $group: { _id: '$status', n: { $sum: 1 }, total: { $sum: '$amount' } } },
    { $project: { _id: 0, status: '$_id', n: 1, total: 1 } },
    { $sort: { status: 1 } },
  ],
  columns: ['status', 'n', 'total'],
} as const

const oracleByStatus = () =>
  sqlite
    .prepare('SELECT status, count(*) AS n, sum(amount) AS total FROM orders GROUP BY status ORDER BY status')
    .all() as { status: string; n: number; total: number }[]

describe('mongodb({ db }) execute', () => {
  it('returns the documents of the pipeline, matching the oracle SQL', async () => {
    const connector = mongodb({ db: mingoDb(collections) })
    const rows = (await connector.execute(byStatus)) as { status: string; n: number; total: number }[]
    const oracle = oracleByStatus()
    expect(rows.map((r) => [r.status, r.n])).toEqual(oracle.map((r) => [r.status, r.n]))
    rows.forEach((r, i) => expect(r.total).toBeCloseTo(oracle[i]!.total, 6))
  })

  it('returns array rows in columns order, and hands each to a row function', async () => {
    const connector = mongodb({ db: mingoDb(collections) })
    const arrays = (await connector.execute(byStatus, { rows: 'arrays' })) as unknown[][]
    expect(arrays.map((r) => r.slice(0, 2))).toEqual(oracleByStatus().map((r) => [r.status, r.n]))
    const mapped = await connector.execute(byStatus, { rows: (row) => `${String(row[0])}=${String(row[1])}` })
    expect(mapped).toEqual(oracleByStatus().map((r) => `${r.status}=${r.n}`))
  })

  it('reads a field the document lacks as null in array rows and keyed object rows', async () => {
    // orders.note is missing in odd-id documents and null in even ones (harness/dataset.ts).
    const odd = data.orders.find((o) => o.note === null && o.id % 2 === 1)!.id
    const even = data.orders.find((o) => o.note === null && o.id % 2 === 0)!.id
    expect(collections.orders!.find((d) => d.id === odd)).not.toHaveProperty('note')
    expect(collections.orders!.find((d) => d.id === even)).toHaveProperty('note', null)
    const statement = {
      kind: 'mongo',
      collection: 'orders',
      pipeline: [
        { $match: { id: { $in: [odd, even] } } },
        { $project: { _id: 0, id: 1, note: 1 } },
        { $sort: { id: 1 } },
      ],
      columns: ['id', 'note'],
    } as const
    const [a, b] = [Math.min(odd, even), Math.max(odd, even)]
    const connector = mongodb({ db: mingoDb(collections) })
    expect(await connector.execute(statement, { rows: 'arrays' })).toEqual([
      [a, null],
      [b, null],
    ])
    expect(await connector.execute(statement)).toEqual([
      { id: a, note: null },
      { id: b, note: null },
    ])
  })

  it('refuses array rows without columns and statements of another kind, naming the problem', async () => {
    const connector = mongodb({ db: mingoDb(collections) })
    const noColumns = { kind: 'mongo', collection: 'orders', pipeline: [] } as const
    const arrays = await rejection(connector.execute(noColumns, { rows: 'arrays' }))
    expect(arrays.issues[0]!.code).toBe('INVALID_STATEMENT')
    expect(arrays.message).toContain('statement.columns')
    const sql = { kind: 'sql', sql: 'SELECT 1', params: [] } as unknown as typeof noColumns
    expect((await rejection(connector.execute(sql))).issues[0]!.code).toBe('INVALID_STATEMENT')
    const bad = { kind: 'mongo', collection: '$cmd', pipeline: [] } as const
    expect((await rejection(connector.execute(bad))).message).toContain('collection must be a collection name')
    const notStages = { kind: 'mongo', collection: 'orders', pipeline: ['$match'] } as unknown as typeof noColumns
    expect((await rejection(connector.execute(notStages))).message).toContain('list of stage documents')
  })

  it('passes timeoutMs as maxTimeMS, the batch size, allowDiskUse and an abort signal to aggregate', async () => {
    const db = mingoDb(collections)
    const connector = mongodb({ db, batchSize: 50, allowDiskUse: true })
    await connector.execute(byStatus, { timeoutMs: 1500.5 })
    const options = db.calls[0]!.options
    expect(options).toMatchObject({ maxTimeMS: 1501, batchSize: 50, allowDiskUse: true })
    expect(options.signal).toBeInstanceOf(AbortSignal)
    expect(db.calls[0]!.collection).toBe('orders')
    await connector.execute(byStatus)
    expect(db.calls[1]!.options).toEqual({ batchSize: 50, allowDiskUse: true })
  })

  it('maps a row function that throws to ROW_MAP_FAILED without its message, and closes the cursor', async () => {
    const db = mingoDb(collections)
    const connector = mongodb({ db })
    const error = await rejection(
      connector.execute(byStatus, {
        rows: () => {
          throw new Error('secret row value 42')
        },
      }),
    )
    expect(error.issues[0]!.code).toBe('ROW_MAP_FAILED')
    expect(error.message).not.toContain('42')
    expect(db.closed.count).toBe(1)
  })
})

describe('value mapping (BSON → the layer forms)', () => {
  const typed = { orders: typedOrders(data), misc: [] as MongoDocument[] }
  const statement = {
    kind: 'mongo',
    collection: 'orders',
    pipeline: [
      { $match: { _id: objectIdFor('orders', 9) } },
      { $project: { _id: 1, id: 1, amount: 1, customer_ref: 1 } },
    ],
  } as const

  it('gives ObjectId as hex, Long as a number, Decimal128 as exact plain decimal text', async () => {
    const connector = mongodb({ db: mingoDb(typed) })
    const [row] = (await connector.execute(statement)) as Record<string, unknown>[]
    const order = data.orders[8]!
    expect(row).toEqual({
      _id: objectIdFor('orders', 9).toHexString(),
      id: 9,
      amount: order.amount.toFixed(2),
      customer_ref: objectIdFor('customers', order.customer_id).toHexString(),
    })
  })

  it('keeps Long and Decimal128 exact beyond 2^53 and in exponent form; dates as UTC time text', async () => {
    const misc = [
      {
        _id: 1,
        big: Long.fromString('9007199254740993'),
        small: Long.fromNumber(-12),
        bigint: 12345678901234567890n,
        dec: Decimal128.fromString('1.23450E+3'),
        tiny: Decimal128.fromString('1E-7'),
        nan: Decimal128.fromString('NaN'),
        at: new Date(Date.UTC(2024, 2, 31, 1, 0, 0, 7)),
        bad: new Date(Number.NaN),
        uuid: new UUID('0f4e6b3c-1f1a-4c8e-9d2b-3a4b5c6d7e8f'),
        bin: new Binary(Buffer.from('hi')),
        nested: { inner: [Decimal128.fromString('0.10'), new ObjectId('a00000000000000000000001')] },
      },
    ]
    const connector = mongodb({ db: mingoDb({ misc }) })
    const [row] = (await connector.execute({ kind: 'mongo', collection: 'misc', pipeline: [] })) as MongoDocument[]
    expect(row).toEqual({
      _id: 1,
      big: '9007199254740993',
      small: -12,
      bigint: '12345678901234567890',
      dec: '1234.50',
      tiny: '0.0000001',
      nan: 'NaN',
      at: '2024-03-31T01:00:00.007',
      bad: null,
      uuid: '0f4e6b3c-1f1a-4c8e-9d2b-3a4b5c6d7e8f',
      bin: 'aGk=',
      nested: { inner: ['0.10', 'a00000000000000000000001'] },
    })
  })

  it('keeps a stored __proto__ key as a key of the copied document', async () => {
    const doc = JSON.parse('{"_id":1,"nested":{"__proto__":{"polluted":true},"a":1}}') as MongoDocument
    const connector = mongodb({ db: mingoDb({ misc: [doc] }) })
    const [row] = (await connector.execute({ kind: 'mongo', collection: 'misc', pipeline: [] })) as MongoDocument[]
    const nested = row!.nested as Record<string, unknown>
    expect(Object.keys(nested)).toEqual(['__proto__', 'a'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.getPrototypeOf(nested)).toBe(Object.prototype)
  })

  it('follows the layer number rules through RowShaper: numbers, or exact text with decimals "string"', async () => {
    const misc = [{ _id: 1, amount: Decimal128.fromString('1234.50'), big: Long.fromString('9007199254740993') }]
    const connector = mongodb({ db: mingoDb({ misc }) })
    const statement = { kind: 'mongo', collection: 'misc', pipeline: [], columns: ['amount', 'big'] } as const
    const columns = [
      { alias: 'amount', keys: ['t.amount'], kind: 'measure', type: 'number' },
      { alias: 'big', keys: ['t.big'], kind: 'measure', type: 'number' },
    ] as const
    const rows = (await connector.execute(statement, { rows: 'arrays' })) as unknown[][]
    const asNumbers = new RowShaper(columns, 'number').all({ form: 'arrays', rows }, 10).data
    const asStrings = new RowShaper(columns, 'string').all({ form: 'arrays', rows }, 10).data
    expect(asNumbers).toEqual([{ 't.amount': 1234.5, 't.big': '9007199254740993' }])
    expect(asStrings).toEqual([{ 't.amount': '1234.50', 't.big': '9007199254740993' }])
  })
})

describe('stream()', () => {
  const everyOrder = {
    kind: 'mongo',
    collection: 'orders',
    pipeline: [{ $sort: { id: 1 } }, { $project: { _id: 0, id: 1 } }],
  } as const

  it('yields every document, reading at most one batch ahead of the consumer', async () => {
    const db = mingoDb(collections)
    const connector = mongodb({ db, streamBatchSize: 25 })
    const ids: number[] = []
    let mostAhead = 0
    for await (const row of connector.stream(everyOrder)) {
      ids.push(row.id as number)
      mostAhead = Math.max(mostAhead, db.served.count - ids.length)
    }
    expect(ids).toEqual(data.orders.map((o) => o.id))
    expect(db.calls[0]!.options.batchSize).toBe(25)
    expect(mostAhead).toBeLessThanOrEqual(25)
  })

  it('closes the cursor when the consumer stops early', async () => {
    const db = mingoDb(collections)
    const connector = mongodb({ db })
    let n = 0
    for await (const _ of connector.stream(everyOrder)) if (++n === 3) break
    expect(db.closed.count).toBe(1)
    expect(db.served.count).toBeLessThan(data.orders.length)
  })

  it('stops with QUERY_CANCELLED when the signal aborts mid-stream, and closes the cursor', async () => {
    for (const honourSignal of [false, true]) {
      const db = mingoDb(collections, { honourSignal })
      const connector = mongodb({ db, streamBatchSize: 10 })
      const controller = new AbortController()
      let n = 0
      const error = await rejection(
        (async () => {
          for await (const _ of connector.stream(everyOrder, { signal: controller.signal })) {
            if (++n === 15) controller.abort(new Error('user left'))
          }
        })(),
      )
      expect(error.code).toBe('QUERY_CANCELLED')
      expect(n).toBe(15)
      expect(db.closed.count).toBe(1)
    }
  })
})

describe('cancellation and timeouts', () => {
  afterEach(() => vi.useRealTimers())

  /** A db whose cursor never yields: a pipeline still running on the server. */
  function hangingDb(): MongoDbLike & { closed: number; options: MongoDocument[] } {
    const state = { closed: 0, options: [] as MongoDocument[] }
    const cursor = (): MongoCursorLike => ({
      [Symbol.asyncIterator]: () => ({ next: () => new Promise<never>(() => undefined) }),
      toArray: () => new Promise<never>(() => undefined),
      close: async () => void state.closed++,
    })
    return Object.assign(state, {
      collection: () => ({
        aggregate: (_: MongoDocument[], options?: MongoDocument) => {
          state.options.push(options ?? {})
          return cursor()
        },
      }),
    })
  }

  it('refuses an already aborted signal without running anything', async () => {
    const db = mingoDb(collections)
    const controller = new AbortController()
    controller.abort()
    const error = await rejection(mongodb({ db }).execute(byStatus, { signal: controller.signal }))
    expect(error.code).toBe('QUERY_CANCELLED')
    expect(db.calls).toHaveLength(0)
  })

  it('gives up after timeoutMs even when the db ignores maxTimeMS, closing the cursor (QUERY_TIMEOUT)', async () => {
    vi.useFakeTimers()
    const db = hangingDb()
    const pending = rejection(mongodb({ db }).execute(byStatus, { timeoutMs: 5000 }))
    await vi.advanceTimersByTimeAsync(4999)
    expect(db.closed).toBe(0)
    await vi.advanceTimersByTimeAsync(1)
    const error = await pending
    expect(error.code).toBe('QUERY_TIMEOUT')
    expect(error.message).toContain('5000 ms')
    expect(db.closed).toBe(1)
    expect((db.options[0]!.signal as AbortSignal).aborted).toBe(true)
  })

  it('cancels a pipeline still running when the signal aborts (QUERY_CANCELLED), aborting the driver signal', async () => {
    const db = hangingDb()
    const controller = new AbortController()
    const pending = rejection(mongodb({ db }).execute(byStatus, { signal: controller.signal }))
    await new Promise((r) => setImmediate(r))
    controller.abort()
    expect((await pending).code).toBe('QUERY_CANCELLED')
    expect(db.closed).toBe(1)
    expect((db.options[0]!.signal as AbortSignal).aborted).toBe(true)
  })

  it('reports the server expiring maxTimeMS (code 50) as QUERY_TIMEOUT', async () => {
    const expired = Object.assign(new Error('operation exceeded time limit'), {
      name: 'MongoServerError',
      code: 50,
      codeName: 'MaxTimeMSExpired',
    })
    const db: MongoDbLike = {
      collection: () => ({
        aggregate: () => ({
          [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(expired) }),
          toArray: () => Promise.reject(expired),
        }),
      }),
    }
    const error = await rejection(mongodb({ db }).execute(byStatus, { timeoutMs: 200 }))
    expect(error.code).toBe('QUERY_TIMEOUT')
    expect(error.cause).toBe(expired)
  })
})

describe('errors', () => {
  const failing = (error: unknown): MongoDbLike => ({
    collection: () => ({
      aggregate: () => ({
        [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }),
        toArray: () => Promise.reject(error),
      }),
    }),
  })

  it('masks the values MongoDB quotes in its messages and keeps the code name', async () => {
    const server = Object.assign(
      new Error(`Failed to parse number 'tenant-secret' in $convert with no onError value: "abc" { x: "v" }`),
      { name: 'MongoServerError', code: 241, codeName: 'ConversionFailure' },
    )
    const error = await rejection(mongodb({ db: failing(server) }).execute(byStatus))
    expect(error.code).toBe('CONNECTOR_FAILED')
    expect(error.issues[0]!.code).toBe('MONGODB_ERROR')
    expect(error.message).toContain('ConversionFailure (code 241)')
    expect(error.message).not.toMatch(/tenant-secret|abc|"v"/)
    expect(error.cause).toBe(server)
  })

  it('reports connection failures as CONNECT_FAILED without credentials', async () => {
    const network = Object.assign(new Error('connect ECONNREFUSED, url mongodb://app:hunter2@db.internal/shop'), {
      name: 'MongoServerSelectionError',
    })
    const error = await rejection(mongodb({ db: failing(network) }).execute(byStatus))
    expect(error.issues[0]!.code).toBe('CONNECT_FAILED')
    expect(error.message).toContain('MongoServerSelectionError')
    expect(error.message).not.toContain('hunter2')
  })

  it('refuses to run after close()', async () => {
    const connector = mongodb({ db: mingoDb(collections) })
    await connector.close()
    expect((await rejection(connector.execute(byStatus))).issues[0]!.code).toBe('CLOSED')
  })
})

describe('healthCheck()', () => {
  it('pings through command() when the db has one', async () => {
    const db = mingoDb(collections, { withCommand: true })
    const report = await mongodb({ db }).healthCheck()
    expect(report.ok).toBe(true)
    expect(db.calls).toHaveLength(0)
  })

  it('runs an empty aggregate when the db has no command()', async () => {
    const db = mingoDb(collections)
    const report = await mongodb({ db }).healthCheck()
    expect(report.ok).toBe(true)
    expect(db.calls[0]).toMatchObject({ collection: 'cortex_health_check', pipeline: [{ $limit: 1 }] })
  })

  it('reports a failure without throwing', async () => {
    const db: MongoDbLike = {
      collection: () => {
        throw Object.assign(new Error('gone'), { name: 'MongoNotConnectedError' })
      },
    }
    const report = await mongodb({ db }).healthCheck()
    expect(report.ok).toBe(false)
    expect(report.error).toContain('Could not reach MongoDB (MongoNotConnectedError: gone)')
  })
})
