/**
 * Streaming from PostgreSQL through pg-cursor (CORTEX_TEST_PG_URL): bounded memory over millions of
 * rows, the client returned when the consumer stops early, and stops on the server. A file of its own
 * so the memory figure is measured in a process that runs nothing else.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postgres } from '../../src/postgres.js'
import type { Connector } from '../../src/connectors/connector.js'
import { isSemanticLayerError, type SemanticLayerError } from '../../src/errors.js'
import { sqlStatement } from '../../src/connectors/connector.js'

const url = process.env.CORTEX_TEST_PG_URL

if (!url && process.env.CI === 'true') {
  describe('postgres streaming (CORTEX_TEST_PG_URL missing on CI)', () => {
    it('needs a PostgreSQL server', () => {
      throw new Error('CORTEX_TEST_PG_URL is required when CI=true')
    })
  })
}

const tag = randomBytes(4).toString('hex')
const appName = `cortex-test-stream-${tag}`

async function drain(rows: AsyncIterable<Record<string, unknown>>): Promise<SemanticLayerError> {
  try {
    for await (const _ of rows) void _
  } catch (error) {
    if (isSemanticLayerError(error)) return error
    throw error
  }
  throw new Error('expected the stream to fail')
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 2000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return true
    if (Date.now() > deadline) return false
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe.skipIf(!url)('postgres connector streaming (set CORTEX_TEST_PG_URL)', () => {
  let pool: pg.Pool
  let monitor: pg.Client
  let connector: Connector
  const activeWith = async (marker: string): Promise<number> =>
    (
      await monitor.query(
        `SELECT pid FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND strpos(query, $1) > 0`,
        [marker],
      )
    ).rowCount ?? 0

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: url, application_name: appName, max: 2 })
    monitor = new pg.Client({ connectionString: url })
    await monitor.connect()
    connector = postgres({ existingPool: pool })
  })
  afterAll(async () => {
    await connector?.close()
    await pool?.end()
    await monitor?.end()
  })

  it('streams 2,000,000 rows exactly with bounded memory', async () => {
    await connector.execute(sqlStatement('SELECT 1', [])) // warm up: driver loaded, one connection open
    global.gc?.()
    const baseline = process.memoryUsage().rss
    let peak = baseline
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100)
    let count = 0
    let sum = 0
    let badHashes = 0
    const started = performance.now()
    try {
      for await (const row of connector.stream(
        sqlStatement('SELECT g AS n, md5(g::text) AS h FROM generate_series(1, 2000000) g', []),
      )) {
        count++
        sum += row.n as number
        if ((row.h as string).length !== 32) badHashes++
      }
    } finally {
      clearInterval(sampler)
    }
    peak = Math.max(peak, process.memoryUsage().rss)
    const growthMb = (peak - baseline) / 2 ** 20
    console.log(
      `[postgres] streamed ${count} rows in ${(performance.now() - started).toFixed(0)} ms; peak RSS growth ${growthMb.toFixed(1)} MB`,
    )
    expect(count).toBe(2_000_000)
    expect(sum).toBe(2_000_001_000_000) // exact: below 2^53
    expect(badHashes).toBe(0)
    expect(growthMb).toBeLessThan(200)
    expect(pool.idleCount).toBe(pool.totalCount)
  })

  it('returns the client to the pool when the consumer breaks early', async () => {
    const seen: unknown[] = []
    for await (const row of connector.stream(sqlStatement('SELECT g AS n FROM generate_series(1, 100000) g', []))) {
      seen.push(row.n)
      if (seen.length === 10) break
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(pool.waitingCount).toBe(0)
    expect(pool.idleCount).toBe(pool.totalCount) // nothing still checked out
    expect(await connector.execute(sqlStatement('SELECT 3 AS three', []))).toEqual([{ three: 3 }])
  })

  it('cancels the running statement on the server when the signal aborts mid-stream', async () => {
    const marker = `/* cortex-stream-abort-${tag} */`
    const controller = new AbortController()
    const failed = drain(
      connector.stream(sqlStatement(`SELECT pg_sleep(30), 1 AS n ${marker}`, []), { signal: controller.signal }),
    )
    expect(await eventually(async () => (await activeWith(marker)) === 1, 5000)).toBe(true)
    controller.abort()
    const error = await failed
    expect(error.code).toBe('QUERY_CANCELLED')
    // Gone from the server at once (a statement left running would stay 30 s); no duration is asserted.
    expect(await eventually(async () => (await activeWith(marker)) === 0)).toBe(true)
    expect(pool.idleCount).toBe(pool.totalCount)
  })

  it('stops with QUERY_TIMEOUT between batches once timeoutMs has passed', async () => {
    // 1 ms: reading 100 000 rows takes far longer, so the budget runs out between two batches (no sleeping consumer).
    let rows = 0
    const error = await drain(
      (async function* () {
        for await (const row of connector.stream(sqlStatement('SELECT g AS n FROM generate_series(1, 100000) g', []), {
          timeoutMs: 1,
        })) {
          rows++
          yield row
        }
      })(),
    )
    expect(error.code).toBe('QUERY_TIMEOUT')
    expect(rows).toBeLessThan(100_000)
    expect(await connector.execute(sqlStatement('SELECT 4 AS four', []))).toEqual([{ four: 4 }])
  })

  it('maps a failing streamed statement to CONNECTOR_FAILED without its parameter values', async () => {
    const secret = `cortex-secret-${tag}`
    const error = await drain(connector.stream(sqlStatement('SELECT $1::int AS v', [secret])))
    expect([error.code, error.issues[0]!.code]).toEqual(['CONNECTOR_FAILED', 'POSTGRES_ERROR'])
    expect(error.message).not.toContain(secret)
    expect((error.cause as Error).message).toContain(secret)
  })
})
