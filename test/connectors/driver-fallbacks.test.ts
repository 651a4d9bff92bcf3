/**
 * Driver internals sit behind version pins (src/connectors/driver-support.ts): on any other driver
 * version, or with `fastPaths: false`, each connector takes its documented-API path instead. These
 * tests force the fallback (an injected version outside the pin, or the option) and check on the real
 * servers that it answers exactly what the fast path answers, and that it is the fallback that ran.
 */
import knexFactory from 'knex'
import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'
import { createPool as createMysqlPool } from 'mysql2/promise'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sqlStatement, type Connector } from '../../src/connectors/connector.js'
import { describeRange, inRange, installedVersion, resolvedPath } from '../../src/connectors/driver-support.js'
import { createMysql } from '../../src/connectors/mysql-connector.js'
import { MYSQL2_TESTED, mysqlInternals } from '../../src/connectors/mysql-fast-paths.js'
import { createPostgres, type KnexLike } from '../../src/connectors/postgres-connector.js'
import {
  installedPgVersions,
  PG_PROTOCOL_TESTED,
  PG_TESTED,
  pgFastPaths,
} from '../../src/connectors/postgres-fast-paths.js'
import { isSemanticLayerError, type SemanticLayerError } from '../../src/errors.js'
import { mysql } from '../../src/mysql.js'
import { postgres } from '../../src/postgres.js'

const require = createRequire(import.meta.url)
const pgUrl = process.env.CORTEX_TEST_PG_URL
const mysqlUrl = process.env.CORTEX_TEST_MYSQL_URL
const tag = randomBytes(4).toString('hex')

for (const [name, url] of [
  ['CORTEX_TEST_PG_URL', pgUrl],
  ['CORTEX_TEST_MYSQL_URL', mysqlUrl],
] as const) {
  if (!url && process.env.CI === 'true') {
    describe(`driver fallbacks (${name} missing on CI)`, () => {
      it('needs the server', () => {
        throw new Error(`${name} is required when CI=true`)
      })
    })
  }
}

async function rejection(promise: Promise<unknown>): Promise<SemanticLayerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isSemanticLayerError(error)) throw new Error(`expected a SemanticLayerError, got ${String(error)}`)
  return error
}

describe('version pins', () => {
  it('read installed versions from package.json, also where exports hide it (pg-protocol)', () => {
    expect(installedVersion('pg')).toBe((require('pg/package.json') as { version: string }).version)
    const protocol = installedVersion('pg-protocol', resolvedPath('pg'))
    expect(protocol).toMatch(/^1\.\d+\.\d+$/)
    expect(installedVersion('no-such-package-cortex')).toBeUndefined()
  })

  it('admit releases inside >=min <below only', () => {
    expect(describeRange(PG_TESTED)).toBe('>=8.11.0 <9.0.0')
    expect(['8.11.0', '8.23.1', '8.99.99'].map((v) => inRange(v, PG_TESTED))).toEqual([true, true, true])
    const outside = ['8.10.9', '9.0.0', '10.1.0', '8.24.0-beta.1', 'x', undefined]
    expect(outside.map((v) => inRange(v, PG_TESTED))).toEqual(outside.map(() => false))
    expect(inRange('3.24.6', MYSQL2_TESTED)).toBe(true)
    expect(inRange('4.0.0', MYSQL2_TESTED)).toBe(false)
  })

  it('turn pg internals on for the installed pg, and off for another version, a failed probe or fastPaths: false', () => {
    const installed = installedPgVersions()
    expect(inRange(installed.pg, PG_TESTED) && inRange(installed.pgProtocol, PG_PROTOCOL_TESTED)).toBe(true)
    expect(pgFastPaths(pg as never, installed, true)).toEqual({
      mappedRows: true,
      sessionPrefix: true,
      knexDispose: true,
    })
    expect(pgFastPaths(pg as never, { ...installed, pg: '9.0.0' }, true)).toMatchObject({
      mappedRows: false,
      sessionPrefix: false,
    })
    expect(pgFastPaths(pg as never, { ...installed, pgProtocol: '2.0.0' }, true).mappedRows).toBe(false)
    expect(pgFastPaths(pg as never, { ...installed, knex: '4.0.0' }, true).knexDispose).toBe(false)
    // A pg whose Query lacks the row handlers (a probe, not a version, says no).
    const changed = { Query: { prototype: {} }, Connection: pg.Connection } as never
    expect(pgFastPaths(changed, installed, true)).toMatchObject({ mappedRows: false, sessionPrefix: false })
    expect(pgFastPaths(pg as never, installed, false)).toEqual({
      mappedRows: false,
      sessionPrefix: false,
      knexDispose: false,
    })
    expect([mysqlInternals('3.24.6', true), mysqlInternals('4.1.0', true), mysqlInternals('3.24.6', false)]).toEqual([
      true,
      false,
      false,
    ])
  })
})

