/**
 * Query edges through the REST handler: what used to be a 500 (invalid SQL for `values: [null]`) or a
 * silent empty answer (a reversed date range) is a correct 200 or a 400 UserError with issue codes.
 */
import Database from 'better-sqlite3'
import { createServer } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEcommerceSqlite } from '../../examples/ecommerce/generate.mjs'
import { createNodeHandler } from '../../src/http.js'
import { createSemanticLayer, loadModel } from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'
import { MODEL_DIR, listen } from './server.js'

// The e-commerce layer behind the handler, with room for more filter values than one statement takes
// (a layer's maxFilterValues may be raised; row policies and authorize filters are not counted by it).
const db = new Database(':memory:')
createEcommerceSqlite(db)
const server = createServer()
let apiUrl = ''
beforeAll(async () => {
  const connectors = { default: sqlite({ database: db }) }
  const layer = createSemanticLayer({ model: await loadModel(MODEL_DIR), connectors, maxFilterValues: 100_000 })
  const handler = createNodeHandler(layer)
  server.on('request', handler)
  apiUrl = `${await listen(server)}/cubejs-api/v1`
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await handler.close()
    db.close()
  })
})
const running = {
  get apiUrl() {
    return apiUrl
  },
  db,
}

const load = async (query: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
  const headers = { 'content-type': 'application/json' }
  const res = await fetch(`${running.apiUrl}/load`, { method: 'POST', body: JSON.stringify({ query }), headers })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}
const count = (sql: string): number => (running.db.prepare(sql).get() as { n: number }).n

describe('values: [null] in contains & co.', () => {
  it.each([
    ['contains', 'note IS NULL'],
    ['startsWith', 'note IS NULL'],
    ['endsWith', 'note IS NULL'],
    ['notContains', 'note IS NOT NULL'],
    ['notStartsWith', 'note IS NOT NULL'],
    ['notEndsWith', 'note IS NOT NULL'],
  ])('%s [null] answers 200 with the rows where %s', async (operator, where) => {
    const filters = [{ member: 'orders.note', operator, values: [null] }]
    const { status, body } = await load({ measures: ['orders.count'], filters })
    expect(status).toBe(200)
    expect(body.data).toEqual([{ 'orders.count': count(`SELECT count(*) AS n FROM orders WHERE ${where}`) }])
  })
})

describe('a reversed date range', () => {
  it('is a 400 UserError with REVERSED_DATE_RANGE at its path, in a time dimension and in a filter', async () => {
    const reversed = ['2024-12-31', '2024-01-01']
    const timeDimensions = [{ dimension: 'orders.created_at', dateRange: reversed }]
    const td = await load({ measures: ['orders.count'], timeDimensions })
    expect(td.status).toBe(400)
    const issue = { code: 'REVERSED_DATE_RANGE', path: ['timeDimensions', 0, 'dateRange'] }
    expect(td.body).toMatchObject({ type: 'UserError', issues: [issue] })
    const filters = [{ member: 'orders.created_at', operator: 'inDateRange', values: reversed }]
    const filter = await load({ measures: ['orders.count'], filters })
    expect(filter.body).toMatchObject({ issues: [{ code: 'REVERSED_DATE_RANGE', path: ['filters', 0, 'values'] }] })
  })
})

describe('too many bound values', () => {
  it('is a 400 UserError with TOO_MANY_PARAMETERS, and the server goes on answering', async () => {
    const values = (k: number): number[] => Array.from({ length: 9_000 }, (_, i) => k * 9_000 + i)
    const or = [0, 1, 2, 3].map((k) => ({ member: 'orders.id', operator: 'equals', values: values(k) }))
    const { status, body } = await load({ measures: ['orders.count'], filters: [{ or }] })
    expect(status).toBe(400)
    expect(body).toMatchObject({ type: 'UserError', issues: [{ code: 'TOO_MANY_PARAMETERS', path: ['filters'] }] })
    const all = count('SELECT count(*) AS n FROM orders')
    expect((await load({ measures: ['orders.count'] })).body.data).toEqual([{ 'orders.count': all }])
  })
})
