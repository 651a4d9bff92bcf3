/**
 * The two adapters over one core: the fetch handler (driven in-process by Cube's client through a
 * transport that calls it directly) and the node handler mounted in Express (next() for other paths,
 * bodies already parsed by express.json(), a mount prefix).
 */
import Database from 'better-sqlite3'
import cube, { type ITransport } from '@cubejs-client/core'
import express from 'express'
import { createServer } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEcommerceSqlite } from '../../examples/ecommerce/generate.mjs'
import { createFetchHandler, createNodeHandler, type FetchHandler } from '../../src/http.js'
import type { SemanticLayer } from '../../src/index.js'
import { ecommerceLayer, listen } from './server.js'

let db: Database.Database
let layer: SemanticLayer
beforeAll(async () => {
  db = new Database(':memory:')
  createEcommerceSqlite(db)
  layer = await ecommerceLayer(db)
})
afterAll(async () => {
  await layer.close()
  db.close()
})
const count = (where = '1 = 1'): number =>
  (db.prepare(`SELECT count(*) AS n FROM orders WHERE ${where}`).get() as { n: number }).n

/** A Cube client transport that calls a fetch handler in-process, GET with URL parameters like HttpTransport. */
function inProcess(handler: FetchHandler, token: string): ITransport<Response> {
  return {
    request(method: string, { baseRequestId: _id, signal: _s, ...params }: Record<string, unknown>) {
      const search = new URLSearchParams(
        Object.entries(params)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]): [string, string] => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]),
      )
      const subscribe = async (
        callback: (result: Response, resubscribe: () => Promise<unknown>) => unknown,
      ): Promise<unknown> => {
        const response = await handler(
          new Request(`http://in-process/cubejs-api/v1/${method}?${search}`, { headers: { authorization: token } }),
        )
        return callback(response, () => subscribe(callback))
      }
      return { subscribe }
    },
  } as unknown as ITransport<Response>
}

describe('fetch handler', () => {
  it("serves Cube's client in-process (load, meta, sql) with the security context from authenticate", async () => {
    const seen: unknown[] = []
    const spy: SemanticLayer = {
      ...layer,
      query: (q, o) => (seen.push(o?.securityContext), layer.query(q, o)),
      close: async () => {},
    }
    const handler = createFetchHandler(spy, {
      authenticate: (_req, { token }) => (token === 'ok' ? { sub: 'u' } : undefined),
    })
    const api = cube('', { apiUrl: 'http://in-process/cubejs-api/v1', transport: inProcess(handler, 'Bearer ok') })
    const rs = await api.load({
      measures: ['orders.count'],
      dimensions: ['orders.status'],
      order: { 'orders.status': 'asc' },
    })
    const want = db
      .prepare(
        'SELECT status AS "orders.status", count(*) AS "orders.count" FROM orders GROUP BY status ORDER BY status',
      )
      .all()
    expect(rs.tablePivot()).toEqual(want)
    expect(seen).toEqual([{ sub: 'u' }])
    expect((await api.meta()).cubes.length).toBeGreaterThan(3)
    expect((await api.sql({ measures: ['orders.count'] })).sql()).toMatch(/^SELECT/)
    const denied = await cube('', {
      apiUrl: 'http://in-process/cubejs-api/v1',
      transport: inProcess(handler, 'Bearer no'),
    })
      .load({ measures: ['orders.count'] })
      .catch((e: unknown) => e)
    expect(denied).toMatchObject({ status: 403 })
  })

  it('answers plain Requests: POST with a JSON body, HEAD on meta, and a custom base path', async () => {
    const handler = createFetchHandler({ ...layer, close: async () => {} }, { basePath: '/api' })
    const res = await handler(
      new Request('http://x/api/v1/load', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: { measures: ['orders.count'] } }),
      }),
    )
    expect(res.status).toBe(200)
    expect(((await res.json()) as { data: unknown }).data).toEqual([{ 'orders.count': count() }])
    const head = await handler(new Request('http://x/api/v1/meta', { method: 'HEAD' }))
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
    expect((await handler(new Request('http://x/cubejs-api/v1/meta'))).status).toBe(404)
  })
})

describe('node handler in Express', () => {
  it('falls through to next() for other paths, and uses bodies already parsed by express.json()', async () => {
    const app = express()
    app.use(express.json())
    app.get('/hello', (_req, res) => void res.send('hi'))
    const handler = createNodeHandler({ ...layer, close: async () => {} })
    app.use(handler)
    const server = createServer(app)
    const origin = await listen(server)
    try {
      expect(await (await fetch(`${origin}/hello`)).text()).toBe('hi')
      const res = await fetch(`${origin}/cubejs-api/v1/load`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: {
            measures: ['orders.count'],
            filters: [{ member: 'orders.status', operator: 'equals', values: ['paid'] }],
          },
        }),
      })
      expect(res.status).toBe(200)
      expect(((await res.json()) as { data: unknown }).data).toEqual([{ 'orders.count': count("status = 'paid'") }])
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('routes on the full path when mounted under a prefix (basePath includes the prefix)', async () => {
    const app = express()
    app.use('/analytics', createNodeHandler({ ...layer, close: async () => {} }, { basePath: '/analytics/cubejs-api' }))
    const server = createServer(app)
    const origin = await listen(server)
    try {
      const api = cube('t', { apiUrl: `${origin}/analytics/cubejs-api/v1` })
      expect((await api.load({ measures: ['orders.count'] })).rawData()).toEqual([{ 'orders.count': count() }])
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