/** Every statement text a pg client was asked to run (config objects and submittables alike). */
function recordTexts(pool: pg.Pool, classes: string[] = []): string[] {
  const texts: string[] = []
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown
    ;(client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0] as { text?: unknown } | string
      texts.push(typeof first === 'string' ? first : String(first?.text ?? ''))
      // The classes in a submitted query's prototype chain (MappedQuery: the fast path's subclass).
      for (let p = Object.getPrototypeOf(first); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
        classes.push((p as { constructor: { name: string } }).constructor.name)
      }
      return query(...args)
    }
  })
  return texts
}

describe.skipIf(!pgUrl)('PostgreSQL fallbacks (set CORTEX_TEST_PG_URL)', () => {
  const schema = `cortex_fallback_${tag}`
  const outside = { ...installedPgVersions(), pg: '9.0.0' }
  let admin: pg.Client
  const opened: Connector[] = []
  const track = (c: Connector): Connector => {
    opened.push(c)
    return c
  }
  const SQL = 'SELECT id, label, amount, big, at, flag, $1::text AS p FROM events WHERE id >= $2 ORDER BY id'
  const params = ['hé', 1]

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: pgUrl })
    await admin.connect()
    await admin.query(`CREATE SCHEMA ${schema}`)
    await admin.query(
      `CREATE TABLE ${schema}.events (id int PRIMARY KEY, label text, amount numeric(12,4), big int8,` +
        ' at timestamptz, flag boolean)',
    )
    await admin.query(
      `INSERT INTO ${schema}.events SELECT g, 'row ' || g, g * 1.25, 9007199254740993 + g,` +
        " timestamptz '2024-03-10 01:30:00+00' + g * interval '1 hour', g % 2 = 0 FROM generate_series(1, 700) g",
    )
    await admin.query(`INSERT INTO ${schema}.events VALUES (701, NULL, NULL, NULL, NULL, NULL)`)
  })
  afterAll(async () => {
    await Promise.all(opened.map((c) => c.close()))
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await admin?.end()
  })

  const connection = { connectionString: pgUrl!, options: `-c search_path=${schema}` }

  it('maps rows through pg array rows (no Query subclass) with the same values, errors and a usable connection', async () => {
    const fast = track(createPostgres({ connection, pool: { max: 1 } }))
    const fallback = track(createPostgres({ connection, pool: { max: 1 } }, outside))
    const byOption = track(postgres({ connection, pool: { max: 1 }, fastPaths: false }))
    const statement = sqlStatement(SQL, params)
    const pair = (row: readonly unknown[]) => [row[0], row.slice(1)]
    const expected = await fast.execute(statement, { map: pair })
    expect(expected).toHaveLength(701)
    for (const c of [fallback, byOption]) {
      expect(await c.execute(statement, { map: pair })).toEqual(expected)
      expect(await c.execute(statement, { rows: 'arrays' })).toEqual(await fast.execute(statement, { rows: 'arrays' }))
      expect(await c.execute(statement)).toEqual(await fast.execute(statement))
      let seen = 0
      const failing = await rejection(
        c.execute(statement, {
          map: () => {
            if (++seen === 3) throw new Error('map failed')
            return seen
          },
        }),
      )
      expect([failing.code, failing.issues[0]!.code, seen]).toEqual(['CONNECTOR_FAILED', 'ROW_MAP_FAILED', 3])
      expect(await c.execute(sqlStatement('SELECT $1::int AS n', [5]), { map: (row) => row[0] })).toEqual([5])
    }
    // Which path ran: the fast path submits its Query subclass, the fallback pg's own Query.
    const pool = new pg.Pool({ connectionString: pgUrl, max: 1 })
    const classes: string[] = []
    recordTexts(pool, classes)
    try {
      await createPostgres({ existingPool: pool, searchPath: [schema] }).execute(statement, { map: pair })
      expect(classes).toContain('MappedQuery')
      classes.length = 0
      await createPostgres({ existingPool: pool, searchPath: [schema] }, outside).execute(statement, { map: pair })
      expect(classes).toContain('Query')
      expect(classes).not.toContain('MappedQuery')
    } finally {
      await pool.end()
    }
  })

  it('gives statements on a host pool their settings inside a transaction, leaving the host session as it was', async () => {
    const pool = new pg.Pool({ connectionString: pgUrl, max: 1 })
    const texts = recordTexts(pool)
    try {
      const host = await pool.connect()
      await host.query("SET TIME ZONE 'America/New_York'; SET search_path TO public")
      host.release()
      const fast = createPostgres({ existingPool: pool, searchPath: [schema] })
      const fallback = createPostgres({ existingPool: pool, searchPath: [schema] }, outside)
      const settings =
        "SELECT current_setting('TimeZone') AS tz, current_setting('search_path') AS sp, count(*)::int AS n FROM events"
      const expected = [{ tz: 'UTC', sp: `"${schema}"`, n: 701 }]
      texts.length = 0
      expect(await fast.execute(sqlStatement(settings, []))).toEqual(expected)
      expect(texts).not.toContain('BEGIN') // the prefix rides with the statement
      texts.length = 0
      expect(await fallback.execute(sqlStatement(settings, []))).toEqual(expected)
      expect(await fallback.execute(sqlStatement(settings, []), { rows: 'arrays' })).toEqual([
        ['UTC', `"${schema}"`, 701],
      ])
      expect(await fallback.execute(sqlStatement(SQL, params), { map: (r) => r[0] })).toHaveLength(701)
      expect(texts.filter((t) => t === 'BEGIN')).toHaveLength(3)
      expect(texts.filter((t) => t === 'COMMIT')).toHaveLength(3)
      // A failing statement rolls the transaction back; the connection serves the next one.
      const failed = await rejection(fallback.execute(sqlStatement('SELECT no_such_column FROM events', [])))
      expect(failed.issues[0]!.code).toBe('POSTGRES_ERROR')
      expect(texts).toContain('ROLLBACK')
      expect(await fallback.execute(sqlStatement(settings, []))).toEqual(expected)
      // Streams too.
      const streamed: unknown[] = []
      for await (const row of fallback.stream(sqlStatement(settings, []))) streamed.push(row)
      expect(streamed).toEqual(expected)
      // Timeouts still stop the statement (inside the transaction) and leave the connection usable.
      const slow = await rejection(fallback.execute(sqlStatement('SELECT pg_sleep(5)', []), { timeoutMs: 200 }))
      expect(slow.code).toBe('QUERY_TIMEOUT')
      // The host's session kept its own settings.
      const after = await pool.query("SELECT current_setting('TimeZone') AS tz, current_setting('search_path') AS sp")
      expect(after.rows).toEqual([{ tz: 'America/New_York', sp: 'public' }])
    } finally {
      await pool.end()
    }
  })

  it('ends a broken knex connection with pg end() instead of setting knex internals, and knex discards it', async () => {
    const knex = knexFactory({ client: 'pg', connection: { connectionString: pgUrl! }, pool: { min: 0, max: 1 } })
    try {
      const c = postgres({ knex: knex as unknown as KnexLike, searchPath: [schema], fastPaths: false })
      const pid = async (): Promise<number> =>
        ((await c.execute(sqlStatement('SELECT pg_backend_pid() AS pid', []))) as { pid: number }[])[0]!.pid
      const first = await pid()
      const marker = `cortex_fallback_${tag}`
      const running = rejection(c.execute(sqlStatement(`SELECT pg_sleep(5) /* ${marker} */`, [])))
      for (let i = 0; i < 100; i++) {
        const { rowCount } = await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE strpos(query, $1) > 0 AND pid <> pg_backend_pid()`,
          [marker],
        )
        if (rowCount) break
        await new Promise((r) => setTimeout(r, 20))
      }
      expect((await running).issues[0]!.code).toBe('CONNECTION_LOST')
      const second = await pid() // a fresh connection from knex's pool
      expect(second).not.toBe(first)
      expect(await c.execute(sqlStatement('SELECT count(*)::int AS n FROM events', []))).toEqual([{ n: 701 }])
    } finally {
      await knex.destroy()
    }
  })
})

describe.skipIf(!mysqlUrl)('MySQL/MariaDB fallbacks (set CORTEX_TEST_MYSQL_URL)', () => {
  const database = `cortex_fallback_${tag}`
  let pool: ReturnType<typeof createMysqlPool>
  const opened: Connector[] = []
  const track = (c: Connector): Connector => {
    opened.push(c)
    return c
  }
  const withDb = (): string => {
    const u = new URL(mysqlUrl!)
    u.pathname = `/${database}`
    return u.toString()
  }

  beforeAll(async () => {
    pool = createMysqlPool({ uri: mysqlUrl, connectionLimit: 2, multipleStatements: true } as never)
    await pool.query(`CREATE DATABASE ${database}`)
    await pool.query(
      `CREATE TABLE ${database}.events (id INT PRIMARY KEY, label VARCHAR(20), amount DECIMAL(12,4),` +
        ' big BIGINT, at DATETIME(3))',
    )
    const rows = Array.from({ length: 300 }, (_, i) => i + 1)
    await pool.query(
      `INSERT INTO ${database}.events VALUES ${rows.map((i) => `(${i}, 'row ${i}', ${i * 1.25}, ${9007199254740993n + BigInt(i)}, '2024-03-10 01:30:00')`).join(', ')}`,
    )
  })
  afterAll(async () => {
    await Promise.all(opened.map((c) => c.close()))
    await pool?.query(`DROP DATABASE IF EXISTS ${database}`)
    await pool?.end()
  })

  it('answers the same rows, knows the server flavour from SELECT VERSION(), and leaves out pool counters', async () => {
    const fast = track(createMysql({ connection: withDb(), pool: { max: 1 } }))
    const fallback = track(createMysql({ connection: withDb(), pool: { max: 1 } }, '4.0.0'))
    const byOption = track(mysql({ connection: withDb(), pool: { max: 1 }, fastPaths: false }))
    const statement = sqlStatement('SELECT id, label, amount, big, at, ? AS p FROM events WHERE id >= ? ORDER BY id', [
      'hé',
      1,
    ])
    const [{ version }] = (await fast.execute(sqlStatement('SELECT VERSION() AS version', []))) as [{ version: string }]
    const mariadb = /mariadb/i.test(version)
    // MariaDB statements carry the optimizer switch; the fallback must know the flavour to send it.
    const switched = sqlStatement("SELECT @@optimizer_switch LIKE '%split_materialized=off%' AS off", [])
    for (const c of [fallback, byOption]) {
      expect(await c.execute(statement)).toEqual(await fast.execute(statement))
      expect(await c.execute(statement, { rows: 'arrays' })).toEqual(await fast.execute(statement, { rows: 'arrays' }))
      expect(await c.execute(statement, { map: (r) => r[3] })).toEqual(
        await fast.execute(statement, { map: (r) => r[3] }),
      )
      expect(await c.execute(switched)).toEqual([{ off: mariadb ? 1 : 0 }])
      const health = await c.healthCheck()
      expect(health.ok).toBe(true)
      expect(health.pool).toBeUndefined()
    }
    expect((await fast.healthCheck()).pool).toMatchObject({ total: 1 })
  })

  it('on a host pool, carries the session settings without the handshake fields and leaves the host session alone', async () => {
    const host = createMysqlPool({ uri: withDb(), connectionLimit: 1 } as never)
    try {
      await host.query("SET time_zone = '+05:00'")
      const c = createMysql({ existingPool: host }, '4.0.0')
      expect(await c.execute(sqlStatement('SELECT @@session.time_zone AS tz, count(*) AS n FROM events', []))).toEqual([
        { tz: '+00:00', n: '300' }, // BIGINT as exact text
      ])
      const [rows] = (await host.query('SELECT @@session.time_zone AS tz, VERSION() AS v')) as unknown as [
        { tz: string; v: string }[],
      ]
      // MariaDB: SET STATEMENT … FOR leaves the session as it was; MySQL sets it at checkout (documented).
      expect(rows[0]!.tz).toBe(/mariadb/i.test(rows[0]!.v) ? '+05:00' : '+00:00')
    } finally {
      await host.end()
    }
  })

  it('drops a connection killed under a running statement by its error alone, and serves the next statement', async () => {
    const c = track(createMysql({ connection: withDb(), pool: { max: 1 } }, '4.0.0'))
    const [{ id }] = (await c.execute(sqlStatement('SELECT CONNECTION_ID() AS id', []))) as [{ id: number }]
    const marker = `cortex_fallback_${tag}`
    const running = rejection(c.execute(sqlStatement(`SELECT SLEEP(5) /* ${marker} */`, [])))
    for (let i = 0; i < 100; i++) {
      const [found] = (await pool.query('SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE ?', [
        `%${marker}%`,
      ])) as unknown as [{ ID: number }[]]
      if (found.some((r) => Number(r.ID) === Number(id))) break
      await new Promise((r) => setTimeout(r, 20))
    }
    await pool.query(`KILL ${Number(id)}`)
    expect((await running).issues[0]!.code).toBe('CONNECTION_LOST')
    const [{ id: next }] = (await c.execute(sqlStatement('SELECT CONNECTION_ID() AS id', []))) as [{ id: number }]
    expect(next).not.toBe(id)
  })
})
