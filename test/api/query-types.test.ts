/**
 * The public API's types, checked by the compiler: `tsc --noEmit -p .` (CI) compiles this file, and every
 * `@ts-expect-error` below fails the build if the line it marks stops being an error. The runtime
 * assertions check that plain JavaScript callers still get the runtime check.
 */
import Database from 'better-sqlite3'
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  createSemanticLayer,
  defineConnector,
  type ArrayRow,
  type Connector,
  type SqlConnector,
  type ObjectRow,
  type QueryInput,
  type SemanticLayer,
} from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'

const MODEL = {
  cubes: [
    {
      name: 'orders',
      sql_table: 'orders',
      measures: [{ name: 'count', type: 'count' }],
      dimensions: [
        { name: 'id', sql: 'id', type: 'number', primary_key: true },
        { name: 'status', sql: 'status', type: 'string' },
      ],
    },
  ],
}

/** Compile-time only: never called. */
function typeChecks(layer: SemanticLayer, connector: SqlConnector): void {
  // A literal with a key Cube's query does not have is a compile error (it used to type-check).
  // @ts-expect-error `measurs` is not a query key
  void layer.query({ measurs: ['orders.count'] })
  // @ts-expect-error nested literals are checked too
  void layer.query({ timeDimensions: [{ dimension: 'orders.at', granulrity: 'day' }] })
  // @ts-expect-error a filter operator Cube does not have
  void layer.sql({ filters: [{ member: 'orders.status', operator: 'is', values: ['x'] }] })
  // @ts-expect-error an order direction Cube does not have
  void layer.stream({ order: { 'orders.count': 'up' } })
  // @ts-expect-error a misspelt key next to a right one is still refused
  void layer.query({ measures: ['orders.count'], dimensons: ['orders.status'] })

  // Queries written `as const`, or with readonly arrays, fit.
  const q = { measures: ['orders.count'], order: [['orders.count', 'desc']] } as const
  void layer.query(q)
  const typed: QueryInput = {
    dimensions: ['orders.status'],
    filters: [{ or: [{ member: 'orders.id', operator: 'set' }] }],
  }
  void layer.query(typed)
  // Parsed JSON is cast and checked at run time.
  void layer.query(JSON.parse('{"measures":["orders.count"]}') as QueryInput)

  // One execute, typed by the row form asked for.
  const statement = { kind: 'sql', sql: 'SELECT 1 AS one', params: [] } as const
  expectTypeOf(connector.execute(statement)).resolves.toEqualTypeOf<readonly ObjectRow[]>()
  expectTypeOf(connector.execute(statement, { rows: 'arrays' })).resolves.toEqualTypeOf<readonly ArrayRow[]>()
  expectTypeOf(connector.execute(statement, { map: (row) => row.length })).resolves.toEqualTypeOf<readonly number[]>()
  // @ts-expect-error statements are objects now, not SQL text and a parameter list
  void connector.execute('SELECT 1', [])
  // A host's connector implements one execute that answers objects (and says so by listing no rowForms).
  defineConnector({
    dialect: connector.dialect,
    execute: async () => [{ one: 1 }],
    stream: (s, o) => connector.stream(s, o),
    healthCheck: () => connector.healthCheck(),
    close: async () => undefined,
  })
}
void typeChecks

describe('query input', () => {
  it('plain JavaScript callers still get the runtime check for an unknown key', async () => {
    const db = new Database(':memory:')
    db.exec("CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT); INSERT INTO orders VALUES (1, 'a')")
    const layer = createSemanticLayer({ model: MODEL, connectors: { default: sqlite({ database: db }) } })
    try {
      const fromJs: unknown = { measurs: ['orders.count'] }
      await expect(layer.query(fromJs as QueryInput)).rejects.toMatchObject({
        code: 'QUERY_INVALID',
        issues: [expect.objectContaining({ path: ['measurs'], message: expect.stringContaining('measures') })],
      })
      expect((await layer.query({ measures: ['orders.count'] })).data).toEqual([{ 'orders.count': 1 }])
    } finally {
      await layer.close()
      db.close()
    }
  })
})
