/**
 * A shared result cache must never mix databases (issue 16, finding 4): two layers with the same model
 * over different databases, sharing one memoryCache() or one Redis prefix, served each other's results,
 * because the result key named the model, the context, the tenant and the SQL but not the database.
 * Keys now carry the connector's identity (Connector.id), derived from the connection target.
 */
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { mysqlIdentity, postgresIdentity, sqliteIdentity } from '../../src/connectors/connector-identity.js'
import {
  createSemanticLayer,
  defineConnector,
  memoryCache,
  type CacheAdapter,
  type Connector,
  type SemanticLayer,
} from '../../src/index.js'
import { mysql } from '../../src/mysql.js'
import { postgres } from '../../src/postgres.js'
import { redisCache } from '../../src/redis.js'
import { sqlite } from '../../src/sqlite.js'
import { ManualClock } from '../fixtures/manual-clock.js'
import { REDIS_URL, deletePrefix, redisClient, requireRedisOnCi, uniquePrefix, type TestClient } from './helpers.js'

const PG_URL = process.env.CORTEX_TEST_PG_URL
const MODEL = {
  cubes: [
    {
      name: 'items',
      sql_table: 'items',
      refresh_key: { every: '1 hour' },
      dimensions: [{ name: 'id', sql: 'id', type: 'number', primary_key: true }],
      measures: [
        { name: 'total', sql: 'amount', type: 'sum' },
        { name: 'count', type: 'count' },
      ],
    },
  ],
}
const QUERY = { measures: ['items.total', 'items.count'] }

requireRedisOnCi('connector identity')
if (!PG_URL && process.env.CI === 'true') {
  test('connector identity on PostgreSQL: CORTEX_TEST_PG_URL is required when CI=true', () => {
    throw new Error('CORTEX_TEST_PG_URL is required when CI=true')
  })
}

/** Two layers over `connectors`, one shared cache and one clock (so both are in one refresh bucket). */
function twoLayers(connectors: readonly Connector[], cache: CacheAdapter): SemanticLayer[] {
  const clock = new ManualClock()
  return connectors.map((c) => createSemanticLayer({ model: MODEL, connectors: { default: c }, cache, clock }))
}

/** Each layer's own answer, asked in turn (the second after the first filled the shared cache). */
async function answers(layers: readonly SemanticLayer[]): Promise<unknown[]> {
  const out: unknown[] = []
  for (const layer of layers) out.push((await layer.query(QUERY)).data)
  return out
}

