/**
 * `cortex-semantic/redis`: a result cache shared through Redis by every instance of the host app. It
 * uses the ioredis or node-redis client the host already has (both optional peer dependencies; this
 * module imports neither).
 */
export { redisCache } from './cache/redis-cache.js'
export type { RedisCacheOptions } from './cache/redis-cache.js'
export type { IoRedisLike, NodeRedisLike, RedisClientLike } from './cache/redis-client.js'
export type {
  CacheAdapter,
  CacheErrorHandler,
  CacheInfo,
  CacheMode,
  CacheOperation,
  CacheOptions,
  InvalidateTarget,
} from './cache/cache-adapter.js'
