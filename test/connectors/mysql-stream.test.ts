/**
 * Streaming through the MySQL / MariaDB connector against a real server (CORTEX_TEST_MYSQL_URL): bounded
 * memory over 2,000,000 server-generated rows (MariaDB's sequence engine), early exit, timeouts and
 * cancellation. Its own process (vitest file) so the RSS figure is not mixed with other tests.
 */
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise'
import { afterAll, beforeAll, describe, expect, it, test } from 'vitest'
import { isSemanticLayerError, type SemanticLayerError } from '../../src/errors.js'
import { mysql } from '../../src/mysql.js'
import { sqlStatement } from '../../src/connectors/connector.js'

const url = process.env.CORTEX_TEST_MYSQL_URL
if (!url && process.env.CI === 'true') {
  test('mysql streaming needs a server in CI', () => {
    throw new Error('CORTEX_TEST_MYSQL_URL is required when CI=true')
  })
}

const ROWS = 2_000_000

describe.skipIf(!url)('mysql connector streaming (set CORTEX_TEST_MYSQL_URL)', () => {
  const db = `cortex_my_conn_${Math.random().toString(36).slice(2, 10)}`
  let admin: Connection
  const dbUrl = (): string => {
    const u = new URL(url!)
    u.pathname = `/${db}`
    return u.toString()
  }
  const runningIds = async (marker: string) =>
    (
      await admin.query<RowDataPacket[]>(
        'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE INFO LIKE ? AND ID <> CONNECTION_ID()',
        [`%${marker}%`],
      )
    )[0].map((r) => Number(r.id))

  beforeAll(async () => {
    admin = await createConnection(url!)
    await admin.query(`CREATE DATABASE \`${db}\``)
  })
  afterAll(async () => {
    await admin?.query(`DROP DATABASE IF EXISTS \`${db}\``)
    await admin?.end()
  })

  it(`streams ${ROWS.toLocaleString('en')} rows exactly with bounded memory`, async () => {
    const c = mysql({ connection: dbUrl(), pool: { max: 2 } })
    globalThis.gc?.()
    const baseline = process.memoryUsage.rss()
    let peak = baseline
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 100)
    const started = performance.now()
    let count = 0
    let sum = 0n
    let badHashes = 0
    try {
      for await (const row of c.stream(sqlStatement(`SELECT seq AS n, MD5(seq) AS h FROM seq_1_to_${ROWS}`, []))) {
        count++
        sum += BigInt(row.n as string) // BIGINT UNSIGNED arrives as an exact string
        if ((row.h as string).length !== 32) badHashes++
      }
    } finally {
      clearInterval(sampler)
      peak = Math.max(peak, process.memoryUsage.rss())
      await c.close()
    }
    const growthMb = (peak - baseline) / 2 ** 20
    console.log(
      `[mysql] streamed ${count} rows in ${(performance.now() - started).toFixed(0)} ms; peak RSS growth ${growthMb.toFixed(1)} MB (baseline ${(baseline / 2 ** 20).toFixed(0)} MB)`,
    )
    expect(count).toBe(ROWS)
    expect(sum).toBe((BigInt(ROWS) * BigInt(ROWS + 1)) / 2n)
    expect(badHashes).toBe(0)
    expect(growthMb).toBeLessThan(200)
  })

  it('applies backpressure to a slow consumer (the server waits instead of filling memory)', async () => {
    const c = mysql({ connection: dbUrl(), pool: { max: 1 } })
    globalThis.gc?.()
    const baseline = process.memoryUsage.rss()
    let peak = baseline
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50)
    let count = 0
    let sum = 0
    try {
      // ~250 bytes a row: without pausing the socket, this buffers ~200 MB while the consumer dawdles
      for await (const row of c.stream(
        sqlStatement("SELECT seq AS n, REPEAT('x', 200) AS pad FROM seq_1_to_500000 WHERE seq > ?", [0]),
      )) {
        sum += Number(row.n)
        // Pacing, not waiting for time to pass: a consumer slower than the socket; memory is what is asserted.
        if (++count % 200 === 0) await new Promise((resolve) => setTimeout(resolve, 1))
      }
    } finally {
      clearInterval(sampler)
      await c.close()
    }
    const growthMb = (peak - baseline) / 2 ** 20
    console.log(`[mysql] slow consumer over 500000 rows: peak RSS growth ${growthMb.toFixed(1)} MB`)
    expect(count).toBe(500_000)
    expect(sum).toBe((500_000 * 500_001) / 2)
    expect(growthMb).toBeLessThan(80)
  })

  it('releases the connection and stops the statement when the consumer breaks early', async () => {
    const c = mysql({ connection: dbUrl(), pool: { max: 1 } })
    try {
      const marker = `cortex_break_${Date.now()}`
      const seen: number[] = []
      for await (const row of c.stream(sqlStatement(`SELECT /* ${marker} */ seq AS n FROM seq_1_to_${ROWS}`, []))) {
        seen.push(Number(row.n))
        if (seen.length === 10) break
      }
      expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
      await expect.poll(() => runningIds(marker), { timeout: 2000, interval: 50 }).toEqual([])
      // a pool of one: this only runs if the streamed connection went back (or was replaced)
      expect(await c.execute(sqlStatement('SELECT ? AS ok', [1]), { timeoutMs: 5000 })).toEqual([{ ok: 1 }])
      const again = []
      for await (const row of c.stream(sqlStatement('SELECT seq AS n FROM seq_1_to_3 WHERE seq > ?', [1])))
        again.push(row)
      expect(again).toEqual([{ n: '2' }, { n: '3' }])
    } finally {
      await c.close()
    }
  })

  it('stops a stream on the server when timeoutMs passes or the signal aborts', async () => {
    const c = mysql({ connection: dbUrl(), pool: { max: 1 } })
    try {
      const slow = `cortex_stream_timeout_${Date.now()}`
      const timedOut = await drain(
        c.stream(sqlStatement(`SELECT /* ${slow} */ SLEEP(30) AS s`, []), { timeoutMs: 200 }),
      )
      expect(timedOut.code).toBe('QUERY_TIMEOUT')
      // Gone from the server at once (a statement left running would stay 30 s); no duration is asserted.
      await expect.poll(() => runningIds(slow), { timeout: 2000, interval: 50 }).toEqual([])

      const marker = `cortex_stream_abort_${Date.now()}`
      const controller = new AbortController()
      let received = 0
      const aborted = await drain(
        c.stream(sqlStatement(`SELECT /* ${marker} */ seq AS n FROM seq_1_to_${ROWS}`, []), {
          signal: controller.signal,
        }),
        () => {
          if (++received === 1000) controller.abort()
        },
      )
      expect(aborted.code).toBe('QUERY_CANCELLED')
      expect(received).toBe(1000)
      await expect.poll(() => runningIds(marker), { timeout: 2000, interval: 50 }).toEqual([])

      expect((await drain(c.stream(sqlStatement('SELECT 1 AS one', []), { signal: AbortSignal.abort() }))).code).toBe(
        'QUERY_CANCELLED',
      )
      const failed = await drain(c.stream(sqlStatement('SELECT no_such_column FROM seq_1_to_3 WHERE seq > ?', [0])))
      expect(failed.code).toBe('CONNECTOR_FAILED')
      expect(failed.issues[0]?.code).toBe('MYSQL_ERROR')
      expect(await c.execute(sqlStatement('SELECT 1 AS one', []))).toEqual([{ one: 1 }])
    } finally {
      await c.close()
    }
  })
})

/** Consume a stream that must fail; return its SemanticLayerError. */
async function drain(rows: AsyncIterable<unknown>, onRow: () => void = () => undefined): Promise<SemanticLayerError> {
  try {
    for await (const _ of rows) onRow()
  } catch (error) {
    if (isSemanticLayerError(error)) return error
    throw error
  }
  throw new Error('expected the stream to fail')
}
