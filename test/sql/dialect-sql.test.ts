import { describe, expect, test } from 'vitest'
import { createSemanticLayer, parseModel } from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'
import { MINI_MODEL_YAML, miniModel } from '../fixtures/mini-model.js'

// Compile-only: the expected SQL and parameters for every dialect, side by side. Each expectation was
// read and checked by hand; the same statements run on real engines in the integration suites.
const layer = createSemanticLayer({
  model: miniModel(),
  connectors: { default: sqlite({ filename: ':memory:' }) },
  now: () => new Date('2024-06-15T12:00:00Z'),
})

const cases = [
  {
    name: 'filtered measure, notEquals keeps NULLs, boolean parameter per engine, limit+1 and offset',
    query: {
      measures: ['orders.count', 'orders.paid_total'],
      dimensions: ['orders.status'],
      filters: [
        { member: 'orders.status', operator: 'notEquals', values: ['x'] },
        { member: 'orders.is_gift', operator: 'equals', values: ['true'] },
      ],
      limit: 50,
      offset: 10,
    },
    sqlite: {
      sql: `SELECT "orders".status AS "orders__status", count("orders".id) AS "orders__count", sum(CASE WHEN ("orders".status = 'paid') THEN "orders".amount END) AS "orders__paid_total" FROM orders AS "orders" WHERE ("orders".status <> ? OR "orders".status IS NULL) AND ("orders".is_gift = ?) GROUP BY 1 ORDER BY 2 DESC LIMIT ? OFFSET ?`,
      params: ['x', 1, 51, 10],
    },
    postgres: {
      sql: `SELECT "orders".status AS "orders__status", count("orders".id) AS "orders__count", sum(CASE WHEN ("orders".status = 'paid') THEN "orders".amount END) AS "orders__paid_total" FROM orders AS "orders" WHERE ("orders".status <> $1 OR "orders".status IS NULL) AND ("orders".is_gift = $2) GROUP BY 1 ORDER BY 2 DESC LIMIT $3 OFFSET $4`,
      params: ['x', true, 51, 10],
    },
    mysql: {
      sql: `SELECT \`orders\`.status AS \`orders__status\`, count(\`orders\`.id) AS \`orders__count\`, sum(CASE WHEN (\`orders\`.status = 'paid') THEN \`orders\`.amount END) AS \`orders__paid_total\` FROM orders AS \`orders\` WHERE (\`orders\`.status <> ? OR \`orders\`.status IS NULL) AND (\`orders\`.is_gift = ?) GROUP BY 1 ORDER BY 2 DESC LIMIT ? OFFSET ?`,
      params: ['x', 1, 51, 10],
    },
    duckdb: {
      sql: `SELECT "orders".status AS "orders__status", count("orders".id) AS "orders__count", sum(CASE WHEN ("orders".status = 'paid') THEN "orders".amount END) AS "orders__paid_total" FROM orders AS "orders" WHERE ("orders".status <> $1 OR "orders".status IS NULL) AND ("orders".is_gift = $2) GROUP BY 1 ORDER BY 2 DESC LIMIT $3 OFFSET $4`,
      params: ['x', true, 51, 10],
    },
  },
  {
    name: 'quarter in a DST zone with a bound zone name, half-open local date range, measure filter in HAVING',
    query: {
      measures: ['orders.count'],
      timeDimensions: [
        { dimension: 'orders.created_at', granularity: 'quarter', dateRange: ['2024-01-01', '2024-03-31'] },
      ],
      timezone: 'America/New_York',
      filters: [{ member: 'orders.count', operator: 'gt', values: ['2'] }],
    },
    sqlite: {
      sql: `SELECT strftime('%Y-%m-01T00:00:00.000', cortex_convert_tz("orders".created_at, ?), 'start of month', '-' || ((CAST(strftime('%m', cortex_convert_tz("orders".created_at, ?)) AS INTEGER) - 1) % 3) || ' months') AS "orders__created_at_quarter", count("orders".id) AS "orders__count" FROM orders AS "orders" WHERE (strftime('%Y-%m-%d %H:%M:%f', "orders".created_at) >= ? AND strftime('%Y-%m-%d %H:%M:%f', "orders".created_at) < ?) GROUP BY 1 HAVING (count("orders".id) > ?) ORDER BY 1 ASC LIMIT ?`,
      params: ['America/New_York', 'America/New_York', '2024-01-01 05:00:00.000', '2024-04-01 04:00:00.000', 2, 10001],
    },
    postgres: {
      sql: `SELECT to_char(date_trunc('quarter', ("orders".created_at::timestamptz AT TIME ZONE $1)), 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS "orders__created_at_quarter", count("orders".id) AS "orders__count" FROM orders AS "orders" WHERE ("orders".created_at >= $2::timestamptz AND "orders".created_at < $3::timestamptz) GROUP BY 1 HAVING (count("orders".id) > $4) ORDER BY 1 ASC LIMIT $5`,
      params: ['America/New_York', '2024-01-01T05:00:00.000Z', '2024-04-01T04:00:00.000Z', 2, 10001],
    },
    mysql: {
      sql: `SELECT CONCAT(YEAR(CONVERT_TZ(\`orders\`.created_at, '+00:00', ?)), '-', LPAD(QUARTER(CONVERT_TZ(\`orders\`.created_at, '+00:00', ?)) * 3 - 2, 2, '0'), '-01T00:00:00.000') AS \`orders__created_at_quarter\`, count(\`orders\`.id) AS \`orders__count\` FROM orders AS \`orders\` WHERE (\`orders\`.created_at >= ? AND \`orders\`.created_at < ?) GROUP BY 1 HAVING (count(\`orders\`.id) > ?) ORDER BY 1 ASC LIMIT ?`,
      params: ['America/New_York', 'America/New_York', '2024-01-01 05:00:00.000', '2024-04-01 04:00:00.000', 2, 10001],
    },
    duckdb: {
      sql: `SELECT strftime(date_trunc('quarter', timezone($1, timezone('UTC', make_timestamp(epoch_us("orders".created_at))))), '%Y-%m-%dT%H:%M:%S.%g') AS "orders__created_at_quarter", count("orders".id) AS "orders__count" FROM orders AS "orders" WHERE ("orders".created_at >= CAST($2 AS TIMESTAMP) AND "orders".created_at < CAST($3 AS TIMESTAMP)) GROUP BY 1 HAVING (count("orders".id) > $4) ORDER BY 1 ASC LIMIT $5`,
      params: ['America/New_York', '2024-01-01 05:00:00.000', '2024-04-01 04:00:00.000', 2, 10001],
    },
  },
  {
    name: 'orders multiplied by items: sum over distinct orders in a keys subquery, calculated measure across groups, LIKE escaping',
    query: {
      measures: ['orders.total', 'items.qty', 'orders.avg_total'],
      dimensions: ['orders.status'],
      filters: [
        {
          or: [
            { member: 'items.sku', operator: 'startsWith', values: ['A_1'] },
            { member: 'orders.status', operator: 'set' },
          ],
        },
      ],
    },
    sqlite: {
      sql: `SELECT "q0"."orders__status" AS "orders__status", "q0"."orders__total" AS "orders__total", "q1"."items__qty" AS "items__qty", ("q0"."orders__total") / NULLIF(("q1"."orders__count"), 0) AS "orders__avg_total" FROM (SELECT "cortex_keys"."orders__status" AS "orders__status", sum("orders".amount) AS "orders__total" FROM (SELECT DISTINCT "orders".status AS "orders__status", "orders".id AS "cortex_pk_0" FROM orders AS "orders" LEFT JOIN items AS "items" ON "orders".id = ("items".order_id) WHERE (("items".sku LIKE ? ESCAPE '!') OR ("orders".status IS NOT NULL))) AS "cortex_keys" LEFT JOIN orders AS "orders" ON "cortex_keys"."cortex_pk_0" = "orders".id GROUP BY 1) AS "q0" INNER JOIN (SELECT "orders".status AS "orders__status", sum("items".qty) AS "items__qty", count(DISTINCT "orders".id) AS "orders__count" FROM orders AS "orders" LEFT JOIN items AS "items" ON "orders".id = ("items".order_id) WHERE (("items".sku LIKE ? ESCAPE '!') OR ("orders".status IS NOT NULL)) GROUP BY 1) AS "q1" ON "q0"."orders__status" IS "q1"."orders__status" ORDER BY 2 DESC LIMIT ?`,
      params: ['A!_1%', 'A!_1%', 10001],
    },
    postgres: {
      sql: `SELECT "q0"."orders__status" AS "orders__status", "q0"."orders__total" AS "orders__total", "q1"."items__qty" AS "items__qty", ("q0"."orders__total") / NULLIF(("q1"."orders__count"), 0) AS "orders__avg_total" FROM (SELECT "cortex_keys"."orders__status" AS "orders__status", sum("orders".amount) AS "orders__total" FROM (SELECT DISTINCT "orders".status AS "orders__status", "orders".id AS "cortex_pk_0" FROM orders AS "orders" LEFT JOIN items AS "items" ON "orders".id = ("items".order_id) WHERE (("items".sku ILIKE $1 ESCAPE '!') OR ("orders".status IS NOT NULL))) AS "cortex_keys" LEFT JOIN orders AS "orders" ON "cortex_keys"."cortex_pk_0" = "orders".id GROUP BY 1) AS "q0" INNER JOIN (SELECT "orders".status AS "orders__status", sum("items".qty) AS "items__qty", count(DISTINCT "orders".id) AS "orders__count" FROM orders AS "orders" LEFT JOIN items AS "items" ON "orders".id = ("items".order_id) WHERE (("items".sku ILIKE $2 ESCAPE '!') OR ("orders".status IS NOT NULL)) GROUP BY 1) AS "q1" ON "q0"."orders__status" IS NOT DISTINCT FROM "q1"."orders__status" ORDER BY 2 DESC LIMIT $3`,
      params: ['A!_1%', 'A!_1%', 10001],
    },
    mysql: {
      sql: `SELECT \`q0\`.\`orders__status\` AS \`orders__status\`, \`q0\`.\`orders__total\` AS \`orders__total\`, \`q1\`.\`items__qty\` AS \`items__qty\`, (\`q0\`.\`orders__total\`) / NULLIF((\`q1\`.\`orders__count\`), 0) AS \`orders__avg_total\` FROM (SELECT \`cortex_keys\`.\`orders__status\` AS \`orders__status\`, sum(\`orders\`.amount) AS \`orders__total\` FROM (SELECT DISTINCT \`orders\`.status AS \`orders__status\`, \`orders\`.id AS \`cortex_pk_0\` FROM orders AS \`orders\` LEFT JOIN items AS \`items\` ON \`orders\`.id = (\`items\`.order_id) WHERE ((LOWER(CONVERT((\`items\`.sku) USING utf8mb4)) COLLATE utf8mb4_bin LIKE LOWER(?) ESCAPE '!') OR (\`orders\`.status IS NOT NULL))) AS \`cortex_keys\` LEFT JOIN orders AS \`orders\` ON \`cortex_keys\`.\`cortex_pk_0\` = \`orders\`.id GROUP BY 1) AS \`q0\` INNER JOIN (SELECT \`orders\`.status AS \`orders__status\`, sum(\`items\`.qty) AS \`items__qty\`, count(DISTINCT \`orders\`.id) AS \`orders__count\` FROM orders AS \`orders\` LEFT JOIN items AS \`items\` ON \`orders\`.id = (\`items\`.order_id) WHERE ((LOWER(CONVERT((\`items\`.sku) USING utf8mb4)) COLLATE utf8mb4_bin LIKE LOWER(?) ESCAPE '!') OR (\`orders\`.status IS NOT NULL)) GROUP BY 1) AS \`q1\` ON \`q0\`.\`orders__status\` <=> \`q1\`.\`orders__status\` ORDER BY 2 DESC LIMIT ?`,
      params: ['A!_1%', 'A!_1%', 10001],
    },
    // DuckDB renders this case exactly as PostgreSQL: $n, ILIKE … ESCAPE, IS NOT DISTINCT FROM.
    duckdb: {
      sql: `SELECT "q0"."orders__status" AS "orders__status", "q0"."orders__total" AS "orders__total", "q1"."items__qty" AS "items__qty", ("q0"."orders__total") / NULLIF(("q1"."orders__count"), 0) AS "orders__avg_total" FROM (SELECT "cortex_keys"."orders__status" AS "orders__status", sum("orders".amount) AS "orders__total" FROM (SELECT DISTINCT "orders".status AS "orders__status", "orders".id AS "cortex_pk_0" FROM orders AS "orders" LEFT JOIN items AS "items" ON "orders".id = ("items".order_id) WHERE (("items".sku ILIKE $1 ESCAPE '!') OR ("orders".status IS NOT NULL))) AS "cortex_keys" LEFT JOIN orders AS "orders" ON "cortex_keys"."cortex_pk_0" = "orders".id GROUP BY 1) AS "q0" INNER JOIN (SELECT "orders".status AS "orders__status", sum("items".qty) AS "items__qty", count(DISTINCT "orders".id) AS "orders__count" FROM orders AS "orders" LEFT JOIN items AS "items" ON "orders".id = ("items".order_id) WHERE (("items".sku ILIKE $2 ESCAPE '!') OR ("orders".status IS NOT NULL)) GROUP BY 1) AS "q1" ON "q0"."orders__status" IS NOT DISTINCT FROM "q1"."orders__status" ORDER BY 2 DESC LIMIT $3`,
      params: ['A!_1%', 'A!_1%', 10001],
    },
  },
  {
    name: "ranges reaching the calendar's end (9999-12-31 in New York ends in year 10000 UTC) end at its last instant, inclusive",
    query: {
      measures: ['orders.count'],
      timeDimensions: [{ dimension: 'orders.created_at', dateRange: ['2024-01-01', '9999-12-31'] }],
      filters: [{ member: 'orders.created_at', operator: 'notInDateRange', values: ['2024-06-01', '9999-12-31'] }],
      timezone: 'America/New_York',
    },
    sqlite: {
      sql: `SELECT count("orders".id) AS "orders__count" FROM orders AS "orders" WHERE (strftime('%Y-%m-%d %H:%M:%f', "orders".created_at) >= ? AND strftime('%Y-%m-%d %H:%M:%f', "orders".created_at) <= ?) AND (strftime('%Y-%m-%d %H:%M:%f', "orders".created_at) < ? OR strftime('%Y-%m-%d %H:%M:%f', "orders".created_at) > ?) LIMIT ?`,
      params: [
        '2024-01-01 05:00:00.000',
        '9999-12-31 23:59:59.999999',
        '2024-06-01 04:00:00.000',
        '9999-12-31 23:59:59.999999',
        10001,
      ],
    },
    postgres: {
      sql: `SELECT count("orders".id) AS "orders__count" FROM orders AS "orders" WHERE ("orders".created_at >= $1::timestamptz AND "orders".created_at <= $2::timestamptz) AND ("orders".created_at < $3::timestamptz OR "orders".created_at > $4::timestamptz) LIMIT $5`,
      params: [
        '2024-01-01T05:00:00.000Z',
        '9999-12-31T23:59:59.999999Z',
        '2024-06-01T04:00:00.000Z',
        '9999-12-31T23:59:59.999999Z',
        10001,
      ],
    },
    mysql: {
      sql: `SELECT count(\`orders\`.id) AS \`orders__count\` FROM orders AS \`orders\` WHERE (\`orders\`.created_at >= ? AND \`orders\`.created_at <= ?) AND (\`orders\`.created_at < ? OR \`orders\`.created_at > ?) LIMIT ?`,
      params: [
        '2024-01-01 05:00:00.000',
        '9999-12-31 23:59:59.999999',
        '2024-06-01 04:00:00.000',
        '9999-12-31 23:59:59.999999',
        10001,
      ],
    },
    duckdb: {
      sql: `SELECT count("orders".id) AS "orders__count" FROM orders AS "orders" WHERE ("orders".created_at >= CAST($1 AS TIMESTAMP) AND "orders".created_at <= CAST($2 AS TIMESTAMP)) AND ("orders".created_at < CAST($3 AS TIMESTAMP) OR "orders".created_at > CAST($4 AS TIMESTAMP)) LIMIT $5`,
      params: [
        '2024-01-01 05:00:00.000',
        '9999-12-31 23:59:59.999999',
        '2024-06-01 04:00:00.000',
        '9999-12-31 23:59:59.999999',
        10001,
      ],
    },
  },
] as const

