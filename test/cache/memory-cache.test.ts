import { describe, expect, test } from 'vitest'
import { memoryCache } from '../../src/cache/memory-cache.js'
import { DEFAULT_EVERY_MS, bucketOf, parseInterval, refreshRuleOf } from '../../src/cache/refresh-key.js'
import { createFlights } from '../../src/cache/single-flight.js'
import { ManualClock } from '../fixtures/manual-clock.js'

/** A promise settled by hand: keeps a run in flight for exactly as long as a test needs. */
function deferred<T>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

describe('memoryCache', () => {
  test('misses, then hits what was set; delete removes it', async () => {
    const cache = memoryCache()
    expect(await cache.get('r:a')).toBeUndefined()
    await cache.set('r:a', 'value ✓', 60_000)
    expect(await cache.get('r:a')).toBe('value ✓')
    await cache.delete('r:a')
    expect(await cache.get('r:a')).toBeUndefined()
  })

  test('entries expire after their TTL', async () => {
    const clock = new ManualClock()
    const cache = memoryCache({ clock })
    await cache.set('short', 'x', 40)
    await cache.set('long', 'y', 60_000)
    clock.advance(39)
    expect(await cache.get('short')).toBe('x')
    clock.advance(2)
    expect(await cache.get('short')).toBeUndefined()
    expect(await cache.get('long')).toBe('y')
  })

  test('maxEntries evicts the least recently used entry', async () => {
    const cache = memoryCache({ maxEntries: 3 })
    for (const k of ['a', 'b', 'c']) await cache.set(k, k, 60_000)
    await cache.get('a') // a is now more recent than b
    await cache.set('d', 'd', 60_000)
    expect(await cache.get('b')).toBeUndefined()
    expect(await Promise.all(['a', 'c', 'd'].map((k) => cache.get(k)))).toEqual(['a', 'c', 'd'])
  })

  test('maxBytes bounds the UTF-8 size of keys and values; a value larger than the bound is not kept', async () => {
    const cache = memoryCache({ maxBytes: 100 })
    await cache.set('k1', 'x'.repeat(40), 60_000) // 42 bytes
    await cache.set('k2', 'é'.repeat(20), 60_000) // 42 bytes (é is 2 bytes)
    await cache.set('k3', 'y'.repeat(40), 60_000) // 42 more: over 100, k1 (least recent) goes
    expect(await cache.get('k1')).toBeUndefined()
    expect(await cache.get('k2')).toBe('é'.repeat(20))
    expect(await cache.get('k3')).toBeDefined()
    await cache.set('huge', 'z'.repeat(200), 60_000)
    expect(await cache.get('huge')).toBeUndefined()
    expect(await cache.get('k3')).toBeDefined()
  })

  test('generations start at 0 and only the bumped scopes move', async () => {
    const cache = memoryCache()
    expect(await cache.generations(['all', 'c:orders', 't:a'])).toEqual([0, 0, 0])
    await cache.bump(['c:orders'])
    await cache.bump(['c:orders', 't:a'])
    expect(await cache.generations(['all', 'c:orders', 't:a'])).toEqual([0, 2, 1])
  })

  test('a lock has one holder until it is released by its token or expires', async () => {
    const clock = new ManualClock()
    const cache = memoryCache({ clock })
    const token = await cache.lock('l:x', 60_000)
    expect(token).toEqual(expect.any(String))
    expect(await cache.lock('l:x', 60_000)).toBeUndefined()
    await cache.unlock('l:x', 'not-the-token')
    expect(await cache.lock('l:x', 60_000)).toBeUndefined()
    await cache.unlock('l:x', token!)
    const short = await cache.lock('l:x', 30)
    expect(short).toBeDefined()
    clock.advance(29)
    expect(await cache.lock('l:x', 60_000)).toBeUndefined()
    clock.advance(1)
    expect(await cache.lock('l:x', 60_000)).toBeDefined()
  })

  test('rejects bounds that are not positive integers', () => {
    expect(() => memoryCache({ maxEntries: 0 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }))
    expect(() => memoryCache({ maxBytes: 1.5 })).toThrow(/maxBytes/)
  })
})

