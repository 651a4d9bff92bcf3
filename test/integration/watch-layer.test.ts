/**
 * layer.watchModel(): a new version is swapped in atomically. A query that started before the swap
 * finishes with the old model's SQL and rows, the same query after it gets the new model's (the compiled-
 * query and result caches are keyed by model), an invalid version leaves the layer serving the old one,
 * and every served version is in modelHistory() and in the audit events' modelVersion.
 */
import Database from 'better-sqlite3'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createSemanticLayer,
  defineConnector,
  loadModel,
  type AuditEvent,
  type Connector,
  type SemanticLayer,
} from '../../src/index.js'
import type { ModelWatcher } from '../../src/model/watch-model.js'
import { sqlite } from '../../src/sqlite.js'
import { fakeFolder, modelFolder, next, ordersCube } from '../fixtures/watch-helpers.js'
import type { QueryInput } from '../../src/index.js'

const QUERY: QueryInput = {
  measures: ['orders.total'],
  dimensions: ['orders.status'],
  order: { 'orders.status': 'asc' },
}

/** SQLite through `execute` only, where a test can hold a statement before it runs. */
function gatedSqlite(db: Database.Database) {
  const inner = sqlite({ database: db })
  let gate: Promise<void> | undefined
  let open: (() => void) | undefined
  let entered: (() => void) | undefined
  const connector: Connector = defineConnector({
    dialect: inner.dialect,
    execute: async (statement, options) => {
      entered?.()
      await gate
      return inner.execute(statement, options)
    },
    stream: (statement, options) => inner.stream(statement, options),
    healthCheck: () => inner.healthCheck(),
    close: () => inner.close(),
  })
  return {
    connector,
    /** Hold the next statements until `release()`; resolves when one has reached the connector. */
    hold(): Promise<void> {
      gate = new Promise((resolve) => (open = resolve))
      return new Promise((resolve) => (entered = resolve))
    },
    release(): void {
      entered = undefined
      open?.()
      gate = undefined
    },
  }
}

let db: Database.Database
const oracle = (sql: string) => db.prepare(sql).all()
beforeAll(() => {
  db = new Database(':memory:')
  db.exec(`CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT, amount REAL, discount REAL);
    INSERT INTO orders VALUES (1, 'paid', 10, 1), (2, 'paid', 20, 2), (3, 'open', 5, 0.5);`)
})
afterAll(() => db.close())

