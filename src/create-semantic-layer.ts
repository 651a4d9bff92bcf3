import { SemanticLayerError, describeName, fail, isSemanticLayerError, toInternal } from './errors.js'
import type { Connector, ExecuteOptions, FetchedRows, HealthReport } from './connectors/connector.js'
import { connectorRecord } from './connectors/connector.js'
import { ConnectorSources } from './connectors/connector-sources.js'
import type { CompiledCube, CompiledModel } from './model/compiled.js'
import { compileModel } from './model/compile-model.js'
import type { ModelDefinition } from './model/definition.js'
import { isCompiledModel } from './model/brand.js'
import { normalizeQuery } from './query/normalize-query.js'
import { parseQuery, type CubeFilter, type CubeQuery } from './query/parse-query.js'
import { invisibleMemberIssues } from './query/member-names.js'
import { buildPlan, type QueryPlan } from './query/plan/build-plan.js'
import { treeCubes } from './query/plan/join-tree.js'
import { shapedRows, type DecimalMode, type Row, type RowShaper } from './result/shape-result.js'
import { buildMeta, type MetaResponse } from './result/build-meta.js'
import { emitAudit, type AuditEvent } from './security/audit.js'
import {
  PolicyEvaluator,
  queryMembers,
  readDecision,
  type SecurityContext,
  type SecurityHooks,
} from './security/authorize-query.js'
import { rewriteFilters } from './security/rewrite-filters.js'
import { Tenancy, type ConnectorsFactory, type ModelFactory, type TenantScope } from './security/tenancy.js'
import type { SqlDialect } from './sql/dialect.js'
import { mysqlDialect } from './sql/dialects/mysql-dialect.js'
import { postgresDialect } from './sql/dialects/postgres-dialect.js'
import { sqliteDialect } from './sql/dialects/sqlite-dialect.js'
import type { RenderedQuery, RenderedSql } from './sql/render-sql.js'
import type {
  CacheAdapter,
  CacheErrorHandler,
  CacheInfo,
  CacheMode,
  CacheOptions,
  InvalidateTarget,
} from './cache/cache-adapter.js'
import { createQueryCache, resolveCacheMode, type FetchedResult } from './cache/query-cache.js'
import { sha256 } from './cache/cache-key.js'
import { callContext, type CallContext } from './security/security-context.js'
import { CompiledQueries, type CompiledQueriesOptions } from './compiled-queries.js'
import type { CompiledQuery, RenderedStatements } from './compiled-queries.js'
import { checkQueryLimits, resolveQueryLimits } from './query/query-limits.js'
import { resolveClock, type Clock } from './util/clock.js'
import { MAX_LRU_ENTRIES, readOptions, readingOptions, type OptionSpecs } from './util/options.js'
import { LayerModels } from './layer-model-watch.js'
import type { ModelVersion } from './model/model-history.js'
import type { ModelWatcher, WatchModelOptions } from './model/watch-model.js'

/**
 * A model as `loadModel()` returns it, one `compileModel()` returned (shared without compiling again), or
 * plain `{ cubes, views }` objects in Cube's format (validated like a loaded model).
 */
export type ModelInput =
  | ModelDefinition
  | CompiledModel
  | { readonly cubes?: readonly unknown[]; readonly views?: readonly unknown[] }

export interface SemanticLayerOptions extends SecurityHooks {
  /** The data model, or a factory giving each tenant its own (compiled once per tenant, kept in a bounded LRU). */
  readonly model: ModelInput | ModelFactory<ModelInput>
  /** Connectors by data source name (cubes without `data_source` use `default`), or a factory per tenant. */
  readonly connectors: Readonly<Record<string, Connector>> | ConnectorsFactory
  /** The tenant of a call. Setting it (or using factories) makes the layer multi-tenant: calls without a tenant fail. */
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
  /** Result cache: `memoryCache()` by default; `redisCache({ client })` from 'cortex-semantic/redis' shares it between instances; `false` disables it. */
  readonly cache?: CacheAdapter | false
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
}

