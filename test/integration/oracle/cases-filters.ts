/**
 * Filter operators, each against hand-written SQL. Cube semantics:
 * - equals with several values is IN; a null among the values adds `OR col IS NULL`.
 * - notEquals / notContains / notStartsWith / notEndsWith also keep NULLs (`... OR col IS NULL`).
 * - contains & co. are case-insensitive (Cube's ILIKE) and match their value literally: % _ and \
 *   are not wildcards. Several values: OR for the positive operators, AND for the negative ones.
 * - gt/gte/lt/lte compare numerically even though values arrive as strings.
 * - Date operators on a day 'D': inDateRange covers D1 00:00:00 .. D2 23:59:59.999; beforeDate is
 *   `< D 00:00`, beforeOrOnDate `<= D 00:00`, afterDate `> D 00:00`, afterOrOnDate `>= D 00:00`.
 * - Filters on measures go to HAVING; `measureFilter` puts a measure's own `filters` in WHERE.
 *
 * The oracle matches strings with instr()/substr() on lower(), never with LIKE, so it has no
 * escaping of its own to get wrong. (SQLite's lower() is ASCII-only; the values below are ASCII.)
 */
import { isoSql, type OracleCase } from './helpers.js'

const q = (s: string) => `'${s.replace(/'/g, "''")}'`
const contains = (col: string, v: string) => `instr(lower(${col}), lower(${q(v)})) > 0`
const startsWith = (col: string, v: string) => `substr(lower(${col}), 1, length(${q(v)})) = lower(${q(v)})`
const endsWith = (col: string, v: string) =>
  `(length(${col}) >= length(${q(v)}) AND substr(lower(${col}), length(${col}) - length(${q(v)}) + 1) = lower(${q(v)}))`

const NOTE_COUNTS = (where: string) =>
  `SELECT note AS "orders.note", count(*) AS "orders.count" FROM orders WHERE ${where} GROUP BY note`
const CUSTOMER_NAMES = (where: string) =>
  `SELECT name AS "customers.name", count(*) AS "customers.count" FROM customers WHERE ${where} GROUP BY name`

