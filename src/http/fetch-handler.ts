import type { SemanticLayer } from '../index.js'
import { createCore, type HandlerCore } from './core.js'
import type { HandlerOptions } from './options.js'
import type { MetricsSnapshot } from './metrics.js'

/** A fetch-style handler: `(request) => Promise<Response>`, plus its lifecycle. */
export interface FetchHandler {
  (request: Request): Promise<Response>
  /** The layer new requests use (it changes after `POST /admin/reload`). */
  currentLayer(): SemanticLayer
  /** Close the current layer once its in-flight requests are done (call on shutdown). */
  close(): Promise<void>
  /** The handler's counters (the same as `GET /admin/metrics`). */
  metrics(): MetricsSnapshot
}

/**
 * Serve Cube's REST API (and the admin API) from a fetch-style handler, for Hono, Next.js route
 * handlers, Bun, Deno or any runtime with `Request`/`Response`.
 *
 * @example
 * const handler = createFetchHandler(layer, { authenticate: (req) => auth.authenticateRequest(req) })
 * export default { fetch: handler }                     // Bun, Deno, Cloudflare-style
 * export const GET = handler, POST = handler            // Next.js app/cubejs-api/[...path]/route.ts
 */
export function createFetchHandler(layer: SemanticLayer, options: HandlerOptions = {}): FetchHandler {
  return fromCore(createCore(layer, options))
}

export function fromCore(core: HandlerCore): FetchHandler {
  const handler = (request: Request): Promise<Response> => core.handle(request)
  return Object.assign(handler, {
    currentLayer: () => core.currentLayer(),
    close: () => core.close(),
    metrics: () => core.metrics.snapshot(),
  })
}