export interface QueryOptions {
  /** Who is asking: access policies, tenancy, hooks and audit read it. */
  readonly securityContext?: SecurityContext
  /** Cancels the query: the statement is stopped on the server (QUERY_CANCELLED). */
  readonly signal?: AbortSignal
  /** Stop the statement on the server after this many milliseconds (QUERY_TIMEOUT). */
  readonly timeoutMs?: number
  /** Cube's cache mode for this query. Default `stale-if-slow`; the query flag `renewQuery: true` means `must-revalidate`. */
  readonly cacheMode?: CacheMode
}

export interface SqlOptions {
  readonly securityContext?: SecurityContext
  /** Render for this dialect instead of the data source's connector (compile-only use, e.g. tests). */
  readonly dialect?: SqlDialect['name']
}

export interface MetaOptions {
  readonly securityContext?: SecurityContext
}

export interface QueryResult {
  /** Rows keyed by member name (Cube's REST `data`). */
  readonly data: Row[]
  /** Titles, types and formats of the members in `data`. */
  readonly annotation: Record<string, Record<string, unknown>>
  /** The query as Cortex ran it: defaults applied, date ranges resolved. */
  readonly query: Readonly<Record<string, unknown>>
  /** The statement that ran. */
  readonly sql: RenderedSql
  /** Rows matching the query ignoring limit and offset, when the query set `total: true`. */
  readonly total?: number
  /** True when more rows matched than `limit` allowed: the result was cut. */
  readonly truncated: boolean
  /** The data source the query ran on. */
  readonly dataSource: string
  /** Whether the rows came from the cache, how old they are and the refresh-key values they were computed under. */
  readonly cache: CacheInfo
}

export interface HealthCheckResult {
  readonly ok: boolean
  readonly connectors: Readonly<Record<string, HealthReport>>
}

export interface SemanticLayer {
  /** Run a Cube REST query. Throws SemanticLayerError on bad input, denied access or a failing source. */
  query(query: CubeQuery | Record<string, unknown>, options?: QueryOptions): Promise<QueryResult>
  /** Compile a query to SQL and parameters without running it (no connection is opened), with policies applied. */
  sql(query: CubeQuery | Record<string, unknown>, options?: SqlOptions): Promise<RenderedSql>
  /**
   * Run a query and yield shaped rows one by one with bounded memory (a cursor on the server). Without
   * an explicit `limit`, all rows are streamed (the default limit does not apply).
   */
  stream(query: CubeQuery | Record<string, unknown>, options?: QueryOptions): AsyncIterable<Row>
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
  /** Close every connector (shared and per tenant). Further calls fail with LAYER_CLOSED. */
  close(): Promise<void>
}

const DIALECTS: Record<SqlDialect['name'], SqlDialect> = {
  sqlite: sqliteDialect,
  postgres: postgresDialect,
  mysql: mysqlDialect,
}

/**
 * Every option of createSemanticLayer and how its value is checked before anything else runs; plain JS
 * callers get CONFIG_INVALID (with the closest name) for an unknown or misspelt option, never a silently
 * ignored one. Values marked `any` are checked where they are used.
 */
