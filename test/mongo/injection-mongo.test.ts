/**
 * Request values are data on a MongoDB source: operator objects, `$`-prefixed strings, regular-expression
 * metacharacters and prototype keys in every query position, through `layer.query()` and the REST
 * handler, over mingo. A value either compares as a literal (the same rows as the SQL oracle) or the
 * query is refused with a typed error; no generated pipeline holds `$where`, `$function` or `$accumulator`.
 */
import { createServer } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNodeHandler } from '../../src/http.js'
import { compileModel, createSemanticLayer, isSemanticLayerError, loadModel } from '../../src/index.js'
import { mongodb } from '../../src/mongodb.js'
import { MODEL_DIR, NOW } from '../integration/oracle/layer.js'
import { listen } from '../http/server.js'
import { loadDataset } from './harness/dataset.js'
import { mingoDb } from './harness/mingo-db.js'

const { db: sqlite, collections } = loadDataset()
const mingo = mingoDb(collections)
const model = compileModel(await loadModel(MODEL_DIR))
const layer = createSemanticLayer({
  model,
  connectors: { default: mongodb({ db: mingo, id: 'harness' }) },
  now: () => new Date(NOW.getTime()),
})
const server = createServer()
let apiUrl = ''
beforeAll(async () => {
  const handler = createNodeHandler(layer)
  server.on('request', handler)
  apiUrl = `${await listen(server)}/cubejs-api/v1`
  return async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await handler.close()
  }
})
afterAll(async () => {
  await layer.close()
  sqlite.close()
})

const count = (sql: string, ...params: unknown[]): number => (sqlite.prepare(sql).get(...params) as { n: number }).n
const FORBIDDEN = /"\$(where|function|accumulator)":/ // as an operator (a key), not as a literal value
const HOSTILE = [
  '$where',
  '$status',
  '$$ROOT',
  '$$CURRENT.status',
  '.*',
  '^p',
  'a|b',
  '(',
  '\\',
  '__proto__',
  'constructor',
]

async function rowsOf(query: unknown): Promise<Record<string, unknown>[]> {
  const before = mingo.calls.length
  const { data } = await layer.query(query as never)
  for (const call of mingo.calls.slice(before)) expect(JSON.stringify(call.pipeline)).not.toMatch(FORBIDDEN)
  return data
}

async function typedError(query: unknown): Promise<{ code: string; issues: readonly { code: string }[] }> {
  try {
    await layer.query(query as never)
  } catch (error) {
    expect(isSemanticLayerError(error)).toBe(true)
    return error as never
  }
  throw new Error('the query was accepted')
}

describe('hostile filter values compare as literals (query())', () => {
  for (const value of HOSTILE) {
    it(`equals / notEquals ${JSON.stringify(value)}`, async () => {
      const eq = await rowsOf({
        measures: ['orders.count'],
        filters: [{ member: 'orders.status', operator: 'equals', values: [value] }],
      })
      expect(eq[0]?.['orders.count']).toBe(count('SELECT count(*) AS n FROM orders WHERE status = ?', value))
      const ne = await rowsOf({
        measures: ['orders.count'],
        filters: [{ member: 'orders.status', operator: 'notEquals', values: [value] }],
      })
      expect(ne[0]?.['orders.count']).toBe(
        count('SELECT count(*) AS n FROM orders WHERE status <> ? OR status IS NULL', value),
      )
    })

    it(`contains / startsWith / endsWith ${JSON.stringify(value)} on a dimension and in a measure filter`, async () => {
      const lower = value.toLowerCase()
      const sql = {
        contains: 'instr(lower(name), ?) > 0',
        startsWith: 'substr(lower(name), 1, length(?)) = ?2',
        endsWith: 'substr(lower(name), -length(?)) = ?2',
      } as const
      for (const [operator, where] of Object.entries(sql)) {
        const rows = await rowsOf({
          measures: ['customers.count'],
          filters: [{ member: 'customers.name', operator, values: [value] }],
        })
        const expected = count(
          `SELECT count(*) AS n FROM customers WHERE ${where.replace('?2', '?')}`,
          lower,
          ...(where.includes('?2') ? [lower] : []),
        )
        expect(rows[0]?.['customers.count']).toBe(expected)
      }
    })
  }

  it('a metacharacter value matches itself only: contains ".*" matches nothing here, contains "%" matches the literal', async () => {
    const dot = await rowsOf({
      measures: ['customers.count'],
      filters: [{ member: 'customers.name', operator: 'contains', values: ['.*'] }],
    })
    expect(dot[0]?.['customers.count']).toBe(0)
    const pct = await rowsOf({
      measures: ['customers.count'],
      filters: [{ member: 'customers.name', operator: 'contains', values: ['%'] }],
    })
    expect(pct[0]?.['customers.count']).toBe(count("SELECT count(*) AS n FROM customers WHERE instr(name, '%') > 0"))
    expect(pct[0]?.['customers.count']).toBeGreaterThan(0)
  })

  it('a `$`-prefixed value is written as $literal in the pipeline', async () => {
    const printed = (await layer.sql({
      measures: ['orders.count'],
      filters: [{ member: 'orders.status', operator: 'equals', values: ['$status'] }],
    })) as unknown as { pipeline: unknown[] }
    expect(JSON.stringify(printed.pipeline)).toContain('{"$literal":"$status"}')
  })
})

