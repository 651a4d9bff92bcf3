/**
 * Result rows reach the layer in one of two forms: arrays in SELECT-list order (`executeArrays`, which
 * every built-in connector has) or objects keyed by column alias (`execute`, all a custom connector
 * needs). Both must give identical results for every kind of value, on every engine: the same table
 * (exact decimals, integers beyond 2^53, booleans, times with a granularity under two keys, nulls,
 * JSON, unicode text) is queried through a layer on the built-in connector and through a layer on a
 * connector that has only `execute`, in both `decimals` modes, and the values are also checked directly.
 */
import Database from 'better-sqlite3'
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  SemanticLayerError,
  createSemanticLayer,
  defineConnector,
  memoryCache,
  type Connector,
  type SqlConnector,
  type SemanticLayer,
} from '../../src/index.js'
import { duckdb } from '../../src/duckdb.js'
import { mysql } from '../../src/mysql.js'
import { postgres } from '../../src/postgres.js'
import { sqlite } from '../../src/sqlite.js'
import { withDatabase } from './engines/server-datasets.js'
import { ManualClock } from '../fixtures/manual-clock.js'
import {
  sqlStatement,
  type ExecuteOptions,
  type Statement,
  type StatementOptions,
} from '../../src/connectors/connector.js'
import type { QueryInput } from '../../src/index.js'

const require = createRequire(import.meta.url)
const ROWS = 700
const BASE = Date.UTC(2024, 0, 1)

interface Item {
  id: number
  label: string | null
  price: string | null
  big: string | null
  flag: boolean | null
  at: string
  doc: string | null
}

/** Deterministic rows: every kind of value, with nulls where a column allows them. */
function items(): Item[] {
  return Array.from({ length: ROWS }, (_, k) => {
    const i = k + 1
    return {
      id: i,
      label: i % 7 === 0 ? null : `item ${i} — é 中文 🚀 "q" \\`,
      price:
        i % 11 === 0 ? null : i === 1 ? '12345678901234.5678' : `${i}.${String((i * 37) % 10_000).padStart(4, '0')}`,
      big: i % 13 === 0 ? null : i === 2 ? '9007199254740993' : String(i * 1_000_003),
      flag: i % 5 === 0 ? null : i % 2 === 0,
      at: new Date(BASE + i * 7 * 3_600_000 + i).toISOString().slice(0, 23).replace('T', ' '),
      doc: i % 3 === 0 ? null : JSON.stringify({ k: i, tags: ['a', 'b'] }),
    }
  })
}

const MODEL = {
  cubes: [
    {
      name: 'items',
      sql_table: 'items',
      dimensions: [
        { name: 'id', sql: 'id', type: 'number', primary_key: true, public: true },
        { name: 'label', sql: 'label', type: 'string' },
        { name: 'price', sql: 'price', type: 'number' },
        { name: 'big', sql: 'big', type: 'number' },
        { name: 'flag', sql: 'flag', type: 'boolean' },
        { name: 'at', sql: 'at', type: 'time' },
        { name: 'doc', sql: 'doc', type: 'string' },
      ],
      measures: [
        { name: 'count', type: 'count' },
        { name: 'total_price', sql: 'price', type: 'sum' },
        { name: 'avg_price', sql: 'price', type: 'avg' },
        { name: 'max_big', sql: 'big', type: 'max' },
      ],
    },
  ],
}

/** The model with a view over `items`: its members render the same SQL as the cube's, under other names. */
const MODEL_WITH_VIEW = {
  ...MODEL,
  views: [{ name: 'catalog', cubes: [{ join_path: 'items', includes: ['id', 'label', 'count'] }] }],
}

const ALL_ROWS = {
  dimensions: ['items.id', 'items.label', 'items.price', 'items.big', 'items.flag', 'items.doc'],
  timeDimensions: [{ dimension: 'items.at', granularity: 'day' }],
  ungrouped: true,
  order: { 'items.id': 'asc' },
  limit: 1_000,
} as const

