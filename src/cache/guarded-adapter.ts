import type { CacheAdapter, CacheErrorHandler, CacheOperation } from './cache-adapter.js'
import { systemClock, type Clock } from '../util/clock.js'

/** What a guarded call returns when the adapter failed, timed out or is known to be down. */
export const FAILED: unique symbol = Symbol('cache call failed')
export type Failed = typeof FAILED

/**
 * The adapter as the query path sees it: calls never throw. A call that throws or outlives the adapter's
 * `timeoutMs` is reported through `onError` and returns FAILED (the query goes on as a miss). After a
 * failure the adapter is left alone for `retryAfterMs`, so an outage costs each query nothing instead
 * of a timeout; the next call after that probes it again, which is how caching resumes.
 */
export interface GuardedAdapter {
  readonly name: string
  call<T>(operation: CacheOperation, fn: (adapter: CacheAdapter) => Promise<T>): Promise<T | Failed>
  /** Like `call` but throws the failure (for `invalidate()`, whose caller must know); ignores the pause. */
  strict<T>(operation: CacheOperation, fn: (adapter: CacheAdapter) => Promise<T>): Promise<T>
  report(error: unknown, operation: CacheOperation): void
  close(): Promise<void>
}

export function guardAdapter(
  adapter: CacheAdapter,
  onError: CacheErrorHandler | undefined,
  retryAfterMs: number,
  clock: Clock = systemClock,
): GuardedAdapter {
  let downUntil = 0
  let warned = false
  const report = (error: unknown, operation: CacheOperation): void => {
    if (onError) {
      try {
        onError(error, operation)
      } catch {
        // The hook's own failure must not fail the query.
      }
    } else if (!warned) {
      // Without a hook, say it once per process lifetime of this layer instead of staying silent.
      warned = true
      const why = error instanceof Error && error.message ? `: ${error.message.slice(0, 300)}` : ''
      process.emitWarning(
        `cortex-semantic: the ${adapter.name} cache failed (${operation}${why}); queries go on uncached. Pass onCacheError to createSemanticLayer to observe cache failures.`,
        { code: 'CORTEX_CACHE_FAILED' },
      )
    }
  }
  const timed = <T>(operation: CacheOperation, promise: Promise<T>): Promise<T> => {
    const ms = adapter.timeoutMs
    if (ms === undefined) return promise
    return new Promise<T>((resolve, reject) => {
      const cancel = clock.setTimer(() => reject(new CacheTimeoutError(adapter.name, operation, ms)), ms)
      promise.then(
        (value) => {
          cancel()
          resolve(value)
        },
        (error: unknown) => {
          cancel()
          reject(error)
        },
      )
    })
  }
  const invoke = <T>(operation: CacheOperation, fn: (adapter: CacheAdapter) => Promise<T>): Promise<T> => {
    try {
      return timed(operation, fn(adapter))
    } catch (error) {
      return Promise.reject(error)
    }
  }
  return {
    name: adapter.name,
    report,
    async call(operation, fn) {
      if (downUntil > clock.now()) return FAILED
      try {
        return await invoke(operation, fn)
      } catch (error) {
        downUntil = clock.now() + retryAfterMs
        report(error, operation)
        return FAILED
      }
    },
    async strict(operation, fn) {
      try {
        const value = await invoke(operation, fn)
        downUntil = 0
        return value
      } catch (error) {
        report(error, operation)
        throw error
      }
    },
    async close() {
      try {
        await invoke('close', async (a) => a.close?.())
      } catch (error) {
        report(error, 'close')
      }
    },
  }
}

/** A cache call that did not answer in time (reported through `onCacheError`). */
export class CacheTimeoutError extends Error {
  constructor(adapterName: string, operation: CacheOperation, timeoutMs: number) {
    super(`The ${adapterName} cache did not answer ${operation} within ${timeoutMs} ms.`)
    this.name = 'CacheTimeoutError'
  }
}