describe('layer.watchModel', () => {
  let dir: string
  let layer: SemanticLayer
  let watcher: ModelWatcher
  let gated: ReturnType<typeof gatedSqlite>
  const audits: AuditEvent[] = []
  beforeAll(async () => {
    dir = modelFolder({ 'orders.yml': ordersCube('amount') })
    gated = gatedSqlite(db)
    layer = createSemanticLayer({
      model: await loadModel(dir),
      connectors: { default: gated.connector },
      onAudit: (e) => audits.push(e),
    })
    watcher = await layer.watchModel(dir, { watch: fakeFolder().watch })
  })
  afterAll(async () => {
    await layer.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('finishes a query in flight on the old model and runs the next one on the new model', async () => {
    const v1 = layer.model!.version
    const warm = await layer.query(QUERY) // cached and compiled under v1
    expect(warm.data).toEqual(
      oracle('SELECT status AS "orders.status", sum(amount) AS "orders.total" FROM orders GROUP BY 1 ORDER BY 1'),
    )

    const reached = gated.hold()
    const inFlight = layer.query({ ...QUERY, limit: 100 }) // not cached yet: it runs on the database
    await reached // it has read its model and is waiting in the connector
    writeFileSync(join(dir, 'orders.yml'), ordersCube('amount - discount'))
    expect(await watcher.reload()).toMatchObject({ status: 'changed' })
    const v2 = layer.model!.version
    expect(v2).not.toBe(v1)
    gated.release()

    const before = await inFlight
    expect(before.sql.sql).toContain('sum("orders".amount)')
    expect(before.data).toEqual(
      oracle('SELECT status AS "orders.status", sum(amount) AS "orders.total" FROM orders GROUP BY 1 ORDER BY 1'),
    )
    const after = await layer.query(QUERY) // the same query text: neither cache may answer with v1
    expect(after.sql.sql).toContain('sum(amount - discount)')
    expect(after.data).toEqual(
      oracle(
        'SELECT status AS "orders.status", sum(amount - discount) AS "orders.total" FROM orders GROUP BY 1 ORDER BY 1',
      ),
    )

    const versions = audits.filter((a) => a.outcome === 'allowed').map((a) => a.modelVersion)
    expect(versions.slice(-2)).toEqual([v1, v2])
    const history = layer.modelHistory()
    expect(history.map((h) => [h.version, h.reason])).toEqual([
      [v1, 'initial'],
      [v2, 'reload'],
    ])
    expect(history[1]).toMatchObject({ previous: v1, changes: { resultsMayChange: 1, breaking: 0 } })
  })

  it('keeps serving the old model when a change is invalid, and reports every issue', async () => {
    const current = layer.model!.version
    const error = next((l: (e: { issues: readonly { code: string }[] }) => void) => watcher.on('modelError', l))
    writeFileSync(
      join(dir, 'orders.yml'),
      ordersCube('{CUBE.nope}', '    segments:\n      - { name: s, sql: "{missing.x}" }\n'),
    )
    expect(await watcher.reload()).toMatchObject({ status: 'invalid' })
    expect((await error).issues.map((i) => i.code)).toEqual(['UNKNOWN_REFERENCE', 'UNKNOWN_REFERENCE'])
    expect(layer.model!.version).toBe(current)
    const { data } = await layer.query(QUERY)
    expect(data).toEqual(
      oracle(
        'SELECT status AS "orders.status", sum(amount - discount) AS "orders.total" FROM orders GROUP BY 1 ORDER BY 1',
      ),
    )
    expect(layer.modelHistory()).toHaveLength(2)
  })

  it('a breaking change is swapped in too, and queries it breaks fail with the usual error', async () => {
    writeFileSync(
      join(dir, 'orders.yml'),
      ordersCube('amount').replace('      - { name: status, sql: status, type: string }\n', ''),
    )
    const outcome = await watcher.reload()
    expect(outcome).toMatchObject({ status: 'changed', diff: { breaking: true } })
    const error = await layer.query(QUERY).catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'QUERY_INVALID',
      issues: expect.arrayContaining([expect.objectContaining({ code: 'UNKNOWN_MEMBER', path: ['dimensions', 0] })]),
    })
  })
})

describe('layer.watchModel limits', () => {
  it('starts serving the folder at once, and the layer closes its watcher', async () => {
    const dir = modelFolder({ 'orders.yml': ordersCube('amount * 10') })
    const layer = createSemanticLayer({ model: { cubes: [] }, connectors: { default: sqlite({ database: db }) } })
    const watcher = await layer.watchModel(dir, { watch: fakeFolder().watch })
    const { data } = await layer.query({ measures: ['orders.total'] })
    expect(data).toEqual(oracle('SELECT sum(amount * 10) AS "orders.total" FROM orders'))
    expect(layer.modelHistory()[1]).toMatchObject({ reason: 'reload', changes: { added: 1 } })
    await layer.close()
    expect(watcher.closed).toBe(true)
    await expect(layer.watchModel(dir)).rejects.toMatchObject({ code: 'LAYER_CLOSED' })
    rmSync(dir, { recursive: true, force: true })
  })

  it('refuses a layer with per-tenant models', async () => {
    const layer = createSemanticLayer({
      model: () => ({ cubes: [] }),
      connectors: { default: sqlite({ database: db }) },
      contextToTenant: () => 't1',
    })
    await expect(layer.watchModel('.')).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      issues: [{ code: 'MODEL_NOT_WATCHABLE' }],
    })
    expect(layer.modelHistory()).toEqual([])
    await layer.close()
  })
})
