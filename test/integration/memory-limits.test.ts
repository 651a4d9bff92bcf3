/**
 * Bounds in bytes on what requests can make the layer keep (issue 16, finding 2): the compiled-query
 * cache (entries and total estimated bytes; queries too large to be worth keeping are not kept), the
 * SQLite statement cache, and the size of a query's filter values. Sizes are checked with the caches' own
 * accounting and with what reaches the database, never with timings.
 */
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { CompiledQueries } from '../../src/compiled-queries.js'
import { compileModel } from '../../src/model/compile-model.js'
import { normalizeQuery } from '../../src/query/normalize-query.js'
import { parseQuery } from '../../src/query/parse-query.js'
import { buildPlan } from '../../src/query/plan/build-plan.js'
import { backendForDialect } from '../../src/backend/backend-of.js'
import { sqliteDialect } from '../../src/sql/dialects/sqlite-dialect.js'
import { createFetchHandler } from '../../src/http.js'
import { createSemanticLayer, isSemanticLayerError, parseModel, type SemanticLayer } from '../../src/index.js'
import { sqlite, type SqliteDatabase } from '../../src/sqlite.js'
import { sqlStatement } from '../../src/connectors/connector.js'
import type { QueryInput } from '../../src/index.js'

const MODEL = `
cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true, public: true }
      - { name: country, sql: country, type: string }
    measures:
      - { name: count, type: count }
`
let db: Database.Database
beforeAll(() => {
  db = new Database(':memory:')
  db.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY, country TEXT)')
  const insert = db.prepare('INSERT INTO orders VALUES (?, ?)')
  for (let i = 1; i <= 30; i++) insert.run(i, ['DE', 'FR', 'US'][i % 3])
})
afterAll(() => db.close())

/** A `contains` query of `n` values of `size` characters that no other call of the test has. */
const uniqueQuery = (tag: string, n = 1, size = 100): Record<string, unknown> => ({
  measures: ['orders.count'],
  filters: [
    {
      member: 'orders.country',
      operator: 'contains',
      values: Array.from({ length: n }, (_, j) => `${tag}-${j}-`.padEnd(size, 'x')),
    },
  ],
})

/** A layer that counts its compilations (contextToGroups runs once per compilation, never on a hit). */
function countingLayer(compiledQueries: ConstructorParameters<typeof CompiledQueries>[0]): {
  layer: SemanticLayer
  compilations(): number
} {
  let n = 0
  const layer = createSemanticLayer({
    model: parseModel([{ content: MODEL }]),
    connectors: { default: sqlite({ database: db }) },
    cache: false,
    ...(compiledQueries === undefined ? {} : { compiledQueries }),
    contextToGroups: () => {
      n++
      return []
    },
  })
  return { layer, compilations: () => n }
}

