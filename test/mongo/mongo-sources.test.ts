/**
 * `mongodb({ url })` and `mongodb({ client })` as far as no server allows (none can be installed here):
 * option checks, identity, a coded error (never a hang) when the server is unreachable, the host's client
 * left open. The real-server part runs only with CORTEX_TEST_MONGO_URL, and is skipped by name otherwise,
 * also under CI=true: these machines cannot run MongoDB (docs/mongodb.md, "Testing").
 */
import { createServer } from 'node:net'
import { MongoClient } from 'mongodb'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { isSemanticLayerError, type SemanticLayerError } from '../../src/errors.js'
import { mongodb } from '../../src/mongodb.js'
import type { MongoDbLike } from '../../src/mongo/mongo-options.js'

function thrown(fn: () => unknown): SemanticLayerError {
  try {
    fn()
  } catch (error) {
    if (isSemanticLayerError(error)) return error
    throw error
  }
  throw new Error('expected a throw')
}

async function rejection(promise: Promise<unknown>): Promise<SemanticLayerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isSemanticLayerError(error)) throw new Error(`expected a SemanticLayerError, got ${String(error)}`)
  return error
}

/** A local port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

const db: MongoDbLike = {
  collection: () => ({ aggregate: () => ({ toArray: async () => [], async *[Symbol.asyncIterator]() {} }) }),
}
const count = { kind: 'mongo', collection: 'orders', pipeline: [{ $count: 'n' }] } as const

describe('mongodb() options', () => {
  it('refuses unknown options with the closest known name', () => {
    const error = thrown(() => mongodb({ db, batchSzie: 10 } as never))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.issues[0]!.code).toBe('UNKNOWN_OPTION')
    expect(error.issues[0]!.message).toContain('batchSize')
  })

  it('needs exactly one of url, client or db', () => {
    expect(thrown(() => mongodb({})).issues[0]!.message).toContain(
      'exactly one of url, client or db to mongodb() (got none)',
    )
    const two = thrown(() => mongodb({ db, url: 'mongodb://127.0.0.1/shop' }))
    expect(two.issues[0]!.message).toContain('got url, db')
  })

  it('reports every problem at once, never echoing the URL', () => {
    const url = 'postgres://app:hunter2@db.internal/shop'
    const error = thrown(() => mongodb({ url, pool: { max: 0, min: -1 } }))
    expect(error.issues.map((i) => i.path.join('.'))).toEqual(['url', 'database', 'pool.max', 'pool.min'])
    expect(error.message).not.toContain('hunter2')
    expect(error.message).not.toContain('db.internal')
  })

  it('refuses option values of the wrong kind', () => {
    const error = thrown(() => mongodb({ db, batchSize: 0, allowDiskUse: 'yes' as never }))
    expect(error.issues.map((i) => i.path.join('.'))).toEqual(['batchSize', 'allowDiskUse'])
  })

  it('needs a database: given, or the path of the URL; for a client always', () => {
    expect(thrown(() => mongodb({ url: 'mongodb://127.0.0.1:27017' })).issues[0]!.code).toBe('MONGODB_DATABASE')
    expect(() => mongodb({ url: 'mongodb://127.0.0.1:27017/shop' })).not.toThrow()
    const client = new MongoClient('mongodb://127.0.0.1:1')
    expect(thrown(() => mongodb({ client })).issues[0]!.message).toContain('needs database')
    expect(thrown(() => mongodb({ db, database: 'shop' })).issues[0]!.code).toBe('MONGODB_DATABASE')
    expect(thrown(() => mongodb({ url: 'mongodb://h/x', database: 'a.b' })).issues[0]!.path).toEqual(['database'])
  })

  it('refuses pool and clientOptions where Cortex does not create the client', () => {
    const error = thrown(() => mongodb({ db, pool: { max: 5 }, clientOptions: { tls: true } }))
    expect(error.issues.map((i) => i.code)).toEqual(['MONGODB_POOL', 'MONGODB_CLIENT_OPTIONS'])
  })

  it('refuses a client or db of the wrong shape', () => {
    expect(thrown(() => mongodb({ client: {} as never, database: 'x' })).issues[0]!.code).toBe('MONGODB_CLIENT')
    expect(thrown(() => mongodb({ db: { aggregate() {} } as never })).issues[0]!.code).toBe('MONGODB_DB')
  })

  it('turns a throwing getter into CONFIG_INVALID', () => {
    const options = Object.defineProperty({}, 'db', {
      enumerable: true,
      get: () => {
        throw new Error('boom')
      },
    })
    expect(thrown(() => mongodb(options)).code).toBe('CONFIG_INVALID')
  })
})

describe('identity (id)', () => {
  it('comes from hosts, database and user, never the password', () => {
    const a = mongodb({ url: 'mongodb://app:one@Db1.example:27017,db2.example/shop?replicaSet=rs' }).id
    const b = mongodb({ url: 'mongodb://app:two@db1.example:27017,db2.example:27017/shop' }).id
    expect(a).toBe(b)
    expect(a).toBe(
      'mongodb:{"hosts":["db1.example:27017","db2.example:27017"],"srv":false,"database":"shop","user":"app"}',
    )
    expect(mongodb({ url: 'mongodb://app:one@db1.example/other' }).id).not.toBe(a)
    expect(mongodb({ url: 'mongodb+srv://app:one@cluster0.example.net/shop' }).id).toContain('"srv":true')
  })

  it('reads a MongoClient and a driver Db, and is absent for other db shapes unless given', async () => {
    const client = new MongoClient('mongodb://reader:pw@127.0.0.1:1/ignored')
    const fromClient = mongodb({ client, database: 'shop' }).id
    expect(fromClient).toBe('mongodb:{"hosts":["127.0.0.1:1"],"srv":false,"database":"shop","user":"reader"}')
    expect(mongodb({ db: client.db('shop') }).id).toBe(fromClient)
    expect(mongodb({ db }).id).toBeUndefined()
    expect(mongodb({ db, id: 'harness' }).id).toBe('harness')
    await client.close()
  })
})

describe('an unreachable server', () => {
  let port: number
  beforeAll(async () => {
    port = await closedPort()
  })

  it('fails execute with CONNECT_FAILED within serverSelectionTimeoutMs, without the password', async () => {
    const connector = mongodb({
      url: `mongodb://app:hunter%232@127.0.0.1:${port}/shop`,
      pool: { serverSelectionTimeoutMs: 300 },
    })
    const error = await rejection(connector.execute(count))
    expect(error.code).toBe('CONNECTOR_FAILED')
    expect(error.issues[0]!.code).toBe('CONNECT_FAILED')
    expect(error.message).toContain('MongoServerSelectionError')
    expect(error.message).not.toMatch(/hunter/)
    const health = await connector.healthCheck()
    expect(health.ok).toBe(false)
    expect(health.error).toContain('Could not reach MongoDB')
    await connector.close()
    expect((await rejection(connector.execute(count))).issues[0]!.code).toBe('CLOSED')
  })

  it('stops waiting at timeoutMs even when server selection would wait longer', async () => {
    const connector = mongodb({ url: `mongodb://127.0.0.1:${port}/shop`, pool: { serverSelectionTimeoutMs: 30_000 } })
    const error = await rejection(connector.execute(count, { timeoutMs: 200 }))
    expect(error.code).toBe('QUERY_TIMEOUT')
    await connector.close()
  })

  it('reports a URL the driver cannot parse as CONNECT_FAILED without its credentials', async () => {
    const connector = mongodb({ url: 'mongodb://app:hunter2@127.0.0.1:1/shop?unknownOption=1&authMechanism=NOPE' })
    const error = await rejection(connector.execute(count))
    expect(error.issues[0]!.code).toBe('CONNECT_FAILED')
    expect(error.message).not.toContain('hunter2')
  })

  it('uses the host client and never closes it', async () => {
    const client = new MongoClient(`mongodb://127.0.0.1:${port}`, { serverSelectionTimeoutMS: 300 })
    const close = vi.spyOn(client, 'close')
    const connector = mongodb({ client, database: 'shop' })
    expect((await rejection(connector.execute(count))).issues[0]!.code).toBe('CONNECT_FAILED')
    await connector.close()
    expect(close).not.toHaveBeenCalled()
    await client.close()
  })
})

const realUrl = process.env.CORTEX_TEST_MONGO_URL

describe.skipIf(!realUrl)('a real MongoDB server (set CORTEX_TEST_MONGO_URL; none can run on these machines)', () => {
  const collection = `cortex_test_${Math.random().toString(36).slice(2, 10)}`
  let client: MongoClient
  beforeAll(async () => {
    client = new MongoClient(realUrl!)
    await client
      .db()
      .collection(collection)
      .insertMany(Array.from({ length: 2500 }, (_, i) => ({ i, group: i % 3 })))
  })
  afterAll(async () => {
    await client
      ?.db()
      .collection(collection)
      .drop()
      .catch(() => undefined)
    await client?.close()
  })

  it('runs a pipeline, streams it, pings, and cancels', async () => {
    const connector = mongodb({ url: realUrl!, database: client.db().databaseName })
    const rows = await connector.execute({
      kind: 'mongo',
      collection,
      pipeline: [{ $group: { _id: '$group', n: { $sum: 1 } } }, { $sort: { _id: 1 } }],
    })
    expect(rows).toEqual([
      { _id: 0, n: 834 },
      { _id: 1, n: 833 },
      { _id: 2, n: 833 },
    ])
    let streamed = 0
    for await (const _ of connector.stream({ kind: 'mongo', collection, pipeline: [] })) streamed++
    expect(streamed).toBe(2500)
    expect((await connector.healthCheck()).ok).toBe(true)
    const controller = new AbortController()
    let seen = 0
    const error = await rejection(
      (async () => {
        for await (const _ of connector.stream(
          { kind: 'mongo', collection, pipeline: [] },
          { signal: controller.signal },
        ))
          if (++seen === 10) controller.abort()
      })(),
    )
    expect(error.code).toBe('QUERY_CANCELLED')
    await connector.close()
  })
})
