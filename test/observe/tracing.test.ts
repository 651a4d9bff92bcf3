/**
 * OpenTelemetry spans and metrics, recorded by the SDK's in-memory exporter and a metric reader: the span
 * tree of a query (cache miss and hit), a stream and failures; database attributes; and no filter value,
 * security context or driver message anywhere in what is exported.
 */
import { metrics, trace } from '@opentelemetry/api'
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createSemanticLayer, defineConnector, type SemanticLayer } from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'
import { createTelemetry, loadOtelApi } from '../../src/observe/telemetry.js'

const MODEL = {
  cubes: [
    {
      name: 'orders',
      sql_table: 'orders',
      measures: [
        { name: 'count', type: 'count' },
        { name: 'total', sql: 'amount', type: 'sum' },
      ],
      dimensions: [
        { name: 'id', sql: 'id', type: 'number', primary_key: true },
        { name: 'status', sql: 'status', type: 'string' },
      ],
    },
  ],
}
const SECRET_VALUE = 'needle-filter-value-7Q'
const SECRET_TOKEN = 'needle-token-9Z'
const DRIVER_TEXT = 'needle-driver-text-3K'
const QUERY = {
  measures: ['orders.count', 'orders.total'],
  dimensions: ['orders.status'],
  filters: [{ member: 'orders.status', operator: 'notEquals' as const, values: [SECRET_VALUE] }],
}
const CONTEXT = { securityContext: { sub: 'u1', token: SECRET_TOKEN } }

class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

let db: Database.Database
let exporter: InMemorySpanExporter
let tracerProvider: BasicTracerProvider
let reader: TestReader
let meterProvider: MeterProvider
let layer: SemanticLayer

beforeEach(() => {
  db = new Database(':memory:')
  db.exec(`CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT, amount REAL);
    INSERT INTO orders VALUES (1, 'open', 5), (2, 'open', 7), (3, 'done', 11)`)
  exporter = new InMemorySpanExporter()
  tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  reader = new TestReader()
  meterProvider = new MeterProvider({ readers: [reader] })
  layer = createSemanticLayer({
    model: MODEL,
    connectors: { default: sqlite({ database: db }) },
    telemetry: { tracerProvider, meterProvider },
  })
})
afterEach(async () => {
  await layer.close()
  db.close()
})

const spans = (): ReadableSpan[] => exporter.getFinishedSpans()
const named = (name: string): ReadableSpan => {
  const found = spans().filter((s) => s.name === name)
  expect(found, name).toHaveLength(1)
  return found[0]!
}
const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId
const idOf = (span: ReadableSpan): string => span.spanContext().spanId

/** Everything exported, as text: names, attributes, status, events (exceptions) of every span, and metrics. */
function exported(collected?: ResourceMetrics): string {
  const spanText = spans().map((s) =>
    JSON.stringify({ name: s.name, attributes: s.attributes, status: s.status, events: s.events }),
  )
  return spanText.join('\n') + JSON.stringify(collected?.scopeMetrics ?? [])
}

