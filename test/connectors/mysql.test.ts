/**
 * The MySQL / MariaDB connector against a real server (CORTEX_TEST_MYSQL_URL). Each file works in its
 * own database `cortex_my_conn_<random>` so parallel files never collide, and counts this file's server
 * connections through information_schema.PROCESSLIST (DB = that database).
 */
import { createRequire } from 'node:module'
import knexFactory from 'knex'
import { createConnection, createPool, type Connection, type RowDataPacket } from 'mysql2/promise'
import { afterAll, beforeAll, describe, expect, it, test } from 'vitest'
import { describeMysqlError, loadMysqlDriver } from '../../src/connectors/mysql-connector.js'
import type { ExecuteOptions } from '../../src/connectors/connector.js'
import { isSemanticLayerError, type SemanticLayerError } from '../../src/errors.js'
import { mysql, type KnexLike } from '../../src/mysql.js'
import { sqlStatement } from '../../src/connectors/connector.js'

const url = process.env.CORTEX_TEST_MYSQL_URL
if (!url && process.env.CI === 'true') {
  test('mysql connector needs a server in CI', () => {
    throw new Error('CORTEX_TEST_MYSQL_URL is required when CI=true')
  })
}

describe('mysql connector without a server', () => {
  it('says which package to install when mysql2 is missing (DRIVER_MISSING)', () => {
    const error = catchSync(() => loadMysqlDriver('mysql2-that-is-not-installed'))
    expect(error.code).toBe('DRIVER_MISSING')
    expect(error.message).toContain('npm install mysql2')
  })

  it('describes driver errors without quoted parts or parameter values', () => {
    const error = {
      code: 'ER_TRUNCATED_WRONG_VALUE',
      errno: 1292,
      sqlMessage: "Incorrect datetime value: 'x-secret' for column `t`.`at` at row 1",
    }
    expect(describeMysqlError(error, [])).toBe(
      "ER_TRUNCATED_WRONG_VALUE, errno 1292: Incorrect datetime value: '…' for column `t`.`at` at row 1",
    )
    expect(describeMysqlError({ message: 'unquoted secret-42 here' }, ['secret-42'])).toBe('unquoted … here')
    expect(describeMysqlError({ sqlMessage: "Table 'db.x' doesn't exist" })).toBe("Table '…' doesn't exist")
  })

  it('rejects a knex client whose connections are not mysql2 ones (CONFIG_INVALID), giving them back', async () => {
    let released = 0
    const c = mysql({
      knex: { client: { acquireConnection: async () => ({}), releaseConnection: async () => void released++ } },
    })
    expect((await rejection(c.execute(sqlStatement('SELECT 1', [])))).code).toBe('CONFIG_INVALID')
    expect(released).toBe(1)
    await c.close()
  })

  it('rejects options with none or more than one of connection / existingPool / knex (CONFIG_INVALID)', () => {
    expect(catchSync(() => mysql({})).code).toBe('CONFIG_INVALID')
    const pool = createPool({ uri: 'mysql://root@127.0.0.1:1/test' })
    expect(catchSync(() => mysql({ connection: 'mysql://x@127.0.0.1/test', existingPool: pool })).code).toBe(
      'CONFIG_INVALID',
    )
    void pool.end()
  })
})

