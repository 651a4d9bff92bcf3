/**
 * A node-redis client that is not connected. node-redis clients do not connect by themselves, so a client
 * passed to redisCache() before `await client.connect()` failed every cache call with a warning that did
 * not say why ("the redis cache failed (generations)"). Now: refused at once with what to do, and a client
 * closed later is reported, through onCacheError and the one-time warning, with what to do.
 */
import { createClient } from 'redis'
import { afterEach, describe, expect, test } from 'vitest'
import { isSemanticLayerError, type SemanticLayer } from '../../src/index.js'
import { redisCache } from '../../src/redis.js'
import {
  BY_STATUS,
  REDIS_URL,
  countedDb,
  deletePrefix,
  layerOn,
  redisClient,
  requireRedisOnCi,
  uniquePrefix,
  type CountedDb,
  type TestClient,
} from './helpers.js'

requireRedisOnCi('node-redis client state')

const FIX = 'call await client.connect() before passing it to redisCache()'

describe.skipIf(!REDIS_URL)(
  'redisCache with a node-redis client that is not connected (set CORTEX_TEST_REDIS_URL)',
  () => {
    let layer: SemanticLayer | undefined
    let db: CountedDb | undefined
    let cleanup: TestClient | undefined
    const prefix = uniquePrefix(import.meta.url)
    afterEach(async () => {
      await layer?.close()
      db?.close()
      if (cleanup) await deletePrefix(cleanup, prefix)
      await cleanup?.close()
      layer = db = cleanup = undefined
    })

    test('a client never connected is refused when the cache is made, saying to await client.connect()', () => {
      const client = createClient({ url: REDIS_URL! })
      let thrown: unknown
      try {
        redisCache({ client, prefix })
      } catch (error) {
        thrown = error
      }
      expect(isSemanticLayerError(thrown)).toBe(true)
      expect(thrown).toMatchObject({
        code: 'CONFIG_INVALID',
        issues: [{ code: 'REDIS_NOT_CONNECTED', path: ['cache', 'client'], message: expect.stringContaining(FIX) }],
      })
    })

    test('a client whose connect() has been called (not yet awaited) is accepted and caches once connected', async () => {
      const client = createClient({ url: REDIS_URL! })
      const connecting = client.connect()
      db = countedDb()
      layer = layerOn(db.db, { cache: redisCache({ client, prefix }) })
      await connecting
      cleanup = { client, command: (args) => client.sendCommand(args), close: async () => void client.destroy() }
      await layer.query(BY_STATUS)
      expect((await layer.query(BY_STATUS)).cache.hit).toBe(true)
      expect(db.executions()).toBe(1)
    })

    test('a client closed while the layer runs: queries go on uncached, and the error says what to do', async () => {
      const owned = await redisClient('node-redis', REDIS_URL!)
      db = countedDb()
      const errors: unknown[] = []
      layer = layerOn(db.db, {
        cache: redisCache({ client: owned.client, prefix, generationCacheMs: 0 }),
        onCacheError: (error) => errors.push(error),
      })
      const first = await layer.query(BY_STATUS)
      await owned.close()
      const after = await layer.query(BY_STATUS)
      expect(after.cache.hit).toBe(false)
      expect(after.data).toStrictEqual(first.data)
      expect(errors.length).toBeGreaterThan(0)
      expect(errors[0]).toMatchObject({ name: 'RedisClientClosedError', message: expect.stringContaining(FIX) })
    })

    test('without onCacheError, the one-time warning carries the reason', async () => {
      const owned = await redisClient('node-redis', REDIS_URL!)
      db = countedDb()
      layer = layerOn(db.db, { cache: redisCache({ client: owned.client, prefix, generationCacheMs: 0 }) })
      await layer.query(BY_STATUS)
      await owned.close()
      const warned = new Promise<Error>((resolve) => process.once('warning', resolve))
      await layer.query(BY_STATUS)
      const warning = await warned
      expect(warning).toMatchObject({ code: 'CORTEX_CACHE_FAILED', message: expect.stringContaining(FIX) })
    })
  },
)