const QUERIES: Record<string, Record<string, unknown>> = {
  // ≥ 512 rows: the generated shapers.
  'every row and column, time by day under two keys': ALL_ROWS,
  'cut by the limit (limit + 1 fetched), with total': { ...ALL_ROWS, limit: 600, total: true },
  // Small results: the loops.
  'a few rows': { ...ALL_ROWS, limit: 5, offset: 1 },
  'plain time (no granularity) and the time by month': {
    dimensions: ['items.id', 'items.at'],
    timeDimensions: [{ dimension: 'items.at', granularity: 'month' }],
    ungrouped: true,
    order: { 'items.id': 'asc' },
    limit: 20,
  },
  'grouped: count, exact sums and averages, max of big integers by flag and month': {
    measures: ['items.count', 'items.total_price', 'items.avg_price', 'items.max_big'],
    dimensions: ['items.flag'],
    timeDimensions: [{ dimension: 'items.at', granularity: 'month' }],
    order: [
      ['items.at.month', 'asc'],
      ['items.flag', 'asc'],
    ],
  },
  'one aggregate row': { measures: ['items.count', 'items.total_price', 'items.max_big'] },
  'no rows': {
    dimensions: ['items.id', 'items.label'],
    filters: [{ member: 'items.id', operator: 'lt', values: ['0'] }],
  },
}

interface Calls {
  execute: number
  executeArrays: number
}

/** A custom connector over `inner`, counting calls; with `arrays: false` it has no executeArrays (the object path). */
function counted(inner: SqlConnector, arrays: boolean): { connector: Connector; calls: Calls } {
  const calls: Calls = { execute: 0, executeArrays: 0 }
  const connector = defineConnector({
    dialect: inner.dialect,
    // With arrays it answers rows: 'arrays' (and nothing else); without, objects only.
    rowForms: arrays ? ['arrays'] : [],
    execute: (statement: Statement, options?: ExecuteOptions) => {
      if (options?.rows === 'arrays') calls.executeArrays++
      else calls.execute++
      return inner.execute(statement, options)
    },
    stream: (statement: Statement, options?: StatementOptions) => inner.stream(statement, options),
    healthCheck: () => inner.healthCheck(),
    close: async () => undefined, // the inner connector is closed once, by the suite
  })
  return { connector, calls }
}

interface Engine {
  readonly name: string
  readonly env?: string
  readonly url: string | undefined
  /** Create the table, fill it, return the connector and a cleanup. */
  setup(url: string | undefined, rows: Item[]): Promise<{ connector: SqlConnector; cleanup(): Promise<void> }>
  /** Whether the engine returns exact decimals and big integers (SQLite's REAL / JS numbers do not). */
  readonly exact: boolean
  /** A one-parameter statement returning the parameter as column n. */
  readonly echoSql: string
}

