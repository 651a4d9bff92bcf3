/**
 * The admin API: atomic model reload (in-flight requests finish on the old layer, which closes after
 * them), cache invalidation, health, and the handler's metrics as JSON and Prometheus text.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { HandlerOptions } from '../../src/http.js'
import { HandlerMetrics } from '../../src/http/metrics.js'
import { SemanticLayerError, createSemanticLayer, loadModel, type SemanticLayer } from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'
import { MODEL_DIR, startServer, type Running } from './server.js'

const ADMIN = { authorization: 'Bearer admin' }
const adminOptions = (extra: HandlerOptions = {}): HandlerOptions => ({
  authenticateAdmin: (_r, { token }) => token === 'admin',
  ...extra,
})
const EXTRA_CUBE =
  'cubes:\n  - name: extra\n    sql_table: orders\n    measures:\n      - name: count\n        type: count\n'
const q = (query: object): string => `/cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify(query))}`

let running: Running | undefined
afterEach(async () => {
  await running?.close()
  running = undefined
})
const get = (path: string, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${running!.origin}${path}`, { headers })
const postAdmin = (path: string, body?: unknown): Promise<Response> =>
  fetch(`${running!.origin}${path}`, {
    method: 'POST',
    headers: { ...ADMIN, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

describe('POST /admin/reload', () => {
  it('swaps to the new layer at once, lets in-flight requests finish on the old one, then closes it', async () => {
    let open!: () => void
    const gate = new Promise<void>((resolve) => (open = resolve))
    const closeOld = vi.fn<() => Promise<void>>()
    const gated = (real: SemanticLayer): SemanticLayer => ({
      ...real,
      query: async (query, options) => {
        await gate
        return real.query(query, options)
      },
      close: async () => {
        closeOld()
        await real.close()
      },
    })
    const reload = async (): Promise<SemanticLayer> =>
      createSemanticLayer({
        model: await loadModel([MODEL_DIR, EXTRA_CUBE]),
        connectors: { default: sqlite({ database: running!.db }) },
      })
    running = await startServer(adminOptions({ reload }), gated)

    const slow = get(q({ measures: ['orders.count'] }))
    await vi.waitFor(() => expect(running!.handler.metrics().inFlight).toBe(1))
    const reloaded = await postAdmin('/admin/reload')
    expect(reloaded.status).toBe(200)
    expect(await reloaded.json()).toMatchObject({ reloaded: true, modelVersion: expect.any(String) })
    expect(closeOld).not.toHaveBeenCalled()

    const fresh = await get(q({ measures: ['extra.count'] }))
    expect(fresh.status).toBe(200)
    expect(((await fresh.json()) as { data: unknown }).data).toEqual([{ 'extra.count': 500 }])

    open()
    const old = await slow
    expect(old.status).toBe(200)
    expect(((await old.json()) as { data: unknown }).data).toEqual([{ 'orders.count': 500 }])
    await vi.waitFor(() => expect(closeOld).toHaveBeenCalledTimes(1))
    expect(running.handler.metrics().reloads).toBe(1)
  })

  it('keeps serving the previous model when the new one is invalid (422 with the issues)', async () => {
    const reload = async (): Promise<SemanticLayer> => {
      throw new SemanticLayerError('MODEL_INVALID', [
        {
          code: 'UNKNOWN_REFERENCE',
          path: ['orders.yml', 'cubes', 'orders', 'measures', 'count', 'sql'],
          message: 'Reference {nope}: no such member.',
        },
      ])
    }
    running = await startServer(adminOptions({ reload }))
    const res = await postAdmin('/admin/reload')
    expect(res.status).toBe(422)
    expect(await res.json()).toMatchObject({
      code: 'MODEL_INVALID',
      issues: [{ path: ['orders.yml', 'cubes', 'orders', 'measures', 'count', 'sql'] }],
    })
    expect((await get(q({ measures: ['orders.count'] }))).status).toBe(200)
  })

  it('answers 501 when reload or invalidate is not configured', async () => {
    running = await startServer(adminOptions())
    expect((await postAdmin('/admin/reload')).status).toBe(501)
    const res = await postAdmin('/admin/invalidate', {})
    expect(res.status).toBe(501)
    expect(await res.json()).toMatchObject({ error: expect.stringMatching(/not configured/) })
  })

  it('passes the JSON body to invalidate', async () => {
    const invalidate = vi.fn(async () => {})
    running = await startServer(adminOptions({ invalidate }))
    const res = await postAdmin('/admin/invalidate', { tenant: 't1' })
    expect(res.status).toBe(200)
    expect(invalidate).toHaveBeenCalledWith({ tenant: 't1' })
  })
})

describe('health and metrics', () => {
  it('reports connector health to admins, and only up/down on /readyz', async () => {
    running = await startServer(adminOptions())
    const health = await get('/admin/health', ADMIN)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({
      ok: true,
      connectors: { default: { ok: true } },
      modelVersion: expect.any(String),
    })
    await running.close()
    running = await startServer(adminOptions(), (real) => ({
      ...real,
      healthCheck: async () => ({
        ok: false,
        connectors: { default: { ok: false, latencyMs: 1, error: 'connection refused' } },
      }),
    }))
    const ready = await get('/readyz')
    expect(ready.status).toBe(503)
    expect(await ready.json()).toEqual({ health: 'DOWN' })
    expect((await get('/admin/health', ADMIN)).status).toBe(503)
  })

  it('counts requests by route and status, errors by code and query durations (JSON)', async () => {
    running = await startServer(adminOptions())
    await get(q({ measures: ['orders.count'] }))
    await get(q({ measures: ['orders.count'], dimensions: ['orders.status'] }))
    await get(q({ measures: ['orders.nope'] }))
    await get('/cubejs-api/v1/meta')
    const res = await get('/admin/metrics', ADMIN)
    const m = (await res.json()) as {
      requests: { route: string; status: number; count: number }[]
      errors: Record<string, number>
      queries: { count: number; p50Ms: number; p99Ms: number }
    }
    expect(m.requests).toEqual(
      expect.arrayContaining([
        { route: '/v1/load', status: 200, count: 2 },
        { route: '/v1/load', status: 400, count: 1 },
        { route: '/v1/meta', status: 200, count: 1 },
      ]),
    )
    expect(m.errors).toEqual({ QUERY_INVALID: 1 })
    expect(m.queries.count).toBe(3)
    expect(m.queries.p99Ms).toBeGreaterThanOrEqual(m.queries.p50Ms)
  })

  it('exposes the same counters as Prometheus text when asked for text/plain', async () => {
    running = await startServer(adminOptions())
    await get(q({ measures: ['orders.count'] }))
    const res = await get('/admin/metrics', { ...ADMIN, accept: 'text/plain' })
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await res.text()
    expect(text).toContain('cortex_http_requests_total{route="/v1/load",status="200"} 1')
    expect(text).toMatch(/^cortex_query_duration_ms\{quantile="0\.99"\} [\d.]+$/m)
    expect(text).toContain('cortex_query_duration_ms_count 1')
  })

  it('keeps a bounded reservoir whose quantiles match the durations seen', () => {
    const metrics = new HandlerMetrics(100)
    for (let i = 1; i <= 100; i++) metrics.queryDuration(i)
    expect(metrics.snapshot().queries).toMatchObject({ count: 100, sampled: 100, p50Ms: 50, p99Ms: 99, maxMs: 100 })
    let seed = 1
    const seeded = new HandlerMetrics(50, () => (seed = (seed * 48271) % 2147483647) / 2147483647)
    for (let i = 0; i < 10_000; i++) seeded.queryDuration(i % 100)
    const snapshot = seeded.snapshot().queries
    expect(snapshot.sampled).toBe(50)
    expect(snapshot.count).toBe(10_000)
    expect(snapshot.p50Ms).toBeGreaterThan(25)
    expect(snapshot.p50Ms).toBeLessThan(75)
  })
})
