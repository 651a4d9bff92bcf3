/**
 * The public types of `createSemanticLayer`: its options, each call's options and results, and the
 * layer itself. Declared here once; src/index.ts re-exports them.
 */
import type { CacheAdapter, CacheErrorHandler, CacheInfo, CacheMode, CacheOptions } from '../cache/cache-adapter.js'
import type { InvalidateTarget } from '../cache/cache-adapter.js'
import type { CompiledQueriesOptions } from '../compiled-queries.js'
import type { Connector, HealthReport } from '../connectors/connector.js'
import type { CompiledModel } from '../model/compiled.js'
import type { ModelDefinition } from '../model/definition.js'
import type { ModelVersion } from '../model/model-history.js'
import type { ModelWatcher, WatchModelOptions } from '../model/watch-model.js'
import type { CubeQuery } from '../query/parse-query.js'
import type { CheckedQuery, ModelTypes, ResultRow, TypedQuery } from '../query/typed-query.js'
import type { MetaResponse } from '../result/build-meta.js'
import type { DecimalMode, Row } from '../result/shape-result.js'
import type { AuditEvent } from '../security/audit.js'
import type { SecurityContext, SecurityHooks } from '../security/authorize-query.js'
import type { ConnectorsFactory, ModelFactory } from '../security/tenancy.js'
import type { QueryPlan } from '../query/plan/query-plan.js'
import type { SqlDialect } from '../sql/dialect.js'
import type { SqlDialectName } from '../sql/dialects/registry.js'
import type { RenderedSql } from '../sql/render-sql.js'
import type { Clock } from '../util/clock.js'
import type { Logger } from '../observe/logger.js'
import type { TelemetryOptions } from '../observe/telemetry.js'
import type { UsedPreAggregation } from '../compiled-queries.js'
import type {
  BuildOptions,
  BuildSummary,
  PreAggregationsOptions,
  RollupConsideration,
  RollupStatus,
} from '../pre-aggregations/pre-aggregations.js'

/**
 * A model as `loadModel()` returns it, one `compileModel()` returned (shared without compiling again), or
 * plain `{ cubes, views }` objects in Cube's format (validated like a loaded model).
 */
export type ModelInput =
  | ModelDefinition
  | CompiledModel
  | { readonly cubes?: readonly unknown[]; readonly views?: readonly unknown[] }

/** `T` with every array, tuple and object in it readonly, so literals written `as const` fit too. */
export type DeepReadonly<T> = T extends readonly [infer A, infer B]
  ? readonly [DeepReadonly<A>, DeepReadonly<B>]
  : T extends readonly (infer U)[]
    ? readonly DeepReadonly<U>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T

/**
 * A query as `query()`, `sql()` and `stream()` take it: Cube's REST query ({@link CubeQuery}), any part
 * of it readonly. A literal with a key Cube does not have (`{ measurs: [...] }`) is a compile error;
 * JavaScript callers, and data read from a request, are checked at run time (QUERY_INVALID), so cast
 * parsed JSON (`body as QueryInput`) and let the layer check it.
 */
export type QueryInput = DeepReadonly<CubeQuery>

