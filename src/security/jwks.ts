/**
 * Key sources for JWT verification: an HMAC secret, one public key, or a JSON Web Key Set (inline or
 * remote). Each source yields the key jose verifies with and the algorithms that key may be used with.
 * Nothing here loads jose: a key set is checked here and handed to jose's resolver on first use (see
 * jwt-auth.ts, which imports jose lazily so the CommonJS build never `require`s that ES module).
 *
 * Invariant (algorithm confusion): a secret only ever verifies HS* tokens and a public key or JWKS only
 * ever verifies asymmetric ones, so an attacker cannot sign HS256 with a public key's text as the HMAC
 * secret. The allow-list is checked here at creation and passed to jose on every verification.
 */
import { durationOption } from '../util/options.js'
import { createPublicKey, KeyObject } from 'node:crypto'
import type { JsonWebKey, webcrypto } from 'node:crypto'
import type { ErrorIssue } from '../errors.js'

/** A Web Crypto public key (Node's `crypto.webcrypto.CryptoKey`, the global `CryptoKey`). */
export type CryptoKey = webcrypto.CryptoKey
/** One public key of a JSON Web Key Set (RFC 7517): `kty` and the type's public parameters. */
export type PublicJwk = JsonWebKey

/** Algorithms Cortex verifies. `none` is not and never will be one of them. */
const HMAC = ['HS256', 'HS384', 'HS512'] as const
const RSA = ['RS256', 'RS384', 'RS512'] as const
const RSA_PSS = ['PS256', 'PS384', 'PS512'] as const
const EC: Readonly<Record<string, string>> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }
const NODE_CURVES: Readonly<Record<string, string>> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }
const EDDSA = ['EdDSA', 'Ed25519'] as const

export const SUPPORTED_ALGORITHMS: ReadonlySet<string> = new Set([
  ...HMAC,
  ...RSA,
  ...RSA_PSS,
  ...Object.values(EC),
  ...EDDSA,
])
const ASYMMETRIC: readonly string[] = [...RSA, ...RSA_PSS, ...Object.values(EC), ...EDDSA]
/** Default for remote key sets, whose key types are unknown until the first fetch. */
const REMOTE_DEFAULT = ['RS256', 'ES256', 'PS256'] as const

/** RFC 7518 §3.2: an HMAC key must be at least as long as the hash output; 256 bits for HS256. */
const MIN_SECRET_BYTES = 32

export interface RemoteJwksOptions {
  /** After a fetch, how long (ms) an unknown `kid` must wait before it may trigger another fetch. Default 30 000. */
  cooldownMs?: number
  /** How long (ms) fetched keys are used before they are fetched again. Default 600 000. */
  cacheMaxAgeMs?: number
  /** Timeout of one JWKS request, in milliseconds. Default 5 000. */
  timeoutMs?: number
  /** @deprecated Use `cooldownMs` (milliseconds). The same in seconds; still accepted. */
  cooldownSec?: number
  /** @deprecated Use `cacheMaxAgeMs` (milliseconds). The same in seconds; still accepted. */
  cacheMaxAgeSec?: number
  /** @deprecated Use `timeoutMs` (milliseconds). The same in seconds; still accepted. */
  timeoutSec?: number
}

export interface KeySourceOptions {
  secret?: string | Uint8Array | undefined
  publicKey?: string | CryptoKey | KeyObject | undefined
  jwks?: string | URL | { keys: PublicJwk[] } | undefined
  algorithms?: readonly string[] | undefined
  jwksOptions?: RemoteJwksOptions | undefined
}

/** What jose verifies with: a key, or a key set that jwt-auth.ts turns into jose's resolver on first use. */
export type VerificationKey =
  | { readonly kind: 'static'; readonly key: Uint8Array | CryptoKey | KeyObject }
  | { readonly kind: 'local-set'; readonly set: { readonly keys: readonly PublicJwk[] } }
  | { readonly kind: 'remote-set'; readonly url: URL; readonly options: RemoteSetOptions }

/** jose's `createRemoteJWKSet` options, in milliseconds. */
export interface RemoteSetOptions {
  readonly cooldownDuration: number
  readonly cacheMaxAge: number
  readonly timeoutDuration: number
}

export interface PreparedKey {
  readonly key: VerificationKey
  readonly algorithms: readonly string[]
}

