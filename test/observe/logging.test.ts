/**
 * The `logger` option: one structured event per query and stream, the SQL text only at debug, failures
 * at warn or error with their code, and never a filter value, parameter or the security context.
 */
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createSemanticLayer, type SemanticLayerOptions } from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'
import { debugEnabled, lineLogger, resolveLogger, type Logger } from '../../src/observe/logger.js'

const MODEL = {
  cubes: [
    {
      name: 'orders',
      sql_table: 'orders',
      measures: [{ name: 'count', type: 'count' }],
      dimensions: [
        { name: 'id', sql: 'id', type: 'number', primary_key: true },
        { name: 'status', sql: 'status', type: 'string' },
        { name: 'tenant', sql: 'tenant', type: 'string' },
      ],
    },
  ],
}
const SECRET_VALUE = 'needle-value-4F'
const SECRET_TOKEN = 'needle-token-8P'
const QUERY = {
  measures: ['orders.count'],
  dimensions: ['orders.status'],
  filters: [{ member: 'orders.status', operator: 'notEquals' as const, values: [SECRET_VALUE] }],
}

interface Event {
  readonly level: keyof Logger
  readonly fields: Record<string, unknown>
  readonly message: string | undefined
}

function capture(): { logger: Logger; events: Event[] } {
  const events: Event[] = []
  const at = (level: keyof Logger) => (fields: Record<string, unknown>, message?: string) =>
    void events.push({ level, fields, message })
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, events }
}

let db: Database.Database
beforeEach(() => {
  db = new Database(':memory:')
  db.exec(`CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT, tenant TEXT);
    INSERT INTO orders VALUES (1, 'open', 'acme'), (2, 'done', 'acme'), (3, 'open', 'beta')`)
})
afterEach(() => db.close())

const make = (extra: Partial<SemanticLayerOptions>) =>
  createSemanticLayer({ model: MODEL, connectors: { default: sqlite({ database: db }) }, telemetry: false, ...extra })

describe('query logging', () => {
  it('one info event per query with members, SQL hash, rows, duration, cache hit and tenant; SQL only at debug', async () => {
    const { logger, events } = capture()
    const layer = make({ logger, contextToTenant: (ctx) => ctx.tenant as string })
    try {
      const result = await layer.query(QUERY, { securityContext: { tenant: 'acme', token: SECRET_TOKEN } })
      const info = events.filter((e) => e.level === 'info')
      expect(info).toHaveLength(1)
      const oracle = db.prepare('SELECT count(DISTINCT status) AS n FROM orders WHERE status <> ?').get(SECRET_VALUE)
      expect(info[0]!.fields).toMatchObject({
        event: 'cortex.query',
        outcome: 'ok',
        members: ['orders.count', 'orders.status'],
        rows: (oracle as { n: number }).n,
        cacheHit: false,
        tenant: 'acme',
        dataSource: 'default',
        modelVersion: layer.model!.version,
      })
      expect(info[0]!.fields.sqlHash).toMatch(/^[0-9a-f]{64}$/)
      expect(info[0]!.fields.durationMs).toBeGreaterThanOrEqual(0)
      expect(JSON.stringify(info)).not.toContain('SELECT')

      const debug = events.filter((e) => e.level === 'debug')
      expect(debug).toHaveLength(1)
      expect(debug[0]!.fields).toEqual({
        event: 'cortex.query.sql',
        sqlHash: info[0]!.fields.sqlHash,
        sql: result.sql.sql,
      })

      await layer.query(QUERY, { securityContext: { tenant: 'acme', token: SECRET_TOKEN } })
      expect(events.filter((e) => e.level === 'info')[1]!.fields.cacheHit).toBe(true)

      expect(result.sql.params).toContain(SECRET_VALUE) // bound, so it could have leaked
      const text = JSON.stringify(events)
      expect(text).not.toContain(SECRET_VALUE)
      expect(text).not.toContain(SECRET_TOKEN)
    } finally {
      await layer.close()
    }
  })

  it('a stream logs one event when its rows are done', async () => {
    const { logger, events } = capture()
    const layer = make({ logger })
    try {
      let n = 0
      for await (const _ of layer.stream(QUERY)) n++
      expect(events.filter((e) => e.level === 'info').map((e) => [e.fields.event, e.fields.rows])).toEqual([
        ['cortex.stream', n],
      ])
    } finally {
      await layer.close()
    }
  })

  it('failures: a bad query at warn, a failing source at error, each with its code and no value', async () => {
    const { logger, events } = capture()
    const layer = make({ logger })
    try {
      await expect(layer.query({ measures: ['orders.nope'] })).rejects.toMatchObject({ code: 'QUERY_INVALID' })
      db.exec('DROP TABLE orders')
      await expect(layer.query(QUERY)).rejects.toMatchObject({ code: 'CONNECTOR_FAILED' })
      expect(events.map((e) => [e.level, e.fields.event, e.fields.outcome, e.fields.errorCode])).toEqual([
        ['warn', 'cortex.query', 'error', 'QUERY_INVALID'],
        ['error', 'cortex.query', 'error', 'CONNECTOR_FAILED'],
      ])
      expect(events[0]!.fields.members).toBeUndefined() // not validated: nothing from the request
      expect(events[1]!.fields.members).toEqual(['orders.count', 'orders.status'])
      expect(JSON.stringify(events)).not.toContain(SECRET_VALUE)
    } finally {
      await layer.close()
    }
  })

  it('a logger that throws does not fail the query', async () => {
    const boom = (): never => {
      throw new Error('logger down')
    }
    const layer = make({ logger: { debug: boom, info: boom, warn: boom, error: boom } })
    try {
      expect((await layer.query(QUERY)).data.length).toBeGreaterThan(0)
    } finally {
      await layer.close()
    }
  })

  it('a logger without the four methods is CONFIG_INVALID, saying what is missing', () => {
    expect(() => make({ logger: { info: () => undefined } as unknown as Logger })).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        issues: [expect.objectContaining({ path: ['logger'], message: expect.stringContaining('debug, warn, error') })],
      }),
    )
  })

  it('DEBUG=cortex turns on a JSON-lines logger when none is passed', () => {
    for (const on of ['cortex', 'cortex*', 'cortex:*', 'express,cortex', '*']) expect(debugEnabled(on), on).toBe(true)
    for (const off of [undefined, '', 'express', 'cortexx', 'notcortex']) expect(debugEnabled(off), off).toBe(false)
    expect(resolveLogger(undefined, { DEBUG: 'cortex' })).toBeDefined()
    expect(resolveLogger(undefined, {})).toBeUndefined()
    const lines: string[] = []
    lineLogger((l) => lines.push(l)).info({ event: 'cortex.query', rows: 2 }, 'cortex query')
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', event: 'cortex.query', rows: 2, msg: 'cortex query' })
  })
})