const LAYER_OPTIONS: OptionSpecs<SemanticLayerOptions> = {
  model: 'required',
  connectors: 'required',
  contextToTenant: 'function',
  contextToUser: 'function',
  onAudit: 'function',
  maxTenants: { min: 1, max: MAX_LRU_ENTRIES },
  defaultLimit: 'count',
  maxLimit: 'count',
  now: 'function',
  timeoutMs: 'timeoutMs',
  decimals: ['number', 'string'],
  cache: 'any',
  onCacheError: 'function',
  cacheOptions: 'object',
  compiledQueries: 'any',
  clock: 'any',
  maxFilterValueLength: 'any',
  maxFilterValues: 'any',
  contextToGroups: 'function',
  queryRewrite: 'function',
  authorize: 'function',
  hideForbiddenMembers: 'boolean',
}
const CACHE_OPTIONS: OptionSpecs<CacheOptions> = {
  staleIfSlowMs: 'any',
  entryTtlMs: 'any',
  lockMs: 'any',
  retryAfterMs: 'any',
}
/** Options of one call: a misspelt `securityContext` must never run a call without its context. */
const QUERY_OPTIONS: OptionSpecs<QueryOptions> = {
  securityContext: 'object',
  signal: 'signal',
  timeoutMs: 'timeoutMs',
  cacheMode: 'any',
}
const SQL_OPTIONS: OptionSpecs<SqlOptions> = { securityContext: 'object', dialect: 'any' }
const META_OPTIONS: OptionSpecs<MetaOptions> = { securityContext: 'object' }
const INVALIDATE_TARGET: OptionSpecs<InvalidateTarget> = { cubes: 'any', tenant: 'any' }

/** Everything one call needs once it is authorized and planned. */
interface Prepared {
  readonly scope: TenantScope
  readonly compiled: CompiledQuery
  /** securityDigest() of the call's context; undefined when it is not plain data. */
  readonly digest: string | undefined
}

/**
 * Create a semantic layer: a compiled model plus connectors, with access policies, tenancy, hooks and
 * audit applied to every call.
 *
 * @example
 * const layer = createSemanticLayer({ model: await loadModel('./model'), connectors: { default: sqlite({ filename: 'shop.db' }) } })
 * const { data } = await layer.query({ measures: ['orders.count'], dimensions: ['orders.status'] })
 */
export function createSemanticLayer(input: SemanticLayerOptions): SemanticLayer {
  return readingOptions('createSemanticLayer options', () => createLayer(input))
}

