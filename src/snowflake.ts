/** `cortex-semantic/snowflake`: the Snowflake connector (snowflake-sdk, an optional peer dependency). */
export { snowflake } from './connectors/snowflake-connector.js'
export type { SnowflakeOptions } from './connectors/snowflake-connector.js'
