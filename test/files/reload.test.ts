/**
 * Reloading: manual, on file change (watch) and on a timer (refreshEveryMs), with queries and streams in
 * flight; the atomic swap; failed reloads keeping the previous data; and the result cache serving new
 * data after a reload. Timers and the clock are injected: nothing here waits for time to pass.
 */
import { renameSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { files, type FilesConnector, type FilesOptions, type LoadEvent } from '../../src/files.js'
import { createSemanticLayer, memoryCache, type SemanticLayerError } from '../../src/index.js'
import { fakeTimers, tempDir, testServer, type TempDir, type TestServer } from './helpers.js'
import { sqlStatement } from '../../src/connectors/connector.js'

let dir: TempDir
let server: TestServer
const open: { close(): Promise<void> }[] = []
beforeAll(async () => {
  dir = tempDir()
  server = await testServer()
})
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()))
  await server.close()
  dir.remove()
})

function connect(options: FilesOptions): FilesConnector {
  const c = files({ baseDir: dir.path, ...options })
  open.push(c)
  return c
}

const orders = (n: number, amount = 1) =>
  `id,amount\n${Array.from({ length: n }, (_, i) => `${i + 1},${amount}`).join('\n')}\n`
const count = async (c: FilesConnector, table = 'orders') =>
  (await c.execute(sqlStatement(`SELECT count(*) AS n, sum(amount) AS s FROM ${table}`, [])))[0]

/** Resolves with the next onLoad or onError of the table. */
function events() {
  const loads: LoadEvent[] = []
  const errors: { error: SemanticLayerError; trigger: string }[] = []
  let wake: (() => void) | undefined
  const next = () => new Promise<void>((resolve) => (wake = resolve))
  return {
    loads,
    errors,
    next,
    options: {
      onLoad: (e: LoadEvent) => {
        loads.push(e)
        wake?.()
      },
      onError: (error: SemanticLayerError, info: { trigger: string }) => {
        errors.push({ error, trigger: info.trigger })
        wake?.()
      },
    },
  }
}

