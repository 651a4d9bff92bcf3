/**
 * Redis stopped mid-test: a redis-server of our own on a free port is killed (SIGKILL) under a live
 * layer, then started again on the same port. Queries must keep answering (as misses) while it is down,
 * report through onCacheError, and use the cache again once it is back.
 */
import { afterEach, describe, expect, test, vi } from 'vitest'
import type { CacheOperation } from '../../src/cache/cache-adapter.js'
import type { SemanticLayer } from '../../src/index.js'
import { redisCache } from '../../src/redis.js'
import {
  BY_STATUS,
  CLIENT_KINDS,
  REDIS_URL,
  countedDb,
  freePort,
  layerOn,
  redisClient,
  requireRedisOnCi,
  startRedisServer,
  testModel,
  uniquePrefix,
  type CountedDb,
  type RedisServer,
  type TestClient,
} from './helpers.js'

requireRedisOnCi('redis outage')

describe.skipIf(!REDIS_URL)('redis cache when Redis dies and comes back (set CORTEX_TEST_REDIS_URL)', () => {
  let server: RedisServer | undefined
  let client: TestClient | undefined
  let layer: SemanticLayer | undefined
  let db: CountedDb | undefined
  afterEach(async () => {
    await layer?.close()
    await client?.close()
    await server?.stop()
    db?.close()
    layer = client = server = db = undefined
  })

  for (const kind of CLIENT_KINDS) {
    test(`with ${kind}: queries answer uncached while Redis is down, failures are reported, caching resumes on restart`, async () => {
      const port = await freePort()
      server = await startRedisServer(port)
      client = await redisClient(kind, server.url)
      db = countedDb()
      const errors: { op: CacheOperation; error: unknown }[] = []
      layer = layerOn(db.db, {
        model: testModel({ orders: { every: '1 hour' } }),
        cache: redisCache({ client: client.client, prefix: uniquePrefix(import.meta.url), timeoutMs: 200 }),
        cacheOptions: { retryAfterMs: 100 },
        onCacheError: (error, op) => errors.push({ op, error }),
      })
      const q = layer
      const first = await q.query(BY_STATUS)
      expect((await q.query(BY_STATUS)).cache.hit).toBe(true)
      expect(db.executions()).toBe(1)
      expect(errors).toEqual([])

      await server.stop()
      // Bounded by the adapter's timeoutMs (tested on a manual clock in memory-layer.test.ts); here only
      // the test's own timeout guards against a hang.
      const down = await q.query(BY_STATUS)
      expect(down.cache.hit).toBe(false)
      expect(down.data).toStrictEqual(first.data)
      expect(errors.length).toBeGreaterThan(0)
      const again = await q.query(BY_STATUS)
      expect(again.data).toStrictEqual(first.data)
      expect(db.executions()).toBe(3)
      await expect(q.invalidate({ cubes: ['orders'] })).rejects.toMatchObject({
        code: 'CONNECTOR_FAILED',
        issues: [expect.objectContaining({ code: 'CACHE_UNAVAILABLE' })],
      })

      server = await startRedisServer(port)
      // The restarted server is empty: one miss fills it, then hits again.
      await vi.waitFor(async () => expect((await q.query(BY_STATUS)).cache.hit).toBe(true), {
        timeout: 20_000,
        interval: 100,
      })
      const executions = db.executions()
      expect((await q.query(BY_STATUS)).cache.hit).toBe(true)
      expect(db.executions()).toBe(executions)
      await q.invalidate({ cubes: ['orders'] })
      expect((await q.query(BY_STATUS)).cache.hit).toBe(false)
    })
  }
})
