/**
 * branch folding (docs/fan-out.md): the cubes below a one_to_many join whose only use is their
 * own decomposable measures are aggregated per parent row before the join (a leaf, or a whole chain).
 * Each oracle is the SQL a person would write for the numbers (aggregate the many side per key, then
 * join), never the compiler's shape. The last cases must NOT be folded (a dimension, a filter or
 * count_distinct on the branch, a many_to_one join inside it, ungrouped) and must still be right. Root rule as in cases-fanout.ts: with the same join
 * count, the first cube the query names is the root.
 */
import { bucketSql, type OracleCase } from './helpers.js'

const C_O = 'customers c LEFT JOIN orders o ON o.customer_id = c.id'
const O_I = 'orders o LEFT JOIN order_items oi ON oi.order_id = o.id'
/** Per-order item totals: the many side aggregated per key, as written by hand. */
const ITEMS_PER_ORDER =
  '(SELECT order_id, count(*) AS n, sum(quantity) AS quantity, sum(quantity * unit_price) AS revenue FROM order_items GROUP BY order_id)'
/** Per-customer order totals, for leaf orders under customers. */
const ORDERS_PER_CUSTOMER = `(SELECT customer_id, count(*) AS n, sum(amount) AS amount, min(amount) AS min_amount, max(amount) AS max_amount,
  count(CASE WHEN status = 'paid' THEN id END) AS paid_n, sum(CASE WHEN status = 'paid' THEN amount END) AS paid_amount FROM orders GROUP BY customer_id)`

