import { randomUUID } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import { SemanticLayerError } from '../errors.js'
import { MAX_LRU_ENTRIES, readOptions, readingOptions, type OptionSpecs } from '../util/options.js'
import type { CacheAdapter } from './cache-adapter.js'
import { systemClock, type Clock } from '../util/clock.js'

export interface MemoryCacheOptions {
  /** Most entries kept (least recently used go first). Default 1 000. */
  readonly maxEntries?: number
  /** Most bytes kept, counted as the UTF-8 size of keys and values. Default 64 MiB. A larger single value is not cached. */
  readonly maxBytes?: number
  /**
   * The clock entry TTLs and lock expiry are measured on. Default: the system clock. The layer checks
   * entry ages on its own clock too, so this matters only when the cache is used on its own.
   */
  readonly clock?: Clock
}

const MEMORY_CACHE_OPTIONS: OptionSpecs<MemoryCacheOptions> = {
  maxEntries: { min: 1, max: MAX_LRU_ENTRIES },
  maxBytes: 'any',
  clock: 'any',
}

/**
 * An in-process cache on lru-cache: the default of `createSemanticLayer`. Bounded by entries and bytes;
 * entries also expire after their TTL. Share one instance between layers of the same process to share
 * entries, locks and invalidations.
 *
 * @example
 * createSemanticLayer({ model, connectors, cache: memoryCache({ maxEntries: 5_000, maxBytes: 256 * 2 ** 20 }) })
 */
export function memoryCache(given: MemoryCacheOptions = {}): CacheAdapter {
  const what = 'memoryCache options'
  const options = readingOptions(what, () =>
    readOptions<MemoryCacheOptions>(given, MEMORY_CACHE_OPTIONS, { what, path: ['cache'] }),
  )
  const maxEntries = options.maxEntries ?? 1_000
  const maxBytes = options.maxBytes ?? 64 * 2 ** 20
  for (const [name, v] of [
    ['maxEntries', maxEntries],
    ['maxBytes', maxBytes],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 1) {
      throw new SemanticLayerError('CONFIG_INVALID', [
        { code: 'INVALID_OPTION', path: ['cache', name], message: `memoryCache ${name} must be a positive integer.` },
      ])
    }
  }
  const clock = options.clock ?? systemClock
  const values = new LRUCache<string, string>({
    max: maxEntries,
    // lru-cache measures TTLs on `perf`; with a clock of the caller's, read it on every check (no 1 ms reuse).
    ...(options.clock ? { perf: { now: () => clock.now() }, ttlResolution: 0 } : {}),
    maxSize: maxBytes,
    sizeCalculation: (value, key) => Math.max(1, Buffer.byteLength(value) + Buffer.byteLength(key)),
  })
  // Generations are never evicted: forgetting a bumped scope would make its old entries reachable again.
  // Only bumped scopes are stored, so this grows with the number of distinct invalidations.
  const generations = new Map<string, number>()
  const locks = new Map<string, { token: string; expiresAt: number }>()

  return {
    name: 'memory',
    async get(key) {
      return values.get(key)
    },
    async set(key, value, ttlMs) {
      values.set(key, value, { ttl: Math.max(1, Math.ceil(ttlMs)) })
    },
    async delete(key) {
      values.delete(key)
    },
    async generations(scopes) {
      return scopes.map((s) => generations.get(s) ?? 0)
    },
    async bump(scopes) {
      for (const s of scopes) generations.set(s, (generations.get(s) ?? 0) + 1)
    },
    async lock(key, ttlMs) {
      const now = clock.now()
      const held = locks.get(key)
      if (held && held.expiresAt > now) return undefined
      const token = randomUUID()
      locks.set(key, { token, expiresAt: now + ttlMs })
      return token
    },
    async unlock(key, token) {
      if (locks.get(key)?.token === token) locks.delete(key)
    },
    // No close(): nothing to release, and a memory cache may be shared by several layers.
  }
}
