/**
 * What the caches key a call by and what the policies evaluate must be the same data (issue 16, finding 8).
 * The digest walked own enumerable keys while policies read any own property: two contexts differing only
 * in a non-enumerable or symbol-keyed property shared a cache entry although a policy told them apart.
 * Now a plain context is snapshotted once per call and everything reads the snapshot; a context that is
 * not plain data runs uncached. Expected rows come from hand-written SQL over the same data.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import type { CacheOperation } from '../../src/cache/cache-adapter.js'
import { securityDigest } from '../../src/cache/cache-key.js'
import { callContext } from '../../src/security/security-context.js'
import { createSemanticLayer, type SemanticLayer, type SemanticLayerOptions } from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'
import { countedDb, type CountedDb } from '../cache/helpers.js'
import { ManualClock } from '../fixtures/manual-clock.js'

// Admins (securityContext.is_admin) see every order; everyone else only paid ones.
const MODEL = {
  cubes: [
    {
      name: 'orders',
      sql: 'SELECT * FROM orders WHERE (SELECT count_execution()) = 1',
      refresh_key: { every: '1 hour' },
      dimensions: [
        { name: 'id', sql: 'id', type: 'number', primary_key: true },
        { name: 'status', sql: 'status', type: 'string' },
      ],
      measures: [{ name: 'count', type: 'count' }],
      access_policy: [
        { group: '*', conditions: [{ if: '{ securityContext.is_admin }' }], row_level: { allow_all: true } },
        { group: '*', row_level: { filters: [{ member: 'status', operator: 'equals', values: ['paid'] }] } },
      ],
    },
  ],
}
const QUERY = { measures: ['orders.count'] }

describe('the security context: one snapshot for policies, hooks and cache keys', () => {
  let db: CountedDb
  const layers: SemanticLayer[] = []
  beforeEach(() => {
    db = countedDb()
  })
  afterEach(async () => {
    for (const l of layers.splice(0)) await l.close()
    db?.close()
  })
  const open = (options: Partial<SemanticLayerOptions> = {}): SemanticLayer => {
    const layer = createSemanticLayer({
      model: MODEL,
      connectors: { default: sqlite({ database: db.db }) },
      clock: new ManualClock(),
      ...options,
    })
    layers.push(layer)
    return layer
  }
  const count = (sql: string): number => Number(db.db.prepare(sql).pluck().get())
  const counts = (): { all: number; paid: number } => ({
    all: count('SELECT count(*) FROM orders'),
    paid: count("SELECT count(*) FROM orders WHERE status = 'paid'"),
  })

  test('regression: contexts differing only in a non-enumerable property never share an entry (admin rows stayed cached for a non-admin)', async () => {
    const ops: CacheOperation[] = []
    const layer = open({ onCacheError: (_e, op) => ops.push(op) })
    const expected = counts()
    expect(expected.paid).toBeLessThan(expected.all) // the premise: the policy changes the answer
    const admin = Object.defineProperty({ tenant: 't1' }, 'is_admin', { value: true, enumerable: false })
    const plain = { tenant: 't1' }
    // Before the fix the two had one digest: the second call was a hit on the admin's rows.
    expect((await layer.query(QUERY, { securityContext: admin })).data).toEqual([{ 'orders.count': expected.all }])
    const second = await layer.query(QUERY, { securityContext: plain })
    expect(second.data).toEqual([{ 'orders.count': expected.paid }])
    expect(second.cache.hit).toBe(false)
    // The other order too: the admin is never served the plain context's entry.
    const third = await layer.query(QUERY, { securityContext: admin })
    expect(third.data).toEqual([{ 'orders.count': expected.all }])
    expect(third.cache.hit).toBe(false)
    expect(db.executions()).toBe(3)
    expect(ops).toEqual(['key', 'key']) // the admin's context is not plain data: uncached, reported
    expect((await layer.query(QUERY, { securityContext: plain })).cache.hit).toBe(true) // plain contexts still cache
  })

  test('a symbol-keyed property and a class instance make the context uncached; the policy still reads it', async () => {
    const layer = open({ onCacheError: () => undefined })
    const expected = counts()
    const contexts: [Record<string | symbol, unknown>, number][] = [
      [{ tenant: 't1', [Symbol('admin')]: true }, expected.paid],
      [{ tenant: 't1', nested: new Map([['is_admin', true]]) }, expected.paid],
      [Object.assign(Object.create({ inherited: true }) as object, { tenant: 't1', is_admin: true }), expected.all],
    ]
    for (const [securityContext, rows] of contexts) {
      const before = db.executions()
      const r = await layer.query(QUERY, { securityContext })
      expect(r.data).toEqual([{ 'orders.count': rows }])
      expect(r.cache.hit).toBe(false)
      expect(db.executions()).toBe(before + 1)
    }
  })

  test('a getter is read once: the policy and the cache key see its one answer', async () => {
    const layer = open()
    const expected = counts()
    let reads = 0
    // Says "admin" the first time only: before the snapshot, the digest and the policy could read it apart.
    const tricky = {
      tenant: 't1',
      get is_admin() {
        return ++reads === 1
      },
    }
    const first = await layer.query(QUERY, { securityContext: tricky })
    expect(first.data).toEqual([{ 'orders.count': expected.all }])
    expect(reads).toBe(1)
    // The entry is keyed by what the policy saw (is_admin: true): the same data as plain fields hits it.
    expect((await layer.query(QUERY, { securityContext: { tenant: 't1', is_admin: true } })).cache.hit).toBe(true)
    expect((await layer.query(QUERY, { securityContext: { tenant: 't1' } })).data).toEqual([
      { 'orders.count': expected.paid },
    ])
  })

  test("regression: a hook changing the host's context object mid-call cannot change what the policies read after the digest", async () => {
    const original: Record<string, unknown> = { tenant: 't1' }
    const seen: unknown[] = []
    const layer = open({
      authorize: ({ securityContext }) => {
        seen.push(securityContext)
        original.is_admin = true // the host's object, changed after the call took its snapshot
        return true
      },
    })
    const expected = counts()
    const first = await layer.query(QUERY, { securityContext: original })
    // Before the fix the row policy read is_admin: true here, under the digest of { tenant: 't1' }.
    expect(first.data).toEqual([{ 'orders.count': expected.paid }])
    expect(seen[0]).not.toBe(original)
    expect(seen[0]).toEqual({ tenant: 't1' })
    expect(Object.isFrozen(seen[0])).toBe(true)
    // Now the host's object says admin: a new call snapshots that, under its own digest.
    const second = await layer.query(QUERY, { securityContext: original })
    expect(second.data).toEqual([{ 'orders.count': expected.all }])
    expect(second.cache.hit).toBe(false)
  })

  test('callContext: a frozen copy for plain data with the same digest as the context; nothing for anything else', () => {
    const ctx = { b: [1, 'x', { c: null }], a: true, skipped: undefined, __proto__x: 1 }
    const call = callContext(ctx)
    expect(call.context).toEqual({ b: [1, 'x', { c: null }], a: true, __proto__x: 1 })
    expect(call.context).not.toBe(ctx)
    expect(Object.isFrozen(call.context) && Object.isFrozen((call.context as { b: unknown[] }).b)).toBe(true)
    expect(call.digest()).toBe(securityDigest(ctx))
    // An own "__proto__" key is copied as a key, not turned into a prototype.
    const own = JSON.parse('{"__proto__": {"is_admin": true}}') as Record<string, unknown>
    const copied = callContext(own).context as Record<string, unknown>
    expect(Object.getPrototypeOf(copied)).toBe(Object.prototype)
    expect(Object.hasOwn(copied, '__proto__')).toBe(true)
    expect((copied as { is_admin?: unknown }).is_admin).toBeUndefined()
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    // biome-ignore lint/suspicious/noSparseArray: a sparse array is one of the odd values under test
    const odd = [new Date(0), cyclic, new Proxy({}, {}), Object.assign([1], { extra: 1 }), [1, , 3], { f: () => 1 }]
    for (const value of odd) {
      const c = callContext({ value })
      expect(c.digest()).toBeUndefined()
      expect(c.context).toEqual({ value }) // the caller's own object
      expect(c.notPlain).toMatchObject({
        code: 'QUERY_INVALID',
        issues: [expect.objectContaining({ code: 'NOT_PLAIN_DATA' })],
      })
    }
    expect(callContext(undefined).digest()).toBe(securityDigest(null))
  })
})
