// Cube's REST API mounted in an Express 5 app next to the app's own routes, with a separate admin API.
//
//   npm run build && ADMIN_TOKEN=change-me node examples/http-express/app.mjs
import { timingSafeEqual } from 'node:crypto'
import { fileURLToPath, pathToFileURL } from 'node:url'
import Database from 'better-sqlite3'
import express from 'express'
import { createSemanticLayer, loadModel } from 'cortex-semantic'
import { createNodeHandler } from 'cortex-semantic/http'
import { sqlite } from 'cortex-semantic/sqlite'
import { createEcommerceSqlite } from '../ecommerce/generate.mjs'

const MODEL_DIR = fileURLToPath(new URL('../ecommerce/model', import.meta.url))

/** The app's own session lookup; here a fixed table of API keys → users (a real app asks its session store). */
const API_KEYS = new Map([['key-alice', { userId: 'alice', tenant: 'acme' }]])

function sameSecret(given, expected) {
  const a = Buffer.from(given ?? '')
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Build the Express app. Returns the app and close() (which closes the semantic layer). */
export async function createApp({ adminToken = process.env.ADMIN_TOKEN } = {}) {
  const db = new Database(':memory:')
  createEcommerceSqlite(db)
  const build = async () =>
    createSemanticLayer({ model: await loadModel(MODEL_DIR), connectors: { default: sqlite({ database: db }) } })

  const cortex = createNodeHandler(await build(), {
    // End users: the app's own API keys (Authorization: Bearer key-alice). Unknown keys get 403.
    authenticate: (_request, { token }) => API_KEYS.get(token),
    // Operators: a different secret, checked only on /admin/...; an end-user key never opens it.
    ...(adminToken ? { authenticateAdmin: (_request, { token }) => sameSecret(token, adminToken) } : {}),
    // POST /admin/reload re-reads the model folder and swaps layers without dropping requests.
    reload: build,
  })

  const app = express()
  app.get('/api/hello', (_req, res) => {
    res.json({ hello: 'world' })
  })
  // Cortex answers /cubejs-api/v1/*, /admin/*, /healthz and /readyz, and passes everything else on.
  app.use(cortex)
  app.use((_req, res) => {
    res.status(404).json({ error: 'Not Found' })
  })

  return {
    app,
    async close() {
      await cortex.close()
      db.close()
    },
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { app, close } = await createApp()
  const port = Number(process.env.PORT ?? 4000)
  const server = app.listen(port, '127.0.0.1', () => {
    console.log(`Cube REST API on http://127.0.0.1:${port}/cubejs-api/v1 (Authorization: Bearer key-alice)`)
  })
  process.once('SIGINT', () => server.close(() => close().then(() => process.exit(0))))
}
