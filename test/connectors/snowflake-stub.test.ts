/**
 * The Snowflake connector over the official SDK against a local HTTP stub of Snowflake's REST API
 * (/session/v1/login-request, /queries/v1/query-request, /queries/v1/abort-request): checks the requests
 * the SDK sends (values bound, the statement timeout and session time zone set) and feeds results back.
 * A stub, not Snowflake: the SQL itself is checked by test/sql/warehouse-golden.test.ts, a real server
 * by snowflake-live.test.ts.
 */
import snowflakeSdk from 'snowflake-sdk'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createSemanticLayer, isSemanticLayerError, parseModel } from '../../src/index.js'
import { snowflake } from '../../src/snowflake.js'
import { MINI_MODEL_YAML } from '../fixtures/mini-model.js'
import { startHttpStub, type HttpStub, type StubReply, type StubRequest } from './stubs/http-stub.js'

snowflakeSdk.configure({ logLevel: 'OFF' })

let stub: HttpStub
let answer: (sqlText: string, request: StubRequest) => StubReply | Promise<StubReply>

interface QueryBody {
  sqlText: string
  bindings?: Record<string, { type: string; value: unknown }>
  parameters?: Record<string, unknown>
}

const rowset = (rowtype: object[], rows: unknown[][]): StubReply => ({
  body: {
    success: true,
    data: {
      parameters: [],
      rowtype,
      rowset: rows,
      total: rows.length,
      returned: rows.length,
      queryId: 'q-1',
      queryResultFormat: 'json',
    },
  },
})
const column = (name: string, type: string, extra: object = {}) => ({
  name,
  type,
  nullable: true,
  scale: 0,
  precision: 38,
  ...extra,
})

beforeAll(async () => {
  stub = await startHttpStub(() => ({ body: {} }))
  stub.handler = (request) => {
    if (request.path === '/session/v1/login-request') {
      return {
        body: {
          success: true,
          data: { token: 'session-token', masterToken: 'master', sessionId: 1, parameters: [], sessionInfo: {} },
        },
      }
    }
    if (request.path === '/queries/v1/query-request') {
      const body = request.body as QueryBody
      if (body.sqlText.startsWith('ALTER SESSION')) return rowset([column('status', 'text')], [['ok']])
      return answer(body.sqlText, request)
    }
    return { body: { success: true, data: {} } }
  }
})
afterAll(() => stub.close())
beforeEach(() => {
  stub.requests.length = 0
})

const connection = () => ({
  account: 'stub',
  username: 'cortex',
  password: 'pw-not-in-messages',
  accessUrl: stub.url,
  database: 'SHOP',
})
const queries = (): QueryBody[] =>
  stub.requests.filter((r) => r.path === '/queries/v1/query-request').map((r) => r.body as QueryBody)

