/**
 * Model features (segments, calculated and filtered measures, case and boolean dimensions,
 * count_distinct, raw values) and views.
 *
 * Join roots follow Cube: among the smallest join trees, the one rooted at the first cube named by
 * the query (measures, then dimensions, segments, filters, time dimensions). Joins are LEFT JOINs
 * from the root. A view's join_path fixes the tree (root = the first join_path's cube).
 */
import { booleans, inLocalDays, isoSql, timeCols, type OracleCase } from './helpers.js'

const ORDERS_CUSTOMERS = 'orders o LEFT JOIN customers c ON c.id = o.customer_id'

export const featureCases: OracleCase[] = [
  {
    kind: 'feature',
    name: 'one segment',
    query: {
      measures: ['orders.count', 'orders.total_amount'],
      dimensions: ['customers.tier'],
      segments: ['orders.paid'],
    },
    oracleSql: `SELECT c.tier AS "customers.tier", count(o.id) AS "orders.count", sum(o.amount) AS "orders.total_amount"
      FROM ${ORDERS_CUSTOMERS} WHERE o.status = 'paid' GROUP BY c.tier`,
    minRows: 3,
  },
  {
    kind: 'feature',
    name: 'two segments are ANDed',
    query: { measures: ['orders.count'], dimensions: ['customers.country'], segments: ['orders.paid', 'orders.big'] },
    oracleSql: `SELECT c.country AS "customers.country", count(o.id) AS "orders.count"
      FROM ${ORDERS_CUSTOMERS} WHERE o.status = 'paid' AND o.amount > 200 GROUP BY c.country`,
    minRows: 3,
    wrongSql: [
      `SELECT c.country AS "customers.country", count(o.id) AS "orders.count"
      FROM ${ORDERS_CUSTOMERS} WHERE o.status = 'paid' OR o.amount > 200 GROUP BY c.country`,
    ],
  },
  {
    kind: 'feature',
    name: "a segment of a joined cube (customers.active) on orders' measures",
    query: { measures: ['orders.count'], dimensions: ['orders.status'], segments: ['customers.active'] },
    oracleSql: `SELECT o.status AS "orders.status", count(o.id) AS "orders.count"
      FROM ${ORDERS_CUSTOMERS} WHERE c.is_active = 1 GROUP BY o.status`,
    minRows: 5,
  },
  {
    kind: 'feature',
    name: 'calculated measures amount_per_order and paid_ratio',
    query: { measures: ['orders.amount_per_order', 'orders.paid_ratio'], dimensions: ['customers.tier'] },
    oracleSql: `SELECT c.tier AS "customers.tier", sum(o.amount) / count(o.id) AS "orders.amount_per_order",
      1.0 * count(CASE WHEN o.status = 'paid' THEN o.id END) / count(o.id) AS "orders.paid_ratio"
      FROM ${ORDERS_CUSTOMERS} GROUP BY c.tier`,
    minRows: 3,
  },
  {
    kind: 'feature',
    name: 'avg, min, max and a sum over a nullable column',
    query: {
      measures: ['orders.avg_amount', 'orders.min_amount', 'orders.max_amount', 'orders.total_discount'],
      dimensions: ['orders.status'],
    },
    oracleSql: `SELECT status AS "orders.status", avg(amount) AS "orders.avg_amount", min(amount) AS "orders.min_amount",
      max(amount) AS "orders.max_amount", sum(discount) AS "orders.total_discount" FROM orders GROUP BY status`,
    minRows: 5,
  },
  {
    kind: 'feature',
    name: 'filtered measures paid_count and paid_amount (NULL sum where nothing is paid)',
    query: { measures: ['orders.count', 'orders.paid_count', 'orders.paid_amount'], dimensions: ['customers.name'] },
    oracleSql: `SELECT c.name AS "customers.name", count(o.id) AS "orders.count",
      count(CASE WHEN o.status = 'paid' THEN o.id END) AS "orders.paid_count",
      sum(CASE WHEN o.status = 'paid' THEN o.amount END) AS "orders.paid_amount"
      FROM ${ORDERS_CUSTOMERS} GROUP BY c.name`,
    minRows: 40,
  },
  {
    kind: 'feature',
    name: 'filtered count active_count next to count',
    query: { measures: ['customers.count', 'customers.active_count'], dimensions: ['customers.country'] },
    oracleSql: `SELECT country AS "customers.country", count(*) AS "customers.count",
      count(CASE WHEN is_active = 1 THEN id END) AS "customers.active_count" FROM customers GROUP BY country`,
    minRows: 5,
  },
  {
    kind: 'feature',
    name: 'case dimension tier_rank',
    query: { measures: ['customers.count'], dimensions: ['customers.tier_rank', 'customers.tier'] },
    oracleSql: `SELECT CASE WHEN tier = 'gold' THEN 'top' WHEN tier = 'silver' THEN 'mid' ELSE 'low' END AS "customers.tier_rank",
      tier AS "customers.tier", count(*) AS "customers.count" FROM customers GROUP BY 1, 2`,
    minRows: 3,
  },
  {
    kind: 'feature',
    name: 'boolean dimension values are true/false',
    query: { measures: ['customers.count'], dimensions: ['customers.is_active'] },
    oracleSql: `SELECT is_active AS "customers.is_active", count(*) AS "customers.count" FROM customers GROUP BY is_active`,
    map: booleans('customers.is_active'),
    minRows: 2,
  },
  {
    kind: 'feature',
    name: 'count_distinct',
    query: { measures: ['orders.customers_count', 'orders.count'], dimensions: ['orders.status'] },
    oracleSql: `SELECT status AS "orders.status", count(DISTINCT customer_id) AS "orders.customers_count", count(*) AS "orders.count"
      FROM orders GROUP BY status`,
    minRows: 5,
  },
  {
    kind: 'feature',
    name: 'count_distinct of items rooted at order_items',
    query: {
      measures: ['order_items.products_count', 'order_items.count', 'order_items.total_quantity'],
      dimensions: ['orders.status'],
    },
    oracleSql: `SELECT o.status AS "orders.status", count(DISTINCT oi.product_id) AS "order_items.products_count",
      count(oi.id) AS "order_items.count", sum(oi.quantity) AS "order_items.total_quantity"
      FROM order_items oi LEFT JOIN orders o ON o.id = oi.order_id GROUP BY o.status`,
    minRows: 5,
  },
  {
    kind: 'feature',
    name: 'raw values of every dimension type, NULLs included',
    query: {
      measures: ['orders.count'],
      dimensions: [
        'orders.id',
        'orders.status',
        'orders.amount',
        'orders.note',
        'orders.created_at',
        'orders.shipped_at',
      ],
      filters: [{ member: 'orders.id', operator: 'lte', values: ['60'] }],
    },
    oracleSql: `SELECT id AS "orders.id", status AS "orders.status", amount AS "orders.amount", note AS "orders.note",
      ${isoSql('created_at')} AS "orders.created_at", ${isoSql('shipped_at')} AS "orders.shipped_at", count(*) AS "orders.count"
      FROM orders WHERE id <= 60 GROUP BY id`,
    minRows: 60,
  },
  {
    kind: 'feature',
    name: 'raw customer values: unicode, quotes, backslash, boolean, NULL city',
    query: {
      dimensions: ['customers.id', 'customers.name', 'customers.city', 'customers.is_active', 'customers.created_at'],
    },
    oracleSql: `SELECT id AS "customers.id", name AS "customers.name", city AS "customers.city", is_active AS "customers.is_active",
      ${isoSql('created_at')} AS "customers.created_at" FROM customers`,
    map: booleans('customers.is_active'),
    minRows: 60,
  },
  {
    kind: 'feature',
    name: 'dimensions only (distinct values, NULL included)',
    query: { dimensions: ['products.category'] },
    oracleSql: `SELECT DISTINCT category AS "products.category" FROM products`,
    minRows: 7,
  },
  {
    kind: 'feature',
    name: 'dimensions of two cubes without measures (root customers: customers without orders appear)',
    query: { dimensions: ['customers.country', 'orders.status'] },
    oracleSql: `SELECT DISTINCT c.country AS "customers.country", o.status AS "orders.status"
      FROM customers c LEFT JOIN orders o ON o.customer_id = c.id`,
    minRows: 30,
  },
  {
    kind: 'feature',
    name: 'measures only',
    query: { measures: ['orders.count', 'orders.total_amount', 'orders.max_amount'] },
    oracleSql: `SELECT count(*) AS "orders.count", sum(amount) AS "orders.total_amount", max(amount) AS "orders.max_amount" FROM orders`,
  },
  {
    kind: 'feature',
    name: 'products measures by category',
    query: { measures: ['products.count', 'products.avg_price'], dimensions: ['products.category'] },
    oracleSql: `SELECT category AS "products.category", count(*) AS "products.count", avg(price) AS "products.avg_price"
      FROM products GROUP BY category`,
    minRows: 7,
  },
]