describe('manual reload', () => {
  it('swaps the new data in and changes the version; the same content changes nothing', async () => {
    const file = dir.file('m.csv', orders(3))
    const ev = events()
    const c = connect({ tables: { orders: file }, ...ev.options })
    await c.load()
    const v1 = c.status().orders!.version
    dir.file('m.csv', orders(5, 2))
    await c.reload('orders')
    expect(await count(c)).toEqual({ n: 5, s: 10 })
    const v2 = c.status().orders!.version
    expect(v2).not.toBe(v1)
    await c.reload()
    expect(c.status().orders!.version).toBe(v2)
    expect(ev.loads.map((e) => [e.trigger, e.changed, e.rows])).toEqual([
      ['load', true, 3],
      ['reload', true, 5],
      ['reload', false, 5],
    ])
  })

  it('lets a stream that started before the swap finish on the old data, then drops the old table', async () => {
    const file = dir.file('s.csv', orders(1000))
    const c = connect({ tables: { orders: file } })
    await c.load()
    const stream = c.stream(sqlStatement('SELECT id, amount FROM orders ORDER BY id', []))[Symbol.asyncIterator]()
    const first = await stream.next()
    expect(first.value).toEqual({ id: 1, amount: 1 })
    dir.file('s.csv', orders(10, 7))
    await c.reload('orders')
    // New statements see the new data at once...
    expect(await count(c)).toEqual({ n: 10, s: 70 })
    // ...while the stream reads the old version to its end.
    let rows = 1
    let sum = 1
    for (let r = await stream.next(); !r.done; r = await stream.next()) {
      rows++
      sum += (r.value as { amount: number }).amount
    }
    expect({ rows, sum }).toEqual({ rows: 1000, sum: 1000 })
    const tables = (
      await c.execute(sqlStatement("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", []))
    ).map((r) => r.name)
    expect(tables).toEqual(['orders__v2'])
  })

  it('writes a reload of many batches while a stream reads the old version, and a bad row late in a file keeps the old data', async () => {
    // 10 037 rows: two full transactions of 64 statements of 64 rows, then single statements and a rest.
    const file = dir.file('big.csv', orders(10_037, 3))
    const c = connect({ tables: { orders: file } })
    await c.load()
    expect(await count(c)).toEqual({ n: 10_037, s: 30_111 })
    const stream = c.stream(sqlStatement('SELECT id FROM orders ORDER BY id', []))[Symbol.asyncIterator]()
    expect((await stream.next()).value).toEqual({ id: 1 })
    dir.file('big.csv', orders(9_000, 2))
    await c.reload('orders')
    expect(await count(c)).toEqual({ n: 9_000, s: 18_000 })
    let last = 1
    for (let r = await stream.next(); !r.done; r = await stream.next()) last = (r.value as { id: number }).id
    expect(last).toBe(10_037)
    // A row with too many fields after 8 000 good ones (already written in transactions): nothing changes.
    dir.file('big.csv', `${orders(8_000, 5)}8001,5,extra\n`)
    await expect(c.reload('orders')).rejects.toMatchObject({ issues: [{ code: 'FIELD_COUNT' }] })
    expect(await count(c)).toEqual({ n: 9_000, s: 18_000 })
    const tables = (
      await c.execute(sqlStatement("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", []))
    ).map((r) => r.name)
    expect(tables).toEqual(['orders__v2'])
  })

  it('never shows a statement part of a file: queries during a load see the previous version whole', async () => {
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
    const seen = await Promise.all(during)
    // Every statement issued while the new file was being read saw the old table whole; the last
    // progress report comes after the swap and sees the new one whole.
    const old = seen.filter((r) => JSON.stringify(r) === JSON.stringify({ n: 10, s: 10 }))
    expect(old.length + 1).toBe(seen.length)
    expect(seen.at(-1)).toEqual({ n: 200_000, s: 600_000 })
  })

  it('runs one follow-up load however many reloads arrive during a load', async () => {
    const file = dir.file('q.csv', orders(50_000))
    const ev = events()
    const c = connect({ tables: { orders: file }, ...ev.options })
    const loads = [c.load(), c.reload('orders'), c.reload('orders'), c.reload()]
    await Promise.all(loads)
    expect(ev.loads.map((e) => e.trigger)).toEqual(['load', 'reload'])
  })
})

describe('watch', () => {
  it('reloads a changed file after the debounce, also when it is replaced by a rename', async () => {
    const timers = fakeTimers()
    const file = dir.file('w.csv', orders(2))
    const ev = events()
    const c = connect({ tables: { orders: file }, watch: true, watchDebounceMs: 250, timers, ...ev.options })
    await c.load()
    const scheduled = timers.next()
    dir.file('w.csv', orders(4))
    expect((await scheduled).ms).toBe(250)
    const loaded = ev.next()
    timers.fire()
    await loaded
    expect(await count(c)).toEqual({ n: 4, s: 4 })

    // An atomic writer: a temporary file renamed over the watched one.
    const again = timers.next()
    dir.file('w.tmp', orders(6))
    renameSync(join(dir.path, 'w.tmp'), file)
    await again
    const reloaded = ev.next()
    timers.fire()
    await reloaded
    expect(await count(c)).toEqual({ n: 6, s: 6 })
    expect(ev.loads.map((e) => e.trigger)).toEqual(['load', 'watch', 'watch'])
    expect(timers.pending).toHaveLength(0)
  })

  it('keeps the previous data when a changed file is bad, reports it, and loads the next good version', async () => {
    const timers = fakeTimers()
    const file = dir.file('wb.csv', orders(2))
    const ev = events()
    const c = connect({ tables: { orders: file }, watch: true, timers, ...ev.options })
    await c.load()
    let scheduled = timers.next()
    dir.file('wb.csv', 'id,amount\n1,2,3\n')
    await scheduled
    let settled = ev.next()
    timers.fire()
    await settled
    expect(ev.errors.map((e) => [e.trigger, e.error.issues[0]?.code])).toEqual([['watch', 'FIELD_COUNT']])
    expect(await count(c)).toEqual({ n: 2, s: 2 })
    scheduled = timers.next()
    dir.file('wb.csv', orders(3))
    await scheduled
    settled = ev.next()
    timers.fire()
    await settled
    expect(await count(c)).toEqual({ n: 3, s: 3 })
    expect(c.status().orders!.error).toBeUndefined()
  })

  it('stops watching when the connector closes', async () => {
    const timers = fakeTimers()
    const file = dir.file('wc.csv', orders(1))
    const c = connect({ tables: { orders: file }, watch: true, timers })
    await c.load()
    await c.close()
    dir.file('wc.csv', orders(2))
    // A change after close schedules nothing; a query is refused.
    await new Promise((resolve) => setImmediate(resolve))
    expect(timers.pending).toHaveLength(0)
    await expect(c.execute(sqlStatement('SELECT 1', []))).rejects.toMatchObject({
      code: 'CONNECTOR_FAILED',
      issues: [{ code: 'CONNECTOR_CLOSED' }],
    })
  })
})

