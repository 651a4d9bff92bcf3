/**
 * One observation per query or stream: a structured log event and an OpenTelemetry span tree
 * (`cortex.query` → `cortex.compile`, `cortex.cache` → the database call, `cortex.shape`), plus metrics.
 * What is recorded: member names, the SQL's hash (its text only in the debug log event), row count,
 * duration, cache hit, tenant, data source, model version, and on failure the error's code. What never is:
 * filter or parameter values, the security context, row data, a driver's own error text.
 */
import { sha256 } from '../cache/cache-key.js'
import type { CompiledQuery } from '../compiled-queries.js'
import { isSemanticLayerError } from '../errors.js'
import type { FilterNode } from '../query/normalized-query.js'
import { statementText } from '../backend/statement-text.js'
import type { Logger } from './logger.js'
import {
  SPAN_KIND_CLIENT,
  SPAN_KIND_INTERNAL,
  STATUS_ERROR,
  type Attributes,
  type SpanLike,
  type Telemetry,
} from './telemetry.js'

/** What the layer knows once a query is prepared. */
export interface PreparedInfo {
  readonly compiled: CompiledQuery
  readonly tenant: string | undefined
  readonly modelVersion: string
}

export interface Outcome {
  readonly rows: number
  readonly cacheHit: boolean
  /** The printed main statement (SQL, or another backend's statement). */
  readonly sql: unknown
}

export interface Observation {
  /** False for the observation that does nothing (no logger, no telemetry). */
  readonly enabled: boolean
  /** Preparing the query (parse, policies, plan): the `cortex.compile` span. */
  compile<T extends PreparedInfoSource>(prepare: () => Promise<T>): Promise<T>
  /** The result cache's answer (a hit, or the database call under it): the `cortex.cache` span. */
  cache<T>(fetched: Promise<T>): Promise<T>
  /** The database call: a client span under `cortex.cache`, and the db.client.operation.duration metric. */
  execute<T>(dialect: string, run: () => Promise<T>): Promise<T>
  /** Shaping rows into Cube's result: the `cortex.shape` span. */
  shape<T>(fn: () => T): T
  /** A stream's rows from the database: the client span lasts until the cursor is done. */
  stream<T>(dialect: string, rows: AsyncIterable<T>): AsyncIterable<T>
  succeeded(outcome: Outcome): void
  failed(error: unknown): void
}

/** What `compile` reads the prepared query from (the layer's Prepared). */
export interface PreparedInfoSource {
  readonly compiled: CompiledQuery
  readonly scope: { readonly tenant?: string | undefined; readonly model: { readonly version: string } }
}

export interface QueryObserver {
  /** Whether anything listens; when not, `start` returns an observation that does nothing. */
  readonly enabled: boolean
  start(kind: 'query' | 'stream'): Observation
}

const DB_SYSTEM: Readonly<Record<string, string>> = { postgres: 'postgresql', mysql: 'mysql', sqlite: 'sqlite' }
/** Codes that answer the caller's request (a bad query, a denial): logged at warn; anything else at error. */
const CLIENT_ERRORS = new Set([
  'QUERY_INVALID',
  'UNAUTHENTICATED',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'FORBIDDEN_MEMBER',
  'LIMIT_EXCEEDED',
  'QUERY_CANCELLED',
])

const NOOP: Observation = {
  enabled: false,
  stream: (_dialect, rows) => rows,
  compile: (prepare) => prepare(),
  cache: (fetched) => fetched,
  execute: (_dialect, run) => run(),
  shape: (fn) => fn(),
  succeeded: () => undefined,
  failed: () => undefined,
}

export interface ObserverDeps {
  readonly logger: Logger | undefined
  readonly telemetry: Telemetry | undefined
  /** Milliseconds, for durations (performance.now by default; tests inject a clock). */
  readonly now?: () => number
}

export function queryObserver(deps: ObserverDeps): QueryObserver {
  const { logger, telemetry } = deps
  const now = deps.now ?? (() => performance.now())
  if (!logger && !telemetry) return { enabled: false, start: () => NOOP }
  return { enabled: true, start: (kind) => new ActiveObservation(kind, logger, telemetry, now) }
}

