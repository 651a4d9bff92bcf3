/**
 * Fan-out: measures of a cube that the join tree multiplies must be computed over that cube's own
 * rows. Each oracle aggregates every cube in its own subquery (over the distinct keys the full join
 * tree reaches, with the query's filters), then joins the subqueries on the dimensions. Each case
 * also lists the naive single-join SQL, which dataset.test.ts proves gives different numbers.
 *
 * Join roots follow Cube's rule (JoinGraph.buildJoin): among the join trees with the fewest joins,
 * the one rooted at the first cube the query names (measures, dimensions, segments, filters, time
 * dimensions), joined with LEFT JOINs. So with `customers.count` first, customers is the root and
 * customers without orders are kept; with `orders.*` first, orders is the root.
 */
import { bucketSql, inLocalDays, type OracleCase } from './helpers.js'

const O_C = 'orders o LEFT JOIN customers c ON c.id = o.customer_id'
const C_O = 'customers c LEFT JOIN orders o ON o.customer_id = c.id'
const O_I_P = 'orders o LEFT JOIN order_items oi ON oi.order_id = o.id LEFT JOIN products p ON p.id = oi.product_id'

export const fanOutCases: OracleCase[] = [
  {
    kind: 'fan-out',
    name: 'customers.count + orders.count by customers.tier (root customers, customers without orders kept)',
    query: { measures: ['customers.count', 'orders.count'], dimensions: ['customers.tier'] },
    oracleSql: `WITH cu AS (SELECT tier, count(*) AS n FROM customers GROUP BY tier),
      od AS (SELECT c.tier, count(o.id) AS n FROM ${C_O} GROUP BY c.tier)
      SELECT cu.tier AS "customers.tier", cu.n AS "customers.count", od.n AS "orders.count" FROM cu JOIN od ON od.tier = cu.tier`,
    minRows: 3,
    wrongSql: [
      `SELECT c.tier AS "customers.tier", count(c.id) AS "customers.count", count(o.id) AS "orders.count" FROM ${C_O} GROUP BY c.tier`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'orders.total_amount + orders.count + order_items.revenue by orders.status',
    query: { measures: ['orders.total_amount', 'orders.count', 'order_items.revenue'], dimensions: ['orders.status'] },
    oracleSql: `WITH od AS (SELECT status, sum(amount) AS total, count(*) AS n FROM orders GROUP BY status),
      it AS (SELECT o.status, sum(oi.quantity * oi.unit_price) AS revenue FROM orders o JOIN order_items oi ON oi.order_id = o.id GROUP BY o.status)
      SELECT od.status AS "orders.status", od.total AS "orders.total_amount", od.n AS "orders.count", it.revenue AS "order_items.revenue"
      FROM od LEFT JOIN it ON it.status = od.status`,
    minRows: 5,
    wrongSql: [
      `SELECT o.status AS "orders.status", sum(o.amount) AS "orders.total_amount", count(o.id) AS "orders.count",
      sum(oi.quantity * oi.unit_price) AS "order_items.revenue" FROM orders o LEFT JOIN order_items oi ON oi.order_id = o.id GROUP BY o.status`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'orders.total_amount + orders.count by products.category (orders multiplied through items; orders without items → NULL category)',
    query: { measures: ['orders.total_amount', 'orders.count'], dimensions: ['products.category'] },
    oracleSql: `WITH k AS (SELECT DISTINCT p.category, o.id, o.amount FROM ${O_I_P})
      SELECT category AS "products.category", sum(amount) AS "orders.total_amount", count(*) AS "orders.count" FROM k GROUP BY category`,
    minRows: 7,
    wrongSql: [
      `SELECT p.category AS "products.category", sum(o.amount) AS "orders.total_amount", count(o.id) AS "orders.count"
      FROM ${O_I_P} GROUP BY p.category`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'customers.count + order_items.total_quantity by customers.country (chain of two one_to_many joins)',
    query: { measures: ['customers.count', 'order_items.total_quantity'], dimensions: ['customers.country'] },
    oracleSql: `WITH cu AS (SELECT country, count(*) AS n FROM customers GROUP BY country),
      it AS (SELECT c.country, sum(oi.quantity) AS q FROM customers c JOIN orders o ON o.customer_id = c.id
        JOIN order_items oi ON oi.order_id = o.id GROUP BY c.country)
      SELECT cu.country AS "customers.country", cu.n AS "customers.count", it.q AS "order_items.total_quantity"
      FROM cu LEFT JOIN it ON it.country = cu.country`,
    minRows: 8,
    wrongSql: [
      `SELECT c.country AS "customers.country", count(c.id) AS "customers.count", sum(oi.quantity) AS "order_items.total_quantity"
      FROM ${C_O} LEFT JOIN order_items oi ON oi.order_id = o.id GROUP BY c.country`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'three cubes: customers.count + orders.count + order_items.count by customers.tier',
    query: { measures: ['customers.count', 'orders.count', 'order_items.count'], dimensions: ['customers.tier'] },
    oracleSql: `WITH cu AS (SELECT tier, count(*) AS n FROM customers GROUP BY tier),
      od AS (SELECT c.tier, count(o.id) AS n FROM ${C_O} GROUP BY c.tier),
      it AS (SELECT c.tier, count(oi.id) AS n FROM ${C_O} LEFT JOIN order_items oi ON oi.order_id = o.id GROUP BY c.tier)
      SELECT cu.tier AS "customers.tier", cu.n AS "customers.count", od.n AS "orders.count", it.n AS "order_items.count"
      FROM cu JOIN od ON od.tier = cu.tier JOIN it ON it.tier = cu.tier`,
    minRows: 3,
    wrongSql: [
      `SELECT c.tier AS "customers.tier", count(c.id) AS "customers.count", count(o.id) AS "orders.count", count(oi.id) AS "order_items.count"
      FROM ${C_O} LEFT JOIN order_items oi ON oi.order_id = o.id GROUP BY c.tier`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'orders.avg_amount by products.category (average over distinct orders)',
    query: { measures: ['orders.avg_amount'], dimensions: ['products.category'] },
    oracleSql: `WITH k AS (SELECT DISTINCT p.category, o.id, o.amount FROM ${O_I_P})
      SELECT category AS "products.category", avg(amount) AS "orders.avg_amount" FROM k GROUP BY category`,
    minRows: 7,
    wrongSql: [
      `SELECT p.category AS "products.category", avg(o.amount) AS "orders.avg_amount" FROM ${O_I_P} GROUP BY p.category`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'orders.amount_per_order (calculated over multiplied measures) + order_items.count by customers.country',
    query: { measures: ['orders.amount_per_order', 'order_items.count'], dimensions: ['customers.country'] },
    oracleSql: `WITH od AS (SELECT c.country, sum(o.amount) / NULLIF(count(*), 0) AS apo FROM ${O_C} GROUP BY c.country),
      it AS (SELECT c.country, count(oi.id) AS n FROM ${O_C} LEFT JOIN order_items oi ON oi.order_id = o.id GROUP BY c.country)
      SELECT od.country AS "customers.country", od.apo AS "orders.amount_per_order", it.n AS "order_items.count"
      FROM od JOIN it ON it.country = od.country`,
    minRows: 7,
    wrongSql: [
      `SELECT c.country AS "customers.country", sum(o.amount) / NULLIF(count(o.id), 0) AS "orders.amount_per_order",
      count(oi.id) AS "order_items.count" FROM ${O_C} LEFT JOIN order_items oi ON oi.order_id = o.id GROUP BY c.country`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'filtered measures paid_amount + paid_count by products.category',
    query: { measures: ['orders.paid_amount', 'orders.paid_count'], dimensions: ['products.category'] },
    oracleSql: `WITH k AS (SELECT DISTINCT p.category, o.id, o.amount, o.status FROM ${O_I_P})
      SELECT category AS "products.category", sum(CASE WHEN status = 'paid' THEN amount END) AS "orders.paid_amount",
        count(CASE WHEN status = 'paid' THEN id END) AS "orders.paid_count" FROM k GROUP BY category`,
    minRows: 7,
    wrongSql: [
      `SELECT p.category AS "products.category", sum(CASE WHEN o.status = 'paid' THEN o.amount END) AS "orders.paid_amount",
      count(CASE WHEN o.status = 'paid' THEN o.id END) AS "orders.paid_count" FROM ${O_I_P} GROUP BY p.category`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'a filter on the many side (order_items.quantity > 2) restricts orders but counts each once',
    query: {
      measures: ['orders.count', 'orders.total_amount'],
      dimensions: ['orders.status'],
      filters: [{ member: 'order_items.quantity', operator: 'gt', values: ['2'] }],
    },
    oracleSql: `SELECT status AS "orders.status", count(*) AS "orders.count", sum(amount) AS "orders.total_amount" FROM orders o
      WHERE EXISTS (SELECT 1 FROM order_items oi WHERE oi.order_id = o.id AND oi.quantity > 2) GROUP BY status`,
    minRows: 5,
    wrongSql: [
      `SELECT o.status AS "orders.status", count(o.id) AS "orders.count", sum(o.amount) AS "orders.total_amount"
      FROM orders o LEFT JOIN order_items oi ON oi.order_id = o.id WHERE oi.quantity > 2 GROUP BY o.status`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'month granularity with a date range: orders.total_amount + order_items.revenue',
    query: {
      measures: ['orders.total_amount', 'order_items.revenue'],
      timeDimensions: [
        { dimension: 'orders.created_at', granularity: 'month', dateRange: ['2024-01-01', '2024-06-30'] },
      ],
    },
    oracleSql: `WITH od AS (SELECT ${bucketSql('created_at', 'month')} AS b, sum(amount) AS total FROM orders
        WHERE ${inLocalDays('created_at', '2024-01-01', '2024-06-30')} GROUP BY b),
      it AS (SELECT ${bucketSql('o.created_at', 'month')} AS b, sum(oi.quantity * oi.unit_price) AS revenue
        FROM orders o JOIN order_items oi ON oi.order_id = o.id WHERE ${inLocalDays('o.created_at', '2024-01-01', '2024-06-30')} GROUP BY b)
      SELECT od.b AS "orders.created_at.month", od.b AS "orders.created_at", od.total AS "orders.total_amount", it.revenue AS "order_items.revenue"
      FROM od LEFT JOIN it ON it.b = od.b ORDER BY od.b`,
    ordered: true,
    minRows: 6,
    wrongSql: [
      `SELECT ${bucketSql('o.created_at', 'month')} AS "orders.created_at.month", ${bucketSql('o.created_at', 'month')} AS "orders.created_at",
      sum(o.amount) AS "orders.total_amount", sum(oi.quantity * oi.unit_price) AS "order_items.revenue"
      FROM orders o LEFT JOIN order_items oi ON oi.order_id = o.id WHERE ${inLocalDays('o.created_at', '2024-01-01', '2024-06-30')} GROUP BY 1 ORDER BY 1`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'a measure filter (HAVING on an unselected multiplied measure) with order and limit',
    query: {
      measures: ['orders.total_amount', 'order_items.count'],
      dimensions: ['customers.name'],
      filters: [{ member: 'orders.count', operator: 'gt', values: ['8'] }],
      order: [
        ['orders.total_amount', 'desc'],
        ['customers.name', 'asc'],
      ],
      limit: 5,
    },
    oracleSql: `WITH od AS (SELECT c.name, sum(o.amount) AS total, count(*) AS n FROM ${O_C} GROUP BY c.name),
      it AS (SELECT c.name, count(oi.id) AS n FROM ${O_C} LEFT JOIN order_items oi ON oi.order_id = o.id GROUP BY c.name)
      SELECT od.name AS "customers.name", od.total AS "orders.total_amount", it.n AS "order_items.count"
      FROM od JOIN it ON it.name = od.name WHERE od.n > 8 ORDER BY od.total DESC, od.name ASC LIMIT 5`,
    ordered: true,
    minRows: 5,
    wrongSql: [
      `SELECT c.name AS "customers.name", sum(o.amount) AS "orders.total_amount", count(oi.id) AS "order_items.count"
      FROM ${O_C} LEFT JOIN order_items oi ON oi.order_id = o.id GROUP BY c.name HAVING count(o.id) > 8
      ORDER BY 2 DESC, 1 ASC LIMIT 5`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'customers without orders: orders.count 0 and orders.total_amount NULL (root customers)',
    query: { measures: ['customers.count', 'orders.count', 'orders.total_amount'], dimensions: ['customers.name'] },
    oracleSql: `WITH cu AS (SELECT name, count(*) AS n FROM customers GROUP BY name),
      od AS (SELECT c.name, count(o.id) AS n, sum(o.amount) AS total FROM ${C_O} GROUP BY c.name)
      SELECT cu.name AS "customers.name", cu.n AS "customers.count", od.n AS "orders.count", od.total AS "orders.total_amount"
      FROM cu JOIN od ON od.name = cu.name`,
    minRows: 60,
    wrongSql: [
      `SELECT c.name AS "customers.name", count(c.id) AS "customers.count", count(o.id) AS "orders.count",
      sum(o.amount) AS "orders.total_amount" FROM ${C_O} GROUP BY c.name`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'products multiplied on the one side of belongs_to: products.avg_price + order_items.count by orders.status',
    query: { measures: ['order_items.count', 'products.avg_price'], dimensions: ['orders.status'] },
    oracleSql: `WITH it AS (SELECT o.status, count(oi.id) AS n FROM order_items oi LEFT JOIN orders o ON o.id = oi.order_id GROUP BY o.status),
      pr AS (SELECT status, avg(price) AS ap FROM (SELECT DISTINCT o.status, p.id, p.price FROM order_items oi
        LEFT JOIN orders o ON o.id = oi.order_id LEFT JOIN products p ON p.id = oi.product_id) GROUP BY status)
      SELECT it.status AS "orders.status", it.n AS "order_items.count", pr.ap AS "products.avg_price" FROM it JOIN pr ON pr.status = it.status`,
    minRows: 5,
    wrongSql: [
      `SELECT o.status AS "orders.status", count(oi.id) AS "order_items.count", avg(p.price) AS "products.avg_price"
      FROM order_items oi LEFT JOIN orders o ON o.id = oi.order_id LEFT JOIN products p ON p.id = oi.product_id GROUP BY o.status`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'measures only: orders.count + customers.count (root orders: customers counted once, only those with orders)',
    query: { measures: ['orders.count', 'customers.count'] },
    oracleSql: `SELECT (SELECT count(*) FROM orders) AS "orders.count",
      (SELECT count(*) FROM customers WHERE id IN (SELECT customer_id FROM orders)) AS "customers.count"`,
    wrongSql: [`SELECT count(o.id) AS "orders.count", count(c.id) AS "customers.count" FROM ${O_C}`],
  },
  {
    kind: 'fan-out',
    name: 'count_distinct is never multiplied: orders.customers_count by products.category',
    query: { measures: ['orders.customers_count'], dimensions: ['products.category'] },
    oracleSql: `SELECT p.category AS "products.category", count(DISTINCT o.customer_id) AS "orders.customers_count" FROM ${O_I_P} GROUP BY p.category`,
    minRows: 7,
    wrongSql: [
      `SELECT p.category AS "products.category", count(o.customer_id) AS "orders.customers_count" FROM ${O_I_P} GROUP BY p.category`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'a segment on the multiplied cube: orders.total_amount by products.category, segment orders.big',
    query: {
      measures: ['orders.total_amount', 'orders.count'],
      dimensions: ['products.category'],
      segments: ['orders.big'],
    },
    oracleSql: `WITH k AS (SELECT DISTINCT p.category, o.id, o.amount FROM ${O_I_P} WHERE o.amount > 200)
      SELECT category AS "products.category", sum(amount) AS "orders.total_amount", count(*) AS "orders.count" FROM k GROUP BY category`,
    minRows: 6,
    wrongSql: [
      `SELECT p.category AS "products.category", sum(o.amount) AS "orders.total_amount", count(o.id) AS "orders.count"
      FROM ${O_I_P} WHERE o.amount > 200 GROUP BY p.category`,
    ],
  },
]