describe('refreshEveryMs', () => {
  it('re-fetches a URL on the timer; an unchanged body is not parsed or swapped', async () => {
    const timers = fakeTimers()
    server.routes.set('/r.csv', { body: orders(2) })
    const ev = events()
    const c = connect({ tables: { orders: `${server.origin}/r.csv` }, refreshEveryMs: 60_000, timers, ...ev.options })
    await c.load()
    expect(timers.pending.map((p) => p.ms)).toEqual([60_000])
    let settled = ev.next()
    timers.fire()
    await settled
    expect(ev.loads.at(-1)).toMatchObject({ trigger: 'refresh', changed: false })
    server.routes.set('/r.csv', { body: orders(3) })
    settled = ev.next()
    timers.fire()
    await settled
    expect(ev.loads.at(-1)).toMatchObject({ trigger: 'refresh', changed: true, rows: 3 })
    expect(await count(c)).toEqual({ n: 3, s: 3 })
    server.routes.set('/r.csv', { status: 503, body: 'down' })
    settled = ev.next()
    timers.fire()
    await settled
    expect(ev.errors.map((e) => e.error.issues[0]?.code)).toEqual(['HTTP_STATUS'])
    expect(await count(c)).toEqual({ n: 3, s: 3 })
    expect(timers.pending.map((p) => p.ms)).toEqual([60_000]) // still refreshing after a failure
  })
})

describe('a table that never loaded', () => {
  it(
    'fails the queries that read it with its own error, not the others; queries retry it at most every 10 ' + 's',
    async () => {
      const timers = fakeTimers()
      const bad = dir.file('never.csv', '')
      const c = connect({ tables: { orders: dir.file('fine.csv', orders(2)), broken: bad }, timers })
      await expect(c.execute(sqlStatement('SELECT count(*) AS n FROM broken', []))).rejects.toMatchObject({
        issues: [{ code: 'FILE_EMPTY' }],
      })
      expect(await count(c)).toEqual({ n: 2, s: 2 })
      dir.file('never.csv', orders(1))
      await expect(c.execute(sqlStatement('SELECT count(*) AS n FROM broken', []))).rejects.toMatchObject({
        issues: [{ code: 'FILE_EMPTY' }],
      })
      timers.advance(10_000)
      expect(await count(c, 'broken')).toEqual({ n: 1, s: 1 })
      expect((await c.healthCheck()).ok).toBe(true)
    },
  )

  it('is reported by healthCheck', async () => {
    const c = connect({ tables: { orders: dir.file('hc.csv', '') } })
    await c.load().catch(() => undefined)
    const health = await c.healthCheck()
    expect(health.ok).toBe(false)
    expect(health.error).toContain('orders (FILE_EMPTY)')
  })
})

