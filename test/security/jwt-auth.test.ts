import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { inspect } from 'node:util'
import { base64url, exportJWK, exportPKCS8, exportSPKI, generateKeyPair, SignJWT } from 'jose'
import type { CryptoKey, JWK, JWTPayload } from 'jose'
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest'
import { isSemanticLayerError } from '../../src/errors.js'
import type { SemanticLayerError } from '../../src/errors.js'
import { createJwtAuth } from '../../src/security/jwt-auth.js'

const ISSUER = 'https://issuer.cortex.test/'
const AUDIENCE = 'cortex-analytics-api'
// Distinctive claim values, so "the message does not contain them" cannot pass by accident.
const CLAIMS = { sub: 'user-7f3a9c', email: 'ada.lovelace@example.test', tenant: 'tenant-q8z1x' } as const
const now = (): number => Math.floor(Date.now() / 1000)

interface Pair {
  publicKey: CryptoKey
  privateKey: CryptoKey
}

let rsa: Pair
let rsaOther: Pair
let ec: Pair
let rsaPem: string
const secret = randomBytes(32).toString('base64url')
const secretBytes = new TextEncoder().encode(secret)

beforeAll(async () => {
  ;[rsa, rsaOther, ec] = await Promise.all([
    generateKeyPair('RS256'),
    generateKeyPair('RS256'),
    generateKeyPair('ES256'),
  ])
  rsaPem = await exportSPKI(rsa.publicKey)
})

interface SignOptions {
  alg?: string
  kid?: string
  iss?: string | undefined
  aud?: string | string[] | undefined
  exp?: number | undefined
  nbf?: number
  iat?: number | undefined
  claims?: JWTPayload
}

/** A token with the standard test claims; pass `undefined` to leave out iss/aud/exp/iat. */
async function sign(key: CryptoKey | Uint8Array, options: SignOptions = {}): Promise<string> {
  const alg = options.alg ?? (key instanceof Uint8Array ? 'HS256' : key.algorithm.name === 'ECDSA' ? 'ES256' : 'RS256')
  const jwt = new SignJWT({ ...CLAIMS, ...options.claims }).setProtectedHeader(
    options.kid === undefined ? { alg } : { alg, kid: options.kid },
  )
  const iss = 'iss' in options ? options.iss : ISSUER
  const aud = 'aud' in options ? options.aud : AUDIENCE
  const exp = 'exp' in options ? options.exp : now() + 600
  const iat = 'iat' in options ? options.iat : now()
  if (iss !== undefined) jwt.setIssuer(iss)
  if (aud !== undefined) jwt.setAudience(aud)
  if (exp !== undefined) jwt.setExpirationTime(exp)
  if (iat !== undefined) jwt.setIssuedAt(iat)
  if (options.nbf !== undefined) jwt.setNotBefore(options.nbf)
  return jwt.sign(key)
}

async function rejection(promise: Promise<unknown>): Promise<SemanticLayerError> {
  const outcome = await promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  )
  if (outcome.ok) throw new Error('expected a rejection, got a security context')
  if (!isSemanticLayerError(outcome.error)) throw outcome.error
  return outcome.error
}

/**
 * Assert UNAUTHENTICATED with exactly `issueCode`, and that nothing sensitive is visible: not in the
 * message and issues, and not even in a full inspect of the error with its cause.
 */
async function expectRejected(
  promise: Promise<unknown>,
  issueCode: string,
  sensitive: readonly string[],
): Promise<SemanticLayerError> {
  const error = await rejection(promise)
  expect(error.code).toBe('UNAUTHENTICATED')
  expect(error.issues.map((i) => i.code)).toEqual([issueCode])
  const visible = error.message + JSON.stringify(error.issues) + JSON.stringify(error)
  const inspected = inspect(error, { depth: 10 })
  for (const value of sensitive) {
    expect(value.length).toBeGreaterThan(3)
    expect(visible).not.toContain(value)
    expect(inspected).not.toContain(value)
  }
  return error
}

