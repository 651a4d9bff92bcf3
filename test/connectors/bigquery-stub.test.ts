/**
 * The BigQuery connector over the official SDK against a local HTTP stub of BigQuery's REST API
 * (jobs.insert, jobs.getQueryResults, jobs.cancel): checks the requests the SDK sends (named parameters
 * bound, job timeout set, default dataset, page size) and feeds results back. A stub, not BigQuery:
 * the SQL itself is checked by test/sql/warehouse-golden.test.ts, a real server by bigquery-live.test.ts.
 */
import { BigQuery } from '@google-cloud/bigquery'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createSemanticLayer, isSemanticLayerError, parseModel } from '../../src/index.js'
import { bigquery } from '../../src/bigquery.js'
import { MINI_MODEL_YAML } from '../fixtures/mini-model.js'
import { startHttpStub, type HttpStub, type StubRequest } from './stubs/http-stub.js'

const PROJECT = 'stub-project'
let stub: HttpStub
let results: (request: StubRequest) => unknown

beforeAll(async () => {
  stub = await startHttpStub(() => ({ body: {} }))
})
afterAll(() => stub.close())
beforeEach(() => {
  stub.requests.length = 0
  stub.handler = (request) => {
    const jobs = `/bigquery/v2/projects/${PROJECT}/jobs`
    if (request.method === 'POST' && request.path === jobs) {
      const body = request.body as { jobReference: { jobId: string; location?: string } }
      return { body: { jobReference: { projectId: PROJECT, ...body.jobReference }, status: { state: 'RUNNING' } } }
    }
    if (request.method === 'POST' && request.path.endsWith('/cancel')) return { body: { job: {} } }
    if (request.method === 'GET' && request.path.startsWith(`/bigquery/v2/projects/${PROJECT}/queries/`)) {
      return { body: results(request) }
    }
    return { status: 404, body: { error: { code: 404, message: 'not in the stub' } } }
  }
})

function client(): BigQuery {
  // No credentials: the stub accepts any request (an auth client that adds no header).
  const authClient = { getRequestHeaders: async () => new Headers(), getProjectId: async () => PROJECT }
  return new BigQuery({ projectId: PROJECT, apiEndpoint: stub.url, authClient: authClient as never })
}

const inserted = (): { configuration: Record<string, unknown>; jobReference: Record<string, unknown> }[] =>
  stub.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/jobs')).map((r) => r.body as never)
const pagesAsked = (): StubRequest[] => stub.requests.filter((r) => r.method === 'GET')

