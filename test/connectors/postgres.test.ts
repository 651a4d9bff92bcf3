/**
 * The PostgreSQL connector against a real server (CORTEX_TEST_PG_URL). Each run works in its own
 * schema and application_name, so files running in parallel on the same server do not collide.
 * Streaming lives in postgres-stream.test.ts (its memory measurement wants a process of its own).
 */
import knexFactory from 'knex'
import { randomBytes } from 'node:crypto'
import { createServer, type AddressInfo } from 'node:net'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postgres, type KnexLike, type PostgresOptions } from '../../src/postgres.js'
import type { Connector, ExecuteOptions } from '../../src/connectors/connector.js'
import { isSemanticLayerError, type SemanticLayerError } from '../../src/errors.js'
import { sqlStatement } from '../../src/connectors/connector.js'

const url = process.env.CORTEX_TEST_PG_URL

if (!url && process.env.CI === 'true') {
  describe('postgres connector (CORTEX_TEST_PG_URL missing on CI)', () => {
    it('needs a PostgreSQL server', () => {
      throw new Error('CORTEX_TEST_PG_URL is required when CI=true')
    })
  })
}

const tag = randomBytes(4).toString('hex')
const schema = `cortex_pg_conn_${tag}`
const appName = `cortex-test-${tag}`

async function rejection(promise: Promise<unknown>): Promise<SemanticLayerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isSemanticLayerError(error)) throw new Error(`expected a SemanticLayerError, got ${String(error)}`)
  return error
}

