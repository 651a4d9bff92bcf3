/**
 * The behaviour every cache adapter must show through a layer: hits and misses counted at the database,
 * TTL expiry, refresh keys (every / sql), Cube's four cache modes, isolation of security contexts,
 * single-flight and invalidation. Run by memory-layer.test.ts and redis-layer.test.ts.
 *
 * Time is a ManualClock given to the layer: tests move it (next refresh bucket, past a TTL, past
 * staleIfSlowMs) instead of sleeping, and slow queries are held at a gate instead of delayed.
 */
import fc from 'fast-check'
import { afterEach, describe, expect, test, vi } from 'vitest'
import type { CacheAdapter } from '../../src/cache/cache-adapter.js'
import { securityDigest } from '../../src/cache/cache-key.js'
import { createSemanticLayer, type SemanticLayer, type SemanticLayerOptions } from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'
import { ManualClock, turn, until } from '../fixtures/manual-clock.js'
import {
  BY_COUNTRY,
  BY_STATUS,
  REFRESH_SQL,
  countedDb,
  gatedConnector,
  testModel,
  type CountedDb,
  type Gate,
} from './helpers.js'

export interface AdapterFactory {
  /** A fresh adapter (its own namespace) and how to release it. */
  (): Promise<{ adapter: CacheAdapter; close(): Promise<void> }>
}

