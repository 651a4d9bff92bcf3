import { SemanticLayerError, type Clock, type SecurityContext, type SemanticLayer } from '../index.js'
import { durationOption, readOptions, readingOptions, type OptionSpecs } from '../util/options.js'
import { withoutTrailingSlashes } from '../util/paths.js'

/** Who is calling, as the layer's security hooks and access policies read it (declared in src/security). */
export type { SecurityContext }

/** What the handler already read from the request for an authenticate hook. */
export interface AuthInfo {
  /**
   * The token from `Authorization` (or Cube's `x-cube-authorization`): `Bearer x` and a raw `x` both
   * give `x`. Undefined when the header is missing or empty.
   */
  readonly token: string | undefined
}

export interface CorsOptions {
  /** Allowed origins: one origin (`'*'` for any, never with credentials), a list, or a predicate. */
  readonly origin: string | readonly string[] | ((origin: string) => boolean)
  /** Send `Access-Control-Allow-Credentials: true` (cookies, client certificates). */
  readonly credentials?: boolean
  /** Request headers a browser may send. Default: Authorization, Content-Type, X-Request-Id, X-Cube-Authorization. */
  readonly allowHeaders?: readonly string[]
  /** How long (ms) browsers may cache a preflight answer (`Access-Control-Max-Age`, whole seconds). Default 600 000. */
  readonly maxAgeMs?: number
  /** @deprecated Use `maxAgeMs` (milliseconds). The same in seconds; still accepted. */
  readonly maxAgeSec?: number
}

/** Options of {@link createFetchHandler} and {@link createNodeHandler}. */
export interface HandlerOptions {
  /** Prefix of the end-user (Cube) API. Default `/cubejs-api`, as Cube's: `/cubejs-api/v1/load`. */
  readonly basePath?: string
  /** Prefix of the admin API. Default `/admin`. */
  readonly adminBasePath?: string
  /**
   * Turn a request into a security context, e.g. with the JWT helper. Return `undefined` for an
   * anonymous caller; throw to refuse (403).
   */
  readonly authenticate?: (
    request: Request,
    info: AuthInfo,
  ) => Promise<SecurityContext | undefined> | SecurityContext | undefined
  /** Refuse (403) callers for whom `authenticate` returns undefined. Default: true when `authenticate` is set. */
  readonly requireAuth?: boolean
  /**
   * Admit a request to the admin API (`/admin/...`). Without it the admin API answers 403. End-user
   * authentication is never consulted there: an end-user token cannot reach the admin API.
   */
  readonly authenticateAdmin?: (request: Request, info: AuthInfo) => Promise<boolean> | boolean
  /**
   * Build a fresh layer (e.g. after the model files changed) for `POST /admin/reload`. The handler swaps
   * to it atomically and closes the old layer once its in-flight requests are done.
   */
  readonly reload?: () => Promise<SemanticLayer>
  /** Invalidate cached results for `POST /admin/invalidate`; receives the request's JSON body. */
  readonly invalidate?: (body: unknown) => Promise<void>
  /** Largest request body accepted, in bytes (413 beyond it). Default 1 MiB. */
  readonly bodyLimitBytes?: number
  /** Answer 504 after this many milliseconds; also passed to `layer.query` so the statement is stopped. */
  readonly timeoutMs?: number
  /**
   * Most queries in one request (a blended array, or the date ranges of `compareDateRange`), on every
   * route: 400 with issue LIMIT_EXCEEDED beyond it. Default 20.
   */
  readonly maxQueriesPerRequest?: number
  /**
   * Most rows one `/v1/load` request may ask for: each query's `limit` (or the layer's `defaultLimit`),
   * added over its queries. Checked before any query runs (400, LIMIT_EXCEEDED). Default: the layer's
   * `maxLimit`, so a multi-query request returns no more rows than one query may.
   */
  readonly maxRowsPerRequest?: number
  /** Cross-origin access for browsers. Without it no CORS headers are sent. */
  readonly cors?: CorsOptions
  /** The timers `timeoutMs` runs on (default: the event loop's), so tests can move time by hand. */
  readonly clock?: Pick<Clock, 'setTimer'>
  /** `dbType` in /v1/load answers (Cube reports its driver's type), per data source. Default null. */
  readonly dbType?: string | ((dataSource: string) => string)
  /**
   * Called with every error answered 500 (the body only says "Internal Server Error" and the request
   * id), with failures of the authenticate hooks, and with failures to close a replaced layer, so the
   * host can log the cause.
   */
  readonly onError?: (error: unknown, info: { readonly requestId: string; readonly route: string }) => void
}

export interface ResolvedOptions {
  readonly basePath: string
  readonly adminBasePath: string
  readonly authenticate: HandlerOptions['authenticate']
  readonly requireAuth: boolean
  readonly authenticateAdmin: HandlerOptions['authenticateAdmin']
  readonly reload: HandlerOptions['reload']
  readonly invalidate: HandlerOptions['invalidate']
  readonly bodyLimitBytes: number
  readonly timeoutMs: number | undefined
  readonly maxQueriesPerRequest: number
  /** Undefined: the layer's maxLimit. */
  readonly maxRowsPerRequest: number | undefined
  readonly cors: CorsOptions | undefined
  readonly setTimer: Clock['setTimer']
  readonly dbType: (dataSource: string) => string | null
  readonly onError: NonNullable<HandlerOptions['onError']>
}