type Issue = ErrorIssue
const issue = (code: string, path: (string | number)[], message: string): Issue => ({ code, path, message })

/**
 * Check the key options and build the verification key with its algorithm allow-list. Problems are
 * pushed onto `issues` (all of them, not just the first); the result is undefined when there are any.
 */
export function prepareJwtKey(options: KeySourceOptions, issues: Issue[]): PreparedKey | undefined {
  const given = (['secret', 'publicKey', 'jwks'] as const).filter((k) => options[k] !== undefined)
  if (given.length !== 1) {
    issues.push(
      issue(
        given.length === 0 ? 'KEY_MISSING' : 'KEY_CONFLICT',
        given.length === 0 ? [] : [given[1] ?? ''],
        `Pass exactly one of secret (HS256/384/512), publicKey (PEM or key object) or jwks (URL or key set)${given.length ? `; got ${given.join(' and ')}` : ''}.`,
      ),
    )
    return undefined
  }
  const before = issues.length
  const source =
    options.secret !== undefined
      ? prepareSecret(options.secret, issues)
      : options.publicKey !== undefined
        ? preparePublicKey(options.publicKey, issues)
        : prepareJwks(options.jwks as NonNullable<KeySourceOptions['jwks']>, options.jwksOptions ?? {}, issues)
  if (!source) return undefined
  const algorithms = checkAlgorithms(options.algorithms, source, given[0] as string, issues)
  if (issues.length > before || !algorithms) return undefined
  return { key: source.key, algorithms: Object.freeze([...algorithms]) }
}

interface KeySource {
  readonly key: VerificationKey
  /** Algorithms this key can verify at all. */
  readonly allowed: readonly string[]
  /** Used when `algorithms` is not given. */
  readonly defaults: readonly string[]
}

function checkAlgorithms(
  algorithms: readonly string[] | undefined,
  source: KeySource,
  keyOption: string,
  issues: Issue[],
): readonly string[] | undefined {
  if (algorithms === undefined) return source.defaults
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    issues.push(
      issue(
        'INVALID_OPTION',
        ['algorithms'],
        'algorithms must be a non-empty list such as ["RS256"], or left out to derive it from the key.',
      ),
    )
    return undefined
  }
  const ok: string[] = []
  algorithms.forEach((alg: unknown, i) => {
    if (typeof alg !== 'string' || !SUPPORTED_ALGORITHMS.has(alg)) {
      const none = typeof alg === 'string' && alg.trim().toLowerCase() === 'none'
      issues.push(
        none
          ? issue(
              'ALGORITHM_NONE',
              ['algorithms', i],
              "The 'none' algorithm accepts unsigned tokens and is never allowed. Remove it.",
            )
          : issue(
              'UNKNOWN_ALGORITHM',
              ['algorithms', i],
              `Unsupported algorithm. Use one of ${[...SUPPORTED_ALGORITHMS].join(', ')}.`,
            ),
      )
    } else if (!source.allowed.includes(alg)) {
      issues.push(
        issue(
          'ALGORITHM_KEY_MISMATCH',
          ['algorithms', i],
          `${alg} cannot be verified with the configured ${keyOption}; it accepts ${source.allowed.join(', ')}. Mixing HMAC and public-key algorithms enables algorithm-confusion attacks.`,
        ),
      )
    } else ok.push(alg)
  })
  return ok.length === algorithms.length ? [...new Set(ok)] : undefined
}

function prepareSecret(secret: string | Uint8Array, issues: Issue[]): KeySource | undefined {
  const bytes =
    typeof secret === 'string'
      ? new TextEncoder().encode(secret)
      : secret instanceof Uint8Array
        ? new Uint8Array(secret)
        : undefined
  if (!bytes) {
    issues.push(issue('INVALID_KEY', ['secret'], 'secret must be a string or a Uint8Array.'))
    return undefined
  }
  // A PEM as an HMAC secret is the algorithm-confusion attack itself: a public key is public.
  if (new TextDecoder('latin1').decode(bytes.subarray(0, 64)).trimStart().startsWith('-----BEGIN')) {
    issues.push(
      issue(
        'INVALID_KEY',
        ['secret'],
        'secret looks like a PEM key. Pass a PEM public key as publicKey, never as an HMAC secret.',
      ),
    )
    return undefined
  }
  if (bytes.length < MIN_SECRET_BYTES) {
    issues.push(
      issue(
        'WEAK_SECRET',
        ['secret'],
        `secret must be at least ${MIN_SECRET_BYTES} bytes (256 bits) of random data (RFC 7518 §3.2).`,
      ),
    )
    return undefined
  }
  return { key: { kind: 'static', key: bytes }, allowed: HMAC, defaults: HMAC }
}

