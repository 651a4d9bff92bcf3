/**
 * Hardening: malformed and oversized bodies, CORS, timeouts, and error bodies that carry no stack,
 * cause or parameter value.
 */
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createFetchHandler, createNodeHandler, type HandlerOptions } from '../../src/http.js'
import { SemanticLayerError, type QueryOptions, type SemanticLayer } from '../../src/index.js'
import { ManualClock, until } from '../fixtures/manual-clock.js'
import { startServer, type Running } from './server.js'

let running: Running | undefined
afterEach(async () => {
  await running?.close()
  running = undefined
})
const start = async (options: HandlerOptions = {}, layer?: Parameters<typeof startServer>[1]): Promise<Running> =>
  (running = await startServer(options, layer))
const post = (
  path: string,
  body: string | Uint8Array,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<Response> => fetch(`${running!.origin}${path}`, { method: 'POST', body, headers })

describe('malformed requests', () => {
  it('answers 400 UserError for a body that is not JSON, without echoing it', async () => {
    await start()
    const res = await post('/cubejs-api/v1/load', '{"query": {"measures": ["orders.count"]}, SECRET-TEXT')
    expect(res.status).toBe(400)
    const body = (await res.json()) as Record<string, unknown>
    expect(body).toMatchObject({
      type: 'UserError',
      error: expect.stringMatching(/^The request body is not valid JSON \(at position \d+\)/),
    })
    expect(JSON.stringify(body)).not.toContain('SECRET')
  })

  it('answers 400 for a JSON body that is not an object, a bad query param and a missing query', async () => {
    await start()
    expect((await post('/cubejs-api/v1/load', '[1, 2]')).status).toBe(400)
    const badParam = await fetch(`${running!.origin}/cubejs-api/v1/load?query=%7Bnot-json`)
    expect(badParam.status).toBe(400)
    expect(await badParam.json()).toMatchObject({
      type: 'UserError',
      error: expect.stringMatching(/^Unable to decode query param as JSON/),
    })
    const missing = await fetch(`${running!.origin}/cubejs-api/v1/load`)
    expect(await missing.json()).toMatchObject({ type: 'UserError', error: 'Query param is required' })
    expect((await post('/cubejs-api/v1/sql', '{"query": 42}')).status).toBe(400)
  })

  it('refuses bodies that are not JSON by content type (415) and bytes that are not UTF-8 (400)', async () => {
    await start()
    expect((await post('/cubejs-api/v1/load', '{"query":{}}', { 'content-type': 'text/plain' })).status).toBe(415)
    expect((await post('/cubejs-api/v1/load', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).status).toBe(400)
  })

  it('answers 404 for unknown paths and 405 with Allow for wrong methods', async () => {
    await start()
    expect((await fetch(`${running!.origin}/cubejs-api/v1/nope`)).status).toBe(404)
    const wrong = await fetch(`${running!.origin}/cubejs-api/v1/load`, { method: 'DELETE' })
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('GET, POST')
    // TRACE cannot even become a fetch Request: the node adapter answers it itself.
    const trace = await new Promise<number | undefined>((resolve, reject) => {
      const req = httpRequest(
        `${running!.origin}/cubejs-api/v1/load`,
        { method: 'TRACE' },
        (res) => (res.resume(), resolve(res.statusCode)),
      )
      req.on('error', reject)
      req.end()
    })
    expect(trace).toBe(405)
  })

  it("keeps filter values out of a bad query's 400 body, and lists its issues", async () => {
    await start()
    const query = {
      measures: ['orders.count'],
      filters: [{ member: 'orders.nope', operator: 'equals', values: ['SECRET-FILTER-VALUE'] }],
    }
    const res = await post('/cubejs-api/v1/load', JSON.stringify({ query }))
    expect(res.status).toBe(400)
    const text = await res.text()
    expect(text).not.toContain('SECRET-FILTER-VALUE')
    expect(JSON.parse(text)).toMatchObject({ type: 'UserError', issues: [{ path: ['filters', 0, 'member'] }] })
  })
})

describe('body size limit', () => {
  it('answers 413 for a declared Content-Length over the limit', async () => {
    await start({ bodyLimitBytes: 1000 })
    const res = await post(
      '/cubejs-api/v1/load',
      JSON.stringify({ query: { measures: ['orders.count'] }, pad: 'x'.repeat(2000) }),
    )
    expect(res.status).toBe(413)
    expect(await res.json()).toMatchObject({ error: expect.stringMatching(/larger than the limit of 1000 bytes/) })
  })

  it('stops reading a chunked body at the limit instead of buffering it (node adapter)', async () => {
    await start({ bodyLimitBytes: 64 * 1024 })
    const total = 64 * 1024 * 1024
    const chunk = Buffer.alloc(64 * 1024, 0x20)
    const { status, written } = await new Promise<{ status: number; written: number }>((resolve, reject) => {
      let sent = 0
      const req = httpRequest(`${running!.origin}/cubejs-api/v1/load`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      })
      req.on('response', (res) => {
        res.resume()
        resolve({ status: res.statusCode ?? 0, written: sent })
        req.destroy()
      })
      req.on('error', (error) => (sent > 0 ? undefined : reject(error)))
      const pump = (): void => {
        while (sent < total) {
          sent += chunk.length
          if (!req.write(chunk)) return void req.once('drain', pump)
        }
        req.end()
      }
      pump()
    })
    expect(status).toBe(413)
    expect(written).toBeLessThan(total / 4)
  })

  it('keeps a keep-alive connection usable after refusing a POST without reading its body (node adapter)', async () => {
    await start({ authenticate: () => undefined })
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const send = (method: string, body?: string): Promise<{ status: number; reused: boolean }> =>
      new Promise((resolve, reject) => {
        const req = httpRequest(
          `${running!.origin}/cubejs-api/v1/load`,
          { method, agent, headers: { 'content-type': 'application/json' } },
          (res: IncomingMessage) => {
            res.resume()
            res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }))
          },
        )
        req.on('error', reject)
        req.end(body)
      })
    expect(
      await send('POST', JSON.stringify({ query: { measures: ['orders.count'] }, pad: 'x'.repeat(50_000) })),
    ).toEqual({ status: 403, reused: false })
    expect(await send('GET')).toEqual({ status: 403, reused: true })
    agent.destroy()
  })

  it('cancels the body stream once past the limit (fetch handler)', async () => {
    let pulled = 0
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulled += 100
          controller.enqueue(new Uint8Array(100).fill(0x20))
        },
      },
      { highWaterMark: 0 },
    )
    const handler = createFetchHandler({ close: async () => {} } as unknown as SemanticLayer, { bodyLimitBytes: 1000 })
    const res = await handler(
      new Request('http://x/cubejs-api/v1/load', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
        duplex: 'half',
      } as RequestInit),
    )
    expect(res.status).toBe(413)
    expect(pulled).toBeLessThanOrEqual(1200)
  })
})