describe('compiled-query cache: bounded in bytes', () => {
  test('regression: with room for 1 000 entries, 30 queries of ~20 KB each do not all stay (maxBytes 256 KiB)', async () => {
    const { layer, compilations } = countingLayer({
      maxEntries: 1_000,
      maxBytes: 256 * 1024,
      maxEntryBytes: 128 * 1024,
    })
    const ctx = { securityContext: { user: 'u' } }
    for (let i = 0; i < 30; i++) await layer.sql(uniqueQuery(`q${i}`, 20, 1_000), ctx)
    expect(compilations()).toBe(30)
    await layer.sql(uniqueQuery('q29', 20, 1_000), ctx) // the most recent is still kept...
    expect(compilations()).toBe(30)
    await layer.sql(uniqueQuery('q0', 20, 1_000), ctx) // ...the first was evicted by bytes (before: kept, count-only)
    expect(compilations()).toBe(31)
    await layer.close()
  })

  test('a query too large to keep is compiled on every call, and small ones are still kept', async () => {
    const { layer, compilations } = countingLayer({ maxEntryBytes: 64 * 1024, maxBytes: 1024 * 1024 })
    const ctx = { securityContext: { user: 'u' } }
    const large = uniqueQuery('big', 2, 6_000) // its entry (key twice, then the render) would pass 64 KiB
    await layer.sql(large, ctx)
    await layer.sql(large, ctx)
    expect(compilations()).toBe(2)
    const small = uniqueQuery('small')
    await layer.sql(small, ctx)
    await layer.sql(small, ctx)
    expect(compilations()).toBe(3)
    await layer.close()
  })

  test("the cache's own accounting: every entry counted, renders included, never above maxBytes", () => {
    const model = compileModel(parseModel([{ content: MODEL }]))
    const maxBytes = 512 * 1024
    const cache = new CompiledQueries({ maxEntries: 10_000, maxBytes, maxEntryBytes: 128 * 1024 }, 'number')
    const compile = (q: Record<string, unknown>) => {
      const normalized = normalizeQuery(parseQuery(q), model, { defaultLimit: 100, maxLimit: 1_000, nowMs: 0 })
      return cache.create(model, undefined, normalized, buildPlan(model, normalized), 'default')
    }
    const first = compile(uniqueQuery('first', 10, 1_000))
    const key = cache.keyOf('digest', uniqueQuery('first', 10, 1_000))!
    cache.set(key, first)
    const before = cache.usage.bytes
    expect(before).toBeGreaterThan(2 * 2 * 10 * 1_000) // the key's text twice, two bytes a character
    first.render(backendForDialect(sqliteDialect))
    // The render's SQL and its 10 '%…%' parameters of ~1 000 characters are counted once rendered.
    expect(cache.usage.bytes - before).toBeGreaterThan(2 * 10 * 1_000)
    for (let i = 0; i < 200; i++) {
      const q = uniqueQuery(`n${i}`, 10, 1_000)
      const c = compile(q)
      cache.set(cache.keyOf('digest', q), c)
      c.render(backendForDialect(sqliteDialect))
      expect(cache.usage.bytes).toBeLessThanOrEqual(maxBytes)
    }
    expect(cache.usage.entries).toBeGreaterThan(5)
    expect(cache.usage.entries).toBeLessThan(200)
    // A key too large for any entry is not even made.
    expect(cache.keyOf('digest', uniqueQuery('huge', 1, 40_000))).toBeUndefined()
  })

  test('compiledQueries options are checked', () => {
    for (const bad of [{ maxBytes: 0 }, { maxEntries: -1 }, { maxEntryBytes: 2 ** 30 }, { maxBytes: 1.5 }, 'many']) {
      expect(() =>
        createSemanticLayer({ model: parseModel([{ content: MODEL }]), connectors: {}, compiledQueries: bad as never }),
      ).toThrow(
        expect.objectContaining({
          code: 'CONFIG_INVALID',
          issues: [expect.objectContaining({ path: ['compiledQueries'] })],
        }),
      )
    }
  })
})