export const filterCases: OracleCase[] = [
  {
    kind: 'filter',
    name: 'equals, one value, on a joined query',
    query: {
      measures: ['orders.count', 'orders.total_amount'],
      dimensions: ['customers.tier'],
      filters: [{ member: 'orders.status', operator: 'equals', values: ['paid'] }],
    },
    oracleSql: `SELECT c.tier AS "customers.tier", count(o.id) AS "orders.count", sum(o.amount) AS "orders.total_amount"
      FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE o.status = 'paid' GROUP BY c.tier`,
    minRows: 3,
  },
  {
    kind: 'filter',
    name: 'equals, several values (IN)',
    query: {
      measures: ['orders.count'],
      dimensions: ['orders.status'],
      filters: [{ member: 'orders.status', operator: 'equals', values: ['paid', 'shipped'] }],
    },
    oracleSql: `SELECT status AS "orders.status", count(*) AS "orders.count" FROM orders WHERE status IN ('paid', 'shipped') GROUP BY status`,
    minRows: 2,
    wrongSql: [
      `SELECT status AS "orders.status", count(*) AS "orders.count" FROM orders WHERE status = 'paid' GROUP BY status`,
    ],
  },
  {
    kind: 'filter',
    name: 'equals with null among the values adds IS NULL',
    query: {
      measures: ['products.count'],
      dimensions: ['products.category'],
      filters: [{ member: 'products.category', operator: 'equals', values: ['Books', null] }],
    },
    oracleSql: `SELECT category AS "products.category", count(*) AS "products.count" FROM products
      WHERE category IN ('Books') OR category IS NULL GROUP BY category`,
    minRows: 2,
    wrongSql: [
      `SELECT category AS "products.category", count(*) AS "products.count" FROM products WHERE category IN ('Books') GROUP BY category`,
    ],
  },
  {
    kind: 'filter',
    name: 'notEquals keeps NULLs',
    query: {
      measures: ['products.count'],
      dimensions: ['products.category'],
      filters: [{ member: 'products.category', operator: 'notEquals', values: ['Books'] }],
    },
    oracleSql: `SELECT category AS "products.category", count(*) AS "products.count" FROM products
      WHERE category <> 'Books' OR category IS NULL GROUP BY category`,
    minRows: 5,
    wrongSql: [
      `SELECT category AS "products.category", count(*) AS "products.count" FROM products WHERE category <> 'Books' GROUP BY category`,
    ],
  },
  {
    kind: 'filter',
    name: 'notEquals with several values (NOT IN, plus NULLs)',
    query: {
      measures: ['orders.count'],
      dimensions: ['orders.note'],
      filters: [{ member: 'orders.note', operator: 'notEquals', values: ['FRAGILE', 'rush'] }],
    },
    oracleSql: NOTE_COUNTS(`note NOT IN ('FRAGILE', 'rush') OR note IS NULL`),
    minRows: 10,
    wrongSql: [NOTE_COUNTS(`note NOT IN ('FRAGILE', 'rush')`)],
  },
  {
    kind: 'filter',
    name: "contains '100%' matches the percent sign literally",
    query: {
      measures: ['orders.count'],
      dimensions: ['orders.note'],
      filters: [{ member: 'orders.note', operator: 'contains', values: ['100%'] }],
    },
    oracleSql: NOTE_COUNTS(contains('note', '100%')),
    wrongSql: [NOTE_COUNTS(`note LIKE '%100%%'`)],
  },
  {
    kind: 'filter',
    name: "contains '_' matches only strings with an underscore",
    query: {
      measures: ['customers.count'],
      dimensions: ['customers.name'],
      filters: [{ member: 'customers.name', operator: 'contains', values: ['_'] }],
    },
    oracleSql: CUSTOMER_NAMES(contains('name', '_')),
    wrongSql: [CUSTOMER_NAMES(`name LIKE '%_%'`)],
  },
  {
    kind: 'filter',
    name: 'contains a backslash matches it literally',
    query: {
      measures: ['customers.count'],
      dimensions: ['customers.name'],
      filters: [{ member: 'customers.name', operator: 'contains', values: ['a\\b'] }],
    },
    oracleSql: CUSTOMER_NAMES(contains('name', 'a\\b')),
    // With ESCAPE '\' but the backslash itself left unescaped, 'a\b' becomes the pattern 'ab'.
    wrongSql: [CUSTOMER_NAMES(`name LIKE '%a\\b%' ESCAPE '\\'`)],
  },
  {
    kind: 'filter',
    name: 'contains is case-insensitive; several values are ORed',
    query: {
      measures: ['orders.count'],
      dimensions: ['orders.note'],
      filters: [{ member: 'orders.note', operator: 'contains', values: ['FRAGILE', 'GIFT', 'A\\B'] }],
    },
    oracleSql: NOTE_COUNTS(
      `${contains('note', 'FRAGILE')} OR ${contains('note', 'GIFT')} OR ${contains('note', 'A\\B')}`,
    ),
    minRows: 5,
    wrongSql: [NOTE_COUNTS(`instr(note, 'FRAGILE') > 0 OR instr(note, 'GIFT') > 0 OR instr(note, 'A\\B') > 0`)],
  },
  {
    kind: 'filter',
    name: 'contains with single and double quotes',
    query: {
      measures: ['customers.count'],
      dimensions: ['customers.name'],
      filters: [{ member: 'customers.name', operator: 'contains', values: ["o'brien", '"quoted"'] }],
    },
    oracleSql: CUSTOMER_NAMES(`${contains('name', "o'brien")} OR ${contains('name', '"quoted"')}`),
    minRows: 2,
  },
  {
    kind: 'filter',
    name: 'notContains with several values: ANDed, NULLs kept, % literal',
    query: {
      measures: ['orders.count'],
      dimensions: ['orders.note'],
      filters: [{ member: 'orders.note', operator: 'notContains', values: ['fragile', '%'] }],
    },
    oracleSql: NOTE_COUNTS(`(NOT (${contains('note', 'fragile')}) AND NOT (${contains('note', '%')})) OR note IS NULL`),
    minRows: 8,
    wrongSql: [
      NOTE_COUNTS(`NOT (${contains('note', 'fragile')}) AND NOT (${contains('note', '%')})`),
      NOTE_COUNTS(`(note NOT LIKE '%fragile%' AND note NOT LIKE '%%%') OR note IS NULL`),
    ],
  },
  {
    kind: 'filter',
    name: "startsWith 'snake_' does not treat _ as a wildcard",
    query: {
      measures: ['customers.count'],
      dimensions: ['customers.name'],
      filters: [{ member: 'customers.name', operator: 'startsWith', values: ['snake_'] }],
    },
    oracleSql: CUSTOMER_NAMES(startsWith('name', 'snake_')),
    wrongSql: [CUSTOMER_NAMES(`name LIKE 'snake_%'`)],
  },
  {
    kind: 'filter',
    name: 'notStartsWith with several values keeps NULLs',
    query: {
      measures: ['orders.count'],
      dimensions: ['orders.note'],
      filters: [{ member: 'orders.note', operator: 'notStartsWith', values: ['100%', 'GIFT'] }],
    },
    oracleSql: NOTE_COUNTS(
      `(NOT (${startsWith('note', '100%')}) AND NOT (${startsWith('note', 'GIFT')})) OR note IS NULL`,
    ),
    minRows: 8,
    wrongSql: [NOTE_COUNTS(`(note NOT LIKE '100%%' AND note NOT LIKE 'gift%') OR note IS NULL`)],
  },
  {
    kind: 'filter',
    name: "endsWith '_co' does not match ' Co'",
    query: {
      measures: ['customers.count'],
      dimensions: ['customers.name'],
      filters: [{ member: 'customers.name', operator: 'endsWith', values: ['_co'] }],
    },
    oracleSql: CUSTOMER_NAMES(endsWith('name', '_co')),
    wrongSql: [CUSTOMER_NAMES(`name LIKE '%_co'`)],
  },
  {
    kind: 'filter',
    name: "endsWith '%' matches a trailing percent sign only",
    query: {
      measures: ['orders.count'],
      dimensions: ['orders.note'],
      filters: [{ member: 'orders.note', operator: 'endsWith', values: ['%'] }],
    },
    oracleSql: NOTE_COUNTS(endsWith('note', '%')),
    wrongSql: [NOTE_COUNTS(`note LIKE '%%'`)],
  },
  {
    kind: 'filter',
    name: 'notEndsWith keeps NULLs',
    query: {
      measures: ['products.count'],
      dimensions: ['products.category'],
      filters: [{ member: 'products.category', operator: 'notEndsWith', values: ['s'] }],
    },
    oracleSql: `SELECT category AS "products.category", count(*) AS "products.count" FROM products
      WHERE NOT (${endsWith('category', 's')}) OR category IS NULL GROUP BY category`,
    minRows: 3,
    wrongSql: [
      `SELECT category AS "products.category", count(*) AS "products.count" FROM products WHERE NOT (${endsWith('category', 's')}) GROUP BY category`,
    ],
  },
  {
    kind: 'filter',
    name: 'gt on a number dimension compares numerically',
    query: {
      measures: ['orders.count', 'orders.total_amount'],
      dimensions: ['orders.status'],
      filters: [{ member: 'orders.amount', operator: 'gt', values: ['200'] }],
    },
    oracleSql: `SELECT status AS "orders.status", count(*) AS "orders.count", sum(amount) AS "orders.total_amount"
      FROM orders WHERE amount > 200 GROUP BY status`,
    minRows: 5,
    wrongSql: [
      `SELECT status AS "orders.status", count(*) AS "orders.count", sum(amount) AS "orders.total_amount"
      FROM orders WHERE CAST(amount AS TEXT) > '200' GROUP BY status`,
    ],
  },
  {
    kind: 'filter',
    name: 'gte and lt together (the gte bound is inclusive)',
    query: {
      measures: ['products.count'],
      dimensions: ['products.name'],
      filters: [
        { member: 'products.price', operator: 'gte', values: ['19.99'] },
        { member: 'products.price', operator: 'lt', values: ['100'] },
      ],
    },
    oracleSql: `SELECT name AS "products.name", count(*) AS "products.count" FROM products WHERE price >= 19.99 AND price < 100 GROUP BY name`,
    minRows: 8,
    wrongSql: [
      `SELECT name AS "products.name", count(*) AS "products.count" FROM products WHERE price > 19.99 AND price < 100 GROUP BY name`,
    ],
  },
  {
    kind: 'filter',
    name: 'lte (inclusive)',
    query: {
      measures: ['products.count', 'products.avg_price'],
      dimensions: ['products.name'],
      filters: [{ member: 'products.price', operator: 'lte', values: ['19.99'] }],
    },
    oracleSql: `SELECT name AS "products.name", count(*) AS "products.count", avg(price) AS "products.avg_price"
      FROM products WHERE price <= 19.99 GROUP BY name`,
    minRows: 6,
    wrongSql: [
      `SELECT name AS "products.name", count(*) AS "products.count", avg(price) AS "products.avg_price"
      FROM products WHERE price < 19.99 GROUP BY name`,
    ],
  },
  {
    kind: 'filter',
    name: 'gt on a computed number dimension (no column affinity to rescue a string parameter)',
    query: {
      measures: ['order_items.count', 'order_items.revenue'],
      filters: [{ member: 'order_items.line_total', operator: 'gt', values: ['100'] }],
    },
    oracleSql: `SELECT count(*) AS "order_items.count", sum(quantity * unit_price) AS "order_items.revenue"
      FROM order_items WHERE quantity * unit_price > 100`,
    wrongSql: [
      `SELECT count(*) AS "order_items.count", sum(quantity * unit_price) AS "order_items.revenue"
      FROM order_items WHERE quantity * unit_price > '100'`,
    ],
  },
  {
    kind: 'filter',
    name: 'set',
    query: {
      measures: ['orders.count'],
      dimensions: ['orders.status'],
      filters: [{ member: 'orders.shipped_at', operator: 'set' }],
    },
    oracleSql: `SELECT status AS "orders.status", count(*) AS "orders.count" FROM orders WHERE shipped_at IS NOT NULL GROUP BY status`,
    minRows: 2,
  },
  {
    kind: 'filter',
    name: 'notSet',
    query: {
      measures: ['customers.count'],
      dimensions: ['customers.country'],
      filters: [{ member: 'customers.city', operator: 'notSet' }],
    },
    oracleSql: `SELECT country AS "customers.country", count(*) AS "customers.count" FROM customers WHERE city IS NULL GROUP BY country`,
    minRows: 2,
  },
  {
    kind: 'filter',
    name: 'inDateRange includes the first instant and the whole last day',
    query: {
      measures: ['orders.total_amount'],
      dimensions: ['orders.id'],
      filters: [{ member: 'orders.created_at', operator: 'inDateRange', values: ['2024-01-01', '2024-01-31'] }],
    },
    oracleSql: `SELECT id AS "orders.id", sum(amount) AS "orders.total_amount" FROM orders
      WHERE created_at >= '2024-01-01 00:00:00' AND created_at <= '2024-01-31 23:59:59' GROUP BY id`,
    minRows: 5,
    wrongSql: [
      `SELECT id AS "orders.id", sum(amount) AS "orders.total_amount" FROM orders
        WHERE created_at > '2024-01-01 00:00:00' AND created_at <= '2024-01-31 23:59:59' GROUP BY id`,
      `SELECT id AS "orders.id", sum(amount) AS "orders.total_amount" FROM orders
        WHERE created_at >= '2024-01-01 00:00:00' AND created_at < '2024-01-31 00:00:00' GROUP BY id`,
    ],
  },
  {
    kind: 'filter',
    name: 'notInDateRange excludes the whole last day of the range',
    query: {
      measures: ['orders.count'],
      dimensions: ['orders.status'],
      filters: [{ member: 'orders.created_at', operator: 'notInDateRange', values: ['2023-06-01', '2024-06-14'] }],
    },
    oracleSql: `SELECT status AS "orders.status", count(*) AS "orders.count" FROM orders
      WHERE created_at < '2023-06-01 00:00:00' OR created_at > '2024-06-14 23:59:59' GROUP BY status`,
    minRows: 5,
    wrongSql: [
      `SELECT status AS "orders.status", count(*) AS "orders.count" FROM orders
      WHERE created_at < '2023-06-01 00:00:00' OR created_at > '2024-06-14 00:00:00' GROUP BY status`,
    ],
  },
  {
    kind: 'filter',
    name: 'beforeDate is strictly before the start of the day',
    query: {
      measures: ['orders.count'],
      filters: [{ member: 'orders.created_at', operator: 'beforeDate', values: ['2024-01-01'] }],
    },
    oracleSql: `SELECT count(*) AS "orders.count" FROM orders WHERE created_at < '2024-01-01 00:00:00'`,
    wrongSql: [`SELECT count(*) AS "orders.count" FROM orders WHERE created_at <= '2024-01-01 00:00:00'`],
  },
  {
    kind: 'filter',
    name: 'beforeOrOnDate is <= the start of the day (Cube rule)',
    query: {
      measures: ['orders.count'],
      filters: [{ member: 'orders.created_at', operator: 'beforeOrOnDate', values: ['2024-01-01'] }],
    },
    oracleSql: `SELECT count(*) AS "orders.count" FROM orders WHERE created_at <= '2024-01-01 00:00:00'`,
    wrongSql: [
      `SELECT count(*) AS "orders.count" FROM orders WHERE created_at < '2024-01-01 00:00:00'`,
      `SELECT count(*) AS "orders.count" FROM orders WHERE created_at < '2024-01-02 00:00:00'`,
    ],
  },
  {
    kind: 'filter',
    name: 'afterDate is > the start of the day (Cube rule)',
    query: {
      measures: ['orders.count'],
      filters: [{ member: 'orders.created_at', operator: 'afterDate', values: ['2024-01-01'] }],
    },
    oracleSql: `SELECT count(*) AS "orders.count" FROM orders WHERE created_at > '2024-01-01 00:00:00'`,
    wrongSql: [
      `SELECT count(*) AS "orders.count" FROM orders WHERE created_at >= '2024-01-01 00:00:00'`,
      `SELECT count(*) AS "orders.count" FROM orders WHERE created_at >= '2024-01-02 00:00:00'`,
    ],
  },
  {
    kind: 'filter',
    name: 'afterOrOnDate is >= the start of the day',
    query: {
      measures: ['orders.count'],
      filters: [{ member: 'orders.created_at', operator: 'afterOrOnDate', values: ['2024-01-01'] }],
    },
    oracleSql: `SELECT count(*) AS "orders.count" FROM orders WHERE created_at >= '2024-01-01 00:00:00'`,
    wrongSql: [`SELECT count(*) AS "orders.count" FROM orders WHERE created_at > '2024-01-01 00:00:00'`],
  },
  {
    kind: 'filter',
    name: 'beforeDate on a nullable time column drops NULLs',
    query: {
      measures: ['orders.count'],
      dimensions: ['orders.status'],
      filters: [{ member: 'orders.shipped_at', operator: 'beforeDate', values: ['2024-06-01'] }],
    },
    oracleSql: `SELECT status AS "orders.status", count(*) AS "orders.count" FROM orders WHERE shipped_at < '2024-06-01 00:00:00' GROUP BY status`,
    minRows: 2,
  },
  {
    kind: 'filter',
    name: 'measure filter gt goes to HAVING and compares numerically',
    query: {
      measures: ['orders.count'],
      dimensions: ['customers.name'],
      filters: [{ member: 'orders.count', operator: 'gt', values: ['12'] }],
    },
    oracleSql: `SELECT c.name AS "customers.name", count(o.id) AS "orders.count"
      FROM orders o LEFT JOIN customers c ON c.id = o.customer_id GROUP BY c.name HAVING count(o.id) > 12`,
    minRows: 3,
    wrongSql: [
      `SELECT c.name AS "customers.name", count(o.id) AS "orders.count"
      FROM orders o LEFT JOIN customers c ON c.id = o.customer_id GROUP BY c.name HAVING count(o.id) > '12'`,
    ],
  },
  {
    kind: 'filter',
    name: 'a dimension filter and a measure filter (on an unselected measure) together',
    query: {
      measures: ['orders.count'],
      dimensions: ['customers.country'],
      filters: [
        { member: 'orders.status', operator: 'equals', values: ['paid'] },
        { member: 'orders.total_amount', operator: 'gte', values: ['3000'] },
      ],
    },
    oracleSql: `SELECT c.country AS "customers.country", count(o.id) AS "orders.count"
      FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE o.status = 'paid'
      GROUP BY c.country HAVING sum(o.amount) >= 3000`,
    minRows: 2,
    wrongSql: [
      `SELECT c.country AS "customers.country", count(o.id) AS "orders.count"
      FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE o.status = 'paid' GROUP BY c.country`,
    ],
  },
  {
    kind: 'filter',
    name: "measureFilter applies the measure's own filters in WHERE",
    query: {
      measures: ['orders.count', 'orders.total_amount'],
      dimensions: ['customers.tier'],
      filters: [{ member: 'orders.paid_amount', operator: 'measureFilter' }],
    },
    oracleSql: `SELECT c.tier AS "customers.tier", count(o.id) AS "orders.count", sum(o.amount) AS "orders.total_amount"
      FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE o.status = 'paid' GROUP BY c.tier`,
    minRows: 3,
    wrongSql: [
      `SELECT c.tier AS "customers.tier", count(o.id) AS "orders.count", sum(o.amount) AS "orders.total_amount"
      FROM orders o LEFT JOIN customers c ON c.id = o.customer_id GROUP BY c.tier`,
    ],
  },
  {
    kind: 'filter',
    name: 'nested or / and / or (depth 3) across two cubes',
    query: {
      measures: ['orders.count'],
      dimensions: ['orders.status', 'customers.tier'],
      filters: [
        {
          or: [
            {
              and: [
                { member: 'orders.status', operator: 'equals', values: ['paid'] },
                {
                  or: [
                    { member: 'orders.amount', operator: 'gt', values: ['300'] },
                    { member: 'orders.note', operator: 'set' },
                  ],
                },
              ],
            },
            { member: 'customers.tier', operator: 'equals', values: ['gold'] },
          ],
        },
      ],
    },
    oracleSql: `SELECT o.status AS "orders.status", c.tier AS "customers.tier", count(o.id) AS "orders.count"
      FROM orders o LEFT JOIN customers c ON c.id = o.customer_id
      WHERE (o.status = 'paid' AND (o.amount > 300 OR o.note IS NOT NULL)) OR c.tier = 'gold'
      GROUP BY o.status, c.tier`,
    minRows: 6,
    wrongSql: [
      `SELECT o.status AS "orders.status", c.tier AS "customers.tier", count(o.id) AS "orders.count"
      FROM orders o LEFT JOIN customers c ON c.id = o.customer_id
      WHERE o.status = 'paid' AND (o.amount > 300 OR o.note IS NOT NULL OR c.tier = 'gold')
      GROUP BY o.status, c.tier`,
    ],
  },
  {
    kind: 'filter',
    name: 'equals on a dimension of a joined cube',
    query: {
      measures: ['orders.count'],
      dimensions: ['orders.status'],
      filters: [{ member: 'customers.country', operator: 'equals', values: ['Germany'] }],
    },
    oracleSql: `SELECT o.status AS "orders.status", count(o.id) AS "orders.count"
      FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE c.country = 'Germany' GROUP BY o.status`,
    minRows: 4,
  },
  {
    kind: 'filter',
    name: "equals on a boolean dimension with Cube's string value 'false'",
    query: {
      measures: ['customers.count'],
      dimensions: ['customers.tier'],
      filters: [{ member: 'customers.is_active', operator: 'equals', values: ['false'] }],
    },
    oracleSql: `SELECT tier AS "customers.tier", count(*) AS "customers.count" FROM customers WHERE is_active = 0 GROUP BY tier`,
    minRows: 2,
  },
  {
    kind: 'filter',
    name: 'equals on a number dimension (string values)',
    query: {
      measures: ['orders.count'],
      dimensions: ['orders.id', 'orders.amount', 'orders.created_at'],
      filters: [{ member: 'orders.id', operator: 'equals', values: ['1', '4', '19'] }],
    },
    oracleSql: `SELECT id AS "orders.id", amount AS "orders.amount", ${isoSql('created_at')} AS "orders.created_at", count(*) AS "orders.count"
      FROM orders WHERE id IN (1, 4, 19) GROUP BY id`,
    minRows: 3,
  },
]
