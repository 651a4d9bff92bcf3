/** `cortex-semantic/sqlite`: the SQLite connector (better-sqlite3, an optional peer dependency). */
export { sqlite } from './connectors/sqlite-connector.js'
export type { SqliteDatabase, SqliteOptions, SqliteStatement } from './connectors/sqlite-connector.js'
