/**
 * JWT authentication on jose: verify a bearer token and turn its claims into a security context.
 *
 * Invariants:
 * - jose always gets an explicit `algorithms` allow-list matching the key type (see jwks.ts); `none`
 *   is refused before jose is even called.
 * - Every failure is UNAUTHENTICATED with a specific issue code. Messages and issues never carry the
 *   token, claim values, the expected issuer/audience or key material; jose's claim errors, which hold
 *   the whole payload, are replaced by a payload-free copy before they become `cause`.
 * - All state (the remote JWKS cache) lives on the returned object; nothing at module level.
 * - jose is an ES module only. It is loaded with `import()` on the first verification, never at module
 *   level, so the CommonJS build (which cannot `require()` an ES module before Node 20.19) loads, and no
 *   jose type appears in the public types (ADR 11).
 */
import type { KeyObject } from 'node:crypto'
import type { JWK, JWTVerifyGetKey, JWTVerifyOptions } from 'jose'
import { SemanticLayerError } from '../errors.js'
import { durationOption, readOptions, readingOptions, type OptionSpecs } from '../util/options.js'
import type { ErrorIssue } from '../errors.js'
import { prepareJwtKey } from './jwks.js'
import type { CryptoKey, KeySourceOptions, PreparedKey, RemoteJwksOptions, VerificationKey } from './jwks.js'

export type { PublicJwk, RemoteJwksOptions } from './jwks.js'

/** The claims of a verified token (RFC 7519 §4): the registered ones typed, any others as they came. */
export interface JwtClaims {
  /** Issuer. */
  iss?: string
  /** Subject. */
  sub?: string
  /** Audience(s). */
  aud?: string | string[]
  /** Token id. */
  jti?: string
  /** Not before (seconds since the epoch). */
  nbf?: number
  /** Expiry (seconds since the epoch). */
  exp?: number
  /** Issued at (seconds since the epoch). */
  iat?: number
  [claim: string]: unknown
}

type Jose = typeof import('jose')

/** jose, loaded, and the key (or key set resolver) it verifies with. */
interface Verifier {
  readonly jose: Jose
  readonly key: Uint8Array | CryptoKey | KeyObject | JWTVerifyGetKey
}

export interface JwtAuthOptions<Ctx = Record<string, unknown>> {
  /** HMAC secret (HS256/384/512), at least 32 bytes. */
  secret?: string | Uint8Array
  /** A PEM public key (SPKI) or a KeyObject/CryptoKey: RS*, PS*, ES*, EdDSA depending on the key type. */
  publicKey?: KeySourceOptions['publicKey']
  /** A JWKS URL (https; fetched, cached, refetched on an unknown `kid` after a cooldown) or an inline `{ keys }` set. */
  jwks?: KeySourceOptions['jwks']
  /** Tuning for a remote `jwks` URL. */
  jwksOptions?: RemoteJwksOptions
  /** Accepted `iss` value(s). */
  issuer?: string | string[]
  /** Accepted `aud` value(s); a token passes when one of its audiences is listed. */
  audience?: string | string[]
  /**
   * Accepted signing algorithms. Default: from the key (HS256/384/512 for a secret; RS256+PS256, the
   * curve's ES*, or EdDSA for a public key; the keys' types for an inline set; RS256/ES256/PS256 for a
   * remote set). Must match the key type; `none` is always refused.
   */
  algorithms?: string[]
  /** Allowed clock skew for exp/nbf/iat, in milliseconds. Default 5 000. */
  clockToleranceMs?: number
  /** @deprecated Use `clockToleranceMs` (milliseconds). The same in seconds; still accepted. */
  clockToleranceSec?: number
  /** Reject tokens whose `iat` is older than this many milliseconds (and tokens without `iat`). */
  maxTokenAgeMs?: number
  /** @deprecated Use `maxTokenAgeMs` (milliseconds). The same in seconds; still accepted. */
  maxTokenAgeSec?: number
  /** Require an `exp` claim. Default true: a token without one would be valid forever. */
  requireExpiration?: boolean
  /** Map the token's user to the host's record (tenant, roles, attributes). `undefined` → USER_NOT_FOUND. */
  resolveUser?: (
    claims: JwtClaims,
  ) => Promise<Record<string, unknown> | undefined> | Record<string, unknown> | undefined
  /** Build the security context. Default: `{ ...claims, user }` (`user` only when resolveUser is set). */
  claimsToContext?: (claims: JwtClaims, user: Record<string, unknown> | undefined) => Ctx
}

