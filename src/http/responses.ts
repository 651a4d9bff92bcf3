import { SemanticLayerError, isSemanticLayerError } from '../index.js'

/** An answer decided before or instead of running anything (bad request, auth, limits). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Readonly<Record<string, unknown>>,
    /** What the metrics count it as (`errors` by code). */
    readonly code: string,
  ) {
    super(typeof body.error === 'string' ? body.error : `HTTP ${status}`)
    this.name = 'HttpError'
  }
}

/** Cube's answer to a bad query: 400 `{ type: 'UserError', error }`. */
export function userError(message: string, code = 'BAD_REQUEST'): HttpError {
  return new HttpError(400, { type: 'UserError', error: message }, code)
}

/** A request over one of the handler's limits: 400 with the LIMIT_EXCEEDED issue, as the layer's own limits answer. */
export function limitExceeded(path: readonly (string | number)[], message: string): SemanticLayerError {
  return new SemanticLayerError('QUERY_INVALID', [{ code: 'LIMIT_EXCEEDED', path, message }])
}

export const JSON_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
}

export function jsonResponse(status: number, body: unknown, headers?: Readonly<Record<string, string>>): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } })
}

export interface ErrorAnswer {
  readonly status: number
  readonly body: Record<string, unknown>
  /** Error code for metrics: the SemanticLayerError code, or the handler's own. */
  readonly code: string
  /** True when the cause is hidden from the body (500): the host should log it. */
  readonly internal: boolean
}

const USER_CODES = new Set(['QUERY_INVALID', 'UNSUPPORTED'])
const FORBIDDEN_CODES = new Set(['FORBIDDEN', 'FORBIDDEN_MEMBER', 'UNAUTHORIZED', 'UNAUTHENTICATED'])

/**
 * Map anything thrown while answering to a status and a Cube-shaped body. Bodies carry the error's
 * message and issues only for SemanticLayerErrors whose messages are written for callers (they never hold
 * filter values, SQL parameters or row data); everything else is "Internal Server Error" with the request
 * id, never a stack, a cause or a driver message.
 */
export function errorAnswer(error: unknown, requestId: string): ErrorAnswer {
  if (error instanceof HttpError) {
    // The handler wrote this body itself: nothing is hidden from it.
    return { status: error.status, body: { ...error.body, requestId }, code: error.code, internal: false }
  }
  if (isSemanticLayerError(error)) {
    const code = String(error.code)
    const issues = error.issues.map((i) => ({ code: i.code, path: [...i.path], message: i.message }))
    if (USER_CODES.has(code))
      return {
        status: 400,
        body: { type: 'UserError', error: error.message, issues, requestId },
        code,
        internal: false,
      }
    if (FORBIDDEN_CODES.has(code))
      return { status: 403, body: { error: error.message, requestId }, code, internal: false }
    if (code === 'QUERY_TIMEOUT')
      return {
        status: 504,
        body: {
          error: 'The query timed out. Narrow it (date range, filters, limit) or ask for a longer timeout.',
          requestId,
        },
        code,
        internal: false,
      }
    if (code === 'QUERY_CANCELLED')
      return { status: 499, body: { error: 'The request was cancelled.', requestId }, code, internal: false }
    if (code === 'LAYER_CLOSED')
      return {
        status: 503,
        body: { error: 'The semantic layer is closed (the server is shutting down). Retry the request.', requestId },
        code,
        internal: false,
      }
    return { status: 500, body: { error: 'Internal Server Error', requestId }, code, internal: true }
  }
  return { status: 500, body: { error: 'Internal Server Error', requestId }, code: 'INTERNAL', internal: true }
}

/** `Unexpected token } in JSON at position 12` → ` (at position 12)`; never echoes the input itself. */
export function jsonErrorHint(error: unknown): string {
  const message = error instanceof Error ? error.message : ''
  const position = /position (\d+)/.exec(message)
  if (position) return ` (at position ${position[1]})`
  return /end of (JSON|data) input/i.test(message) ? ' (it ends too early)' : ''
}
