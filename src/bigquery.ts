/** `cortex-semantic/bigquery`: the Google BigQuery connector (@google-cloud/bigquery, an optional peer dependency). */
export { bigquery } from './connectors/bigquery-connector.js'
export type { BigQueryClientLike, BigQueryJobLike, BigQueryOptions } from './connectors/bigquery-connector.js'