export interface SemanticLayerOptions extends SecurityHooks {
  /** The data model, or a factory giving each tenant its own (compiled once per tenant, kept in a bounded LRU). */
  readonly model: ModelInput | ModelFactory<ModelInput>
  /** Connectors by data source name (cubes without `data_source` use `default`), or a factory per tenant. */
  readonly connectors: Readonly<Record<string, Connector>> | ConnectorsFactory
  /**
   * The tenant of a call. Setting it (or using factories) makes the layer multi-tenant: calls without a
   * tenant fail.
   */
  readonly contextToTenant?: (securityContext: SecurityContext) => string | undefined
  /** The end user of a call, for audit events. Default: securityContext.sub / userId / user_id. */
  readonly contextToUser?: (securityContext: SecurityContext) => string | undefined
  /** Receives one event per query, allowed or denied. Must not throw (errors are swallowed). */
  readonly onAudit?: (event: AuditEvent) => void
  /** Tenants whose models and connectors stay loaded. Default 100. */
  readonly maxTenants?: number
  /** Rows returned when a query sets no limit. Default 10 000. */
  readonly defaultLimit?: number
  /** Largest limit a query may ask for. Default 50 000. */
  readonly maxLimit?: number
  /**
   * Longest filter value a query may carry, in characters (QUERY_INVALID / LIMIT_EXCEEDED beyond it).
   * Default 10 000. Checked before anything is compiled or cached, so one request cannot make the layer
   * hold megabytes of text per query.
   */
  readonly maxFilterValueLength?: number
  /** Most filter values in one query, all filters together (LIMIT_EXCEEDED beyond it). Default 10 000. */
  readonly maxFilterValues?: number
  /**
   * Clock for relative date ranges ('today', 'last 7 days') and for the result cache's notion of time
   * (refresh-key buckets, entry ages and TTL, the pause after a cache failure). Default: the system clock.
   * A frozen `now` freezes those too. Its timers stay the event loop's: pass `clock` to control both.
   */
  readonly now?: () => Date
  /**
   * The whole clock: time as `now` reads it, plus the timers the cache waits on (stale-if-slow, lock
   * polling, cache-call timeouts), so tests can move time by hand. Pass `now` or `clock`, not both.
   */
  readonly clock?: Clock
  /** Stop any statement running longer than this on the server (QUERY_TIMEOUT). Per-query `timeoutMs` overrides it. */
  readonly timeoutMs?: number
  /**
   * Numeric text from PostgreSQL/MySQL (numeric, DECIMAL, bigint): `'number'` (default) converts to JS
   * numbers, keeping integers beyond 2^53 as exact strings; `'string'` keeps every non-integer and
   * unsafe integer as the driver's exact decimal text.
   */
  readonly decimals?: DecimalMode
  /**
   * Result cache: `memoryCache()` by default; `redisCache({ client })` from 'cortex-semantic/redis' shares
   * it between instances; `false` disables it.
   */
  readonly cache?: CacheAdapter | false
  /**
   * Rollup pre-aggregations (docs/pre-aggregations.md): where their tables live, the zones they are built
   * for, the background refresher. Rollups declared in the model serve queries once built; `false` never
   * serves from them.
   */
  readonly preAggregations?: PreAggregationsOptions | false
  /** Called when the cache fails or times out; the query goes on uncached. */
  readonly onCacheError?: CacheErrorHandler
  /** Cache tuning: stale-if-slow wait, how long entries are kept, cross-instance lock. */
  readonly cacheOptions?: CacheOptions
  /**
   * Answer a member the caller may not see (hidden by `public: false`, or not granted by the access
   * policies, or of a cube or view the caller may not query) exactly as an unknown one: QUERY_INVALID /
   * UNKNOWN_MEMBER, with suggestions only from what the caller may see, so members cannot be probed for
   * existence. Default false: such members answer FORBIDDEN_MEMBER / MEMBER_NOT_PUBLIC, which says why.
   */
  readonly hideForbiddenMembers?: boolean
  /**
   * Compiled queries kept in memory (LRU): a query seen before under an equal security context skips
   * parsing, policies, planning and rendering. A number of entries (default 1 000), `0` or `false` to turn
   * it off, or `{ maxEntries, maxBytes, maxEntryBytes }`: at most 32 MiB (estimated) in all by default,
   * and a query whose entry would pass 256 KiB is not kept. Queries with relative date ranges are not
   * kept, and `queryRewrite`/`authorize` still run on every call.
   */
  readonly compiledQueries?: number | false | CompiledQueriesOptions
  /**
   * Receives one structured event per query and stream (pino-compatible: `info(fields, message)`): member
   * names, SQL hash, rows, duration, cache hit, tenant; failures at `warn` (a bad or denied query) or
   * `error` with the error's code. The SQL text only at `debug`; parameter values and the security
   * context never. Without it, `DEBUG=cortex` in the environment logs JSON lines to stderr. See
   * docs/observability.md.
   */
  readonly logger?: Logger
  /**
   * OpenTelemetry: spans (`cortex.query` → compile, cache, database call, shape) and metrics. Default: the
   * global providers of `@opentelemetry/api` when it is installed (an optional peer), else nothing.
   * Pass providers to use others, or `false` to turn it off.
   */
  readonly telemetry?: TelemetryOptions | false
}