const ENGINES: Engine[] = [
  {
    name: 'SQLite',
    url: 'memory',
    exact: false,
    echoSql: 'SELECT ? AS n',
    async setup(_url, rows) {
      const db = new Database(':memory:')
      db.exec(
        'CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT, price REAL, big INTEGER, flag INTEGER, at TEXT NOT NULL, doc TEXT)',
      )
      const insert = db.prepare('INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?)')
      for (const r of rows)
        insert.run(
          r.id,
          r.label,
          r.price === null ? null : Number(r.price),
          r.big === null ? null : BigInt(r.big),
          r.flag === null ? null : Number(r.flag),
          r.at,
          r.doc,
        )
      const connector = sqlite({ database: db })
      return {
        connector,
        async cleanup() {
          await connector.close()
          db.close()
        },
      }
    },
  },
  {
    // In-process: always run. DECIMAL(20,4), BIGINT and a TIMESTAMP read under the connector's own rules.
    name: 'DuckDB',
    url: 'memory',
    exact: true,
    echoSql: 'SELECT $1::INTEGER AS n',
    async setup(_url, rows) {
      const { DuckDBInstance } = require('@duckdb/node-api') as typeof import('@duckdb/node-api')
      const instance = await DuckDBInstance.create(':memory:')
      const conn = await instance.connect()
      await conn.run(
        'CREATE TABLE items (id INTEGER PRIMARY KEY, label VARCHAR, price DECIMAL(20,4), big BIGINT, flag BOOLEAN, "at" TIMESTAMP NOT NULL, doc JSON)',
      )
      for (let i = 0; i < rows.length; i += 100) {
        const batch = rows.slice(i, i + 100)
        const sql = batch.map((_, k) => `(${[1, 2, 3, 4, 5, 6, 7].map((c) => `$${k * 7 + c}`).join(', ')})`)
        await conn.run(
          `INSERT INTO items VALUES ${sql.join(', ')}`,
          batch.flatMap((r) => [r.id, r.label, r.price, r.big, r.flag, r.at, r.doc]),
        )
      }
      conn.closeSync()
      const connector = duckdb({ instance })
      return {
        connector,
        async cleanup() {
          await connector.close()
          instance.closeSync()
        },
      }
    },
  },
  {
    name: 'PostgreSQL',
    env: 'CORTEX_TEST_PG_URL',
    url: process.env.CORTEX_TEST_PG_URL,
    exact: true,
    echoSql: 'SELECT $1::int AS n',
    async setup(url, rows) {
      const pg = require('pg') as typeof import('pg')
      const schema = `cortex_forms_${randomBytes(4).toString('hex')}`
      const admin = new pg.Client({ connectionString: url })
      await admin.connect()
      await admin.query(`CREATE SCHEMA ${schema}`)
      await admin.query(
        `CREATE TABLE ${schema}.items (id int PRIMARY KEY, label text, price numeric(20,4), big int8, flag boolean, at timestamp(3) NOT NULL, doc json)`,
      )
      for (const r of rows)
        await admin.query(`INSERT INTO ${schema}.items VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
          r.id,
          r.label,
          r.price,
          r.big,
          r.flag,
          r.at,
          r.doc,
        ])
      const connector = postgres({
        connection: { connectionString: url!, options: `-c search_path=${schema}` },
        pool: { max: 2 },
      })
      return {
        connector,
        async cleanup() {
          await connector.close()
          await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
          await admin.end()
        },
      }
    },
  },
  {
    name: 'MySQL/MariaDB',
    env: 'CORTEX_TEST_MYSQL_URL',
    url: process.env.CORTEX_TEST_MYSQL_URL,
    exact: true,
    echoSql: 'SELECT ? AS n',
    async setup(url, rows) {
      const mysql2 = require('mysql2/promise') as typeof import('mysql2/promise')
      const name = `cortex_forms_${randomBytes(4).toString('hex')}`
      const admin = await mysql2.createConnection({ uri: url!, timezone: 'Z' })
      await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`)
      await admin.query(
        `CREATE TABLE \`${name}\`.items (id INT PRIMARY KEY, label VARCHAR(200), price DECIMAL(20,4), big BIGINT, flag TINYINT(1), at DATETIME(3) NOT NULL, doc JSON) DEFAULT CHARSET=utf8mb4`,
      )
      for (let i = 0; i < rows.length; i += 100) {
        const batch = rows.slice(i, i + 100)
        await admin.query(
          `INSERT INTO \`${name}\`.items VALUES ${batch.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
          batch.flatMap((r) => [r.id, r.label, r.price, r.big, r.flag === null ? null : Number(r.flag), r.at, r.doc]),
        )
      }
      const connector = mysql({ connection: withDatabase(url!, name), pool: { max: 2 } })
      return {
        connector,
        async cleanup() {
          await connector.close()
          await admin.query(`DROP DATABASE IF EXISTS \`${name}\``)
          await admin.end()
        },
      }
    },
  },
]