/** Everything that must never show up in an authentication error. */
const sensitiveFor = (token: string, ...extra: string[]): string[] => [
  token,
  ...token.split('.').filter((part) => part.length > 3),
  ...Object.values(CLAIMS),
  ISSUER,
  AUDIENCE,
  secret,
  ...extra,
]

const hsAuth = (extra: Partial<Parameters<typeof createJwtAuth>[0]> = {}) =>
  createJwtAuth({ secret, issuer: ISSUER, audience: AUDIENCE, ...extra })

describe('createJwtAuth: valid tokens', () => {
  it('accepts an HS256 token and returns its claims as the context by default', async () => {
    const token = await sign(secretBytes)
    const context = await hsAuth().authenticate(token)
    expect(context).toMatchObject({ ...CLAIMS, iss: ISSUER, aud: AUDIENCE })
    expect(context).not.toHaveProperty('user')
  })

  it('accepts an RS256 token against a PEM public key and an ES256 token against a CryptoKey', async () => {
    const rs = createJwtAuth({ publicKey: rsaPem, issuer: ISSUER, audience: AUDIENCE })
    expect(await rs.authenticate(await sign(rsa.privateKey))).toMatchObject({ tenant: CLAIMS.tenant })
    const es = createJwtAuth({ publicKey: ec.publicKey, issuer: ISSUER, audience: AUDIENCE })
    expect(await es.authenticate(await sign(ec.privateKey))).toMatchObject({ sub: CLAIMS.sub })
  })

  it("accepts 'Bearer x' (any case, extra spaces) and raw header values; authenticateRequest reads Authorization", async () => {
    const token = await sign(secretBytes)
    const auth = hsAuth()
    expect(await auth.authenticate(`Bearer ${token}`)).toMatchObject({ sub: CLAIMS.sub })
    expect(await auth.authenticate(`  bearer   ${token} `)).toMatchObject({ sub: CLAIMS.sub })
    expect(await auth.authenticate(token)).toMatchObject({ sub: CLAIMS.sub })
    const request = new Request('http://localhost/cubejs-api/v1/load', {
      headers: { Authorization: `Bearer ${token}` },
    })
    expect(await auth.authenticateRequest(request)).toMatchObject({ tenant: CLAIMS.tenant })
    await expectRejected(auth.authenticateRequest(new Request('http://localhost/')), 'TOKEN_MISSING', [])
  })

  it('accepts any of several configured issuers and audiences', async () => {
    const auth = hsAuth({ issuer: ['https://other.test/', ISSUER], audience: ['x-api', AUDIENCE] })
    expect(await auth.authenticate(await sign(secretBytes, { aud: ['unrelated', AUDIENCE] }))).toMatchObject({
      sub: CLAIMS.sub,
    })
  })
})

