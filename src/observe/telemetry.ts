/**
 * OpenTelemetry, when `@opentelemetry/api` is installed (an optional peer: nothing here imports it
 * statically; it is required on first use and its absence makes telemetry a no-op). The types below are
 * the few structural pieces the layer uses, so the package's types never name `@opentelemetry/api`.
 */
import { createRequire } from 'node:module'

export type AttributeValue = string | number | boolean | string[]
export type Attributes = Record<string, AttributeValue | undefined>

/** The parts of an OpenTelemetry `Span` the layer calls. */
export interface SpanLike {
  setAttribute(key: string, value: AttributeValue): unknown
  setStatus(status: { code: number; message?: string }): unknown
  recordException(exception: { name: string; message: string }): unknown
  end(): void
}

/** An OpenTelemetry `TracerProvider` (the SDK's `BasicTracerProvider`, `NodeTracerProvider`, ...). */
export interface TracerProviderLike {
  getTracer(
    name: string,
    version?: string,
  ): {
    startSpan(
      name: string,
      options?: { kind?: 0 | 1 | 2 | 3 | 4; attributes?: Attributes },
      context?: unknown,
    ): SpanLike
  }
}

interface InstrumentLike {
  add?(value: number, attributes?: Attributes): void
  record?(value: number, attributes?: Attributes): void
}

/** An OpenTelemetry `MeterProvider` (the SDK's `MeterProvider`). */
export interface MeterProviderLike {
  getMeter(
    name: string,
    version?: string,
  ): {
    createHistogram(name: string, options?: { description?: string; unit?: string }): InstrumentLike
    createCounter(name: string, options?: { description?: string; unit?: string }): InstrumentLike
  }
}

/** The `telemetry` option. Default: the global providers of `@opentelemetry/api`, when it is installed. */
export interface TelemetryOptions {
  /** Spans go here instead of the global tracer provider. */
  readonly tracerProvider?: TracerProviderLike
  /** Metrics go here instead of the global meter provider. */
  readonly meterProvider?: MeterProviderLike
}

/** What `@opentelemetry/api` exports that the layer uses. */
interface OtelApi {
  trace: TracerProviderLike & {
    getTracerProvider(): TracerProviderLike
    setSpan(context: unknown, span: SpanLike): unknown
  }
  metrics: { getMeterProvider(): MeterProviderLike }
  context: { active(): unknown }
}

export const SPAN_KIND_INTERNAL = 0 as const
export const SPAN_KIND_CLIENT = 2 as const
export const STATUS_ERROR = 2

/** `@opentelemetry/api` when it can be required from here, else undefined (telemetry off). */
export function loadOtelApi(require: (id: string) => unknown = createRequire(import.meta.url)): OtelApi | undefined {
  try {
    const api = require('@opentelemetry/api') as Partial<OtelApi>
    return api.trace && api.context && api.metrics ? (api as OtelApi) : undefined
  } catch {
    return undefined
  }
}

const NAME = 'cortex-semantic'

/** The tracer, meter and context helpers of one layer; undefined when telemetry is off. */
export interface Telemetry {
  readonly tracer: ReturnType<TracerProviderLike['getTracer']>
  /** The context with `span` as the active span (the parent of spans started with it). */
  withSpan(span: SpanLike): unknown
  active(): unknown
  /** Instruments, created on first use (a global meter provider is often registered after the layer). */
  instruments(): Instruments
}

export interface Instruments {
  readonly queryDuration: InstrumentLike
  readonly dbDuration: InstrumentLike
  readonly cacheRequests: InstrumentLike
}

export function createTelemetry(
  option: TelemetryOptions | false | undefined,
  load: () => OtelApi | undefined = loadOtelApi,
): Telemetry | undefined {
  if (option === false) return undefined
  const api = load()
  const tracerProvider = option?.tracerProvider ?? api?.trace.getTracerProvider()
  if (!tracerProvider) return undefined
  let instruments: Instruments | undefined
  return {
    tracer: tracerProvider.getTracer(NAME),
    withSpan: (span) => (api ? api.trace.setSpan(api.context.active(), span) : undefined),
    active: () => api?.context.active(),
    instruments() {
      if (instruments) return instruments
      const meter = (option?.meterProvider ?? api?.metrics.getMeterProvider())?.getMeter(NAME)
      const none: InstrumentLike = {}
      instruments = {
        queryDuration:
          meter?.createHistogram('cortex.query.duration', {
            description: 'Duration of semantic layer queries, compile to shaped rows',
            unit: 's',
          }) ?? none,
        dbDuration:
          meter?.createHistogram('db.client.operation.duration', {
            description: 'Duration of database client operations',
            unit: 's',
          }) ?? none,
        cacheRequests:
          meter?.createCounter('cortex.cache.requests', {
            description: 'Result cache lookups, by cortex.cache.hit (the hit ratio is hits over all)',
          }) ?? none,
      }
      return instruments
    },
  }
}
