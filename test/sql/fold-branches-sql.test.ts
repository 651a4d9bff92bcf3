import { describe, expect, test } from 'vitest'
import { createSemanticLayer, type QueryInput } from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'
import { shopBranchesModel } from '../fixtures/shop-branches.js'

// Compile-only SQL for branch folding (docs/fan-out.md); each expectation was read and checked by
// hand, and the same shapes run on real engines in the oracle suites. The model is test/fixtures/shop-branches.ts.
const layer = createSemanticLayer({
  model: shopBranchesModel(),
  connectors: { default: sqlite({ filename: ':memory:' }) },
})

const queries = {
  single: {
    measures: ['orders.total', 'items.count', 'items.avg_price', 'items.max_price', 'items.big_qty'],
    dimensions: ['orders.status'],
    filters: [{ member: 'items.count', operator: 'gt', values: ['2'] }],
  },
  composite: { measures: ['lines.total', 'taxes.total'], dimensions: ['lines.kind'] },
  chain: { measures: ['customers.credit', 'orders.count', 'items.count'], dimensions: ['customers.country'] },
  withKeys: {
    measures: ['customers.credit', 'orders.count', 'items.count'],
    dimensions: ['customers.country'],
    filters: [{ member: 'orders.status', operator: 'equals', values: ['paid'] }],
  },
}