describe('createJwtAuth: rejected tokens say why without leaking anything', () => {
  it('rejects an expired token with TOKEN_EXPIRED', async () => {
    const exp = now() - 60
    const token = await sign(secretBytes, { exp })
    const error = await expectRejected(hsAuth().authenticate(token), 'TOKEN_EXPIRED', [
      ...sensitiveFor(token),
      String(exp),
    ])
    expect(error.message).toContain('expired')
  })

  it('rejects a token whose nbf is in the future beyond the tolerance with TOKEN_NOT_YET_VALID', async () => {
    const nbf = now() + 60
    const token = await sign(secretBytes, { nbf })
    await expectRejected(hsAuth().authenticate(token), 'TOKEN_NOT_YET_VALID', [...sensitiveFor(token), String(nbf)])
  })

  it('honours the clock tolerance: expired 3 s ago passes with the default 5 s, fails with 0', async () => {
    const token = await sign(secretBytes, { exp: now() - 3, iat: now() - 60 })
    expect(await hsAuth().authenticate(token)).toMatchObject({ sub: CLAIMS.sub })
    expect(await hsAuth({ clockToleranceSec: 5 }).authenticate(token)).toMatchObject({ sub: CLAIMS.sub })
    await expectRejected(hsAuth({ clockToleranceSec: 0 }).authenticate(token), 'TOKEN_EXPIRED', sensitiveFor(token))
  })

  it('rejects a wrong issuer and a missing issuer with TOKEN_ISSUER, naming neither issuer', async () => {
    const wrong = await sign(secretBytes, { iss: 'https://evil-issuer.test/' })
    await expectRejected(hsAuth().authenticate(wrong), 'TOKEN_ISSUER', [
      ...sensitiveFor(wrong),
      'https://evil-issuer.test/',
    ])
    const missing = await sign(secretBytes, { iss: undefined })
    await expectRejected(hsAuth().authenticate(missing), 'TOKEN_ISSUER', sensitiveFor(missing))
  })

  it('rejects a wrong audience with TOKEN_AUDIENCE, naming neither audience', async () => {
    const token = await sign(secretBytes, { aud: 'billing-service-api' })
    const error = await expectRejected(hsAuth().authenticate(token), 'TOKEN_AUDIENCE', [
      ...sensitiveFor(token),
      'billing-service-api',
    ])
    expect(error.message).toContain('audience')
  })

  it('rejects a token signed by another key pair with TOKEN_SIGNATURE', async () => {
    const token = await sign(rsaOther.privateKey)
    const auth = createJwtAuth({ publicKey: rsaPem, issuer: ISSUER, audience: AUDIENCE })
    await expectRejected(auth.authenticate(token), 'TOKEN_SIGNATURE', [
      ...sensitiveFor(token),
      rsaPem.split('\n')[1] ?? rsaPem,
    ])
  })

  it('rejects a token whose payload was changed after signing with TOKEN_SIGNATURE', async () => {
    const token = await sign(rsa.privateKey)
    const [header, payload, signature] = token.split('.') as [string, string, string]
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload))) as JWTPayload
    const forged = base64url.encode(JSON.stringify({ ...claims, tenant: 'tenant-attacker' }))
    expect(forged).not.toBe(payload)
    const tampered = `${header}.${forged}.${signature}`
    const auth = createJwtAuth({ publicKey: rsaPem, issuer: ISSUER, audience: AUDIENCE })
    expect(await auth.authenticate(token)).toMatchObject({ tenant: CLAIMS.tenant })
    await expectRejected(auth.authenticate(tampered), 'TOKEN_SIGNATURE', [...sensitiveFor(tampered), 'tenant-attacker'])
  })

  it("rejects unsigned tokens (alg 'none', any case) with TOKEN_ALGORITHM", async () => {
    const payload = base64url.encode(JSON.stringify({ ...CLAIMS, iss: ISSUER, aud: AUDIENCE, exp: now() + 600 }))
    for (const alg of ['none', 'None', 'NONE']) {
      const token = `${base64url.encode(JSON.stringify({ alg, typ: 'JWT' }))}.${payload}.`
      await expectRejected(hsAuth().authenticate(token), 'TOKEN_ALGORITHM', sensitiveFor(token))
      const rs = createJwtAuth({ publicKey: rsaPem, issuer: ISSUER, audience: AUDIENCE })
      await expectRejected(rs.authenticate(token), 'TOKEN_ALGORITHM', sensitiveFor(token))
    }
  })

  it("rejects HS256 signed with the RSA public key's PEM text as the HMAC secret (algorithm confusion)", async () => {
    const token = await sign(new TextEncoder().encode(rsaPem), { alg: 'HS256' })
    const auth = createJwtAuth({ publicKey: rsaPem, issuer: ISSUER, audience: AUDIENCE })
    await expectRejected(auth.authenticate(token), 'TOKEN_ALGORITHM', sensitiveFor(token))
    // The same key as an explicit RS256-only allow-list: still refused.
    const strict = createJwtAuth({ publicKey: rsaPem, algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE })
    await expectRejected(strict.authenticate(token), 'TOKEN_ALGORITHM', sensitiveFor(token))
  })

  it('rejects an RS256 token when only ES256 is allowed with TOKEN_ALGORITHM', async () => {
    const token = await sign(rsa.privateKey)
    const jwks = { keys: [{ ...(await exportJWK(rsa.publicKey)), kid: 'r1' }] }
    const auth = createJwtAuth({ jwks, algorithms: ['ES256'], issuer: ISSUER, audience: AUDIENCE })
    await expectRejected(auth.authenticate(token), 'TOKEN_ALGORITHM', sensitiveFor(token))
  })

  it('rejects a missing token with TOKEN_MISSING and non-JWT input with TOKEN_MALFORMED', async () => {
    const auth = hsAuth()
    for (const input of [undefined, null, '', '   ', 'Bearer', 'Bearer   '])
      await expectRejected(auth.authenticate(input), 'TOKEN_MISSING', [])
    await expectRejected(auth.authenticate('Basic dXNlcjpwYXNzd29yZA=='), 'TOKEN_MALFORMED', ['dXNlcjpwYXNzd29yZA=='])
    await expectRejected(auth.authenticate('not-a-jwt-at-all'), 'TOKEN_MALFORMED', ['not-a-jwt-at-all'])
    await expectRejected(auth.authenticate('eyJub3QtanNvbg.eyJzdWIiOiJ4In0.c2ln'), 'TOKEN_MALFORMED', [
      'eyJzdWIiOiJ4In0',
    ])
    await expectRejected(auth.authenticate(`a.${'b'.repeat(20_000)}.c`), 'TOKEN_MALFORMED', ['bbbbbbbbbb'])
  })

  it('rejects a token older than maxTokenAgeSec, or without iat, with TOKEN_TOO_OLD', async () => {
    const auth = hsAuth({ maxTokenAgeSec: 300 })
    expect(await auth.authenticate(await sign(secretBytes, { iat: now() - 10 }))).toMatchObject({ sub: CLAIMS.sub })
    const old = await sign(secretBytes, { iat: now() - 3600 })
    await expectRejected(auth.authenticate(old), 'TOKEN_TOO_OLD', sensitiveFor(old))
    const noIat = await sign(secretBytes, { iat: undefined })
    await expectRejected(auth.authenticate(noIat), 'TOKEN_TOO_OLD', sensitiveFor(noIat))
  })

  it('rejects a token without exp unless requireExpiration is false', async () => {
    const token = await sign(secretBytes, { exp: undefined })
    await expectRejected(hsAuth().authenticate(token), 'TOKEN_MALFORMED', sensitiveFor(token))
    expect(await hsAuth({ requireExpiration: false }).authenticate(token)).toMatchObject({ sub: CLAIMS.sub })
  })
})

