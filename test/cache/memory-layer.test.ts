import { afterEach, describe, expect, test, vi } from 'vitest'
import type { CacheAdapter, CacheOperation } from '../../src/cache/cache-adapter.js'
import { memoryCache } from '../../src/cache/memory-cache.js'
import { sqlite } from '../../src/sqlite.js'
import { ManualClock, until } from '../fixtures/manual-clock.js'
import { BY_STATUS, countedDb, layerOn, testModel, type CountedDb } from './helpers.js'
import { cacheBehaviourSuite } from './suite.js'

cacheBehaviourSuite('memory cache through a layer', async () => ({
  adapter: memoryCache(),
  close: async () => undefined,
}))

/** A memory cache that can be switched to failing (throwing) or hanging (never answering). */
function flakyCache(): { adapter: CacheAdapter; setState(state: 'up' | 'throwing' | 'hanging'): void } {
  const inner = memoryCache()
  let state: 'up' | 'throwing' | 'hanging' = 'up'
  const guard = <T>(fn: () => Promise<T>): Promise<T> => {
    if (state === 'throwing') return Promise.reject(new Error('cache is down'))
    if (state === 'hanging') return new Promise<T>(() => undefined)
    return fn()
  }
  const adapter: CacheAdapter = {
    name: 'flaky',
    timeoutMs: 50,
    get: (k) => guard(() => inner.get(k)),
    set: (k, v, t) => guard(() => inner.set(k, v, t)),
    delete: (k) => guard(() => inner.delete(k)),
    generations: (s) => guard(() => inner.generations(s)),
    bump: (s) => guard(() => inner.bump(s)),
    lock: (k, t) => guard(() => inner.lock(k, t)),
    unlock: (k, t) => guard(() => inner.unlock(k, t)),
  }
  return { adapter, setState: (s) => void (state = s) }
}