export interface QueryOptions {
  /** Who is asking: access policies, tenancy, hooks and audit read it. */
  readonly securityContext?: SecurityContext
  /** Cancels the query: the statement is stopped on the server (QUERY_CANCELLED). */
  readonly signal?: AbortSignal
  /** Stop the statement on the server after this many milliseconds (QUERY_TIMEOUT). */
  readonly timeoutMs?: number
  /**
   * Cube's cache mode for this query. Default `stale-if-slow`; the query flag `renewQuery: true` means
   * `must-revalidate`.
   */
  readonly cacheMode?: CacheMode
}

export interface SqlOptions {
  readonly securityContext?: SecurityContext
  /**
   * Render for this dialect instead of the data source's connector (compile-only use, e.g. tests): a
   * built-in dialect's name or a dialect object of your own.
   */
  readonly dialect?: SqlDialectName | SqlDialect
}

export interface MetaOptions {
  readonly securityContext?: SecurityContext
}

export interface ExplainOptions {
  readonly securityContext?: SecurityContext
}

/** How a query is answered ({@link SemanticLayer.explain}). */
export interface QueryExplanation {
  /**
   * The query plan: plain, deep-frozen data stating every decision (join tree, folded branches, keys
   * subqueries, filters, grouping, ordering, paging, output columns). The same for every backend; its
   * shape may change between minor versions (it is the printers' input, not a stable format).
   */
  readonly plan: QueryPlan
  /** A readable account of the plan, one decision per line. */
  readonly text: string
}

/** A query's result; `R` is the row type (a typed layer's rows have exactly the selected keys). */
export interface QueryResult<R = Row> {
  /** Rows keyed by member name (Cube's REST `data`). */
  readonly data: R[]
  /** Titles, types and formats of the members in `data`. */
  readonly annotation: Record<string, Record<string, unknown>>
  /** The query as Cortex ran it: defaults applied, date ranges resolved. */
  readonly query: Readonly<Record<string, unknown>>
  /**
   * The statement that ran: SQL and parameters, or for a MongoDB source its `{ collection, pipeline }`
   * (typed as SQL for source compatibility: cast to `MongoPipeline` from `cortex-semantic/mongodb`).
   */
  readonly sql: RenderedSql
  /** Rows matching the query ignoring limit and offset, when the query set `total: true`. */
  readonly total?: number
  /** True when more rows matched than `limit` allowed: the result was cut. */
  readonly truncated: boolean
  /** The data source the query ran on. */
  readonly dataSource: string
  /** Whether the rows came from the cache, how old they are and the refresh-key values they were computed under. */
  readonly cache: CacheInfo
  /** The rollups the rows were read from (absent: read from the source). */
  readonly usedPreAggregations?: readonly UsedPreAggregation[]
}

/** `layer.preAggregations.explain(query)`: the SQL that would run and every rollup considered. */
export interface PreAggregationExplain {
  readonly sql: RenderedSql
  readonly usedPreAggregations?: readonly UsedPreAggregation[]
  /** Every rollup of the query's cubes, in the order they are tried, with why it matched or not. */
  readonly considered: readonly RollupConsideration[]
}

/** `layer.preAggregations`. */
export interface PreAggregationsHandle {
  /**
   * Build what is missing or stale (one build at a time per layer); progress goes to `onEvent`.
   *
   * @example
   * const { built, failed } = await layer.preAggregations.build({ names: ['orders.by_day'] })
   */
  build(options?: BuildOptions): Promise<BuildSummary>
  /** Every rollup with its partitions, row counts, last build and refresh key values. */
  status(): RollupStatus[]
  /** Why each rollup of the query's cubes would or would not serve it (policies and hooks applied). */
  explain(query: QueryInput, options?: SqlOptions): Promise<PreAggregationExplain>
}

export interface HealthCheckResult {
  readonly ok: boolean
  readonly connectors: Readonly<Record<string, HealthReport>>
}

