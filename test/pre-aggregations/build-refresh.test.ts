/**
 * Builds, status and refresh with an injected clock: progress events per partition, fresh partitions
 * skipped, `every` and `sql` refresh keys, incremental partitions inside update_window only, forced
 * rebuilds, the swap (a statement routed before a rebuild still reads the old table), and the background
 * refresher fired by the clock, one build at a time.
 */
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createEcommerceSqlite } from '../../examples/ecommerce/generate.mjs'
import {
  createSemanticLayer,
  loadModel,
  type BuildEvent,
  type QueryInput,
  type SemanticLayer,
} from '../../src/index.js'
import type { ModelInput } from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'
import { MODEL_DIR } from '../integration/oracle/layer.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR

function fakeClock(start: number) {
  const timers: { at: number; run: () => void }[] = []
  const clock = {
    t: start,
    now: () => clock.t,
    setTimer(run: () => void, ms: number) {
      const timer = { at: clock.t + ms, run }
      timers.push(timer)
      return () => void timers.splice(timers.indexOf(timer), 1)
    },
    /** Move the clock and run the timers that are due. */
    advance(ms: number) {
      clock.t += ms
      for (const timer of timers.filter((x) => x.at <= clock.t)) {
        timers.splice(timers.indexOf(timer), 1)
        timer.run()
      }
    },
  }
  return clock
}

const ROLLUPS = [
  {
    name: 'monthly',
    measures: ['count', 'total_amount'],
    dimensions: ['status'],
    time_dimension: 'created_at',
    granularity: 'day',
    partition_granularity: 'month',
    refresh_key: { every: '1 hour' },
  },
  {
    name: 'recent',
    measures: ['count'],
    dimensions: ['status'],
    time_dimension: 'created_at',
    granularity: 'day',
    partition_granularity: 'month',
    refresh_key: { every: '1 hour', incremental: true, update_window: '40 day' },
  },
  { name: 'by_sql', measures: ['count'], dimensions: ['status'], refresh_key: { sql: 'SELECT count(*) FROM orders' } },
]

let db: Database.Database
let layer: SemanticLayer
let clock: ReturnType<typeof fakeClock>
let events: BuildEvent[]

async function open(extra: object = {}): Promise<SemanticLayer> {
  const base = await loadModel(MODEL_DIR)
  const model = {
    cubes: base.cubes.map((c) => (c.name === 'orders' ? { ...c, pre_aggregations: ROLLUPS } : c)),
    views: base.views,
  }
  return createSemanticLayer({
    model: model as ModelInput,
    connectors: { default: sqlite({ database: db }) },
    clock,
    cache: false,
    preAggregations: { onEvent: (e) => events.push(e), ...extra },
  })
}

beforeEach(async () => {
  db = new Database(':memory:')
  createEcommerceSqlite(db)
  clock = fakeClock(Date.parse('2024-06-15T12:00:00Z'))
  events = []
  layer = await open()
})
afterEach(async () => {
  await layer.close()
  db.close()
})

const insertOrder = (id: number, createdAt: string, amount: number) =>
  db
    .prepare(
      `INSERT INTO orders (id, customer_id, status, amount, discount, note, created_at) VALUES (?, 1, 'paid', ?, 0, NULL, ?)`,
    )
    .run(id, amount, createdAt)
const partitionsOf = (name: string) => layer.preAggregations.status().find((s) => s.name === name)!.partitions

describe('build and status', () => {
  it('builds every partition with started, rows and finished events, and reports rows like the source', async () => {
    const summary = await layer.preAggregations.build({ names: ['orders.monthly'] })
    const monthCount = (
      db.prepare(`SELECT count(DISTINCT substr(created_at, 1, 7)) AS n FROM orders`).get() as { n: number }
    ).n
    expect(summary.failed).toEqual([])
    expect(summary.built).toHaveLength(monthCount)
    const first = summary.built[0]!
    expect(events.filter((e) => e.partition === first.partition).map((e) => e.type)).toEqual([
      'started',
      'rows',
      'finished',
    ])
    const status = partitionsOf('orders.monthly')
    const march = status.find((p) => p.partition === '20240301')!
    const groups = db
      .prepare(
        `SELECT count(*) AS n FROM (SELECT status, date(created_at) FROM orders WHERE created_at >= '2024-03-01' AND created_at < '2024-04-01' GROUP BY 1, 2)`,
      )
      .get() as { n: number }
    expect(march.rows).toBe(groups.n)
    expect(march.range).toEqual({ from: '2024-03-01T00:00:00.000Z', to: '2024-04-01T00:00:00.000Z' })
    expect(march.refreshKey).toBe(`every:${Math.floor(clock.t / HOUR)}`)
    expect(march.table).toMatch(/^orders_monthly_[0-9a-f]{10}_20240301_/)
  })

  it('skips fresh partitions and rebuilds them all with force', async () => {
    const first = await layer.preAggregations.build({ names: ['orders.monthly'] })
    const again = await layer.preAggregations.build({ names: ['orders.monthly'] })
    expect(again.built).toEqual([])
    expect(again.skipped).toBe(first.built.length)
    const forced = await layer.preAggregations.build({
      names: ['orders.monthly'],
      force: true,
      partitions: ['20240301', '20240401'],
    })
    expect(forced.built.map((b) => b.partition)).toEqual(['20240301', '20240401'])
  })

  it('reports a failing build per partition as failed, and serves from the source meanwhile', async () => {
    db.exec('ALTER TABLE orders RENAME COLUMN amount TO amount_cents')
    const summary = await layer.preAggregations.build({ names: ['orders.monthly'], partitions: ['20240301'] })
    expect(summary.failed.map((f) => f.partition)).toEqual(['20240301'])
    expect(events.map((e) => e.type)).toEqual(['started', 'failed'])
    expect(partitionsOf('orders.monthly')).toEqual([])
  })
})