export const viewCases: OracleCase[] = [
  {
    kind: 'view',
    name: 'sales: own members of the root cube',
    query: { measures: ['sales.count', 'sales.total_amount'], dimensions: ['sales.status'] },
    oracleSql: `SELECT status AS "sales.status", count(*) AS "sales.count", sum(amount) AS "sales.total_amount" FROM orders GROUP BY status`,
    minRows: 5,
  },
  {
    kind: 'view',
    name: 'sales: prefixed customer members (customers multiplied by orders → distinct count)',
    query: { measures: ['sales.customers_count', 'sales.count'], dimensions: ['sales.customers_country'] },
    oracleSql: `SELECT c.country AS "sales.customers_country", count(DISTINCT c.id) AS "sales.customers_count", count(o.id) AS "sales.count"
      FROM ${ORDERS_CUSTOMERS} GROUP BY c.country`,
    minRows: 5,
    wrongSql: [
      `SELECT c.country AS "sales.customers_country", count(c.id) AS "sales.customers_count", count(o.id) AS "sales.count"
      FROM ${ORDERS_CUSTOMERS} GROUP BY c.country`,
    ],
  },
  {
    kind: 'view',
    name: 'sales: members of all three cubes, aliased revenue, filter on a view member',
    query: {
      measures: ['sales.items_revenue', 'sales.total_amount', 'sales.count'],
      dimensions: ['sales.customers_name'],
      filters: [{ member: 'sales.status', operator: 'equals', values: ['paid'] }],
    },
    oracleSql: `WITH od AS (SELECT c.name, sum(o.amount) AS total, count(*) AS n FROM ${ORDERS_CUSTOMERS} WHERE o.status = 'paid' GROUP BY c.name),
      it AS (SELECT c.name, sum(oi.quantity * oi.unit_price) AS revenue FROM ${ORDERS_CUSTOMERS}
        JOIN order_items oi ON oi.order_id = o.id WHERE o.status = 'paid' GROUP BY c.name)
      SELECT od.name AS "sales.customers_name", it.revenue AS "sales.items_revenue", od.total AS "sales.total_amount", od.n AS "sales.count"
      FROM od LEFT JOIN it ON it.name = od.name`,
    minRows: 30,
    wrongSql: [
      `SELECT c.name AS "sales.customers_name", sum(oi.quantity * oi.unit_price) AS "sales.items_revenue",
      sum(o.amount) AS "sales.total_amount", count(o.id) AS "sales.count"
      FROM ${ORDERS_CUSTOMERS} LEFT JOIN order_items oi ON oi.order_id = o.id WHERE o.status = 'paid' GROUP BY c.name`,
    ],
  },
  {
    kind: 'view',
    name: 'sales: time dimension through the view',
    query: {
      measures: ['sales.count'],
      timeDimensions: [
        { dimension: 'sales.created_at', granularity: 'month', dateRange: ['2024-01-01', '2024-12-31'] },
      ],
    },
    oracleSql: `SELECT ${timeCols('created_at', 'sales.created_at', 'month')}, count(*) AS "sales.count" FROM orders
      WHERE ${inLocalDays('created_at', '2024-01-01', '2024-12-31')} GROUP BY 1 ORDER BY 1`,
    ordered: true,
    minRows: 12,
  },
  {
    kind: 'view',
    name: "customer_overview: includes '*' (case dimension and filtered measure included)",
    query: {
      measures: ['customer_overview.count', 'customer_overview.active_count'],
      dimensions: ['customer_overview.tier', 'customer_overview.tier_rank'],
    },
    oracleSql: `SELECT tier AS "customer_overview.tier",
      CASE WHEN tier = 'gold' THEN 'top' WHEN tier = 'silver' THEN 'mid' ELSE 'low' END AS "customer_overview.tier_rank",
      count(*) AS "customer_overview.count", count(CASE WHEN is_active = 1 THEN id END) AS "customer_overview.active_count"
      FROM customers GROUP BY 1, 2`,
    minRows: 3,
  },
  {
    kind: 'view',
    name: 'customer_overview: boolean and nullable members with a filter',
    query: {
      measures: ['customer_overview.count'],
      dimensions: ['customer_overview.is_active', 'customer_overview.country'],
      filters: [{ member: 'customer_overview.city', operator: 'set' }],
    },
    oracleSql: `SELECT is_active AS "customer_overview.is_active", country AS "customer_overview.country", count(*) AS "customer_overview.count"
      FROM customers WHERE city IS NOT NULL GROUP BY 1, 2`,
    map: booleans('customer_overview.is_active'),
    minRows: 8,
  },
]
