// The queries every figure uses, over examples/ecommerce/model. Absolute date ranges only, so Cortex and
// Cube compile the same thing whatever the clock says.

/** Figure 1/2: ten representative queries (single cube, filters of every kind, fan-out, time zone, view, calculated measures). */
export const COMPILE_QUERIES = [
  {
    name: 'single cube: 3 measures by status, order, limit',
    query: {
      measures: ['orders.count', 'orders.total_amount', 'orders.avg_amount'],
      dimensions: ['orders.status'],
      order: { 'orders.count': 'desc' },
      limit: 100,
    },
  },
  {
    name: 'typical: equals + notEquals across 1 join',
    query: {
      measures: ['orders.count', 'orders.total_amount'],
      dimensions: ['customers.country'],
      filters: [
        { member: 'orders.status', operator: 'equals', values: ['paid', 'shipped'] },
        { member: 'customers.tier', operator: 'notEquals', values: ['bronze'] },
      ],
    },
  },
  {
    name: 'string + null filters: contains, notContains, startsWith, endsWith, set, notSet',
    query: {
      measures: ['orders.count'],
      dimensions: ['orders.status'],
      filters: [
        { member: 'orders.note', operator: 'contains', values: ['gift', '50%'] },
        { member: 'customers.city', operator: 'notContains', values: ['o'] },
        { member: 'customers.name', operator: 'startsWith', values: ['An'] },
        { member: 'customers.email', operator: 'endsWith', values: ['@example.com'] },
        { member: 'orders.shipped_at', operator: 'set' },
        { member: 'customers.city', operator: 'notSet' },
      ],
    },
  },
  {
    name: 'numeric + date filters + segment: gte, lt, inDateRange, beforeDate, afterDate',
    query: {
      measures: ['orders.total_amount'],
      dimensions: ['customers.tier'],
      segments: ['orders.big'],
      filters: [
        { member: 'orders.amount', operator: 'gte', values: ['100'] },
        { member: 'orders.amount', operator: 'lt', values: ['1000'] },
        { member: 'orders.created_at', operator: 'inDateRange', values: ['2024-01-01', '2024-06-30'] },
        { member: 'orders.shipped_at', operator: 'beforeDate', values: ['2024-09-01'] },
        { member: 'customers.created_at', operator: 'afterDate', values: ['2023-03-01'] },
      ],
    },
  },
  {
    name: 'boolean groups: or(equals, and(equals, gt)) + equals',
    query: {
      measures: ['orders.count', 'orders.total_amount'],
      dimensions: ['customers.country'],
      filters: [
        {
          or: [
            { member: 'orders.status', operator: 'equals', values: ['paid'] },
            {
              and: [
                { member: 'orders.status', operator: 'equals', values: ['shipped'] },
                { member: 'orders.amount', operator: 'gt', values: ['50'] },
              ],
            },
          ],
        },
        { member: 'customers.tier', operator: 'equals', values: ['gold', 'silver'] },
      ],
    },
  },
  {
    name: 'measure filters (HAVING), order by measure, limit',
    query: {
      measures: ['orders.count', 'orders.total_amount'],
      dimensions: ['customers.country', 'customers.tier'],
      filters: [
        { member: 'orders.count', operator: 'gt', values: ['10'] },
        { member: 'orders.total_amount', operator: 'gte', values: ['1000'] },
      ],
      order: [['orders.total_amount', 'desc']],
      limit: 20,
    },
  },
  {
    name: 'fan-out: 3 cubes (customers → orders → order_items)',
    query: {
      measures: ['customers.count', 'orders.total_amount', 'order_items.revenue'],
      dimensions: ['customers.tier'],
    },
  },
  {
    name: 'time zone + granularity: week in America/New_York',
    query: {
      measures: ['orders.count', 'orders.total_amount'],
      timeDimensions: [
        { dimension: 'orders.created_at', granularity: 'week', dateRange: ['2024-01-01', '2024-12-31'] },
      ],
      timezone: 'America/New_York',
    },
  },
  {
    name: 'view: sales (3 join paths, prefixed + aliased members)',
    query: {
      measures: ['sales.count', 'sales.total_amount', 'sales.items_revenue'],
      dimensions: ['sales.customers_country'],
    },
  },
  {
    name: 'calculated measures: ratio, per-order, filtered sum, count_distinct by month',
    query: {
      measures: ['orders.amount_per_order', 'orders.paid_ratio', 'orders.paid_amount', 'orders.customers_count'],
      dimensions: ['orders.status'],
      timeDimensions: [{ dimension: 'orders.created_at', granularity: 'month' }],
    },
  },
]

/**
 * Figure 3: layer.query() against the raw driver running the identical SQL. `small` is the small-result
 * case (overhead in microseconds); `grouped` and `rows` are the large ones (overhead as a ratio).
 */
