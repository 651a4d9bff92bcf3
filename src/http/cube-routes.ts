/**
 * The end-user endpoints, with Cube's response bodies: /v1/load, /v1/sql, /v1/dry-run, /v1/meta.
 * Everything runs through the layer's public API (query, sql, meta), so access policies and tenancy
 * apply exactly as they do in-process.
 */
import type { QueryOptions, SemanticLayer } from '../index.js'
import {
  expandQueries,
  formatData,
  normalizeForEcho,
  orderObject,
  parseQueryParam,
  pivotQuery,
  rowsFor,
  type ExpandedQueries,
} from './cube-queries.js'
import type { HandlerMetrics } from './metrics.js'
import type { ResolvedOptions, SecurityContext } from './options.js'
import { limitExceeded, userError } from './responses.js'

export interface CubeRouteContext {
  readonly layer: SemanticLayer
  readonly securityContext: SecurityContext | undefined
  readonly signal: AbortSignal
  readonly requestId: string
  readonly options: ResolvedOptions
  readonly metrics: HandlerMetrics
}

/** The request's parameters, from the URL (GET) or the JSON body (POST), as Cube reads them. */
export interface CubeParams {
  readonly query: unknown
  readonly queryType: unknown
  readonly onlyViews: boolean
}

type Json = Record<string, unknown>

export async function load(ctx: CubeRouteContext, params: CubeParams): Promise<Json> {
  const expanded = expandRequest(ctx, params)
  checkRowBudget(ctx, expanded)
  if (expanded.queryType !== 'regularQuery' && params.queryType !== 'multi') {
    throw userError(
      `'${expanded.queryType}' query type is not supported by the client. Please update the client.`,
      'QUERY_INVALID',
    )
  }
  const queryOptions: QueryOptions = {
    signal: ctx.signal,
    ...(ctx.securityContext ? { securityContext: ctx.securityContext } : {}),
    ...(ctx.options.timeoutMs === undefined ? {} : { timeoutMs: ctx.options.timeoutMs }),
  }
  const results = await Promise.all(expanded.queries.map((q) => runOne(ctx, expanded, q, queryOptions)))
  if (params.queryType !== 'multi') return results[0]!
  return {
    queryType: expanded.queryType,
    results,
    pivotQuery: pivotQuery(
      expanded.queryType,
      results.map((r) => r.query as Json),
    ),
    slowQuery: false,
    requestId: ctx.requestId,
  }
}

/** The request's queries, at most `maxQueriesPerRequest` of them. */
function expandRequest(ctx: CubeRouteContext, params: CubeParams): ExpandedQueries {
  const max = ctx.options.maxQueriesPerRequest
  return expandQueries(parseQueryParam(params.query, max), max)
}

/**
 * The rows one request may ask for, before any query runs: each query's `limit` (or the layer's
 * `defaultLimit`), added over the request's queries, must stay within `maxRowsPerRequest` (default: the
 * layer's `maxLimit`, so a blended or compareDateRange request gets no more rows than one query could).
 */
function checkRowBudget(ctx: CubeRouteContext, expanded: ExpandedQueries): void {
  const limits = ctx.layer.limits as Partial<SemanticLayer['limits']> | undefined
  const defaultLimit = limits?.defaultLimit ?? 10_000
  const budget = ctx.options.maxRowsPerRequest ?? limits?.maxLimit ?? 50_000
  const limitOf = (q: Json): number =>
    typeof q.limit === 'number' && Number.isFinite(q.limit) && q.limit >= 0 ? q.limit : defaultLimit
  const rows = expanded.queries.reduce((sum, q) => sum + limitOf(q), 0)
  if (rows > budget) {
    const unset = expanded.queries.some((q) => typeof q.limit !== 'number')
    throw limitExceeded(
      ['query'],
      [
        `This request may return ${rows} rows over its ${expanded.queries.length} queries; at most ${budget} are allowed`,
        ' in one request (maxRowsPerRequest).',
        unset ? ` A query without a limit counts as the layer's defaultLimit (${defaultLimit}).` : '',
        ' Set a smaller limit on the queries, send fewer of them, or raise maxRowsPerRequest.',
      ].join(''),
    )
  }
}