describe('a shared cache never serves one database the results of another', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cortex-identity-'))
  const files = ['a.db', 'b.db'].map((f) => join(dir, f))
  const closers: (() => Promise<unknown> | unknown)[] = []
  beforeAll(() => {
    files.forEach((file, i) => {
      const db = new Database(file)
      db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL)')
      const insert = db.prepare('INSERT INTO items (id, amount) VALUES (?, ?)')
      for (let id = 1; id <= 3 + i; id++) insert.run(id, 10 * (i + 1))
      db.close()
    })
  })
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c()
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const expected = [[{ 'items.total': 30, 'items.count': 3 }], [{ 'items.total': 80, 'items.count': 4 }]]

  test('regression: two SQLite files, one shared memoryCache()', async () => {
    const layers = twoLayers(
      files.map((filename) => sqlite({ filename, readonly: true })),
      memoryCache(),
    )
    closers.push(...layers.map((l) => () => l.close()))
    expect(await answers(layers)).toEqual(expected) // before the fix the second layer got [30, 3]
    // Each layer still hits its own entries.
    for (const layer of layers) expect((await layer.query(QUERY)).cache.hit).toBe(true)
  })

  test('the same file under two spellings of its path shares entries', async () => {
    const layers = twoLayers(
      [
        sqlite({ filename: files[0]!, readonly: true }),
        sqlite({ filename: relative(process.cwd(), files[0]!), readonly: true }),
      ],
      memoryCache(),
    )
    closers.push(...layers.map((l) => () => l.close()))
    await layers[0]!.query(QUERY)
    expect((await layers[1]!.query(QUERY)).cache.hit).toBe(true)
  })

  test.skipIf(!REDIS_URL)('regression: two SQLite files, one Redis prefix (two instances)', async () => {
    const client: TestClient = await redisClient('ioredis', REDIS_URL!)
    const prefix = uniquePrefix(import.meta.url)
    closers.push(
      () => client.close(),
      () => deletePrefix(client, prefix),
    )
    const clock = new ManualClock()
    const layers = files.map((filename) =>
      createSemanticLayer({
        model: MODEL,
        connectors: { default: sqlite({ filename, readonly: true }) },
        cache: redisCache({ client: client.client, prefix }),
        clock,
      }),
    )
    closers.push(...layers.map((l) => () => l.close()))
    expect(await answers(layers)).toEqual(expected)
  })

  test('a custom connector without an id cannot use a cache passed in; with its own default cache it can', async () => {
    const inner = sqlite({ filename: files[0]!, readonly: true })
    closers.push(() => inner.close())
    const { id: _, ...rest } = inner
    const anonymous = defineConnector({ ...rest, close: async () => undefined })
    expect(() =>
      createSemanticLayer({ model: MODEL, connectors: { default: anonymous }, cache: memoryCache() }),
    ).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        issues: [expect.objectContaining({ code: 'CONNECTOR_ID_REQUIRED', path: ['connectors', 'default', 'id'] })],
      }),
    )
    const own = createSemanticLayer({ model: MODEL, connectors: { default: anonymous } })
    closers.push(() => own.close())
    expect((await own.query(QUERY)).data).toEqual(expected[0])
    // Connectors from a factory are checked when first used.
    const perTenant = createSemanticLayer({
      model: MODEL,
      connectors: () => ({ default: anonymous }),
      contextToTenant: () => 't1',
      cache: memoryCache(),
    })
    closers.push(() => perTenant.close())
    await expect(perTenant.query(QUERY, { securityContext: {} })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      issues: [expect.objectContaining({ code: 'CONNECTOR_ID_REQUIRED' })],
    })
    // An id makes it usable, and connectors naming the same database share entries.
    const named = defineConnector({ ...rest, id: inner.id!, close: async () => undefined })
    const layers = twoLayers([inner, named], memoryCache())
    await layers[0]!.query(QUERY)
    expect((await layers[1]!.query(QUERY)).cache.hit).toBe(true)
    expect(() =>
      createSemanticLayer({ model: MODEL, connectors: { default: defineConnector({ ...rest, id: '' }) } }),
    ).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }))
  })
})

describe('connector identities are derived from the target, never the password', () => {
  test('PostgreSQL: URL and object agree; database, user, host, port and search_path tell targets apart', () => {
    const a = postgresIdentity('postgres://app:secret-1@db.example:5433/shop', undefined)
    expect(a).toBe(
      postgresIdentity(
        { host: 'db.example', port: 5433, user: 'app', database: 'shop', password: 'secret-2' },
        undefined,
      ),
    )
    expect(a).toBe(postgresIdentity({ connectionString: 'postgres://app:other@db.example:5433/shop' }, undefined))
    expect(a).not.toContain('secret')
    const others = [
      postgresIdentity('postgres://app:secret-1@db.example:5433/shop2', undefined),
      postgresIdentity('postgres://reporting@db.example:5433/shop', undefined),
      postgresIdentity('postgres://app@db2.example:5433/shop', undefined),
      postgresIdentity('postgres://app@db.example:5432/shop', undefined),
      postgresIdentity('postgres://app@db.example:5433/shop', ['tenant_a']),
      postgresIdentity('postgres://app@db.example:5433/shop', ['tenant_b']),
    ]
    expect(new Set([a, ...others]).size).toBe(others.length + 1)
    expect(postgresIdentity(undefined, undefined)).toBeUndefined()
    expect(postgresIdentity('not a url', undefined)).toBeUndefined()
  })

  test('MySQL: the same rules, from a URL, options or an existing pool’s config', () => {
    const a = mysqlIdentity('mysql://root:pw@127.0.0.1:3306/test')
    expect(a).toBe(mysqlIdentity({ host: '127.0.0.1', user: 'root', password: 'x', database: 'test' }))
    expect(a).not.toContain('pw')
    expect(a).not.toBe(mysqlIdentity('mysql://root@127.0.0.1:3306/other'))
    expect(a).toBe(
      mysql({
        existingPool: {
          getConnection: () => undefined,
          config: {
            connectionConfig: { host: '127.0.0.1', port: 3306, user: 'root', database: 'test', password: 'pw' },
          },
        } as never,
      }).id,
    )
    expect(mysql({ existingPool: { getConnection: () => undefined } }).id).toBeUndefined()
  })

  test('SQLite: the absolute path of the file; every in-memory database is its own', () => {
    let n = 0
    const unique = (): string => String(++n)
    expect(sqliteIdentity('x.db', unique)).toBe(sqliteIdentity(join(process.cwd(), 'x.db'), unique))
    expect(sqliteIdentity(':memory:', unique)).not.toBe(sqliteIdentity(':memory:', unique))
    const memory = new Database(':memory:')
    try {
      expect(sqlite({ database: memory }).id).not.toBe(sqlite({ database: memory }).id)
      expect(sqlite({ database: memory, id: 'fixture' }).id).toBe('fixture')
    } finally {
      memory.close()
    }
    expect(() => sqlite({ filename: 'x.db', id: 42 as never })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    )
  })
})