function preparePublicKey(input: string | CryptoKey | KeyObject, issues: Issue[]): KeySource | undefined {
  const bad = (message: string): undefined => {
    issues.push(issue('INVALID_KEY', ['publicKey'], message))
    return undefined
  }
  if (typeof input === 'string') {
    const pem = input.trim()
    if (!pem.startsWith('-----BEGIN'))
      return bad(
        "publicKey must be a PEM public key ('-----BEGIN PUBLIC KEY-----') or a key object. For an HMAC secret use secret.",
      )
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem))
      return bad(
        'publicKey is a private key. Pass only the public key (SPKI PEM); the private key must stay with the token issuer.',
      )
    let key: KeyObject
    try {
      key = createPublicKey(pem)
    } catch {
      return bad("publicKey is not a readable PEM public key. Pass an SPKI PEM ('-----BEGIN PUBLIC KEY-----').")
    }
    return fromKeyObject(key, bad)
  }
  if (
    input instanceof KeyObject ||
    (input as { [Symbol.toStringTag]?: unknown })?.[Symbol.toStringTag] === 'KeyObject'
  ) {
    const key = input as KeyObject
    if (key.type !== 'public')
      return bad(`publicKey is a ${key.type} key object. Pass a public key (for an HMAC secret use secret).`)
    return fromKeyObject(key, bad)
  }
  if (isCryptoKey(input)) {
    if (input.type !== 'public')
      return bad(`publicKey is a ${input.type} CryptoKey. Pass a public key (for an HMAC secret use secret).`)
    const algorithm = input.algorithm as { name: string; hash?: { name?: string }; namedCurve?: string }
    const bits = algorithm.hash?.name?.replace('SHA-', '')
    const algs =
      algorithm.name === 'RSASSA-PKCS1-v1_5'
        ? [`RS${bits}`]
        : algorithm.name === 'RSA-PSS'
          ? [`PS${bits}`]
          : algorithm.name === 'ECDSA'
            ? [EC[algorithm.namedCurve ?? ''] ?? '']
            : algorithm.name === 'Ed25519'
              ? [...EDDSA]
              : []
    if (!algs.every((a) => SUPPORTED_ALGORITHMS.has(a)) || algs.length === 0)
      return bad(
        'publicKey uses an unsupported algorithm. Use an RSA, RSA-PSS, ECDSA (P-256/384/521) or Ed25519 public key.',
      )
    return { key: { kind: 'static', key: input }, allowed: algs, defaults: algs }
  }
  return bad('publicKey must be a PEM string, a KeyObject or a CryptoKey.')
}

function fromKeyObject(key: KeyObject, bad: (message: string) => undefined): KeySource | undefined {
  const type = key.asymmetricKeyType
  let allowed: readonly string[]
  let defaults: readonly string[]
  if (type === 'rsa')
    [allowed, defaults] = [
      [...RSA, ...RSA_PSS],
      ['RS256', 'PS256'],
    ]
  else if (type === 'rsa-pss') [allowed, defaults] = [RSA_PSS, ['PS256']]
  else if (type === 'ed25519') [allowed, defaults] = [EDDSA, EDDSA]
  else if (type === 'ec') {
    const alg = EC[NODE_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? '']
    if (!alg) return bad('publicKey is an EC key on an unsupported curve. Use P-256, P-384 or P-521.')
    ;[allowed, defaults] = [[alg], [alg]]
  } else
    return bad('publicKey has an unsupported key type. Use an RSA, RSA-PSS, EC (P-256/384/521) or Ed25519 public key.')
  return { key: { kind: 'static', key }, allowed, defaults }
}

function isCryptoKey(value: unknown): value is CryptoKey {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'CryptoKey'
  )
}