async function runOne(
  ctx: CubeRouteContext,
  expanded: ExpandedQueries,
  query: Json,
  options: QueryOptions,
): Promise<Json> {
  const refreshed = new Date().toISOString()
  const started = performance.now()
  try {
    const r = await ctx.layer.query(query, options)
    const format = expanded.responseFormat
    return {
      // The client reads the layout back from the echoed query.
      query: format === 'default' ? r.query : { ...r.query, responseFormat: format },
      data: formatData(format, rowsFor(expanded, r.query as Json, r.data)),
      lastRefreshTime: refreshed,
      annotation: r.annotation,
      dataSource: r.dataSource,
      dbType: ctx.options.dbType(r.dataSource),
      extDbType: null,
      external: false,
      slowQuery: false,
      total: query.total === true ? (r.total ?? null) : null,
      truncated: r.truncated,
      requestId: ctx.requestId,
    }
  } finally {
    ctx.metrics.queryDuration(performance.now() - started)
  }
}

/** Cube's /v1/sql: `{ sql: { sql: [text, params], order, ... }, dataSource }`, an array for multi-query requests. */
export async function sql(ctx: CubeRouteContext, params: CubeParams): Promise<Json | Json[]> {
  const expanded = expandRequest(ctx, params)
  const entries = await Promise.all(
    expanded.queries.map(async (q) => {
      const explained = await ctx.layer.preAggregations.explain(
        q,
        ctx.securityContext ? { securityContext: ctx.securityContext } : {},
      )
      const rendered = explained.sql
      const normalized = normalizeForEcho(q)
      const dataSource = dataSourceOf(ctx.layer, q)
      return {
        sql: {
          sql: [rendered.sql, [...rendered.params]],
          order: orderObject(normalized.order),
          cacheKeyQueries: [],
          // The rollups serving the query, and every rollup considered with why it matched or not.
          preAggregations: usedRollups(explained.usedPreAggregations),
          rollupMatchResults: explained.considered as unknown as Json[],
          external: false,
          dataSource,
        },
        dataSource,
      }
    }),
  )
  return expanded.queryType === 'regularQuery' ? entries[0]! : entries
}

/** Cube's /v1/dry-run: the queries as they would run, checked (and authorized) without touching the database. */
export async function dryRun(ctx: CubeRouteContext, params: CubeParams): Promise<Json> {
  const expanded = expandRequest(ctx, params)
  const explained = await Promise.all(
    expanded.queries.map((q) =>
      ctx.layer.preAggregations.explain(q, ctx.securityContext ? { securityContext: ctx.securityContext } : {}),
    ),
  )
  const normalizedQueries = expanded.queries.map(normalizeForEcho)
  return {
    queryType: expanded.queryType,
    normalizedQueries,
    queryOrder: normalizedQueries.map((n) => orderObject(n.order)),
    transformedQueries: normalizedQueries.map(() => null),
    pivotQuery: pivotQuery(expanded.queryType, normalizedQueries),
    // Per query: the rollups serving it and every rollup considered (docs/pre-aggregations.md).
    preAggregations: explained.map((e) => usedRollups(e.usedPreAggregations)),
    rollupMatchResults: explained.map((e) => e.considered as unknown as Json[]),
  }
}

/** The rollups a query reads, in the shape of Cube's /v1/sql `preAggregations` entries. */
function usedRollups(
  used: readonly { readonly name: string; readonly tables: readonly string[] }[] | undefined,
): Json[] {
  return (used ?? []).map((u) => ({ preAggregationId: u.name, tableName: u.tables[0] ?? null, tables: [...u.tables] }))
}

/** Cube's /v1/meta, for this caller; `onlyViews=true` keeps views only. */
export async function meta(ctx: CubeRouteContext, params: CubeParams): Promise<Json> {
  const described = await ctx.layer.meta(ctx.securityContext ? { securityContext: ctx.securityContext } : undefined)
  const cubes = params.onlyViews ? described.cubes.filter((c) => c.type === 'view') : described.cubes
  return { ...described, cubes }
}

/** The data source of the first cube (or view's root cube) a query names; 'default' when unknown. */
function dataSourceOf(layer: SemanticLayer, q: Json): string {
  const model = layer.model
  const names: unknown[] = [
    ...(Array.isArray(q.measures) ? q.measures : []),
    ...(Array.isArray(q.dimensions) ? q.dimensions : []),
    ...(Array.isArray(q.timeDimensions)
      ? q.timeDimensions.map((t: unknown) => (typeof t === 'object' && t !== null ? (t as Json).dimension : undefined))
      : []),
    ...(Array.isArray(q.segments) ? q.segments : []),
  ]
  const first = names.find((n): n is string => typeof n === 'string')
  if (!model || !first) return 'default'
  const owner = first.split('.')[0] ?? ''
  if (Object.hasOwn(model.cubes, owner)) return model.cubes[owner]!.dataSource
  if (Object.hasOwn(model.views, owner)) {
    const root = model.views[owner]!.root
    if (Object.hasOwn(model.cubes, root)) return model.cubes[root]!.dataSource
  }
  return 'default'
}