describe('operator objects and prototype keys are refused with typed errors (query())', () => {
  const cases: [string, unknown][] = [
    [
      'an operator object as a filter value',
      { measures: ['orders.count'], filters: [{ member: 'orders.status', operator: 'equals', values: [{ $gt: '' }] }] },
    ],
    [
      'an operator object as the values',
      { measures: ['orders.count'], filters: [{ member: 'orders.status', operator: 'equals', values: { $ne: null } }] },
    ],
    ['an operator object as a member', { measures: [{ $where: 'sleep(1)' }] }],
    ['a $-prefixed member', { measures: ['$where.count'] }],
    ['__proto__ as a member', { measures: ['__proto__.count'] }],
    ['constructor as a member', { dimensions: ['orders.constructor'] }],
    ['__proto__ as an order key', JSON.parse('{"measures":["orders.count"],"order":{"__proto__":"asc"}}')],
    [
      '__proto__ as a filter member',
      { measures: ['orders.count'], filters: [{ member: '__proto__.polluted', operator: 'set' }] },
    ],
    ['a $-prefixed time zone', { measures: ['orders.count'], timezone: '$where' }],
    [
      'an operator object as a date range',
      { measures: ['orders.count'], timeDimensions: [{ dimension: 'orders.created_at', dateRange: { $gt: 0 } }] },
    ],
    ['an operator object as the limit', { measures: ['orders.count'], limit: { $gt: 0 } }],
    ['a $-prefixed segment', { measures: ['orders.count'], segments: ['$where'] }],
    [
      'an operator as the filter operator',
      { measures: ['orders.count'], filters: [{ member: 'orders.status', operator: '$where', values: ['x'] }] },
    ],
  ]
  for (const [name, query] of cases) {
    it(name, async () => {
      const error = await typedError(query)
      expect(['QUERY_INVALID', 'FORBIDDEN_MEMBER']).toContain(error.code)
      expect(error.issues.length).toBeGreaterThan(0)
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    })
  }
})

describe('through the REST handler', () => {
  const load = async (query: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const url = `${apiUrl}/load?query=${encodeURIComponent(JSON.stringify(query))}`
    const res = await fetch(url)
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }

  it('a $-prefixed value is a literal: 200 with the oracle count', async () => {
    for (const value of ['$status', '$where', '.*']) {
      const { status, body } = await load({
        measures: ['orders.count'],
        filters: [{ member: 'orders.status', operator: 'notEquals', values: [value] }],
      })
      expect(status).toBe(200)
      expect((body.data as Record<string, unknown>[])[0]?.['orders.count']).toBe(
        count('SELECT count(*) AS n FROM orders'),
      )
    }
  })

  it('operator objects and prototype keys: 400 with issue codes', async () => {
    for (const query of [
      { measures: ['orders.count'], filters: [{ member: 'orders.status', operator: 'equals', values: [{ $gt: '' }] }] },
      JSON.parse('{"measures":["orders.count"],"order":{"__proto__":"asc"}}'),
      { measures: ['__proto__.count'] },
      { measures: ['orders.count'], timezone: '$where' },
    ]) {
      const { status, body } = await load(query)
      expect(status).toBe(400)
      expect(JSON.stringify(body)).not.toContain('sleep')
    }
  })
})

describe('model SQL outside the portable subset', () => {
  it('is UNSUPPORTED_FEATURE naming the member, before anything runs', async () => {
    const odd = createSemanticLayer({
      model: {
        cubes: [
          {
            name: 'orders',
            sql_table: 'orders',
            dimensions: [
              { name: 'id', sql: 'id', type: 'number', primary_key: true },
              { name: 'initial', sql: 'substr({CUBE}.status, 1, 1)', type: 'string' },
            ],
            measures: [{ name: 'count', type: 'count' }],
          },
        ],
      },
      connectors: { default: mongodb({ db: mingo, id: 'harness' }) },
    })
    const before = mingo.calls.length
    try {
      await odd.query({ measures: ['orders.count'], dimensions: ['orders.initial'] })
      throw new Error('accepted')
    } catch (error) {
      expect(isSemanticLayerError(error)).toBe(true)
      const e = error as { code: string; issues: { code: string; path: unknown[]; message: string }[] }
      expect(e.code).toBe('UNSUPPORTED')
      expect(e.issues[0]?.code).toBe('UNSUPPORTED_FEATURE')
      expect(e.issues[0]?.path).toEqual(['cubes', 'orders', 'dimensions', 'initial', 'sql'])
      expect(e.issues[0]?.message).toContain('orders.initial')
      expect(e.issues[0]?.message).toContain('SUBSTR')
    }
    expect(mingo.calls.length).toBe(before)
    await odd.close()
  })
})
