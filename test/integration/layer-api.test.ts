import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createEcommerceSqlite } from '../../examples/ecommerce/generate.mjs'
import {
  createSemanticLayer,
  isSemanticLayerError,
  loadModel,
  parseModel,
  type SemanticLayer,
} from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'
import { MODEL_DIR } from './oracle/layer.js'

let db: Database.Database
let layer: SemanticLayer

beforeAll(async () => {
  db = new Database(':memory:')
  createEcommerceSqlite(db)
  layer = createSemanticLayer({
    model: await loadModel(MODEL_DIR),
    connectors: { default: sqlite({ database: db }) },
    defaultLimit: 10,
  })
})
afterAll(async () => {
  await layer.close()
  db.close()
})

const count = (sql: string): number => Number((db.prepare(sql).get() as { n: number }).n)

describe('layer.stream', () => {
  test('streams every row of an ungrouped query, ignoring the default limit', async () => {
    let rows = 0
    let amount = 0
    for await (const row of layer.stream({ dimensions: ['orders.id', 'orders.amount'], ungrouped: true })) {
      rows++
      amount += row['orders.amount'] as number
    }
    expect(rows).toBe(count('SELECT count(*) AS n FROM orders'))
    expect(amount).toBeCloseTo(Number((db.prepare('SELECT sum(amount) AS n FROM orders').get() as { n: number }).n), 6)
  })

  test('keeps an explicit limit and shapes rows like query()', async () => {
    const streamed: unknown[] = []
    for await (const row of layer.stream({
      measures: ['orders.count'],
      dimensions: ['orders.status'],
      order: { 'orders.status': 'asc' },
      limit: 3,
    }))
      streamed.push(row)
    const { data } = await layer.query({
      measures: ['orders.count'],
      dimensions: ['orders.status'],
      order: { 'orders.status': 'asc' },
      limit: 3,
    })
    expect(streamed).toEqual(data)
  })

  test('stops when the signal aborts, with QUERY_CANCELLED', async () => {
    const controller = new AbortController()
    let seen = 0
    const run = async () => {
      for await (const _row of layer.stream(
        { dimensions: ['orders.id'], ungrouped: true },
        { signal: controller.signal },
      )) {
        if (++seen === 5) controller.abort()
      }
    }
    await expect(run()).rejects.toMatchObject({ code: 'QUERY_CANCELLED' })
    expect(seen).toBe(5)
  })
})

describe('layer options and lifecycle', () => {
  test('the default limit cuts results and says so', async () => {
    const result = await layer.query({ dimensions: ['orders.id'], ungrouped: true })
    expect(result.data).toHaveLength(10)
    expect(result.truncated).toBe(true)
  })

  test('an aborted signal rejects with QUERY_CANCELLED before running', async () => {
    await expect(layer.query({ measures: ['orders.count'] }, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'QUERY_CANCELLED',
    })
  })

  test('healthCheck reports each connector', async () => {
    const health = await layer.healthCheck()
    expect(health.ok).toBe(true)
    expect(health.connectors.default?.ok).toBe(true)
    expect(health.connectors.default?.latencyMs).toBeGreaterThanOrEqual(0)
  })

  test('a query joining cubes of two data sources is rejected naming both', async () => {
    const model = parseModel([
      {
        content: `
cubes:
  - name: a
    sql_table: a
    data_source: warehouse
    joins: [{ name: b, relationship: many_to_one, sql: "{CUBE}.b_id = {b.id}" }]
    dimensions: [{ name: id, sql: id, type: number, primary_key: true }, { name: b_id, sql: b_id, type: number }]
    measures: [{ name: count, type: count }]
  - name: b
    sql_table: b
    dimensions: [{ name: id, sql: id, type: number, primary_key: true }, { name: label, sql: label, type: string }]
`,
      },
    ])
    const two = createSemanticLayer({
      model,
      connectors: { default: sqlite({ filename: ':memory:' }), warehouse: sqlite({ filename: ':memory:' }) },
    })
    const error = await two.query({ measures: ['a.count'], dimensions: ['b.label'] }).catch((e: unknown) => e)
    expect(isSemanticLayerError(error)).toBe(true)
    if (!isSemanticLayerError(error)) return
    expect(error.issues[0]?.code).toBe('MULTIPLE_DATA_SOURCES')
    expect(error.message).toContain('"warehouse"')
    expect(error.message).toContain('"default"')
    await two.close()
  })

  test('a data source without a connector is CONNECTOR_MISSING', async () => {
    const model = parseModel([
      {
        content:
          'cubes:\n  - name: x\n    sql_table: x\n    data_source: elsewhere\n    measures: [{ name: count, type: count }]\n',
      },
    ])
    const lonely = createSemanticLayer({ model, connectors: { default: sqlite({ filename: ':memory:' }) } })
    await expect(lonely.query({ measures: ['x.count'] })).rejects.toMatchObject({ code: 'CONNECTOR_MISSING' })
    await lonely.close()
  })

  test('a closed layer refuses queries with LAYER_CLOSED', async () => {
    const closing = createSemanticLayer({
      model: await loadModel(MODEL_DIR),
      connectors: { default: sqlite({ filename: ':memory:' }) },
    })
    await closing.close()
    await expect(closing.query({ measures: ['orders.count'] })).rejects.toMatchObject({ code: 'LAYER_CLOSED' })
  })

  test('SQL errors from the engine are CONNECTOR_FAILED with the driver error as cause', async () => {
    const empty = createSemanticLayer({
      model: await loadModel(MODEL_DIR),
      connectors: { default: sqlite({ filename: ':memory:' }) },
    })
    const error = await empty
      .query({
        measures: ['orders.count'],
        filters: [{ member: 'orders.status', operator: 'equals', values: ['SECRET-VALUE-9'] }],
      })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'CONNECTOR_FAILED' })
    expect((error as Error).cause).toBeInstanceOf(Error)
    expect((error as Error).message).not.toContain('SECRET-VALUE-9')
    await empty.close()
  })
})
