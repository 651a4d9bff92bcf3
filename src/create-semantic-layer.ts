/**
 * The composition root: `createSemanticLayer` wires the stages of src/layer/ together. Each call runs
 * down them once: options → prepare (src/layer/prepare-query.ts) → execute through the result cache and
 * shape (execute-query.ts) or stream (stream-query.ts) → audit (audit-calls.ts).
 */
import { createQueryCache } from './cache/query-cache.js'
import { CompiledQueries, type CompiledQuery } from './compiled-queries.js'
import { backendForDialect, backendOf } from './backend/backend-of.js'
import type { Backend } from './backend/backend.js'
import { connectorRecord } from './connectors/connector.js'
import { ConnectorSources } from './connectors/connector-sources.js'
import { SemanticLayerError, toInternal } from './errors.js'
import { auditor } from './layer/audit-calls.js'
import { connectorFor, queryRunner, renderFor, sqlHash } from './layer/execute-query.js'
import {
  explainOptions,
  invalidateTarget,
  layerSettings,
  metaOptions,
  queryOptions,
  sqlOptions,
} from './layer/layer-options.js'
import type { ModelInput, SemanticLayer, SemanticLayerOptions, TypedSemanticLayer } from './layer/layer-types.js'
import { LayerModels } from './layer/model-watch.js'
import { queryPreparer, type Prepared } from './layer/prepare-query.js'
import { queryStreamer } from './layer/stream-query.js'
import { createPreAggregations, preAggregationsOff } from './pre-aggregations/layer-pre-aggregations.js'
import { isCompiledModel } from './model/brand.js'
import { compileModel } from './model/compile-model.js'
import type { ModelDefinition } from './model/definition.js'
import type { TypedModelDefinition } from './model/define-model.js'
import type { ModelTypes } from './query/typed-query.js'
import { explainPlan } from './query/plan/explain-plan.js'
import { resolveQueryLimits } from './query/query-limits.js'
import { buildMeta } from './result/build-meta.js'
import { PolicyEvaluator } from './security/authorize-query.js'
import { callContext, type CallContext } from './security/security-context.js'
import { Tenancy, type ModelFactory, type TenantScope } from './security/tenancy.js'
import { isSqlDialect, type SqlDialect } from './sql/dialect.js'
import { SQL_DIALECT_NAMES, sqlDialectNamed } from './sql/dialects/registry.js'
import type { RenderedSql } from './sql/render-sql.js'
import { deepFreeze } from './util/objects.js'
import { readingOptions } from './util/options.js'
import { resolveLogger } from './observe/logger.js'
import { queryObserver } from './observe/query-observer.js'
import { createTelemetry } from './observe/telemetry.js'

export type { ModelInput, SemanticLayer, SemanticLayerOptions } from './layer/layer-types.js'

/** The typed layer for a model type; the untyped one for `ModelTypes` itself (what `ReturnType<>` reads). */
export type LayerOf<M extends ModelTypes> = ModelTypes extends M ? SemanticLayer : TypedSemanticLayer<M>

/**
 * The backend `sql()` prints for: SQL in the dialect named in the call (a built-in's name or a dialect
 * object), else the data source's own backend (SQL in its dialect, or MongoDB's pipelines).
 */
function backendFor(scope: TenantScope, compiled: CompiledQuery, named: unknown): Backend {
  if (named === undefined) return backendOf(connectorFor(scope, compiled.dataSource))
  const dialect = typeof named === 'string' ? sqlDialectNamed(named) : isSqlDialect(named) ? named : undefined
  if (!dialect) {
    const message = `Unknown dialect. Use one of: ${SQL_DIALECT_NAMES.join(', ')}, or pass a SqlDialect.`
    throw new SemanticLayerError('UNSUPPORTED', [{ code: 'UNKNOWN_DIALECT', path: ['dialect'], message }])
  }
  return backendForDialect(dialect)
}

