/** `cortex-semantic/duckdb`: the DuckDB connector (@duckdb/node-api, an optional peer dependency). */
export { duckdb } from './connectors/duckdb-connector.js'
export type {
  DuckDBCommonOptions,
  DuckDBConnectionLike,
  DuckDBInstanceLike,
  DuckDBOptions,
  DuckDBPreparedLike,
  DuckDBResultLike,
} from './connectors/duckdb-connector.js'