describe('refresh keys', () => {
  it('every: after the hour turns, new data shows in every partition of a non-incremental rollup', async () => {
    await layer.preAggregations.build({ names: ['orders.monthly'] })
    insertOrder(100_001, '2023-02-10 10:00:00', 1000)
    const q: QueryInput = {
      measures: ['orders.total_amount'],
      timeDimensions: [{ dimension: 'orders.created_at', dateRange: ['2023-02-01', '2023-02-28'] }],
    }
    const source = () =>
      (
        db
          .prepare(`SELECT sum(amount) AS s FROM orders WHERE created_at >= '2023-02-01' AND created_at < '2023-03-01'`)
          .get() as { s: number }
      ).s
    const stale = await layer.query(q)
    expect(stale.usedPreAggregations).toBeDefined()
    expect(stale.data[0]!['orders.total_amount']).toBeCloseTo(source() - 1000, 6)
    expect((await layer.preAggregations.build({ names: ['orders.monthly'] })).built).toEqual([]) // same hour: fresh
    clock.advance(HOUR)
    const rebuilt = await layer.preAggregations.build({ names: ['orders.monthly'] })
    expect(rebuilt.built.length).toBe(partitionsOf('orders.monthly').length)
    expect((await layer.query(q)).data[0]!['orders.total_amount']).toBeCloseTo(source(), 6)
  })

  it('incremental: only partitions inside update_window are rebuilt', async () => {
    await layer.preAggregations.build({ names: ['orders.recent'] })
    clock.advance(HOUR)
    const rebuilt = await layer.preAggregations.build({ names: ['orders.recent'] })
    const windowStart = clock.t - 40 * DAY
    const expected = partitionsOf('orders.recent')
      .filter((p) => Date.parse(p.range!.to) > windowStart)
      .map((p) => p.partition)
    expect(rebuilt.built.map((b) => b.partition)).toEqual(expected)
    expect(expected).toContain('20240501') // ends 2024-06-01, inside the 40 days before 2024-06-15
    expect(expected).not.toContain('20240401')
    expect(rebuilt.skipped).toBe(partitionsOf('orders.recent').length - expected.length)
  })

  it('sql: rebuilt when the value changes, not before', async () => {
    await layer.preAggregations.build({ names: ['orders.by_sql'] })
    clock.advance(10 * HOUR)
    expect((await layer.preAggregations.build({ names: ['orders.by_sql'] })).built).toEqual([])
    insertOrder(100_002, '2024-06-01 10:00:00', 5)
    const rebuilt = await layer.preAggregations.build({ names: ['orders.by_sql'] })
    expect(rebuilt.built).toHaveLength(1)
    const { data } = await layer.query({ measures: ['orders.count'] })
    expect(data[0]!['orders.count']).toBe((db.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n)
  })
})

describe('swap', () => {
  it('a statement routed before a rebuild reads the old table, whole; the next build drops it', async () => {
    await layer.preAggregations.build({ names: ['orders.by_sql'] })
    const before = await layer.sql({ measures: ['orders.count'] })
    insertOrder(100_003, '2024-06-01 10:00:00', 5)
    await layer.preAggregations.build({ names: ['orders.by_sql'] })
    const after = await layer.sql({ measures: ['orders.count'] })
    expect(after.sql).not.toBe(before.sql)
    const run = (s: { sql: string; params: readonly unknown[] }) =>
      Object.values(db.prepare(s.sql).get(...s.params) as object)[0] as number
    const total = (db.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n
    expect(run(before)).toBe(total - 1) // old data, complete
    expect(run(after)).toBe(total)
    await layer.preAggregations.build({ names: ['orders.monthly'], partitions: [] })
    expect(() => run(before)).toThrow(/no such table/)
  })
})

describe('background refresher', () => {
  it('builds when the clock fires, one build at a time', async () => {
    await layer.close()
    layer = await open({ refresh: { everyMs: 60_000 } })
    clock.advance(60_000)
    clock.advance(60_000) // fires again while the first build runs: skipped
    await layer.preAggregations.build({ names: [] }) // queued behind the refresher's build
    const started = events.filter((e) => e.type === 'started')
    const keys = started.map((e) => `${e.rollup}:${e.partition}`)
    expect(new Set(keys).size).toBe(keys.length)
    expect(keys.length).toBe(layer.preAggregations.status().reduce((n, s) => n + s.partitions.length, 0))
  })
})