const HANDLER_OPTIONS: OptionSpecs<HandlerOptions> = {
  basePath: 'any',
  adminBasePath: 'any',
  authenticate: 'any',
  requireAuth: 'boolean',
  authenticateAdmin: 'any',
  reload: 'any',
  invalidate: 'any',
  bodyLimitBytes: 'any',
  timeoutMs: 'any',
  cors: 'object',
  dbType: 'any',
  onError: 'any',
  clock: 'any',
  maxQueriesPerRequest: 'any',
  maxRowsPerRequest: 'any',
}

const CORS_OPTIONS: OptionSpecs<CorsOptions> = {
  origin: 'any',
  credentials: 'boolean',
  allowHeaders: 'any',
  maxAgeMs: 'any',
  maxAgeSec: 'any',
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024
export const DEFAULT_MAX_QUERIES = 20

/** Check options once, when the handler is created (CONFIG_INVALID lists every problem). */
export function resolveOptions(given: HandlerOptions = {}): ResolvedOptions {
  return readingOptions('handler options', () => resolve(given))
}

function resolve(given: HandlerOptions): ResolvedOptions {
  const options = readOptions<HandlerOptions>(given, HANDLER_OPTIONS, { what: 'handler options' })
  if (options.cors !== undefined) readOptions(options.cors, CORS_OPTIONS, { what: 'cors options', path: ['cors'] })
  const issues: { code: string; path: string[]; message: string }[] = []
  const bad = (key: string, message: string): void => void issues.push({ code: 'INVALID_OPTION', path: [key], message })
  const prefix = (key: 'basePath' | 'adminBasePath', fallback: string): string => {
    const value = options[key] ?? fallback
    if (typeof value !== 'string' || (value !== '' && !/^\/[A-Za-z0-9/_.-]*$/.test(value)))
      bad(key, `${key} must be '' or a path such as '${fallback}'.`)
    if (typeof value !== 'string') return fallback
    // Every trailing slash goes ('/x/' → '/x'; '/' and '//' → '', the API at the root).
    const trimmed = withoutTrailingSlashes(value)
    return trimmed === '/' ? '' : trimmed
  }
  const basePath = prefix('basePath', '/cubejs-api')
  const adminBasePath = prefix('adminBasePath', '/admin')
  if (basePath === adminBasePath)
    bad('adminBasePath', 'adminBasePath must differ from basePath, so that the admin API stays separate.')
  const bodyLimitBytes = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT
  if (!Number.isSafeInteger(bodyLimitBytes) || bodyLimitBytes < 1)
    bad('bodyLimitBytes', 'bodyLimitBytes must be a positive integer.')
  const maxQueriesPerRequest = options.maxQueriesPerRequest ?? DEFAULT_MAX_QUERIES
  for (const key of ['maxQueriesPerRequest', 'maxRowsPerRequest'] as const) {
    const v = options[key]
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 1)) bad(key, `${key} must be a positive integer.`)
  }
  const timeoutMs = options.timeoutMs
  if (timeoutMs !== undefined && (!Number.isFinite(timeoutMs) || timeoutMs <= 0))
    bad('timeoutMs', 'timeoutMs must be a positive number of milliseconds.')
  if (options.clock !== undefined && typeof options.clock?.setTimer !== 'function') {
    bad('clock', 'clock must have setTimer(callback, ms).')
  }
  for (const key of ['authenticate', 'authenticateAdmin', 'reload', 'invalidate', 'onError'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') bad(key, `${key} must be a function.`)
  }
  const cors = options.cors
  if (cors !== undefined) {
    const o = cors.origin
    const okOrigin =
      typeof o === 'string' || typeof o === 'function' || (Array.isArray(o) && o.every((x) => typeof x === 'string'))
    if (!okOrigin) bad('cors', 'cors.origin must be a string, a list of strings or a function.')
    if (o === '*' && cors.credentials)
      bad('cors', "cors.origin '*' cannot be combined with credentials: list the allowed origins instead.")
  }
  const maxAge =
    cors === undefined
      ? undefined
      : durationOption(cors as unknown as Readonly<Record<string, unknown>>, 'maxAgeMs', 'maxAgeSec')
  let maxAgeMs: number | undefined
  if (maxAge !== undefined && 'conflict' in maxAge) bad('cors', `cors: ${maxAge.conflict}`)
  else if (maxAge !== undefined) {
    const v = maxAge.ms
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) maxAgeMs = v
    else bad('cors', `cors.${maxAge.name} must be a non-negative number of ${maxAge.unit}.`)
  }
  if (issues.length) throw new SemanticLayerError('CONFIG_INVALID', issues)
  const dbType = options.dbType
  return {
    basePath,
    adminBasePath,
    authenticate: options.authenticate,
    requireAuth: options.requireAuth ?? options.authenticate !== undefined,
    authenticateAdmin: options.authenticateAdmin,
    reload: options.reload,
    invalidate: options.invalidate,
    bodyLimitBytes,
    timeoutMs,
    maxQueriesPerRequest,
    maxRowsPerRequest: options.maxRowsPerRequest,
    // The preflight cache time, in milliseconds whichever name it was given under.
    cors: cors === undefined ? undefined : { ...withoutKey(cors, 'maxAgeSec'), maxAgeMs: maxAgeMs ?? 600_000 },
    setTimer: options.clock
      ? (callback, ms) => options.clock!.setTimer(callback, ms)
      : (callback, ms) => {
          const timer = setTimeout(callback, ms)
          return () => clearTimeout(timer)
        },
    dbType: typeof dbType === 'function' ? dbType : () => dbType ?? null,
    onError: options.onError ?? (() => {}),
  }
}

/** `o` without `key` (a deprecated alias, once read). */
function withoutKey<T extends object, K extends keyof T>(o: T, key: K): Omit<T, K> {
  const { [key]: _dropped, ...rest } = o
  return rest
}