for (const engine of ENGINES) {
  if (!engine.url && process.env.CI === 'true') {
    it(`row forms on ${engine.name}: ${engine.env} is required when CI=true`, () => {
      throw new Error(`${engine.env} is required when CI=true: .ci/run starts the server and sets it`)
    })
    continue
  }

  describe.skipIf(!engine.url)(
    `array rows and object rows give equal results on ${engine.name}${engine.env ? ` (set ${engine.env})` : ''}`,
    () => {
      const rows = items()
      // `builtin`: the connector itself, so rows are shaped through its executeMapped.
      const layers = {} as Record<'arrays' | 'objects' | 'builtin', Record<'number' | 'string', SemanticLayer>>
      const calls = {} as Record<'arrays' | 'objects', Calls>
      let cleanup: (() => Promise<void>) | undefined
      let builtinConnector: Connector | undefined

      beforeAll(async () => {
        const set = await engine.setup(engine.url, rows)
        cleanup = set.cleanup
        for (const form of ['arrays', 'objects'] as const) {
          const { connector, calls: c } = counted(set.connector, form === 'arrays')
          calls[form] = c
          layers[form] = {
            number: createSemanticLayer({ model: MODEL, connectors: { default: connector }, cache: false }),
            string: createSemanticLayer({
              model: MODEL,
              connectors: { default: connector },
              cache: false,
              decimals: 'string',
            }),
          }
        }
        layers.builtin = {
          number: createSemanticLayer({ model: MODEL, connectors: { default: set.connector }, cache: false }),
          string: createSemanticLayer({
            model: MODEL,
            connectors: { default: set.connector },
            cache: false,
            decimals: 'string',
          }),
        }
        builtinConnector = set.connector
      })
      afterAll(async () => {
        for (const byMode of Object.values(layers)) for (const layer of Object.values(byMode)) await layer.close()
        await cleanup?.()
      })

      for (const decimals of ['number', 'string'] as const) {
        it.each(Object.entries(QUERIES))(`decimals: ${decimals}: %s`, async (_name, query) => {
          const before = { ...calls.arrays }
          const viaArrays = await layers.arrays[decimals].query(query)
          const viaObjects = await layers.objects[decimals].query(query)
          // The built-in connector's rows came as arrays (the total statement, one row, as objects).
          expect(calls.arrays.executeArrays - before.executeArrays).toBe(1)
          expect(calls.arrays.execute - before.execute).toBe(query.total ? 1 : 0)
          expect({ data: viaArrays.data, truncated: viaArrays.truncated, total: viaArrays.total }).toStrictEqual({
            data: viaObjects.data,
            truncated: viaObjects.truncated,
            total: viaObjects.total,
          })
          const viaBuiltin = await layers.builtin[decimals].query(query)
          expect({ data: viaBuiltin.data, truncated: viaBuiltin.truncated, total: viaBuiltin.total }).toStrictEqual({
            data: viaObjects.data,
            truncated: viaObjects.truncated,
            total: viaObjects.total,
          })
        })
      }

      it('with the result cache on, two queries with the same SQL but other member names never share rows, and concurrent callers never share row objects', async () => {
        // The suite's connector, left open when this layer closes.
        const shared = defineConnector({ ...builtinConnector!, close: async () => undefined })
        // No refresh_key: Cube's default of 10 seconds. Both rounds fall in one bucket of this clock, which stays put.
        const layer = createSemanticLayer({
          model: MODEL_WITH_VIEW,
          connectors: { default: shared },
          cache: memoryCache(),
          clock: new ManualClock(),
        })
        try {
          const viaCube: QueryInput = {
            measures: ['items.count'],
            dimensions: ['items.label'],
            order: { 'items.label': 'asc' },
            limit: 5,
          }
          const viaView: QueryInput = {
            measures: ['catalog.count'],
            dimensions: ['catalog.label'],
            order: { 'catalog.label': 'asc' },
            limit: 5,
          }
          const [sqlCube, sqlView] = [await layer.sql(viaCube), await layer.sql(viaView)]
          // The premise: the statements are identical, so only the row shape tells the two results apart.
          expect(sqlView).toEqual(sqlCube)
          for (let round = 0; round < 2; round++) {
            // Concurrent (one flight each) in the first round, from the cache in the second.
            const [a, b, c] = await Promise.all([layer.query(viaCube), layer.query(viaView), layer.query(viaCube)])
            expect(a.data).toHaveLength(5)
            expect(Object.keys(a.data[0]!).sort()).toEqual(['items.count', 'items.label'])
            expect(Object.keys(b.data[0]!).sort()).toEqual(['catalog.count', 'catalog.label'])
            expect(b.data.map((r) => [r['catalog.label'], r['catalog.count']])).toEqual(
              a.data.map((r) => [r['items.label'], r['items.count']]),
            )
            expect(c.data).toStrictEqual(a.data)
            for (let i = 0; i < a.data.length; i++) expect(c.data[i]).not.toBe(a.data[i])
            if (round === 1) expect([a.cache?.hit, b.cache?.hit, c.cache?.hit]).toEqual([true, true, true])
          }
          // A caller that changes its rows as soon as it gets them does not change what a concurrent caller
          // of the same shared run receives (the copy is taken before either caller's code runs again).
          await layer.invalidate()
          const first = layer.query(viaCube).then((r) => {
            for (const row of r.data) row['items.label'] = 'changed'
            return r
          })
          const [, second] = await Promise.all([first, layer.query(viaCube)])
          expect(second.cache?.hit).toBe(false)
          expect(second.data.some((row) => row['items.label'] === 'changed')).toBe(false)
        } finally {
          await layer.close()
        }
      })

      it(`the ${engine.name} connector shapes rows through executeMapped, and a failing map leaves it usable`, async () => {
        expect(builtinConnector!.rowForms).toContain('mapped')
        const { sql, params } = await layers.builtin.number.sql(ALL_ROWS)
        const statement = sqlStatement(sql, params)
        const inner = builtinConnector!
        const mapped = await inner.execute(statement, { map: (row) => row.length })
        expect(mapped).toEqual(Array.from({ length: ROWS }, () => 7))
        let seen = 0
        const failing = inner.execute(statement, {
          map: () => {
            if (++seen === 3) throw new Error('map failed')
            return seen
          },
        })
        await expect(failing).rejects.toMatchObject({
          code: 'CONNECTOR_FAILED',
          issues: [expect.objectContaining({ code: 'ROW_MAP_FAILED' })],
          cause: expect.objectContaining({ message: 'map failed' }),
        })
        expect(seen).toBe(3) // no row mapped after the failure
        // The layer's own errors (a row of the wrong width) pass through as they are.
        await expect(
          inner.execute(statement, {
            map: () => {
              throw new SemanticLayerError('CONNECTOR_FAILED', [
                { code: 'ROW_WIDTH_MISMATCH', path: [], message: 'wrong width' },
              ])
            },
          }),
        ).rejects.toMatchObject({ issues: [expect.objectContaining({ code: 'ROW_WIDTH_MISMATCH' })] })
        // The connector still answers the next statements correctly (PostgreSQL: the statement was read to its end).
        for (let i = 0; i < 3; i++)
          expect(await inner.execute(sqlStatement(engine.echoSql, [i]), { map: (row) => row[0] })).toEqual([i])
      })

      it('every kind of value comes back as it should through the array path', async () => {
        const expected = (i: number) => rows[i - 1]!
        for (const decimals of ['number', 'string'] as const) {
          const { data, truncated } = await layers.arrays[decimals].query(ALL_ROWS)
          expect(truncated).toBe(false)
          expect(data).toHaveLength(ROWS)
          expect(data.map((r) => r['items.id'])).toEqual(rows.map((r) => r.id))
          expect(Object.keys(data[0]!)).toEqual([
            'items.id',
            'items.label',
            'items.price',
            'items.big',
            'items.flag',
            'items.doc',
            'items.at.day',
            'items.at',
          ])
          for (const row of data) {
            const item = expected(row['items.id'] as number)
            expect(row['items.label']).toBe(item.label)
            expect(row['items.flag']).toBe(item.flag)
            expect(row['items.at.day']).toBe(`${item.at.slice(0, 10)}T00:00:00.000`)
            expect(row['items.at']).toBe(row['items.at.day'])
            expect(row['items.doc'] === null ? null : JSON.parse(row['items.doc'] as string)).toEqual(
              item.doc === null ? null : JSON.parse(item.doc),
            )
            if (item.price === null) expect(row['items.price']).toBeNull()
            else if (decimals === 'string' && engine.exact) expect(row['items.price']).toBe(item.price)
            else expect(row['items.price']).toBeCloseTo(Number(item.price), 4)
            if (item.big === null) expect(row['items.big']).toBeNull()
            else if (Number.isSafeInteger(Number(item.big))) expect(row['items.big']).toBe(Number(item.big))
            else if (engine.exact) expect(row['items.big']).toBe(item.big) // beyond 2^53: exact text in both modes
          }
        }
        const { data: plain } = await layers.arrays.number.query(
          QUERIES['plain time (no granularity) and the time by month']!,
        )
        expect(plain[0]).toStrictEqual({
          'items.id': 1,
          'items.at': '2024-01-01T07:00:00.001',
          'items.at.month': '2024-01-01T00:00:00.000',
        })
      })

      it('limit + 1 is fetched and cut; total counts every row', async () => {
        const query = QUERIES['cut by the limit (limit + 1 fetched), with total']!
        const result = await layers.arrays.number.query(query)
        expect(result.sql.params).toContain(601)
        expect(result.truncated).toBe(true)
        expect(result.total).toBe(ROWS)
        expect(result.data).toHaveLength(600)
        expect(result.data.at(-1)!['items.id']).toBe(600)
        const exact = await layers.arrays.number.query({ ...query, limit: ROWS })
        expect([exact.truncated, exact.data.length]).toEqual([false, ROWS])
      })

      it('aggregates: counts as numbers, exact sums and big maxima as text where a number would lose digits', async () => {
        const prices = rows.filter((r) => r.price !== null)
        for (const decimals of ['number', 'string'] as const) {
          const [row] = (await layers.arrays[decimals].query(QUERIES['one aggregate row']!)).data
          expect(row!['items.count']).toBe(ROWS)
          if (engine.exact) {
            expect(row!['items.max_big']).toBe('9007199254740993')
            // The exact sum of the decimals, as text in string mode (PostgreSQL and MySQL sum numerics exactly).
            const cents = prices.reduce((s, r) => s + BigInt(r.price!.replace('.', '')), 0n)
            const exactSum = `${cents / 10_000n}.${String(cents % 10_000n).padStart(4, '0')}`
            if (decimals === 'string') expect(row!['items.total_price']).toBe(exactSum)
            else expect(row!['items.total_price']).toBe(Number(exactSum))
          } else {
            expect(typeof row!['items.total_price']).toBe('number')
          }
        }
      })
    },
  )
}

describe('a custom connector with executeArrays', () => {
  it('whose rows do not have one value per selected column fails the query (CONNECTOR_FAILED), instead of returning nulls', async () => {
    const db = new Database(':memory:')
    db.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT); INSERT INTO items VALUES (1, 'a'), (2, 'b')")
    const inner = sqlite({ database: db })
    const connector = defineConnector({
      dialect: inner.dialect,
      rowForms: ['arrays'],
      // A bug of the kind this guards against: one column dropped.
      execute: async (statement, options) =>
        options?.rows === 'arrays'
          ? (await inner.execute(statement, { ...options, rows: 'arrays' })).map((row) => row.slice(1))
          : inner.execute(statement, options),
      stream: (statement, options) => inner.stream(statement, options),
      healthCheck: () => inner.healthCheck(),
      close: () => inner.close(),
    })
    const layer = createSemanticLayer({ model: MODEL, connectors: { default: connector }, cache: false })
    try {
      await expect(layer.query({ dimensions: ['items.id', 'items.label'] })).rejects.toMatchObject({
        code: 'CONNECTOR_FAILED',
        issues: [{ code: 'ROW_WIDTH_MISMATCH' }],
      })
    } finally {
      await layer.close()
      db.close()
    }
  })
})
