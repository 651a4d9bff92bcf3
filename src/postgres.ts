/** `cortex-semantic/postgres`: the PostgreSQL connector (pg and pg-cursor, optional peer dependencies). */
export { postgres } from './connectors/postgres-connector.js'
export type {
  KnexLike,
  PgClientLike,
  PgPoolClientLike,
  PgPoolLike,
  PoolConfigLike,
  PostgresOptions,
} from './connectors/postgres-connector.js'
