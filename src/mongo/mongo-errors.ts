/**
 * The MongoDB connector's errors, by the rule every connector follows (docs/connectors.md, "What error
 * messages may contain"): names of things stay, values and credentials never appear.
 *
 * - Connection problems (server selection, network, a URL the driver cannot parse): CONNECTOR_FAILED /
 *   CONNECT_FAILED with the driver error's class name and its message, the URL's credentials removed.
 * - Server errors: CONNECTOR_FAILED / MONGODB_ERROR with `codeName (code N)` and the server's message with
 *   every quoted part (`'…'`, `"…"`) and every `{ … }` document fragment masked, cut to 300 characters:
 *   MongoDB quotes offending values and prints documents in its messages.
 * - `maxTimeMS` expired (server code 50) or the connector's own deadline: QUERY_TIMEOUT; the caller's
 *   AbortSignal: QUERY_CANCELLED. The driver error is always `cause`.
 */
import { SemanticLayerError } from '../errors.js'

/** Server error codes that mean the time limit (`maxTimeMS`) was reached. */
const TIMEOUT_CODES = new Set([50, 262]) // MaxTimeMSExpired, ExceededTimeLimit

const CONNECTION_ERRORS = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoTopologyClosedError',
  'MongoParseError',
  'MongoMissingCredentialsError',
  'MongoAPIError',
  'MongoInvalidArgumentError',
  'MongoNotConnectedError',
  'MongoPoolClosedError',
])

function issue(code: string, message: string) {
  return [{ code, path: [] as string[], message }]
}

export function timeoutError(timeoutMs: number, cause?: unknown): SemanticLayerError {
  const message = `The pipeline ran longer than ${timeoutMs} ms (maxTimeMS) and was stopped. Narrow the query or raise timeoutMs.`
  return new SemanticLayerError('QUERY_TIMEOUT', issue('QUERY_TIMEOUT', message), optionalCause(cause))
}

export function cancelledError(reason?: unknown, cause?: unknown): SemanticLayerError {
  const message = 'The pipeline was cancelled by its AbortSignal; its cursor was closed.'
  return new SemanticLayerError('QUERY_CANCELLED', issue('QUERY_CANCELLED', message), optionalCause(cause ?? reason))
}

export function closedError(): SemanticLayerError {
  const message = 'The MongoDB connector was closed. Create a new connector to run more queries.'
  return new SemanticLayerError('CONNECTOR_FAILED', issue('CLOSED', message))
}

export function driverMissingError(cause?: unknown): SemanticLayerError {
  const message = 'The MongoDB connector needs the mongodb driver for { url }. Install it: npm install mongodb'
  return new SemanticLayerError('DRIVER_MISSING', issue('DRIVER_MISSING', message), optionalCause(cause))
}

/** A statement this connector cannot run: not `{ kind: 'mongo', collection, pipeline }`. */
export function statementError(problem: string): SemanticLayerError {
  const message = `The MongoDB connector runs { kind: 'mongo', collection, pipeline } statements: ${problem}.`
  return new SemanticLayerError('CONNECTOR_FAILED', issue('INVALID_STATEMENT', message))
}

/** An error the driver (or a `{ db }`) raised while connecting or running a pipeline, classified and redacted. */
export function driverError(error: unknown, secrets: readonly string[], timeoutMs?: number): SemanticLayerError {
  const name = errorName(error)
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'number' && TIMEOUT_CODES.has(code) && timeoutMs !== undefined)
    return timeoutError(timeoutMs, error)
  if (CONNECTION_ERRORS.has(name) || isSocketError(code)) {
    const detail = redact(messageOf(error), secrets).slice(0, 300)
    const message = `Could not reach MongoDB (${name}: ${detail}). Check the URL, the network and that the server runs.`
    return new SemanticLayerError('CONNECTOR_FAILED', issue('CONNECT_FAILED', message), { cause: error })
  }
  const codeName = (error as { codeName?: unknown } | null)?.codeName
  const label = typeof code === 'number' ? `${typeof codeName === 'string' ? codeName : name} (code ${code})` : name
  const detail = maskValues(redact(messageOf(error), secrets)).slice(0, 300)
  const message = `MongoDB failed to run the pipeline: ${label}${detail ? `: ${detail}` : ''}.`
  return new SemanticLayerError('CONNECTOR_FAILED', issue('MONGODB_ERROR', message), { cause: error })
}

/** The row function of `rows: fn` threw: CONNECTOR_FAILED / ROW_MAP_FAILED, its message not copied. */
export function mapFailedError(error: unknown): SemanticLayerError {
  const message =
    "The function passed as the MongoDB connector's rows option threw on a result row; the error is this error's cause."
  return new SemanticLayerError('CONNECTOR_FAILED', issue('ROW_MAP_FAILED', message), { cause: error })
}

/**
 * `text` without credentials: `//user:password@` becomes `//user:***@`, and each secret (the password,
 * raw and URL-decoded) is replaced wherever else it appears.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text.replace(/(\/\/[^/@\s:]*):[^/@\s]*@/g, '$1:***@')
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('***')
  return out
}

/** Quoted parts and `{ … }` fragments masked: MongoDB's messages quote the values they complain about. */
function maskValues(text: string): string {
  return text
    .replace(/'[^']*'/g, "'…'")
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\{[^{}]*\}/g, '{…}')
}

function messageOf(error: unknown): string {
  const m = error instanceof Error ? error.message : (error as { message?: unknown } | null)?.message
  return typeof m === 'string' ? m : ''
}

function errorName(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name
  return typeof name === 'string' && /^\w{1,60}$/.test(name) ? name : 'Error'
}

function isSocketError(code: unknown): boolean {
  return typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN)$/.test(code)
}

function optionalCause(cause: unknown): { cause: unknown } | undefined {
  return cause === undefined ? undefined : { cause }
}
