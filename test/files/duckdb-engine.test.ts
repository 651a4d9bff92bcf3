/**
 * files({ engine: 'duckdb' }): the same loader into DuckDB. What differs from SQLite is the store (typed
 * DuckDB columns, an asynchronous commit, tables dropped when no statement from before a swap runs), so
 * these check the swap semantics of ADR 12 on DuckDB: whole versions only, streams finishing on the old
 * version, failed loads keeping the data, errors naming the file; and that SQLite stays the default.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sqlStatement } from '../../src/connectors/connector.js'
import { files, type FilesConnector, type FilesOptions } from '../../src/files.js'
import { createSemanticLayer, type SemanticLayerError } from '../../src/index.js'
import { tempDir, type TempDir } from './helpers.js'

let dir: TempDir
const open: { close(): Promise<void> }[] = []
beforeAll(() => {
  dir = tempDir()
})
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()))
  dir.remove()
})

function connect(options: Omit<FilesOptions, 'engine'>): FilesConnector {
  const c = files({ baseDir: dir.path, engine: 'duckdb', ...options })
  open.push(c)
  return c
}

const orders = (n: number, amount = 1) =>
  `id,amount\n${Array.from({ length: n }, (_, i) => `${i + 1},${amount}`).join('\n')}\n`
const count = async (c: FilesConnector, table = 'orders') => {
  const [row] = await c.execute(sqlStatement(`SELECT count(*) AS n, sum(amount) AS s FROM ${table}`, []))
  return { n: Number(row!.n), s: Number(row!.s) }
}
const physicalTables = async (c: FilesConnector) =>
  (await c.execute(sqlStatement('SELECT table_name AS t FROM duckdb_tables() ORDER BY 1', []))).map((r) => r.t)

describe("files({ engine: 'duckdb' })", () => {
  it('keeps SQLite as the default engine and refuses an unknown one', () => {
    expect(files({ tables: { o: 'o.csv' } }).dialect.name).toBe('sqlite')
    expect(files({ tables: { o: 'o.csv' }, engine: 'duckdb' }).dialect.name).toBe('duckdb')
    expect(() => files({ tables: { o: 'o.csv' }, engine: 'postgres' as never })).toThrowError(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    )
  })

  it('loads typed columns and answers layer queries with the DuckDB dialect', async () => {
    const file = dir.file(
      't.csv',
      'id,amount,paid,at,note\n1,1.5,true,2024-03-31 00:30:00,a\n2,2.5,false,2024-03-31 01:30:00,\n',
    )
    const c = connect({ tables: { t: file } })
    await c.load()
    expect(c.status().t!.columns.map((col) => col.type)).toEqual(['integer', 'number', 'boolean', 'time', 'text'])
    const types = await c.execute(
      sqlStatement("SELECT data_type AS d FROM duckdb_columns() WHERE table_name LIKE 't__v%' ORDER BY column_index"),
    )
    expect(types.map((r) => r.d)).toEqual(['BIGINT', 'DOUBLE', 'BOOLEAN', 'TIMESTAMP', 'VARCHAR'])
    const model = {
      cubes: [
        {
          name: 't',
          sql_table: 't',
          dimensions: [
            { name: 'id', sql: 'id', type: 'number', primary_key: true },
            { name: 'at', sql: '"at"', type: 'time' },
            { name: 'paid', sql: 'paid', type: 'boolean' },
          ],
          measures: [{ name: 'amount', sql: 'amount', type: 'sum' }],
        },
      ],
    }
    const layer = createSemanticLayer({ model, connectors: { default: c } })
    const { data } = await layer.query({
      measures: ['t.amount'],
      dimensions: ['t.paid'],
      timeDimensions: [{ dimension: 't.at', granularity: 'hour' }],
      timezone: 'Europe/Berlin',
      order: { 't.at': 'asc' },
    })
    // 00:30 and 01:30 UTC on the day Berlin springs forward: 01:00 CET and 03:00 CEST.
    expect(data).toEqual([
      { 't.paid': true, 't.at.hour': '2024-03-31T01:00:00.000', 't.at': '2024-03-31T01:00:00.000', 't.amount': 1.5 },
      { 't.paid': false, 't.at.hour': '2024-03-31T03:00:00.000', 't.at': '2024-03-31T03:00:00.000', 't.amount': 2.5 },
    ])
    await layer.close()
  })

  it('swaps a reload in whole; a stream from before the swap finishes on the old version, then it is dropped', async () => {
    const file = dir.file('s.csv', orders(5000))
    const c = connect({ tables: { orders: file } })
    await c.load()
    const v1 = c.status().orders!.version
    const stream = c.stream(sqlStatement('SELECT id, amount FROM orders ORDER BY id', []))[Symbol.asyncIterator]()
    const first = await stream.next()
    expect(first.value).toEqual({ id: 1n, amount: 1n }) // integer columns are BIGINT
    dir.file('s.csv', orders(10, 7))
    await c.reload('orders')
    expect(c.status().orders!.version).not.toBe(v1)
    expect(await count(c)).toEqual({ n: 10, s: 70 })
    let rows = 1
    let sum = 1
    for (let r = await stream.next(); !r.done; r = await stream.next()) {
      rows++
      sum += Number((r.value as { amount: bigint }).amount)
    }
    expect({ rows, sum }).toEqual({ rows: 5000, sum: 5000 })
    // The drop starts when the stream's lease is released and runs on a connection of its own.
    let tables = await physicalTables(c)
    for (let i = 0; i < 100 && tables.length > 1; i++) tables = await physicalTables(c)
    expect(tables).toEqual(['orders__v2'])
  })

  it('shows statements during a load only the previous version, whole', async () => {
    const file = dir.file('h.csv', orders(10))
    const during: Promise<unknown>[] = []
    let c: FilesConnector | undefined
    c = connect({
      tables: { orders: file },
      onProgress: () => {
        if (c!.status().orders!.loaded) during.push(count(c!))
      },
    })
    await c.load()
    dir.file('h.csv', orders(200_000, 3))
    await c.reload('orders')
    expect(during.length).toBeGreaterThan(2)
    const seen = (await Promise.all(during)).map((r) => JSON.stringify(r))
    const allowed = [JSON.stringify({ n: 10, s: 10 }), JSON.stringify({ n: 200_000, s: 600_000 })]
    expect(seen.every((r) => allowed.includes(r))).toBe(true)
    expect(seen[0]).toBe(allowed[0])
    expect(await count(c)).toEqual({ n: 200_000, s: 600_000 })
  })

  it('keeps the previous data when a reload is bad, with an error naming the file and line', async () => {
    const file = dir.file('b.csv', orders(2))
    const c = connect({ tables: { orders: file }, onError: () => undefined })
    await c.load()
    dir.file('b.csv', 'id,amount\n1,2\n2,3,4\n')
    const error = await c.reload('orders').then(
      () => undefined,
      (e: SemanticLayerError) => e,
    )
    expect(error?.issues[0]?.code).toBe('FIELD_COUNT')
    expect(error?.message).toContain('b.csv')
    expect(error?.message).toContain('line 3')
    expect(await count(c)).toEqual({ n: 2, s: 2 })
    expect(await physicalTables(c)).toEqual(['orders__v1'])
  })

  it("says which table's load failed when a statement reads a table that never loaded", async () => {
    const c = connect({ tables: { orders: dir.file('bad.csv', 'id,amount\n1,2,3\n') }, onError: () => undefined })
    const error = await c.execute(sqlStatement('SELECT * FROM orders')).then(
      () => undefined,
      (e: SemanticLayerError) => e,
    )
    expect(error?.issues[0]?.code).toBe('FIELD_COUNT')
  })
})