export interface JwtAuth<Ctx> {
  /** Verify a token (raw, or an Authorization header value 'Bearer x' / raw) and return the security context. */
  authenticate(tokenOrHeader: string | null | undefined): Promise<Ctx>
  /** Convenience for HTTP: read the Authorization header of a fetch Request. */
  authenticateRequest(request: { headers: { get(name: string): string | null } }): Promise<Ctx>
}

const JWT_OPTIONS: OptionSpecs<JwtAuthOptions> = {
  secret: 'any',
  publicKey: 'any',
  jwks: 'any',
  jwksOptions: 'object',
  issuer: 'any',
  audience: 'any',
  algorithms: 'any',
  clockToleranceMs: 'any',
  clockToleranceSec: 'any',
  maxTokenAgeMs: 'any',
  maxTokenAgeSec: 'any',
  requireExpiration: 'boolean',
  resolveUser: 'function',
  claimsToContext: 'function',
}

const JWKS_OPTIONS: OptionSpecs<RemoteJwksOptions> = {
  cooldownMs: 'any',
  cacheMaxAgeMs: 'any',
  timeoutMs: 'any',
  cooldownSec: 'any',
  cacheMaxAgeSec: 'any',
  timeoutSec: 'any',
}

/** Tokens longer than this are refused unparsed (a JWT from a normal IdP is well under 4 KB). */
const MAX_TOKEN_LENGTH = 16_384

/**
 * Create a JWT verifier that turns a bearer token into a security context.
 *
 * @example
 * const auth = createJwtAuth({ jwks: 'https://issuer.example.com/.well-known/jwks.json', issuer: 'https://issuer.example.com/', audience: 'analytics' })
 * const securityContext = await auth.authenticateRequest(request) // throws SemanticLayerError 'UNAUTHENTICATED'
 * await layer.query(query, { securityContext })
 */
export function createJwtAuth<Ctx = Record<string, unknown>>(input: JwtAuthOptions<Ctx>): JwtAuth<Ctx> {
  return readingOptions('createJwtAuth options', () => jwtAuth(input))
}

function jwtAuth<Ctx>(input: JwtAuthOptions<Ctx>): JwtAuth<Ctx> {
  const read = readOptions<JwtAuthOptions<Ctx>>(input, JWT_OPTIONS, { what: 'createJwtAuth options' })
  const options = read as JwtAuthOptions<Ctx>
  if (options.jwksOptions !== undefined) {
    readOptions(options.jwksOptions, JWKS_OPTIONS, { what: 'jwksOptions', path: ['jwksOptions'] })
  }
  const issues: ErrorIssue[] = []
  const prepared = prepareJwtKey(
    {
      secret: options.secret,
      publicKey: options.publicKey,
      jwks: options.jwks,
      algorithms: options.algorithms,
      jwksOptions: options.jwksOptions,
    },
    issues,
  )
  const verifyOptions = checkOptions(options, issues)
  if (issues.length || !prepared) throw new SemanticLayerError('CONFIG_INVALID', issues)
  const key: PreparedKey = prepared
  const { resolveUser, claimsToContext } = options
  // Made on the first verification and kept: a remote key set's resolver holds its fetched keys.
  let verifier: Promise<Verifier> | undefined

  async function authenticate(tokenOrHeader: string | null | undefined): Promise<Ctx> {
    const token = extractToken(tokenOrHeader)
    const claims = await verify(token, key, verifyOptions, () => (verifier ??= loadVerifier(key.key)))
    let user: Record<string, unknown> | undefined
    if (resolveUser) {
      // The host's own errors (e.g. its database is down) pass through unchanged: they are not 401s.
      const found = await resolveUser(claims)
      if (found === undefined || found === null)
        unauthenticated('USER_NOT_FOUND', "The token's user is not known to this application.")
      user = found
    }
    if (claimsToContext) return claimsToContext(claims, user)
    return (user === undefined ? { ...claims } : { ...claims, user }) as Ctx
  }

  return {
    authenticate,
    authenticateRequest: (request) => authenticate(request.headers.get('authorization')),
  }
}

