// Cube's REST API as a fetch handler: (Request) => Promise<Response>. The same handler runs on
// Bun, Deno, Hono, Next.js route handlers and Cloudflare-style workers; see README.md.
//
//   npm run build && node examples/http-fetch/app.mjs     (Node 20: a self-check without a server)
import { fileURLToPath, pathToFileURL } from 'node:url'
import Database from 'better-sqlite3'
import { createSemanticLayer, loadModel } from 'cortex-semantic'
import { createFetchHandler } from 'cortex-semantic/http'
import { sqlite } from 'cortex-semantic/sqlite'
import { createEcommerceSqlite } from '../ecommerce/generate.mjs'

const MODEL_DIR = fileURLToPath(new URL('../ecommerce/model', import.meta.url))

/** `{ fetch, close }`: the shape Bun.serve, Deno.serve and `export default` workers take. */
export async function createApp({ token = process.env.API_TOKEN ?? 'demo-token' } = {}) {
  const db = new Database(':memory:')
  createEcommerceSqlite(db)
  const layer = createSemanticLayer({
    model: await loadModel(MODEL_DIR),
    connectors: { default: sqlite({ database: db }) },
  })

  const handler = createFetchHandler(layer, {
    // The request is a standard Request: read headers, cookies or anything else the app trusts.
    authenticate: (_request, info) => (info.token === token ? { userId: 'demo' } : undefined),
    cors: { origin: (origin) => origin.startsWith('http://localhost:') },
  })

  return {
    fetch: handler,
    async close() {
      await handler.close()
      db.close()
    },
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const app = await createApp({ token: 'demo-token' })
  const query = { measures: ['orders.count', 'orders.total_amount'], dimensions: ['orders.status'] }
  const response = await app.fetch(
    new Request(`http://localhost/cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify(query))}`, {
      headers: { authorization: 'Bearer demo-token' },
    }),
  )
  console.log(response.status, JSON.stringify((await response.json()).data, null, 2))
  await app.close()
}