const cases = [
  {
    name: "a leaf's count, avg (sum and count partials), max and filtered sum per order, grouped by the item's foreign key without re-joining orders; HAVING on the folded count",
    query: queries.single,
    sqlite: {
      sql: `SELECT "orders".status AS "orders__status", sum("orders".amount) AS "orders__total", coalesce(sum("items"."items__count"), 0) AS "items__count", 1e0 * sum("items"."items__avg_price") / NULLIF(sum("items"."items__avg_price_n"), 0) AS "items__avg_price", max("items"."items__max_price") AS "items__max_price", sum("items"."items__big_qty") AS "items__big_qty" FROM orders AS "orders" LEFT JOIN (SELECT ("items".order_id) AS "cortex_pk_0", count("items".id) AS "items__count", sum("items".price) AS "items__avg_price", count("items".price) AS "items__avg_price_n", max("items".price) AS "items__max_price", sum(CASE WHEN ("items".qty > 10) THEN "items".qty END) AS "items__big_qty" FROM items AS "items" GROUP BY 1) AS "items" ON "items"."cortex_pk_0" = "orders".id GROUP BY 1 HAVING (coalesce(sum("items"."items__count"), 0) > ?) ORDER BY 2 DESC LIMIT ?`,
      params: [2, 10001],
    },
    postgres: {
      sql: `SELECT "orders".status AS "orders__status", sum("orders".amount) AS "orders__total", coalesce(sum("items"."items__count"), 0) AS "items__count", 1e0 * sum("items"."items__avg_price") / NULLIF(sum("items"."items__avg_price_n"), 0) AS "items__avg_price", max("items"."items__max_price") AS "items__max_price", sum("items"."items__big_qty") AS "items__big_qty" FROM orders AS "orders" LEFT JOIN (SELECT ("items".order_id) AS "cortex_pk_0", count("items".id) AS "items__count", sum("items".price) AS "items__avg_price", count("items".price) AS "items__avg_price_n", max("items".price) AS "items__max_price", sum(CASE WHEN ("items".qty > 10) THEN "items".qty END) AS "items__big_qty" FROM items AS "items" GROUP BY 1) AS "items" ON "items"."cortex_pk_0" = "orders".id GROUP BY 1 HAVING (coalesce(sum("items"."items__count"), 0) > $1) ORDER BY 2 DESC LIMIT $2`,
      params: [2, 10001],
    },
    mysql: {
      sql: `SELECT \`orders\`.status AS \`orders__status\`, sum(\`orders\`.amount) AS \`orders__total\`, coalesce(sum(\`items\`.\`items__count\`), 0) AS \`items__count\`, 1e0 * sum(\`items\`.\`items__avg_price\`) / NULLIF(sum(\`items\`.\`items__avg_price_n\`), 0) AS \`items__avg_price\`, max(\`items\`.\`items__max_price\`) AS \`items__max_price\`, sum(\`items\`.\`items__big_qty\`) AS \`items__big_qty\` FROM orders AS \`orders\` LEFT JOIN (SELECT (\`items\`.order_id) AS \`cortex_pk_0\`, count(\`items\`.id) AS \`items__count\`, sum(\`items\`.price) AS \`items__avg_price\`, count(\`items\`.price) AS \`items__avg_price_n\`, max(\`items\`.price) AS \`items__max_price\`, sum(CASE WHEN (\`items\`.qty > 10) THEN \`items\`.qty END) AS \`items__big_qty\` FROM items AS \`items\` GROUP BY 1) AS \`items\` ON \`items\`.\`cortex_pk_0\` = \`orders\`.id GROUP BY 1 HAVING (coalesce(sum(\`items\`.\`items__count\`), 0) > ?) ORDER BY 2 DESC LIMIT ?`,
      params: [2, 10001],
    },
  },
  {
    name: 'a parent with a composite primary key: the parent joined inside, grouped by both columns, joined back on both',
    query: queries.composite,
    sqlite: {
      sql: `SELECT "lines".kind AS "lines__kind", sum("lines".amount) AS "lines__total", sum("taxes"."taxes__total") AS "taxes__total" FROM lines AS "lines" LEFT JOIN (SELECT "lines".order_id AS "cortex_pk_0", "lines".line_no AS "cortex_pk_1", sum("taxes".amount) AS "taxes__total" FROM lines AS "lines" INNER JOIN taxes AS "taxes" ON "lines".order_id = ("taxes".order_id) AND "lines".line_no = ("taxes".line_no) GROUP BY 1, 2) AS "taxes" ON "taxes"."cortex_pk_0" = "lines".order_id AND "taxes"."cortex_pk_1" = "lines".line_no GROUP BY 1 ORDER BY 2 DESC LIMIT ?`,
      params: [10001],
    },
    postgres: {
      sql: `SELECT "lines".kind AS "lines__kind", sum("lines".amount) AS "lines__total", sum("taxes"."taxes__total") AS "taxes__total" FROM lines AS "lines" LEFT JOIN (SELECT "lines".order_id AS "cortex_pk_0", "lines".line_no AS "cortex_pk_1", sum("taxes".amount) AS "taxes__total" FROM lines AS "lines" INNER JOIN taxes AS "taxes" ON "lines".order_id = ("taxes".order_id) AND "lines".line_no = ("taxes".line_no) GROUP BY 1, 2) AS "taxes" ON "taxes"."cortex_pk_0" = "lines".order_id AND "taxes"."cortex_pk_1" = "lines".line_no GROUP BY 1 ORDER BY 2 DESC LIMIT $1`,
      params: [10001],
    },
    mysql: {
      sql: `SELECT \`lines\`.kind AS \`lines__kind\`, sum(\`lines\`.amount) AS \`lines__total\`, sum(\`taxes\`.\`taxes__total\`) AS \`taxes__total\` FROM lines AS \`lines\` LEFT JOIN (SELECT \`lines\`.order_id AS \`cortex_pk_0\`, \`lines\`.line_no AS \`cortex_pk_1\`, sum(\`taxes\`.amount) AS \`taxes__total\` FROM lines AS \`lines\` INNER JOIN taxes AS \`taxes\` ON \`lines\`.order_id = (\`taxes\`.order_id) AND \`lines\`.line_no = (\`taxes\`.line_no) GROUP BY 1, 2) AS \`taxes\` ON \`taxes\`.\`cortex_pk_0\` = \`lines\`.order_id AND \`taxes\`.\`cortex_pk_1\` = \`lines\`.line_no GROUP BY 1 ORDER BY 2 DESC LIMIT ?`,
      params: [10001],
    },
  },
  {
    name: 'a chain folded into its root: one derived table per cube with measures, each grouped by the customer key (items through orders)',
    query: queries.chain,
    sqlite: {
      sql: `SELECT "customers".country AS "customers__country", sum("customers".credit) AS "customers__credit", coalesce(sum("orders"."orders__count"), 0) AS "orders__count", coalesce(sum("items"."items__count"), 0) AS "items__count" FROM customers AS "customers" LEFT JOIN (SELECT ("orders".customer_id) AS "cortex_pk_0", count("orders".id) AS "orders__count" FROM orders AS "orders" GROUP BY 1) AS "orders" ON "orders"."cortex_pk_0" = "customers".id LEFT JOIN (SELECT ("orders".customer_id) AS "cortex_pk_0", count("items".id) AS "items__count" FROM orders AS "orders" INNER JOIN items AS "items" ON "orders".id = ("items".order_id) GROUP BY 1) AS "items" ON "items"."cortex_pk_0" = "customers".id GROUP BY 1 ORDER BY 2 DESC LIMIT ?`,
      params: [10001],
    },
    postgres: {
      sql: `SELECT "customers".country AS "customers__country", sum("customers".credit) AS "customers__credit", coalesce(sum("orders"."orders__count"), 0) AS "orders__count", coalesce(sum("items"."items__count"), 0) AS "items__count" FROM customers AS "customers" LEFT JOIN (SELECT ("orders".customer_id) AS "cortex_pk_0", count("orders".id) AS "orders__count" FROM orders AS "orders" GROUP BY 1) AS "orders" ON "orders"."cortex_pk_0" = "customers".id LEFT JOIN (SELECT ("orders".customer_id) AS "cortex_pk_0", count("items".id) AS "items__count" FROM orders AS "orders" INNER JOIN items AS "items" ON "orders".id = ("items".order_id) GROUP BY 1) AS "items" ON "items"."cortex_pk_0" = "customers".id GROUP BY 1 ORDER BY 2 DESC LIMIT $1`,
      params: [10001],
    },
    mysql: {
      sql: `SELECT \`customers\`.country AS \`customers__country\`, sum(\`customers\`.credit) AS \`customers__credit\`, coalesce(sum(\`orders\`.\`orders__count\`), 0) AS \`orders__count\`, coalesce(sum(\`items\`.\`items__count\`), 0) AS \`items__count\` FROM customers AS \`customers\` LEFT JOIN (SELECT (\`orders\`.customer_id) AS \`cortex_pk_0\`, count(\`orders\`.id) AS \`orders__count\` FROM orders AS \`orders\` GROUP BY 1) AS \`orders\` ON \`orders\`.\`cortex_pk_0\` = \`customers\`.id LEFT JOIN (SELECT (\`orders\`.customer_id) AS \`cortex_pk_0\`, count(\`items\`.id) AS \`items__count\` FROM orders AS \`orders\` INNER JOIN items AS \`items\` ON \`orders\`.id = (\`items\`.order_id) GROUP BY 1) AS \`items\` ON \`items\`.\`cortex_pk_0\` = \`customers\`.id GROUP BY 1 ORDER BY 2 DESC LIMIT ?`,
      params: [10001],
    },
  },
  {
    name: 'a WHERE on the middle cube: the chain cannot fold, items folds into orders (with the WHERE inside) next to a keys subquery for customers',
    query: queries.withKeys,
    sqlite: {
      sql: `SELECT "q0"."customers__country" AS "customers__country", "q0"."customers__credit" AS "customers__credit", "q1"."orders__count" AS "orders__count", "q1"."items__count" AS "items__count" FROM (SELECT "cortex_keys"."customers__country" AS "customers__country", sum("customers".credit) AS "customers__credit" FROM (SELECT DISTINCT "customers".country AS "customers__country", "customers".id AS "cortex_pk_0" FROM customers AS "customers" LEFT JOIN orders AS "orders" ON "customers".id = ("orders".customer_id) WHERE ("orders".status = ?)) AS "cortex_keys" LEFT JOIN customers AS "customers" ON "cortex_keys"."cortex_pk_0" = "customers".id GROUP BY 1) AS "q0" INNER JOIN (SELECT "customers".country AS "customers__country", count("orders".id) AS "orders__count", coalesce(sum("items"."items__count"), 0) AS "items__count" FROM customers AS "customers" LEFT JOIN orders AS "orders" ON "customers".id = ("orders".customer_id) LEFT JOIN (SELECT "orders".id AS "cortex_pk_0", count("items".id) AS "items__count" FROM customers AS "customers" LEFT JOIN orders AS "orders" ON "customers".id = ("orders".customer_id) INNER JOIN items AS "items" ON "orders".id = ("items".order_id) WHERE ("orders".status = ?) GROUP BY 1) AS "items" ON "items"."cortex_pk_0" = "orders".id WHERE ("orders".status = ?) GROUP BY 1) AS "q1" ON "q0"."customers__country" IS "q1"."customers__country" ORDER BY 2 DESC LIMIT ?`,
      params: ['paid', 'paid', 'paid', 10001],
    },
    postgres: {
      sql: `SELECT "q0"."customers__country" AS "customers__country", "q0"."customers__credit" AS "customers__credit", "q1"."orders__count" AS "orders__count", "q1"."items__count" AS "items__count" FROM (SELECT "cortex_keys"."customers__country" AS "customers__country", sum("customers".credit) AS "customers__credit" FROM (SELECT DISTINCT "customers".country AS "customers__country", "customers".id AS "cortex_pk_0" FROM customers AS "customers" LEFT JOIN orders AS "orders" ON "customers".id = ("orders".customer_id) WHERE ("orders".status = $1)) AS "cortex_keys" LEFT JOIN customers AS "customers" ON "cortex_keys"."cortex_pk_0" = "customers".id GROUP BY 1) AS "q0" INNER JOIN (SELECT "customers".country AS "customers__country", count("orders".id) AS "orders__count", coalesce(sum("items"."items__count"), 0) AS "items__count" FROM customers AS "customers" LEFT JOIN orders AS "orders" ON "customers".id = ("orders".customer_id) LEFT JOIN (SELECT "orders".id AS "cortex_pk_0", count("items".id) AS "items__count" FROM customers AS "customers" LEFT JOIN orders AS "orders" ON "customers".id = ("orders".customer_id) INNER JOIN items AS "items" ON "orders".id = ("items".order_id) WHERE ("orders".status = $2) GROUP BY 1) AS "items" ON "items"."cortex_pk_0" = "orders".id WHERE ("orders".status = $3) GROUP BY 1) AS "q1" ON "q0"."customers__country" IS NOT DISTINCT FROM "q1"."customers__country" ORDER BY 2 DESC LIMIT $4`,
      params: ['paid', 'paid', 'paid', 10001],
    },
    mysql: {
      sql: `SELECT \`q0\`.\`customers__country\` AS \`customers__country\`, \`q0\`.\`customers__credit\` AS \`customers__credit\`, \`q1\`.\`orders__count\` AS \`orders__count\`, \`q1\`.\`items__count\` AS \`items__count\` FROM (SELECT \`cortex_keys\`.\`customers__country\` AS \`customers__country\`, sum(\`customers\`.credit) AS \`customers__credit\` FROM (SELECT DISTINCT \`customers\`.country AS \`customers__country\`, \`customers\`.id AS \`cortex_pk_0\` FROM customers AS \`customers\` LEFT JOIN orders AS \`orders\` ON \`customers\`.id = (\`orders\`.customer_id) WHERE (\`orders\`.status = ?)) AS \`cortex_keys\` LEFT JOIN customers AS \`customers\` ON \`cortex_keys\`.\`cortex_pk_0\` = \`customers\`.id GROUP BY 1) AS \`q0\` INNER JOIN (SELECT \`customers\`.country AS \`customers__country\`, count(\`orders\`.id) AS \`orders__count\`, coalesce(sum(\`items\`.\`items__count\`), 0) AS \`items__count\` FROM customers AS \`customers\` LEFT JOIN orders AS \`orders\` ON \`customers\`.id = (\`orders\`.customer_id) LEFT JOIN (SELECT \`orders\`.id AS \`cortex_pk_0\`, count(\`items\`.id) AS \`items__count\` FROM customers AS \`customers\` LEFT JOIN orders AS \`orders\` ON \`customers\`.id = (\`orders\`.customer_id) INNER JOIN items AS \`items\` ON \`orders\`.id = (\`items\`.order_id) WHERE (\`orders\`.status = ?) GROUP BY 1) AS \`items\` ON \`items\`.\`cortex_pk_0\` = \`orders\`.id WHERE (\`orders\`.status = ?) GROUP BY 1) AS \`q1\` ON \`q0\`.\`customers__country\` <=> \`q1\`.\`customers__country\` ORDER BY 2 DESC LIMIT ?`,
      params: ['paid', 'paid', 'paid', 10001],
    },
  },
] as const

