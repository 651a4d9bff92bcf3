import type { SqlDialect } from '../dialect.js'
import { bigqueryDialect } from './bigquery-dialect.js'
import { duckdbDialect } from './duckdb-dialect.js'
import { mysqlDialect } from './mysql-dialect.js'
import { postgresDialect } from './postgres-dialect.js'
import { snowflakeDialect } from './snowflake-dialect.js'
import { sqliteDialect } from './sqlite-dialect.js'

/**
 * The built-in SQL dialects by name: the one list of engines the layer (`layer.sql(q, { dialect })`) and
 * the CLI (`--dialect`) know by name. Adding an engine: a file in this folder (a {@link SqlDialect} in
 * data and small emitters) and one entry here; the planner and the printer do not change. A frozen
 * constant, not a registry anyone writes to: a host's own dialect travels on its connector (or is passed
 * as an object to `layer.sql`).
 */
export const SQL_DIALECTS = Object.freeze({
  sqlite: sqliteDialect,
  postgres: postgresDialect,
  mysql: mysqlDialect,
  duckdb: duckdbDialect,
  bigquery: bigqueryDialect,
  snowflake: snowflakeDialect,
} satisfies Record<string, SqlDialect>)

/** A built-in dialect's name. */
export type SqlDialectName = keyof typeof SQL_DIALECTS

/** The names `--dialect` and `layer.sql(q, { dialect })` accept. */
export const SQL_DIALECT_NAMES: readonly string[] = Object.freeze(Object.keys(SQL_DIALECTS))

/** The built-in dialect of this name; undefined for any other. */
export function sqlDialectNamed(name: string): SqlDialect | undefined {
  return Object.hasOwn(SQL_DIALECTS, name) ? SQL_DIALECTS[name as SqlDialectName] : undefined
}