describe('CORS', () => {
  const origin = 'http://app.example'
  it('answers preflights for allowed origins and refuses others', async () => {
    await start({ cors: { origin: [origin], credentials: true } })
    const ok = await fetch(`${running!.origin}/cubejs-api/v1/load`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    })
    expect(ok.status).toBe(204)
    expect(ok.headers.get('access-control-allow-origin')).toBe(origin)
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true')
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/Authorization/)
    const evil = await fetch(`${running!.origin}/cubejs-api/v1/load`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    })
    expect(evil.status).toBe(403)
    expect(evil.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('adds CORS headers to answers (errors too) for allowed origins only', async () => {
    await start({ cors: { origin: (o) => o.endsWith('.example') } })
    const meta = await fetch(`${running!.origin}/cubejs-api/v1/meta`, { headers: { origin } })
    expect(meta.headers.get('access-control-allow-origin')).toBe(origin)
    expect(meta.headers.get('vary')).toBe('Origin')
    const bad = await fetch(`${running!.origin}/cubejs-api/v1/load`, { headers: { origin } })
    expect(bad.status).toBe(400)
    expect(bad.headers.get('access-control-allow-origin')).toBe(origin)
    expect(
      (await fetch(`${running!.origin}/cubejs-api/v1/meta`, { headers: { origin: 'http://other.test' } })).headers.get(
        'access-control-allow-origin',
      ),
    ).toBeNull()
  })

  it('sends no CORS headers without the option, and refuses origin "*" with credentials', async () => {
    await start()
    expect(
      (await fetch(`${running!.origin}/cubejs-api/v1/meta`, { headers: { origin } })).headers.get(
        'access-control-allow-origin',
      ),
    ).toBeNull()
    expect(() => createNodeHandler({} as SemanticLayer, { cors: { origin: '*', credentials: true } })).toThrow(
      /credentials/,
    )
  })
})

