import { randomUUID } from 'node:crypto'
import { SemanticLayerError } from '../errors.js'
import { readOptions, readingOptions, type OptionSpecs } from '../util/options.js'
import type { CacheAdapter } from './cache-adapter.js'
import { redisDriver, type RedisClientLike, type Subscription } from './redis-client.js'
import { systemClock, type Clock } from '../util/clock.js'

export interface RedisCacheOptions {
  /** An ioredis client or a connected node-redis client the host already has. Cortex never closes it. */
  readonly client: RedisClientLike
  /** Prepended to every key and to the pub/sub channel. Default `'cortex:'`. */
  readonly prefix?: string
  /** Give up on a Redis call after this many milliseconds: the query goes on as a cache miss. Default 300. */
  readonly timeoutMs?: number
  /**
   * Keep invalidation generations in memory this long (while the pub/sub subscription is up, which
   * drops them at once when any instance invalidates). 0 reads them from Redis on every query. Default 2 000.
   */
  readonly generationCacheMs?: number
  /** Problems of the pub/sub connection (query-path errors go to the layer's `onCacheError`). */
  readonly onError?: (error: unknown) => void
  /** The clock `generationCacheMs` is measured on. Default: the system clock. */
  readonly clock?: Clock
}

const REDIS_CACHE_OPTIONS: OptionSpecs<RedisCacheOptions> = {
  client: 'required',
  prefix: 'any',
  timeoutMs: 'any',
  generationCacheMs: 'any',
  onError: 'function',
  clock: 'any',
}

// INCR every generation and tell every instance, atomically: no instance can see the new generation
// without the message being on its way.
const BUMP = `local out = {}
for i, k in ipairs(KEYS) do out[i] = redis.call('INCR', k) end
redis.call('PUBLISH', ARGV[1], ARGV[2])
return out`
const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`

/**
 * A cache shared through Redis by every instance of the host app.
 *
 * Keys (`prefix` default `cortex:`): `r:<sha256>` results and `k:<sha256>` refresh-key values (both with
 * a TTL), `l:<sha256>` single-flight locks (SET NX PX), `g:<scope>` invalidation generations (INCR, no
 * TTL). `layer.invalidate()` INCRs generations and PUBLISHes on `<prefix>invalidate`; every instance drops
 * its in-memory copy of those generations when the message arrives.
 *
 * Redis Cluster is not supported (a bump touches keys in several slots).
 *
 * @example
 * import Redis from 'ioredis'
 * import { redisCache } from 'cortex-semantic/redis'
 * createSemanticLayer({ model, connectors, cache: redisCache({ client: new Redis(process.env.REDIS_URL), prefix: 'shop:' }) })
 */
export function redisCache(given: RedisCacheOptions): CacheAdapter {
  const what = 'redisCache options'
  const read = readOptions<RedisCacheOptions>(given, REDIS_CACHE_OPTIONS, { what, path: ['cache'] })
  const options = read as RedisCacheOptions
  const driver = readingOptions('redisCache options', () => redisDriver(options.client))
  const prefix = options.prefix ?? 'cortex:'
  const timeoutMs = options.timeoutMs ?? 300
  const generationCacheMs = options.generationCacheMs ?? 2_000
  const clock = options.clock ?? systemClock
  for (const [name, v] of [
    ['timeoutMs', timeoutMs],
    ['generationCacheMs', generationCacheMs],
  ] as const) {
    if (!Number.isFinite(v) || v < 0) {
      throw new SemanticLayerError('CONFIG_INVALID', [
        {
          code: 'INVALID_OPTION',
          path: ['cache', name],
          message: `redisCache ${name} must be a non-negative number of milliseconds.`,
        },
      ])
    }
  }
  const channel = `${prefix}invalidate`
  const genKey = (scope: string): string => `${prefix}g:${scope}`
  const reportError = (error: unknown): void => {
    try {
      options.onError?.(error)
    } catch {
      // A failing hook must not break the subscription.
    }
  }

  // In-memory copy of generations, trusted only while the subscription is live. `epoch` moves on every
  // invalidation or connection change, so a read that was in flight across one is not stored.
  const known = new Map<string, { value: number; at: number }>()
  let epoch = 0
  const forget = (scopes?: readonly string[]): void => {
    epoch++
    if (scopes) for (const s of scopes) known.delete(s)
    else known.clear()
  }
  let subscription: Subscription | undefined
  let closed = false
  const subscribe = (): Subscription | undefined => {
    if (subscription || closed || generationCacheMs === 0) return subscription
    try {
      subscription = driver.subscribe(
        channel,
        (message) => {
          try {
            const parsed = JSON.parse(message) as { scopes?: unknown }
            forget(
              Array.isArray(parsed.scopes)
                ? parsed.scopes.filter((s): s is string => typeof s === 'string')
                : undefined,
            )
          } catch {
            forget()
          }
        },
        () => forget(),
        reportError,
      )
    } catch (error) {
      reportError(error)
    }
    return subscription
  }

  return {
    name: 'redis',
    timeoutMs,
    async get(key) {
      const value = await driver.command(['GET', prefix + key])
      return typeof value === 'string' ? value : undefined
    },
    async set(key, value, ttlMs) {
      await driver.command(['SET', prefix + key, value, 'PX', String(Math.max(1, Math.ceil(ttlMs)))])
    },
    async delete(key) {
      await driver.command(['DEL', prefix + key])
    },
    async generations(scopes) {
      const live = subscribe()?.live() === true
      const now = clock.now()
      if (live) {
        const cached = scopes.map((s) => known.get(s))
        if (cached.every((c) => c !== undefined && now - c.at < generationCacheMs)) return cached.map((c) => c!.value)
      }
      const startedAt = epoch
      const raw = await driver.command(['MGET', ...scopes.map(genKey)])
      if (!Array.isArray(raw) || raw.length !== scopes.length) throw new Error('Unexpected MGET reply from Redis')
      const values = raw.map((v) => (v === null || v === undefined ? 0 : Number(v)))
      if (values.some((v) => !Number.isSafeInteger(v)))
        throw new Error('A generation key in Redis does not hold an integer')
      if (live && startedAt === epoch && subscription?.live()) {
        // Scopes grow with cubes × tenants: forget them all past 10 000 (they are read again from Redis).
        if (known.size > 10_000) known.clear()
        for (const [i, s] of scopes.entries()) known.set(s, { value: values[i]!, at: now })
      }
      return values
    },
    async bump(scopes) {
      if (scopes.length === 0) return
      forget(scopes)
      await driver.command([
        'EVAL',
        BUMP,
        String(scopes.length),
        ...scopes.map(genKey),
        channel,
        JSON.stringify({ scopes }),
      ])
      forget(scopes)
    },
    async lock(key, ttlMs) {
      const token = randomUUID()
      const reply = await driver.command([
        'SET',
        prefix + key,
        token,
        'NX',
        'PX',
        String(Math.max(1, Math.ceil(ttlMs))),
      ])
      return reply === 'OK' ? token : undefined
    },
    async unlock(key, token) {
      await driver.command(['EVAL', UNLOCK, '1', prefix + key, token])
    },
    async close() {
      closed = true
      const s = subscription
      subscription = undefined
      forget()
      await s?.close()
    },
  }
}
