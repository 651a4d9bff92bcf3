/**
 * The composition root: `createSemanticLayer` wires the stages of src/layer/ together. Each call runs
 * down them once: options → prepare (src/layer/prepare-query.ts) → execute through the result cache and
 * shape (execute-query.ts) or stream (stream-query.ts) → audit (audit-calls.ts).
 */
import { createQueryCache } from './cache/query-cache.js'
import { CompiledQueries } from './compiled-queries.js'
import { backendForDialect, backendOf } from './backend/backend-of.js'
import { connectorRecord } from './connectors/connector.js'
import { ConnectorSources } from './connectors/connector-sources.js'
import { SemanticLayerError } from './errors.js'
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
import type { ModelInput, SemanticLayer, SemanticLayerOptions } from './layer/layer-types.js'
import { LayerModels } from './layer/model-watch.js'
import { queryPreparer, type Prepared } from './layer/prepare-query.js'
import { queryStreamer } from './layer/stream-query.js'
import { isCompiledModel } from './model/brand.js'
import { compileModel } from './model/compile-model.js'
import type { ModelDefinition } from './model/definition.js'
import { explainPlan } from './query/plan/explain-plan.js'
import { resolveQueryLimits } from './query/query-limits.js'
import { buildMeta } from './result/build-meta.js'
import { PolicyEvaluator } from './security/authorize-query.js'
import { callContext, type CallContext } from './security/security-context.js'
import { Tenancy, type ModelFactory } from './security/tenancy.js'
import { isSqlDialect } from './sql/dialect.js'
import { SQL_DIALECT_NAMES, sqlDialectNamed } from './sql/dialects/registry.js'
import type { RenderedSql } from './sql/render-sql.js'
import { deepFreeze } from './util/objects.js'
import { readingOptions } from './util/options.js'

export type { ModelInput, SemanticLayer, SemanticLayerOptions } from './layer/layer-types.js'

/**
 * Create a semantic layer: a compiled model plus connectors, with access policies, tenancy, hooks and
 * audit applied to every call.
 *
 * @example
 * const model = await loadModel('./model')
 * const layer = createSemanticLayer({ model, connectors: { default: sqlite({ filename: 'shop.db' }) } })
 * const { data } = await layer.query({ measures: ['orders.count'], dimensions: ['orders.status'] })
 */
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

  return {
    get model() {
      return tenancy.model
    },
    limits: settings.limits,
    watchModel: (dir, watchOptions) => models.watch(dir, watchOptions),
    modelHistory: () => models.history(),
    async sql(query, given) {
      const callOptions = sqlOptions(given)
      const { scope, compiled } = await prepare(query, callContext(callOptions.securityContext))
      try {
        const named = callOptions.dialect
        if (named === undefined) {
          // The data source's own backend: SQL for its dialect, or a pipeline for MongoDB.
          const printed = renderFor(compiled, backendOf(connectorFor(scope, compiled.dataSource))).rendered.main
          return printed as RenderedSql
        }
        const dialect = typeof named === 'string' ? sqlDialectNamed(named) : isSqlDialect(named) ? named : undefined
        if (!dialect) {
          const message = `Unknown dialect. Use one of: ${SQL_DIALECT_NAMES.join(', ')}, or pass a SqlDialect.`
          throw new SemanticLayerError('UNSUPPORTED', [{ code: 'UNKNOWN_DIALECT', path: ['dialect'], message }])
        }
        return renderFor(compiled, backendForDialect(dialect)).rendered.main as RenderedSql
      } finally {
        scope.release()
      }
    },
    async query(query, given) {
      const started = Date.now()
      const callOptions = queryOptions(given, 'query options')
      const call = callContext(callOptions.securityContext)
      let prepared: Prepared | undefined
      try {
        prepared = await prepare(query, call)
        const run = runQuery.start(prepared, call, callOptions)
        const result = runQuery.finish(prepared, run.statements, await run.fetched)
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
        audit.failed(query, call.context, started, error, prepared?.scope.model.version)
        throw error
      } finally {
        prepared?.scope.release()
      }
    },
    stream: queryStreamer({ options, prepare, audit }),
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
      await models.close()
      await queryCache.close() // let background refreshes settle, release the adapter's own connections
      await tenancy.close()
    },
  }
}