describe('layer cache: defaults, failures and configuration', () => {
  let db: CountedDb
  // Most models here have no refresh_key (Cube's default: every 10 seconds, on this clock, which moves
  // only when a test moves it).
  let clock: ManualClock
  const closers: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const c of closers.splice(0)) await c()
    db?.close()
  })
  const open = (options: Parameters<typeof layerOn>[1] = {}) => {
    clock = new ManualClock()
    const layer = layerOn(db.db, { clock, ...options })
    closers.push(() => layer.close())
    return layer
  }

  test('caching is on by default (an in-memory LRU) and off with cache: false', async () => {
    db = countedDb()
    const cached = open()
    await cached.query(BY_STATUS)
    expect((await cached.query(BY_STATUS)).cache.hit).toBe(true)
    expect(db.executions()).toBe(1)
    const uncached = open({ cache: false })
    const a = await uncached.query(BY_STATUS)
    const b = await uncached.query(BY_STATUS)
    expect(db.executions()).toBe(3)
    expect(b.cache).toEqual({ hit: false, stale: false, ageMs: 0, refreshKeys: {}, mode: 'no-cache' })
    expect(b.data).toStrictEqual(a.data)
    await uncached.invalidate({ cubes: ['orders'] }) // nothing to do, and no error
    expect(() => layerOn(db.db, { cache: { get: () => undefined } as never })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', issues: [expect.objectContaining({ path: ['cache'] })] }),
    )
    expect(() => layerOn(db.db, { cacheOptions: { staleIfSlowMs: -1 } })).toThrow(/staleIfSlowMs/)
  })

  test('a throwing cache degrades to misses, reports the failure, and caching resumes when it is back', async () => {
    db = countedDb()
    const flaky = flakyCache()
    const errors: CacheOperation[] = []
    const layer = open({
      cache: flaky.adapter,
      onCacheError: (_e, op) => errors.push(op),
      cacheOptions: { retryAfterMs: 100 },
    })
    const good = await layer.query(BY_STATUS)
    flaky.setState('throwing')
    const during = await layer.query(BY_STATUS)
    expect(during.cache.hit).toBe(false)
    expect(during.data).toStrictEqual(good.data)
    expect(errors.length).toBeGreaterThan(0)
    // While the cache is paused (retryAfterMs), queries do not touch it at all.
    const reported = errors.length
    await layer.query(BY_STATUS)
    expect(errors.length).toBe(reported)
    expect(db.executions()).toBe(3)
    flaky.setState('up')
    clock.advance(99)
    await layer.query(BY_STATUS) // still paused: not even tried
    expect(errors.length).toBe(reported)
    expect(db.executions()).toBe(4)
    clock.advance(1)
    expect((await layer.query(BY_STATUS)).cache.hit).toBe(true) // the entry written before the outage is served again
    await layer.invalidate({ cubes: ['orders'] })
    expect((await layer.query(BY_STATUS)).cache.hit).toBe(false) // and new entries are written
    expect((await layer.query(BY_STATUS)).cache.hit).toBe(true)
    expect(db.executions()).toBe(5)
  })

  test('a cache that never answers is timed out (adapter timeoutMs) and the query still answers', async () => {
    db = countedDb()
    const flaky = flakyCache()
    const errors: { error: unknown; op: CacheOperation }[] = []
    const layer = open({ cache: flaky.adapter, onCacheError: (error, op) => errors.push({ error, op }) })
    flaky.setState('hanging')
    let answered = false
    const running = layer.query(BY_STATUS).finally(() => (answered = true))
    await until(() => clock.pending > 0) // the cache call is waiting, under its timeout
    clock.advance(49)
    expect(answered).toBe(false)
    clock.advance(1)
    const result = await running
    expect(result.data.length).toBeGreaterThan(0)
    expect(result.cache.hit).toBe(false)
    expect(errors[0]?.error).toMatchObject({
      name: 'CacheTimeoutError',
      message: expect.stringMatching(/within 50 ms/),
    })
    // invalidate() must not pretend: it fails when the cache cannot record it.
    const invalidating = layer.invalidate({ cubes: ['orders'] })
    await until(() => clock.pending > 0)
    clock.advance(50)
    await expect(invalidating).rejects.toMatchObject({
      code: 'CONNECTOR_FAILED',
      issues: [expect.objectContaining({ code: 'CACHE_UNAVAILABLE' })],
    })
  })

  test('without onCacheError a failure is announced once as a process warning', async () => {
    db = countedDb()
    const flaky = flakyCache()
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    try {
      const layer = open({ cache: flaky.adapter, cacheOptions: { retryAfterMs: 0 } })
      flaky.setState('throwing')
      await layer.query(BY_STATUS)
      await layer.query(BY_STATUS)
      expect(warn).toHaveBeenCalledTimes(1)
      expect(String(warn.mock.calls[0]![0])).toMatch(/flaky cache failed/)
    } finally {
      warn.mockRestore()
    }
  })

  test('a security context that is not plain data is never cached (and never fails the query)', async () => {
    db = countedDb()
    class User {
      constructor(readonly id: string) {}
    }
    const ops: CacheOperation[] = []
    const layer = open({ onCacheError: (_e, op) => ops.push(op) })
    const a = await layer.query(BY_STATUS, { securityContext: { user: new User('u1') } })
    const b = await layer.query(BY_STATUS, { securityContext: { user: new User('u2') } })
    expect([a.cache.hit, b.cache.hit]).toEqual([false, false])
    expect(ops).toEqual(['key', 'key'])
    expect(db.executions()).toBe(2)
  })

  test('a malformed refresh_key fails the query at first use with MODEL_INVALID naming the cube', async () => {
    db = countedDb()
    const layer = open({ model: testModel({ orders: { every: 'every now and then' } }) })
    await expect(layer.query(BY_STATUS)).rejects.toMatchObject({
      code: 'MODEL_INVALID',
      issues: [
        expect.objectContaining({ code: 'INVALID_REFRESH_KEY', path: ['cubes', 'orders', 'refresh_key', 'every'] }),
      ],
    })
    const cron = open({ model: testModel({ orders: { every: '0 * * * *' } }) })
    await expect(cron.query(BY_STATUS)).rejects.toMatchObject({ code: 'UNSUPPORTED' })
    expect(db.executions()).toBe(0)
  })

  test('a refresh_key sql that fails is reported and the query runs uncached', async () => {
    db = countedDb()
    const ops: CacheOperation[] = []
    const layer = open({
      model: testModel({ orders: { sql: 'SELECT max(v) FROM no_such_table' } }),
      onCacheError: (_e, op) => ops.push(op),
    })
    const a = await layer.query(BY_STATUS)
    const b = await layer.query(BY_STATUS)
    expect([a.cache.hit, b.cache.hit]).toEqual([false, false])
    expect(ops).toContain('refresh-key')
    expect(db.executions()).toBe(2)
  })

  test('layers sharing one memoryCache share entries and invalidations', async () => {
    db = countedDb()
    const shared = memoryCache({ maxEntries: 100 })
    // Connectors of their own over one database, named alike (see Connector.id).
    const one = open({ cache: shared, connectors: { default: sqlite({ database: db.db, id: db.id }) } })
    const two = open({ cache: shared, connectors: { default: sqlite({ database: db.db, id: db.id }) } })
    await one.query(BY_STATUS)
    expect((await two.query(BY_STATUS)).cache.hit).toBe(true)
    await one.invalidate({ cubes: ['orders'] })
    expect((await two.query(BY_STATUS)).cache.hit).toBe(false)
    expect(db.executions()).toBe(2)
  })

  test('errors are not cached: a failing query fails every caller of its run, and the next call runs again', async () => {
    db = countedDb()
    const layer = open()
    db.db.exec('ALTER TABLE orders RENAME TO orders_gone')
    const failing = await Promise.allSettled([layer.query(BY_STATUS), layer.query(BY_STATUS)])
    expect(failing.map((r) => r.status)).toEqual(['rejected', 'rejected'])
    db.db.exec('ALTER TABLE orders_gone RENAME TO orders')
    const ok = await layer.query(BY_STATUS)
    expect(ok.cache.hit).toBe(false)
    expect(ok.data.length).toBeGreaterThan(0)
  })
})