describe('errors and timeouts', () => {
  const failing =
    (error: unknown): ((real: SemanticLayer) => SemanticLayer) =>
    (real) => ({ ...real, query: async () => Promise.reject(error) })

  it('hides the cause of a failing source: 500 "Internal Server Error" with a request id, no stack, no SQL values', async () => {
    const onError = vi.fn()
    const cause = new Error('syntax error near "hunter2" in SELECT ... WHERE password = $1')
    await start(
      { onError },
      failing(
        new SemanticLayerError(
          'CONNECTOR_FAILED',
          [{ code: 'CONNECTOR_FAILED', path: [], message: 'The data source failed; see cause.' }],
          { cause },
        ),
      ),
    )
    const res = await fetch(
      `${running!.origin}/cubejs-api/v1/load?query=${encodeURIComponent('{"measures":["orders.count"]}')}`,
      { headers: { 'x-request-id': 'req-42' } },
    )
    expect(res.status).toBe(500)
    expect(await res.json()).toEqual({ error: 'Internal Server Error', requestId: 'req-42' })
    expect(res.headers.get('x-request-id')).toBe('req-42')
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'CONNECTOR_FAILED' }), {
      requestId: 'req-42',
      route: '/v1/load',
    })
  })

  it('answers 500 without details for a bug (a plain exception)', async () => {
    await start({}, failing(new TypeError("Cannot read properties of undefined (reading 'x')")))
    const res = await fetch(
      `${running!.origin}/cubejs-api/v1/load?query=${encodeURIComponent('{"measures":["orders.count"]}')}`,
    )
    const body = (await res.json()) as Record<string, unknown>
    expect(res.status).toBe(500)
    expect(Object.keys(body).sort()).toEqual(['error', 'requestId'])
  })

  it('maps FORBIDDEN to 403 and QUERY_TIMEOUT to 504', async () => {
    await start(
      {},
      failing(
        new SemanticLayerError('FORBIDDEN', [
          { code: 'POLICY_DENIED', path: [], message: 'No access policy grants orders.' },
        ]),
      ),
    )
    const forbidden = await fetch(
      `${running!.origin}/cubejs-api/v1/load?query=${encodeURIComponent('{"measures":["orders.count"]}')}`,
    )
    expect(forbidden.status).toBe(403)
    await running!.close()
    await start(
      {},
      failing(
        new SemanticLayerError('QUERY_TIMEOUT', [{ code: 'QUERY_TIMEOUT', path: [], message: 'Stopped after 5 ms.' }]),
      ),
    )
    expect(
      (
        await fetch(
          `${running!.origin}/cubejs-api/v1/load?query=${encodeURIComponent('{"measures":["orders.count"]}')}`,
        )
      ).status,
    ).toBe(504)
  })

  it('answers 504 when the handler timeout passes, aborts the query and passes timeoutMs to the layer', async () => {
    const seen: QueryOptions[] = []
    const hanging = (real: SemanticLayer): SemanticLayer => ({
      ...real,
      query: (_q, o) => {
        seen.push(o ?? {})
        return new Promise((_, reject) =>
          o?.signal?.addEventListener('abort', () =>
            reject(
              new SemanticLayerError('QUERY_CANCELLED', [{ code: 'QUERY_CANCELLED', path: [], message: 'cancelled' }]),
            ),
          ),
        )
      },
    })
    const clock = new ManualClock()
    await start({ timeoutMs: 150, clock }, hanging)
    const answer = fetch(
      `${running!.origin}/cubejs-api/v1/load?query=${encodeURIComponent('{"measures":["orders.count"]}')}`,
    )
    await until(() => seen.length === 1 && clock.pending === 1) // the query hangs, under the handler's timer
    clock.advance(149)
    expect(seen[0]?.signal?.aborted).toBe(false)
    clock.advance(1)
    const res = await answer
    expect(res.status).toBe(504)
    expect(await res.json()).toMatchObject({ error: 'The request timed out after 150 ms.' })
    expect(seen[0]?.timeoutMs).toBe(150)
    expect(seen[0]?.signal?.aborted).toBe(true)
  })
})