function prepareJwks(
  input: string | URL | { keys: PublicJwk[] },
  remote: RemoteJwksOptions,
  issues: Issue[],
): KeySource | undefined {
  if (typeof input === 'string' || input instanceof URL) {
    let url: URL
    try {
      url = new URL(input)
    } catch {
      issues.push(
        issue(
          'INVALID_KEY',
          ['jwks'],
          'jwks must be an absolute https URL of a JSON Web Key Set, or an inline { keys: [...] } set.',
        ),
      )
      return undefined
    }
    // Over plain http anyone on the path could swap in their own keys; only loopback is exempt (dev, tests).
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
      issues.push(
        issue('INSECURE_JWKS_URL', ['jwks'], 'jwks must be an https URL (plain http is accepted only for localhost).'),
      )
      return undefined
    }
    const ms = (msName: keyof RemoteJwksOptions, secName: keyof RemoteJwksOptions, fallback: number): number => {
      const d = durationOption(remote as Readonly<Record<string, unknown>>, msName, secName)
      if (d === undefined) return fallback
      if ('conflict' in d) {
        issues.push(issue('INVALID_OPTION', ['jwksOptions', secName], d.conflict))
        return fallback
      }
      const value = d.ms
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        const message = `jwksOptions.${d.name} must be a non-negative number of ${d.unit}.`
        issues.push(issue('INVALID_OPTION', ['jwksOptions', d.name], message))
        return fallback
      }
      return Math.round(value)
    }
    const options: RemoteSetOptions = {
      cooldownDuration: ms('cooldownMs', 'cooldownSec', 30_000),
      cacheMaxAge: ms('cacheMaxAgeMs', 'cacheMaxAgeSec', 600_000),
      timeoutDuration: ms('timeoutMs', 'timeoutSec', 5_000),
    }
    return { key: { kind: 'remote-set', url, options }, allowed: ASYMMETRIC, defaults: REMOTE_DEFAULT }
  }
  const keys: unknown = (input as { keys?: unknown } | null)?.keys
  if (!Array.isArray(keys) || keys.length === 0) {
    issues.push(
      issue('INVALID_KEY', ['jwks'], 'jwks must be a URL or a key set { keys: [...] } with at least one public key.'),
    )
    return undefined
  }
  const derived = new Set<string>()
  keys.forEach((jwk: unknown, i) => {
    const k = (typeof jwk === 'object' && jwk !== null ? jwk : {}) as Record<string, unknown>
    if (k['kty'] === 'oct' || 'd' in k || 'k' in k) {
      issues.push(
        issue(
          'INVALID_KEY',
          ['jwks', 'keys', i],
          'A key set may hold only public keys. Remove private and symmetric keys; an HMAC secret goes in secret.',
        ),
      )
      return
    }
    for (const alg of algorithmsForJwk(k)) derived.add(alg)
  })
  // jose's createLocalJWKSet takes a structured clone of plain objects; check that here, at creation, so a
  // malformed set is a CONFIG_INVALID now rather than a failed verification later.
  let set: { keys: PublicJwk[] } | undefined
  try {
    set = { keys: structuredClone(keys) as PublicJwk[] }
  } catch {
    set = undefined
  }
  if (!set || !set.keys.every(isPlainObject)) {
    issues.push(
      issue(
        'INVALID_KEY',
        ['jwks'],
        'jwks is not a valid JSON Web Key Set. Each key needs at least kty and its public parameters.',
      ),
    )
    return undefined
  }
  const defaults = derived.size ? [...derived] : [...REMOTE_DEFAULT]
  return { key: { kind: 'local-set', set }, allowed: ASYMMETRIC, defaults }
}

/** A plain JSON object (what jose accepts as a JWK): no class instance, array or null. */
function isPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Object.prototype.toString.call(value) !== '[object Object]')
    return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === null || Object.getPrototypeOf(proto) === null
}

/** The algorithms one public JWK can verify: its own `alg` when set, else the defaults for its type. */
function algorithmsForJwk(jwk: Record<string, unknown>): string[] {
  const alg = jwk['alg']
  if (typeof alg === 'string') return ASYMMETRIC.includes(alg) ? [alg] : []
  if (jwk['kty'] === 'RSA') return ['RS256', 'PS256']
  if (jwk['kty'] === 'EC') {
    const ec = EC[String(jwk['crv'])]
    return ec ? [ec] : []
  }
  if (jwk['kty'] === 'OKP' && jwk['crv'] === 'Ed25519') return [...EDDSA]
  return []
}