export function cacheBehaviourSuite(name: string, makeAdapter: AdapterFactory): void {
  describe(name, () => {
    const cleanups: (() => Promise<void> | void)[] = []
    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await c()
    })

    /** A layer over a fresh counted database with a fresh adapter, on a clock of its own. */
    const open = async (
      options: Partial<SemanticLayerOptions> & { gated?: boolean } = {},
    ): Promise<{ layer: SemanticLayer; db: CountedDb; gate: Gate; clock: ManualClock }> => {
      const db = countedDb()
      const { adapter, close } = await makeAdapter()
      const gated = gatedConnector(db.db, db.id)
      const clock = new ManualClock()
      const { gated: useGate, ...rest } = options
      const layer = createSemanticLayer({
        model: testModel(),
        connectors: { default: useGate ? gated.connector : sqlite({ database: db.db, id: db.id }) },
        cache: adapter,
        clock,
        ...rest,
      })
      cleanups.push(
        () => db.close(),
        close,
        () => layer.close(),
      )
      return { layer, db, gate: gated.gate, clock }
    }

    test('a repeated query is a miss then a hit: the database runs it once, and the hit returns identical rows', async () => {
      // The model has no refresh_key: Cube's default, every 10 seconds, on the layer's clock (which stays put).
      const { layer, db } = await open()
      const first = await layer.query(BY_STATUS)
      const second = await layer.query(BY_STATUS)
      expect(db.executions()).toBe(1)
      expect(first.cache).toMatchObject({ hit: false, stale: false, ageMs: 0, mode: 'stale-if-slow' })
      expect(second.cache).toMatchObject({ hit: true, stale: false, mode: 'stale-if-slow' })
      expect(second.data).toStrictEqual(first.data)
      expect(second.data.length).toBeGreaterThan(1)
      // Nulls, text and numbers as SQLite gave them, through the cache.
      const notes = {
        dimensions: ['orders.id', 'orders.note', 'orders.created_at'],
        order: { 'orders.id': 'asc' as const },
        limit: 50,
      }
      const fresh = await layer.query(notes)
      const cached = await layer.query(notes)
      expect(cached.cache.hit).toBe(true)
      expect(cached.data).toStrictEqual(fresh.data)
      expect(fresh.data.some((r) => r['orders.note'] === null)).toBe(true)
      const other = await layer.query({ ...BY_STATUS, limit: 2 })
      expect(other.cache.hit).toBe(false)
    })

    test('entries keep the row form they were fetched in; a hit shapes arrays and objects alike, whichever instance wrote them', async () => {
      // Two instances sharing one cache: the built-in SQLite connector (executeArrays: entries of array
      // rows) and a custom connector with only execute (entries of object rows). Every kind of value the
      // dataset has: numbers, text, nulls, times (one under two keys), and a total.
      const db = countedDb()
      const { adapter, close } = await makeAdapter()
      const clock = new ManualClock() // one clock: both instances are in the same refresh bucket
      // Both connectors read the same database, and say so with one id (see Connector.id).
      const arraysLayer = createSemanticLayer({
        model: testModel(),
        connectors: { default: sqlite({ database: db.db, id: db.id }) },
        cache: adapter,
        clock,
      })
      const objectsLayer = createSemanticLayer({
        model: testModel(),
        connectors: { default: gatedConnector(db.db, db.id).connector },
        cache: adapter,
        clock,
      })
      cleanups.push(
        () => db.close(),
        close,
        () => arraysLayer.close(),
        () => objectsLayer.close(),
      )
      for (let i = 0; i < 40; i++) db.addOrder() // 540 orders: more than the limit, and enough rows for the generated shaper (≥ 512)
      const byArrays = {
        dimensions: ['orders.id', 'orders.status', 'orders.note'],
        timeDimensions: [{ dimension: 'orders.created_at', granularity: 'day' }],
        order: { 'orders.id': 'asc' },
        limit: 520,
        ungrouped: true,
        total: true,
      } as const
      const byObjects = {
        measures: ['orders.count', 'orders.total_amount'],
        dimensions: ['orders.status'],
        timeDimensions: [{ dimension: 'orders.created_at', granularity: 'month' }],
        order: { 'orders.created_at.month': 'asc', 'orders.status': 'asc' },
        limit: 5,
      } as const
      const written = { arrays: await arraysLayer.query(byArrays), objects: await objectsLayer.query(byObjects) }
      expect([written.arrays.cache.hit, written.objects.cache.hit]).toEqual([false, false])
      const ran = db.executions() // 3: the main and total statements of one, the main statement of the other
      // Read back by the other instance: hits, shaped exactly like the fresh results.
      const read = { arrays: await objectsLayer.query(byArrays), objects: await arraysLayer.query(byObjects) }
      expect([read.arrays.cache.hit, read.objects.cache.hit]).toEqual([true, true])
      expect(db.executions()).toBe(ran)
      for (const form of ['arrays', 'objects'] as const) {
        const { data, truncated, total } = read[form]
        expect({ data, truncated, total }).toStrictEqual({
          data: written[form].data,
          truncated: written[form].truncated,
          total: written[form].total,
        })
      }
      // And like each instance computes them itself (no-cache runs on the database): no form is misread.
      const fresh = {
        arrays: await objectsLayer.query(byArrays, { cacheMode: 'no-cache' }),
        objects: await arraysLayer.query(byObjects, { cacheMode: 'no-cache' }),
      }
      expect(fresh.arrays.data).toStrictEqual(written.arrays.data)
      expect(fresh.objects.data).toStrictEqual(written.objects.data)
      // What the rows hold, checked directly: truncation at the limit, the total, values of every kind.
      const rows = written.arrays.data
      expect(written.arrays).toMatchObject({
        truncated: true,
        total: db.db.prepare('SELECT count(*) AS n FROM orders').pluck().get(),
      })
      expect(rows).toHaveLength(520)
      expect(rows[0]!['orders.created_at.day']).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00\.000$/)
      expect(
        rows.every((r) => r['orders.created_at'] === r['orders.created_at.day'] && typeof r['orders.id'] === 'number'),
      ).toBe(true)
      expect(
        rows.some((r) => r['orders.note'] === null) && rows.some((r) => typeof r['orders.note'] === 'string'),
      ).toBe(true)
      expect(Object.keys(rows[0]!)).toEqual([
        'orders.id',
        'orders.status',
        'orders.note',
        'orders.created_at.day',
        'orders.created_at',
      ])
      expect(
        written.objects.data.every(
          (r) => typeof r['orders.count'] === 'number' && typeof r['orders.total_amount'] === 'number',
        ),
      ).toBe(true)
    })

    test('result.cache tells the age and the refresh-key value of every cube', async () => {
      const { layer, clock } = await open({
        model: testModel({ orders: { every: '1 hour' }, customers: { immutable: true } }),
      })
      const miss = await layer.query(BY_COUNTRY)
      expect(miss.cache.refreshKeys).toEqual({
        orders: String(Math.floor(clock.now() / 3_600_000)),
        customers: 'immutable',
      })
      expect(miss.cache.ageMs).toBe(0)
      clock.advance(60)
      const hit = await layer.query(BY_COUNTRY)
      expect(hit.cache.hit).toBe(true)
      expect(hit.cache.ageMs).toBe(60)
      expect(hit.cache.refreshKeys).toEqual(miss.cache.refreshKeys)
    })

    test('entries expire after their TTL (cacheOptions.entryTtlMs)', async () => {
      // The TTL is checked on the layer's clock, whatever the adapter's own expiry does (Redis keeps real time).
      const { layer, db, clock } = await open({
        model: testModel({ orders: { immutable: true } }),
        cacheOptions: { entryTtlMs: 60_000 },
      })
      await layer.query(BY_STATUS)
      clock.advance(59_999)
      expect((await layer.query(BY_STATUS)).cache.hit).toBe(true)
      clock.advance(1)
      expect((await layer.query(BY_STATUS, { cacheMode: 'stale-while-revalidate' })).cache.hit).toBe(false) // gone for stale modes too
      expect(db.executions()).toBe(2)
    })

    test('refresh_key every: fresh within the interval, stale once the next one starts', async () => {
      const { layer, db, clock } = await open({ model: testModel({ orders: { every: '1 second' } }) })
      const first = await layer.query(BY_STATUS)
      clock.advance(999 - (clock.now() % 1_000)) // the last millisecond of the bucket
      expect((await layer.query(BY_STATUS)).cache.hit).toBe(true)
      clock.advance(1)
      const next = await layer.query(BY_STATUS, { cacheMode: 'must-revalidate' })
      expect(next.cache.hit).toBe(false)
      expect(Number(next.cache.refreshKeys.orders)).toBe(Number(first.cache.refreshKeys.orders) + 1)
      expect(db.executions()).toBe(2)
    })

    test('refresh_key sql: checked once per interval; entries stay fresh while its value holds and go stale when it changes', async () => {
      // An hour: the adapter keeps the refresh value that long in real time too, so it cannot expire mid-test.
      const { layer, db, clock } = await open({ model: testModel({ orders: { sql: REFRESH_SQL, every: '1 hour' } }) })
      const first = await layer.query(BY_STATUS)
      expect(first.cache.refreshKeys).toEqual({ orders: '1' })
      await Promise.all([layer.query(BY_STATUS), layer.query(BY_STATUS), layer.query({ ...BY_STATUS, limit: 3 })])
      expect(db.refreshes()).toBe(1) // the refresh query's value is cached for its interval
      clock.nextBucket(3_600_000)
      const unchanged = await layer.query(BY_STATUS)
      expect(unchanged.cache).toMatchObject({ hit: true, stale: false })
      expect(db.refreshes()).toBe(2)
      db.bumpVersion()
      db.addOrder()
      expect((await layer.query(BY_STATUS)).cache.hit).toBe(true) // same interval: the old value still holds
      clock.nextBucket(3_600_000)
      const changed = await layer.query(BY_STATUS)
      expect(changed.cache).toMatchObject({ hit: false, refreshKeys: { orders: '2' } })
      expect(changed.data).not.toEqual(first.data)
      expect(db.executions()).toBe(3)
    })

    test('stale-while-revalidate serves the expired entry at once and refreshes it in the background', async () => {
      const { layer, db, clock } = await open({ model: testModel({ orders: { every: '1 second' } }) })
      const before = await layer.query(BY_STATUS)
      db.addOrder()
      clock.nextBucket(1_000)
      const stale = await layer.query(BY_STATUS, { cacheMode: 'stale-while-revalidate' })
      expect(stale.cache).toMatchObject({ hit: true, stale: true, mode: 'stale-while-revalidate' })
      expect(stale.data).toStrictEqual(before.data)
      await vi.waitFor(
        async () =>
          expect((await layer.query(BY_STATUS, { cacheMode: 'stale-while-revalidate' })).cache.stale).toBe(false),
        { timeout: 3_000, interval: 20 },
      )
      const after = await layer.query(BY_STATUS, { cacheMode: 'stale-while-revalidate' })
      expect(after.cache).toMatchObject({ hit: true, stale: false })
      expect(after.data).not.toEqual(before.data)
      expect(db.executions()).toBe(2)
    })

    test('must-revalidate (and renewQuery: true) never serve an expired entry', async () => {
      const { layer, db, clock } = await open({ model: testModel({ orders: { every: '1 second' } }) })
      const before = await layer.query(BY_STATUS)
      db.addOrder()
      clock.nextBucket(1_000)
      const fresh = await layer.query(BY_STATUS, { cacheMode: 'must-revalidate' })
      expect(fresh.cache).toMatchObject({ hit: false, stale: false, mode: 'must-revalidate' })
      expect(fresh.data).not.toEqual(before.data)
      expect((await layer.query(BY_STATUS, { cacheMode: 'must-revalidate' })).cache.hit).toBe(true) // fresh entries are served
      db.addOrder()
      clock.nextBucket(1_000)
      const renewed = await layer.query({ ...BY_STATUS, renewQuery: true })
      expect(renewed.cache).toMatchObject({ hit: false, mode: 'must-revalidate' })
      expect(renewed.data).not.toEqual(fresh.data)
      expect(db.executions()).toBe(3)
    })

    test('no-cache skips reading the cache but writes what it fetched', async () => {
      const { layer, db } = await open({ model: testModel({ orders: { every: '1 hour' } }) })
      const first = await layer.query(BY_STATUS)
      expect((await layer.query(BY_STATUS)).cache.hit).toBe(true)
      db.addOrder()
      const bypass = await layer.query(BY_STATUS, { cacheMode: 'no-cache' })
      expect(bypass.cache).toMatchObject({ hit: false, mode: 'no-cache' })
      expect(bypass.data).not.toEqual(first.data)
      const next = await layer.query(BY_STATUS)
      expect(next.cache.hit).toBe(true)
      expect(next.data).toStrictEqual(bypass.data)
      expect(db.executions()).toBe(2)
      await expect(layer.query(BY_STATUS, { cacheMode: 'sometimes' as never })).rejects.toMatchObject({
        code: 'QUERY_INVALID',
        issues: [expect.objectContaining({ path: ['cacheMode'] })],
      })
    })

    test('stale-if-slow (default): the fresh result when the database is quick, the expired entry when it is slower than staleIfSlowMs', async () => {
      const { layer, db, gate, clock } = await open({
        gated: true,
        model: testModel({ orders: { every: '1 hour' } }),
        cacheOptions: { staleIfSlowMs: 150 },
      })
      const v1 = await layer.query(BY_STATUS)
      db.addOrder()
      clock.nextBucket(3_600_000)
      // The refresh is held at the database: 149 ms on the clock is not long enough to give up on it...
      let release = gate.hold()
      let answered = false
      const pending = layer.query(BY_STATUS).finally(() => (answered = true))
      await until(() => gate.waiting === 1)
      clock.advance(149)
      await turn()
      expect(answered).toBe(false)
      // ...150 is: the expired entry is served, and the refresh goes on.
      clock.advance(1)
      const slow = await pending
      expect(slow.cache).toMatchObject({ hit: true, stale: true, mode: 'stale-if-slow' })
      expect(slow.data).toStrictEqual(v1.data)
      expect(db.executions()).toBe(1)
      release()
      // The refresh went on in the background and filled the cache.
      await until(() => db.executions() === 2)
      await vi.waitFor(
        async () => expect((await layer.query(BY_STATUS)).cache).toMatchObject({ hit: true, stale: false }),
        { timeout: 5_000, interval: 5 },
      )
      const v2 = await layer.query(BY_STATUS)
      expect(v2.data).not.toEqual(v1.data)
      // A refresh that answers before staleIfSlowMs is served fresh (the clock never moves here).
      db.addOrder()
      clock.nextBucket(3_600_000)
      release = gate.hold()
      const quickly = layer.query(BY_STATUS)
      await until(() => gate.waiting === 1)
      release()
      const quick = await quickly
      expect(quick.cache).toMatchObject({ hit: false, stale: false })
      expect(quick.data).not.toEqual(v2.data)
      expect(db.executions()).toBe(3)
    })

    test('different security contexts never share an entry (property)', async () => {
      const { layer, db } = await open({ model: testModel({ orders: { every: '1 hour' } }) })
      const ctx = fc.dictionary(
        fc.constantFrom('tenantId', 'role', 'sub', 'groups'),
        fc.oneof(
          fc.constantFrom('a', 'b', 'admin'),
          fc.integer({ min: 0, max: 2 }),
          fc.array(fc.constantFrom('x', 'y'), { maxLength: 2 }),
        ),
        { maxKeys: 3, noNullPrototype: true },
      )
      await fc.assert(
        fc.asyncProperty(ctx, ctx, async (a, b) => {
          await layer.invalidate()
          const before = db.executions()
          const ra = await layer.query(BY_STATUS, { securityContext: a })
          const rb = await layer.query(BY_STATUS, { securityContext: b })
          const same = securityDigest(a) === securityDigest(b)
          expect(ra.cache.hit).toBe(false)
          expect(rb.cache.hit).toBe(same)
          expect((await layer.query(BY_STATUS, { securityContext: a })).cache.hit).toBe(true)
          expect(db.executions() - before).toBe(same ? 1 : 2)
        }),
        { numRuns: 40 },
      )
    })

    test('1 000 concurrent identical queries run exactly once on the database', async () => {
      const { layer, db } = await open()
      const results = await Promise.all(Array.from({ length: 1_000 }, () => layer.query(BY_STATUS)))
      expect(db.executions()).toBe(1)
      for (const r of results) expect(r.data).toStrictEqual(results[0]!.data)
    })

    test('a caller that aborts does not fail the others sharing its run', async () => {
      const { layer, db, gate } = await open({ gated: true })
      const release = gate.hold()
      const controller = new AbortController()
      const leaving = layer.query(BY_STATUS, { signal: controller.signal })
      const staying = [layer.query(BY_STATUS), layer.query(BY_STATUS)]
      await until(() => gate.waiting === 1) // one run at the database for all three
      controller.abort()
      await expect(leaving).rejects.toMatchObject({ code: 'QUERY_CANCELLED' })
      release()
      const [a, b] = await Promise.all(staying)
      expect(a!.data.length).toBeGreaterThan(0)
      expect(b!.data).toStrictEqual(a!.data)
      expect(db.executions()).toBe(1)
      await expect(layer.query(BY_STATUS, { signal: AbortSignal.abort() })).rejects.toMatchObject({
        code: 'QUERY_CANCELLED',
      })
    })

    test('invalidate: by tenant, by cube, by cube of a tenant, by view, everything', async () => {
      const { layer } = await open({
        model: testModel({ orders: { every: '1 hour' }, customers: { every: '1 hour' } }),
        contextToTenant: (ctx) => ctx.tenantId as string,
      })
      const calls = [
        () => layer.query(BY_STATUS, { securityContext: { tenantId: 'a' } }),
        () => layer.query(BY_STATUS, { securityContext: { tenantId: 'b' } }),
        () => layer.query(BY_COUNTRY, { securityContext: { tenantId: 'a' } }),
        () => layer.query(BY_COUNTRY, { securityContext: { tenantId: 'b' } }),
      ]
      const hits = async (): Promise<boolean[]> => {
        const out: boolean[] = []
        for (const call of calls) out.push((await call()).cache.hit)
        return out
      }
      expect(await hits()).toEqual([false, false, false, false])
      expect(await hits()).toEqual([true, true, true, true])
      await layer.invalidate({ tenant: 'a' })
      expect(await hits()).toEqual([false, true, false, true])
      await layer.invalidate({ cubes: ['customers'] })
      expect(await hits()).toEqual([true, true, false, false])
      await layer.invalidate({ cubes: ['customers'], tenant: 'b' })
      expect(await hits()).toEqual([true, true, true, false])
      await layer.invalidate({ cubes: ['sales'] }) // a view: its cubes orders and customers
      expect(await hits()).toEqual([false, false, false, false])
      await layer.invalidate()
      expect(await hits()).toEqual([false, false, false, false])
      expect(await hits()).toEqual([true, true, true, true])
      await expect(layer.invalidate({ cubes: ['nope'] })).rejects.toMatchObject({
        code: 'QUERY_INVALID',
        issues: [expect.objectContaining({ code: 'UNKNOWN_CUBE' })],
      })
    })
  })
}