describe('createJwtAuth: inline JWKS', () => {
  it('accepts a token whose kid is in the set and rejects an unknown kid with UNKNOWN_KEY', async () => {
    const jwks = {
      keys: [
        { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1' },
        { ...(await exportJWK(ec.publicKey)), kid: 'ec-1' },
      ],
    }
    const auth = createJwtAuth({ jwks, issuer: ISSUER, audience: AUDIENCE })
    expect(await auth.authenticate(await sign(rsa.privateKey, { kid: 'rsa-1' }))).toMatchObject({ sub: CLAIMS.sub })
    expect(await auth.authenticate(await sign(ec.privateKey, { kid: 'ec-1' }))).toMatchObject({ sub: CLAIMS.sub })
    const unknown = await sign(rsaOther.privateKey, { kid: 'rsa-unknown-kid' })
    await expectRejected(auth.authenticate(unknown), 'UNKNOWN_KEY', [...sensitiveFor(unknown), 'rsa-unknown-kid'])
    // A known kid signed by the wrong key is a signature failure, not a lookup failure.
    const wrongKey = await sign(rsaOther.privateKey, { kid: 'rsa-1' })
    await expectRejected(auth.authenticate(wrongKey), 'TOKEN_SIGNATURE', sensitiveFor(wrongKey))
  })
})

describe('createJwtAuth: remote JWKS', () => {
  let server: Server
  let url: string
  let fetches = 0
  let served: { keys: JWK[] } = { keys: [] }
  let failing = false

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url !== '/.well-known/jwks.json') {
        res.writeHead(404).end()
        return
      }
      fetches++
      if (failing) res.writeHead(500).end('boom')
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(served))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`
  })

  afterAll(async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  it('caches the set, picks up a rotated key after the cooldown, and keeps fetches bounded', async () => {
    const [a, b, stranger] = await Promise.all([
      generateKeyPair('ES256'),
      generateKeyPair('ES256'),
      generateKeyPair('ES256'),
    ])
    served = { keys: [{ ...(await exportJWK(a.publicKey)), kid: 'key-a' }] }
    fetches = 0
    failing = false
    // jose measures the cooldown with Date.now(): fake only Date, and move it instead of waiting a second.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() })
    onTestFinished(() => void vi.useRealTimers())
    const auth = createJwtAuth({ jwks: url, jwksOptions: { cooldownSec: 1 }, issuer: ISSUER, audience: AUDIENCE })
    expect(fetches).toBe(0) // nothing is fetched before the first token

    const tokensA = await Promise.all(Array.from({ length: 5 }, () => sign(a.privateKey, { kid: 'key-a' })))
    const contexts = await Promise.all(tokensA.map((t) => auth.authenticate(t)))
    expect(contexts.map((c) => c['sub'])).toEqual(Array(5).fill(CLAIMS.sub))
    expect(fetches).toBe(1) // concurrent first use shares one fetch

    // Rotate: the issuer now publishes only key-b.
    served = { keys: [{ ...(await exportJWK(b.publicKey)), kid: 'key-b' }] }
    const tokenB = await sign(b.privateKey, { kid: 'key-b' })
    // Within the cooldown an unknown kid cannot trigger a fetch.
    await expectRejected(auth.authenticate(tokenB), 'UNKNOWN_KEY', sensitiveFor(tokenB))
    expect(fetches).toBe(1)

    vi.setSystemTime(Date.now() + 999)
    await expectRejected(auth.authenticate(tokenB), 'UNKNOWN_KEY', sensitiveFor(tokenB)) // still cooling down
    expect(fetches).toBe(1)
    vi.setSystemTime(Date.now() + 1)
    expect(await auth.authenticate(tokenB)).toMatchObject({ sub: CLAIMS.sub })
    expect(fetches).toBe(2)

    // A flood of tokens with unknown kids right after a fetch: all refused, no new fetches.
    const floods = await Promise.all(
      Array.from({ length: 20 }, (_, i) => sign(stranger.privateKey, { kid: `bogus-${i}` })),
    )
    for (const error of await Promise.all(floods.map((t) => rejection(auth.authenticate(t))))) {
      expect(error.issues[0]?.code).toBe('UNKNOWN_KEY')
    }
    const retiredA = tokensA[0] ?? ''
    await expectRejected(auth.authenticate(retiredA), 'UNKNOWN_KEY', sensitiveFor(retiredA))
    expect(fetches).toBe(2)
    // Known keys keep working from the cache.
    expect(await auth.authenticate(tokenB)).toMatchObject({ sub: CLAIMS.sub })
    expect(fetches).toBe(2)
  })

  it('reports an unreachable or failing key set as KEYS_UNAVAILABLE', async () => {
    const pair = await generateKeyPair('ES256')
    const token = await sign(pair.privateKey, { kid: 'k' })
    failing = true
    try {
      const auth = createJwtAuth({ jwks: url, issuer: ISSUER, audience: AUDIENCE })
      await expectRejected(auth.authenticate(token), 'KEYS_UNAVAILABLE', sensitiveFor(token))
    } finally {
      failing = false
    }
    // Port 9 on loopback (discard) is closed on test machines: a network failure, not a 401-worthy token.
    const down = createJwtAuth({
      jwks: 'http://127.0.0.1:9/jwks.json',
      jwksOptions: { timeoutSec: 2 },
      issuer: ISSUER,
      audience: AUDIENCE,
    })
    await expectRejected(down.authenticate(token), 'KEYS_UNAVAILABLE', sensitiveFor(token))
  })
})

describe('createJwtAuth: mapping claims to a security context', () => {
  it('puts the record returned by resolveUser into the context', async () => {
    const seen: JWTPayload[] = []
    const auth = hsAuth({
      resolveUser: async (claims) => {
        seen.push(claims)
        return claims.sub === CLAIMS.sub ? { id: 42, tenantId: 't-host-1', roles: ['analyst'] } : undefined
      },
    })
    const context = await auth.authenticate(await sign(secretBytes))
    expect(seen.map((c) => c.sub)).toEqual([CLAIMS.sub])
    expect(context).toMatchObject({
      sub: CLAIMS.sub,
      tenant: CLAIMS.tenant,
      user: { id: 42, tenantId: 't-host-1', roles: ['analyst'] },
    })
  })

  it('rejects with USER_NOT_FOUND when resolveUser returns undefined', async () => {
    const auth = hsAuth({ resolveUser: () => undefined })
    const token = await sign(secretBytes)
    await expectRejected(auth.authenticate(token), 'USER_NOT_FOUND', sensitiveFor(token))
  })

  it('never calls resolveUser for a token that fails verification', async () => {
    let calls = 0
    const auth = hsAuth({ resolveUser: () => (calls++, { id: 1 }) })
    await expectRejected(auth.authenticate(await sign(secretBytes, { exp: now() - 60 })), 'TOKEN_EXPIRED', [])
    expect(calls).toBe(0)
  })

  it("passes the host's own resolveUser errors through unchanged", async () => {
    const outage = new Error('user database unavailable')
    const auth = hsAuth({ resolveUser: () => Promise.reject(outage) })
    await expect(auth.authenticate(await sign(secretBytes))).rejects.toBe(outage)
  })

  it('builds the context with claimsToContext', async () => {
    const auth = createJwtAuth<{ tenantId: string; userId: string; admin: boolean }>({
      secret,
      issuer: ISSUER,
      audience: AUDIENCE,
      resolveUser: () => ({ role: 'admin' }),
      claimsToContext: (claims, user) => ({
        tenantId: String(claims['tenant']),
        userId: String(claims.sub),
        admin: user?.['role'] === 'admin',
      }),
    })
    expect(await auth.authenticate(await sign(secretBytes))).toEqual({
      tenantId: CLAIMS.tenant,
      userId: CLAIMS.sub,
      admin: true,
    })
  })
})

describe('createJwtAuth: configuration errors', () => {
  const configError = (fn: () => unknown): SemanticLayerError => {
    try {
      fn()
    } catch (error) {
      if (isSemanticLayerError(error)) {
        expect(error.code).toBe('CONFIG_INVALID')
        return error
      }
      throw error
    }
    throw new Error('expected CONFIG_INVALID')
  }
  const codes = (e: SemanticLayerError): string[] => e.issues.map((i) => i.code)

  it('needs exactly one of secret, publicKey and jwks', () => {
    expect(codes(configError(() => createJwtAuth({ secret, publicKey: rsaPem })))).toEqual(['KEY_CONFLICT'])
    expect(
      codes(configError(() => createJwtAuth({ publicKey: rsaPem, jwks: 'https://issuer.test/jwks.json' }))),
    ).toEqual(['KEY_CONFLICT'])
    expect(codes(configError(() => createJwtAuth({})))).toEqual(['KEY_MISSING'])
  })

  it('refuses algorithms that do not fit the key type (algorithm-confusion defence)', () => {
    const secretRs = configError(() => createJwtAuth({ secret, algorithms: ['HS256', 'RS256'] }))
    expect(secretRs.issues).toEqual([
      expect.objectContaining({ code: 'ALGORITHM_KEY_MISMATCH', path: ['algorithms', 1] }),
    ])
    expect(codes(configError(() => createJwtAuth({ publicKey: rsaPem, algorithms: ['HS256'] })))).toEqual([
      'ALGORITHM_KEY_MISMATCH',
    ])
    expect(codes(configError(() => createJwtAuth({ publicKey: ec.publicKey, algorithms: ['RS256'] })))).toEqual([
      'ALGORITHM_KEY_MISMATCH',
    ])
    expect(codes(configError(() => createJwtAuth({ jwks: { keys: [] as JWK[] }, algorithms: ['HS256'] })))).toContain(
      'INVALID_KEY',
    )
    expect(
      codes(configError(() => createJwtAuth({ jwks: 'https://issuer.test/jwks.json', algorithms: ['HS512'] }))),
    ).toEqual(['ALGORITHM_KEY_MISMATCH'])
  })

  it("never allows 'none', and rejects unknown algorithm names and an empty list", () => {
    expect(codes(configError(() => createJwtAuth({ secret, algorithms: ['none'] })))).toEqual(['ALGORITHM_NONE'])
    expect(codes(configError(() => createJwtAuth({ publicKey: rsaPem, algorithms: ['RS256', 'NONE'] })))).toEqual([
      'ALGORITHM_NONE',
    ])
    expect(codes(configError(() => createJwtAuth({ secret, algorithms: ['HS1'] })))).toEqual(['UNKNOWN_ALGORITHM'])
    expect(codes(configError(() => createJwtAuth({ secret, algorithms: [] })))).toEqual(['INVALID_OPTION'])
  })

  it('refuses a PEM or a short string as an HMAC secret, and a private key as publicKey, without echoing them', async () => {
    const pemAsSecret = configError(() => createJwtAuth({ secret: rsaPem }))
    expect(codes(pemAsSecret)).toEqual(['INVALID_KEY'])
    expect(JSON.stringify(pemAsSecret)).not.toContain(rsaPem.split('\n')[1])
    expect(codes(configError(() => createJwtAuth({ secret: 'short-secret' })))).toEqual(['WEAK_SECRET'])
    const extractable = await generateKeyPair('RS256', { extractable: true })
    const privatePem = await exportPKCS8(extractable.privateKey)
    const privateAsPublic = configError(() => createJwtAuth({ publicKey: privatePem }))
    expect(codes(privateAsPublic)).toEqual(['INVALID_KEY'])
    expect(JSON.stringify(privateAsPublic) + privateAsPublic.message).not.toContain(privatePem.split('\n')[1])
    expect(codes(configError(() => createJwtAuth({ publicKey: extractable.privateKey })))).toEqual(['INVALID_KEY'])
    expect(codes(configError(() => createJwtAuth({ publicKey: 'not a pem' })))).toEqual(['INVALID_KEY'])
  })

  it('refuses plain-http JWKS URLs except on loopback, and private keys in an inline set', async () => {
    expect(codes(configError(() => createJwtAuth({ jwks: 'http://issuer.test/jwks.json' })))).toEqual([
      'INSECURE_JWKS_URL',
    ])
    expect(() => createJwtAuth({ jwks: 'http://localhost:1/jwks.json' })).not.toThrow()
    const extractable = await generateKeyPair('ES256', { extractable: true })
    const privateJwk = await exportJWK(extractable.privateKey)
    expect(codes(configError(() => createJwtAuth({ jwks: { keys: [privateJwk] } })))).toEqual(['INVALID_KEY'])
  })

  it('refuses a malformed inline key set when the verifier is created, before jose is loaded', () => {
    // jose builds the set's resolver on the first verification (it is imported lazily); the set's shape is
    // checked here, at creation, as jose's createLocalJWKSet would.
    for (const keys of [[null], ['a string'], [[1, 2]], [{ kty: 'RSA', n: 'x', e: 'AQAB', f: () => 1 }]]) {
      expect(codes(configError(() => createJwtAuth({ jwks: { keys: keys as unknown as JWK[] } })))).toEqual([
        'INVALID_KEY',
      ])
    }
  })

  it('reports every bad option at once', () => {
    const error = configError(() =>
      createJwtAuth({ secret, algorithms: ['RS256'], issuer: '', clockToleranceSec: -1, maxTokenAgeSec: 0 }),
    )
    expect(error.issues.map((i) => i.path[0]).sort()).toEqual([
      'algorithms',
      'clockToleranceSec',
      'issuer',
      'maxTokenAgeSec',
    ])
  })
})
