import { SemanticLayerError, describeName, toInternal, isSemanticLayerError } from './errors.js'
import type { Connector, ExecuteOptions, HealthReport } from './connectors/connector.js'
import { isConnector } from './connectors/connector.js'
import type { CompiledModel } from './model/compiled.js'
import { compileModel } from './model/compile-model.js'
import type { ModelDefinition } from './model/definition.js'
import { parseModel } from './model/load-model.js'
import type { NormalizedQuery } from './query/normalized-query.js'
import { normalizeQuery } from './query/normalize-query.js'
import { parseQuery, type CubeQuery } from './query/parse-query.js'
import { buildPlan, type QueryPlan } from './query/plan/build-plan.js'
import { buildAnnotation, rowShaper, shapeRows, type DecimalMode, type Row } from './result/shape-result.js'
import { buildMeta, type MetaResponse } from './result/build-meta.js'
import type { SqlDialect } from './sql/dialect.js'
import { mysqlDialect } from './sql/dialects/mysql-dialect.js'
import { postgresDialect } from './sql/dialects/postgres-dialect.js'
import { sqliteDialect } from './sql/dialects/sqlite-dialect.js'
import { renderSql, type RenderedQuery, type RenderedSql } from './sql/render-sql.js'

export interface SemanticLayerOptions {
  /** The data model: what `loadModel()` returns, or plain `{ cubes, views }` objects in Cube's format. */
  readonly model: ModelDefinition | { readonly cubes?: readonly unknown[]; readonly views?: readonly unknown[] }
  /** Connectors by data source name; cubes without `data_source` use `default`. */
  readonly connectors: Readonly<Record<string, Connector>>
  /** Rows returned when a query sets no limit. Default 10 000. */
  readonly defaultLimit?: number
  /** Largest limit a query may ask for. Default 50 000. */
  readonly maxLimit?: number
  /** Clock for relative date ranges ('today', 'last 7 days'). Default: the system clock. */
  readonly now?: () => Date
  /** Stop any statement running longer than this on the server (QUERY_TIMEOUT). Per-query `timeoutMs` overrides it. */
  readonly timeoutMs?: number
  /**
   * Numeric text from PostgreSQL/MySQL (numeric, DECIMAL, bigint): `'number'` (default) converts to JS
   * numbers, keeping integers beyond 2^53 as exact strings; `'string'` keeps every non-integer and
   * unsafe integer as the driver's exact decimal text.
   */
  readonly decimals?: DecimalMode
}

export interface QueryOptions {
  /** Who is asking; used by security hooks and (later) access policies and caching. */
  readonly securityContext?: Readonly<Record<string, unknown>>
  /** Cancels the query: the statement is stopped on the server (QUERY_CANCELLED). */
  readonly signal?: AbortSignal
  /** Stop the statement on the server after this many milliseconds (QUERY_TIMEOUT). */
  readonly timeoutMs?: number
}

export interface SqlOptions {
  /** Render for this dialect instead of the data source's connector (compile-only use, e.g. tests). */
  readonly dialect?: SqlDialect['name']
}

export interface QueryResult {
  /** Rows keyed by member name (Cube's REST `data`). */
  readonly data: Row[]
  /** Titles, types and formats of the members in `data`. */
  readonly annotation: Record<string, Record<string, unknown>>
  /** The query as Cortex understood it: defaults applied, date ranges resolved. */
  readonly query: Readonly<Record<string, unknown>>
  /** The statement that ran. */
  readonly sql: RenderedSql
  /** Rows matching the query ignoring limit and offset, when the query set `total: true`. */
  readonly total?: number
  /** True when more rows matched than `limit` allowed: the result was cut. */
  readonly truncated: boolean
  /** The data source the query ran on. */
  readonly dataSource: string
}

export interface SemanticLayer {
  /** Run a Cube REST query. Throws SemanticLayerError on bad input or a failing source. */
  query(query: CubeQuery | Record<string, unknown>, options?: QueryOptions): Promise<QueryResult>
  /** Compile a query to SQL and parameters without running it (no connection is opened). */
  sql(query: CubeQuery | Record<string, unknown>, options?: SqlOptions): RenderedSql
  /**
   * Run a query and yield shaped rows one by one with bounded memory (a cursor on the server). Without
   * an explicit `limit`, all rows are streamed (the default limit does not apply).
   */
  stream(query: CubeQuery | Record<string, unknown>, options?: QueryOptions): AsyncIterable<Row>
  /** Ask every connector whether its source answers; never throws. */
  healthCheck(): Promise<HealthCheckResult>
  /** Cube's /meta: the cubes, views and members a caller may query. */
  meta(): MetaResponse
  /** The compiled model (frozen), e.g. for tools and security hooks. */
  readonly model: CompiledModel
  /** Close every connector this layer was given. Further queries fail with LAYER_CLOSED. */
  close(): Promise<void>
}