describe('refresh_key rules', () => {
  test('intervals as Cube writes them', () => {
    const cases: [string, number][] = [
      ['30 seconds', 30_000],
      ['1 second', 1_000],
      ['10 second', 10_000],
      ['1 minute', 60_000],
      ['5 min', 300_000],
      ['5 mins', 300_000],
      ['2 minutes', 120_000],
      ['1 hour', 3_600_000],
      ['12 hours', 43_200_000],
      ['1 day', 86_400_000],
      ['7 days', 604_800_000],
      ['1 week', 604_800_000],
      ['15s', 15_000],
      [' 2 H ', 7_200_000],
    ]
    for (const [text, ms] of cases) expect(parseInterval(text, ['every']), text).toBe(ms)
  })

  test('bad intervals are model errors naming the cube; cron is unsupported', () => {
    for (const bad of ['soon', '0 seconds', '1.5 hours', '-1 hour', '1 fortnight', '', 'hour']) {
      expect(() => refreshRuleOf({ name: 'orders', refreshKey: { every: bad } }), bad).toThrow(
        expect.objectContaining({
          code: 'MODEL_INVALID',
          issues: [
            expect.objectContaining({ code: 'INVALID_REFRESH_KEY', path: ['cubes', 'orders', 'refresh_key', 'every'] }),
          ],
        }),
      )
    }
    expect(() => refreshRuleOf({ name: 'o', refreshKey: { every: '1 month' } })).toThrow(/30 days/)
    expect(() => refreshRuleOf({ name: 'o', refreshKey: { every: 60 } })).toThrow(
      expect.objectContaining({ code: 'MODEL_INVALID' }),
    )
    expect(() => refreshRuleOf({ name: 'o', refreshKey: { every: '*/5 * * * *' } })).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED' }),
    )
    expect(() => refreshRuleOf({ name: 'o', refreshKey: { sql: '  ' } })).toThrow(
      expect.objectContaining({ code: 'MODEL_INVALID' }),
    )
    expect(() => refreshRuleOf({ name: 'o', refreshKey: {} })).toThrow(/needs `every`/)
  })

  test("Cube's defaults: no refresh_key is every 10 seconds; sql alone is checked every 10 seconds", () => {
    expect(DEFAULT_EVERY_MS).toBe(10_000)
    expect(refreshRuleOf({ name: 'o' })).toEqual({ kind: 'every', everyMs: 10_000 })
    expect(refreshRuleOf({ name: 'o', refreshKey: { sql: 'SELECT 1' } })).toEqual({
      kind: 'sql',
      sql: 'SELECT 1',
      everyMs: 10_000,
    })
    expect(refreshRuleOf({ name: 'o', refreshKey: { sql: 'SELECT 1', every: '1 minute' } })).toEqual({
      kind: 'sql',
      sql: 'SELECT 1',
      everyMs: 60_000,
    })
    expect(refreshRuleOf({ name: 'o', refreshKey: { immutable: true } })).toEqual({ kind: 'immutable' })
  })

  test('every-buckets are aligned on the epoch, like FLOOR(EPOCH(NOW()) / interval)', () => {
    expect(bucketOf(Date.UTC(2024, 0, 1, 10, 0, 9, 999), 10_000)).toBe(bucketOf(Date.UTC(2024, 0, 1, 10, 0, 0), 10_000))
    expect(bucketOf(Date.UTC(2024, 0, 1, 10, 0, 10), 10_000)).toBe(bucketOf(Date.UTC(2024, 0, 1, 10, 0, 0), 10_000) + 1)
  })
})

