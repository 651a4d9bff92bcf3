/**
 * The three examples under examples/http-*, started as a user would and driven with Cube's client or
 * plain Requests. They import 'cortex-semantic/*' like an application does; here those imports are
 * pointed at src/ so the examples are checked against the current source. Resolving the package's
 * own exports needs a build (dist/), so without one these tests are skipped by name.
 */
import Database from 'better-sqlite3'
import cube from '@cubejs-client/core'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:http'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createEcommerceSqlite } from '../../examples/ecommerce/generate.mjs'
import { listen } from './server.js'

vi.mock('cortex-semantic', () => import('../../src/index.js'))
vi.mock('cortex-semantic/http', () => import('../../src/http.js'))
vi.mock('cortex-semantic/sqlite', () => import('../../src/sqlite.js'))

const ROOT = new URL('../../', import.meta.url)
const built = ['dist/index.js', 'dist/http.js', 'dist/sqlite.js'].every((f) => existsSync(new URL(f, ROOT)))

// The oracle: the same deterministic dataset, queried with hand-written SQL.
let db: Database.Database
beforeAll(() => {
  db = new Database(':memory:')
  createEcommerceSqlite(db)
})
afterAll(() => db.close())
const byStatus = (): Record<string, unknown>[] =>
  db
    .prepare('SELECT status AS "orders.status", count(*) AS "orders.count" FROM orders GROUP BY status ORDER BY status')
    .all() as Record<string, unknown>[]
const QUERY = { measures: ['orders.count'], dimensions: ['orders.status'], order: { 'orders.status': 'asc' as const } }

describe.skipIf(!built)('examples (skipped without a build: they import the package by name)', () => {
  it('are checked against the source: the package imports resolve to src/', async () => {
    const packageHttp = 'cortex-semantic/http' // a variable: the type checker does not resolve the package's own name
    const [byName, source] = await Promise.all([
      import(packageHttp) as Promise<typeof import('../../src/http.js')>,
      import('../../src/http.js'),
    ])
    expect(byName.createNodeHandler).toBe(source.createNodeHandler)
  })

  it("http-node: a node:http server with JWT auth serves Cube's client", async () => {
    const { start } = await import('../../examples/http-node/server.mjs')
    const app = await start({
      port: 0,
      secret: 'an-example-secret-of-at-least-32-bytes!',
      corsOrigins: ['http://localhost:3000'],
    })
    try {
      const rs = await cube(await app.token({ sub: 'alice' }), { apiUrl: app.apiUrl }).load(QUERY)
      expect(rs.tablePivot()).toEqual(byStatus())
      const denied = await cube('not-a-jwt', { apiUrl: app.apiUrl })
        .load(QUERY)
        .catch((e: unknown) => e)
      expect(denied).toMatchObject({ status: 403 })
      const cors = await fetch(`${app.apiUrl}/meta`, {
        headers: { origin: 'http://localhost:3000', authorization: `Bearer ${await app.token()}` },
      })
      expect(cors.headers.get('access-control-allow-origin')).toBe('http://localhost:3000')
    } finally {
      await app.close()
    }
  })

  it("http-express: mounted next to the app's routes, with a separate admin token", async () => {
    const { createApp } = await import('../../examples/http-express/app.mjs')
    const { app, close } = await createApp({ adminToken: 'operator-secret' })
    const server = createServer(app)
    const origin = await listen(server)
    try {
      expect(await (await fetch(`${origin}/api/hello`)).json()).toEqual({ hello: 'world' })
      const rs = await cube('key-alice', { apiUrl: `${origin}/cubejs-api/v1` }).load(QUERY)
      expect(rs.tablePivot()).toEqual(byStatus())
      expect((await fetch(`${origin}/admin/metrics`, { headers: { authorization: 'Bearer key-alice' } })).status).toBe(
        403,
      )
      expect(
        (await fetch(`${origin}/admin/metrics`, { headers: { authorization: 'Bearer operator-secret' } })).status,
      ).toBe(200)
      expect(
        (
          await fetch(`${origin}/admin/reload`, {
            method: 'POST',
            headers: { authorization: 'Bearer operator-secret' },
          })
        ).status,
      ).toBe(200)
      expect((await fetch(`${origin}/nowhere`)).status).toBe(404)
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await close()
    }
  })

  it('http-fetch: the fetch handler answers Requests in-process', async () => {
    const { createApp } = await import('../../examples/http-fetch/app.mjs')
    const app = await createApp({ token: 't0ken' })
    try {
      const url = `http://localhost/cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify(QUERY))}`
      const ok = await app.fetch(new Request(url, { headers: { authorization: 'Bearer t0ken' } }))
      expect(((await ok.json()) as { data: unknown }).data).toEqual(byStatus())
      expect((await app.fetch(new Request(url))).status).toBe(403)
    } finally {
      await app.close()
    }
  })

  it('http-fetch: runs as a script on Node against the build', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      new URL('examples/http-fetch/app.mjs', ROOT).pathname,
    ])
    expect(stdout).toMatch(/^200 \[/)
    expect(stdout).toContain('"orders.status": "paid"')
  })
})
