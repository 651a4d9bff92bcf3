/**
 * Durations in options are milliseconds (`…Ms`). The options that took seconds (`…Sec`: createJwtAuth's
 * clockToleranceSec and maxTokenAgeSec, jwksOptions' cooldownSec, cacheMaxAgeSec and timeoutSec, the HTTP
 * handler's cors.maxAgeSec) are deprecated aliases: still accepted with the same effect, refused together
 * with their new name, and a misspelling suggests the new name.
 */
import { randomBytes } from 'node:crypto'
import { SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { createSemanticLayer, isSemanticLayerError, type SemanticLayerError } from '../../src/index.js'
import { createFetchHandler } from '../../src/http.js'
import { createJwtAuth, type JwtAuthOptions } from '../../src/security/jwt-auth.js'

const secret = randomBytes(32)
const nowSec = (): number => Math.floor(Date.now() / 1000)

async function token(claims: { exp?: number; iat?: number }): Promise<string> {
  const jwt = new SignJWT({ sub: 'u1' }).setProtectedHeader({ alg: 'HS256' })
  if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp)
  if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat)
  return jwt.sign(secret)
}

function configError(make: () => unknown): SemanticLayerError {
  try {
    make()
  } catch (error) {
    if (isSemanticLayerError(error)) return error
    throw error
  }
  throw new Error('expected CONFIG_INVALID')
}

const outcome = (auth: ReturnType<typeof createJwtAuth>, jwt: string): Promise<string> =>
  auth.authenticate(jwt).then(
    () => 'ok',
    (e: unknown) => (isSemanticLayerError(e) ? (e.issues[0]?.code ?? e.code) : 'other'),
  )

describe('createJwtAuth durations', () => {
  const auth = (options: Partial<JwtAuthOptions>) => createJwtAuth({ secret, ...options })

  it('clockToleranceMs, and its deprecated form clockToleranceSec, accept a token expired within the tolerance', async () => {
    const expired3sAgo = await token({ exp: nowSec() - 3, iat: nowSec() - 60 })
    expect(await outcome(auth({ clockToleranceMs: 10_000 }), expired3sAgo)).toBe('ok')
    expect(await outcome(auth({ clockToleranceSec: 10 }), expired3sAgo)).toBe('ok')
    expect(await outcome(auth({ clockToleranceMs: 0 }), expired3sAgo)).toBe('TOKEN_EXPIRED')
    expect(await outcome(auth({ clockToleranceSec: 0 }), expired3sAgo)).toBe('TOKEN_EXPIRED')
  })

  it('maxTokenAgeMs, and maxTokenAgeSec, refuse a token issued longer ago', async () => {
    const old = await token({ exp: nowSec() + 600, iat: nowSec() - 400 })
    expect(await outcome(auth({ maxTokenAgeMs: 300_000 }), old)).toBe('TOKEN_TOO_OLD')
    expect(await outcome(auth({ maxTokenAgeSec: 300 }), old)).toBe('TOKEN_TOO_OLD')
    expect(await outcome(auth({ maxTokenAgeMs: 600_000 }), old)).toBe('ok')
  })

  it('refuses a duration given under both names, and values in the unit they were given in', () => {
    const both = configError(() => auth({ clockToleranceMs: 1000, clockToleranceSec: 1 }))
    expect(both.issues).toEqual([
      expect.objectContaining({
        path: ['clockToleranceSec'],
        message: expect.stringContaining('clockToleranceMs only'),
      }),
    ])
    const bad = configError(() => auth({ clockToleranceMs: -1, maxTokenAgeSec: 0 }))
    expect(bad.issues.map((i) => [i.path[0], i.message])).toEqual([
      ['clockToleranceMs', 'clockToleranceMs must be a non-negative number of milliseconds.'],
      ['maxTokenAgeSec', 'maxTokenAgeSec must be a positive number of seconds.'],
    ])
  })

  it('suggests the milliseconds name for a misspelt option', () => {
    const error = configError(() => createJwtAuth({ secret, clockToleranceMS: 5 } as never))
    expect(error.issues[0]).toMatchObject({
      code: 'UNKNOWN_OPTION',
      message: expect.stringContaining('"clockToleranceMs"'),
    })
  })

  it('jwksOptions take cooldownMs, cacheMaxAgeMs and timeoutMs; the …Sec names are deprecated aliases', () => {
    const jwks = 'https://issuer.cortex.test/.well-known/jwks.json'
    expect(() =>
      createJwtAuth({ jwks, jwksOptions: { cooldownMs: 1000, cacheMaxAgeMs: 60_000, timeoutMs: 2000 } }),
    ).not.toThrow()
    expect(() =>
      createJwtAuth({ jwks, jwksOptions: { cooldownSec: 1, cacheMaxAgeSec: 60, timeoutSec: 2 } }),
    ).not.toThrow()
    const both = configError(() => createJwtAuth({ jwks, jwksOptions: { timeoutMs: 2000, timeoutSec: 2 } }))
    expect(both.issues[0]).toMatchObject({ path: ['jwksOptions', 'timeoutSec'] })
    const bad = configError(() => createJwtAuth({ jwks, jwksOptions: { timeoutMs: -5 } }))
    expect(bad.issues[0]?.message).toBe('jwksOptions.timeoutMs must be a non-negative number of milliseconds.')
  })
})

describe('cors durations', () => {
  const layer = createSemanticLayer({ model: { cubes: [] }, connectors: {} })
  const preflight = async (cors: object): Promise<string | null> => {
    const handle = createFetchHandler(layer, { cors: { origin: 'https://app.test', ...cors } })
    try {
      const response = await handle(
        new Request('http://localhost/cubejs-api/v1/load', {
          method: 'OPTIONS',
          headers: { origin: 'https://app.test', 'access-control-request-method': 'POST' },
        }),
      )
      return response.headers.get('access-control-max-age')
    } finally {
      await handle.close()
    }
  }

  it('maxAgeMs sets the preflight cache time in whole seconds; maxAgeSec still works; the default is 600', async () => {
    expect(await preflight({ maxAgeMs: 120_000 })).toBe('120')
    expect(await preflight({ maxAgeSec: 120 })).toBe('120')
    expect(await preflight({})).toBe('600')
    const both = configError(() => createFetchHandler(layer, { cors: { origin: '*', maxAgeMs: 1, maxAgeSec: 1 } }))
    expect(both.issues[0]?.message).toContain('maxAgeMs only')
  })
})