export interface HealthCheckResult {
  readonly ok: boolean
  readonly connectors: Readonly<Record<string, HealthReport>>
}

const DIALECTS: Record<SqlDialect['name'], SqlDialect> = { sqlite: sqliteDialect, postgres: postgresDialect, mysql: mysqlDialect }

/**
 * Create a semantic layer: a compiled model plus connectors.
 *
 * @example
 * const layer = createSemanticLayer({ model: await loadModel('./model'), connectors: { default: sqlite({ filename: 'shop.db' }) } })
 * const { data } = await layer.query({ measures: ['orders.count'], dimensions: ['orders.status'] })
 */
export function createSemanticLayer(options: SemanticLayerOptions): SemanticLayer {
  const defaultLimit = options.defaultLimit ?? 10_000
  const maxLimit = options.maxLimit ?? 50_000
  if (!Number.isSafeInteger(defaultLimit) || !Number.isSafeInteger(maxLimit) || defaultLimit < 1 || maxLimit < defaultLimit) {
    throw new SemanticLayerError('CONFIG_INVALID', [{ code: 'INVALID_OPTION', path: ['defaultLimit'], message: 'defaultLimit and maxLimit must be positive integers with defaultLimit ≤ maxLimit.' }])
  }
  const connectors = options.connectors ?? {}
  for (const [name, connector] of Object.entries(connectors)) {
    if (!isConnector(connector)) {
      throw new SemanticLayerError('CONFIG_INVALID', [{ code: 'INVALID_CONNECTOR', path: ['connectors', name], message: `connectors.${name} is not a Cortex connector. Create one with a factory such as sqlite() from 'cortex-semantic/sqlite'.` }])
    }
  }
  const model = compileModel(isModelDefinition(options.model) ? options.model : parseModel([{ content: options.model as object }]))
  const now = options.now ?? (() => new Date())
  const decimals = options.decimals ?? 'number'
  let closed = false
  const assertOpen = (): void => {
    if (closed) throw new SemanticLayerError('LAYER_CLOSED', [{ code: 'LAYER_CLOSED', path: [], message: 'This semantic layer was closed. Create a new one.' }])
  }
  const execOptions = (queryOptions: QueryOptions | undefined): ExecuteOptions => {
    const timeoutMs = queryOptions?.timeoutMs ?? options.timeoutMs
    return { ...(queryOptions?.signal ? { signal: queryOptions.signal } : {}), ...(timeoutMs === undefined ? {} : { timeoutMs }) }
  }

  const compile = (input: unknown): { normalized: NormalizedQuery; plan: QueryPlan; dataSource: string } => {
    const parsed = parseQuery(input)
    const normalized = normalizeQuery(parsed, model, { defaultLimit, maxLimit, nowMs: now().getTime() })
    const plan = buildPlan(model, normalized)
    return { normalized, plan, dataSource: dataSourceOf(model, plan) }
  }

  const connectorFor = (dataSource: string): Connector => {
    const connector = Object.hasOwn(connectors, dataSource) ? connectors[dataSource] : undefined
    if (!connector) {
      throw new SemanticLayerError('CONNECTOR_MISSING', [{ code: 'CONNECTOR_MISSING', path: ['connectors', dataSource], message: `No connector for data source ${describeName(dataSource)}. Pass one in createSemanticLayer({ connectors: { ${dataSource}: … } }).` }])
    }
    return connector
  }

  return {
    model,
    sql(input, sqlOptions) {
      return guard('sql', () => {
        const { plan, dataSource } = compile(input)
        const dialect = sqlOptions?.dialect ? DIALECTS[sqlOptions.dialect] : connectorFor(dataSource).dialect
        if (!dialect) throw new SemanticLayerError('UNSUPPORTED', [{ code: 'UNKNOWN_DIALECT', path: ['dialect'], message: `Unknown dialect. Use one of: ${Object.keys(DIALECTS).join(', ')}.` }])
        return renderSql(plan, model, dialect).main
      })
    },
    async query(input, queryOptions) {
      assertOpen()
      const { normalized, plan, dataSource, connector, rendered } = guard('query', () => {
        const compiled = compile(input)
        const connector = connectorFor(compiled.dataSource)
        return { ...compiled, connector, rendered: renderSql(compiled.plan, model, connector.dialect) }
      })
      const exec = execOptions(queryOptions)
      const [rows, totalRows] = await Promise.all([
        run(connector, rendered.main, exec),
        rendered.total ? run(connector, rendered.total, exec) : Promise.resolve(undefined),
      ])
      const { data, truncated } = guard('shape', () => shapeRows(rows, rendered.columns, plan.limit, decimals))
      const total = totalRows ? Number(Object.values(totalRows[0] ?? {})[0] ?? 0) : undefined
      return {
        data,
        annotation: buildAnnotation(model, normalized),
        query: normalized.echo,
        sql: rendered.main,
        ...(total === undefined ? {} : { total }),
        truncated,
        dataSource,
      }
    },
    stream(input, queryOptions) {
      assertOpen()
      const { connector, rendered } = guard('stream', () => {
        const compiled = compile(input)
        const connector = connectorFor(compiled.dataSource)
        return { connector, rendered: renderSql(compiled.plan, model, connector.dialect, { stream: true }) }
      })
      const shape = rowShaper(rendered.columns, decimals)
      const exec = execOptions(queryOptions)
      return {
        async *[Symbol.asyncIterator]() {
          try {
            for await (const raw of connector.stream(rendered.main.sql, rendered.main.params, exec)) yield shape(raw)
          } catch (error) {
            if (isSemanticLayerError(error)) throw error
            throw new SemanticLayerError('CONNECTOR_FAILED', [{ code: 'CONNECTOR_FAILED', path: [], message: 'The data source failed while streaming; see cause.' }], { cause: error })
          }
        },
      }
    },
    async healthCheck() {
      const entries = await Promise.all(
        Object.entries(connectors).map(async ([name, c]) => {
          try {
            return [name, await c.healthCheck()] as const
          } catch (error) {
            return [name, { ok: false, latencyMs: 0, error: error instanceof Error ? error.message : 'health check failed' }] as const
          }
        }),
      )
      return { ok: entries.every(([, r]) => r.ok), connectors: Object.fromEntries(entries) }
    },
    meta() {
      return buildMeta(model)
    },
    async close() {
      if (closed) return
      closed = true
      const results = await Promise.allSettled(Object.values(connectors).map((c) => c.close()))
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
      if (failed) throw new SemanticLayerError('CONNECTOR_FAILED', [{ code: 'CLOSE_FAILED', path: [], message: 'A connector failed to close.' }], { cause: failed.reason })
    },
  }
}