class ActiveObservation implements Observation {
  readonly enabled = true
  private readonly started: number
  private readonly root: SpanLike | undefined
  private cacheSpan: SpanLike | undefined
  private prepared: PreparedInfo | undefined
  private dbSystem: string | undefined
  private done = false

  constructor(
    private readonly kind: 'query' | 'stream',
    private readonly logger: Logger | undefined,
    private readonly telemetry: Telemetry | undefined,
    private readonly now: () => number,
  ) {
    this.started = now()
    this.root = telemetry?.tracer.startSpan(
      `cortex.${kind}`,
      { kind: SPAN_KIND_INTERNAL, attributes: { 'db.operation.name': 'SELECT' } },
      telemetry.active(),
    )
  }

  async compile<T extends PreparedInfoSource>(prepare: () => Promise<T>): Promise<T> {
    const span = this.child('cortex.compile')
    try {
      const prepared = await prepare()
      this.prepared = {
        compiled: prepared.compiled,
        tenant: prepared.scope.tenant,
        modelVersion: prepared.scope.model.version,
      }
      const attributes = this.preparedAttributes()
      for (const [k, v] of Object.entries(attributes)) if (v !== undefined) this.root?.setAttribute(k, v)
      return prepared
    } catch (error) {
      if (span) markError(span, error)
      throw error
    } finally {
      span?.end()
    }
  }

  async cache<T>(fetched: Promise<T>): Promise<T> {
    // Opened here, or already by the database call under it (which may start inside the lookup).
    const span = (this.cacheSpan ??= this.child('cortex.cache'))
    try {
      return await fetched
    } catch (error) {
      if (span) markError(span, error)
      throw error
    } finally {
      span?.end()
    }
  }

  async execute<T>(dialect: string, run: () => Promise<T>): Promise<T> {
    this.cacheSpan ??= this.child('cortex.cache')
    const call = this.databaseCall(dialect, this.cacheSpan)
    try {
      const result = await run()
      call.end()
      return result
    } catch (error) {
      call.end(error)
      throw error
    }
  }

  async *stream<T>(dialect: string, rows: AsyncIterable<T>): AsyncIterable<T> {
    const call = this.databaseCall(dialect, this.root)
    let failure: unknown
    try {
      yield* rows
    } catch (error) {
      failure = error
      throw error
    } finally {
      call.end(failure)
    }
  }

  /** A database client span (OTel database conventions) and its duration metric, ended by `end`. */
  private databaseCall(dialect: string, parent: SpanLike | undefined): { end(error?: unknown): void } {
    this.dbSystem = DB_SYSTEM[dialect] ?? dialect
    this.root?.setAttribute('db.system.name', this.dbSystem)
    const attributes: Attributes = {
      'db.system.name': this.dbSystem,
      'db.system': this.dbSystem,
      'db.operation.name': 'SELECT',
      'cortex.data_source': this.prepared?.compiled.dataSource,
    }
    const telemetry = this.telemetry
    const span =
      telemetry && parent
        ? telemetry.tracer.startSpan(
            `SELECT ${this.prepared?.compiled.dataSource ?? ''}`.trim(),
            { kind: SPAN_KIND_CLIENT, attributes },
            telemetry.withSpan(parent),
          )
        : undefined
    const started = this.now()
    return {
      end: (error) => {
        if (span && error !== undefined) markError(span, error)
        span?.end()
        telemetry?.instruments().dbDuration.record?.((this.now() - started) / 1000, {
          'db.system.name': this.dbSystem,
          'db.operation.name': 'SELECT',
          ...(error === undefined ? {} : { 'error.type': codeOf(error) }),
        })
      },
    }
  }

  shape<T>(fn: () => T): T {
    const span = this.child('cortex.shape')
    try {
      return fn()
    } catch (error) {
      if (span) markError(span, error)
      throw error
    } finally {
      span?.end()
    }
  }