export const foldBranchCases: OracleCase[] = [
  {
    kind: 'fan-out',
    name: 'folded leaf (bench 1): customers.count + orders.count + order_items.revenue by customers.tier',
    query: { measures: ['customers.count', 'orders.count', 'order_items.revenue'], dimensions: ['customers.tier'] },
    oracleSql: `SELECT c.tier AS "customers.tier", count(*) AS "customers.count", coalesce(sum(oc.n), 0) AS "orders.count", sum(ir.revenue) AS "order_items.revenue"
      FROM customers c
      LEFT JOIN (SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id) oc ON oc.customer_id = c.id
      LEFT JOIN (SELECT o.customer_id, sum(i.quantity * i.unit_price) AS revenue FROM order_items i JOIN orders o ON o.id = i.order_id GROUP BY o.customer_id) ir ON ir.customer_id = c.id
      GROUP BY c.tier`,
    minRows: 3,
    wrongSql: [
      `SELECT c.tier AS "customers.tier", count(c.id) AS "customers.count", count(o.id) AS "orders.count", sum(oi.quantity * oi.unit_price) AS "order_items.revenue"
      FROM ${C_O} LEFT JOIN order_items oi ON oi.order_id = o.id GROUP BY c.tier`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'folded leaf (bench 2): customers.count + orders.total_amount + order_items.revenue by customers.tier',
    query: {
      measures: ['customers.count', 'orders.total_amount', 'order_items.revenue'],
      dimensions: ['customers.tier'],
    },
    oracleSql: `SELECT c.tier AS "customers.tier", count(*) AS "customers.count", sum(oc.amount) AS "orders.total_amount", sum(ir.revenue) AS "order_items.revenue"
      FROM customers c
      LEFT JOIN (SELECT customer_id, sum(amount) AS amount FROM orders GROUP BY customer_id) oc ON oc.customer_id = c.id
      LEFT JOIN (SELECT o.customer_id, sum(i.quantity * i.unit_price) AS revenue FROM order_items i JOIN orders o ON o.id = i.order_id GROUP BY o.customer_id) ir ON ir.customer_id = c.id
      GROUP BY c.tier`,
    minRows: 3,
    wrongSql: [
      `SELECT c.tier AS "customers.tier", count(DISTINCT c.id) AS "customers.count", sum(o.amount) AS "orders.total_amount", sum(oi.quantity * oi.unit_price) AS "order_items.revenue"
      FROM ${C_O} LEFT JOIN order_items oi ON oi.order_id = o.id GROUP BY c.tier`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'folded leaf (bench 3): orders sum + avg with order_items quantity + revenue by orders.status',
    query: {
      measures: ['orders.total_amount', 'orders.avg_amount', 'order_items.total_quantity', 'order_items.revenue'],
      dimensions: ['orders.status'],
    },
    oracleSql: `SELECT o.status AS "orders.status", sum(o.amount) AS "orders.total_amount", avg(o.amount) AS "orders.avg_amount",
        sum(i.quantity) AS "order_items.total_quantity", sum(i.revenue) AS "order_items.revenue"
      FROM orders o LEFT JOIN ${ITEMS_PER_ORDER} i ON i.order_id = o.id GROUP BY o.status`,
    minRows: 5,
    wrongSql: [
      `SELECT o.status AS "orders.status", sum(o.amount) AS "orders.total_amount", avg(o.amount) AS "orders.avg_amount",
        sum(oi.quantity) AS "order_items.total_quantity", sum(oi.quantity * oi.unit_price) AS "order_items.revenue" FROM ${O_I} GROUP BY o.status`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'folded leaf (bench 4): view sales count + total_amount + items_revenue by customers_country',
    query: {
      measures: ['sales.count', 'sales.total_amount', 'sales.items_revenue'],
      dimensions: ['sales.customers_country'],
    },
    oracleSql: `SELECT c.country AS "sales.customers_country", count(*) AS "sales.count", sum(o.amount) AS "sales.total_amount", sum(i.revenue) AS "sales.items_revenue"
      FROM orders o LEFT JOIN customers c ON c.id = o.customer_id LEFT JOIN ${ITEMS_PER_ORDER} i ON i.order_id = o.id GROUP BY c.country`,
    minRows: 8,
    wrongSql: [
      `SELECT c.country AS "sales.customers_country", count(o.id) AS "sales.count", sum(o.amount) AS "sales.total_amount", sum(oi.quantity * oi.unit_price) AS "sales.items_revenue"
      FROM orders o LEFT JOIN customers c ON c.id = o.customer_id LEFT JOIN order_items oi ON oi.order_id = o.id GROUP BY c.country`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'folded leaf: orders without items get order_items.count 0 and order_items.revenue NULL',
    query: {
      measures: ['orders.count', 'order_items.count', 'order_items.revenue'],
      dimensions: ['orders.id'],
      filters: [{ member: 'orders.id', operator: 'lte', values: ['60'] }],
    },
    oracleSql: `SELECT o.id AS "orders.id", 1 AS "orders.count", coalesce(i.n, 0) AS "order_items.count", i.revenue AS "order_items.revenue"
      FROM orders o LEFT JOIN ${ITEMS_PER_ORDER} i ON i.order_id = o.id WHERE o.id <= 60`,
    minRows: 60,
    wrongSql: [
      `SELECT o.id AS "orders.id", 1 AS "orders.count", i.n AS "order_items.count", i.revenue AS "order_items.revenue"
        FROM orders o LEFT JOIN ${ITEMS_PER_ORDER} i ON i.order_id = o.id WHERE o.id <= 60`,
      `SELECT o.id AS "orders.id", 1 AS "orders.count", coalesce(i.n, 0) AS "order_items.count", coalesce(i.revenue, 0) AS "order_items.revenue"
        FROM orders o LEFT JOIN ${ITEMS_PER_ORDER} i ON i.order_id = o.id WHERE o.id <= 60`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'folded leaf: customers without orders keep orders.count 0 and NULL sum/min/max/avg (by customers.name)',
    query: {
      measures: [
        'customers.count',
        'orders.count',
        'orders.total_amount',
        'orders.min_amount',
        'orders.max_amount',
        'orders.avg_amount',
      ],
      dimensions: ['customers.name'],
    },
    oracleSql: `SELECT c.name AS "customers.name", count(*) AS "customers.count", coalesce(sum(oc.n), 0) AS "orders.count", sum(oc.amount) AS "orders.total_amount",
        min(oc.min_amount) AS "orders.min_amount", max(oc.max_amount) AS "orders.max_amount", sum(oc.amount) / sum(oc.n) AS "orders.avg_amount"
      FROM customers c LEFT JOIN ${ORDERS_PER_CUSTOMER} oc ON oc.customer_id = c.id GROUP BY c.name`,
    minRows: 60,
    wrongSql: [
      `SELECT c.name AS "customers.name", count(*) AS "customers.count", count(oc.n) AS "orders.count", sum(oc.amount) AS "orders.total_amount",
        min(oc.min_amount) AS "orders.min_amount", max(oc.max_amount) AS "orders.max_amount", sum(oc.amount) / sum(oc.n) AS "orders.avg_amount"
      FROM customers c LEFT JOIN ${ORDERS_PER_CUSTOMER} oc ON oc.customer_id = c.id GROUP BY c.name`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'folded leaf: min/max/avg of orders by customers.country (avg over orders, not over customers)',
    query: {
      measures: ['customers.count', 'orders.min_amount', 'orders.max_amount', 'orders.avg_amount'],
      dimensions: ['customers.country'],
    },
    oracleSql: `SELECT c.country AS "customers.country", count(DISTINCT c.id) AS "customers.count", min(o.amount) AS "orders.min_amount",
        max(o.amount) AS "orders.max_amount", avg(o.amount) AS "orders.avg_amount" FROM ${C_O} GROUP BY c.country`,
    minRows: 9,
    wrongSql: [
      `SELECT c.country AS "customers.country", count(DISTINCT c.id) AS "customers.count", min(oc.min_amount) AS "orders.min_amount",
        max(oc.max_amount) AS "orders.max_amount", avg(oc.amount / oc.n) AS "orders.avg_amount"
      FROM customers c LEFT JOIN ${ORDERS_PER_CUSTOMER} oc ON oc.customer_id = c.id GROUP BY c.country`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'folded leaf: filtered measures orders.paid_count + orders.paid_amount by customers.tier',
    query: { measures: ['customers.count', 'orders.paid_count', 'orders.paid_amount'], dimensions: ['customers.tier'] },
    oracleSql: `SELECT c.tier AS "customers.tier", count(*) AS "customers.count", coalesce(sum(oc.paid_n), 0) AS "orders.paid_count", sum(oc.paid_amount) AS "orders.paid_amount"
      FROM customers c LEFT JOIN ${ORDERS_PER_CUSTOMER} oc ON oc.customer_id = c.id GROUP BY c.tier`,
    minRows: 3,
    wrongSql: [
      `SELECT c.tier AS "customers.tier", count(*) AS "customers.count", coalesce(sum(oc.n), 0) AS "orders.paid_count", sum(oc.amount) AS "orders.paid_amount"
      FROM customers c LEFT JOIN ${ORDERS_PER_CUSTOMER} oc ON oc.customer_id = c.id GROUP BY c.tier`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'folded leaf: a measure filter (HAVING) on orders.total_amount, by customers.country',
    query: {
      measures: ['customers.count', 'orders.count'],
      dimensions: ['customers.country'],
      filters: [{ member: 'orders.total_amount', operator: 'gt', values: ['15000'] }],
    },
    oracleSql: `SELECT c.country AS "customers.country", count(*) AS "customers.count", coalesce(sum(oc.n), 0) AS "orders.count"
      FROM customers c LEFT JOIN ${ORDERS_PER_CUSTOMER} oc ON oc.customer_id = c.id GROUP BY c.country HAVING sum(oc.amount) > 15000`,
    minRows: 2,
    wrongSql: [
      `SELECT c.country AS "customers.country", count(c.id) AS "customers.count", count(o.id) AS "orders.count"
      FROM ${C_O} GROUP BY c.country HAVING sum(o.amount) > 15000`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'folded leaf: calculated measures orders.amount_per_order + orders.paid_ratio by customers.tier',
    query: {
      measures: ['customers.count', 'orders.amount_per_order', 'orders.paid_ratio'],
      dimensions: ['customers.tier'],
    },
    oracleSql: `SELECT c.tier AS "customers.tier", count(*) AS "customers.count", sum(oc.amount) / NULLIF(coalesce(sum(oc.n), 0), 0) AS "orders.amount_per_order",
        1e0 * coalesce(sum(oc.paid_n), 0) / NULLIF(coalesce(sum(oc.n), 0), 0) AS "orders.paid_ratio"
      FROM customers c LEFT JOIN ${ORDERS_PER_CUSTOMER} oc ON oc.customer_id = c.id GROUP BY c.tier`,
    minRows: 3,
    wrongSql: [
      `SELECT c.tier AS "customers.tier", count(*) AS "customers.count", sum(oc.amount) / count(*) AS "orders.amount_per_order",
        1e0 * coalesce(sum(oc.paid_n), 0) / count(*) AS "orders.paid_ratio"
      FROM customers c LEFT JOIN ${ORDERS_PER_CUSTOMER} oc ON oc.customer_id = c.id GROUP BY c.tier`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'folded leaf: a time dimension with granularity on the parent (orders.created_at by quarter) + order_items measures',
    query: {
      measures: ['orders.count', 'orders.avg_amount', 'order_items.count', 'order_items.total_quantity'],
      timeDimensions: [{ dimension: 'orders.created_at', granularity: 'quarter' }],
    },
    oracleSql: `SELECT ${bucketSql('o.created_at', 'quarter')} AS "orders.created_at.quarter", ${bucketSql('o.created_at', 'quarter')} AS "orders.created_at",
        count(*) AS "orders.count", avg(o.amount) AS "orders.avg_amount", coalesce(sum(i.n), 0) AS "order_items.count", sum(i.quantity) AS "order_items.total_quantity"
      FROM orders o LEFT JOIN ${ITEMS_PER_ORDER} i ON i.order_id = o.id GROUP BY 1 ORDER BY 1`,
    ordered: true,
    minRows: 8,
    wrongSql: [
      `SELECT ${bucketSql('o.created_at', 'quarter')} AS "orders.created_at.quarter", ${bucketSql('o.created_at', 'quarter')} AS "orders.created_at",
        count(o.id) AS "orders.count", avg(o.amount) AS "orders.avg_amount", count(oi.id) AS "order_items.count", sum(oi.quantity) AS "order_items.total_quantity"
      FROM ${O_I} GROUP BY 1 ORDER BY 1`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'folded leaf: customers.created_at by year (time dimension on the parent customers) + orders.total_amount',
    query: {
      measures: ['customers.count', 'orders.count', 'orders.total_amount'],
      timeDimensions: [{ dimension: 'customers.created_at', granularity: 'year' }],
    },
    oracleSql: `SELECT ${bucketSql('c.created_at', 'year')} AS "customers.created_at.year", ${bucketSql('c.created_at', 'year')} AS "customers.created_at",
        count(*) AS "customers.count", coalesce(sum(oc.n), 0) AS "orders.count", sum(oc.amount) AS "orders.total_amount"
      FROM customers c LEFT JOIN ${ORDERS_PER_CUSTOMER} oc ON oc.customer_id = c.id GROUP BY 1 ORDER BY 1`,
    ordered: true,
    minRows: 2,
    wrongSql: [
      `SELECT ${bucketSql('c.created_at', 'year')} AS "customers.created_at.year", ${bucketSql('c.created_at', 'year')} AS "customers.created_at",
        count(c.id) AS "customers.count", count(o.id) AS "orders.count", sum(o.amount) AS "orders.total_amount" FROM ${C_O} GROUP BY 1 ORDER BY 1`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'folded chain under a filter and a segment on the root (pushed into both derived tables): by customers.country',
    query: {
      measures: [
        'customers.count',
        'orders.count',
        'orders.avg_amount',
        'orders.max_amount',
        'order_items.total_quantity',
        'order_items.count',
      ],
      dimensions: ['customers.country'],
      filters: [{ member: 'customers.tier', operator: 'notEquals', values: ['gold'] }],
      segments: ['customers.active'],
    },
    oracleSql: `SELECT c.country AS "customers.country", count(*) AS "customers.count", coalesce(sum(oc.n), 0) AS "orders.count",
        sum(oc.amount) / sum(oc.n) AS "orders.avg_amount", max(oc.max_amount) AS "orders.max_amount",
        sum(ic.quantity) AS "order_items.total_quantity", coalesce(sum(ic.n), 0) AS "order_items.count"
      FROM customers c
      LEFT JOIN ${ORDERS_PER_CUSTOMER} oc ON oc.customer_id = c.id
      LEFT JOIN (SELECT o.customer_id, count(*) AS n, sum(i.quantity) AS quantity FROM order_items i JOIN orders o ON o.id = i.order_id GROUP BY o.customer_id) ic ON ic.customer_id = c.id
      WHERE c.tier <> 'gold' AND c.is_active GROUP BY c.country`,
    minRows: 5,
    wrongSql: [
      `SELECT c.country AS "customers.country", count(DISTINCT c.id) AS "customers.count", count(DISTINCT o.id) AS "orders.count",
        avg(o.amount) AS "orders.avg_amount", max(o.amount) AS "orders.max_amount", sum(oi.quantity) AS "order_items.total_quantity", count(oi.id) AS "order_items.count"
      FROM ${C_O} LEFT JOIN order_items oi ON oi.order_id = o.id WHERE c.tier <> 'gold' AND c.is_active GROUP BY c.country`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'folded chain, middle cube without measures: customers.count + order_items.revenue + order_items.count by customers.name (customers without orders: count 0, revenue NULL)',
    query: {
      measures: ['customers.count', 'order_items.revenue', 'order_items.count'],
      dimensions: ['customers.name'],
    },
    oracleSql: `SELECT c.name AS "customers.name", count(*) AS "customers.count", sum(ic.revenue) AS "order_items.revenue", coalesce(sum(ic.n), 0) AS "order_items.count"
      FROM customers c
      LEFT JOIN (SELECT o.customer_id, count(*) AS n, sum(i.quantity * i.unit_price) AS revenue FROM order_items i JOIN orders o ON o.id = i.order_id GROUP BY o.customer_id) ic ON ic.customer_id = c.id
      GROUP BY c.name`,
    minRows: 60,
    wrongSql: [
      `SELECT c.name AS "customers.name", count(*) AS "customers.count", coalesce(sum(ic.revenue), 0) AS "order_items.revenue", coalesce(sum(ic.n), 0) AS "order_items.count"
      FROM customers c
      LEFT JOIN (SELECT o.customer_id, count(*) AS n, sum(i.quantity * i.unit_price) AS revenue FROM order_items i JOIN orders o ON o.id = i.order_id GROUP BY o.customer_id) ic ON ic.customer_id = c.id
      GROUP BY c.name`,
    ],
  },
  // ---- must not fold -----------------------------------------------------------------------
  {
    kind: 'fan-out',
    name: 'folded leaf under filters on the parent and the grandparent (pushed into the derived table): by customers.country',
    query: {
      measures: ['orders.count', 'orders.total_amount', 'order_items.revenue'],
      dimensions: ['customers.country'],
      filters: [
        { member: 'orders.status', operator: 'equals', values: ['paid', 'shipped'] },
        { member: 'customers.tier', operator: 'notEquals', values: ['gold'] },
      ],
    },
    oracleSql: `SELECT c.country AS "customers.country", count(*) AS "orders.count", sum(o.amount) AS "orders.total_amount", sum(i.revenue) AS "order_items.revenue"
      FROM orders o LEFT JOIN customers c ON c.id = o.customer_id LEFT JOIN ${ITEMS_PER_ORDER} i ON i.order_id = o.id
      WHERE o.status IN ('paid', 'shipped') AND c.tier <> 'gold' GROUP BY c.country`,
    minRows: 5,
    wrongSql: [
      `SELECT c.country AS "customers.country", count(o.id) AS "orders.count", sum(o.amount) AS "orders.total_amount", sum(oi.quantity * oi.unit_price) AS "order_items.revenue"
      FROM orders o LEFT JOIN customers c ON c.id = o.customer_id LEFT JOIN order_items oi ON oi.order_id = o.id
      WHERE o.status IN ('paid', 'shipped') AND c.tier <> 'gold' GROUP BY c.country`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'folded leaf under segments of the parent and the grandparent (orders.big, customers.active): by customers.tier',
    query: {
      measures: ['orders.count', 'order_items.total_quantity', 'order_items.count'],
      dimensions: ['customers.tier'],
      segments: ['orders.big', 'customers.active'],
    },
    oracleSql: `SELECT c.tier AS "customers.tier", count(*) AS "orders.count", sum(i.quantity) AS "order_items.total_quantity", coalesce(sum(i.n), 0) AS "order_items.count"
      FROM orders o LEFT JOIN customers c ON c.id = o.customer_id LEFT JOIN ${ITEMS_PER_ORDER} i ON i.order_id = o.id
      WHERE o.amount > 200 AND c.is_active GROUP BY c.tier`,
    minRows: 3,
    wrongSql: [
      `SELECT c.tier AS "customers.tier", count(o.id) AS "orders.count", sum(oi.quantity) AS "order_items.total_quantity", count(oi.id) AS "order_items.count"
      FROM orders o LEFT JOIN customers c ON c.id = o.customer_id LEFT JOIN order_items oi ON oi.order_id = o.id
      WHERE o.amount > 200 AND c.is_active GROUP BY c.tier`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'not folded (dimension on the leaf): customers.count + orders.total_amount by orders.status',
    query: { measures: ['customers.count', 'orders.total_amount'], dimensions: ['orders.status'] },
    oracleSql: `SELECT o.status AS "orders.status", count(DISTINCT c.id) AS "customers.count", sum(o.amount) AS "orders.total_amount" FROM ${C_O} GROUP BY o.status`,
    minRows: 6,
    wrongSql: [
      `SELECT o.status AS "orders.status", count(c.id) AS "customers.count", sum(o.amount) AS "orders.total_amount" FROM ${C_O} GROUP BY o.status`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'not folded (filter on the leaf): customers.count + orders.total_amount by customers.tier, orders.status = paid',
    query: {
      measures: ['customers.count', 'orders.count', 'orders.total_amount'],
      dimensions: ['customers.tier'],
      filters: [{ member: 'orders.status', operator: 'equals', values: ['paid'] }],
    },
    oracleSql: `SELECT c.tier AS "customers.tier", count(DISTINCT c.id) AS "customers.count", count(*) AS "orders.count", sum(o.amount) AS "orders.total_amount"
      FROM customers c JOIN orders o ON o.customer_id = c.id WHERE o.status = 'paid' GROUP BY c.tier`,
    minRows: 3,
    wrongSql: [
      `SELECT c.tier AS "customers.tier", count(*) AS "customers.count", coalesce(sum(oc.paid_n), 0) AS "orders.count", sum(oc.paid_amount) AS "orders.total_amount"
      FROM customers c LEFT JOIN ${ORDERS_PER_CUSTOMER} oc ON oc.customer_id = c.id GROUP BY c.tier`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'not folded (count_distinct on the leaf): orders.total_amount + order_items.products_count by orders.status',
    query: {
      measures: ['orders.total_amount', 'orders.count', 'order_items.products_count'],
      dimensions: ['orders.status'],
    },
    oracleSql: `SELECT o.status AS "orders.status", sum(o.amount) AS "orders.total_amount", count(*) AS "orders.count",
        (SELECT count(DISTINCT oi.product_id) FROM orders o2 JOIN order_items oi ON oi.order_id = o2.id WHERE o2.status = o.status) AS "order_items.products_count"
      FROM orders o GROUP BY o.status`,
    minRows: 5,
    wrongSql: [
      `SELECT o.status AS "orders.status", sum(o.amount) AS "orders.total_amount", count(o.id) AS "orders.count", count(DISTINCT oi.product_id) AS "order_items.products_count"
      FROM ${O_I} GROUP BY o.status`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'not folded (count_distinct at the end of the chain): customers.count + orders.total_amount + order_items.products_count by customers.tier',
    query: {
      measures: ['customers.count', 'orders.total_amount', 'order_items.products_count'],
      dimensions: ['customers.tier'],
    },
    oracleSql: `SELECT c.tier AS "customers.tier", count(*) AS "customers.count",
        (SELECT sum(o.amount) FROM orders o JOIN customers c2 ON c2.id = o.customer_id WHERE c2.tier = c.tier) AS "orders.total_amount",
        (SELECT count(DISTINCT oi.product_id) FROM order_items oi JOIN orders o ON o.id = oi.order_id JOIN customers c2 ON c2.id = o.customer_id WHERE c2.tier = c.tier) AS "order_items.products_count"
      FROM customers c GROUP BY c.tier`,
    minRows: 3,
    wrongSql: [
      `SELECT c.tier AS "customers.tier", count(DISTINCT c.id) AS "customers.count", sum(o.amount) AS "orders.total_amount", count(DISTINCT oi.product_id) AS "order_items.products_count"
      FROM ${C_O} LEFT JOIN order_items oi ON oi.order_id = o.id GROUP BY c.tier`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'not folded (many_to_one inside the chain): customers.count + order_items.count + products.count by customers.tier',
    query: { measures: ['customers.count', 'order_items.count', 'products.count'], dimensions: ['customers.tier'] },
    oracleSql: `SELECT c.tier AS "customers.tier", count(DISTINCT c.id) AS "customers.count", count(oi.id) AS "order_items.count", count(DISTINCT p.id) AS "products.count"
      FROM ${C_O} LEFT JOIN order_items oi ON oi.order_id = o.id LEFT JOIN products p ON p.id = oi.product_id GROUP BY c.tier`,
    minRows: 3,
    wrongSql: [
      `SELECT c.tier AS "customers.tier", count(DISTINCT c.id) AS "customers.count", count(oi.id) AS "order_items.count", count(p.id) AS "products.count"
      FROM ${C_O} LEFT JOIN order_items oi ON oi.order_id = o.id LEFT JOIN products p ON p.id = oi.product_id GROUP BY c.tier`,
    ],
  },
  {
    kind: 'fan-out',
    name: 'not folded (ungrouped): one row per order item, orders without items kept',
    query: {
      measures: ['orders.total_amount', 'order_items.revenue', 'order_items.count'],
      dimensions: ['orders.id'],
      filters: [{ member: 'orders.id', operator: 'lte', values: ['25'] }],
      ungrouped: true,
    },
    oracleSql: `SELECT o.id AS "orders.id", o.amount AS "orders.total_amount", oi.quantity * oi.unit_price AS "order_items.revenue",
        CASE WHEN oi.id IS NOT NULL THEN 1 ELSE 0 END AS "order_items.count" FROM ${O_I} WHERE o.id <= 25`,
    minRows: 40,
    wrongSql: [
      `SELECT o.id AS "orders.id", o.amount AS "orders.total_amount", i.revenue AS "order_items.revenue", coalesce(i.n, 0) AS "order_items.count"
      FROM orders o LEFT JOIN ${ITEMS_PER_ORDER} i ON i.order_id = o.id WHERE o.id <= 25`,
    ],
  },
]