describe.skipIf(!PG_URL)(
  'on PostgreSQL: two schemas (search_path) behind one shared cache (set CORTEX_TEST_PG_URL)',
  () => {
    const tag = randomBytes(4).toString('hex')
    const schemas = [`cortex_ident_a_${tag}`, `cortex_ident_b_${tag}`]
    let admin: pg.Client
    let redis: TestClient | undefined
    const prefix = uniquePrefix(import.meta.url)
    const layers: SemanticLayer[] = []
    const pools: pg.Pool[] = []
    beforeAll(async () => {
      admin = new pg.Client({ connectionString: PG_URL })
      await admin.connect()
      for (const [i, schema] of schemas.entries()) {
        await admin.query(`CREATE SCHEMA ${schema}`)
        await admin.query(`CREATE TABLE ${schema}.items (id int PRIMARY KEY, amount int NOT NULL)`)
        await admin.query(`INSERT INTO ${schema}.items SELECT g, ${10 * (i + 1)} FROM generate_series(1, ${3 + i}) g`)
      }
      if (REDIS_URL) redis = await redisClient('node-redis', REDIS_URL)
    })
    afterEach(async () => {
      for (const l of layers.splice(0)) await l.close()
      for (const p of pools.splice(0)) await p.end()
    })
    afterAll(async () => {
      for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await admin.end()
      if (redis) {
        await deletePrefix(redis, prefix)
        await redis.close()
      }
    })
    const expected = [[{ 'items.total': 30, 'items.count': 3 }], [{ 'items.total': 80, 'items.count': 4 }]]
    const caches: [string, () => CacheAdapter][] = [['one memoryCache()', () => memoryCache()]]
    if (REDIS_URL) caches.push(['one Redis prefix', () => redisCache({ client: redis!.client, prefix })])

    for (const [name, cache] of caches) {
      test(`regression: connection + searchPath, ${name}`, async () => {
        layers.push(
          ...twoLayers(
            schemas.map((s) => postgres({ connection: PG_URL!, searchPath: [s] })),
            cache(),
          ),
        )
        expect(await answers(layers)).toEqual(expected)
      })

      test(`regression: the host's pools (existingPool), ${name}`, async () => {
        const connectors = schemas.map((s) => {
          const pool = new pg.Pool({ connectionString: PG_URL, max: 2 })
          pools.push(pool)
          return postgres({ existingPool: pool, searchPath: [s] })
        })
        expect(connectors[0]!.id).toBe(postgresIdentity(PG_URL, [schemas[0]!]))
        layers.push(...twoLayers(connectors, cache()))
        expect(await answers(layers)).toEqual(expected)
      })
    }
  },
)
