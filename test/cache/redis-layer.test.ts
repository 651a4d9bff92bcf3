/**
 * The cache against a real Redis (CORTEX_TEST_REDIS_URL), with both ioredis and node-redis clients:
 * the shared behaviour suite, the adapter's own operations and key layout, and what only a shared
 * cache can do: entries, single-flight and invalidation across layers (instances).
 */
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest'
import type { CacheAdapter } from '../../src/cache/cache-adapter.js'
import { decodeEntry, encodeEntry, type CacheEntry } from '../../src/cache/row-codec.js'
import { createSemanticLayer, type SemanticLayer } from '../../src/index.js'
import { redisCache } from '../../src/redis.js'
import { sqlite } from '../../src/sqlite.js'
import {
  BY_STATUS,
  CLIENT_KINDS,
  REDIS_URL,
  REFRESH_SQL,
  countedDb,
  deletePrefix,
  keysUnder,
  redisClient,
  requireRedisOnCi,
  testModel,
  uniquePrefix,
  type CountedDb,
  type TestClient,
} from './helpers.js'
import { cacheBehaviourSuite } from './suite.js'

const PREFIX = uniquePrefix(import.meta.url)
let namespaces = 0

requireRedisOnCi('redis cache')

describe.skipIf(!REDIS_URL)('redis cache (set CORTEX_TEST_REDIS_URL)', () => {
  const url = REDIS_URL!
  let admin: TestClient
  beforeAll(async () => {
    admin = await redisClient('ioredis', url)
  })
  afterAll(async () => {
    await deletePrefix(admin, PREFIX)
    await admin.close()
  })

  for (const kind of CLIENT_KINDS) {
    cacheBehaviourSuite(`redis cache with ${kind} through a layer`, async () => {
      const c = await redisClient(kind, url)
      const prefix = `${PREFIX}${kind}:${++namespaces}:`
      const adapter = redisCache({ client: c.client, prefix })
      return {
        adapter,
        async close() {
          await adapter.close?.()
          await deletePrefix(c, prefix)
          await c.close()
        },
      }
    })

    describe(`redisCache adapter with ${kind}`, () => {
      let c: TestClient
      let adapter: CacheAdapter
      let prefix: string
      beforeAll(async () => {
        c = await redisClient(kind, url)
      })
      afterAll(async () => {
        await c.close()
      })
      afterEach(async () => {
        await adapter?.close?.()
      })
      const fresh = (): CacheAdapter => {
        prefix = `${PREFIX}${kind}:adapter:${++namespaces}:`
        adapter = redisCache({ client: c.client, prefix })
        return adapter
      }

      test('get / set with TTL / delete, under the prefix', async () => {
        const a = fresh()
        expect(await a.get('r:x')).toBeUndefined()
        await a.set('r:x', 'héllo ✓ 🚀', 60_000)
        await a.set('r:short', 'gone soon', 80)
        expect(await a.get('r:x')).toBe('héllo ✓ 🚀')
        expect(await keysUnder(c, prefix)).toEqual([`${prefix}r:short`, `${prefix}r:x`])
        // Expiry itself is Redis's job (PX): the adapter must ask for the right one.
        const pttl = Number(await c.command(['PTTL', `${prefix}r:x`]))
        expect(pttl).toBeGreaterThan(59_000)
        expect(pttl).toBeLessThanOrEqual(60_000)
        const short = Number(await c.command(['PTTL', `${prefix}r:short`]))
        expect(short === -2 || (short > 0 && short <= 80)).toBe(true) // -2: already expired
        await a.delete('r:x')
        expect(await a.get('r:x')).toBeUndefined()
      })

      test('entries round-trip exactly through Redis (numbers, nulls, dates, bigints, unicode)', async () => {
        const a = fresh()
        const rows = [
          {
            n: 1.5,
            i: 42,
            neg: -0,
            nan: Number.NaN,
            nul: null,
            und: undefined,
            big: 12345678901234567890n,
            at: new Date('2024-03-31T01:30:00.007Z'),
            s: 'Ünïcödé 中文 🚀 \u2028 "quotes" \\ \ud83d',
            bytes: Buffer.from([0, 255, 10]),
          },
          {
            n: Number.MAX_VALUE,
            i: Number.MIN_SAFE_INTEGER,
            neg: Infinity,
            nan: -Infinity,
            nul: null,
            und: undefined,
            big: -1n,
            at: new Date(0),
            s: '',
            bytes: Buffer.alloc(0),
          },
        ]
        const entry: CacheEntry = {
          id: 'e1',
          createdAt: 123,
          refreshKeys: { orders: '42' },
          main: { form: 'objects', rows },
          totalRows: [{ count: 2n }],
        }
        await a.set('r:exact', encodeEntry(entry), 60_000)
        expect(decodeEntry((await a.get('r:exact'))!)).toStrictEqual(entry)
        // The same values as array rows (executeArrays), in column order.
        const arrays: CacheEntry = {
          ...entry,
          id: 'e2',
          main: { form: 'arrays', rows: rows.map((r) => Object.values(r)) },
        }
        await a.set('r:exact-arrays', encodeEntry(arrays), 60_000)
        expect(decodeEntry((await a.get('r:exact-arrays'))!)).toStrictEqual(arrays)
      })

      test('generations: INCR on shared keys, without TTL', async () => {
        const a = fresh()
        expect(await a.generations(['all', 'c:orders'])).toEqual([0, 0])
        await a.bump(['c:orders', 't:acme'])
        await a.bump(['c:orders'])
        expect(await a.generations(['all', 'c:orders', 't:acme'])).toEqual([0, 2, 1])
        expect(await c.command(['GET', `${prefix}g:c:orders`])).toBe('2')
        expect(Number(await c.command(['PTTL', `${prefix}g:c:orders`]))).toBe(-1)
      })

      test('locks: SET NX PX, released only by their token', async () => {
        const a = fresh()
        const token = await a.lock('l:q', 5_000)
        expect(token).toEqual(expect.any(String))
        expect(await a.lock('l:q', 5_000)).toBeUndefined()
        await a.unlock('l:q', 'someone-else')
        expect(await a.lock('l:q', 5_000)).toBeUndefined()
        await a.unlock('l:q', token!)
        expect(await a.lock('l:q', 100)).toBeDefined()
        // The lock expires by Redis's PX, never held forever by a crashed holder.
        const pttl = Number(await c.command(['PTTL', `${prefix}l:q`]))
        expect(pttl === -2 || (pttl > 0 && pttl <= 100)).toBe(true)
        await c.command(['DEL', `${prefix}l:q`]) // as Redis does once PX has passed
        expect(await a.lock('l:q', 5_000)).toBeDefined()
      })

      test('in-memory generations are used while subscribed, and dropped at once by another instance’s bump (pub/sub)', async () => {
        const mine = fresh()
        const other = redisCache({ client: c.client, prefix, generationCacheMs: 60_000 })
        const watcher = redisCache({ client: c.client, prefix, generationCacheMs: 60_000 })
        try {
          // Once the watcher is subscribed it keeps what it read: a value written behind its back is not seen.
          let scope = ''
          let attempt = 0
          await vi.waitFor(
            async () => {
              scope = `c:probe${++attempt}`
              await c.command(['SET', `${prefix}g:${scope}`, '100'])
              expect(await watcher.generations([scope])).toEqual([100])
              await c.command(['SET', `${prefix}g:${scope}`, '500'])
              expect(await watcher.generations([scope])).toEqual([100])
            },
            { timeout: 3_000, interval: 50 },
          )
          // An instance bumping through Redis drops it everywhere at once (the message, not the TTL).
          await other.bump([scope])
          await vi.waitFor(async () => expect(await watcher.generations([scope])).toEqual([501]), {
            timeout: 2_000,
            interval: 10,
          })
          expect(await mine.generations([scope])).toEqual([501])
        } finally {
          await other.close?.()
          await watcher.close?.()
        }
      })
    })
  }

  describe('two layers (instances) sharing one Redis: one with ioredis, one with node-redis', () => {
    let db: CountedDb
    let one: SemanticLayer
    let two: SemanticLayer
    let clients: TestClient[]
    const prefix = `${PREFIX}shared:`
    beforeAll(async () => {
      clients = [await redisClient('ioredis', url), await redisClient('node-redis', url)]
    })
    afterAll(async () => {
      for (const c of clients) await c.close()
    })
    afterEach(async () => {
      await one?.close()
      await two?.close()
      db?.close()
      await deletePrefix(admin, prefix)
    })
    const open = (generationCacheMs = 60_000): void => {
      db = countedDb()
      const layerOn = (c: TestClient): SemanticLayer =>
        createSemanticLayer({
          model: testModel({ orders: { sql: REFRESH_SQL, every: '1 hour' }, customers: { every: '1 hour' } }),
          connectors: { default: sqlite({ database: db.db, id: db.id }) }, // same database (one id), separate connectors
          cache: redisCache({ client: c.client, prefix, generationCacheMs }),
        })
      one = layerOn(clients[0]!)
      two = layerOn(clients[1]!)
    }

    test('an entry written by one instance is a hit on the other; keys follow the documented layout', async () => {
      open()
      expect((await one.query(BY_STATUS)).cache.hit).toBe(false)
      const there = await two.query(BY_STATUS)
      expect(there.cache).toMatchObject({ hit: true, refreshKeys: { orders: '1' } })
      expect(db.executions()).toBe(1)
      expect(db.refreshes()).toBe(1) // the refresh-key value is shared too
      await one.invalidate({ cubes: ['orders'], tenant: 'acme' })
      const keys = await keysUnder(admin, prefix)
      const shapes = [...new Set(keys.map((k) => k.slice(prefix.length).replace(/[0-9a-f]{64}/, '<sha256>')))].sort()
      expect(shapes).toEqual(['g:ct:orders:acme', 'k:<sha256>', 'r:<sha256>'])
    })

    test("the second instance sees the first's invalidation (INCR + pub/sub)", async () => {
      open()
      await two.query(BY_STATUS)
      expect((await two.query(BY_STATUS)).cache.hit).toBe(true) // its generations are now held in memory
      expect((await one.query(BY_STATUS)).cache.hit).toBe(true)
      await one.invalidate({ cubes: ['orders'] })
      expect((await one.query(BY_STATUS)).cache.hit).toBe(false)
      await vi.waitFor(async () => expect((await two.query(BY_STATUS)).cache.hit).toBe(true), {
        timeout: 2_000,
        interval: 10,
      })
      expect(db.executions()).toBe(2) // `two` did not run it again: it took the entry `one` rewrote
      await one.invalidate({})
      await vi.waitFor(async () => expect((await two.query(BY_STATUS)).cache.hit).toBe(false), {
        timeout: 2_000,
        interval: 10,
      })
      expect(db.executions()).toBe(3)
    })

    test('1 000 concurrent identical queries spread over two instances run exactly once on the database', async () => {
      open()
      const results = await Promise.all(
        Array.from({ length: 1_000 }, (_, i) => (i % 2 === 0 ? one : two).query(BY_STATUS)),
      )
      expect(db.executions()).toBe(1)
      for (const r of results) expect(r.data).toStrictEqual(results[0]!.data)
    })
  })
})
