/**
 * Where rollup tables live. `sourceStore()` keeps them in the source database itself (in a schema of their
 * own on PostgreSQL and MySQL); `sqliteStore({ filename })` keeps them in a SQLite file attached to a SQLite
 * source. Tables are written by `CREATE TABLE … AS SELECT` over the build query, so the engine keeps the
 * measures' own types (a sum over DECIMAL stays DECIMAL) and no row passes through JavaScript.
 */
import type { Connector, SqlStatement } from '../connectors/connector.js'
import { SemanticLayerError } from '../errors.js'
import type { SqlDialect } from '../sql/dialect.js'
import { NAME_PATTERN } from '../model/model-schema.js'

/** A place for rollup tables (see {@link sourceStore} and {@link sqliteStore}). */
export interface PreAggregationStore {
  readonly kind: 'source' | 'sqlite-file'
  /** PostgreSQL schema or MySQL database holding the tables; absent: the connection's default. */
  readonly schema?: string
  /** For `sqlite-file`: the file attached to the SQLite source. */
  readonly filename?: string
}

/** The default schema (PostgreSQL) or database (MySQL) of rollup tables. */
export const DEFAULT_SCHEMA = 'cortex_pre_aggregations'
/** The name a {@link sqliteStore} file is attached under. */
const ATTACHED = 'cortex_pre_aggregations'

/**
 * The SQL dialect of a data source that stores and serves rollups. Rollups are tables: a source without
 * one (MongoDB prints pipelines) cannot have them yet.
 */
export function rollupDialect(connector: Connector): SqlDialect {
  if (connector.dialect) return connector.dialect
  const message = 'Pre-aggregations need a SQL data source; remove preAggregations for this MongoDB source.'
  throw new SemanticLayerError('UNSUPPORTED', [{ code: 'UNSUPPORTED_FEATURE', path: ['preAggregations'], message }])
}

function invalid(path: string, message: string): SemanticLayerError {
  return new SemanticLayerError('CONFIG_INVALID', [
    { code: 'INVALID_PRE_AGGREGATION_STORE', path: ['preAggregations', 'store', path], message },
  ])
}

/**
 * Rollup tables in the source database. On PostgreSQL and MySQL they go to `schema` (default
 * `cortex_pre_aggregations`, created when missing); on SQLite to the source database itself.
 *
 * @example
 * createSemanticLayer({ model, connectors, preAggregations: { store: sourceStore({ schema: 'rollups' }) } })
 */
export function sourceStore(options: { readonly schema?: string } = {}): PreAggregationStore {
  if (options.schema !== undefined && (typeof options.schema !== 'string' || !NAME_PATTERN.test(options.schema)))
    throw invalid('schema', 'schema must be a plain identifier (letters, digits, underscore).')
  return { kind: 'source', ...(options.schema === undefined ? {} : { schema: options.schema }) }
}

/**
 * Rollup tables in a SQLite file attached to a SQLite source (WAL mode, so several processes can read it).
 *
 * @example
 * createSemanticLayer({ model, connectors: { default: sqlite({ filename: 'shop.db' }) },
 *   preAggregations: { store: sqliteStore({ filename: 'rollups.db' }) } })
 */
export function sqliteStore(options: { readonly filename: string }): PreAggregationStore {
  if (typeof options?.filename !== 'string' || options.filename === '')
    throw invalid('filename', 'filename must be the path of the SQLite file to keep rollup tables in.')
  return { kind: 'sqlite-file', filename: options.filename, schema: ATTACHED }
}

const sql = (text: string, params: readonly unknown[] = []): SqlStatement => ({ kind: 'sql', sql: text, params })

/** A store bound to one connector: qualified names, DDL, and the time column's storage type. */
export class BoundStore {
  private ready: Promise<void> | undefined
  readonly dialect: SqlDialect

  constructor(
    readonly store: PreAggregationStore,
    readonly connector: Connector,
  ) {
    this.dialect = rollupDialect(connector)
    if (store.kind === 'sqlite-file' && this.dialect.name !== 'sqlite')
      throw invalid(
        'filename',
        `sqliteStore() needs a SQLite source; this one is ${this.dialect.name}. Use sourceStore().`,
      )
  }

  private get schema(): string | undefined {
    if (this.store.schema !== undefined) return this.store.schema
    return this.dialect.name === 'sqlite' ? undefined : DEFAULT_SCHEMA
  }

  /** The schema (or attached file) exists. Once per connector. */
  prepare(): Promise<void> {
    this.ready ??= (async () => {
      const schema = this.schema
      if (this.store.kind === 'sqlite-file') {
        const attached = (await this.connector.execute(sql('PRAGMA database_list'))) as { name: string }[]
        if (!attached.some((d) => d.name === ATTACHED))
          await this.connector.execute(sql(`ATTACH DATABASE ? AS ${this.q(ATTACHED)}`, [this.store.filename]))
        await this.connector.execute(sql(`PRAGMA ${this.q(ATTACHED)}.journal_mode = WAL`))
      } else if (schema !== undefined && this.dialect.name === 'postgres') {
        await this.connector.execute(sql(`CREATE SCHEMA IF NOT EXISTS ${this.q(schema)}`))
      } else if (schema !== undefined && this.dialect.name === 'mysql') {
        await this.connector.execute(sql(`CREATE DATABASE IF NOT EXISTS ${this.q(schema)}`))
      }
    })().catch((error: unknown) => {
      this.ready = undefined
      throw error
    })
    return this.ready
  }

  q(name: string): string {
    return this.dialect.quoteIdentifier(name)
  }

  /** `schema.table`, quoted. */
  table(name: string): string {
    const schema = this.schema
    return schema === undefined ? this.q(name) : `${this.q(schema)}.${this.q(name)}`
  }

  /** The build's time text ('YYYY-MM-DDTHH:mm:ss.SSS', wall-clock) as the engine's time type, for comparisons. */
  timeColumn(expr: string): string {
    if (this.dialect.name === 'postgres') return `CAST(${expr} AS timestamp)`
    if (this.dialect.name === 'mysql') return `CAST(${expr} AS DATETIME(3))`
    return expr
  }

  createIndex(table: string, index: string, columns: readonly string[]): SqlStatement {
    const cols = columns.map((c) => this.q(c)).join(', ')
    // SQLite names the index's schema, not the table's; PostgreSQL and MySQL put it with the table.
    const target =
      this.dialect.name === 'sqlite'
        ? `${this.table(index)} ON ${this.q(table)}`
        : `${this.q(index)} ON ${this.table(table)}`
    return sql(`CREATE INDEX ${target} (${cols})`)
  }

  drop(table: string): SqlStatement {
    return sql(`DROP TABLE IF EXISTS ${this.table(table)}`)
  }

  count(table: string): SqlStatement {
    return sql(`SELECT count(*) AS ${this.q('n')} FROM ${this.table(table)}`)
  }
}
