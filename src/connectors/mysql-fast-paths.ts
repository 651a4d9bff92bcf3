/**
 * The MySQL connector's uses of mysql2 internals, behind a version pin, each with a documented-API path
 * it falls back to (src/connectors/CONTEXT.md, "Driver internals"):
 *
 * - the server's flavour from the handshake (`_isMariaDB`, `_handshakePacket.serverVersion`), which
 *   decides between MariaDB's `SET STATEMENT … FOR` and MySQL's `SET` (mysql-session.ts). Fallback:
 *   `SELECT VERSION()` once per connector (a connector's pool reaches one server).
 * - pool counters for healthCheck() (`_allConnections`, `_freeConnections`, `_connectionQueue`).
 *   Fallback: no `pool` in the report (it is optional: "where the driver exposes them").
 * - a connection's broken state (`_fatalError`, `_protocolError`, `_closing`), to drop it from the pool.
 *   Fallback: the error alone decides (`fatal: true` and the connection-lost codes, mysql2's documented
 *   error fields).
 */
import { inRange, installedVersion, type VersionRange } from './driver-support.js'
import { isMariaDb, type ServerInfo } from './mysql-session.js'

/** mysql2 versions the internals were tested with (3.24.6) and are used on. */
export const MYSQL2_TESTED: VersionRange = { min: '3.9.0', below: '4.0.0' }

/** The installed mysql2 version as this package resolves it. */
export function installedMysql2Version(): string | undefined {
  return installedVersion('mysql2')
}

/** Whether the connector reads mysql2's internals: a pinned version, and `fastPaths` not false. */
export function mysqlInternals(version: string | undefined, enabled: boolean): boolean {
  return enabled && inRange(version, MYSQL2_TESTED)
}

/**
 * The flavour mysql2 recorded from the handshake, when internals are on and this connection (maybe of
 * another copy of mysql2) has the field; else undefined (ask the server).
 */
export function handshakeFlavour(connection: ServerInfo, internals: boolean): boolean | undefined {
  if (!internals || typeof connection._isMariaDB !== 'boolean') return undefined
  return isMariaDb(connection)
}

/** Whether a `SELECT VERSION()` answer is MariaDB's. */
export function isMariaDbVersion(version: unknown): boolean {
  return typeof version === 'string' && /mariadb/i.test(version)
}