function isModelDefinition(value: unknown): value is ModelDefinition {
  // loadModel() returns frozen definitions whose cubes carry normalized arrays; anything else is parsed.
  if (typeof value !== 'object' || value === null || !Object.isFrozen(value)) return false
  const v = value as { cubes?: unknown; views?: unknown }
  return Array.isArray(v.cubes) && Array.isArray(v.views)
}

/** All cubes of one query must live in one data source (federation is not supported). */
function dataSourceOf(model: CompiledModel, plan: QueryPlan): string {
  const sources = new Map<string, string>()
  for (const cube of [plan.tree.root, ...plan.tree.joins.map((j) => j.to)]) {
    const source = model.cubes[cube]!.dataSource
    if (!sources.has(source)) sources.set(source, cube)
  }
  if (sources.size > 1) {
    const named = [...sources].map(([source, cube]) => `${describeName(cube)} (data_source ${describeName(source)})`)
    throw new SemanticLayerError('QUERY_INVALID', [{ code: 'MULTIPLE_DATA_SOURCES', path: [], message: `This query joins cubes from different data sources: ${named.join(' and ')}. Query each source separately.` }])
  }
  return [...sources.keys()][0]!
}

async function run(connector: Connector, statement: RenderedSql, options: ExecuteOptions): Promise<readonly Record<string, unknown>[]> {
  try {
    return await connector.execute(statement.sql, statement.params, options)
  } catch (error) {
    if (isSemanticLayerError(error)) throw error
    throw new SemanticLayerError('CONNECTOR_FAILED', [{ code: 'CONNECTOR_FAILED', path: [], message: 'The data source failed to run the query; see cause.' }], { cause: error })
  }
}

function guard<T>(where: string, fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    throw toInternal(error, where)
  }
}

export type { RenderedQuery }