/**
 * Create a semantic layer: a compiled model plus connectors, with access policies, tenancy, hooks and
 * audit applied to every call.
 *
 * @example
 * const model = await loadModel('./model')
 * const layer = createSemanticLayer({ model, connectors: { default: sqlite({ filename: 'shop.db' }) } })
 * const { data } = await layer.query({ measures: ['orders.count'], dimensions: ['orders.status'] })
 */
export function createSemanticLayer<M extends ModelTypes>(
  input: SemanticLayerOptions & { readonly model: TypedModelDefinition<M> },
): TypedSemanticLayer<M>
export function createSemanticLayer(input: SemanticLayerOptions): SemanticLayer
/**
 * With a model type (`cortex types` writes one): queries are checked against it at compile time and rows
 * are typed. See docs/typed-queries.md. (`M` is never inferred: without it this is the untyped layer.)
 *
 * @example
 * import type { CortexModel } from './cortex-model.js'
 * const layer = createSemanticLayer<CortexModel>({ model: await loadModel('./model'), connectors })
 */
export function createSemanticLayer<M extends ModelTypes>(input: SemanticLayerOptions): LayerOf<M>
export function createSemanticLayer(input: SemanticLayerOptions): SemanticLayer {
  return readingOptions('createSemanticLayer options', () => createLayer(input))
}

