// Cube's REST API on a plain node:http server, with JWT authentication and CORS.
//
//   npm run build && node examples/http-node/server.mjs
//
// Any Cube client then works unchanged, e.g. cube(token, { apiUrl: 'http://127.0.0.1:4000/cubejs-api/v1' }).
import { createServer } from 'node:http'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { randomBytes } from 'node:crypto'
import Database from 'better-sqlite3'
import { SignJWT } from 'jose'
import { createJwtAuth, createSemanticLayer, loadModel } from 'cortex-semantic'
import { createNodeHandler } from 'cortex-semantic/http'
import { sqlite } from 'cortex-semantic/sqlite'
import { createEcommerceSqlite } from '../ecommerce/generate.mjs'

const MODEL_DIR = fileURLToPath(new URL('../ecommerce/model', import.meta.url))

/**
 * Start the server. `secret` signs and verifies the JWTs (HS256, at least 32 bytes); `port: 0` picks a
 * free port. Returns the API URL for Cube's client, a way to make tokens, and close().
 */
export async function start({
  port = 4000,
  secret = process.env.CORTEX_JWT_SECRET ?? randomBytes(32).toString('hex'),
  corsOrigins = ['http://localhost:3000'],
} = {}) {
  // The demo database: the deterministic e-commerce dataset in memory.
  const db = new Database(':memory:')
  createEcommerceSqlite(db)

  const layer = createSemanticLayer({
    model: await loadModel(MODEL_DIR),
    connectors: { default: sqlite({ database: db }) },
  })
  const auth = createJwtAuth({ secret })

  const handler = createNodeHandler(layer, {
    // The verified claims become the security context that access policies and hooks see.
    authenticate: (request) => auth.authenticateRequest(request),
    cors: { origin: corsOrigins },
    timeoutMs: 30_000,
    onError: (error, { requestId, route }) => console.error(`[${requestId}] ${route}:`, error),
  })

  const server = createServer(handler)
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${server.address().port}`

  return {
    apiUrl: `${origin}/cubejs-api/v1`,
    /** A token for `claims`, valid for an hour (in a real app, your identity provider issues these). */
    token: (claims = { sub: 'demo-user' }) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(secret)),
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await handler.close() // closes the layer (and its connector) once in-flight requests are done
      db.close()
    },
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const app = await start({ port: Number(process.env.PORT ?? 4000) })
  const token = await app.token()
  console.log(`Cube REST API on ${app.apiUrl}`)
  console.log(
    `Try:\n  curl -G -H "Authorization: Bearer ${token}" --data-urlencode 'query={"measures":["orders.count"],"dimensions":["orders.status"]}' ${app.apiUrl}/load`,
  )
  const stop = async () => {
    await app.close()
    process.exit(0)
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