function createLayer(input: SemanticLayerOptions): SemanticLayer {
  const options = readOptions(input, LAYER_OPTIONS, { what: 'createSemanticLayer options' }) as SemanticLayerOptions
  if (options.cacheOptions !== undefined) {
    readOptions(options.cacheOptions, CACHE_OPTIONS, { what: 'cacheOptions', path: ['cacheOptions'] })
  }
  const defaultLimit = options.defaultLimit ?? 10_000
  const maxLimit = options.maxLimit ?? 50_000
  if (
    !Number.isSafeInteger(defaultLimit) ||
    !Number.isSafeInteger(maxLimit) ||
    defaultLimit < 1 ||
    maxLimit < defaultLimit
  ) {
    throw new SemanticLayerError('CONFIG_INVALID', [
      {
        code: 'INVALID_OPTION',
        path: ['defaultLimit'],
        message: 'defaultLimit and maxLimit must be positive integers with defaultLimit ≤ maxLimit.',
      },
    ])
  }
  const connectors = typeof options.connectors === 'function' ? options.connectors : connectorRecord(options.connectors)
  // A cache passed in may be shared (one memoryCache() between layers, one Redis prefix between
  // deployments): result keys then need each connector's identity. The default cache is this layer's own.
  const sharedCache = options.cache !== undefined && options.cache !== false
  const sources = new ConnectorSources(sharedCache)
  if (typeof connectors !== 'function') {
    for (const [name, connector] of Object.entries(connectors)) sources.of(connector, name)
  }
  const tenancy = new Tenancy<ModelInput>({
    model: options.model,
    connectors,
    ...(options.contextToTenant ? { contextToTenant: options.contextToTenant } : {}),
    ...(options.maxTenants === undefined ? {} : { maxTenants: options.maxTenants }),
    // Only what compileModel()/loadModel()/parseModel() produced skips its checks (brands, not shape).
    compile: (m) => (isCompiledModel(m) ? m : compileModel(m as ModelDefinition)),
    isFactory: (m): m is ModelFactory<ModelInput> => typeof m === 'function',
  })
  const clock = resolveClock(options)
  const now = options.now ?? (() => new Date(clock.now()))
  /** The layer's clock in epoch ms; a clock that throws or answers no valid Date is the host's misconfiguration. */
  const clockMs = (): number => {
    let t: unknown
    try {
      t = now()
    } catch (error) {
      fail('CONFIG_INVALID', 'INVALID_CLOCK', ['now'], 'The now() option threw; see cause.', error)
    }
    const ms = t instanceof Date ? t.getTime() : NaN
    if (!Number.isFinite(ms)) fail('CONFIG_INVALID', 'INVALID_CLOCK', ['now'], 'now() must return a valid Date.')
    return ms
  }
  const decimals = options.decimals ?? 'number'
  let closed = false
  // One result cache per layer: memoryCache() unless options.cache says otherwise.
  const queryCache = createQueryCache({ ...options, clock })
  const compiledQueries = new CompiledQueries(options.compiledQueries, decimals)
  const queryLimits = resolveQueryLimits(options)
  const limits = Object.freeze({ defaultLimit, maxLimit })
  const hasHooks = options.queryRewrite !== undefined || options.authorize !== undefined
  const hideForbidden = options.hideForbiddenMembers === true
  // Model history reads the layer's checked clock: a junk now() is INVALID_CLOCK here, at construction.
  const models = new LayerModels(tenancy, () => new Date(clockMs()))

  const assertOpen = (): void => {
    if (closed)
      throw new SemanticLayerError('LAYER_CLOSED', [
        { code: 'LAYER_CLOSED', path: [], message: 'This semantic layer was closed. Create a new one.' },
      ])
  }
  const execOptions = (queryOptions: QueryOptions | undefined): ExecuteOptions => {
    const timeoutMs = queryOptions?.timeoutMs ?? options.timeoutMs
    return {
      ...(queryOptions?.signal ? { signal: queryOptions.signal } : {}),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    }
  }

  /** Parse → tenant → member-level policies → queryRewrite → authorize → row-level policies → normalize → plan. */
  const prepare = async (input: unknown, call: CallContext): Promise<Prepared> => {
    assertOpen()
    // The call's snapshot of the context: what every check below, the hooks and the digest see.
    const ctx = call.context
    const digest = compiledQueries.enabled ? call.digest() : undefined
    // Without hooks, a query compiled before under an equal context (same tenant and model) is reused as is.
    const inputKey = hasHooks ? undefined : compiledQueries.keyOf(digest, input)
    if (compiledQueries.has(inputKey)) {
      const scope = await tenancy.resolve(ctx)
      const hit = compiledQueries.get(inputKey, scope.model, scope.tenant)
      if (hit) return { scope, compiled: hit, digest }
      scope.release()
    }
    const parsed = guard('parse', () => parseQuery(input))
    checkQueryLimits(parsed, queryLimits)
    const scope = await tenancy.resolve(ctx)
    try {
      const model = scope.model
      const policies = new PolicyEvaluator(model, ctx, options.contextToGroups)
      const visibility = policies.visibility()
      // Members the caller may not see are refused before any hook sees the query.
      const checkMembers = (q: CubeQuery): void => {
        if (!hideForbidden) {
          policies.checkMembers(queryMembers(q))
          return
        }
        const issues = invisibleMemberIssues(q, model, visibility)
        if (issues.length > 0) throw new SemanticLayerError('QUERY_INVALID', issues)
      }
      checkMembers(parsed)
      let query = parsed
      // Filters queryRewrite adds or changes are security filters (exact text comparison).
      let securityFilters: ReadonlySet<number> | undefined
      if (options.queryRewrite) {
        let rewritten: unknown
        try {
          rewritten = await options.queryRewrite(structuredClone(parsed), {
            securityContext: ctx,
            model,
            ...(scope.tenant ? { tenant: scope.tenant } : {}),
          })
        } catch (error) {
          throw isSemanticLayerError(error)
            ? error
            : new SemanticLayerError(
                'FORBIDDEN',
                [{ code: 'QUERY_REWRITE_DENIED', path: [], message: 'The query was denied by queryRewrite.' }],
                { cause: error },
              )
        }
        query = guard('parse', () => parseQuery(rewritten))
        checkMembers(query)
        securityFilters = rewriteFilters(parsed.filters, query.filters)
      }
      const extra: CubeFilter[] = []
      if (options.authorize) {
        let answer: unknown
        try {
          const tenant = scope.tenant ? { tenant: scope.tenant } : {}
          const members = queryMembers(query)
          answer = await options.authorize({ query, securityContext: ctx, model, members, ...tenant })
        } catch (error) {
          if (isSemanticLayerError(error)) throw error
          fail('FORBIDDEN', 'AUTHORIZE_DENIED', [], 'The authorize hook threw: the query is denied (see cause).', error)
        }
        const decision = readDecision(answer)
        if (!decision.allow) {
          throw new SemanticLayerError('FORBIDDEN', [
            { code: 'AUTHORIZE_DENIED', path: [], message: 'The query was denied by the authorize hook.' },
          ])
        }
        const filters = decision.filters
        if (filters !== undefined) extra.push(...guard('parse', () => parseQuery({ filters }).filters ?? []))
      }
      // With hooks, the compiled form is keyed by what they made of the query (they ran for this call),
      // including which filters are security filters: the same query text renders differently otherwise.
      const hookKey = [query, extra, [...(securityFilters ?? [])]]
      const key = hasHooks ? compiledQueries.keyOf(digest, 'hooks', ...hookKey) : inputKey
      const hit = compiledQueries.get(key, model, scope.tenant)
      if (hit) return { scope, compiled: hit, digest }
      // Relative date ranges read the clock: such a query compiles to different SQL over time, so it is not kept.
      let readClock = false
      const nowMs = (): number => {
        readClock = true
        return clockMs()
      }
      // Row-level rules of every cube and view the SQL will touch. Policy filters can pull further cubes
      // into the join tree, so repeat until the set of owners is stable. It only grows and holds names
      // of the model's cubes and views, so it is stable within that many rounds: never compile before.
      let owners = new Set(queryMembers(query).map((m) => m.split('.')[0]!))
      const rounds = Object.keys(model.cubes).length + Object.keys(model.views).length + 1
      for (let round = 0; ; round++) {
        const rowFilters = [...owners].map((o) => policies.rowFilter(o)).filter((f): f is CubeFilter => f !== undefined)
        const normalizeOptions = {
          defaultLimit,
          maxLimit,
          nowMs,
          visibility,
          hideInvisible: hideForbidden,
          ...(securityFilters ? { securityFilters } : {}),
        }
        const normalized = normalizeQuery(query, model, normalizeOptions, [...extra, ...rowFilters])
        const plan = buildPlan(model, normalized)
        const touched = new Set([...owners, ...treeCubes(plan.tree)])
        if (touched.size === owners.size) {
          const compiled = compiledQueries.create(model, scope.tenant, normalized, plan, dataSourceOf(model, plan))
          if (!readClock) compiledQueries.set(key, compiled)
          return { scope, compiled, digest }
        }
        if (round >= rounds) throw policyExpansionUnstable()
        owners = touched
      }
    } catch (error) {
      scope.release()
      throw toInternal(error, 'query preparation')
    }
  }

  const connectorFor = (scope: TenantScope, dataSource: string): Connector => {
    const connector = Object.hasOwn(scope.connectors, dataSource) ? scope.connectors[dataSource] : undefined
    if (!connector) {
      throw new SemanticLayerError('CONNECTOR_MISSING', [
        {
          code: 'CONNECTOR_MISSING',
          path: ['connectors', dataSource],
          message: `No connector for data source ${describeName(dataSource)}. Pass one in createSemanticLayer({ connectors: { ${dataSource}: … } }).`,
        },
      ])
    }
    return connector
  }

  /**
   * Runs the rendered statements. The one place results come from the database. The main statement's
   * rows are shaped as they arrive when the connector can hand them over one by one (`executeMapped`),
   * else come as arrays when it can return them (no object per row keyed by column alias); the one-row
   * `total` statement always as objects.
   */
  const execute = async (
    connector: Connector,
    statements: RenderedStatements,
    exec: ExecuteOptions,
  ): Promise<FetchedResult> => {
    const { rendered } = statements
    const zoned = withZone(exec, rendered) // the zone the statements convert to, for the connector to check
    const total = rendered.total
    const [main, totalRows] = await Promise.all([
      fetchRows(connector, rendered.main, statements.shaper, zoned),
      total ? run(() => connector.execute(total.sql, total.params, zoned)) : Promise.resolve(undefined),
    ])
    return totalRows === undefined ? { main } : { main, totalRows }
  }

  const audit = (
    input: unknown,
    ctx: SecurityContext | undefined,
    started: number,
    extra: Partial<AuditEvent>,
  ): void => {
    if (!options.onAudit) return
    emitAudit(options.onAudit, {
      input,
      ctx,
      started,
      now: Date.now(),
      contextToUser: options.contextToUser,
      tenantOf: (c) => {
        try {
          return tenancy.tenantOf(c)
        } catch {
          return undefined
        }
      },
      extra,
    })
  }

  return {
    get model() {
      return tenancy.model
    },
    limits,
    watchModel: (dir, watchOptions) => models.watch(dir, watchOptions),
    modelHistory: () => models.history(),
    async sql(input, given) {
      const sqlOptions = readOptions(given, SQL_OPTIONS, { what: 'sql options', code: 'QUERY_INVALID' })
      const prepared = await prepare(input, callContext(sqlOptions.securityContext))
      try {
        const named = sqlOptions.dialect
        const dialect =
          named === undefined
            ? connectorFor(prepared.scope, prepared.compiled.dataSource).dialect
            : typeof named === 'string' && Object.hasOwn(DIALECTS, named)
              ? DIALECTS[named]
              : undefined
        if (!dialect)
          throw new SemanticLayerError('UNSUPPORTED', [
            {
              code: 'UNKNOWN_DIALECT',
              path: ['dialect'],
              message: `Unknown dialect. Use one of: ${Object.keys(DIALECTS).join(', ')}.`,
            },
          ])
        return guard('render', () => prepared.compiled.render(dialect).rendered.main)
      } finally {
        prepared.scope.release()
      }
    },
    async query(input, given) {
      const started = Date.now()
      const queryOptions = readOptions(given, QUERY_OPTIONS, { what: 'query options', code: 'QUERY_INVALID' })
      const call = callContext(queryOptions.securityContext)
      const ctx = call.context
      let prepared: Prepared | undefined
      try {
        prepared = await prepare(input, call)
        const { scope, compiled } = prepared
        const connector = connectorFor(scope, compiled.dataSource)
        const statements = guard('render', () => compiled.render(connector.dialect))
        const { rendered } = statements
        // The result cache serves the statements or runs them once (refresh keys, cache modes, single-flight).
        let keyDigest: string | undefined
        const { main, totalRows, cache } = await queryCache.run({
          connector,
          source: sources.of(connector, compiled.dataSource),
          statementDigest: () => (keyDigest ??= versionedDigest(connector, statements.digest, compiled.cubes)),
          exec: execOptions(queryOptions),
          execute: (exec) => execute(connector, statements, exec),
          modelVersion: scope.model.version,
          securityDigest: call.digest(),
          notPlain: call.notPlain,
          tenant: scope.tenant,
          dialect: connector.dialect.name,
          cubes: compiled.cubes,
          mode: resolveCacheMode(queryOptions?.cacheMode, compiled.normalized.echo.renewQuery === true),
        })
        const { data, truncated } = guard('shape', () => statements.shaper.all(main, compiled.plan.limit))
        const total = totalRows ? Number(Object.values(totalRows[0] ?? {})[0] ?? 0) : undefined
        if (options.onAudit)
          audit(input, ctx, started, {
            outcome: 'allowed',
            sqlHash: sha256(rendered.main.sql),
            rows: data.length,
            modelVersion: scope.model.version,
          })
        return {
          data,
          annotation: compiled.annotation,
          query: compiled.normalized.echo,
          sql: rendered.main,
          ...(total === undefined ? {} : { total }),
          truncated,
          dataSource: compiled.dataSource,
          cache,
        }
      } catch (error) {
        const code = isSemanticLayerError(error) ? error.code : 'INTERNAL'
        const version = prepared ? { modelVersion: prepared.scope.model.version } : {}
        audit(input, ctx, started, { outcome: DENIALS.has(code) ? 'denied' : 'failed', errorCode: code, ...version })
        throw error
      } finally {
        prepared?.scope.release()
      }
    },
    stream(input, given) {
      return {
        async *[Symbol.asyncIterator]() {
          const started = Date.now()
          const queryOptions = readOptions(given, QUERY_OPTIONS, { what: 'stream options', code: 'QUERY_INVALID' })
          const call = callContext(queryOptions.securityContext)
          const ctx = call.context
          const prepared = await prepare(input, call)
          let rows = 0
          try {
            const connector = connectorFor(prepared.scope, prepared.compiled.dataSource)
            const { rendered, shaper } = guard('render', () => prepared.compiled.render(connector.dialect, true))
            // Streams stay on object rows: a cursor yields a row at a time with an await per row, which
            // costs more than the second object does, and a custom connector has only one stream().
            const shape = shaper.one
            try {
              const exec = withZone(execOptions(queryOptions), rendered)
              for await (const raw of connector.stream(rendered.main.sql, rendered.main.params, exec)) {
                rows++
                yield shape(raw)
              }
            } catch (error) {
              if (isSemanticLayerError(error)) throw error
              throw new SemanticLayerError(
                'CONNECTOR_FAILED',
                [{ code: 'CONNECTOR_FAILED', path: [], message: 'The data source failed while streaming; see cause.' }],
                { cause: error },
              )
            }
            const modelVersion = prepared.scope.model.version
            audit(input, ctx, started, { outcome: 'allowed', sqlHash: sha256(rendered.main.sql), rows, modelVersion })
          } catch (error) {
            audit(input, ctx, started, {
              outcome: isSemanticLayerError(error) && DENIALS.has(error.code) ? 'denied' : 'failed',
              errorCode: isSemanticLayerError(error) ? error.code : 'INTERNAL',
            })
            throw error
          } finally {
            prepared.scope.release()
          }
        },
      }
    },
    async healthCheck() {
      const shared = typeof connectors === 'function' ? {} : connectors
      const entries = await Promise.all(
        Object.entries(shared).map(async ([name, c]) => {
          try {
            return [name, await c.healthCheck()] as const
          } catch (error) {
            return [
              name,
              { ok: false, latencyMs: 0, error: error instanceof Error ? error.message : 'health check failed' },
            ] as const
          }
        }),
      )
      return { ok: entries.every(([, r]) => r.ok), connectors: Object.fromEntries(entries) }
    },
    async meta(given) {
      assertOpen()
      const metaOptions = readOptions(given, META_OPTIONS, { what: 'meta options', code: 'QUERY_INVALID' })
      const ctx = callContext(metaOptions.securityContext).context
      const scope = await tenancy.resolve(ctx)
      try {
        const policies = new PolicyEvaluator(scope.model, ctx, options.contextToGroups)
        return buildMeta(scope.model, {
          owner: (name) => policies.canSee(name),
          member: (key) => {
            try {
              return policies.memberVisible(key)
            } catch {
              return false
            }
          },
        })
      } finally {
        scope.release()
      }
    },
    async invalidate(given) {
      assertOpen()
      const target = readOptions(given, INVALIDATE_TARGET, { what: 'invalidate target', code: 'QUERY_INVALID' })
      await queryCache.invalidate(target, tenancy.model)
    },
    async close() {
      if (closed) return
      closed = true
      await models.close()
      await queryCache.close() // let background refreshes settle, release the adapter's own connections
      await tenancy.close()
    },
  }
}

