/**
 * Shared fixtures of the cache tests: the e-commerce dataset in SQLite, a test model whose `orders`
 * cube counts its executions AT THE DATABASE (a SQLite function called once per statement run, in an
 * uncorrelated scalar subquery), a connector that can be slowed down, Redis clients of both flavours and
 * a throwaway redis-server for outage tests.
 */
import Database from 'better-sqlite3'
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createServer, connect } from 'node:net'
import { basename } from 'node:path'
import { test } from 'vitest'
import { createEcommerceSqlite } from '../../examples/ecommerce/generate.mjs'
import {
  createSemanticLayer,
  defineConnector,
  type Connector,
  type SemanticLayer,
  type SemanticLayerOptions,
} from '../../src/index.js'
import type { RedisClientLike } from '../../src/redis.js'
import { sqlite } from '../../src/sqlite.js'

export const REDIS_URL = process.env.CORTEX_TEST_REDIS_URL

/** Under CI=true a missing CORTEX_TEST_REDIS_URL fails the run instead of skipping silently. */
export function requireRedisOnCi(suite: string): void {
  if (!REDIS_URL && process.env.CI === 'true') {
    test(`${suite}: CORTEX_TEST_REDIS_URL is required when CI=true`, () => {
      throw new Error('CORTEX_TEST_REDIS_URL is required when CI=true: .ci/run starts Redis and sets it')
    })
  }
}

/** A key prefix no other test file (or run) shares. */
export function uniquePrefix(file: string): string {
  return `cortex-test:${basename(file).replace(/\W+/g, '-')}:${process.pid}:${randomUUID().slice(0, 8)}:`
}

export interface CountedDb {
  readonly db: Database.Database
  /** A connector id naming this database: connectors given it share cache entries (see Connector.id). */
  readonly id: string
  /** Runs of statements over the `orders` cube, counted by SQLite itself. */
  executions(): number
  /** Runs of the refresh-key query of `orders` (when the model uses refresh_key.sql). */
  refreshes(): number
  /** Change the value the refresh-key query returns. */
  bumpVersion(): void
  /** Change the data (one more paid order). */
  addOrder(): void
  close(): void
}

export function countedDb(): CountedDb {
  const db = new Database(':memory:')
  createEcommerceSqlite(db)
  let executions = 0
  let refreshes = 0
  db.function('count_execution', { deterministic: false }, () => {
    executions++
    return 1
  })
  db.function('count_refresh', { deterministic: false }, () => {
    refreshes++
    return 0
  })
  db.exec('CREATE TABLE data_version (v INTEGER NOT NULL); INSERT INTO data_version VALUES (1);')
  let nextId = 1_000_000
  return {
    db,
    id: `counted-db:${randomUUID()}`,
    executions: () => executions,
    refreshes: () => refreshes,
    bumpVersion: () => void db.exec('UPDATE data_version SET v = v + 1'),
    addOrder: () =>
      void db
        .prepare(
          "INSERT INTO orders (id, customer_id, status, amount, created_at) VALUES (?, 1, 'paid', 10, '2024-01-01 00:00:00')",
        )
        .run(nextId++),
    close: () => db.close(),
  }
}

/** The refresh-key query the tests use: counted, and its value changes with bumpVersion(). */
export const REFRESH_SQL = 'SELECT (SELECT count_refresh()) + max(v) FROM data_version'

/** A small model over the e-commerce tables. `orders` counts its executions; refresh keys are chosen per test. */
export function testModel(
  refreshKeys: { orders?: Record<string, unknown>; customers?: Record<string, unknown> } = {},
): SemanticLayerOptions['model'] {
  return {
    cubes: [
      {
        name: 'orders',
        sql: 'SELECT * FROM orders WHERE (SELECT count_execution()) = 1',
        ...(refreshKeys.orders ? { refresh_key: refreshKeys.orders } : {}),
        joins: [{ name: 'customers', relationship: 'many_to_one', sql: '{CUBE}.customer_id = {customers.id}' }],
        dimensions: [
          { name: 'id', sql: 'id', type: 'number', primary_key: true, public: true },
          { name: 'status', sql: 'status', type: 'string' },
          { name: 'note', sql: 'note', type: 'string' },
          { name: 'created_at', sql: 'created_at', type: 'time' },
        ],
        measures: [
          { name: 'count', type: 'count' },
          { name: 'total_amount', sql: 'amount', type: 'sum' },
        ],
      },
      {
        name: 'customers',
        sql_table: 'customers',
        ...(refreshKeys.customers ? { refresh_key: refreshKeys.customers } : {}),
        dimensions: [
          { name: 'id', sql: 'id', type: 'number', primary_key: true, public: true },
          { name: 'name', sql: 'name', type: 'string' },
          { name: 'country', sql: 'country', type: 'string' },
        ],
        measures: [{ name: 'count', type: 'count' }],
      },
    ],
    views: [
      {
        name: 'sales',
        cubes: [
          { join_path: 'orders', includes: ['status', 'count'] },
          { join_path: 'orders.customers', prefix: true, includes: ['country'] },
        ],
      },
    ],
  }
}

