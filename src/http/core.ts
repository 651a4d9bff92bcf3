/**
 * One framework-agnostic implementation of the REST API: a fetch-style `Request → Response`. The fetch
 * handler exposes it directly; the node:http handler converts IncomingMessage/ServerResponse around it.
 */
import { randomUUID } from 'node:crypto'
import type { SemanticLayer } from '../index.js'
import { ADMIN_METHODS, handleAdmin, type AdminRoute } from './admin-routes.js'
import { authenticateAdmin, authenticateUser } from './auth.js'
import { createCors } from './cors.js'
import { dryRun, load, meta, sql, type CubeParams, type CubeRouteContext } from './cube-routes.js'
import { LayerSlot } from './layer-slot.js'
import { withoutTrailingSlashes } from '../util/paths.js'
import { HandlerMetrics } from './metrics.js'
import { resolveOptions, type HandlerOptions } from './options.js'
import { readJsonObject } from './read-body.js'
import { HttpError, errorAnswer, jsonResponse } from './responses.js'

type CubeRoute = 'load' | 'subscribe' | 'sql' | 'dry-run' | 'meta'
type Route =
  | { kind: 'cube'; name: CubeRoute }
  | { kind: 'admin'; name: AdminRoute }
  | { kind: 'probe'; name: 'healthz' | 'livez' | 'readyz' }

const CUBE_ROUTES: Readonly<Record<string, CubeRoute>> = {
  load: 'load',
  subscribe: 'subscribe',
  sql: 'sql',
  'dry-run': 'dry-run',
  meta: 'meta',
}
// /v1/subscribe answers like /v1/load, as in Cube's gateway (the HTTP client polls it).
const CUBE_HANDLERS: Readonly<Record<CubeRoute, (ctx: CubeRouteContext, params: CubeParams) => Promise<unknown>>> = {
  load,
  subscribe: load,
  sql,
  'dry-run': dryRun,
  meta,
}

export interface HandlerCore {
  handle(request: Request): Promise<Response>
  /** Whether a path is one of this handler's routes (lets framework adapters fall through to `next()`). */
  owns(pathname: string): boolean
  /** The layer new requests use (changes after `POST /admin/reload`). */
  currentLayer(): SemanticLayer
  /** Close the current layer once its in-flight requests are done. */
  close(): Promise<void>
  readonly metrics: HandlerMetrics
}

