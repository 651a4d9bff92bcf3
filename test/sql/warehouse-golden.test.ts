/**
 * BigQuery and Snowflake, compile-only: the SQL and parameters of every oracle case (the cases
 * test/integration/engines.test.ts runs on PostgreSQL and MySQL) in golden files per dialect, plus
 * structural checks on every statement and hand-checked SQL for what the oracle model does not reach
 * (count_distinct_approx, security filters, LIKE escaping). No BigQuery or Snowflake server runs here:
 * these statements were read against each engine's documentation (references below), not executed.
 * Update the golden files with `npx vitest run test/sql/warehouse-golden.test.ts -u` and read the diff.
 *
 * BigQuery (GoogleSQL), https://cloud.google.com/bigquery/docs/reference/standard-sql/:
 * - Named query parameters `@name`, values never spliced: /bigquery/docs/parameterized-queries.
 * - Quoted identifiers in backticks, `\` escapes inside them: lexical#quoted_identifiers.
 * - `DATETIME(timestamp_expression, time_zone)`: the civil time of an instant in a zone:
 *   datetime_functions#datetime. `DATETIME_TRUNC(datetime, ISOWEEK | QUARTER | …)`: datetime_functions#datetime_trunc
 *   (ISOWEEK: weeks start on Monday). `FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', …)`: format-elements
 *   (`%E3S`: seconds with 3 fractional digits).
 * - `TIMESTAMP(string)`: a string without a zone is read as UTC: timestamp_functions#timestamp.
 * - `LIKE`: `%`, `_`; "you can escape `\`, `_`, or `%` using two backslashes" (in a literal; a bound
 *   value carries one), no ESCAPE clause: operators#like_operator. Case folding by `LOWER`: string_functions#lower.
 * - `IS [NOT] DISTINCT FROM`: operators#is_distinct. `CAST(string AS BYTES)` (UTF-8), BYTES compare
 *   byte-wise and work with LIKE: conversion_functions#cast_bytes, operators#comparison_operators.
 * - `APPROX_COUNT_DISTINCT(expression)`: approximate_aggregate_functions#approx_count_distinct.
 * - `LIMIT count OFFSET skip_rows` with INT64 query parameters: query-syntax#limit_and_offset_clause.
 * - GROUP BY / ORDER BY ordinals: query-syntax#group_by_col_ordinals.
 *
 * Snowflake, https://docs.snowflake.com/en/sql-reference/:
 * - Positional `?` bind variables: /developer-guide/node-js/nodejs-driver-execute#binding-statement-parameters.
 * - Double-quoted identifiers, `""` inside, case-sensitive: identifiers-syntax#double-quoted-identifiers.
 * - `CONVERT_TIMEZONE(target_tz, source_timestamp)` returns TIMESTAMP_TZ in the target zone:
 *   functions/convert_timezone. `::TIMESTAMP_TZ` of an NTZ value uses the session TIMEZONE (the connector
 *   sets UTC): data-types-datetime#timestamp-ltz-timestamp-ntz-timestamp-tz. `DATE_TRUNC`, `DATEADD`,
 *   `DAYOFWEEKISO` (Monday = 1, independent of WEEK_START): functions/date_trunc, functions/year.
 * - `TO_CHAR(ts, 'YYYY-MM-DD"T"HH24:MI:SS.FF3')`, `TO_TIMESTAMP_NTZ(text, format)`: functions-conversion#date-and-time-formats
 *   (double-quoted literal text, FF3/FF6 fractional seconds).
 * - `[NOT] ILIKE … ESCAPE '!'`: functions/ilike. `COLLATE(text, 'utf8')`: functions/collate, collation
 *   (utf8: compared by UTF-8 code, no case or accent folding, no trimming).
 * - `IS [NOT] DISTINCT FROM`: functions/is-distinct-from. `APPROX_COUNT_DISTINCT`: functions/approx_count_distinct.
 * - `LIMIT ? OFFSET ?` with bind variables: constructs/limit.
 */
import { describe, expect, test } from 'vitest'
import { createSemanticLayer, loadModel, parseModel, type QueryInput, type SemanticLayer } from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'
import { oracleCases } from '../integration/oracle/cases.js'
import { MODEL_DIR, NOW } from '../integration/oracle/layer.js'
import { MINI_MODEL_YAML } from '../fixtures/mini-model.js'

type Warehouse = 'bigquery' | 'snowflake'
const WAREHOUSES: readonly Warehouse[] = ['bigquery', 'snowflake']

let oracleLayer: SemanticLayer | undefined
async function layer(): Promise<SemanticLayer> {
  oracleLayer ??= createSemanticLayer({
    model: await loadModel(MODEL_DIR),
    connectors: { default: sqlite({ filename: ':memory:' }) },
    now: () => new Date(NOW.getTime()),
  })
  return oracleLayer
}

