import type { Backend } from '../backend/backend.js'
import type { SqlDialect } from './dialect.js'
import { renderSql, type RenderedSql } from './render-sql.js'

/** The SQL backend for one dialect: the shared printer (render-sql.ts) spelled in the dialect's terms. */
export function sqlBackend(dialect: SqlDialect): Backend<RenderedSql> {
  return {
    name: dialect.name,
    print: (plan, options) => renderSql(plan, dialect, options),
    statement: (printed, _columns) => ({ kind: 'sql', sql: printed.sql, params: printed.params }),
  }
}