export const BY_STATUS = {
  measures: ['orders.count', 'orders.total_amount'],
  dimensions: ['orders.status'],
  order: { 'orders.status': 'asc' },
} as const
export const BY_COUNTRY = {
  measures: ['orders.count'],
  dimensions: ['customers.country'],
  order: { 'customers.country': 'asc' },
} as const

export interface Gate {
  /** Hold every statement back until the returned function is called (statements already held included). */
  hold(): () => void
  /** Statements waiting at the gate now. */
  readonly waiting: number
}

/**
 * A custom SQLite connector (execute only: rows as objects) whose statements can be held at a gate, to
 * keep a query in flight for as long as a test needs without any timer.
 */
export function gatedConnector(db: Database.Database, id: string): { connector: Connector; gate: Gate } {
  const inner = sqlite({ database: db, id })
  let closed: Promise<void> | undefined
  let open: () => void = () => undefined
  let waiting = 0
  const connector = defineConnector({
    id,
    dialect: inner.dialect,
    async execute(statement, options) {
      if (closed) {
        waiting++
        try {
          await closed
        } finally {
          waiting--
        }
      }
      return inner.execute(statement, options)
    },
    stream: (statement, options) => inner.stream(statement, options),
    healthCheck: () => inner.healthCheck(),
    close: () => inner.close(),
  })
  const gate: Gate = {
    hold() {
      closed = new Promise<void>((resolve) => (open = resolve))
      return () => {
        closed = undefined
        open()
      }
    },
    get waiting() {
      return waiting
    },
  }
  return { connector, gate }
}

export function layerOn(db: Database.Database, options: Partial<SemanticLayerOptions> = {}): SemanticLayer {
  return createSemanticLayer({ model: testModel(), connectors: { default: sqlite({ database: db }) }, ...options })
}

// ---- Redis clients ----------------------------------------------------------------------------------

export type ClientKind = 'ioredis' | 'node-redis'
export const CLIENT_KINDS: readonly ClientKind[] = ['ioredis', 'node-redis']

export interface TestClient {
  /** Typed as redisCache() takes it: both real clients must fit (checked by tsc). */
  readonly client: RedisClientLike
  /** Run a raw command (for assertions on keys). */
  command(args: string[]): Promise<unknown>
  close(): Promise<void>
}

export async function redisClient(kind: ClientKind, url: string): Promise<TestClient> {
  if (kind === 'ioredis') {
    const { Redis } = await import('ioredis')
    const client = new Redis(url, { lazyConnect: false })
    client.on('error', () => undefined)
    return {
      client,
      command: (args) => client.call(args[0]!, ...args.slice(1)),
      close: async () => void client.disconnect(),
    }
  }
  const { createClient } = await import('redis')
  const client = createClient({
    url,
    socket: { reconnectStrategy: (retries: number) => Math.min(50 * (retries + 1), 500) },
  })
  client.on('error', () => undefined)
  await client.connect()
  return {
    client,
    command: (args) => client.sendCommand(args),
    close: async () => {
      try {
        client.destroy()
      } catch {
        // already closed
      }
    },
  }
}

/** Delete every key under `prefix` (never FLUSHALL: other files share the server). */
export async function deletePrefix(c: TestClient, prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = (await c.command(['SCAN', cursor, 'MATCH', `${prefix}*`, 'COUNT', '1000'])) as [
      string,
      string[],
    ]
    cursor = next
    if (keys.length > 0) await c.command(['DEL', ...keys])
  } while (cursor !== '0')
}

export async function keysUnder(c: TestClient, prefix: string): Promise<string[]> {
  const out: string[] = []
  let cursor = '0'
  do {
    const [next, keys] = (await c.command(['SCAN', cursor, 'MATCH', `${prefix}*`, 'COUNT', '1000'])) as [
      string,
      string[],
    ]
    cursor = next
    out.push(...keys)
  } while (cursor !== '0')
  return out.sort()
}

// ---- a redis-server of our own, to kill ---------------------------------------------------------------

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

export interface RedisServer {
  readonly port: number
  readonly url: string
  stop(): Promise<void>
}

export async function startRedisServer(port: number): Promise<RedisServer> {
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: 'ignore' },
  )
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject))
  const deadline = Date.now() + 10_000
  for (;;) {
    const up = await Promise.race([ping(port), spawnError])
    if (up) break
    if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`)
    await new Promise((resolve) => setTimeout(resolve, 50)) // polling for the server to come up
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    },
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.setTimeout(500)
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.once('data', (data) => {
      socket.destroy()
      resolve(data.toString().startsWith('+PONG'))
    })
    for (const event of ['error', 'timeout']) socket.once(event, () => (socket.destroy(), resolve(false)))
  })
}