describe('branch folding SQL per dialect', () => {
  for (const c of cases) {
    for (const dialect of ['sqlite', 'postgres', 'mysql'] as const) {
      test(`${c.name} (${dialect})`, async () => {
        const rendered = await layer.sql(c.query as QueryInput, { dialect })
        expect(rendered.sql).toBe(c[dialect].sql)
        expect(rendered.params).toEqual(c[dialect].params)
      })
    }
  }

  test("the query's WHERE and segments are repeated inside the derived table, with the cubes they read, parameters numbered in order", async () => {
    const rendered = await layer.sql(
      {
        measures: ['orders.total', 'items.count'],
        dimensions: ['orders.status'],
        filters: [
          { member: 'orders.status', operator: 'equals', values: ['paid'] },
          { member: 'customers.country', operator: 'equals', values: ['DE'] },
        ],
      },
      { dialect: 'postgres' },
    )
    const derived = rendered.sql.slice(rendered.sql.indexOf('LEFT JOIN (SELECT'), rendered.sql.indexOf(') AS "items"'))
    expect(derived).toContain(
      'FROM customers AS "customers" LEFT JOIN orders AS "orders" ON "customers".id = ("orders".customer_id) INNER JOIN items',
    )
    expect(derived).toContain(
      'INNER JOIN items AS "items" ON "orders".id = ("items".order_id) WHERE ("orders".status = $1) AND ("customers".country = $2) GROUP BY 1',
    )
    expect(rendered.sql.slice(rendered.sql.indexOf(') AS "items"'))).toContain(
      'WHERE ("orders".status = $3) AND ("customers".country = $4)',
    )
    expect(rendered.params).toEqual(['paid', 'DE', 'paid', 'DE', 10001])
  })

  test('a join with more than the key equality keeps the parent joined inside; a reversed equality is still a foreign key', async () => {
    const rendered = await layer.sql(
      { measures: ['orders.total', 'refunds.total', 'returns.count'], dimensions: ['orders.status'] },
      { dialect: 'postgres' },
    )
    expect(rendered.sql).toContain(
      '(SELECT "orders".id AS "cortex_pk_0", sum("refunds".amount) AS "refunds__total" FROM orders AS "orders" INNER JOIN refunds AS "refunds" ON "orders".id = ("refunds".order_id) AND ("refunds".amount) > 0 GROUP BY 1) AS "refunds"',
    )
    expect(rendered.sql).toContain(
      '(SELECT "returns".order_id AS "cortex_pk_0", count("returns".id) AS "returns__count" FROM returns AS "returns" GROUP BY 1) AS "returns" ON "returns"."cortex_pk_0" = "orders".id',
    )
  })

  test('a leaf with a dimension keeps the keys subquery and count(DISTINCT pk)', async () => {
    const rendered = await layer.sql(
      { measures: ['orders.total', 'orders.count', 'items.count'], dimensions: ['items.id'] },
      { dialect: 'sqlite' },
    )
    expect(rendered.sql).toContain('SELECT DISTINCT')
    expect(rendered.sql).toContain('count(DISTINCT "orders".id)')
    expect(rendered.sql).not.toContain('coalesce(sum(')
  })
})