function checkOptions(options: JwtAuthOptions<unknown>, issues: ErrorIssue[]): JWTVerifyOptions {
  const bad = (path: string, message: string): void =>
    void issues.push({ code: 'INVALID_OPTION', path: [path], message })
  const names = (value: unknown, name: 'issuer' | 'audience'): string | string[] | undefined => {
    if (value === undefined) return undefined
    const list = Array.isArray(value) ? value : [value]
    if (list.length === 0 || !list.every((v) => typeof v === 'string' && v.length > 0)) {
      bad(name, `${name} must be a non-empty string or a non-empty list of them.`)
      return undefined
    }
    return Array.isArray(value) ? [...(value as string[])] : (value as string)
  }
  /** A duration option in milliseconds (or its deprecated form in seconds), as jose's seconds. */
  const seconds = (msName: string, secName: string, allowZero: boolean): number | undefined => {
    const d = durationOption(options as Readonly<Record<string, unknown>>, msName, secName)
    if (d === undefined) return undefined
    if ('conflict' in d) return void bad(secName, d.conflict)
    const v = d.ms
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
      return void bad(d.name, `${d.name} must be a ${allowZero ? 'non-negative' : 'positive'} number of ${d.unit}.`)
    }
    return v / 1000
  }
  for (const fn of ['resolveUser', 'claimsToContext'] as const) {
    if (options[fn] !== undefined && typeof options[fn] !== 'function') bad(fn, `${fn} must be a function.`)
  }
  const verify: JWTVerifyOptions = {
    clockTolerance: seconds('clockToleranceMs', 'clockToleranceSec', true) ?? 5,
  }
  const issuer = names(options.issuer, 'issuer')
  const audience = names(options.audience, 'audience')
  const maxTokenAge = seconds('maxTokenAgeMs', 'maxTokenAgeSec', false)
  if (issuer !== undefined) verify.issuer = issuer
  if (audience !== undefined) verify.audience = audience
  if (maxTokenAge !== undefined) verify.maxTokenAge = maxTokenAge
  if (options.requireExpiration !== false) verify.requiredClaims = ['exp']
  return verify
}

function unauthenticated(code: string, message: string, cause?: unknown): never {
  throw new SemanticLayerError(
    'UNAUTHENTICATED',
    [{ code, path: [], message }],
    cause === undefined ? undefined : { cause },
  )
}

function extractToken(input: string | null | undefined): string {
  const missing = (): never =>
    unauthenticated('TOKEN_MISSING', "No token was sent. Send a JWT in the Authorization header as 'Bearer <token>'.")
  if (input === undefined || input === null) return missing()
  if (typeof input !== 'string') return unauthenticated('TOKEN_MALFORMED', 'The token must be a string.')
  const value = input.trim()
  if (value === '') return missing()
  if (value.length > MAX_TOKEN_LENGTH) return unauthenticated('TOKEN_MALFORMED', 'The token is too long to be a JWT.')
  const parts = value.split(/\s+/)
  if (parts.length === 1) return /^bearer$/i.test(value) ? missing() : value
  if (parts.length === 2 && /^bearer$/i.test(parts[0] ?? '')) return parts[1] ?? missing()
  return unauthenticated('TOKEN_MALFORMED', "The Authorization header must be 'Bearer <token>'.")
}

/** jose, imported now, and the key it verifies with (a key set becomes jose's resolver here). */
async function loadVerifier(key: VerificationKey): Promise<Verifier> {
  let jose: Jose
  try {
    jose = await import('jose')
  } catch (error) {
    const message =
      'cortex-semantic could not load its dependency jose. Reinstall the package (npm install cortex-semantic).'
    throw new SemanticLayerError('INTERNAL', [{ code: 'DEPENDENCY_MISSING', path: [], message }], { cause: error })
  }
  if (key.kind === 'static') return { jose, key: key.key }
  if (key.kind === 'local-set') return { jose, key: jose.createLocalJWKSet({ keys: key.set.keys as JWK[] }) }
  return { jose, key: jose.createRemoteJWKSet(key.url, key.options) }
}