const DENIALS = new Set(['UNAUTHENTICATED', 'UNAUTHORIZED', 'FORBIDDEN', 'FORBIDDEN_MEMBER'])

/** The set of policy owners kept growing past the model's size: a bug, refused rather than compiled unchecked. */
function policyExpansionUnstable(): SemanticLayerError {
  const message =
    'Access policies kept pulling further cubes into the query past the number of cubes and views' +
    ' in the model; the query was refused rather than run with a cube unchecked.'
  return new SemanticLayerError('INTERNAL', [{ code: 'POLICY_EXPANSION_UNSTABLE', path: [], message }])
}

/** The execute options of a statement, with the time zone it converts to (connectors check it: see ExecuteOptions). */
function withZone(options: ExecuteOptions, rendered: RenderedQuery): ExecuteOptions {
  return rendered.timeZone === undefined ? options : { ...options, timeZone: rendered.timeZone }
}

/** All cubes of one query must live in one data source (federation is not supported). */
function dataSourceOf(model: CompiledModel, plan: QueryPlan): string {
  const sources = new Map<string, string>()
  for (const cube of treeCubes(plan.tree)) {
    const source = model.cubes[cube]!.dataSource
    if (!sources.has(source)) sources.set(source, cube)
  }
  if (sources.size > 1) {
    const named = [...sources].map(([source, cube]) => `${describeName(cube)} (data_source ${describeName(source)})`)
    throw new SemanticLayerError('QUERY_INVALID', [
      {
        code: 'MULTIPLE_DATA_SOURCES',
        path: [],
        message: `This query joins cubes from different data sources: ${named.join(' and ')}. Query each source separately.`,
      },
    ])
  }
  return [...sources.keys()][0]!
}