describe('tracing', () => {
  it('a query is a span tree: compile, cache (the database call under it), shape', async () => {
    const result = await layer.query(QUERY, CONTEXT)
    const root = named('cortex.query')
    const compile = named('cortex.compile')
    const cache = named('cortex.cache')
    const select = named('SELECT default')
    const shape = named('cortex.shape')
    expect(parentOf(root)).toBeUndefined()
    for (const child of [compile, cache, shape]) expect(parentOf(child)).toBe(idOf(root))
    expect(parentOf(select)).toBe(idOf(cache))
    expect(new Set(spans().map((s) => s.spanContext().traceId)).size).toBe(1)

    expect(select.kind).toBe(2) // CLIENT
    expect(select.attributes).toMatchObject({
      'db.system.name': 'sqlite',
      'db.system': 'sqlite',
      'db.operation.name': 'SELECT',
      'cortex.data_source': 'default',
    })
    expect(root.attributes).toMatchObject({
      'cortex.members': ['orders.count', 'orders.total', 'orders.status'],
      'db.system.name': 'sqlite',
      'db.response.returned_rows': result.data.length,
      'cortex.cache.hit': false,
      'cortex.data_source': 'default',
      'cortex.model.version': layer.model!.version,
    })
    expect(root.attributes['cortex.sql.hash']).toMatch(/^[0-9a-f]{64}$/)
    expect(root.status.code).toBe(0) // UNSET: no error
  })

  it('a cache hit has no database span and says so', async () => {
    await layer.query(QUERY, CONTEXT)
    exporter.reset()
    const again = await layer.query(QUERY, CONTEXT)
    expect(again.cache.hit).toBe(true)
    expect(
      spans()
        .map((s) => s.name)
        .sort(),
    ).toEqual(['cortex.cache', 'cortex.compile', 'cortex.query', 'cortex.shape'])
    expect(named('cortex.query').attributes['cortex.cache.hit']).toBe(true)
  })

  it('a stream: compile and the database call under cortex.stream, ended when the rows are', async () => {
    const rows = []
    for await (const row of layer.stream(QUERY, CONTEXT)) rows.push(row)
    const root = named('cortex.stream')
    expect(parentOf(named('cortex.compile'))).toBe(idOf(root))
    expect(parentOf(named('SELECT default'))).toBe(idOf(root))
    expect(root.attributes['db.response.returned_rows']).toBe(rows.length)
    const oracle = db.prepare('SELECT count(DISTINCT status) AS n FROM orders WHERE status <> ?').get(SECRET_VALUE)
    expect(rows.length).toBe((oracle as { n: number }).n)
  })

  it('a bad query: the compile span and the query span carry the error code', async () => {
    await expect(layer.query({ measures: ['orders.nope'] })).rejects.toMatchObject({ code: 'QUERY_INVALID' })
    for (const span of [named('cortex.query'), named('cortex.compile')]) {
      expect(span.status).toEqual({ code: 2, message: 'QUERY_INVALID' })
      expect(span.attributes['error.type']).toBe('QUERY_INVALID')
      expect(span.events.map((e) => e.name)).toEqual(['exception'])
    }
  })

  it("a failing database: the client span is an error, the driver's message is not exported", async () => {
    const failing = createSemanticLayer({
      model: MODEL,
      connectors: {
        default: defineConnector({
          dialect: sqlite({ database: db }).dialect,
          execute: async () => {
            throw new Error(`${DRIVER_TEXT} near ${SECRET_VALUE}`)
          },
          stream: () => {
            throw new Error('unused')
          },
          healthCheck: async () => ({ ok: true, latencyMs: 0 }),
          close: async () => undefined,
        }),
      },
      telemetry: { tracerProvider, meterProvider },
    })
    try {
      await expect(failing.query(QUERY, CONTEXT)).rejects.toMatchObject({ code: 'CONNECTOR_FAILED' })
    } finally {
      await failing.close()
    }
    const select = named('SELECT default')
    expect(select.status).toEqual({ code: 2, message: 'CONNECTOR_FAILED' })
    expect(named('cortex.query').attributes['error.type']).toBe('CONNECTOR_FAILED')
    expect(named('cortex.cache').status.code).toBe(2)
    const text = exported()
    expect(text).not.toContain(DRIVER_TEXT)
    expect(text).not.toContain(SECRET_VALUE)
  })

  it('no filter value, parameter or security context in any span or metric', async () => {
    const result = await layer.query(QUERY, CONTEXT)
    expect(result.sql.params).toContain(SECRET_VALUE) // the value was bound, so it could have leaked
    await layer.query(QUERY, CONTEXT)
    for await (const _ of layer.stream(QUERY, CONTEXT)) void _
    const { resourceMetrics } = await reader.collect()
    const text = exported(resourceMetrics)
    expect(text).toContain('orders.status') // member names are there
    expect(text).not.toContain(SECRET_VALUE)
    expect(text).not.toContain(SECRET_TOKEN)
    expect(text).not.toContain('u1')
  })

  it('metrics: query and database durations, cache lookups by hit', async () => {
    await layer.query(QUERY, CONTEXT)
    await layer.query(QUERY, CONTEXT)
    const { resourceMetrics } = await reader.collect()
    const all = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics)
    const metric = (name: string) => all.find((m) => m.descriptor.name === name)!
    const queryDuration = metric('cortex.query.duration').dataPoints as { value: { count: number } }[]
    expect(queryDuration.reduce((n, p) => n + p.value.count, 0)).toBe(2)
    const dbDuration = metric('db.client.operation.duration').dataPoints as {
      attributes: Record<string, unknown>
      value: { count: number }
    }[]
    expect(dbDuration.map((p) => [p.attributes['db.system.name'], p.value.count])).toEqual([['sqlite', 1]])
    const lookups = metric('cortex.cache.requests').dataPoints as {
      attributes: Record<string, unknown>
      value: number
    }[]
    expect(lookups.map((p) => [p.attributes['cortex.cache.hit'], p.value]).sort()).toEqual([
      [false, 1],
      [true, 1],
    ])
  })

  it('uses the global providers of @opentelemetry/api by default, and none with telemetry: false', async () => {
    trace.setGlobalTracerProvider(tracerProvider)
    metrics.setGlobalMeterProvider(meterProvider)
    try {
      const global = createSemanticLayer({ model: MODEL, connectors: { default: sqlite({ database: db }) } })
      const off = createSemanticLayer({
        model: MODEL,
        connectors: { default: sqlite({ database: db }) },
        telemetry: false,
      })
      try {
        await off.query(QUERY)
        expect(spans()).toEqual([])
        await global.query(QUERY)
        expect(named('cortex.query').attributes['db.system.name']).toBe('sqlite')
      } finally {
        await global.close()
        await off.close()
      }
    } finally {
      trace.disable()
      metrics.disable()
    }
  })

  it('is off, with no error, when @opentelemetry/api cannot be loaded', () => {
    const missing = (): never => {
      throw Object.assign(new Error("Cannot find module '@opentelemetry/api'"), { code: 'MODULE_NOT_FOUND' })
    }
    expect(loadOtelApi(missing)).toBeUndefined()
    expect(createTelemetry(undefined, () => loadOtelApi(missing))).toBeUndefined()
    expect(loadOtelApi()).toBeDefined() // installed here as a devDependency
  })
})
