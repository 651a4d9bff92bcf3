/**
 * End-user authentication (Cube's 403 bodies, the security context reaching the layer) and the admin
 * API's separation: only authenticateAdmin admits to /admin, an end-user token never does.
 */
import cube from '@cubejs-client/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { AuthInfo, HandlerOptions, SecurityContext } from '../../src/http.js'
import { SignJWT } from 'jose'
import { SemanticLayerError, createJwtAuth, type QueryOptions, type SemanticLayer } from '../../src/index.js'
import { startServer, type Running } from './server.js'

const USER = 'user-token'
const ADMIN = 'admin-token'
const userAuth = (_req: Request, info: AuthInfo): SecurityContext | undefined =>
  info.token === USER ? { sub: 'u1', tenant: 't1' } : undefined
const adminAuth = (_req: Request, info: AuthInfo): boolean => info.token === ADMIN
const LOAD = `/cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify({ measures: ['orders.count'] }))}`

let running: Running | undefined
afterEach(async () => {
  await running?.close()
  running = undefined
})
const start = async (options: HandlerOptions): Promise<Running> => (running = await startServer(options))
const get = (path: string, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${running!.origin}${path}`, { headers })

describe('end-user authentication', () => {
  it('answers 403 "Authorization header isn\'t set" without a token and "Invalid token" for a wrong one', async () => {
    await start({ authenticate: userAuth })
    const missing = await get(LOAD)
    expect(missing.status).toBe(403)
    expect(await missing.json()).toMatchObject({ error: "Authorization header isn't set" })
    const wrong = await get(LOAD, { authorization: 'Bearer nope' })
    expect(wrong.status).toBe(403)
    expect(await wrong.json()).toMatchObject({ error: 'Invalid token' })
  })

  it('accepts "Bearer x", a raw token and x-cube-authorization, as Cube does', async () => {
    await start({ authenticate: userAuth })
    for (const headers of [
      { authorization: `Bearer ${USER}` },
      { authorization: USER },
      { 'x-cube-authorization': USER },
    ]) {
      expect((await get(LOAD, headers)).status).toBe(200)
    }
  })

  it("makes Cube's client fail with RequestError 403 on a bad token, and succeed with a good one", async () => {
    await start({ authenticate: userAuth })
    const error = await cube('wrong', { apiUrl: running!.apiUrl })
      .load({ measures: ['orders.count'] })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ status: 403, message: 'Invalid token' })
    const rs = await cube(USER, { apiUrl: running!.apiUrl }).load({ measures: ['orders.count'] })
    expect(rs.rawData()).toEqual([{ 'orders.count': 500 }])
  })

  it('passes the security context from authenticate to every layer call', async () => {
    const seen: unknown[] = []
    const spy = (layer: SemanticLayer): SemanticLayer => ({
      ...layer,
      query: (q, o?: QueryOptions) => (seen.push(o?.securityContext), layer.query(q, o)),
      meta: (o) => (seen.push(o?.securityContext), layer.meta(o)),
    })
    running = await startServer({ authenticate: userAuth }, spy)
    const api = cube(USER, { apiUrl: running.apiUrl })
    await api.load({ measures: ['orders.count'] })
    await api.meta()
    expect(seen).toEqual([
      { sub: 'u1', tenant: 't1' },
      { sub: 'u1', tenant: 't1' },
    ])
  })

  it("keeps the message of the JWT helper's UNAUTHENTICATED error, and hides other failures of the hook", async () => {
    const onError = vi.fn()
    await start({
      onError,
      authenticate: (_req, { token }) => {
        if (token === 'expired')
          throw new SemanticLayerError('UNAUTHENTICATED', [
            { code: 'TOKEN_EXPIRED', path: [], message: 'The token has expired.' },
          ])
        throw new Error('user store down: postgres://admin:hunter2@db')
      },
    })
    const expired = await get(LOAD, { authorization: 'Bearer expired' })
    expect(expired.status).toBe(403)
    expect(await expired.json()).toMatchObject({ error: 'The token has expired.' })
    const broken = await get(LOAD, { authorization: 'Bearer other' })
    expect(broken.status).toBe(403)
    expect(await broken.text()).not.toMatch(/hunter2|postgres/)
    expect(onError).toHaveBeenCalledTimes(1)
  })

  it('works with the JWT helper: claims become the security context, an expired token is refused with its reason', async () => {
    const secret = 'a-test-secret-that-is-at-least-32-bytes'
    const auth = createJwtAuth({ secret })
    const sign = (exp: number): Promise<string> =>
      new SignJWT({ sub: 'alice', tenant: 'acme' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt()
        .setExpirationTime(exp)
        .sign(new TextEncoder().encode(secret))
    const seen: unknown[] = []
    running = await startServer({ authenticate: (_req, { token }) => auth.authenticate(token) }, (layer) => ({
      ...layer,
      query: (q, o) => (seen.push(o?.securityContext), layer.query(q, o)),
    }))
    const now = Math.floor(Date.now() / 1000)
    const rs = await cube(await sign(now + 600), { apiUrl: running.apiUrl }).load({ measures: ['orders.count'] })
    expect(rs.rawData()).toEqual([{ 'orders.count': 500 }])
    expect(seen[0]).toMatchObject({ sub: 'alice', tenant: 'acme' })
    const expired = await get(LOAD, { authorization: `Bearer ${await sign(now - 600)}` })
    expect(expired.status).toBe(403)
    expect(await expired.json()).toMatchObject({ error: 'The token has expired. Sign in again.' })
    const none = await get(LOAD)
    expect(none.status).toBe(403)
  })

  it('lets anonymous callers through when requireAuth is false', async () => {
    await start({ authenticate: userAuth, requireAuth: false })
    expect((await get(LOAD)).status).toBe(200)
  })
})

describe('admin API separation', () => {
  it('admits only the admin token to /admin, and the admin token is not an end-user token', async () => {
    const authenticate = vi.fn(userAuth)
    await start({ authenticate, authenticateAdmin: adminAuth })
    const asUser = await get('/admin/metrics', { authorization: `Bearer ${USER}` })
    expect(asUser.status).toBe(403)
    expect(await asUser.json()).toMatchObject({ error: 'Forbidden' })
    expect(authenticate).not.toHaveBeenCalled()
    expect((await get('/admin/metrics', { authorization: `Bearer ${ADMIN}` })).status).toBe(200)
    expect((await get(LOAD, { authorization: `Bearer ${ADMIN}` })).status).toBe(403)
  })

  it('keeps the admin API closed when authenticateAdmin is not configured, whatever the token', async () => {
    await start({ authenticate: userAuth })
    for (const path of ['/admin/metrics', '/admin/health']) {
      const res = await get(path, { authorization: `Bearer ${USER}` })
      expect(res.status).toBe(403)
      expect(await res.json()).toMatchObject({ error: expect.stringMatching(/admin API is disabled/) })
    }
    const reload = await fetch(`${running!.origin}/admin/reload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${USER}` },
    })
    expect(reload.status).toBe(403)
  })

  it('does not serve admin routes under the end-user base path', async () => {
    await start({ authenticate: userAuth, authenticateAdmin: adminAuth })
    expect((await get('/cubejs-api/admin/metrics', { authorization: `Bearer ${ADMIN}` })).status).toBe(404)
    expect((await get('/cubejs-api/v1/admin/metrics', { authorization: `Bearer ${ADMIN}` })).status).toBe(404)
  })

  it('refuses an admin base path equal to the end-user one', () => {
    return expect(startServer({ basePath: '/api', adminBasePath: '/api' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    })
  })

  it('answers probes without authentication and without details', async () => {
    await start({ authenticate: userAuth, authenticateAdmin: adminAuth })
    for (const path of ['/healthz', '/livez', '/readyz']) {
      const res = await get(path)
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ health: 'HEALTH' })
    }
  })
})
