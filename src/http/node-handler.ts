import type { IncomingMessage, ServerResponse } from 'node:http'
import type { SemanticLayer } from '../index.js'
import { createCore, type HandlerCore } from './core.js'
import type { MetricsSnapshot } from './metrics.js'
import type { HandlerOptions } from './options.js'

/** A `node:http` request listener (also Express/Connect middleware), plus its lifecycle. */
export interface NodeHandler {
  (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void
  /** The layer new requests use (it changes after `POST /admin/reload`). */
  currentLayer(): SemanticLayer
  /** Close the current layer once its in-flight requests are done (call on shutdown). */
  close(): Promise<void>
  /** The handler's counters (the same as `GET /admin/metrics`). */
  metrics(): MetricsSnapshot
}

/**
 * Serve Cube's REST API (and the admin API) as a `node:http` listener. As Express/Connect middleware
 * (`app.use(handler)`) it passes requests for other paths to `next()`; it reads the raw body itself,
 * or uses `req.body` when a body parser already consumed it.
 *
 * @example
 * http.createServer(createNodeHandler(layer, { authenticate })).listen(4000)
 * app.use(createNodeHandler(layer, { authenticate }))   // Express
 */
export function createNodeHandler(layer: SemanticLayer, options: HandlerOptions = {}): NodeHandler {
  const core = createCore(layer, options)
  const handler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void => {
    const target = targetOf(req)
    if (next && !core.owns(new URL(`http://localhost${target}`).pathname)) {
      next()
      return
    }
    serve(core, req, res, target).catch((error: unknown) => {
      // Only a failure to write the answer gets here (the core turns every other error into a response).
      if (!res.headersSent) {
        res.statusCode = 500
        res.end()
      } else res.destroy(error instanceof Error ? error : undefined)
    })
  }
  return Object.assign(handler, {
    currentLayer: () => core.currentLayer(),
    close: () => core.close(),
    metrics: () => core.metrics.snapshot(),
  })
}

async function serve(core: HandlerCore, req: IncomingMessage, res: ServerResponse, target: string): Promise<void> {
  const aborted = new AbortController()
  res.once('close', () => {
    if (!res.writableFinished) aborted.abort(new Error('The client closed the connection.'))
  })
  const body = bodyOf(req)
  let request: Request
  try {
    request = new Request(`http://localhost${target}`, {
      method: req.method ?? 'GET',
      headers: headersOf(req, body.reencoded),
      signal: aborted.signal,
      ...(body.value === undefined ? {} : { body: body.value, duplex: 'half' }),
    } as RequestInit)
  } catch {
    // Methods the Fetch API forbids (TRACE, TRACK, CONNECT) and other requests it cannot represent.
    res
      .writeHead(405, { 'content-type': 'application/json; charset=utf-8', allow: 'GET, POST, OPTIONS' })
      .end(JSON.stringify({ error: 'Method Not Allowed' }))
    return
  }
  const response = await core.handle(request)
  res.statusCode = response.status
  for (const [name, value] of response.headers) res.setHeader(name, value)
  // A body abandoned while reading it (e.g. over the size limit) is not drained: close the connection.
  const unread = body.started() && !req.readableEnded
  if (unread) res.setHeader('connection', 'close')
  const payload = response.body ? Buffer.from(await response.arrayBuffer()) : undefined
  res.end(payload)
  if (unread) res.once('finish', () => setTimeout(() => req.destroy(), 50).unref())
}

/**
 * The request target as `/path?query`: Express keeps the full path in `originalUrl` when the handler is
 * mounted under a prefix. Anything that does not parse becomes `/` (answered 404).
 */
function targetOf(req: IncomingMessage): string {
  const raw = (req as IncomingMessage & { originalUrl?: unknown }).originalUrl
  const target = typeof raw === 'string' ? raw : (req.url ?? '/')
  try {
    const url = target.startsWith('/') ? new URL(`http://localhost${target}`) : new URL(target)
    return `${url.pathname}${url.search}`
  } catch {
    return '/'
  }
}

function headersOf(req: IncomingMessage, reencoded: boolean): Headers {
  const headers = new Headers()
  const raw = req.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!
    if (reencoded && /^(content-length|transfer-encoding|content-encoding)$/i.test(name)) continue
    try {
      headers.append(name, raw[i + 1]!)
    } catch {
      // A header value fetch's Headers refuses (e.g. invalid bytes): leave it out.
    }
  }
  return headers
}

/**
 * The body as a stream that reads from the socket only when the core pulls (so at most about one chunk
 * beyond what was asked for is ever held), or what a body parser left in `req.body`. A body the core
 * never touches is left to Node, which discards it after the response and keeps the connection.
 */
function bodyOf(req: IncomingMessage): {
  value: ReadableStream<Uint8Array> | string | Uint8Array | undefined
  reencoded: boolean
  started(): boolean
} {
  const method = req.method ?? 'GET'
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS')
    return { value: undefined, reencoded: false, started: () => false }
  const parsed = (req as IncomingMessage & { body?: unknown }).body
  if (parsed !== undefined && (req.readableEnded || req.complete)) {
    const value = typeof parsed === 'string' || parsed instanceof Uint8Array ? parsed : JSON.stringify(parsed)
    return { value, reencoded: true, started: () => false }
  }
  let started = false
  let done = false
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (!started) {
          started = true
          req.on('data', (chunk: Buffer) => {
            if (done) return
            controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
            if ((controller.desiredSize ?? 0) <= 0) req.pause()
          })
          req.once('end', () => {
            if (!done) controller.close()
            done = true
          })
          req.once('error', (error) => {
            if (!done) controller.error(error)
            done = true
          })
        }
        req.resume()
      },
      cancel() {
        done = true
        req.pause()
      },
    },
    { highWaterMark: 0 },
  )
  return { value: stream, reencoded: false, started: () => started }
}