  succeeded(outcome: Outcome): void {
    if (this.done) return
    this.done = true
    const durationMs = this.now() - this.started
    const sqlHash = sha256(statementText(outcome.sql))
    const fields = {
      event: `cortex.${this.kind}`,
      outcome: 'ok',
      ...this.preparedFields(),
      sqlHash,
      rows: outcome.rows,
      durationMs,
      cacheHit: outcome.cacheHit,
    }
    safely(() => this.logger?.info(fields, `cortex ${this.kind}`))
    // The statement's text (placeholders, never the parameter values) only at debug.
    safely(() =>
      this.logger?.debug({ event: `cortex.${this.kind}.sql`, sqlHash, sql: statementText(outcome.sql) }, 'cortex sql'),
    )
    if (this.root) {
      this.root.setAttribute('cortex.sql.hash', sqlHash)
      this.root.setAttribute('db.response.returned_rows', outcome.rows)
      this.root.setAttribute('cortex.cache.hit', outcome.cacheHit)
      this.root.end()
    }
    this.record(durationMs, { 'cortex.cache.hit': outcome.cacheHit })
    if (this.telemetry && this.kind === 'query')
      this.telemetry.instruments().cacheRequests.add?.(1, { 'cortex.cache.hit': outcome.cacheHit })
  }

  failed(error: unknown): void {
    if (this.done) return
    this.done = true
    const durationMs = this.now() - this.started
    const errorCode = codeOf(error)
    const fields = {
      event: `cortex.${this.kind}`,
      outcome: 'error',
      errorCode,
      ...this.preparedFields(),
      durationMs,
    }
    const level = CLIENT_ERRORS.has(errorCode) ? 'warn' : 'error'
    safely(() => this.logger?.[level](fields, `cortex ${this.kind} failed: ${errorCode}`))
    if (this.root) {
      markError(this.root, error)
      this.root.end()
    }
    this.record(durationMs, { 'error.type': errorCode })
  }

  private record(durationMs: number, extra: Attributes): void {
    this.telemetry?.instruments().queryDuration.record?.(durationMs / 1000, {
      'cortex.operation': this.kind,
      ...(this.dbSystem === undefined ? {} : { 'db.system.name': this.dbSystem }),
      ...extra,
    })
  }

  private child(name: string): SpanLike | undefined {
    if (!this.telemetry || !this.root) return undefined
    return this.telemetry.tracer.startSpan(name, { kind: SPAN_KIND_INTERNAL }, this.telemetry.withSpan(this.root))
  }

  private preparedFields(): Record<string, unknown> {
    const p = this.prepared
    if (!p) return {}
    return {
      members: memberNames(p.compiled),
      dataSource: p.compiled.dataSource,
      modelVersion: p.modelVersion,
      ...(p.tenant === undefined ? {} : { tenant: p.tenant }),
    }
  }

  private preparedAttributes(): Attributes {
    const p = this.prepared!
    return {
      'cortex.members': memberNames(p.compiled),
      'cortex.data_source': p.compiled.dataSource,
      'cortex.model.version': p.modelVersion,
      'cortex.tenant': p.tenant,
    }
  }
}

/** The member names a query reads: selected, filtered on (filters and row-level policies), segments. */
export function memberNames(compiled: CompiledQuery): string[] {
  const q = compiled.normalized
  const names = new Set<string>()
  for (const m of q.measures) names.add(m.key)
  for (const d of q.dimensions) names.add(d.keys[0]!)
  for (const s of q.segments) names.add(s.key)
  const walk = (nodes: readonly FilterNode[]): void => {
    for (const n of nodes) {
      if (n.kind === 'condition') names.add(n.member.key)
      else walk(n.children)
    }
  }
  walk(q.where)
  walk(q.having)
  return [...names]
}

function codeOf(error: unknown): string {
  return isSemanticLayerError(error) ? error.code : 'INTERNAL'
}

/** The span's status and exception: the error's code and our own message (never a driver's text or a cause). */
function markError(span: SpanLike, error: unknown): void {
  const code = codeOf(error)
  span.setAttribute('error.type', code)
  span.setStatus({ code: STATUS_ERROR, message: code })
  const message = isSemanticLayerError(error) ? error.message : 'Internal error'
  span.recordException({ name: code, message })
}

/** A logger that throws must not fail the query it reports. */
function safely(fn: () => void): void {
  try {
    fn()
  } catch {
    // ignored: observability never changes a call's outcome
  }
}