async function verify(
  token: string,
  prepared: PreparedKey,
  options: JWTVerifyOptions,
  load: () => Promise<Verifier>,
): Promise<JwtClaims> {
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token))
    unauthenticated('TOKEN_MALFORMED', 'The token is not a well-formed JWT (three base64url parts separated by dots).')
  const { jose, key } = await load()
  let alg: unknown
  try {
    alg = jose.decodeProtectedHeader(token).alg
  } catch (error) {
    unauthenticated('TOKEN_MALFORMED', "The token's header is not valid JSON.", error)
  }
  // Defence in depth: jose would refuse it too, since 'none' is never in the allow-list.
  if (typeof alg !== 'string' || alg.trim().toLowerCase() === 'none')
    unauthenticated('TOKEN_ALGORITHM', 'Unsigned tokens are never accepted. Sign the token.')
  if (!prepared.algorithms.includes(alg))
    unauthenticated('TOKEN_ALGORITHM', "The token's signing algorithm is not accepted.")
  const withAlgorithms = { ...options, algorithms: [...prepared.algorithms] }
  try {
    const result =
      typeof key === 'function'
        ? await jose.jwtVerify(token, key, withAlgorithms)
        : await jose.jwtVerify(token, key, withAlgorithms)
    return result.payload
  } catch (error) {
    throw toAuthError(error, jose.errors)
  }
}

/** Map a jose failure to a specific, value-free issue. */
function toAuthError(error: unknown, errors: Jose['errors']): SemanticLayerError {
  const make = (code: string, message: string): SemanticLayerError =>
    new SemanticLayerError('UNAUTHENTICATED', [{ code, path: [], message }], { cause: withoutPayload(error, errors) })
  if (error instanceof errors.JWTExpired) {
    return error.claim === 'iat'
      ? make('TOKEN_TOO_OLD', 'The token was issued too long ago. Sign in again.')
      : make('TOKEN_EXPIRED', 'The token has expired. Sign in again.')
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'iss':
        return make('TOKEN_ISSUER', "The token's issuer is not accepted.")
      case 'aud':
        return make('TOKEN_AUDIENCE', "The token's audience is not accepted.")
      case 'nbf':
        return error.reason === 'check_failed'
          ? make('TOKEN_NOT_YET_VALID', 'The token is not valid yet. Check the clocks of the issuer and this server.')
          : make('TOKEN_MALFORMED', "The token's nbf claim is not a valid time.")
      case 'iat':
        if (error.reason === 'missing')
          return make(
            'TOKEN_TOO_OLD',
            'The token does not say when it was issued (iat), so its age cannot be checked. Sign in again.',
          )
        if (error.reason === 'check_failed')
          return make(
            'TOKEN_NOT_YET_VALID',
            'The token was issued in the future. Check the clocks of the issuer and this server.',
          )
        return make('TOKEN_MALFORMED', "The token's iat claim is not a valid time.")
      case 'exp':
        return error.reason === 'missing'
          ? make('TOKEN_MALFORMED', 'The token has no expiry time (exp). Issue tokens that expire.')
          : make('TOKEN_MALFORMED', "The token's exp claim is not a valid time.")
      default:
        return make('TOKEN_MALFORMED', "The token's claims are not valid.")
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
    return make('TOKEN_ALGORITHM', "The token's signing algorithm is not accepted.")
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return make('TOKEN_SIGNATURE', "The token's signature is not valid.")
  if (error instanceof errors.JWKSNoMatchingKey)
    return make('UNKNOWN_KEY', 'The token was signed with a key this server does not know.')
  if (error instanceof errors.JWKSMultipleMatchingKeys)
    return make('UNKNOWN_KEY', 'The token matches more than one signing key. Issue tokens with a kid header.')
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid)
    return make('TOKEN_MALFORMED', 'The token is not a well-formed JWT.')
  // Fetching or reading a remote key set failed (network, timeout, non-200, bad JSON): not the caller's fault.
  if (error instanceof errors.JOSEError || (error instanceof TypeError && error.message === 'fetch failed')) {
    return make('KEYS_UNAVAILABLE', 'The signing keys could not be loaded. Try again later.')
  }
  return make('TOKEN_INVALID', 'The token could not be verified.')
}

/** jose's claim errors carry the whole payload; keep what identifies the failure and drop the claims. */
function withoutPayload(error: unknown, errors: Jose['errors']): unknown {
  if (!(error instanceof errors.JWTClaimValidationFailed || error instanceof errors.JWTExpired)) return error
  const copy = new Error(error.message)
  copy.name = error.name
  return Object.assign(copy, { code: error.code, claim: error.claim, reason: error.reason })
}