describe.skipIf(!url)('mysql connector (set CORTEX_TEST_MYSQL_URL)', () => {
  const db = `cortex_my_conn_${Math.random().toString(36).slice(2, 10)}`
  let admin: Connection
  const dbUrl = (port?: number): string => {
    const u = new URL(url!)
    u.pathname = `/${db}`
    if (port !== undefined) u.port = String(port)
    return u.toString()
  }
  const adminRows = async (sql: string, params: unknown[] = []) => (await admin.query<RowDataPacket[]>(sql, params))[0]
  const serverConnections = async () =>
    Number((await adminRows('SELECT count(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ?', [db]))[0]!.n)
  const runningIds = async (marker: string) =>
    (
      await adminRows(
        'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE INFO LIKE ? AND ID <> CONNECTION_ID()',
        [`%${marker}%`],
      )
    ).map((r) => Number(r.id))

  beforeAll(async () => {
    admin = await createConnection(url!)
    await admin.query(`CREATE DATABASE \`${db}\``)
    await admin.query(
      `CREATE TABLE \`${db}\`.events (id INT PRIMARY KEY, at DATETIME(3) NOT NULL, amount DECIMAL(20, 4) NOT NULL, big BIGINT NOT NULL) ENGINE=InnoDB`,
    )
    await admin.query(`CREATE TABLE \`${db}\`.probe (v VARCHAR(40)) ENGINE=InnoDB`)
    await admin.query(
      `INSERT INTO \`${db}\`.events VALUES (1, '2024-01-01 10:00:00.250', 12345678901234.5678, 9007199254740993), (2, '2024-02-01 00:00:00.000', 1.5, 2), (3, '2024-03-01 00:00:00.000', 2.25, 3)`,
    )
  })
  afterAll(async () => {
    await admin?.query(`DROP DATABASE IF EXISTS \`${db}\``)
    await admin?.end()
  })

  it('binds text, number and instant parameters and keys rows by alias', async () => {
    const c = mysql({ connection: dbUrl(), pool: { max: 2 } })
    try {
      const rows = await c.execute(
        sqlStatement('SELECT ? AS label, ? + 1 AS n, CAST(? AS DATETIME(3)) AS at', [
          'hello',
          41,
          '2024-05-06 07:08:09.123',
        ]),
      )
      expect(rows).toEqual([{ label: 'hello', n: 42, at: '2024-05-06 07:08:09.123' }])
      const events = await c.execute(
        sqlStatement('SELECT id, at, amount, big FROM events WHERE at >= ? ORDER BY id LIMIT ? OFFSET ?', [
          '2024-01-01 10:00:00.250',
          2,
          0,
        ]),
      )
      // exact decimals and BIGINT as strings (the shape stage turns safe ones into numbers); times as UTC
      // text (mysql2's binary protocol leaves out an all-zero fraction; Cortex formats times with DATE_FORMAT)
      expect(events).toEqual([
        { id: 1, at: '2024-01-01 10:00:00.250', amount: '12345678901234.5678', big: '9007199254740993' },
        { id: 2, at: '2024-02-01 00:00:00', amount: '1.5000', big: '2' },
      ])
      expect(await c.execute(sqlStatement('SELECT id FROM events ORDER BY id LIMIT ? OFFSET ?', [1, 2]))).toEqual([
        { id: 3 },
      ])
    } finally {
      await c.close()
    }
  })

  it('executeArrays returns the same values as execute, as arrays in SELECT-list order', async () => {
    const c = mysql({ connection: dbUrl(), pool: { max: 1 } }) // one connection: both forms share its prepared statements
    try {
      const sql =
        'SELECT id, at, amount, big, ? AS label, id = 1 AS first, NULL AS nothing FROM events WHERE id <= ? ORDER BY id'
      const objects = await c.execute(sqlStatement(sql, ['hé', 2]))
      const arrays = await c.execute(sqlStatement(sql, ['hé', 2]), { rows: 'arrays' })
      expect(arrays).toEqual([
        [1, '2024-01-01 10:00:00.250', '12345678901234.5678', '9007199254740993', 'hé', 1, null],
        [2, '2024-02-01 00:00:00', '1.5000', '2', 'hé', 0, null],
      ])
      expect(arrays).toEqual(objects.map((row) => Object.values(row)))
      expect(await c.execute(sqlStatement(sql, ['hé', 2]))).toEqual(objects) // arrays do not stick to the prepared statement
      expect(await c.execute(sqlStatement('SELECT 1 AS a, 2 AS a', []), { rows: 'arrays' })).toEqual([[1, 2]]) // same-named columns stay apart
    } finally {
      await c.close()
    }
  })

  // executeMapped runs the statement as executeArrays does and maps the arrays in place: the same checks.
  it.each(['executeArrays', 'executeMapped'] as const)(
    '%s: MariaDB statement setting, timeouts, cancellation and errors as for execute',
    async (method) => {
      const c = mysql({ connection: dbUrl(), pool: { max: 1 } })
      const arrays = (sql: string, params: unknown[], o?: ExecuteOptions) =>
        method === 'executeArrays'
          ? c.execute(sqlStatement(sql, params), { ...o, rows: 'arrays' })
          : c.execute(sqlStatement(sql, params), { ...o, map: (row) => row })
      try {
        const [[version]] = (await arrays('SELECT VERSION()', [])) as [[string]]
        expect(await arrays("SELECT @@optimizer_switch LIKE '%split_materialized=off%'", [])).toEqual([
          [/mariadb/i.test(version) ? 1 : 0],
        ])
        const marker = `cortex_${method}_${Date.now()}`
        expect((await rejection(arrays(`SELECT /* ${marker} */ SLEEP(5) AS s`, [], { timeoutMs: 200 }))).code).toBe(
          'QUERY_TIMEOUT',
        )
        await expect.poll(() => runningIds(marker), { timeout: 2000, interval: 50 }).toEqual([])
        const controller = new AbortController()
        const running = rejection(arrays(`SELECT /* ${marker} */ SLEEP(5) AS s`, [], { signal: controller.signal }))
        await expect.poll(() => runningIds(marker), { timeout: 5000, interval: 20 }).toHaveLength(1)
        controller.abort()
        expect((await running).code).toBe('QUERY_CANCELLED')
        await expect.poll(() => runningIds(marker), { timeout: 2000, interval: 50 }).toEqual([])
        const secret = 'TOPSECRET-arrays-91b2'
        const error = await rejection(
          arrays('INSERT INTO events (id, at, amount, big) VALUES (?, ?, ?, ?)', [10, secret, 1, 1]),
        )
        expect([error.code, issueCode(error)]).toEqual(['CONNECTOR_FAILED', 'MYSQL_ERROR'])
        expect(String((error.cause as Error).message)).toContain(secret)
        expect(JSON.stringify(error)).not.toContain('TOPSECRET')
        expect(await arrays('SELECT ? AS ok', [1])).toEqual([[1]]) // the connection is still good
      } finally {
        await c.close()
      }
    },
  )

  it('on MariaDB, turns split materialization off for each of its statements only, not for the session', async () => {
    const c = mysql({ connection: dbUrl(), pool: { max: 1 } })
    try {
      const [{ version }] = (await c.execute(sqlStatement('SELECT VERSION() AS version', []))) as [{ version: string }]
      const off = "SELECT @@optimizer_switch LIKE '%split_materialized=off%' AS off"
      // Through the connector (statement-level setting on MariaDB); MySQL has no such switch.
      expect(await c.execute(sqlStatement(off, []))).toEqual([{ off: /mariadb/i.test(version) ? 1 : 0 }])
      // The session keeps the server's default: a plain query on the same (only) connection sees it.
      const driver = loadMysqlDriver() as unknown as {
        createConnection(url: string): {
          query(sql: string, cb: (e: unknown, rows: unknown) => void): void
          end(): void
        }
      }
      const plain = driver.createConnection(dbUrl())
      const rows = await new Promise<unknown>((resolve, reject) =>
        plain.query(off, (e, r) => (e ? reject(e) : resolve(r))),
      )
      plain.end()
      expect(rows).toEqual([{ off: 0 }])
    } finally {
      await c.close()
    }
  })

  it('runs every session in UTC and converts to named zones DST-correctly', async () => {
    const c = mysql({ connection: dbUrl(), pool: { max: 2 } })
    try {
      expect(await c.execute(sqlStatement('SELECT @@session.time_zone AS tz', []))).toEqual([{ tz: '+00:00' }])
      const sql = "SELECT DATE_FORMAT(CONVERT_TZ(?, '+00:00', ?), '%Y-%m-%d %H:%i:%s') AS local"
      expect(await c.execute(sqlStatement(sql, ['2024-03-10 07:00:00', 'America/New_York']))).toEqual([
        { local: '2024-03-10 03:00:00' },
      ])
      expect(await c.execute(sqlStatement(sql, ['2024-03-10 06:59:59', 'America/New_York']))).toEqual([
        { local: '2024-03-10 01:59:59' },
      ])
    } finally {
      await c.close()
    }
  })

  // Issue 15: with the server default (4 extra digits) 1.0 * 73 / 139 is 0.52518 and AVG over DECIMAL(x,2) keeps 6 decimals.
  it('divides exact numbers with 30 decimals on every connection path: own pool, host pools (also resetting ones), knex, streams', async () => {
    const require = createRequire(import.meta.url)
    const callbackApi = require('mysql2') as typeof import('mysql2')
    const promisePool = createPool({ uri: dbUrl(), connectionLimit: 1 })
    const callbackPool = callbackApi.createPool({ uri: dbUrl(), connectionLimit: 1 })
    const resetting = callbackApi.createPool({ uri: dbUrl(), connectionLimit: 1, resetOnRelease: true })
    const raw = callbackApi.createConnection({ uri: dbUrl() })
    const knex: KnexLike = { client: { acquireConnection: async () => raw, releaseConnection: async () => undefined } }
    const connectors = {
      own: mysql({ connection: dbUrl(), pool: { max: 1 } }),
      promisePool: mysql({ existingPool: promisePool }),
      callbackPool: mysql({ existingPool: callbackPool }),
      resetting: mysql({ existingPool: resetting }),
      knex: mysql({ knex }),
    }
    // Exact operands are literals and DECIMAL casts: mysql2 binds JS numbers as DOUBLE, which divides in floating point.
    const sql = `SELECT 1.0 * 73 / 139 AS ratio, (SELECT AVG(x) FROM (SELECT CAST(? AS DECIMAL(10,2)) AS x UNION ALL SELECT 2 UNION ALL SELECT 2) AS t) AS avg2,
      @@session.div_precision_increment AS digits`
    const params = ['1.00']
    const check = (ratio: unknown, avg2: unknown, digits: unknown, path: string): void => {
      expect(Math.abs(Number(ratio) - 73 / 139), path).toBeLessThan(1e-15)
      expect(Math.abs(Number(avg2) - 5 / 3), path).toBeLessThan(1e-15)
      expect(String(ratio).split('.')[1]!.length, path).toBeGreaterThanOrEqual(30)
      expect(Number(digits), path).toBe(30)
    }
    try {
      for (const [name, c] of Object.entries(connectors)) {
        for (let round = 0; round < 2; round++) {
          // the second round reuses the connection (reset, for `resetting`)
          const [object] = (await c.execute(sqlStatement(sql, params))) as [Record<string, unknown>]
          check(object.ratio, object.avg2, object.digits, `${name} execute`)
          const [array] = (await c.execute(sqlStatement(sql, params), { rows: 'arrays' })) as [unknown[]]
          check(array[0], array[1], array[2], `${name} executeArrays`)
          const [mapped] = (await c.execute(sqlStatement(sql, params), { map: (row) => row })) as [unknown[]]
          check(mapped[0], mapped[1], mapped[2], `${name} executeMapped`)
          for await (const row of c.stream(sqlStatement(sql, params)))
            check(row.ratio, row.avg2, row.digits, `${name} stream`)
        }
      }
      // The pool Cortex creates, after the server dropped the connection: the new one is set up too.
      const [{ id }] = (await connectors.own.execute(sqlStatement('SELECT CONNECTION_ID() AS id', []))) as [
        { id: number },
      ]
      await admin.query(`KILL ${Number(id)}`)
      await connectors.own.execute(sqlStatement('SELECT 1', [])).catch(() => undefined)
      const [again] = (await connectors.own.execute(sqlStatement(sql, params))) as [Record<string, unknown>]
      check(again.ratio, again.avg2, again.digits, 'own pool after a lost connection')
    } finally {
      await Promise.all(Object.values(connectors).map((c) => c.close()))
      await promisePool.end()
      await new Promise((resolve) => callbackPool.end(resolve))
      await new Promise((resolve) => resetting.end(resolve))
      raw.destroy()
    }
  })

  it('runs 500 concurrent queries through 5 connections and leaks none after close()', async () => {
    const c = mysql({ connection: dbUrl(), pool: { max: 5 } })
    const started = performance.now()
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        c.execute(sqlStatement('SELECT ? AS i, ? * 3 AS x, CONNECTION_ID() AS conn', [i, i])),
      ),
    )
    const elapsed = performance.now() - started
    console.log(`[mysql] 500 concurrent queries through a pool of 5: ${elapsed.toFixed(0)} ms`)
    results.forEach((rows, i) => expect(rows).toMatchObject([{ i, x: i * 3 }]))
    expect(new Set(results.map((rows) => rows[0]!.conn)).size).toBeLessThanOrEqual(5)
    const before = await serverConnections()
    expect(before).toBeGreaterThan(0)
    expect(before).toBeLessThanOrEqual(5)
    const health = await c.healthCheck()
    expect(health).toMatchObject({ ok: true, pool: { total: before, waiting: 0 } })
    await c.close()
    await expect.poll(serverConnections, { timeout: 2000, interval: 50 }).toBe(0)
    expect(issueCode(await rejection(c.execute(sqlStatement('SELECT 1', []))))).toBe('CLOSED')
  })

  it('keeps at most 256 prepared statements per connection by default (evicted ones are closed on the server)', async () => {
    const c = mysql({ connection: dbUrl(), pool: { max: 1 } })
    try {
      for (let i = 0; i < 300; i++)
        expect(await c.execute(sqlStatement(`SELECT ? + ${i} AS v`, [1]))).toEqual([{ v: 1 + i }])
      const [row] = await c.execute(
        sqlStatement(
          "SELECT VARIABLE_VALUE AS closed FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'COM_STMT_CLOSE'",
          [],
        ),
      )
      expect(Number(row!.closed)).toBeGreaterThanOrEqual(300 - 256)
    } finally {
      await c.close()
    }
  })

  it('stops a statement on the server when timeoutMs passes (QUERY_TIMEOUT)', async () => {
    const c = mysql({ connection: dbUrl(), pool: { max: 2 } })
    try {
      const marker = `cortex_timeout_${Date.now()}`
      const error = await rejection(
        c.execute(sqlStatement(`SELECT /* ${marker} */ SLEEP(30) AS s`, []), { timeoutMs: 200 }),
      )
      expect(error.code).toBe('QUERY_TIMEOUT')
      // The server interrupted it (a SLEEP run to its end fails nothing); no duration is asserted.
      expect((error.cause as { code?: string }).code).toBe('ER_QUERY_INTERRUPTED')
      await expect.poll(() => runningIds(marker), { timeout: 2000, interval: 50 }).toEqual([])
      expect(await c.execute(sqlStatement('SELECT ? AS ok', [1]))).toEqual([{ ok: 1 }]) // the connection is still good
    } finally {
      await c.close()
    }
  })

  it('times out while waiting for a busy pool instead of after the blocking query', async () => {
    const c = mysql({ connection: dbUrl(), pool: { max: 1 } })
    try {
      const marker = `cortex_blocker_${Date.now()}`
      const blocker = rejection(c.execute(sqlStatement(`SELECT /* ${marker} */ SLEEP(30) AS s`, [])))
      await expect.poll(() => runningIds(marker), { timeout: 5000, interval: 20 }).toHaveLength(1)
      // Timed out while waiting for the pool's one connection (the blocker would hold it for 30 s).
      expect((await rejection(c.execute(sqlStatement('SELECT 1 AS one', []), { timeoutMs: 200 }))).code).toBe(
        'QUERY_TIMEOUT',
      )
      expect(await runningIds(marker)).toHaveLength(1)
      await admin.query(`KILL QUERY ${(await runningIds(marker))[0]}`)
      await blocker
      expect(await c.execute(sqlStatement('SELECT 1 AS one', []))).toEqual([{ one: 1 }])
    } finally {
      await c.close()
    }
  })

  it('cancels with an AbortSignal (QUERY_CANCELLED) and never starts a pre-aborted statement', async () => {
    const c = mysql({ connection: dbUrl(), pool: { max: 2 } })
    try {
      const marker = `cortex_abort_${Date.now()}`
      const controller = new AbortController()
      const running = rejection(
        c.execute(sqlStatement(`SELECT /* ${marker} */ SLEEP(5) AS s`, []), { signal: controller.signal }),
      )
      await expect.poll(() => runningIds(marker), { timeout: 5000, interval: 20 }).toHaveLength(1)
      controller.abort()
      const error = await running
      expect(error.code).toBe('QUERY_CANCELLED')
      await expect.poll(() => runningIds(marker), { timeout: 2000, interval: 50 }).toEqual([])

      const aborted = AbortSignal.abort()
      expect(
        (await rejection(c.execute(sqlStatement('INSERT INTO probe VALUES (?)', ['pre-aborted']), { signal: aborted })))
          .code,
      ).toBe('QUERY_CANCELLED')
      expect(await c.execute(sqlStatement('SELECT count(*) AS n FROM probe', []))).toEqual([{ n: '0' }])
    } finally {
      await c.close()
    }
  })

  it('reports a killed connection as CONNECTOR_FAILED and keeps serving afterwards', async () => {
    const c = mysql({ connection: dbUrl(), pool: { max: 2 } })
    try {
      const marker = `cortex_kill_${Date.now()}`
      const running = rejection(c.execute(sqlStatement(`SELECT /* ${marker} */ SLEEP(5) AS s`, [])))
      await expect.poll(() => runningIds(marker), { timeout: 5000, interval: 20 }).toHaveLength(1)
      const [id] = await runningIds(marker)
      await admin.query(`KILL CONNECTION ${id}`)
      const error = await running
      expect(error.code).toBe('CONNECTOR_FAILED')
      expect(issueCode(error)).toBe('CONNECTION_LOST')
      expect((error.cause as { code?: string }).code).toMatch(/CONNECTION_LOST|CONNECTION_KILLED|ECONNRESET/)
      for (let i = 0; i < 10; i++) expect(await c.execute(sqlStatement('SELECT ? AS i', [i]))).toEqual([{ i }])
      const parallel = await Promise.all(
        Array.from({ length: 10 }, (_, i) => c.execute(sqlStatement('SELECT ? AS i', [i]))),
      )
      expect(parallel.map((rows) => rows[0]!.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    } finally {
      await c.close()
    }
  })

  it('fails an unreachable server with CONNECT_FAILED after retries, without hanging', async () => {
    const c = mysql({ connection: dbUrl(1), pool: { max: 2, connectionTimeoutMs: 1000 } })
    const error = await rejection(c.execute(sqlStatement('SELECT 1', [])))
    expect(error.code).toBe('CONNECTOR_FAILED')
    expect(issueCode(error)).toBe('CONNECT_FAILED')
    expect((error.cause as { code?: string }).code).toBe('ECONNREFUSED')
    const health = await c.healthCheck()
    expect(health.ok).toBe(false)
    expect(health.error).toContain('Could not connect to MySQL')
    await c.close()
  })

  it('keeps parameter values out of error messages (the driver error stays in cause)', async () => {
    const c = mysql({ connection: dbUrl(), pool: { max: 1 } })
    try {
      const secret = "O'Brien-TOPSECRET-7f3a9c" // the quote inside would end a naive quoted-part strip early
      const error = await rejection(
        c.execute(sqlStatement('INSERT INTO events (id, at, amount, big) VALUES (?, ?, ?, ?)', [9, secret, 1, 1])),
      )
      expect(error.code).toBe('CONNECTOR_FAILED')
      expect(issueCode(error)).toBe('MYSQL_ERROR')
      expect(String((error.cause as Error).message)).toContain(secret) // proves the check below could fail
      expect(error.message).not.toContain('TOPSECRET')
      expect(JSON.stringify(error)).not.toContain('TOPSECRET')
      expect(JSON.stringify(error)).not.toContain('Brien')
      expect(error.message).toMatch(/ER_TRUNCATED_WRONG_VALUE|errno 1292/)
    } finally {
      await c.close()
    }
  })

  it('borrows from a host pool (promise or callback API) and leaves it usable after close()', async () => {
    const hostPool = createPool({ uri: dbUrl(), connectionLimit: 2 })
    const require = createRequire(import.meta.url)
    const callbackPool = (require('mysql2') as typeof import('mysql2')).createPool({ uri: dbUrl(), connectionLimit: 1 })
    try {
      for (const pool of [hostPool, callbackPool]) {
        const c = mysql({ existingPool: pool })
        // the host did not ask for UTC sessions or date strings: Cortex sets both per connection / statement
        expect(
          await c.execute(sqlStatement('SELECT @@session.time_zone AS tz, at FROM events WHERE id = ?', [1])),
        ).toEqual([{ tz: '+00:00', at: '2024-01-01 10:00:00.250' }])
        const marker = `cortex_host_${Date.now()}`
        expect(
          (await rejection(c.execute(sqlStatement(`SELECT /* ${marker} */ SLEEP(5) AS s`, []), { timeoutMs: 200 })))
            .code,
        ).toBe('QUERY_TIMEOUT')
        await expect.poll(() => runningIds(marker), { timeout: 2000, interval: 50 }).toEqual([])
        await c.close()
      }
      const [rows] = await hostPool.query<RowDataPacket[]>('SELECT 1 AS one')
      expect(rows[0]!.one).toBe(1)
      const viaCallback = await new Promise<unknown>((resolve, reject) =>
        callbackPool.query('SELECT 2 AS two', (e, r) => (e ? reject(e) : resolve(r))),
      )
      expect(viaCallback).toEqual([{ two: 2 }])
    } finally {
      await hostPool.end()
      await new Promise((resolve) => callbackPool.end(resolve))
    }
  })

  it('borrows raw connections from a knex-shaped client: UTC on every checkout, whatever the host did', async () => {
    const require = createRequire(import.meta.url)
    const raw = (require('mysql2') as typeof import('mysql2')).createConnection({ uri: dbUrl() })
    const statements: string[] = []
    const spied = raw as unknown as { query: (sql: string, ...rest: unknown[]) => unknown }
    const query = spied.query.bind(raw)
    spied.query = (sql, ...rest) => (statements.push(sql), query(sql, ...rest))
    const raw1 = (sql: string) =>
      new Promise((resolve, reject) => query(sql, (e: unknown, r: unknown) => (e ? reject(e) : resolve(r))))
    const hostZone = () => raw1("SET time_zone = '-05:00'")
    const probe = 'SELECT @@time_zone AS tz, at FROM events WHERE id = ?'
    const utc = [{ tz: '+00:00', at: '2024-01-01 10:00:00.250' }]
    let released = 0
    const fakeKnex: KnexLike = {
      client: { acquireConnection: async () => raw, releaseConnection: async () => void released++ },
    }
    const c = mysql({ knex: fakeKnex })
    try {
      for (let i = 0; i < 3; i++) {
        await hostZone() // the host's own code changes the session between Cortex's statements
        expect(await c.execute(sqlStatement(probe, [1]))).toEqual(utc)
      }
      expect(released).toBe(3)
      const mariadb = (raw as unknown as { _isMariaDB?: boolean })._isMariaDB === true
      // MariaDB: each statement carries the zone (SET STATEMENT), so the host's session keeps its own.
      if (mariadb) expect(await raw1('SELECT @@time_zone AS tz')).toEqual([{ tz: '-05:00' }])
      // MySQL: a SET at every checkout.
      else expect(statements.filter((s) => s.startsWith('SET time_zone')).length).toBe(3)
      await c.close()
      expect(
        await new Promise((resolve, reject) => raw.query('SELECT 3 AS three', (e, r) => (e ? reject(e) : resolve(r)))),
      ).toEqual([{ three: 3 }])
    } finally {
      raw.destroy()
    }
  })

  it('works with a real knex instance (client mysql2): UTC, cancellation, knex usable after close()', async () => {
    const knex = knexFactory({ client: 'mysql2', connection: dbUrl(), pool: { min: 0, max: 2 } })
    try {
      const c = mysql({ knex: knex as unknown as KnexLike })
      await knex.raw("SET time_zone = '-05:00'")
      const utc = [{ tz: '+00:00', at: '2024-01-01 10:00:00.250' }]
      expect(await c.execute(sqlStatement('SELECT @@time_zone AS tz, at FROM events WHERE id = ?', [1]))).toEqual(utc)
      const marker = `cortex_knex_${Date.now()}`
      const slow = c.execute(sqlStatement(`SELECT /* ${marker} */ SLEEP(5) AS s`, []), { timeoutMs: 200 })
      expect((await rejection(slow)).code).toBe('QUERY_TIMEOUT')
      await expect.poll(() => runningIds(marker), { timeout: 2000, interval: 50 }).toEqual([])
      const streamed: unknown[] = []
      for await (const row of c.stream(sqlStatement('SELECT id FROM events WHERE id <= ? ORDER BY id', [2])))
        streamed.push(row)
      expect(streamed).toEqual([{ id: 1 }, { id: 2 }])
      expect((await c.healthCheck()).ok).toBe(true)
      await c.close()
      expect((await knex.raw('SELECT 4 AS four'))[0]).toEqual([{ four: 4 }])
    } finally {
      await knex.destroy()
    }
  })
})

async function rejection(promise: Promise<unknown>): Promise<SemanticLayerError> {
  try {
    await promise
  } catch (error) {
    if (isSemanticLayerError(error)) return error
    throw error
  }
  throw new Error('expected the promise to reject')
}

function catchSync(fn: () => unknown): SemanticLayerError {
  try {
    fn()
  } catch (error) {
    if (isSemanticLayerError(error)) return error
    throw error
  }
  throw new Error('expected a SemanticLayerError')
}

const issueCode = (error: SemanticLayerError): string | undefined => error.issues[0]?.code
