/**
 * `cortex-semantic/http`: Cube's REST API over a semantic layer, so Cube's client libraries
 * (`@cubejs-client/core`, its React/Vue bindings) work unchanged, plus a separate admin API.
 *
 * - `createFetchHandler(layer, options)`: `(Request) => Promise<Response>` (Hono, Next.js, Bun, Deno).
 * - `createNodeHandler(layer, options)`: a `node:http` listener and Express/Connect middleware.
 *
 * Routes: `{basePath}/v1/load|sql|dry-run|meta` (default basePath `/cubejs-api`),
 * `{adminBasePath}/reload|invalidate|health|metrics` (default `/admin`), `/healthz`, `/livez`, `/readyz`.
 */
export { createFetchHandler } from './http/fetch-handler.js'
export type { FetchHandler } from './http/fetch-handler.js'
export { createNodeHandler } from './http/node-handler.js'
export type { NodeHandler } from './http/node-handler.js'
export type { AuthInfo, CorsOptions, HandlerOptions, SecurityContext } from './http/options.js'
export type { MetricsSnapshot } from './http/metrics.js'
