/**
 * Executing a prepared query: the connector call (in the row form the connector answers best), the
 * result cache around it, and shaping the rows into Cube's result. The one place results come from
 * the database.
 */
import type { FetchedRows } from '../cache/fetched-rows.js'
import { shapedRows } from '../cache/fetched-rows.js'
import { sha256 } from '../cache/cache-key.js'
import { resolveCacheMode, type CachedRun, type FetchedResult, type QueryCache } from '../cache/query-cache.js'
import type { CompiledQuery, RenderedStatements } from '../compiled-queries.js'
import { backendOf } from '../backend/backend-of.js'
import type { Backend, PrintedQuery } from '../backend/backend.js'
import { statementText } from '../backend/statement-text.js'
import { answers, type Connector, type Statement, type StatementOptions } from '../connectors/connector.js'
import type { RenderedSql } from '../sql/render-sql.js'
import type { ConnectorSources } from '../connectors/connector-sources.js'
import { describeName, isSemanticLayerError, SemanticLayerError } from '../errors.js'
import type { CompiledCube } from '../model/compiled.js'
import type { RowShaper } from '../result/shape-result.js'
import type { CallContext } from '../security/security-context.js'
import type { TenantScope } from '../security/tenancy.js'
import { statementOptions } from './layer-options.js'
import type { QueryOptions, QueryResult, SemanticLayerOptions } from './layer-types.js'
import { guard, type Prepared } from './prepare-query.js'
import type { Observation } from '../observe/query-observer.js'

/**
 * The statements of a compiled query for `backend` (`stream`: without the extra row that detects
 * truncation). The one call into printing.
 */
export function renderFor(compiled: CompiledQuery, backend: Backend, stream = false): RenderedStatements {
  return guard('render', () => compiled.render(backend, stream))
}

/** The connector of a call's data source (CONNECTOR_MISSING when the layer has none by that name). */
export function connectorFor(scope: TenantScope, dataSource: string): Connector {
  const connector = Object.hasOwn(scope.connectors, dataSource) ? scope.connectors[dataSource] : undefined
  if (connector) return connector
  const message =
    `No connector for data source ${describeName(dataSource)}. ` +
    `Pass one in createSemanticLayer({ connectors: { ${dataSource}: … } }).`
  throw new SemanticLayerError('CONNECTOR_MISSING', [
    { code: 'CONNECTOR_MISSING', path: ['connectors', dataSource], message },
  ])
}

/** The statement options with the time zone the statements convert to (connectors check it: see StatementOptions). */
export function withZone(options: StatementOptions, rendered: PrintedQuery<unknown>): StatementOptions {
  return rendered.timeZone === undefined ? options : { ...options, timeZone: rendered.timeZone }
}

export interface RunnerDeps {
  readonly options: SemanticLayerOptions
  readonly queryCache: QueryCache
  readonly sources: ConnectorSources
}

/** A query started by {@link QueryRunner.start}: its statements, and their rows to come. */
export interface StartedQuery {
  readonly statements: RenderedStatements
  readonly fetched: Promise<CachedRun>
}

/**
 * The layer's execution, in two synchronous halves around the one await of the result cache (an async
 * function between them would cost extra promise ticks on every call, which a cache hit notices).
 */
export interface QueryRunner {
  /** Render the statements and run them through the result cache (refresh keys, modes, single-flight). */
  start(prepared: Prepared, call: CallContext, callOptions: QueryOptions, observe?: Observation): StartedQuery
  /** Shape the rows into Cube's result. */
  finish(prepared: Prepared, statements: RenderedStatements, run: CachedRun): QueryResult
}

export function queryRunner(deps: RunnerDeps): QueryRunner {
  const { options, queryCache, sources } = deps
  return {
    start({ scope, compiled }, call, callOptions, observe) {
      const connector = connectorFor(scope, compiled.dataSource)
      const backend = backendOf(connector)
      const statements = renderFor(compiled, backend)
      let keyDigest: string | undefined
      const fetched = queryCache.run({
        connector,
        source: sources.of(connector, compiled.dataSource),
        statementDigest: () => (keyDigest ??= versionedDigest(connector, statements.digest, compiled.cubes)),
        exec: statementOptions(callOptions, options),
        execute: observe
          ? (exec) =>
              observe.execute(connector.dialect?.name ?? backend.name, () =>
                fetchStatements(connector, statements, exec),
              )
          : (exec) => fetchStatements(connector, statements, exec),
        modelVersion: scope.model.version,
        securityDigest: call.digest(),
        notPlain: call.notPlain,
        tenant: scope.tenant,
        dialect: backend.name,
        cubes: compiled.cubes,
        mode: resolveCacheMode(callOptions.cacheMode, compiled.normalized.echo.renewQuery === true),
      })
      return { statements, fetched }
    },
    finish({ compiled }, statements, { main, totalRows, cache }) {
      const { data, truncated } = guard('shape', () => statements.shaper.all(main, compiled.plan.limit))
      const total = totalRows ? Number(Object.values(totalRows[0] ?? {})[0] ?? 0) : undefined
      return {
        data,
        annotation: compiled.annotation,
        query: compiled.normalized.echo,
        sql: statements.rendered.main as RenderedSql,
        ...(total === undefined ? {} : { total }),
        truncated,
        dataSource: compiled.dataSource,
        cache,
        ...(compiled.usedPreAggregations ? { usedPreAggregations: compiled.usedPreAggregations } : {}),
      }
    },
  }
}

/** SHA-256 of a printed main statement (SQL text without parameters; a pipeline as JSON), for audit events. */
export function statementHash(printed: unknown): string {
  return sha256(statementText(printed))
}

/** SHA-256 of a result's main statement (no parameters), for audit events. */
export const sqlHash = (result: { readonly sql: unknown }): string => statementHash(result.sql)

/**
 * Run the rendered statements: the main one in the best row form the connector answers, the one-row
 * `total` statement as objects.
 */
async function fetchStatements(
  connector: Connector,
  statements: RenderedStatements,
  exec: StatementOptions,
): Promise<FetchedResult> {
  const zoned = withZone(exec, statements.rendered) // the zone the statements convert to, for the connector to check
  const total = statements.total
  const [main, totalRows] = await Promise.all([
    fetchRows(connector, statements.main, statements.shaper, zoned),
    total ? run(() => connector.execute(total, zoned)) : undefined,
  ])
  return totalRows === undefined ? { main } : { main, totalRows }
}

/**
 * The main statement's rows: shaped as they arrive when the connector answers `map` (rows die young:
 * ADR 8), else as arrays when it answers them (no object per row keyed by column alias), else objects.
 */
async function fetchRows(
  connector: Connector,
  statement: Statement,
  shaper: RowShaper,
  options: StatementOptions,
): Promise<FetchedRows> {
  if (answers(connector, 'mapped')) {
    const map = shaper.rowMapper()
    return shapedRows(await run(() => connector.execute(statement, { ...options, map })))
  }
  if (answers(connector, 'arrays')) {
    return { form: 'arrays', rows: await run(() => connector.execute(statement, { ...options, rows: 'arrays' })) }
  }
  return { form: 'objects', rows: await run(() => connector.execute(statement, options)) }
}

/** A connector call, its failures typed: SemanticLayerErrors pass through, anything else is CONNECTOR_FAILED. */
export async function run<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (isSemanticLayerError(error)) throw error
    const message = 'The data source failed to run the query; see cause.'
    throw new SemanticLayerError('CONNECTOR_FAILED', [{ code: 'CONNECTOR_FAILED', path: [], message }], {
      cause: error,
    })
  }
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
