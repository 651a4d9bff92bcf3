// One Cortex instance for bench/scaling.mjs: the HTTP handler (src/http) over PostgreSQL, with the result
// cache in Redis shared by every instance (same prefix), or no cache. Prints `ready <port>` when listening.
//   SCALING_PG_URL, SCALING_SCHEMA, SCALING_REDIS_URL, SCALING_PREFIX, SCALING_CACHE=redis|off
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { createSemanticLayer, loadModel } from '../../dist/index.js'
import { createNodeHandler } from '../../dist/http.js'
import { postgres } from '../../dist/postgres.js'
import { redisCache } from '../../dist/redis.js'
import { MODEL_DIR, NOW } from '../lib/figure.mjs'

const require = createRequire(import.meta.url)
const env = process.env
const loaded = await loadModel(MODEL_DIR)
// Refresh keys of an hour: the run measures serving, not the periodic refresh of each key.
const model = Object.freeze({
  ...loaded,
  cubes: loaded.cubes.map((c) => Object.freeze({ ...c, refresh_key: { every: '1 hour' } })),
})
let redis
const cache =
  env.SCALING_CACHE === 'redis'
    ? redisCache({ client: (redis = new (require('ioredis'))(env.SCALING_REDIS_URL)), prefix: env.SCALING_PREFIX })
    : false
const layer = createSemanticLayer({
  model,
  now: NOW,
  cache,
  connectors: {
    default: postgres({
      connection: { connectionString: env.SCALING_PG_URL, options: `-c search_path=${env.SCALING_SCHEMA}` },
      pool: { max: 4 },
    }),
  },
})
// Count what this instance served from the shared cache and what it computed on PostgreSQL.
const counts = { hits: 0, computed: 0 }
const counted = {
  ...layer,
  async query(query, options) {
    const result = await layer.query(query, options)
    if (result.cache.hit) counts.hits++
    else counts.computed++
    return result
  },
}
const server = createServer(createNodeHandler(counted))
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => console.log(`ready ${server.address().port}`))
process.on('SIGTERM', async () => {
  console.log(`counts ${JSON.stringify(counts)}`)
  server.close()
  await layer.close()
  redis?.disconnect()
  process.exit(0)
})
