/**
 * Where cached results live. Cortex ships two adapters: `memoryCache()` (the default, one process) and
 * `redisCache()` from `cortex-semantic/redis` (shared by every instance of the host app). Any other store
 * can implement this interface.
 *
 * Keys arrive without the adapter's prefix and are safe to use as-is (hex digests and short scope
 * names). Values are strings (JSON written by Cortex). An adapter may throw or hang: Cortex wraps every
 * call, reports the failure through `onCacheError` and treats it as a miss; a query never fails because
 * of its cache.
 */
export interface CacheAdapter {
  /** Short name for reports, e.g. `'memory'`, `'redis'`. */
  readonly name: string
  /** Give up on any single call after this many milliseconds (a miss). Unset: calls are not timed. */
  readonly timeoutMs?: number
  get(key: string): Promise<string | undefined>
  /** Store a value that expires after `ttlMs`. */
  set(key: string, value: string, ttlMs: number): Promise<void>
  delete(key: string): Promise<void>
  /**
   * Invalidation generations of these scopes (0 for a scope never bumped), in order. Result keys include
   * the generations of every scope they belong to, so bumping one makes its entries unreachable.
   */
  generations(scopes: readonly string[]): Promise<readonly number[]>
  /** Bump the generations of these scopes, everywhere the store is shared (e.g. Redis pub/sub). */
  bump(scopes: readonly string[]): Promise<void>
  /**
   * Take a short lock so that one instance runs a query while the others wait for its result.
   * Resolves to a token when taken, `undefined` when someone else holds it.
   */
  lock(key: string, ttlMs: number): Promise<string | undefined>
  /** Release a lock taken with `lock` (only if `token` still owns it). */
  unlock(key: string, token: string): Promise<void>
  /** Release what the adapter opened itself (never a client the host passed in). */
  close?(): Promise<void>
}

/**
 * Cube's per-query cache modes:
 * - `stale-if-slow` (default): fresh entries are served; an expired entry is refreshed, but if the database
 *   takes longer than `staleIfSlowMs` the expired entry is served and the refresh finishes in the background.
 * - `stale-while-revalidate`: an expired entry is served at once and refreshed in the background.
 * - `must-revalidate`: an expired entry is never served (Cube's `renewQuery: true`).
 * - `no-cache`: the cache is not read; the fresh result is written.
 */
export type CacheMode = 'stale-if-slow' | 'stale-while-revalidate' | 'must-revalidate' | 'no-cache'

export const CACHE_MODES: readonly CacheMode[] = [
  'stale-if-slow',
  'stale-while-revalidate',
  'must-revalidate',
  'no-cache',
]

/** How a result was served (`result.cache`). */
export interface CacheInfo {
  /** Served from the cache (including an expired entry served by a stale-* mode). */
  readonly hit: boolean
  /** The entry served was expired (its refresh keys no longer match). */
  readonly stale: boolean
  /** Milliseconds since the entry was written; 0 for a result fresh from the database. */
  readonly ageMs: number
  /** Refresh-key value per cube the entry was computed under (Cube's `refreshKeyValues`). */
  readonly refreshKeys: Readonly<Record<string, string>>
  /** The mode that applied. `no-cache` when caching is disabled. */
  readonly mode: CacheMode
}

/** What went wrong where: reported through `onCacheError`, never thrown at a query. */
export type CacheOperation =
  | 'get'
  | 'set'
  | 'delete'
  | 'generations'
  | 'bump'
  | 'lock'
  | 'unlock'
  | 'close'
  | 'decode'
  | 'encode'
  | 'key'
  | 'refresh-key'
  | 'background-refresh'
  | 'subscribe'

export type CacheErrorHandler = (error: unknown, operation: CacheOperation) => void

/** `layer.invalidate()`: no field drops everything; `cubes` and `tenant` together drop that tenant's entries for those cubes. */
export interface InvalidateTarget {
  /** Cube (or view) names whose entries to drop. */
  readonly cubes?: readonly string[]
  /** Drop this tenant's entries. */
  readonly tenant?: string
}

/** Tuning of the result cache (`createSemanticLayer({ cacheOptions })`). */
export interface CacheOptions {
  /** `stale-if-slow`: wait this long for a refresh before serving the expired entry. Default 5 000 (Cube's continueWaitTimeout). */
  readonly staleIfSlowMs?: number
  /** Keep entries this long after they were written, to be served stale. Default 24 h (Cube's expireSecs). */
  readonly entryTtlMs?: number
  /** Cross-instance single-flight: how long one instance may hold the lock on a query. Default 30 000. */
  readonly lockMs?: number
  /** After a cache failure, leave the cache alone this long (queries run uncached), then try it again. Default 1 000. */
  readonly retryAfterMs?: number
}