describe('bigquery() against a stub of the REST API', () => {
  it('a layer query: SQL with @p0…, every value a named, typed query parameter; rows mapped by the layer', async () => {
    results = () => ({
      jobComplete: true,
      schema: {
        fields: [
          { name: 'orders__status', type: 'STRING' },
          { name: 'orders__count', type: 'INTEGER' },
          { name: 'orders__total', type: 'NUMERIC' },
        ],
      },
      rows: [{ f: [{ v: 'paid' }, { v: '3' }, { v: '12.50' }] }, { f: [{ v: 'new' }, { v: '1' }, { v: null }] }],
    })
    const layer = createSemanticLayer({
      model: parseModel([{ file: 'm.yml', content: MINI_MODEL_YAML }]),
      connectors: { default: bigquery({ client: client(), dataset: 'shop', location: 'EU', pageSize: 500 }) },
    })
    const result = await layer.query(
      {
        measures: ['orders.count', 'orders.total'],
        dimensions: ['orders.status'],
        filters: [{ member: 'orders.status', operator: 'equals', values: ["paid' OR 1=1 --"] }],
      },
      { timeoutMs: 45_000 },
    )
    expect(result.data).toEqual([
      { 'orders.status': 'paid', 'orders.count': 3, 'orders.total': 12.5 },
      { 'orders.status': 'new', 'orders.count': 1, 'orders.total': null },
    ])
    const [job] = inserted()
    const query = job!.configuration.query as Record<string, unknown>
    expect(query.query).toBe(
      'SELECT `orders`.status AS `orders__status`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total` FROM orders AS `orders` WHERE (`orders`.status = @p0) GROUP BY 1 ORDER BY 2 DESC LIMIT @p1',
    )
    expect(query.query).not.toContain('OR 1=1')
    expect(query.parameterMode).toBe('named')
    expect(query.queryParameters).toEqual([
      { name: 'p0', parameterType: { type: 'STRING' }, parameterValue: { value: "paid' OR 1=1 --" } },
      { name: 'p1', parameterType: { type: 'INT64' }, parameterValue: { value: 10001 } },
    ])
    expect(query.useLegacySql).toBe(false)
    expect(query.defaultDataset).toEqual({ projectId: PROJECT, datasetId: 'shop' })
    // The job timeout BigQuery enforces: the query's timeoutMs.
    expect(job!.configuration.jobTimeoutMs).toBe('45000')
    expect(job!.jobReference).toMatchObject({ location: 'EU' })
    const [page] = pagesAsked()
    expect(page!.query.get('maxResults')).toBe('500')
    expect(page!.query.get('formatOptions.useInt64Timestamp')).toBe('true')
    expect(page!.query.get('location')).toBe('EU')
  })

  it('pages: execute reads every page by its token; stream yields them in order; INT64 beyond 2^53 stays exact text', async () => {
    results = (request) => {
      const token = request.query.get('pageToken')
      const fields = [
        { name: 'n', type: 'INT64' },
        { name: 'at', type: 'TIMESTAMP' },
        { name: 'x', type: 'FLOAT64' },
        { name: 'ok', type: 'BOOL' },
      ]
      if (token === null)
        return {
          jobComplete: true,
          schema: { fields },
          pageToken: 'page-2',
          rows: [{ f: [{ v: '9007199254740993' }, { v: '1710000000123456' }, { v: '1.5' }, { v: 'true' }] }],
        }
      return {
        jobComplete: true,
        schema: { fields },
        rows: [{ f: [{ v: '2' }, { v: '-1000' }, { v: '-0.25' }, { v: 'false' }] }],
      }
    }
    const c = bigquery({ client: client() })
    const rows = await c.execute({ kind: 'sql', sql: 'SELECT 1', params: [] })
    expect(rows).toEqual([
      { n: '9007199254740993', at: '2024-03-09T16:00:00.123', x: 1.5, ok: true },
      { n: '2', at: '1969-12-31T23:59:59.999', x: -0.25, ok: false },
    ])
    expect(pagesAsked().map((r) => r.query.get('pageToken'))).toEqual([null, 'page-2'])
    expect(await c.execute({ kind: 'sql', sql: 'SELECT 1', params: [] }, { rows: 'arrays' })).toEqual([
      ['9007199254740993', '2024-03-09T16:00:00.123', 1.5, true],
      ['2', '1969-12-31T23:59:59.999', -0.25, false],
    ])
    const streamed: unknown[] = []
    for await (const row of c.stream({ kind: 'sql', sql: 'SELECT 1', params: [] })) streamed.push(row.n)
    expect(streamed).toEqual(['9007199254740993', '2'])
  })

  it('a job still running is polled until complete', async () => {
    let polls = 0
    results = () =>
      ++polls < 3
        ? { jobComplete: false }
        : { jobComplete: true, schema: { fields: [{ name: 'a', type: 'STRING' }] }, rows: [{ f: [{ v: 'x' }] }] }
    const rows = await bigquery({ client: client() }).execute({ kind: 'sql', sql: 'SELECT 1', params: [] })
    expect(rows).toEqual([{ a: 'x' }])
    expect(polls).toBe(3)
  })

  it('an aborted signal cancels the job on the server (jobs.cancel) and rejects with QUERY_CANCELLED', async () => {
    const controller = new AbortController()
    results = () => {
      controller.abort()
      return { jobComplete: false }
    }
    const error = await bigquery({ client: client(), location: 'EU' })
      .execute({ kind: 'sql', sql: 'SELECT 1', params: [] }, { signal: controller.signal })
      .catch((e: unknown) => e)
    expect(isSemanticLayerError(error) && error.code).toBe('QUERY_CANCELLED')
    const cancel = stub.requests.find((r) => r.path.endsWith('/cancel'))
    expect(cancel?.path).toMatch(new RegExp(`/projects/${PROJECT}/jobs/cortex_[0-9a-f]{32}/cancel$`))
    expect(cancel?.query.get('location')).toBe('EU')
  })

  it('a timeout sets jobTimeoutMs, cancels the job when it passes and rejects with QUERY_TIMEOUT', async () => {
    results = () => ({ jobComplete: false })
    const error = await bigquery({ client: client() })
      .execute({ kind: 'sql', sql: 'SELECT 1', params: [] }, { timeoutMs: 30 })
      .catch((e: unknown) => e)
    expect(isSemanticLayerError(error) && error.code).toBe('QUERY_TIMEOUT')
    expect(inserted()[0]!.configuration.jobTimeoutMs).toBe('30')
    expect(stub.requests.some((r) => r.path.endsWith('/cancel'))).toBe(true)
  })

  it('a service error is CONNECTOR_FAILED with its reason; bound values and quoted text are masked', async () => {
    results = () => {
      throw new Error('unused')
    }
    stub.handler = () => ({
      status: 400,
      body: {
        error: {
          code: 400,
          message: "Invalid timestamp: 'secret-value-42'",
          errors: [{ reason: 'invalidQuery', message: "Invalid timestamp: 'secret-value-42' for secret-value-42" }],
        },
      },
    })
    const error = await bigquery({ client: client() })
      .execute({ kind: 'sql', sql: 'SELECT TIMESTAMP(@p0)', params: ['secret-value-42'] })
      .catch((e: unknown) => e)
    expect(isSemanticLayerError(error) && error.code).toBe('CONNECTOR_FAILED')
    const message = (error as Error).message
    expect(message).toContain('invalidQuery')
    expect(message).not.toContain('secret-value-42')
    expect((error as { cause?: unknown }).cause).toBeDefined()
  })

  it('options are checked: one of client or clientOptions; a missing SDK would say what to install', () => {
    expect(() => bigquery({} as never)).toThrow(/exactly one of `client`/)
    expect(() => bigquery({ client: client(), dataset: '' })).toThrow(/non-empty string/)
  })
})
