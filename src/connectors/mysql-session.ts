/**
 * The session settings every statement of the MySQL/MariaDB connector depends on, and how each statement
 * gets them (docs/security.md, "Shared pools"; src/connectors/CONTEXT.md). Add a setting to
 * {@link SESSION_SETTINGS} and it reaches every statement on every kind of pool:
 *
 * - A pool the connector created is its own: `SET …` once on each new connection (MariaDB statements still
 *   carry the optimizer switch below).
 * - A connection the host owns (`existingPool`, `knex`) may have been changed since Cortex last used it:
 *   on MariaDB every statement carries the settings (`SET STATEMENT … FOR`, which also leaves the host's
 *   session as it was); on MySQL, which has no such statement, `SET …` runs at every checkout (one round
 *   trip, and the host's connection keeps Cortex's values afterwards).
 *
 * sql_mode is not set: the SQL Cortex generates means the same under every mode (backtick identifiers,
 * single-quoted literals without backslashes, no `||`), and a model's own SQL runs under the host's mode.
 */

/** A session variable and its value as SQL (a literal). */
export interface SessionSetting {
  readonly variable: string
  readonly value: string
}

/**
 * - time_zone: TIMESTAMP values are read, and compared with bound instants, in the session's zone.
 * - div_precision_increment: division of exact numbers keeps 30 decimals (the server's maximum) instead of
 *   the default 4, so `AVG` over a DECIMAL column or `1.0 * a / b` gives the same number as on PostgreSQL
 *   and SQLite (to 1e-9 relative).
 */
export const SESSION_SETTINGS: readonly SessionSetting[] = [
  { variable: 'time_zone', value: "'+00:00'" },
  { variable: 'div_precision_increment', value: '30' },
]

/** `SET a = x, b = y`: once per new connection of an owned pool; at every checkout of a host's connection on MySQL. */
export const SET_SESSION = `SET ${SESSION_SETTINGS.map((s) => `${s.variable} = ${s.value}`).join(', ')}`

/**
 * MariaDB's split materialization ("LATERAL DERIVED") re-evaluates a grouped derived table once per
 * outer row; for the per-key aggregates Cortex joins (branch folding, docs/fan-out.md) it made a
 * 1M-order query 3.7x slower than materializing the table once. The WHERE of the query is already
 * inside those derived tables, so they never aggregate rows the query drops. MySQL has no such switch.
 */
const MARIADB_OPTIMIZER = "optimizer_switch='split_materialized=off'"

/** Every MariaDB statement on an owned pool: the optimizer switch, for this statement only. */
const MARIADB_PREFIX = `SET STATEMENT ${MARIADB_OPTIMIZER} FOR `
/** Every MariaDB statement on a host's connection: the switch and the session settings, for this statement only. */
const STATEMENT_SETTINGS = [MARIADB_OPTIMIZER, ...SESSION_SETTINGS.map((s) => `${s.variable}=${s.value}`)]
const MARIADB_SETTINGS_PREFIX = `SET STATEMENT ${STATEMENT_SETTINGS.join(', ')} FOR `

/**
 * What mysql2 (3.x) records from the handshake: whether the server is MariaDB, and its version text
 * (internals, read only behind the pin in mysql-fast-paths.ts).
 */
export interface ServerInfo {
  readonly _isMariaDB?: boolean
  readonly _handshakePacket?: { readonly serverVersion?: string }
}

export function isMariaDb(connection: ServerInfo): boolean {
  return connection._isMariaDB === true || /mariadb/i.test(connection._handshakePacket?.serverVersion ?? '')
}

/**
 * The statement as sent to this server: on MariaDB prefixed with SET STATEMENT … FOR, carrying the
 * session settings too when the connection is the host's (`hostOwned`).
 */
export function forServer(mariadb: boolean, sql: string, hostOwned: boolean): string {
  if (!mariadb) return sql
  return (hostOwned ? MARIADB_SETTINGS_PREFIX : MARIADB_PREFIX) + sql
}
