import type { CorsOptions } from './options.js'

const DEFAULT_ALLOW_HEADERS = ['Authorization', 'Content-Type', 'X-Request-Id', 'X-Cube-Authorization']
const METHODS = 'GET, POST, OPTIONS'

export interface Cors {
  /** Headers to add to an answer for this request's Origin (empty when the origin is not allowed). */
  headers(request: Request): Record<string, string>
  /** Answer to a preflight (OPTIONS with Access-Control-Request-Method). */
  preflight(request: Request): Response
}

/** CORS as browsers expect it; without options, no CORS headers at all (same-origin only). */
export function createCors(options: CorsOptions | undefined): Cors {
  const allowed = (origin: string): boolean => {
    if (!options) return false
    const o = options.origin
    if (typeof o === 'function') {
      try {
        return o(origin) === true
      } catch {
        return false
      }
    }
    if (typeof o === 'string') return o === '*' || o === origin
    return o.includes(origin)
  }
  const headers = (request: Request): Record<string, string> => {
    const origin = request.headers.get('origin')
    if (!options) return {}
    const vary = { vary: 'Origin' }
    if (origin === null || !allowed(origin)) return vary
    return {
      ...vary,
      'access-control-allow-origin': options.origin === '*' ? '*' : origin,
      ...(options.credentials ? { 'access-control-allow-credentials': 'true' } : {}),
      'access-control-expose-headers': 'X-Request-Id',
    }
  }
  return {
    headers,
    preflight(request) {
      const origin = request.headers.get('origin')
      if (!options) return new Response(null, { status: 204, headers: { allow: METHODS } })
      if (origin === null || !allowed(origin)) {
        return new Response(JSON.stringify({ error: 'This origin is not allowed to call the API.' }), {
          status: 403,
          headers: { 'content-type': 'application/json; charset=utf-8', vary: 'Origin' },
        })
      }
      return new Response(null, {
        status: 204,
        headers: {
          ...headers(request),
          'access-control-allow-methods': METHODS,
          'access-control-allow-headers': (options.allowHeaders ?? DEFAULT_ALLOW_HEADERS).join(', '),
          'access-control-max-age': String(Math.floor((options.maxAgeMs ?? 600_000) / 1000)),
          allow: METHODS,
        },
      })
    },
  }
}
