import type { ConnectorDefinition } from '../connectors/connector.js'
import type { SqlDialect } from '../sql/dialect.js'
import { sqlBackend } from '../sql/sql-backend.js'
import type { Backend } from './backend.js'

const sqlBackends = new WeakMap<SqlDialect, Backend>()

/** The SQL backend of a dialect, one per dialect object (so its renders are shared). */
export function backendForDialect(dialect: SqlDialect): Backend {
  let backend = sqlBackends.get(dialect)
  if (!backend) sqlBackends.set(dialect, (backend = sqlBackend(dialect) as Backend))
  return backend
}

/**
 * The backend that prints plans for a connector: its own (`backend`, e.g. MongoDB's pipelines), else SQL in
 * its dialect. The one place the layer chooses a backend.
 */
export function backendOf(connector: ConnectorDefinition): Backend {
  if (connector.backend) return connector.backend
  if (connector.dialect) return backendForDialect(connector.dialect)
  throw new Error('A connector without dialect or backend passed defineConnector.')
}
