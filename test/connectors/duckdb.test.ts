/**
 * The DuckDB connector on a real in-process DuckDB: options, opening files, the layer's value rules
 * (BIGINT/HUGEINT, exact DECIMAL, TIMESTAMPTZ without the process time zone), the three row forms,
 * errors without values, cancellation and timeouts stopping the statement, streams, the pool and what a
 * host hands over (an instance or a connection: never closed, its session left alone).
 */
import { DuckDBInstance } from '@duckdb/node-api'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { sqlStatement } from '../../src/connectors/connector.js'
import { describeDuckDBError } from '../../src/connectors/duckdb-connector.js'
import { utcMicrosText } from '../../src/connectors/duckdb-values.js'
import { duckdb } from '../../src/duckdb.js'
import { createSemanticLayer, isSemanticLayerError, type SemanticLayerError } from '../../src/index.js'

const dir = mkdtempSync(join(tmpdir(), 'cortex-duckdb-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function rejection(promise: Promise<unknown>): Promise<SemanticLayerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isSemanticLayerError(error)) throw new Error(`expected a SemanticLayerError, got ${String(error)}`)
  return error
}

/** A statement that runs until it is stopped (about 10^13 rows). */
const ENDLESS = sqlStatement('SELECT sum(hash(i)) AS s FROM range(10000000000000) r(i)')

describe('duckdb(): options', () => {
  it('needs exactly one of path, instance or connection, and checks each option', () => {
    for (const bad of [{}, { path: ':memory:', instance: {} }, { instance: { connect: 1 } }, { connection: {} }]) {
      expect(() => duckdb(bad as never)).toThrowError(expect.objectContaining({ code: 'CONFIG_INVALID' }))
    }
    const error = (() => {
      try {
        duckdb({ path: ':memory:', maxConnections: 0, readOnly: 'yes' } as never)
      } catch (e) {
        return e as SemanticLayerError
      }
    })()
    expect(error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['maxConnections', 'readOnly'])
    expect(() => duckdb({ path: ':memory:', pathh: 1 } as never)).toThrowError(/path/)
  })

  it('refuses a missing file by name unless create: true, and reopens it read-only', async () => {
    const file = join(dir, 'new.duckdb')
    const missing = duckdb({ path: file })
    const error = await rejection(missing.execute(sqlStatement('SELECT 1')))
    expect(error.issues[0]).toMatchObject({ code: 'DUCKDB_FILE_NOT_FOUND', path: ['path'] })
    expect(error.message).toContain(file)
    expect(existsSync(file)).toBe(false)

    const created = duckdb({ path: file, create: true })
    await created.execute(sqlStatement('CREATE TABLE t AS SELECT 42 AS n'))
    await created.close()
    const readOnly = duckdb({ path: file, readOnly: true })
    expect(await readOnly.execute(sqlStatement('SELECT n FROM t'))).toEqual([{ n: 42 }])
    const write = await rejection(readOnly.execute(sqlStatement('INSERT INTO t VALUES (1)')))
    expect(write.code).toBe('CONNECTOR_FAILED')
    await readOnly.close()
    expect(duckdb({ path: file }).id).toBe(`duckdb:file:${file}`)
    expect(duckdb({ path: ':memory:' }).id).not.toBe(duckdb({ path: ':memory:' }).id)
  })
})

describe('duckdb(): values by the layer rules', () => {
  it('gives integers as numbers, BIGINT/HUGEINT as bigint, DECIMAL as exact text, times as UTC text', async () => {
    const c = duckdb({ path: ':memory:' })
    const [row] = await c.execute(
      sqlStatement(
        "SELECT 7::INTEGER AS i, 12::BIGINT AS b, 123456789012345678901234::HUGEINT AS h, 123456789012345678.12::DECIMAL(38,2) AS d, -0.05::DECIMAL(10,2) AS dn, 1.5::DOUBLE AS f, TIMESTAMP '2024-03-10 07:30:00.123' AS t, TIMESTAMPTZ '2024-03-10 07:30:00.5+02' AS tz, DATE '2024-01-02' AS day, true AS yes, NULL AS nothing",
      ),
    )
    expect(row).toEqual({
      i: 7,
      b: 12n,
      h: 123456789012345678901234n,
      d: '123456789012345678.12',
      dn: '-0.05',
      f: 1.5,
      t: '2024-03-10 07:30:00.123',
      tz: '2024-03-10 05:30:00.5+00',
      day: '2024-01-02',
      yes: true,
      nothing: null,
    })
    await c.close()
  })

  it('formats TIMESTAMPTZ microseconds in UTC, before 1970 too', () => {
    expect(utcMicrosText(0n)).toBe('1970-01-01 00:00:00+00')
    expect(utcMicrosText(-1n)).toBe('1969-12-31 23:59:59.999999+00')
    expect(utcMicrosText(1_710_055_800_123_456n)).toBe('2024-03-10 07:30:00.123456+00')
  })

  it('through a layer: exact sums as numbers or text, and integers beyond 2^53 as exact text', async () => {
    const c = duckdb({ path: ':memory:' })
    await c.execute(
      sqlStatement(
        "CREATE TABLE t AS SELECT * FROM (VALUES (1, 0.1::DECIMAL(20,2), 9007199254740993::BIGINT, TIMESTAMP '2024-01-31 23:30:00'), (2, 0.2::DECIMAL(20,2), 1::BIGINT, TIMESTAMP '2024-02-01 00:30:00')) v(id, amount, big, \"at\")",
      ),
    )
    const model = {
      cubes: [
        {
          name: 't',
          sql_table: 't',
          dimensions: [
            { name: 'id', sql: 'id', type: 'number', primary_key: true },
            { name: 'at', sql: '"at"', type: 'time' },
          ],
          measures: [
            { name: 'amount', sql: 'amount', type: 'sum' },
            { name: 'big', sql: 'big', type: 'max' },
          ],
        },
      ],
    }
    const asNumber = createSemanticLayer({ model, connectors: { default: c } })
    const asText = createSemanticLayer({ model, connectors: { default: c }, decimals: 'string' })
    expect((await asNumber.query({ measures: ['t.amount', 't.big'] })).data).toEqual([
      { 't.amount': 0.3, 't.big': '9007199254740993' },
    ])
    expect((await asText.query({ measures: ['t.amount'] })).data).toEqual([{ 't.amount': '0.30' }])
    const byMonth = await asNumber.query({
      measures: ['t.amount'],
      timeDimensions: [{ dimension: 't.at', granularity: 'month' }],
      timezone: 'Europe/Berlin',
    })
    expect(byMonth.data).toEqual([
      { 't.at.month': '2024-02-01T00:00:00.000', 't.at': '2024-02-01T00:00:00.000', 't.amount': 0.3 },
    ])
    await asNumber.close()
    await asText.close()
  })
})

describe('duckdb(): row forms, errors, cancellation', () => {
  const c = duckdb({ path: ':memory:', maxConnections: 2 })
  afterAll(() => c.close())
  const three = sqlStatement('SELECT i AS n, i * 2 AS twice FROM range(1, 4) r(i) ORDER BY i')

  it('answers objects, arrays and mapped rows alike', async () => {
    expect(await c.execute(three)).toEqual([
      { n: 1n, twice: 2n },
      { n: 2n, twice: 4n },
      { n: 3n, twice: 6n },
    ])
    expect(await c.execute(three, { rows: 'arrays' })).toEqual([
      [1n, 2n],
      [2n, 4n],
      [3n, 6n],
    ])
    expect(await c.execute(three, { map: (r) => Number(r[0]) + Number(r[1]) })).toEqual([3, 6, 9])
  })

  it('a throwing map fails as ROW_MAP_FAILED and the connection stays usable', async () => {
    const error = await rejection(
      c.execute(sqlStatement('SELECT * FROM range(10000)'), {
        map: () => {
          throw new Error('row value 42')
        },
      }),
    )
    expect(error.issues[0]?.code).toBe('ROW_MAP_FAILED')
    expect(error.message).not.toContain('42')
    expect(await c.execute(sqlStatement('SELECT 1 AS one'))).toEqual([{ one: 1 }])
  })

  it('binds parameters and keeps their values out of error messages', async () => {
    expect(await c.execute(sqlStatement('SELECT $1::INTEGER + $2 AS x, $3 AS s', [1, 2, 'é']))).toEqual([
      { x: 3, s: 'é' },
    ])
    const error = await rejection(c.execute(sqlStatement('SELECT CAST($1 AS INTEGER) AS n', ['secret-value'])))
    expect(error).toMatchObject({ code: 'CONNECTOR_FAILED' })
    expect(error.issues[0]?.code).toBe('DUCKDB_ERROR')
    expect(error.message).toContain('Conversion Error')
    expect(error.message).not.toContain('secret-value')
    expect((error.cause as Error).message).toContain('secret-value')
    const literal = await rejection(c.execute(sqlStatement("SELECT * FROM missing_table WHERE x = 'hidden'")))
    expect(literal.message).toContain('missing_table')
    expect(literal.message).not.toContain('hidden')
  })

  it('masks quoted values and cuts the statement excerpt from driver messages', () => {
    const message = "Conversion Error: Could not convert string 'abc' to INT32\n\nLINE 1: SELECT 'abc'::int\n ^"
    expect(describeDuckDBError(new Error(message))).toBe("Conversion Error: Could not convert string '…' to INT32")
  })

  it('stops a statement on timeoutMs and on its AbortSignal, and the pool keeps working', async () => {
    const timedOut = await rejection(c.execute(ENDLESS, { timeoutMs: 50 }))
    expect(timedOut.code).toBe('QUERY_TIMEOUT')
    const controller = new AbortController()
    const running = c.execute(ENDLESS, { signal: controller.signal })
    setTimeout(() => controller.abort(), 20)
    expect((await rejection(running)).code).toBe('QUERY_CANCELLED')
    const aborted = new AbortController()
    aborted.abort()
    expect((await rejection(c.execute(three, { signal: aborted.signal }))).code).toBe('QUERY_CANCELLED')
    // Both connections of the pool answer again.
    const again = await Promise.all([c.execute(three), c.execute(three), c.execute(three)])
    expect(again.map((r) => r.length)).toEqual([3, 3, 3])
  })

  it('streams object rows and stops the statement when its signal aborts', async () => {
    const seen: unknown[] = []
    for await (const row of c.stream(sqlStatement('SELECT i FROM range(5000) r(i) ORDER BY i'))) seen.push(row)
    expect(seen).toHaveLength(5000)
    expect(seen[4999]).toEqual({ i: 4999n })
    const controller = new AbortController()
    const stream = c.stream(sqlStatement('SELECT i FROM range(100000000) r(i)'), { signal: controller.signal })
    let n = 0
    const error = await (async () => {
      try {
        for await (const _ of stream) if (++n === 10) controller.abort()
      } catch (e) {
        return e as SemanticLayerError
      }
    })()
    expect(error?.code).toBe('QUERY_CANCELLED')
    expect(n).toBe(10)
    expect((await c.healthCheck()).ok).toBe(true)
  })

  it('is unusable after close and says so', async () => {
    const closed = duckdb({ path: ':memory:' })
    await closed.execute(sqlStatement('SELECT 1'))
    await closed.close()
    expect((await rejection(closed.execute(sqlStatement('SELECT 1')))).issues[0]?.code).toBe('CLOSED')
    const health = await closed.healthCheck()
    expect(health.ok).toBe(false)
  })
})

describe('duckdb(): what the host hands over', () => {
  it('opens its own UTC connections on a host instance and never closes the instance', async () => {
    const instance = await DuckDBInstance.create(':memory:')
    const host = await instance.connect()
    await host.run("SET TimeZone = 'Asia/Kolkata'")
    const c = duckdb({ instance })
    expect(await c.execute(sqlStatement("SELECT current_setting('TimeZone') AS tz"))).toEqual([{ tz: 'UTC' }])
    await c.close()
    const still = await host.runAndReadAll("SELECT current_setting('TimeZone') AS tz")
    expect(still.getRowObjectsJson()).toEqual([{ tz: 'Asia/Kolkata' }])
    host.closeSync()
    instance.closeSync()
  })

  it('runs on a host connection without changing its session, and groups times the same in any session zone', async () => {
    const instance = await DuckDBInstance.create(':memory:')
    const host = await instance.connect()
    await host.run("SET TimeZone = 'Pacific/Auckland'")
    await host.run(
      "CREATE TABLE e AS SELECT TIMESTAMP '2024-03-31 00:30:00' AS at, TIMESTAMPTZ '2024-03-31 00:30:00+00' AS atz",
    )
    const c = duckdb({ connection: host })
    const model = {
      cubes: [
        {
          name: 'e',
          sql_table: 'e',
          dimensions: [
            { name: 'at', sql: '"at"', type: 'time' },
            { name: 'atz', sql: 'atz', type: 'time' },
          ],
          measures: [{ name: 'count', type: 'count' }],
        },
      ],
    }
    const layer = createSemanticLayer({ model, connectors: { default: c } })
    const result = await layer.query({
      measures: ['e.count'],
      timeDimensions: [
        { dimension: 'e.at', granularity: 'hour' },
        { dimension: 'e.atz', granularity: 'hour' },
      ],
      timezone: 'Europe/Berlin',
    })
    // 00:30 UTC on the day Berlin springs forward is 01:30 CET (the 02:00 hour does not exist).
    expect(result.data).toEqual([
      {
        'e.at.hour': '2024-03-31T01:00:00.000',
        'e.at': '2024-03-31T01:00:00.000',
        'e.atz.hour': '2024-03-31T01:00:00.000',
        'e.atz': '2024-03-31T01:00:00.000',
        'e.count': 1,
      },
    ])
    await layer.close()
    const still = await host.runAndReadAll("SELECT current_setting('TimeZone') AS tz")
    expect(still.getRowObjectsJson()).toEqual([{ tz: 'Pacific/Auckland' }])
    host.closeSync()
    instance.closeSync()
  })
})