function createLayer(input: SemanticLayerOptions): SemanticLayer {
  const settings = layerSettings(input)
  const { options } = settings
  const connectors = typeof options.connectors === 'function' ? options.connectors : connectorRecord(options.connectors)
  // A cache passed in may be shared (one memoryCache() between layers, one Redis prefix between
  // deployments): result keys then need each connector's identity. The default cache is this layer's own.
  const sources = new ConnectorSources(options.cache !== undefined && options.cache !== false)
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
  let closed = false
  // One result cache per layer: memoryCache() unless options.cache says otherwise.
  const queryCache = createQueryCache({ ...options, clock: settings.clock })
  const compiledQueries = new CompiledQueries(options.compiledQueries, settings.decimals)
  // Model history reads the layer's checked clock: a junk now() is INVALID_CLOCK here, at construction.
  const models = new LayerModels(tenancy, () => new Date(settings.clockMs()))
  const audit = auditor(options, tenancy)

  const assertOpen = (): void => {
    if (!closed) return
    const message = 'This semantic layer was closed. Create a new one.'
    throw new SemanticLayerError('LAYER_CLOSED', [{ code: 'LAYER_CLOSED', path: [], message }])
  }
  const preparer = queryPreparer({ settings, tenancy, compiledQueries, queryLimits: resolveQueryLimits(options) })
  // Not async itself: returning preparer's promise from an async function would cost extra ticks per call.
  const prepare = (query: unknown, call: CallContext): Promise<Prepared> => {
    try {
      assertOpen()
    } catch (error) {
      return Promise.reject(error)
    }
    return preparer(query, call)
  }
  const runQuery = queryRunner({ options, queryCache, sources })
  const observer = queryObserver({
    logger: resolveLogger(options.logger, process.env),
    telemetry: createTelemetry(options.telemetry),
  })
  const preAggregations = createPreAggregations(options, settings.clock, tenancy, connectors)
  // Served from a rollup when one is built and matches (else the prepared query as is).
  const prepareRouted = (query: unknown, call: CallContext): Promise<Prepared> => {
    const prepared = prepare(query, call)
    if (!preAggregations) return prepared
    return prepared.then((p) => {
      try {
        return preAggregations.route(p, () => connectorFor(p.scope, p.compiled.dataSource))
      } catch (error) {
        p.scope.release()
        throw toInternal(error, 'pre-aggregation routing')
      }
    })
  }

  const layer: SemanticLayer & { readonly untyped: SemanticLayer } = {
    get model() {
      return tenancy.model
    },
    get untyped() {
      return layer
    },
    limits: settings.limits,
    watchModel: (dir, watchOptions) => models.watch(dir, watchOptions),
    modelHistory: () => models.history(),
    async sql(query, given) {
      const callOptions = sqlOptions(given)
      // Rollup tables belong to the data source: SQL for another named dialect reads the source tables.
      const prepareFor = callOptions.dialect === undefined ? prepareRouted : prepare
      const { scope, compiled } = await prepareFor(query, callContext(callOptions.securityContext))
      try {
        return renderFor(compiled, backendFor(scope, compiled, callOptions.dialect)).rendered.main as RenderedSql
      } finally {
        scope.release()
      }
    },
    async query(query, given) {
      const started = Date.now()
      const callOptions = queryOptions(given, 'query options')
      const call = callContext(callOptions.securityContext)
      let prepared: Prepared | undefined
      const observe = observer.start('query')
      try {
        prepared = await observe.compile(() => prepareRouted(query, call))
        const run = runQuery.start(prepared, call, callOptions, observer.enabled ? observe : undefined)
        const fetched = await observe.cache(run.fetched)
        const ready = prepared
        const result = observe.shape(() => runQuery.finish(ready, run.statements, fetched))
        observe.succeeded({ rows: result.data.length, cacheHit: result.cache.hit, sql: result.sql })
        if (audit.enabled) {
          const modelVersion = prepared.scope.model.version
          audit.allowed(query, call.context, started, {
            sqlHash: sqlHash(result),
            rows: result.data.length,
            modelVersion,
          })
        }
        return result
      } catch (error) {
        observe.failed(error)
        audit.failed(query, call.context, started, error, prepared?.scope.model.version)
        throw error
      } finally {
        prepared?.scope.release()
      }
    },
    stream: queryStreamer({ options, prepare: prepareRouted, audit, observer }),
    preAggregations: {
      build(buildOptions) {
        if (!preAggregations) return Promise.reject(preAggregationsOff())
        return preAggregations.build(buildOptions)
      },
      status: () => preAggregations?.status() ?? [],
      async explain(query, given) {
        const callOptions = sqlOptions(given)
        const { scope, compiled } = await prepare(query, callContext(callOptions.securityContext))
        try {
          const connectorOf = () => connectorFor(scope, compiled.dataSource)
          const decided = preAggregations?.decide(scope.model, compiled, connectorOf) ?? { considered: [] }
          const served = decided.routed ?? compiled
          return {
            sql: renderFor(served, backendFor(scope, served, decided.routed ? undefined : callOptions.dialect)).rendered
              .main as RenderedSql,
            ...(served.usedPreAggregations ? { usedPreAggregations: served.usedPreAggregations } : {}),
            considered: decided.considered,
          }
        } finally {
          scope.release()
        }
      },
    },
    async healthCheck() {
      const shared = typeof connectors === 'function' ? {} : connectors
      const entries = await Promise.all(
        Object.entries(shared).map(async ([name, c]) => {
          try {
            return [name, await c.healthCheck()] as const
          } catch (error) {
            const message = error instanceof Error ? error.message : 'health check failed'
            return [name, { ok: false, latencyMs: 0, error: message }] as const
          }
        }),
      )
      return { ok: entries.every(([, r]) => r.ok), connectors: Object.fromEntries(entries) }
    },
    async explain(query, given) {
      const callOptions = explainOptions(given)
      const { scope, compiled } = await prepare(query, callContext(callOptions.securityContext))
      try {
        // Frozen in place: the compiled-query cache shares the plan, and nothing writes to it (ADR 7, ADR 14).
        const plan = deepFreeze(compiled.plan)
        return { plan, text: explainPlan(plan) }
      } finally {
        scope.release()
      }
    },
    async meta(given) {
      assertOpen()
      const ctx = callContext(metaOptions(given).securityContext).context
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
      await queryCache.invalidate(invalidateTarget(given), tenancy.model)
    },
    async close() {
      if (closed) return
      closed = true
      await preAggregations?.close()
      await models.close()
      await queryCache.close() // let background refreshes settle, release the adapter's own connections
      await tenancy.close()
    },
  }
  return layer
}
