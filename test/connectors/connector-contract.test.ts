/**
 * The connector contract (ADR 13): one execute(statement, options) with the row form as an option,
 * rowForms saying what else a connector answers, statements with a kind, and a clear refusal of the 0.1
 * shape (executeArrays / executeMapped).
 */
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { sqlStatement, type ExecuteOptions, type Statement } from '../../src/connectors/connector.js'
import { createSemanticLayer, defineConnector, isSemanticLayerError, type SemanticLayerError } from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'

function thrown(fn: () => unknown): SemanticLayerError {
  try {
    fn()
  } catch (error) {
    if (isSemanticLayerError(error)) return error
    throw error
  }
  throw new Error('expected a SemanticLayerError')
}

const MODEL = {
  cubes: [
    {
      name: 'orders',
      sql_table: 'orders',
      measures: [
        { name: 'count', type: 'count' },
        { name: 'total', sql: 'amount', type: 'sum' },
      ],
      dimensions: [
        { name: 'id', sql: 'id', type: 'number', primary_key: true },
        { name: 'status', sql: 'status', type: 'string' },
      ],
    },
  ],
}

function database(): Database.Database {
  const db = new Database(':memory:')
  db.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT, amount REAL)')
  db.exec("INSERT INTO orders VALUES (1, 'paid', 10), (2, 'paid', 5.5), (3, 'open', 1)")
  return db
}

describe('defineConnector', () => {
  const inner = sqlite({ database: database() })
  const base = {
    dialect: inner.dialect,
    execute: (s: Statement, o?: ExecuteOptions) => inner.execute(s, o),
    stream: (s: Statement) => inner.stream(s),
    healthCheck: () => inner.healthCheck(),
    close: async () => undefined,
  }

  it('refuses the 0.1 shape with the migration in the message (LEGACY_CONNECTOR)', () => {
    const error = thrown(() => defineConnector({ ...base, executeArrays: async () => [] } as never))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.issues).toEqual([
      expect.objectContaining({
        code: 'LEGACY_CONNECTOR',
        path: ['executeArrays'],
        message: expect.stringContaining("options.rows === 'arrays' replaces executeArrays"),
      }),
    ])
    expect(thrown(() => defineConnector({ ...base, executeMapped: async () => [] } as never)).issues[0]?.path).toEqual([
      'executeMapped',
    ])
  })

  it('refuses rowForms that are not a list of arrays and mapped', () => {
    for (const rowForms of ['arrays', ['objects'], [1]]) {
      expect(thrown(() => defineConnector({ ...base, rowForms } as never)).issues[0]).toMatchObject({
        code: 'INVALID_CONNECTOR',
        path: ['rowForms'],
      })
    }
    expect(() => defineConnector({ ...base, rowForms: ['arrays', 'mapped'] })).not.toThrow()
  })

  it('a connector that answers objects only is asked for objects only, and gives the same result', async () => {
    const seen: (ExecuteOptions | undefined)[] = []
    const objectsOnly = defineConnector({
      ...base,
      execute: (s: Statement, o?: ExecuteOptions) => {
        seen.push(o)
        return inner.execute(s, { ...(o?.signal ? { signal: o.signal } : {}) })
      },
    })
    const query = {
      measures: ['orders.count', 'orders.total'],
      dimensions: ['orders.status'],
      order: { 'orders.status': 'asc' },
    } as const
    const layers = [objectsOnly, inner].map((c) => createSemanticLayer({ model: MODEL, connectors: { default: c } }))
    const [viaObjects, viaBuiltIn] = await Promise.all(layers.map((l) => l.query(query)))
    expect(viaObjects!.data).toEqual(viaBuiltIn!.data)
    expect(viaObjects!.data).toEqual([
      { 'orders.status': 'open', 'orders.count': 1, 'orders.total': 1 },
      { 'orders.status': 'paid', 'orders.count': 2, 'orders.total': 15.5 },
    ])
    expect(seen.length).toBeGreaterThan(0)
    expect(seen.every((o) => o?.rows === undefined && o?.map === undefined)).toBe(true)
    await Promise.all(layers.map((l) => l.close()))
  })
})

describe('statements', () => {
  it('a built-in connector refuses a statement of another kind (UNSUPPORTED_STATEMENT), naming the kind', async () => {
    const c = sqlite({ database: database() })
    const mongo = { kind: 'mongo', collection: 'orders', pipeline: [] } as unknown as Statement
    await expect(c.execute(mongo)).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      issues: [expect.objectContaining({ code: 'UNSUPPORTED_STATEMENT', message: expect.stringContaining('"mongo"') })],
    })
    await expect(c.execute('SELECT 1' as unknown as Statement)).rejects.toMatchObject({ code: 'UNSUPPORTED' })
    expect(await c.execute(sqlStatement('SELECT ? AS n', [4]))).toEqual([{ n: 4 }])
  })
})