describe('SQL per dialect', () => {
  for (const c of cases) {
    for (const dialect of ['sqlite', 'postgres', 'mysql', 'duckdb'] as const) {
      test(`${c.name} (${dialect})`, async () => {
        const rendered = await layer.sql(c.query, { dialect })
        expect(rendered.sql).toBe(c[dialect].sql)
        expect(rendered.params).toEqual(c[dialect].params)
      })
    }
  }

  test('no filter value ever appears in the SQL text', async () => {
    const hostile = "x' OR 1=1 --"
    for (const dialect of ['sqlite', 'postgres', 'mysql'] as const) {
      const rendered = await layer.sql(
        { measures: ['orders.count'], filters: [{ member: 'orders.status', operator: 'contains', values: [hostile] }] },
        { dialect },
      )
      expect(rendered.sql).not.toContain('OR 1=1')
      expect(rendered.params).toContain(`%${hostile}%`)
    }
  })

  test('LIKE patterns escape %, _ and the escape character', async () => {
    const rendered = await layer.sql(
      { measures: ['orders.count'], filters: [{ member: 'orders.status', operator: 'endsWith', values: ['50%_!'] }] },
      { dialect: 'postgres' },
    )
    expect(rendered.params[0]).toBe('%50!%!_!!')
    expect(rendered.sql).toContain(`ILIKE $1 ESCAPE '!'`)
  })

  test('UTC queries on SQLite need no registered function', async () => {
    const rendered = await layer.sql(
      { measures: ['orders.count'], timeDimensions: [{ dimension: 'orders.created_at', granularity: 'day' }] },
      { dialect: 'sqlite' },
    )
    expect(rendered.sql).not.toContain('cortex_convert_tz')
    expect(rendered.sql).toContain(`strftime('%Y-%m-%dT00:00:00.000', "orders".created_at)`)
  })

  test('a keys subquery joins only the cubes its dimensions and filters need', async () => {
    // orders is multiplied by items; nothing reads items in the keys subquery, so it is left out there
    // (LEFT JOINs cannot change the distinct (dimensions, key) pairs) but stays in the items group.
    // items.skus (count_distinct) keeps items from being folded, so the keys subquery is used.
    const yaml = MINI_MODEL_YAML.replace(
      '      - { name: qty, sql: qty, type: sum }\n',
      '      - { name: qty, sql: qty, type: sum }\n      - { name: skus, sql: sku, type: count_distinct }\n',
    )
    const withSkus = createSemanticLayer({
      model: parseModel([{ file: 'mini.yml', content: yaml }]),
      connectors: { default: sqlite({ filename: ':memory:' }) },
    })
    const rendered = await withSkus.sql(
      { measures: ['orders.total', 'items.skus'], dimensions: ['orders.status'] },
      { dialect: 'sqlite' },
    )
    expect(rendered.sql).toContain('SELECT DISTINCT')
    const keys = rendered.sql.slice(rendered.sql.indexOf('SELECT DISTINCT'), rendered.sql.indexOf('AS "cortex_keys"'))
    expect(keys).not.toContain('items')
    expect(rendered.sql).toContain('LEFT JOIN items AS "items"')
  })
})