describe('single-flight', () => {
  test('concurrent joins share one run; a later join starts a new one', async () => {
    const flights = createFlights<number>()
    let runs = 0
    let run = deferred<void>()
    const start = async (): Promise<number> => {
      runs++
      await run.promise
      return runs
    }
    const joined = Promise.all(Array.from({ length: 50 }, () => flights.join('k', start)))
    expect(flights.size).toBe(1)
    run.resolve()
    const results = await joined
    expect(new Set(results)).toEqual(new Set([1]))
    expect(runs).toBe(1)
    expect(flights.size).toBe(0)
    run = deferred<void>()
    const later = flights.join('k', start)
    run.resolve()
    expect(await later).toBe(2)
  })

  test('an aborted caller leaves; the run is aborted only when nobody waits any more', async () => {
    const flights = createFlights<string>()
    let aborted = false
    const finish: (() => void)[] = []
    const start = (signal: AbortSignal | undefined): Promise<string> =>
      new Promise((resolve, reject) => {
        finish.push(() => resolve('done'))
        signal?.addEventListener('abort', () => {
          aborted = true
          reject(new Error('aborted'))
        })
      })
    const a = new AbortController()
    const b = new AbortController()
    const pa = flights.join('k', start, { signal: a.signal })
    const pb = flights.join('k', start, { signal: b.signal })
    a.abort()
    await expect(pa).rejects.toMatchObject({ code: 'QUERY_CANCELLED' })
    expect(aborted).toBe(false)
    finish[0]!()
    await expect(pb).resolves.toBe('done')

    const c = new AbortController()
    const pc = flights.join('k2', start, { signal: c.signal })
    c.abort()
    await expect(pc).rejects.toMatchObject({ code: 'QUERY_CANCELLED' })
    expect(aborted).toBe(true) // the last caller left: the run's signal was aborted at once
  })

  test('onShared runs once, before any waiter resumes, when more than one caller waits; never for one caller', async () => {
    const events: string[] = []
    const flights = createFlights<{ id: string }>((value) => events.push(`shared ${value.id}`))
    const start = (id: string) => () => Promise.resolve().then(() => ({ id }))
    const solo = await flights.join('a', start('solo'))
    events.push(`resumed ${solo.id}`)
    const c = new AbortController()
    const waiting = [flights.join('b', start('pair')), flights.join('b', start('pair'), { signal: c.signal })].map(
      (p) => p.then((v) => events.push(`resumed ${v.id}`)),
    )
    await Promise.all(waiting)
    expect(events).toEqual(['resumed solo', 'shared pair', 'resumed pair', 'resumed pair'])
    // A caller that left (aborted) is not a second consumer.
    const d = new AbortController()
    const left = flights.join('c', start('left'), { signal: d.signal })
    const stays = flights.join('c', start('left'))
    d.abort()
    await expect(left).rejects.toMatchObject({ code: 'QUERY_CANCELLED' })
    await stays
    expect(events.filter((e) => e === 'shared left')).toEqual([])
  })

  test('a run started by a caller without a signal gets none, and keeps running when a joined caller aborts', async () => {
    const flights = createFlights<string>()
    const given: (AbortSignal | undefined)[] = []
    let finish = deferred<void>()
    const start = (signal: AbortSignal | undefined): Promise<string> => {
      given.push(signal)
      return finish.promise.then(() => 'done')
    }
    const first = flights.join('k', start)
    const c = new AbortController()
    const joined = flights.join('k', start, { signal: c.signal })
    c.abort()
    await expect(joined).rejects.toMatchObject({ code: 'QUERY_CANCELLED' })
    finish.resolve()
    await expect(first).resolves.toBe('done')
    // Started with a signal: the run gets one of its own (not the caller's), which the caller can abort.
    finish = deferred<void>()
    const d = new AbortController()
    const second = flights.join('k2', start, { signal: d.signal })
    finish.resolve()
    await second
    expect(given).toHaveLength(2)
    expect(given[0]).toBeUndefined()
    expect(given[1]).toBeInstanceOf(AbortSignal)
    expect(given[1]).not.toBe(d.signal)
  })

  test('a background run is never aborted by callers leaving', async () => {
    const flights = createFlights<string>()
    let aborted = false
    const finish = deferred<void>()
    const start = (signal: AbortSignal | undefined): Promise<string> => {
      signal?.addEventListener('abort', () => (aborted = true))
      return finish.promise.then(() => 'bg')
    }
    const bg = flights.join('k', start, { background: true })
    const c = new AbortController()
    const waiting = flights.join('k', start, { signal: c.signal })
    c.abort()
    await expect(waiting).rejects.toMatchObject({ code: 'QUERY_CANCELLED' })
    finish.resolve()
    await expect(bg).resolves.toBe('bg')
    expect(aborted).toBe(false)
  })
})
