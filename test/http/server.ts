/**
 * Test fixture: the e-commerce dataset in an in-memory SQLite database, a layer over it built from the
 * public API with a fixed clock, and the REST handler listening on a loopback port.
 */
import Database from 'better-sqlite3'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { createEcommerceSqlite } from '../../examples/ecommerce/generate.mjs'
import { createNodeHandler, type HandlerOptions, type NodeHandler } from '../../src/http.js'
import { createSemanticLayer, loadModel, type SemanticLayer } from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'

export const NOW = new Date('2024-06-15T12:00:00Z')
export const MODEL_DIR = fileURLToPath(new URL('../../examples/ecommerce/model', import.meta.url))

export async function ecommerceLayer(db: Database.Database): Promise<SemanticLayer> {
  return createSemanticLayer({
    model: await loadModel(MODEL_DIR),
    connectors: { default: sqlite({ database: db }) },
    now: () => new Date(NOW.getTime()),
  })
}

export interface Running {
  readonly db: Database.Database
  readonly layer: SemanticLayer
  readonly handler: NodeHandler
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  /** `http://127.0.0.1:<port>/cubejs-api/v1`, what Cube's client takes as apiUrl. */
  readonly apiUrl: string
  close(): Promise<void>
}

export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Start the node handler over the dataset; `layer` replaces the default layer (a stub) or wraps it (a spy). */
export async function startServer(
  options: HandlerOptions = {},
  layer?: SemanticLayer | ((real: SemanticLayer) => SemanticLayer),
): Promise<Running> {
  const db = new Database(':memory:')
  createEcommerceSqlite(db)
  const served = typeof layer === 'function' ? layer(await ecommerceLayer(db)) : (layer ?? (await ecommerceLayer(db)))
  const handler = createNodeHandler(served, options)
  const server = createServer(handler)
  const origin = await listen(server)
  return {
    db,
    layer: served,
    handler,
    origin,
    apiUrl: `${origin}${options.basePath ?? '/cubejs-api'}/v1`,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await handler.close()
      db.close()
    },
  }
}