export interface SemanticLayer {
  /**
   * Run a Cube REST query. Throws SemanticLayerError on bad input, denied access or a failing source.
   *
   * @example
   * const { data } = await layer.query({ measures: ['orders.count'], dimensions: ['orders.status'] })
   */
  query(query: QueryInput, options?: QueryOptions): Promise<QueryResult>
  /**
   * Compile a query to SQL and parameters without running it (no connection is opened), with policies applied.
   * For a MongoDB source (and no `dialect` option) it is the pipeline, `{ collection, pipeline }`: cast the
   * result to `MongoPipeline` from `cortex-semantic/mongodb`.
   */
  sql(query: QueryInput, options?: SqlOptions): Promise<RenderedSql>
  /**
   * How the layer answers a query, without running it: the plan and a readable account of its strategy,
   * joins, folded branches, keys subqueries and filters. Policies and hooks apply as for `query()`.
   *
   * @example
   * const { text } = await layer.explain({ measures: ['orders.count', 'items.count'], dimensions: ['orders.status'] })
   * console.log(text) // strategy: one aggregate over the join tree / from: orders / orders -> items ...: folded ...
   */
  explain(query: QueryInput, options?: ExplainOptions): Promise<QueryExplanation>
  /**
   * Run a query and yield shaped rows one by one with bounded memory (a cursor on the server). Without
   * an explicit `limit`, all rows are streamed (the default limit does not apply).
   */
  stream(query: QueryInput, options?: QueryOptions): AsyncIterable<Row>
  /** Ask every shared connector whether its source answers; never throws. */
  healthCheck(): Promise<HealthCheckResult>
  /** Cube's /meta: the cubes, views and members this caller may query. */
  meta(options?: MetaOptions): Promise<MetaResponse>
  /** The shared compiled model (undefined when models come from a per-tenant factory). */
  readonly model: CompiledModel | undefined
  /** The row limits of this layer (`defaultLimit`, `maxLimit`), e.g. for an HTTP handler's per-request budget. */
  readonly limits: { readonly defaultLimit: number; readonly maxLimit: number }
  /**
   * Serve a model folder and every valid version saved to it from now on: each is swapped in atomically
   * (calls in flight finish on the version they started with), an invalid one is reported and skipped.
   * Only for layers with one shared model (not a per-tenant factory). See docs/model-lifecycle.md.
   *
   * @example
   * const watcher = await layer.watchModel('./model')
   * watcher.on('modelError', (e) => console.error(e.error.message))
   */
  watchModel(dir: string, options?: WatchModelOptions): Promise<ModelWatcher>
  /** The model versions this layer has served (the last 100), oldest first, with what changed each time. */
  modelHistory(): readonly ModelVersion[]
  /**
   * Drop cached results: of some cubes (or views), of one tenant, of both together, or all with `{}`.
   * With `redisCache` every instance sharing the Redis drops them.
   *
   * @example
   * await layer.invalidate({ cubes: ['orders'], tenant: 'acme' })
   */
  invalidate(target?: InvalidateTarget): Promise<void>
  /** Rollup pre-aggregations: build, status, explain (docs/pre-aggregations.md). */
  readonly preAggregations: PreAggregationsHandle
  /** Close every connector (shared and per tenant). Further calls fail with LAYER_CLOSED. */
  close(): Promise<void>
}

/**
 * A layer whose queries are checked against the model type `M` (from `cortex types` or `defineModel`):
 * an unknown member, an operator that does not fit the member's type, a granularity the dimension lacks
 * or an unknown key is a compile error, and rows have exactly the selected keys with their value types.
 * The same object as {@link SemanticLayer} at run time; `layer.untyped` is it under the untyped type.
 *
 * @example
 * const layer = createSemanticLayer<CortexModel>({ model, connectors })
 * const { data } = await layer.query({ measures: ['orders.count'], dimensions: ['orders.status'] })
 * data[0]['orders.count'] // number
 */
export interface TypedSemanticLayer<M extends ModelTypes> extends Omit<SemanticLayer, 'query' | 'sql' | 'stream'> {
  query<const Q extends TypedQuery<M>>(
    query: CheckedQuery<M, Q>,
    options?: QueryOptions,
  ): Promise<QueryResult<ResultRow<M, Q>>>
  sql<const Q extends TypedQuery<M>>(query: CheckedQuery<M, Q>, options?: SqlOptions): Promise<RenderedSql>
  stream<const Q extends TypedQuery<M>>(
    query: CheckedQuery<M, Q>,
    options?: QueryOptions,
  ): AsyncIterable<ResultRow<M, Q>>
  /** This layer without the model type, for code that takes any {@link SemanticLayer} (an HTTP handler). */
  readonly untyped: SemanticLayer
}
