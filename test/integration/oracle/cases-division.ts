/**
 * Exact division (issue 15): MySQL keeps `div_precision_increment` (default 4) extra digits when it
 * divides exact numbers, so AVG over DECIMAL(12,2) gave 270.886034 where SQLite and PostgreSQL give
 * 270.8860344827586, and `1.0 * a / b` gave 0.52518. The suites compare numbers to 1e-9 relative, so
 * these cases fail on a connector that leaves the server default. The oracle divides in SQLite's
 * doubles (REAL columns), which is exact to far more than 1e-9.
 */
import type { OracleCase } from './helpers.js'

const ORDERS_CUSTOMERS = 'orders o LEFT JOIN customers c ON c.id = o.customer_id'

export const divisionCases: OracleCase[] = [
  {
    kind: 'division',
    name: 'avg over a DECIMAL(12,2) column, overall and per status',
    query: { measures: ['orders.avg_amount', 'orders.count'], dimensions: ['orders.status'] },
    oracleSql: `SELECT status AS "orders.status", avg(amount) AS "orders.avg_amount", count(*) AS "orders.count" FROM orders GROUP BY status`,
    minRows: 5,
    wrongSql: [
      `SELECT status AS "orders.status", round(avg(amount), 6) AS "orders.avg_amount", count(*) AS "orders.count" FROM orders GROUP BY status`,
    ],
  },
  {
    kind: 'division',
    name: 'avg of DECIMAL prices per category (values near 20: 6 decimals are not enough)',
    query: { measures: ['products.avg_price'], dimensions: ['products.category'] },
    oracleSql: `SELECT category AS "products.category", avg(price) AS "products.avg_price" FROM products GROUP BY category`,
    minRows: 6,
    wrongSql: [
      `SELECT category AS "products.category", round(avg(price), 4) AS "products.avg_price" FROM products GROUP BY category`,
    ],
  },
  {
    kind: 'division',
    name: 'ratio measure 1.0 * paid_count / count and amount_per_order (decimal / count) per country',
    query: { measures: ['orders.paid_ratio', 'orders.amount_per_order'], dimensions: ['customers.country'] },
    oracleSql: `SELECT c.country AS "customers.country",
        1.0 * count(CASE WHEN o.status = 'paid' THEN 1 END) / count(o.id) AS "orders.paid_ratio",
        sum(o.amount) / count(o.id) AS "orders.amount_per_order"
      FROM ${ORDERS_CUSTOMERS} GROUP BY c.country`,
    minRows: 8,
    wrongSql: [
      `SELECT c.country AS "customers.country",
        round(1.0 * count(CASE WHEN o.status = 'paid' THEN 1 END) / count(o.id), 5) AS "orders.paid_ratio",
        round(sum(o.amount) / count(o.id), 6) AS "orders.amount_per_order"
      FROM ${ORDERS_CUSTOMERS} GROUP BY c.country`,
    ],
  },
]