/** Poll until `check` returns true (generous deadline: the machine is shared with other suites). */
async function eventually(check: () => Promise<boolean>, timeoutMs = 2000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return true
    if (Date.now() > deadline) return false
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe.skipIf(!url)('postgres connector (set CORTEX_TEST_PG_URL)', () => {
  let monitor: pg.Client
  const opened: Connector[] = []
  const connect = (options: Partial<PostgresOptions> = {}, app = appName): Connector => {
    const c = postgres({ connection: { connectionString: url!, application_name: app }, ...options })
    opened.push(c)
    return c
  }
  const activeWith = async (marker: string): Promise<number[]> =>
    (
      await monitor.query(
        `SELECT pid FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND strpos(query, $1) > 0`,
        [marker],
      )
    ).rows.map((r) => r.pid as number)
  const connectionsOf = async (app: string): Promise<number> =>
    Number(
      (await monitor.query('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [app])).rows[0].n,
    )

  beforeAll(async () => {
    monitor = new pg.Client({ connectionString: url })
    await monitor.connect()
    await monitor.query(`CREATE SCHEMA ${schema}`)
    await monitor.query(`CREATE TABLE ${schema}.events (id int PRIMARY KEY, at timestamp NOT NULL)`)
    await monitor.query(`INSERT INTO ${schema}.events VALUES (1, '2024-03-10 03:30:00'), (2, '2024-03-10 12:00:00')`)
    await monitor.query(`CREATE SEQUENCE ${schema}.runs`)
  })
  afterAll(async () => {
    await Promise.all(opened.map((c) => c.close()))
    await monitor?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await monitor?.end()
  })

  describe('execute', () => {
    it('binds $n parameters of every kind and returns rows keyed by alias', async () => {
      const rows = await connect().execute(
        sqlStatement(
          'SELECT $1::text AS "t.s", $2::int + 1 AS n, NOT $3::boolean AS b, $4::timestamptz = $5::timestamptz AS same',
          ['hé "x"', 41, false, '2024-03-10T12:00:00.000Z', '2024-03-10 13:00:00+01'],
        ),
      )
      expect(rows).toEqual([{ 't.s': 'hé "x"', n: 42, b: true, same: true }])
    })

    it('runs every session in UTC even when the server default is another zone', async () => {
      const c = connect({
        connection: { connectionString: url!, application_name: appName, options: '-c TimeZone=America/New_York' },
      })
      expect(await c.execute(sqlStatement('SHOW TIME ZONE', []))).toEqual([{ TimeZone: 'UTC' }])
      // timestamp columns compare with bound instants and convert to the query zone as UTC values.
      const rows = await c.execute(
        sqlStatement(
          `SELECT id, to_char(date_trunc('day', (at::timestamptz AT TIME ZONE $2)), 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS day FROM ${schema}.events WHERE at >= $1::timestamptz ORDER BY id`,
          ['2024-03-10T03:30:00.000Z', 'America/New_York'],
        ),
      )
      expect(rows).toEqual([
        { id: 1, day: '2024-03-09T00:00:00.000' },
        { id: 2, day: '2024-03-10T00:00:00.000' },
      ])
    })

    it('keeps int8, numeric and date/time values as exact text without touching global parsers', async () => {
      const [row] = await connect().execute(
        sqlStatement(
          `SELECT 9007199254740993::int8 AS big, 12.50::numeric AS dec, at AS ts, at::date AS d FROM ${schema}.events WHERE id = 1`,
          [],
        ),
      )
      expect(row).toEqual({ big: '9007199254740993', dec: '12.50', ts: '2024-03-10 03:30:00', d: '2024-03-10' })
      expect(pg.types.getTypeParser(1114)('2024-03-10 03:30:00')).toBeInstanceOf(Date)
    })

    it('executeArrays returns the same values as execute, as arrays in SELECT-list order', async () => {
      const c = connect({ pool: { max: 1 } }) // one connection: both forms run on the same session, alternately
      const sql = `SELECT id, 9007199254740993::int8 AS big, 12.50::numeric AS dec, at AS ts, at::date AS d, $1::text AS t, id = 1 AS first, NULL::int AS nothing, '{"k": [1]}'::json AS doc FROM ${schema}.events ORDER BY id`
      const objects = await c.execute(sqlStatement(sql, ['hé']))
      const arrays = await c.execute(sqlStatement(sql, ['hé']), { rows: 'arrays' })
      expect(arrays).toEqual([
        [1, '9007199254740993', '12.50', '2024-03-10 03:30:00', '2024-03-10', 'hé', true, null, { k: [1] }],
        [2, '9007199254740993', '12.50', '2024-03-10 12:00:00', '2024-03-10', 'hé', false, null, { k: [1] }],
      ])
      expect(arrays).toEqual(objects.map((row) => Object.values(row)))
      expect(await c.execute(sqlStatement(sql, ['hé']))).toEqual(objects) // the array mode does not stick to the connection
      // Columns with the same name stay apart as arrays (objects keep the last one).
      expect(await c.execute(sqlStatement('SELECT 1 AS a, 2 AS a', []), { rows: 'arrays' })).toEqual([[1, 2]])
      // executeMapped parses each row's text itself (not through pg's Result): the same values, with and
      // without parameters (extended and simple protocol), and the map sees each row once, in order.
      const seen: unknown[][] = []
      expect(await c.execute(sqlStatement(sql, ['hé']), { map: (row) => (seen.push([...row]), seen.length) })).toEqual([
        1, 2,
      ])
      expect(seen).toEqual(arrays)
      expect(
        await c.execute(sqlStatement(sql.replace('$1::text', "'hé'::text"), []), { map: (row) => [...row] }),
      ).toEqual(arrays)
      expect(await c.execute(sqlStatement('SELECT 1 AS a, 2 AS a', []), { map: (row) => [...row] })).toEqual([[1, 2]])
    })

    it('a global type parser that throws fails executeMapped like execute (POSTGRES_ERROR, no value in the message), and the connection stays usable', async () => {
      const c = connect({ pool: { max: 1 } })
      const CIRCLE = pg.types.builtins.CIRCLE
      const original = pg.types.getTypeParser(CIRCLE)
      pg.types.setTypeParser(CIRCLE, (text: string) => {
        throw new Error(`cannot read ${text}`)
      })
      try {
        const sql = 'SELECT n, circle(point(n, 7), 1) AS c FROM generate_series(1, 3) AS n ORDER BY n'
        let mapped = 0
        const failures = [
          await rejection(c.execute(sqlStatement(sql, []))),
          await rejection(c.execute(sqlStatement(sql, []), { map: () => ++mapped })),
        ]
        for (const failure of failures) {
          expect([failure.code, failure.issues[0]!.code]).toEqual(['CONNECTOR_FAILED', 'POSTGRES_ERROR'])
          expect(failure.message).not.toContain('(1,7)')
          expect((failure.cause as Error).message).toBe('cannot read <(1,7),1>')
        }
        expect(mapped).toBe(0) // the first row failed to parse: nothing reached the map
      } finally {
        pg.types.setTypeParser(CIRCLE, original)
      }
      expect(await c.execute(sqlStatement('SELECT $1::int AS n', [5]), { map: (row) => row[0] })).toEqual([5])
    })

    it('runs 500 concurrent queries through a pool of 5, each with its own result, and closes every connection', async () => {
      const app = `${appName}-pool`
      const c = connect({ pool: { max: 5 } }, app)
      const started = performance.now()
      const results = await Promise.all(
        Array.from({ length: 500 }, (_, i) => c.execute(sqlStatement('SELECT $1::int * 2 AS v', [i]))),
      )
      const elapsed = performance.now() - started
      console.log(`[postgres] 500 concurrent queries through a pool of 5: ${elapsed.toFixed(0)} ms`)
      results.forEach((rows, i) => expect(Number(rows[0]!.v)).toBe(2 * i))
      const open = await connectionsOf(app)
      expect(open).toBeGreaterThanOrEqual(1)
      expect(open).toBeLessThanOrEqual(5)
      const health = await c.healthCheck()
      expect(health).toMatchObject({ ok: true, pool: { total: open, waiting: 0 } })
      await c.close()
      expect(await eventually(async () => (await connectionsOf(app)) === 0)).toBe(true)
      const closed = await rejection(c.execute(sqlStatement('SELECT 1', [])))
      expect([closed.code, closed.issues[0]!.code]).toEqual(['CONNECTOR_FAILED', 'CLOSED'])
      expect((await c.healthCheck()).ok).toBe(false)
    })
  })

  describe('timeouts and cancellation', () => {
    it('stops a statement on the server when timeoutMs passes, even with the pool exhausted', async () => {
      const c = connect({ pool: { max: 1 } })
      const marker = `/* cortex-timeout-${tag} */`
      // No duration is asserted: 57014 is the server saying it cancelled the statement (one that ran to
      // its end would not fail), and the test's own timeout guards against a hang.
      const error = await rejection(c.execute(sqlStatement(`SELECT pg_sleep(30) ${marker}`, []), { timeoutMs: 200 }))
      expect(error.code).toBe('QUERY_TIMEOUT')
      expect(error.message).toContain('200 ms')
      expect((error.cause as { code?: string }).code).toBe('57014') // the server cancelled the running statement
      expect(await eventually(async () => (await activeWith(marker)).length === 0)).toBe(true)
      expect(await c.execute(sqlStatement('SELECT 1 AS ok', []))).toEqual([{ ok: 1 }]) // the one pooled client is reusable
    })

    it('stops a running statement on the server when the signal aborts', async () => {
      const c = connect()
      const marker = `/* cortex-abort-${tag} */`
      const controller = new AbortController()
      const running = rejection(
        c.execute(sqlStatement(`SELECT pg_sleep(30) ${marker}`, []), { signal: controller.signal }),
      )
      expect(await eventually(async () => (await activeWith(marker)).length === 1, 5000)).toBe(true)
      controller.abort()
      const error = await running
      expect(error.code).toBe('QUERY_CANCELLED')
      expect((error.cause as { code?: string }).code).toBe('57014') // cancelled by the server, not left running
      expect(await eventually(async () => (await activeWith(marker)).length === 0)).toBe(true)
    })

    // executeMapped reads rows through another pg path (a Query subclass that maps each DataRow): the same checks.
    it.each(['executeArrays', 'executeMapped'] as const)(
      '%s is stopped on the server by timeoutMs and by an aborted signal like execute',
      async (method) => {
        const c = connect({ pool: { max: 1 } })
        const arrays = (sql: string, params: unknown[], o?: ExecuteOptions) =>
          method === 'executeArrays'
            ? c.execute(sqlStatement(sql, params), { ...o, rows: 'arrays' })
            : c.execute(sqlStatement(sql, params), { ...o, map: (row) => row })
        const marker = `/* cortex-arrays-timeout-${tag} */`
        const timedOut = await rejection(arrays(`SELECT pg_sleep(5) ${marker}`, [], { timeoutMs: 200 }))
        expect([timedOut.code, (timedOut.cause as { code?: string }).code]).toEqual(['QUERY_TIMEOUT', '57014'])
        expect(await eventually(async () => (await activeWith(marker)).length === 0)).toBe(true)
        const controller = new AbortController()
        const running = rejection(arrays(`SELECT pg_sleep(5) ${marker}`, [], { signal: controller.signal }))
        expect(await eventually(async () => (await activeWith(marker)).length === 1, 5000)).toBe(true)
        controller.abort()
        expect((await running).code).toBe('QUERY_CANCELLED')
        expect(await eventually(async () => (await activeWith(marker)).length === 0)).toBe(true)
        const pre = await rejection(arrays(`SELECT nextval('${schema}.runs')`, [], { signal: AbortSignal.abort() }))
        expect(pre.code).toBe('QUERY_CANCELLED')
        expect((await monitor.query(`SELECT is_called FROM ${schema}.runs`)).rows[0].is_called).toBe(false)
        expect(await arrays('SELECT 1 AS ok', [])).toEqual([[1]]) // the one pooled client is reusable
      },
    )

    it('rejects an already-aborted signal without running the statement', async () => {
      const controller = new AbortController()
      controller.abort()
      const error = await rejection(
        connect().execute(sqlStatement(`SELECT nextval('${schema}.runs')`, []), { signal: controller.signal }),
      )
      expect(error.code).toBe('QUERY_CANCELLED')
      expect((await monitor.query(`SELECT is_called FROM ${schema}.runs`)).rows[0].is_called).toBe(false)
    })

    it('gives up waiting for a busy pool when the signal aborts, and never runs the statement', async () => {
      const c = connect({ pool: { max: 1 } })
      const marker = `/* cortex-busy-${tag} */`
      const busy = rejection(c.execute(sqlStatement(`SELECT pg_sleep(30) AS slept ${marker}`, [])))
      let pids: number[] = []
      expect(await eventually(async () => (pids = await activeWith(marker)).length === 1, 5000)).toBe(true)
      const controller = new AbortController()
      const waiting = rejection(
        c.execute(sqlStatement(`SELECT nextval('${schema}.runs')`, []), { signal: controller.signal }),
      )
      controller.abort() // it waits for the pool's one connection, which runs the busy statement
      const error = await waiting
      expect(error.code).toBe('QUERY_CANCELLED')
      await monitor.query('SELECT pg_cancel_backend($1)', [pids[0]])
      expect((await busy).code).toBe('CONNECTOR_FAILED')
      expect(await c.execute(sqlStatement('SELECT 2 AS two', []))).toEqual([{ two: 2 }])
      expect((await monitor.query(`SELECT is_called FROM ${schema}.runs`)).rows[0].is_called).toBe(false)
    })
  })

  describe('faults', () => {
    it('never puts bound values in error messages (the driver error stays as cause)', async () => {
      const secret = `cortex-secret-${tag}`
      const c = connect()
      for (const sql of ['SELECT $1::int AS v', 'SELECT now() AT TIME ZONE $1 AS v', 'SELECT $1::timestamptz AS v']) {
        const error = await rejection(c.execute(sqlStatement(sql, [secret])))
        expect(error.code).toBe('CONNECTOR_FAILED')
        expect(error.issues[0]!.code).toBe('POSTGRES_ERROR')
        expect(error.message).toMatch(/SQLSTATE 22\w{3}/)
        expect(JSON.stringify(error)).not.toContain(secret)
        expect((error.cause as Error).message).toContain(secret) // proves the check above could fail
      }
      const viaArrays = await rejection(c.execute(sqlStatement('SELECT $1::int AS v', [secret]), { rows: 'arrays' }))
      expect([viaArrays.code, viaArrays.issues[0]!.code]).toEqual(['CONNECTOR_FAILED', 'POSTGRES_ERROR'])
      expect(JSON.stringify(viaArrays)).not.toContain(secret)
      expect((viaArrays.cause as Error).message).toContain(secret)
      const missing = await rejection(c.execute(sqlStatement('SELECT nope FROM pg_class', [])))
      expect(missing.message).toContain('SQLSTATE 42703') // identifiers are kept: they come from the model
      expect(missing.message).toContain('column "nope" does not exist')
    })

    it('names objects in error messages in every class (relation, database, role) but never values or RAISE text', async () => {
      const c = connect()
      const relation = await rejection(c.execute(sqlStatement(`SELECT 1 FROM ${schema}.no_such_table`, [])))
      expect(relation.issues[0]!.message).toContain(
        `SQLSTATE 42P01 (syntax error or access rule violation): relation "${schema}.no_such_table" does not exist`,
      )
      const other = (change: (u: URL) => void): Connector => {
        const u = new URL(url!)
        change(u)
        const connector = postgres({ connection: u.toString() })
        opened.push(connector)
        return connector
      }
      const database = await rejection(
        other((u) => (u.pathname = `/cortex_no_db_${tag}`)).execute(sqlStatement('SELECT 1', [])),
      )
      expect(database.issues[0]).toMatchObject({
        code: 'CONNECT_FAILED',
        message: expect.stringContaining(
          `SQLSTATE 3D000 (invalid catalog name): database "cortex_no_db_${tag}" does not exist`,
        ),
      })
      const role = await rejection(
        other((u) => (u.username = `cortex_no_role_${tag}`)).execute(sqlStatement('SELECT 1', [])),
      )
      expect(role.issues[0]).toMatchObject({
        code: 'CONNECT_FAILED',
        message: expect.stringContaining(`role "cortex_no_role_${tag}" does not exist`),
      })
      // Class 22 puts the offending value in double quotes: cut and masked.
      const outOfRange = await rejection(c.execute(sqlStatement('SELECT $1::int4 AS v', ['98765432109'])))
      expect(outOfRange.issues[0]!.message).toContain(
        'SQLSTATE 22003 (data exception): value "…" is out of range for type integer',
      )
      expect((outOfRange.cause as Error).message).toContain('98765432109')
      // Free text (PL/pgSQL RAISE) shows only its SQLSTATE.
      const raised = await rejection(
        c.execute(sqlStatement(`DO $$ BEGIN RAISE EXCEPTION 'cortex-raise-${tag} %', 1; END $$`, [])),
      )
      expect(raised.issues[0]!.message).toBe('PostgreSQL failed to run the query: SQLSTATE P0001.')
      expect((raised.cause as Error).message).toContain(`cortex-raise-${tag}`)
    })

    it('fails a statement whose backend is terminated, then keeps serving queries', async () => {
      const secret = `cortex-secret-${tag}`
      const c = connect({ pool: { max: 2 } })
      const marker = `/* cortex-fault-${tag} */`
      const running = rejection(c.execute(sqlStatement(`SELECT pg_sleep(30), $1::text AS s ${marker}`, [secret])))
      let pids: number[] = []
      expect(await eventually(async () => (pids = await activeWith(marker)).length === 1, 5000)).toBe(true)
      await monitor.query('SELECT pg_terminate_backend($1)', [pids[0]])
      const error = await running
      expect(error.code).toBe('CONNECTOR_FAILED')
      expect(error.issues[0]!.code).toBe('CONNECTION_LOST')
      expect(error.cause).toBeInstanceOf(Error)
      expect((error.cause as { code?: string }).code).toBe('57P01')
      expect(JSON.stringify(error)).not.toContain(secret)
      for (let i = 0; i < 10; i++) expect(await c.execute(sqlStatement('SELECT $1::int AS i', [i]))).toEqual([{ i }])
    })

    it('fails a refused connection with CONNECT_FAILED', async () => {
      const c = postgres({ connection: 'postgres://postgres@127.0.0.1:1/test', pool: { connectionTimeoutMs: 300 } })
      const error = await rejection(c.execute(sqlStatement('SELECT 1', [])))
      expect([error.code, error.issues[0]!.code]).toEqual(['CONNECTOR_FAILED', 'CONNECT_FAILED'])
      expect((error.cause as { code?: string }).code).toBe('ECONNREFUSED')
      expect((await c.healthCheck()).ok).toBe(false)
      await c.close()
    })

    it('retries a connection reset before the statement starts (4 attempts), then fails with CONNECT_FAILED', async () => {
      // A server that resets every connection: the attempts are counted where they arrive, not timed.
      let attempts = 0
      const resetting = createServer((socket) => {
        attempts++
        socket.resetAndDestroy()
      })
      await new Promise<void>((resolve) => resetting.listen(0, '127.0.0.1', resolve))
      try {
        const port = (resetting.address() as AddressInfo).port
        const c = postgres({
          connection: `postgres://postgres@127.0.0.1:${port}/test`,
          pool: { connectionTimeoutMs: 2_000 },
        })
        const error = await rejection(c.execute(sqlStatement('SELECT 1', [])))
        expect([error.code, error.issues[0]!.code]).toEqual(['CONNECTOR_FAILED', 'CONNECT_FAILED'])
        expect((error.cause as { code?: string }).code).toBe('ECONNRESET')
        expect(attempts).toBe(4)
        await c.close()
      } finally {
        resetting.close()
      }
    })
  })

  describe('host-owned sources', () => {
    it('uses an existing pg.Pool in UTC, cancels on it, and leaves it open on close', async () => {
      const pool = new pg.Pool({ connectionString: url, application_name: appName, max: 2 })
      try {
        const c = postgres({ existingPool: pool })
        expect(await c.execute(sqlStatement('SHOW TIME ZONE', []))).toEqual([{ TimeZone: 'UTC' }])
        const error = await rejection(c.execute(sqlStatement('SELECT pg_sleep(5)', []), { timeoutMs: 200 }))
        expect([error.code, (error.cause as { code?: string }).code]).toEqual(['QUERY_TIMEOUT', '57014'])
        expect((await c.healthCheck()).pool).toMatchObject({ total: pool.totalCount, idle: pool.idleCount })
        await c.close()
        expect((await pool.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }])
      } finally {
        await pool.end()
      }
    })

    it('borrows raw connections from a knex-shaped instance and returns each one', async () => {
      // knex is not installed here: this stands in for knex.client with pg clients, as knex's pg dialect does.
      const idle: pg.Client[] = []
      const all: pg.Client[] = []
      let borrowed = 0
      const settings = { connectionString: url, application_name: appName }
      const knex: KnexLike = {
        client: {
          driverName: 'pg',
          connectionSettings: settings,
          async acquireConnection() {
            borrowed++
            const reuse = idle.pop()
            if (reuse) return reuse
            const client = new pg.Client(settings)
            all.push(client)
            await client.connect()
            return client
          },
          async releaseConnection(connection) {
            borrowed--
            if (!(connection as { __knex__disposed?: unknown }).__knex__disposed) idle.push(connection as pg.Client)
          },
        },
      }
      const c = postgres({ knex })
      try {
        expect(await c.execute(sqlStatement('SHOW TIME ZONE', []))).toEqual([{ TimeZone: 'UTC' }])
        expect(await c.execute(sqlStatement('SELECT $1::int AS n', [7]))).toEqual([{ n: 7 }])
        const error = await rejection(c.execute(sqlStatement('SELECT pg_sleep(5)', []), { timeoutMs: 200 }))
        expect(error.code).toBe('QUERY_TIMEOUT')
        expect([borrowed, all.length]).toEqual([0, 1])
        await c.close()
        expect((await all[0]!.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }])
      } finally {
        await Promise.all(all.map((client) => client.end()))
      }
    })

    it('works with a real knex instance (client pg): settings per statement, cancellation, close()', async () => {
      const connection = { connectionString: url!, application_name: appName }
      const knex = knexFactory({ client: 'pg', connection, pool: { min: 0, max: 2 } })
      try {
        const c = postgres({ knex: knex as unknown as KnexLike, searchPath: [schema] })
        // The host's own code moves its sessions elsewhere; Cortex's statements still run with its settings.
        await knex.raw("SET TIME ZONE 'America/New_York'; SET search_path TO public; SET DateStyle = 'SQL, DMY'")
        const settings =
          "SELECT current_setting('TimeZone') AS tz, current_setting('DateStyle') AS ds, at" +
          ' FROM events WHERE id = $1'
        expect(await c.execute(sqlStatement(settings, [1]))).toEqual([
          { tz: 'UTC', ds: 'ISO, DMY', at: '2024-03-10 03:30:00' },
        ])
        expect(await c.execute(sqlStatement(settings, [1]), { rows: 'arrays' })).toEqual([
          ['UTC', 'ISO, DMY', '2024-03-10 03:30:00'],
        ])
        const joined = await c.execute(sqlStatement(settings, [1]), { map: (row) => row.join(' | ') })
        expect(joined).toEqual(['UTC | ISO, DMY | 2024-03-10 03:30:00'])
        const streamed: unknown[] = []
        const rows = c.stream(
          sqlStatement('SELECT id, current_setting($1) AS tz FROM events ORDER BY id', ['TimeZone']),
        )
        for await (const row of rows) streamed.push(row)
        expect(streamed).toEqual([
          { id: 1, tz: 'UTC' },
          { id: 2, tz: 'UTC' },
        ])
        const error = await rejection(c.execute(sqlStatement('SELECT pg_sleep(5)', []), { timeoutMs: 200 }))
        expect(error.code).toBe('QUERY_TIMEOUT')
        expect((await c.healthCheck()).ok).toBe(true)
        await c.close()
        // Transaction-local settings: the host's connections keep what the host set.
        const host = await knex.raw("SELECT current_setting('TimeZone') AS tz, current_setting('search_path') AS sp")
        expect(host.rows).toEqual([{ tz: 'America/New_York', sp: 'public' }])
      } finally {
        await knex.destroy()
      }
    })
  })
})