describe('snowflake() against a stub of the REST API', () => {
  it('a layer query: ? placeholders, every value a binding; UTC session; statement timeout; rows mapped by the layer', async () => {
    answer = () =>
      rowset(
        [
          column('orders__status', 'text'),
          column('orders__count', 'fixed'),
          column('orders__total', 'fixed', { scale: 2 }),
        ],
        [
          ['paid', '3', '12.50'],
          ['new', '1', null],
        ],
      )
    const connector = snowflake({ connection: connection(), pool: { max: 2 } })
    const layer = createSemanticLayer({
      model: parseModel([{ file: 'm.yml', content: MINI_MODEL_YAML }]),
      connectors: { default: connector },
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
    const [session, main] = queries()
    expect(session!.sqlText).toBe("ALTER SESSION SET TIMEZONE = 'UTC'")
    expect(main!.sqlText).toBe(
      `SELECT "orders".status AS "orders__status", count("orders".id) AS "orders__count", sum("orders".amount) AS "orders__total" FROM orders AS "orders" WHERE ("orders".status = ?) GROUP BY 1 ORDER BY 2 DESC LIMIT ?`,
    )
    expect(main!.bindings).toEqual({
      '1': { type: 'TEXT', value: "paid' OR 1=1 --" },
      '2': { type: 'FIXED', value: '10001' },
    })
    expect(main!.parameters).toEqual({ TIMEZONE: 'UTC', STATEMENT_TIMEOUT_IN_SECONDS: 45 })
    // The session statement runs once per connection, not per query.
    await layer.query({ measures: ['orders.count'] }, { cacheMode: 'no-cache' } as never).catch(() => undefined)
    expect(queries().filter((q) => q.sqlText.startsWith('ALTER SESSION'))).toHaveLength(1)
    await layer.close()
    await connector.close()
  })

  it('values: NUMBER beyond 2^53 stays exact text, FLOAT as text the layer reads, NULL numbers null, timestamps as UTC text; arrays; map', async () => {
    answer = () =>
      rowset(
        [
          column('n', 'fixed'),
          column('x', 'real'),
          column('ok', 'boolean'),
          column('s', 'text'),
          column('at', 'timestamp_ntz', { scale: 9 }),
        ],
        [
          ['9007199254740993', '1.5', '1', 'a', '1710000000.123456000'],
          ['2', null, '0', null, null],
        ],
      )
    const c = snowflake({ connection: connection() })
    const sql = { kind: 'sql' as const, sql: 'SELECT 1', params: [] }
    // A NULL number is null, not the SDK's text 'NULL' (fetchAsString); a raw timestamp is Cube's UTC text.
    expect(await c.execute(sql)).toEqual([
      { n: '9007199254740993', x: '1.5', ok: true, s: 'a', at: '2024-03-09T16:00:00.123' },
      { n: '2', x: null, ok: false, s: null, at: null },
    ])
    expect(await c.execute(sql, { rows: 'arrays' })).toEqual([
      ['9007199254740993', '1.5', true, 'a', '2024-03-09T16:00:00.123'],
      ['2', null, false, null, null],
    ])
    expect(await c.execute(sql, { map: (row) => row[3] })).toEqual(['a', null])
    await c.close()
  })

  it('stream reads every row of a large result in order', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => [String(i)])
    answer = () => rowset([column('i', 'fixed')], rows)
    const c = snowflake({ connection: connection() })
    let n = 0
    let last = -1
    for await (const row of c.stream({ kind: 'sql', sql: 'SELECT i FROM t', params: [] })) {
      expect(Number(row.i)).toBe(last + 1)
      last = Number(row.i)
      n++
    }
    expect(n).toBe(5000)
    await c.close()
  })

  it('an aborted signal sends abort-request for the running statement and rejects with QUERY_CANCELLED', async () => {
    const controller = new AbortController()
    let release: (() => void) | undefined
    answer = () =>
      new Promise<StubReply>((resolve) => {
        release = () =>
          resolve({
            body: { success: false, code: '000604', message: 'SQL execution canceled', data: { sqlState: '57014' } },
          })
        controller.abort()
      })
    const previous = stub.handler
    stub.handler = (request) => {
      if (request.path === '/queries/v1/abort-request') {
        release?.()
        return { body: { success: true, data: {} } }
      }
      return previous(request)
    }
    const c = snowflake({ connection: connection() })
    try {
      const error = await c
        .execute({ kind: 'sql', sql: 'SELECT SYSTEM$WAIT(60)', params: [] }, { signal: controller.signal })
        .catch((e: unknown) => e)
      expect(isSemanticLayerError(error) && error.code).toBe('QUERY_CANCELLED')
      expect(stub.requests.some((r) => r.path === '/queries/v1/abort-request')).toBe(true)
    } finally {
      stub.handler = previous
      await c.close()
    }
  })

  it('a timeout cancels the statement on the server (abort-request) and rejects with QUERY_TIMEOUT', async () => {
    let release: (() => void) | undefined
    let sent: (() => void) | undefined
    const running = new Promise<void>((resolve) => {
      sent = resolve
    })
    answer = (sqlText) => {
      if (sqlText === 'SELECT 1') return rowset([column('one', 'fixed')], [['1']])
      return new Promise<StubReply>((resolve) => {
        release = () =>
          resolve({ body: { success: false, code: '000604', message: 'canceled', data: { sqlState: '57014' } } })
        sent?.()
      })
    }
    const previous = stub.handler
    stub.handler = (request) => {
      if (request.path === '/queries/v1/abort-request') {
        release?.()
        return { body: { success: true, data: {} } }
      }
      return previous(request)
    }
    const c = snowflake({ connection: connection() })
    try {
      // A timeout that passes before the statement is sent (login, session setup) leaves nothing to abort on
      // the server. This checks the other case: the connection is set up first, and the timeout leaves
      // ample time to send the statement, which the stub then holds until it is aborted.
      await c.execute({ kind: 'sql', sql: 'SELECT 1', params: [] })
      const result = c
        .execute({ kind: 'sql', sql: 'SELECT SYSTEM$WAIT(60)', params: [] }, { timeoutMs: 1500 })
        .catch((e: unknown) => e)
      await Promise.race([running, result])
      const error = await result
      expect(isSemanticLayerError(error) && error.code).toBe('QUERY_TIMEOUT')
      expect(stub.requests.some((r) => r.path === '/queries/v1/abort-request')).toBe(true)
      expect(queries().at(-1)!.parameters).toEqual({ TIMEZONE: 'UTC', STATEMENT_TIMEOUT_IN_SECONDS: 2 })
    } finally {
      stub.handler = previous
      await c.close()
    }
  })

  it('an error is CONNECTOR_FAILED with SQLSTATE and code; bound values, quoted text and the password never appear', async () => {
    answer = () => ({
      body: {
        success: false,
        code: '100038',
        message: "Numeric value 'secret-value-42' is not recognized",
        data: { sqlState: '22018' },
      },
    })
    const c = snowflake({ connection: connection() })
    const error = await c
      .execute({ kind: 'sql', sql: 'SELECT ?::NUMBER', params: ['secret-value-42'] })
      .catch((e: unknown) => e)
    expect(isSemanticLayerError(error) && error.code).toBe('CONNECTOR_FAILED')
    const message = (error as Error).message
    expect(message).toContain('22018')
    expect(message).not.toContain('secret-value-42')
    expect(message).not.toContain('pw-not-in-messages')
    await c.close()
  })

  it('options are checked, and the id names the data without the password', () => {
    expect(() => snowflake({} as never)).toThrow(/connection/)
    const c = snowflake({ connection: connection() })
    expect(c.id).toContain('"database":"SHOP"')
    expect(c.id).not.toContain('pw-not-in-messages')
  })
})