export const E2E_QUERIES = [
  {
    key: 'small',
    name: 'small result: one order by primary key',
    query: {
      dimensions: ['orders.id', 'orders.status', 'orders.amount', 'orders.created_at'],
      filters: [{ member: 'orders.id', operator: 'equals', values: ['4242'] }],
    },
  },
  {
    key: 'grouped',
    name: 'grouped: count + sum by status and country (1 join)',
    query: { measures: ['orders.count', 'orders.total_amount'], dimensions: ['orders.status', 'customers.country'] },
  },
  {
    key: 'rows',
    name: 'many rows: ungrouped, 4 columns, limit 50 000',
    query: {
      dimensions: ['orders.id', 'orders.status', 'orders.amount', 'orders.created_at'],
      ungrouped: true,
      limit: 50_000,
      order: { 'orders.id': 'asc' },
    },
  },
]

/**
 * Figure 4: fan-out queries, each with the SQL a person would write by hand for the same numbers:
 * aggregate each many side per join key first, then join (no DISTINCT, no keys subquery). Portable SQL,
 * run unchanged on SQLite, PostgreSQL and MySQL; one level of derived tables only (MariaDB 10.11's
 * split materialization re-evaluates a derived table nested inside another once per outer row, which
 * turns the nested form into minutes). The benchmark checks both return the same rows first.
 */
export const FANOUT_QUERIES = [
  {
    name: 'customers.count + orders.count + order_items.revenue by tier',
    query: { measures: ['customers.count', 'orders.count', 'order_items.revenue'], dimensions: ['customers.tier'] },
    handWritten: `SELECT c.tier AS tier, count(*) AS customers, coalesce(sum(oc.n), 0) AS orders, sum(ir.revenue) AS revenue
FROM customers c
LEFT JOIN (SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id) oc ON oc.customer_id = c.id
LEFT JOIN (SELECT o.customer_id, sum(i.quantity * i.unit_price) AS revenue FROM order_items i JOIN orders o ON o.id = i.order_id GROUP BY o.customer_id) ir ON ir.customer_id = c.id
GROUP BY c.tier`,
  },
  {
    name: 'customers.count + orders.total_amount + order_items.revenue by tier (sum on the middle cube)',
    query: {
      measures: ['customers.count', 'orders.total_amount', 'order_items.revenue'],
      dimensions: ['customers.tier'],
    },
    handWritten: `SELECT c.tier AS tier, count(*) AS customers, sum(oc.amount) AS amount, sum(ir.revenue) AS revenue
FROM customers c
LEFT JOIN (SELECT customer_id, sum(amount) AS amount FROM orders GROUP BY customer_id) oc ON oc.customer_id = c.id
LEFT JOIN (SELECT o.customer_id, sum(i.quantity * i.unit_price) AS revenue FROM order_items i JOIN orders o ON o.id = i.order_id GROUP BY o.customer_id) ir ON ir.customer_id = c.id
GROUP BY c.tier`,
  },
  {
    name: 'orders sum + avg with order_items quantity + revenue by status',
    query: {
      measures: ['orders.total_amount', 'orders.avg_amount', 'order_items.total_quantity', 'order_items.revenue'],
      dimensions: ['orders.status'],
    },
    handWritten: `SELECT o.status AS status, sum(o.amount) AS amount, avg(o.amount) AS avg_amount, sum(i.quantity) AS quantity, sum(i.revenue) AS revenue
FROM orders o
LEFT JOIN (SELECT order_id, sum(quantity) AS quantity, sum(quantity * unit_price) AS revenue FROM order_items GROUP BY order_id) i ON i.order_id = o.id
GROUP BY o.status`,
  },
  {
    name: 'view sales: count + total_amount + items_revenue by customers_country',
    query: {
      measures: ['sales.count', 'sales.total_amount', 'sales.items_revenue'],
      dimensions: ['sales.customers_country'],
    },
    handWritten: `SELECT c.country AS country, count(*) AS orders, sum(o.amount) AS amount, sum(i.revenue) AS revenue
FROM orders o
LEFT JOIN customers c ON c.id = o.customer_id
LEFT JOIN (SELECT order_id, sum(quantity * unit_price) AS revenue FROM order_items GROUP BY order_id) i ON i.order_id = o.id
GROUP BY c.country`,
  },
]

/** Figure 6: the query served from the cache. */
export const CACHE_QUERY = { measures: ['orders.count', 'orders.total_amount'], dimensions: ['orders.status'] }

/** Figure 7: every order, streamed. */
export const STREAM_QUERY = {
  dimensions: ['orders.id', 'orders.status', 'orders.amount', 'orders.created_at'],
  ungrouped: true,
}
