/**
 * One request must not do the work of many (issue 16, finding 6): `queryType=multi` (blending arrays,
 * `compareDateRange`) ran up to 50 queries of up to `maxLimit` rows each; a 6 KB request produced a
 * 376 MB answer. Now the queries of one request are at most `maxQueriesPerRequest` (20) and their rows
 * at most `maxRowsPerRequest` (the layer's maxLimit), refused with LIMIT_EXCEEDED before any query runs.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { HandlerOptions } from '../../src/http.js'
import { createFetchHandler } from '../../src/http.js'
import type { QueryOptions, SemanticLayer } from '../../src/index.js'
import { startServer, type Running } from './server.js'

let running: Running | undefined
afterEach(async () => {
  await running?.close()
  running = undefined
})

/** The test server over the dataset, its layer wrapped to count the queries it is asked to run. */
async function start(options: HandlerOptions = {}): Promise<{ ran(): number }> {
  let ran = 0
  running = await startServer(options, (real) => ({
    ...real,
    query: (q: Record<string, unknown>, o?: QueryOptions) => (ran++, real.query(q, o)),
  }))
  return { ran: () => ran }
}

const load = (query: unknown, path = 'load'): Promise<Response> =>
  fetch(`${running!.origin}/cubejs-api/v1/${path}?queryType=multi`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, queryType: 'multi' }),
  })

const ranges = (n: number): string[][] =>
  Array.from({ length: n }, (_, i) => [
    `2024-${String((i % 12) + 1).padStart(2, '0')}-01`,
    `2024-${String((i % 12) + 1).padStart(2, '0')}-28`,
  ])
const compare = (n: number, extra: Record<string, unknown> = {}) => ({
  measures: ['orders.count'],
  dimensions: ['orders.status'],
  timeDimensions: [{ dimension: 'orders.created_at', granularity: 'day', compareDateRange: ranges(n) }],
  ...extra,
})

describe('limits of one request', () => {
  it('regression: 50 compareDateRange ranges of maxLimit rows each are refused before any query runs', async () => {
    const counter = await start()
    const res = await load(compare(50, { limit: 50_000 }))
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({
      type: 'UserError',
      issues: [{ code: 'LIMIT_EXCEEDED', path: ['query'], message: expect.stringContaining('maxQueriesPerRequest') }],
    })
    expect(counter.ran()).toBe(0)
    // Within the query count, the rows are the limit: 2 × 50 000 is more than one query may return.
    const rows = await load(compare(2, { limit: 50_000 }))
    expect(rows.status).toBe(400)
    expect(await rows.json()).toMatchObject({
      issues: [{ code: 'LIMIT_EXCEEDED', message: expect.stringContaining('maxRowsPerRequest') }],
    })
    expect(counter.ran()).toBe(0)
  })

  it("queries without a limit count as the layer's defaultLimit: 5 × 10 000 fit in 50 000, 6 do not, 6 × 1 000 do", async () => {
    const counter = await start()
    const five = await load(compare(5))
    expect(five.status).toBe(200)
    expect(((await five.json()) as { results: unknown[] }).results).toHaveLength(5)
    expect(counter.ran()).toBe(5)
    const six = await load(compare(6))
    expect(six.status).toBe(400)
    expect(await six.json()).toMatchObject({
      issues: [{ code: 'LIMIT_EXCEEDED', message: expect.stringContaining('defaultLimit (10000)') }],
    })
    expect(counter.ran()).toBe(5)
    expect((await load(compare(6, { limit: 1_000 }))).status).toBe(200)
    expect(counter.ran()).toBe(11)
  })

  it('blending arrays: more than maxQueriesPerRequest queries are refused on /v1/load, /v1/sql and /v1/dry-run', async () => {
    const counter = await start({ maxQueriesPerRequest: 3 })
    const blend = (n: number) =>
      Array.from({ length: n }, () => ({
        measures: ['orders.count'],
        timeDimensions: [{ dimension: 'orders.created_at', granularity: 'month' }],
        limit: 10,
      }))
    for (const path of ['load', 'sql', 'dry-run']) {
      const res = await load(blend(4), path)
      expect(res.status).toBe(400)
      expect(await res.json()).toMatchObject({
        issues: [{ code: 'LIMIT_EXCEEDED', message: expect.stringContaining('4 queries; at most 3') }],
      })
      expect((await load(blend(3), path)).status).toBe(200)
    }
    expect(counter.ran()).toBe(3)
  })

  it('maxRowsPerRequest can be set below or above maxLimit; bad values are refused when the handler is created', async () => {
    await start({ maxRowsPerRequest: 100 })
    expect((await load(compare(2, { limit: 50 }))).status).toBe(200)
    expect((await load(compare(2, { limit: 51 }))).status).toBe(400)
    expect((await load({ measures: ['orders.count'], limit: 101 })).status).toBe(400) // one query too
    const layer = running!.layer
    for (const bad of [{ maxRowsPerRequest: 0 }, { maxQueriesPerRequest: 1.5 }, { maxQueriesPerRequest: -1 }]) {
      expect(() => createFetchHandler(layer as SemanticLayer, bad)).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      )
    }
  })
})