describe('the result cache after a reload', () => {
  const model = {
    cubes: [
      {
        name: 'orders',
        sql_table: 'orders',
        measures: [
          { name: 'total', sql: 'amount', type: 'sum' },
          { name: 'count', type: 'count' },
        ],
        dimensions: [{ name: 'id', sql: 'id', type: 'number', primary_key: true }],
      },
      {
        name: 'targets',
        sql_table: 'targets',
        measures: [{ name: 'goal', sql: 'goal', type: 'sum' }],
        dimensions: [{ name: 'id', sql: 'id', type: 'number', primary_key: true }],
      },
      {
        name: 'all_orders',
        sql: 'SELECT * FROM orders',
        measures: [{ name: 'count', type: 'count' }],
        dimensions: [{ name: 'id', sql: 'id', type: 'number', primary_key: true }],
      },
    ],
  }

  it(
    'serves the new data at once, keeps entries of tables that did not change, and shares entries across layers ' +
      'with the same data',
    async () => {
      const file = dir.file('cache-orders.csv', orders(3, 5))
      const targets = dir.file('cache-targets.csv', 'id,goal\n1,100\n')
      const cache = memoryCache()
      const c = connect({ tables: { orders: file, targets } })
      const layer = createSemanticLayer({ model, connectors: { default: c }, cache })
      open.push(layer)
      const q = { measures: ['orders.total', 'orders.count'] }
      const sqlCube = { measures: ['all_orders.count'] }
      // The first query loads the tables: there is no data version to key it under yet, so it is not shared.
      expect((await layer.query(q)).cache.hit).toBe(false)
      expect((await layer.query(q)).cache.hit).toBe(false)
      await layer.query(sqlCube)
      expect(await layer.query(q)).toMatchObject({
        data: [{ 'orders.total': 15, 'orders.count': 3 }],
        cache: { hit: true },
      })

      // Another table changes: the orders entry is still valid; the cube over SQL may read any table.
      dir.file('cache-targets.csv', 'id,goal\n1,200\n')
      await c.reload('targets')
      expect((await layer.query(q)).cache.hit).toBe(true)
      expect((await layer.query(sqlCube)).cache.hit).toBe(false)

      dir.file('cache-orders.csv', orders(4, 5))
      await c.reload('orders')
      const after = await layer.query(q)
      expect(after).toMatchObject({ data: [{ 'orders.total': 20, 'orders.count': 4 }], cache: { hit: false } })
      expect((await layer.query(q)).cache.hit).toBe(true)

      // A second layer (another instance) over the same files and the same cache shares the entry.
      const other = connect({ tables: { orders: file, targets } })
      const layer2 = createSemanticLayer({ model, connectors: { default: other }, cache })
      open.push(layer2)
      await layer2.query(sqlCube) // loads its tables
      expect(await layer2.query(q)).toMatchObject({ data: [{ 'orders.total': 20 }], cache: { hit: true } })
    },
  )

  it('is never served across different data, even in stale-while-revalidate mode', async () => {
    const file = dir.file('swr.csv', orders(1, 1))
    const c = connect({ tables: { orders: file, targets: dir.file('swr-t.csv', 'id,goal\n1,1\n') } })
    const layer = createSemanticLayer({ model, connectors: { default: c } })
    open.push(layer)
    const q = { measures: ['orders.total'] }
    await layer.query(q, { cacheMode: 'stale-while-revalidate' })
    dir.file('swr.csv', orders(1, 9))
    await c.reload('orders')
    expect((await layer.query(q, { cacheMode: 'stale-while-revalidate' })).data).toEqual([{ 'orders.total': 9 }])
  })
})