/**
 * The statements' digest, with the connector's data version when it reports one (files(): a digest of the
 * content of the tables the cubes read), so a result computed on other data is never served (ADR 12). A
 * cube over SQL rather than one table asks for the version of every table.
 */
function versionedDigest(connector: Connector, digest: string, cubes: readonly CompiledCube[]): string {
  if (typeof connector.dataVersion !== 'function') return digest
  const tables: string[] = []
  for (const cube of cubes) {
    const table = cube.from.length === 1 ? cube.from[0] : undefined
    if (typeof table !== 'string') return `${digest}:${connector.dataVersion(undefined)}`
    tables.push(table)
  }
  return `${digest}:${connector.dataVersion(tables)}`
}

/**
 * Run the main statement: shaped row by row when the connector offers `executeMapped`, else as arrays
 * when it offers `executeArrays`, else as objects keyed by column alias.
 */
async function fetchRows(
  connector: Connector,
  statement: RenderedSql,
  shaper: RowShaper,
  options: ExecuteOptions,
): Promise<FetchedRows> {
  if (typeof connector.executeMapped === 'function')
    return shapedRows(
      await run(() => connector.executeMapped!(statement.sql, statement.params, shaper.rowMapper(), options)),
    )
  return typeof connector.executeArrays === 'function'
    ? { form: 'arrays', rows: await run(() => connector.executeArrays!(statement.sql, statement.params, options)) }
    : { form: 'objects', rows: await run(() => connector.execute(statement.sql, statement.params, options)) }
}

/** A connector call, its failures typed: SemanticLayerErrors pass through, anything else is CONNECTOR_FAILED. */
async function run<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (isSemanticLayerError(error)) throw error
    throw new SemanticLayerError(
      'CONNECTOR_FAILED',
      [{ code: 'CONNECTOR_FAILED', path: [], message: 'The data source failed to run the query; see cause.' }],
      { cause: error },
    )
  }
}

function guard<T>(where: string, fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    throw toInternal(error, where)
  }
}

export type { RenderedQuery, AuditEvent }