export function createCore(layer: SemanticLayer, handlerOptions: HandlerOptions = {}): HandlerCore {
  const options = resolveOptions(handlerOptions)
  const metrics = new HandlerMetrics()
  const cors = createCors(options.cors)
  const slot = new LayerSlot(layer, (error) => {
    metrics.error('CLOSE_FAILED')
    options.onError(error, { requestId: 'reload', route: 'layer.close' })
  })
  let reloading: Promise<unknown> = Promise.resolve()
  const serialize = <T>(task: () => Promise<T>): Promise<T> => {
    const run = reloading.then(task, task)
    reloading = run.catch(() => {})
    return run
  }

  const routeOf = (pathname: string): Route | undefined => {
    const path = withoutTrailingSlashes(pathname)
    if (path === '/healthz' || path === '/livez' || path === '/readyz')
      return { kind: 'probe', name: path.slice(1) as 'healthz' | 'livez' | 'readyz' }
    const cubePrefix = `${options.basePath}/v1/`
    if (path.startsWith(cubePrefix)) {
      const name = path.slice(cubePrefix.length)
      return Object.hasOwn(CUBE_ROUTES, name) ? { kind: 'cube', name: CUBE_ROUTES[name]! } : undefined
    }
    const adminPrefix = `${options.adminBasePath}/`
    if (path.startsWith(adminPrefix)) {
      const name = path.slice(adminPrefix.length)
      return Object.hasOwn(ADMIN_METHODS, name) ? { kind: 'admin', name: name as AdminRoute } : undefined
    }
    return undefined
  }

  const methodsOf = (route: Route): string[] => {
    if (route.kind === 'admin') return [ADMIN_METHODS[route.name]]
    if (route.kind === 'probe' || route.name === 'meta') return ['GET', 'HEAD']
    return ['GET', 'POST']
  }

  const labelOf = (route: Route | undefined): string => {
    if (!route) return 'unknown'
    if (route.kind === 'cube') return `/v1/${route.name}`
    if (route.kind === 'admin') return `/admin/${route.name}`
    return `/${route.name}`
  }

  /** End-user work under the handler's timeout and the client's disconnect; the layer is leased throughout. */
  const timed = async (request: Request, work: (signal: AbortSignal) => Promise<Response>): Promise<Response> => {
    const controller = new AbortController()
    const onAbort = (): void => controller.abort(request.signal.reason)
    if (request.signal.aborted) onAbort()
    else request.signal.addEventListener('abort', onAbort, { once: true })
    let cancelTimer: (() => void) | undefined
    const running = work(controller.signal)
    try {
      if (options.timeoutMs === undefined) return await running
      const timeout = new Promise<never>((_, reject) => {
        cancelTimer = options.setTimer(() => {
          const error = new HttpError(
            504,
            { error: `The request timed out after ${options.timeoutMs} ms.` },
            'QUERY_TIMEOUT',
          )
          controller.abort(error)
          reject(error)
        }, options.timeoutMs!)
      })
      return await Promise.race([running, timeout])
    } finally {
      cancelTimer?.()
      request.signal.removeEventListener('abort', onAbort)
      running.catch(() => {})
    }
  }

  const cubeParams = async (request: Request, url: URL): Promise<CubeParams> => {
    if (request.method === 'GET' || request.method === 'HEAD') {
      return {
        query: url.searchParams.get('query') ?? undefined,
        queryType: url.searchParams.get('queryType') ?? undefined,
        onlyViews: url.searchParams.get('onlyViews') === 'true',
      }
    }
    const type = request.headers.get('content-type') ?? ''
    if (!/^application\/([\w.+-]+\+)?json\b/i.test(type.trim())) {
      throw new HttpError(
        415,
        { error: 'Send the request body as JSON with Content-Type: application/json.' },
        'UNSUPPORTED_MEDIA_TYPE',
      )
    }
    const body = await readJsonObject(request, options.bodyLimitBytes)
    return { query: body.query, queryType: body.queryType, onlyViews: body.onlyViews === true }
  }

  const dispatch = async (
    route: Route,
    request: Request,
    url: URL,
    requestId: string,
    report: (e: unknown) => void,
  ): Promise<Response> => {
    if (route.kind === 'probe') {
      if (route.name !== 'readyz') return jsonResponse(200, { health: 'HEALTH' })
      const lease = slot.acquire()
      try {
        const health = await lease.layer.healthCheck()
        return jsonResponse(health.ok ? 200 : 503, { health: health.ok ? 'HEALTH' : 'DOWN' })
      } finally {
        lease.release()
      }
    }
    if (route.kind === 'admin') {
      await authenticateAdmin(request, options, report)
      return handleAdmin(route.name, request, { slot, metrics, options, serialize })
    }
    return timed(request, async (signal) => {
      const securityContext = await authenticateUser(request, options, report)
      const params = await cubeParams(request, url)
      const lease = slot.acquire()
      try {
        const body = await CUBE_HANDLERS[route.name](
          { layer: lease.layer, securityContext, signal, requestId, options, metrics },
          params,
        )
        return jsonResponse(200, body)
      } finally {
        lease.release()
      }
    })
  }

  return {
    metrics,
    owns: (pathname) => routeOf(pathname) !== undefined,
    currentLayer: () => slot.current,
    close: () => slot.close(),
    async handle(request) {
      const requestId = requestIdOf(request)
      const url = new URL(request.url)
      const route = routeOf(url.pathname)
      const label = request.method === 'OPTIONS' ? 'preflight' : labelOf(route)
      const report = (error: unknown): void => options.onError(error, { requestId, route: label })
      let response: Response
      metrics.inFlight++
      try {
        if (request.method === 'OPTIONS') response = cors.preflight(request)
        else if (!route) throw new HttpError(404, { error: 'Not Found' }, 'NOT_FOUND')
        else if (!methodsOf(route).includes(request.method)) {
          response = jsonResponse(
            405,
            { error: `Method ${request.method} is not allowed here.`, requestId },
            { allow: methodsOf(route).join(', ') },
          )
          metrics.error('METHOD_NOT_ALLOWED')
        } else response = await dispatch(route, request, url, requestId, report)
      } catch (error) {
        const answer = errorAnswer(error, requestId)
        if (answer.internal) report(error)
        metrics.error(answer.code)
        response = jsonResponse(answer.status, answer.body)
      } finally {
        metrics.inFlight--
      }
      metrics.request(label, response.status)
      response.headers.set('x-request-id', requestId)
      for (const [name, value] of Object.entries(cors.headers(request))) response.headers.set(name, value)
      return request.method === 'HEAD'
        ? new Response(null, { status: response.status, headers: response.headers })
        : response
    },
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** Cube's client sends `x-request-id: <uuid>-span-<n>`; keep a sane one, else make one. */
function requestIdOf(request: Request): string {
  const given = request.headers.get('x-request-id')
  return given !== null && REQUEST_ID.test(given) ? given : randomUUID()
}