describe('filter values: bounded per value and per query', () => {
  const layerWith = (options: { maxFilterValueLength?: number; maxFilterValues?: number } = {}): SemanticLayer =>
    createSemanticLayer({
      model: parseModel([{ content: MODEL }]),
      connectors: { default: sqlite({ database: db }) },
      cache: false,
      ...options,
    })
  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    )
    if (!isSemanticLayerError(error)) throw new Error(`expected a SemanticLayerError, got ${String(error)}`)
    return error
  }

  test('a value longer than maxFilterValueLength (default 10 000) is QUERY_INVALID / LIMIT_EXCEEDED at its path, without the value', async () => {
    const layer = layerWith()
    await expect(layer.sql(uniqueQuery('ok', 1, 10_000))).resolves.toBeDefined()
    const secret = 'SECRET'.padEnd(10_001, 's')
    const nested: QueryInput = {
      measures: ['orders.count'],
      filters: [
        {
          or: [
            { member: 'orders.country', operator: 'equals', values: ['DE'] },
            { member: 'orders.country', operator: 'contains', values: ['a', secret] },
          ],
        },
      ],
    }
    const error = await refusal(layer.sql(nested))
    expect(error.code).toBe('QUERY_INVALID')
    expect(error.issues).toEqual([
      expect.objectContaining({
        code: 'LIMIT_EXCEEDED',
        path: ['filters', 0, 'or', 1, 'values', 1],
        message: expect.stringContaining('maxFilterValueLength'),
      }),
    ])
    expect(JSON.stringify(error)).not.toContain('SECRET')
    await expect(layerWith({ maxFilterValueLength: 20_000 }).sql(nested)).resolves.toBeDefined()
  })

  test('more than maxFilterValues values in one query (default 10 000, all filters together) is refused', async () => {
    const layer = layerWith({ maxFilterValues: 5 })
    const query: QueryInput = {
      measures: ['orders.count'],
      filters: [
        { member: 'orders.country', operator: 'equals', values: ['a', 'b', 'c'] },
        { member: 'orders.id', operator: 'equals', values: [1, 2, 3] },
      ],
    }
    const error = await refusal(layer.query(query))
    expect(error.issues).toEqual([
      expect.objectContaining({
        code: 'LIMIT_EXCEEDED',
        path: ['filters'],
        message: expect.stringContaining('maxFilterValues'),
      }),
    ])
    await expect(layerWith({ maxFilterValues: 6 }).query(query)).resolves.toMatchObject({
      data: [{ 'orders.count': 0 }],
    })
    expect(() => layerWith({ maxFilterValues: 0 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }))
  })

  test('through the HTTP handler, also compile-only (/v1/sql): 400 with the LIMIT_EXCEEDED issue', async () => {
    const layer = layerWith()
    const handle = createFetchHandler(layer)
    const body = JSON.stringify({ query: uniqueQuery('long', 1, 10_001) })
    for (const route of ['sql', 'load', 'dry-run']) {
      const res = await handle(
        new Request(`http://localhost/cubejs-api/v1/${route}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        }),
      )
      expect(res.status).toBe(400)
      expect(await res.json()).toMatchObject({
        type: 'UserError',
        issues: [{ code: 'LIMIT_EXCEEDED', path: ['filters', 0, 'values', 0] }],
      })
    }
    await handle.close()
  })
})

describe('SQLite statement cache: bounded in bytes', () => {
  /** The test's database behind a wrapper that counts prepare() calls. */
  const counted = (): { database: SqliteDatabase; prepares(): number } => {
    let n = 0
    const database: SqliteDatabase = {
      prepare: (sql) => (n++, db.prepare(sql) as never),
      function: (...args) => db.function(...(args as Parameters<typeof db.function>)),
      close: () => undefined,
      get open() {
        return db.open
      },
      memory: true,
    }
    return { database, prepares: () => n }
  }
  const inList = (n: number): string =>
    `SELECT count(*) AS c FROM orders WHERE id IN (${Array.from({ length: n }, () => '?').join(', ')})`

  test('a statement estimated above an eighth of maxBytes is prepared each time; small ones are reused; the oldest go first', async () => {
    const { database, prepares } = counted()
    // 64 bytes a character of SQL: a 2 000-value IN list (~6 000 characters) is ~390 KB, over 1 MiB / 8.
    const c = sqlite({ database, statementCache: { maxBytes: 1024 * 1024 } })
    const big = inList(2_000)
    const params = Array.from({ length: 2_000 }, (_, i) => i)
    await c.execute(sqlStatement(big, params))
    await c.execute(sqlStatement(big, params))
    expect(prepares()).toBe(2)
    await c.execute(sqlStatement(inList(1), [1]))
    await c.execute(sqlStatement(inList(1), [1]))
    expect(prepares()).toBe(3)
    // 20 statements of ~500 values (~100 KB each) cannot all stay in 1 MiB: the first is prepared again.
    const ids = (n: number): number[] => Array.from({ length: n }, (_, i) => i)
    for (let n = 500; n < 520; n++) await c.execute(sqlStatement(inList(n), ids(n)))
    const afterFill = prepares()
    expect(afterFill).toBe(23)
    await c.execute(sqlStatement(inList(519), ids(519)))
    expect(prepares()).toBe(afterFill)
    await c.execute(sqlStatement(inList(500), ids(500)))
    expect(prepares()).toBe(afterFill + 1)
    expect(() => sqlite({ database, statementCache: { maxEntries: 0 } })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    )
  })
})
