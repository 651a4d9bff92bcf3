/** `cortex-semantic/mysql`: the MySQL 8 / MariaDB connector (mysql2, an optional peer dependency). */
export { mysql } from './connectors/mysql-connector.js'
export type { KnexLike, MysqlOptions, MysqlPoolConfigLike, MysqlPoolLike } from './connectors/mysql-connector.js'