/** Placeholders in text order: `@pN` on BigQuery, `?` on Snowflake (outside quoted literals). */
function placeholders(dialect: Warehouse, sql: string): string[] {
  const outside = sql.replace(/'(?:[^'\\]|\\.)*'/g, "''")
  return dialect === 'bigquery' ? (outside.match(/@p\d+\b/g) ?? []) : (outside.match(/\?/g) ?? [])
}

describe('golden SQL for every oracle case, per warehouse dialect', () => {
  for (const dialect of WAREHOUSES) {
    test(`${dialect}: every oracle case compiles; placeholders bind every value; the golden file matches`, async () => {
      const l = await layer()
      let golden = ''
      for (const c of oracleCases) {
        const { sql, params } = await l.sql(c.query as QueryInput, { dialect })
        const marks = placeholders(dialect, sql)
        if (dialect === 'bigquery') {
          // @p0 … @p(n-1), each the value at its index, in text order.
          expect(marks, c.name).toEqual(params.map((_, i) => `@p${i}`))
          expect(sql, c.name).not.toMatch(/"|\?|::|ILIKE|ESCAPE/)
        } else {
          expect(marks.length, c.name).toBe(params.length)
          expect(sql, c.name).not.toMatch(/`|@p\d|\$\d/)
        }
        golden += `-- ${c.name}\n${sql}\n-- params: ${JSON.stringify(params)}\n\n`
      }
      expect(oracleCases.length).toBeGreaterThan(50)
      await expect(golden).toMatchFileSnapshot(`./golden/${dialect}.sql`)
    })
  }

  test("time zones are each engine's own functions with the zone bound, never spliced", async () => {
    const l = await layer()
    const zoned = oracleCases.filter((c) => (c.query as { timezone?: string }).timezone !== undefined)
    let checked = 0
    for (const c of zoned) {
      const zone = (c.query as { timezone: string }).timezone
      if (zone === 'UTC') continue
      const bq = await l.sql(c.query as QueryInput, { dialect: 'bigquery' })
      const sf = await l.sql(c.query as QueryInput, { dialect: 'snowflake' })
      const grouped = (c.query as { timeDimensions?: { granularity?: string }[] }).timeDimensions?.some(
        (t) => t.granularity !== undefined,
      )
      for (const { sql, params } of [bq, sf]) {
        expect(sql, c.name).not.toContain(zone)
        if (grouped) expect(params, c.name).toContain(zone)
      }
      if (!grouped) continue
      checked++
      expect(bq.sql).toMatch(/DATETIME\([^()]+, @p\d+\)/)
      expect(sf.sql).toMatch(/CONVERT_TIMEZONE\(\?, /)
    }
    expect(checked).toBeGreaterThan(3)
  })
})

const APPROX_MODEL = parseModel([
  {
    file: 'mini.yml',
    content: MINI_MODEL_YAML.replace(
      '      - { name: total, sql: amount, type: sum }',
      '      - { name: total, sql: amount, type: sum }\n      - { name: buyers, sql: customer_id, type: count_distinct_approx }',
    ),
  },
])
const connectors = { default: sqlite({ filename: ':memory:' }) }

describe('warehouse SQL the oracle model does not reach', () => {
  test('count_distinct_approx is APPROX_COUNT_DISTINCT on both warehouses and stays exact on PostgreSQL', async () => {
    const l = createSemanticLayer({ model: APPROX_MODEL, connectors })
    const q: QueryInput = { measures: ['orders.buyers'], dimensions: ['orders.status'] }
    expect(await l.sql(q, { dialect: 'bigquery' })).toEqual({
      sql: 'SELECT `orders`.status AS `orders__status`, APPROX_COUNT_DISTINCT(`orders`.customer_id) AS `orders__buyers` FROM orders AS `orders` GROUP BY 1 ORDER BY 2 DESC LIMIT @p0',
      params: [10001],
    })
    expect(await l.sql(q, { dialect: 'snowflake' })).toEqual({
      sql: 'SELECT "orders".status AS "orders__status", APPROX_COUNT_DISTINCT("orders".customer_id) AS "orders__buyers" FROM orders AS "orders" GROUP BY 1 ORDER BY 2 DESC LIMIT ?',
      params: [10001],
    })
    expect((await l.sql(q, { dialect: 'postgres' })).sql).toContain('count(DISTINCT "orders".customer_id)')
  })

  test('contains escapes wildcards the engine way: a backslash on BigQuery (no ESCAPE clause), ! on Snowflake', async () => {
    const l = createSemanticLayer({ model: APPROX_MODEL, connectors })
    const q: QueryInput = {
      measures: ['orders.count'],
      filters: [{ member: 'orders.status', operator: 'contains', values: ['5%_a\\b!c'] }],
    }
    expect(await l.sql(q, { dialect: 'bigquery' })).toEqual({
      sql: 'SELECT count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (LOWER(`orders`.status) LIKE LOWER(@p0)) LIMIT @p1',
      params: ['%5\\%\\_a\\\\b!c%', 10001],
    })
    expect(await l.sql(q, { dialect: 'snowflake' })).toEqual({
      sql: `SELECT count("orders".id) AS "orders__count" FROM orders AS "orders" WHERE ("orders".status ILIKE ? ESCAPE '!') LIMIT ?`,
      params: ['%5!%!_a\\b!!c%', 10001],
    })
  })

  test("security filters compare exactly: BYTES on BigQuery, the utf8 collation on Snowflake, next to the column's own IN", async () => {
    const l = createSemanticLayer({
      model: APPROX_MODEL,
      connectors,
      authorize: () => ({
        allow: true,
        filters: [
          { member: 'orders.status', operator: 'equals', values: ['paid', 'Paid '] },
          { member: 'orders.status', operator: 'startsWith', values: ['p_'] },
        ],
      }),
    })
    const q: QueryInput = { measures: ['orders.count'] }
    expect(await l.sql(q, { dialect: 'bigquery' })).toEqual({
      sql: 'SELECT count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.status IN (@p0, @p1) AND CAST(`orders`.status AS BYTES) IN (CAST(@p2 AS BYTES), CAST(@p3 AS BYTES))) AND (CAST(`orders`.status AS BYTES) LIKE CAST(@p4 AS BYTES)) LIMIT @p5',
      params: ['paid', 'Paid ', 'paid', 'Paid ', 'p\\_%', 10001],
    })
    expect(await l.sql(q, { dialect: 'snowflake' })).toEqual({
      sql: `SELECT count("orders".id) AS "orders__count" FROM orders AS "orders" WHERE ("orders".status IN (?, ?) AND COLLATE("orders".status, 'utf8') IN (?, ?)) AND (COLLATE("orders".status, 'utf8') LIKE ? ESCAPE '!') LIMIT ?`,
      params: ['paid', 'Paid ', 'paid', 'Paid ', 'p!_%', 10001],
    })
  })

  test('a week in a DST zone: ISOWEEK of the civil time on BigQuery, Monday by DAYOFWEEKISO on Snowflake; instants as UTC text', async () => {
    const l = createSemanticLayer({ model: APPROX_MODEL, connectors, now: () => new Date('2024-06-15T12:00:00Z') })
    const q: QueryInput = {
      measures: ['orders.count'],
      timeDimensions: [
        { dimension: 'orders.created_at', granularity: 'week', dateRange: ['2024-03-01', '2024-03-31'] },
      ],
      // 2024-03-31 is the day CEST begins: the range ends at 22:00 UTC, it began at 23:00 UTC.
      timezone: 'Europe/Berlin',
    }
    expect(await l.sql(q, { dialect: 'bigquery' })).toEqual({
      sql: "SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, @p0), ISOWEEK)) AS `orders__created_at_week`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.created_at >= TIMESTAMP(@p1) AND `orders`.created_at < TIMESTAMP(@p2)) GROUP BY 1 ORDER BY 1 ASC LIMIT @p3",
      params: ['Europe/Berlin', '2024-02-29 23:00:00.000', '2024-03-31 22:00:00.000', 10001],
    })
    expect(await l.sql(q, { dialect: 'snowflake' })).toEqual({
      sql: `SELECT TO_CHAR(DATEADD('day', 1 - DAYOFWEEKISO(CONVERT_TIMEZONE(?, ("orders".created_at)::TIMESTAMP_TZ)::TIMESTAMP_NTZ), DATE_TRUNC('day', CONVERT_TIMEZONE(?, ("orders".created_at)::TIMESTAMP_TZ)::TIMESTAMP_NTZ)), 'YYYY-MM-DD"T"HH24:MI:SS.FF3') AS "orders__created_at_week", count("orders".id) AS "orders__count" FROM orders AS "orders" WHERE ("orders".created_at >= TO_TIMESTAMP_NTZ(?, 'YYYY-MM-DD HH24:MI:SS.FF6') AND "orders".created_at < TO_TIMESTAMP_NTZ(?, 'YYYY-MM-DD HH24:MI:SS.FF6')) GROUP BY 1 ORDER BY 1 ASC LIMIT ?`,
      params: ['Europe/Berlin', 'Europe/Berlin', '2024-02-29 23:00:00.000000', '2024-03-31 22:00:00.000000', 10001],
    })
  })

  test('identifiers are quoted per engine, with the quote character escaped', async () => {
    const { bigqueryDialect } = await import('../../src/sql/dialects/bigquery-dialect.js')
    const { snowflakeDialect } = await import('../../src/sql/dialects/snowflake-dialect.js')
    expect(bigqueryDialect.quoteIdentifier('a`b\\c')).toBe('`a\\`b\\\\c`')
    expect(snowflakeDialect.quoteIdentifier('a"b')).toBe('"a""b"')
  })
})
