/**
 * Hand-written aggregation pipelines for the ten bench queries (bench/lib/queries.mjs) and for oracle
 * cases (fan-out, filters, time zones), each next to the hand-written SQL it must agree with. They are
 * the pipeline printer's specification: the printer should produce pipelines equivalent to these
 * (docs/mongodb.md walks through them). Output fields are named `cube__member` (`__granularity` for a
 * time bucket): MongoDB field names cannot hold the dots of member names.
 *
 * The rules every pipeline follows:
 * - `$match` on the start collection first, in query-language form with UTC bounds computed in JS (an
 *   index can serve it); filters on joined cubes right after their `$lookup`.
 * - group keys are `{ $ifNull: [x, null] }`: `_id: { k: '$missing' }` is `{}` on MongoDB, another
 *   group than `{ k: null }`, while SQL has one NULL group.
 * - `sum` carries a count of non-null values and is null when it is 0 (`$sum` gives 0, SQL gives NULL).
 * - joins are `$lookup` with `let` + `$match: { $expr: { $eq } }`, never `localField` with `pipeline`;
 *   many_to_one is followed by `$unwind` with preserveNullAndEmptyArrays; a one_to_many side is
 *   aggregated per parent inside the `$lookup`, so the parent is never repeated.
 * - paging asks for one document more than the limit (`truncated`).
 */
import { timeBucket, localTime } from '../../src/mongo/time-buckets.js'
import type { MongoDocument } from '../../src/mongo/mongo-statement.js'
import { bucketSql, inLocalDays, isoSql, localSql, type Zone } from '../integration/oracle/helpers.js'

export interface HandCase {
  readonly name: string
  readonly collection: string
  readonly pipeline: readonly MongoDocument[]
  /** Hand-written SQL over the same data (aliases are member keys), or the oracle case to run instead. */
  readonly sql?: string
  readonly oracleCase?: string
  readonly ordered?: boolean
}

const isNull = (x: unknown) => ({ $eq: [{ $ifNull: [x, null] }, null] })
/** 1 for a non-null value, else 0: summed next to a `$sum`, to give NULL where SQL does. */
const counted = (x: unknown) => ({ $cond: [isNull(x), 0, 1] })
const sumOrNull = (sum: string, n: string) => ({ $cond: [{ $gt: [n, 0] }, sum, null] })
const key = (x: unknown) => ({ $ifNull: [x, null] })
const utc = (text: string) => new Date(`${text}Z`)

/** A many_to_one join: the one document (or none) under `as`. */
function toOne(from: string, local: string, foreign: string, as = from): MongoDocument[] {
  return [
    { $lookup: { from, let: { k: local }, pipeline: [{ $match: { $expr: { $eq: [foreign, '$$k'] } } }], as } },
    { $unwind: { path: `$${as}`, preserveNullAndEmptyArrays: true } },
  ]
}

const customersOfOrder = toOne('customers', '$customer_id', '$id')
const lineTotal = { $multiply: ['$quantity', '$unit_price'] }

/** order_items revenue per order, inside a `$lookup` from orders: one document (or none) under `items`. */
const itemsPerOrder: MongoDocument[] = [
  {
    $lookup: {
      from: 'order_items',
      let: { o: '$id' },
      pipeline: [
        { $match: { $expr: { $eq: ['$order_id', '$$o'] } } },
        { $group: { _id: null, revenue: { $sum: lineTotal }, revenueN: { $sum: counted(lineTotal) } } },
      ],
      as: 'items',
    },
  },
  { $unwind: { path: '$items', preserveNullAndEmptyArrays: true } },
]

const NY: Zone = 'America/New_York'
const BERLIN: Zone = 'Europe/Berlin'

export const BENCH_PIPELINES: readonly HandCase[] = [
  {
    name: 'single cube: 3 measures by status, order, limit',
    collection: 'orders',
    pipeline: [
      {
        $group: {
          _id: { status: key('$status') },
          count: { $sum: 1 },
          total: { $sum: '$amount' },
          totalN: { $sum: counted('$amount') },
          avg: { $avg: '$amount' },
        },
      },
      {
        $project: {
          _id: 0,
          orders__status: '$_id.status',
          orders__count: '$count',
          orders__total_amount: sumOrNull('$total', '$totalN'),
          orders__avg_amount: '$avg',
        },
      },
      { $sort: { orders__count: -1, orders__status: 1 } },
      { $limit: 101 },
    ],
    sql: `SELECT status AS "orders.status", count(*) AS "orders.count", sum(amount) AS "orders.total_amount",
      avg(amount) AS "orders.avg_amount" FROM orders GROUP BY status ORDER BY 2 DESC, 1 LIMIT 101`,
    ordered: true,
  },
  {
    name: 'typical: equals + notEquals across 1 join',
    collection: 'orders',
    pipeline: [
      { $match: { status: { $in: ['paid', 'shipped'] } } },
      ...customersOfOrder,
      { $match: { 'customers.tier': { $nin: ['bronze'] } } }, // notEquals keeps NULL (and missing) tiers
      {
        $group: {
          _id: { country: key('$customers.country') },
          count: { $sum: 1 },
          total: { $sum: '$amount' },
          totalN: { $sum: counted('$amount') },
        },
      },
      {
        $project: {
          _id: 0,
          customers__country: '$_id.country',
          orders__count: '$count',
          orders__total_amount: sumOrNull('$total', '$totalN'),
        },
      },
    ],
    sql: `SELECT c.country AS "customers.country", count(*) AS "orders.count", sum(o.amount) AS "orders.total_amount"
      FROM orders o LEFT JOIN customers c ON c.id = o.customer_id
      WHERE o.status IN ('paid', 'shipped') AND (c.tier <> 'bronze' OR c.tier IS NULL) GROUP BY c.country`,
  },
  {
    name: 'string + null filters: contains, notContains, startsWith, endsWith, set, notSet',
    collection: 'orders',
    pipeline: [
      { $match: { note: { $regex: '(?:gift|50%)', $options: 'i' }, shipped_at: { $ne: null } } },
      ...customersOfOrder,
      {
        $match: {
          $and: [
            { 'customers.city': { $not: { $regex: '(?:o)', $options: 'i' } } },
            { 'customers.name': { $regex: '^(?:An)', $options: 'i' } },
            { 'customers.email': { $regex: '(?:@example\\.com)(?![\\s\\S])', $options: 'i' } },
            { 'customers.city': null },
          ],
        },
      },
      { $group: { _id: { status: key('$status') }, count: { $sum: 1 } } },
      { $project: { _id: 0, orders__status: '$_id.status', orders__count: '$count' } },
    ],
    sql: `SELECT o.status AS "orders.status", count(*) AS "orders.count" FROM orders o LEFT JOIN customers c ON c.id = o.customer_id
      WHERE (o.note LIKE '%gift%' OR o.note LIKE '%50!%%' ESCAPE '!') AND (c.city NOT LIKE '%o%' OR c.city IS NULL)
        AND c.name LIKE 'An%' AND c.email LIKE '%@example.com' AND o.shipped_at IS NOT NULL AND c.city IS NULL
      GROUP BY o.status`,
  },
  {
    name: 'numeric + date filters + segment: gte, lt, inDateRange, beforeDate, afterDate',
    collection: 'orders',
    pipeline: [
      {
        $match: {
          amount: { $gt: 200, $gte: 100, $lt: 1000 }, // segment big, then the two filters
          created_at: { $gte: utc('2024-01-01T00:00:00'), $lt: utc('2024-07-01T00:00:00') },
          shipped_at: { $lt: utc('2024-09-01T00:00:00') },
        },
      },
      ...customersOfOrder,
      { $match: { 'customers.created_at': { $gt: utc('2023-03-01T00:00:00') } } },
      {
        $group: {
          _id: { tier: key('$customers.tier') },
          total: { $sum: '$amount' },
          totalN: { $sum: counted('$amount') },
        },
      },
      { $project: { _id: 0, customers__tier: '$_id.tier', orders__total_amount: sumOrNull('$total', '$totalN') } },
    ],
    sql: `SELECT c.tier AS "customers.tier", sum(o.amount) AS "orders.total_amount" FROM orders o
      LEFT JOIN customers c ON c.id = o.customer_id
      WHERE o.amount > 200 AND o.amount >= 100 AND o.amount < 1000
        AND o.created_at >= '2024-01-01 00:00:00' AND o.created_at < '2024-07-01 00:00:00'
        AND o.shipped_at < '2024-09-01 00:00:00' AND c.created_at > '2023-03-01 00:00:00'
      GROUP BY c.tier`,
  },
  {
    name: 'boolean groups: or(equals, and(equals, gt)) + equals',
    collection: 'orders',
    pipeline: [
      {
        $match: {
          $or: [{ status: { $in: ['paid'] } }, { $and: [{ status: { $in: ['shipped'] } }, { amount: { $gt: 50 } }] }],
        },
      },
      ...customersOfOrder,
      { $match: { 'customers.tier': { $in: ['gold', 'silver'] } } },
      {
        $group: {
          _id: { country: key('$customers.country') },
          count: { $sum: 1 },
          total: { $sum: '$amount' },
          totalN: { $sum: counted('$amount') },
        },
      },
      {
        $project: {
          _id: 0,
          customers__country: '$_id.country',
          orders__count: '$count',
          orders__total_amount: sumOrNull('$total', '$totalN'),
        },
      },
    ],
    sql: `SELECT c.country AS "customers.country", count(*) AS "orders.count", sum(o.amount) AS "orders.total_amount"
      FROM orders o LEFT JOIN customers c ON c.id = o.customer_id
      WHERE (o.status = 'paid' OR (o.status = 'shipped' AND o.amount > 50)) AND c.tier IN ('gold', 'silver')
      GROUP BY c.country`,
  },
  {
    name: 'measure filters (HAVING), order by measure, limit',
    collection: 'orders',
    pipeline: [
      ...customersOfOrder,
      {
        $group: {
          _id: { country: key('$customers.country'), tier: key('$customers.tier') },
          count: { $sum: 1 },
          total: { $sum: '$amount' },
          totalN: { $sum: counted('$amount') },
        },
      },
      { $match: { count: { $gt: 10 }, total: { $gte: 1000 }, totalN: { $gt: 0 } } }, // after $group: HAVING
      {
        $project: {
          _id: 0,
          customers__country: '$_id.country',
          customers__tier: '$_id.tier',
          orders__count: '$count',
          orders__total_amount: sumOrNull('$total', '$totalN'),
        },
      },
      { $sort: { orders__total_amount: -1, customers__country: 1, customers__tier: 1 } },
      { $limit: 21 },
    ],
    sql: `SELECT c.country AS "customers.country", c.tier AS "customers.tier", count(*) AS "orders.count",
      sum(o.amount) AS "orders.total_amount" FROM orders o LEFT JOIN customers c ON c.id = o.customer_id
      GROUP BY c.country, c.tier HAVING count(*) > 10 AND sum(o.amount) >= 1000 ORDER BY 4 DESC, 1, 2 LIMIT 21`,
    ordered: true,
  },
  {
    name: 'fan-out: 3 cubes (customers → orders → order_items)',
    collection: 'customers',
    pipeline: [
      {
        $lookup: {
          from: 'orders',
          let: { k: '$id' },
          pipeline: [
            { $match: { $expr: { $eq: ['$customer_id', '$$k'] } } },
            ...itemsPerOrder,
            {
              $group: {
                _id: null,
                total: { $sum: '$amount' },
                totalN: { $sum: counted('$amount') },
                revenue: { $sum: '$items.revenue' },
                revenueN: { $sum: '$items.revenueN' },
              },
            },
          ],
          as: 'orders',
        },
      },
      { $unwind: { path: '$orders', preserveNullAndEmptyArrays: true } },
      {
        $group: {
          _id: { tier: key('$tier') },
          count: { $sum: 1 },
          total: { $sum: '$orders.total' },
          totalN: { $sum: '$orders.totalN' },
          revenue: { $sum: '$orders.revenue' },
          revenueN: { $sum: '$orders.revenueN' },
        },
      },
      {
        $project: {
          _id: 0,
          customers__tier: '$_id.tier',
          customers__count: '$count',
          orders__total_amount: sumOrNull('$total', '$totalN'),
          order_items__revenue: sumOrNull('$revenue', '$revenueN'),
        },
      },
    ],
    sql: `SELECT c.tier AS "customers.tier", count(*) AS "customers.count", sum(oc.amount) AS "orders.total_amount",
      sum(ir.revenue) AS "order_items.revenue" FROM customers c
      LEFT JOIN (SELECT customer_id, sum(amount) AS amount FROM orders GROUP BY customer_id) oc ON oc.customer_id = c.id
      LEFT JOIN (SELECT o.customer_id, sum(i.quantity * i.unit_price) AS revenue FROM order_items i
        JOIN orders o ON o.id = i.order_id GROUP BY o.customer_id) ir ON ir.customer_id = c.id
      GROUP BY c.tier`,
  },
  {
    name: 'time zone + granularity: week in America/New_York',
    collection: 'orders',
    pipeline: [
      // Local days 2024-01-01 .. 2024-12-31 in New York, as UTC bounds computed in JS (EST both ends).
      { $match: { created_at: { $gte: utc('2024-01-01T05:00:00'), $lt: utc('2025-01-01T05:00:00') } } },
      {
        $group: {
          _id: { week: timeBucket('$created_at', 'week', NY) },
          count: { $sum: 1 },
          total: { $sum: '$amount' },
          totalN: { $sum: counted('$amount') },
        },
      },
      {
        $project: {
          _id: 0,
          orders__created_at__week: '$_id.week',
          orders__count: '$count',
          orders__total_amount: sumOrNull('$total', '$totalN'),
        },
      },
      { $sort: { orders__created_at__week: 1 } },
    ],
    sql: `SELECT ${bucketSql('created_at', 'week', NY)} AS "orders.created_at.week", ${bucketSql('created_at', 'week', NY)} AS "orders.created_at",
      count(*) AS "orders.count", sum(amount) AS "orders.total_amount" FROM orders
      WHERE ${inLocalDays('created_at', '2024-01-01', '2024-12-31', NY)} GROUP BY 1 ORDER BY 1`,
    ordered: true,
  },
  {
    name: 'view: sales (3 join paths, prefixed + aliased members)',
    collection: 'orders',
    pipeline: [
      ...customersOfOrder,
      ...itemsPerOrder,
      {
        $group: {
          _id: { country: key('$customers.country') },
          count: { $sum: 1 },
          total: { $sum: '$amount' },
          totalN: { $sum: counted('$amount') },
          revenue: { $sum: '$items.revenue' },
          revenueN: { $sum: '$items.revenueN' },
        },
      },
      {
        $project: {
          _id: 0,
          sales__customers_country: '$_id.country',
          sales__count: '$count',
          sales__total_amount: sumOrNull('$total', '$totalN'),
          sales__items_revenue: sumOrNull('$revenue', '$revenueN'),
        },
      },
    ],
    sql: `SELECT c.country AS "sales.customers_country", count(*) AS "sales.count", sum(o.amount) AS "sales.total_amount",
      sum(i.revenue) AS "sales.items_revenue" FROM orders o LEFT JOIN customers c ON c.id = o.customer_id
      LEFT JOIN (SELECT order_id, sum(quantity * unit_price) AS revenue FROM order_items GROUP BY order_id) i ON i.order_id = o.id
      GROUP BY c.country`,
  },
  {
    name: 'calculated measures: ratio, per-order, filtered sum, count_distinct by month',
    collection: 'orders',
    pipeline: [
      {
        $group: {
          _id: { status: key('$status'), month: timeBucket('$created_at', 'month', 'UTC') },
          count: { $sum: 1 },
          total: { $sum: '$amount' },
          totalN: { $sum: counted('$amount') },
          paidCount: { $sum: { $cond: [{ $eq: ['$status', 'paid'] }, 1, 0] } },
          paid: { $sum: { $cond: [{ $eq: ['$status', 'paid'] }, '$amount', null] } },
          paidN: { $sum: { $cond: [{ $eq: ['$status', 'paid'] }, counted('$amount'), 0] } },
          customers: { $addToSet: '$customer_id' },
        },
      },
      {
        $project: {
          _id: 0,
          orders__status: '$_id.status',
          orders__created_at__month: '$_id.month',
          orders__amount_per_order: {
            $cond: [
              { $or: [{ $eq: ['$count', 0] }, { $eq: ['$totalN', 0] }] },
              null,
              { $divide: ['$total', '$count'] },
            ],
          },
          orders__paid_ratio: { $cond: [{ $eq: ['$count', 0] }, null, { $divide: ['$paidCount', '$count'] }] },
          orders__paid_amount: sumOrNull('$paid', '$paidN'),
          // count_distinct: $addToSet keeps null, COUNT(DISTINCT) does not.
          orders__customers_count: { $size: { $filter: { input: '$customers', cond: { $ne: ['$$this', null] } } } },
        },
      },
    ],
    sql: `SELECT status AS "orders.status", ${bucketSql('created_at', 'month')} AS "orders.created_at.month",
      ${bucketSql('created_at', 'month')} AS "orders.created_at",
      sum(amount) / NULLIF(count(*), 0) AS "orders.amount_per_order",
      1.0 * count(CASE WHEN status = 'paid' THEN id END) / NULLIF(count(*), 0) AS "orders.paid_ratio",
      sum(CASE WHEN status = 'paid' THEN amount END) AS "orders.paid_amount",
      count(DISTINCT customer_id) AS "orders.customers_count" FROM orders GROUP BY 1, 2`,
  },
]

/**
 * Bench query 3 without its `notSet` and `startsWith` filters: the full query selects no order of this
 * dataset, so this one shows contains, notContains, endsWith and set selecting rows.
 */
const stringFiltersWithRows: HandCase = {
  name: 'string filters of bench query 3 without notSet and startsWith (selects rows)',
  collection: 'orders',
  pipeline: BENCH_PIPELINES[2]!.pipeline.map((stage) => {
    const and = (stage.$match as { $and?: MongoDocument[] } | undefined)?.$and
    const kept = and?.filter((f) => f['customers.city'] !== null && f['customers.name'] === undefined)
    return kept ? { $match: { $and: kept } } : stage
  }),
  sql: BENCH_PIPELINES[2]!.sql!.replace(' AND c.city IS NULL', '').replace(/\s+AND c\.name LIKE 'An%'/, ''),
}

/** Pipelines for oracle cases, compared with the case's own hand-written SQL (test/integration/oracle/). */
export const ORACLE_PIPELINES: readonly HandCase[] = [
  stringFiltersWithRows,
  {
    name: 'fan-out: orders measures by products.category (orders multiplied through items)',
    oracleCase:
      'orders.total_amount + orders.count by products.category (orders multiplied through items; orders without items → NULL category)',
    collection: 'orders',
    pipeline: [
      {
        $lookup: {
          from: 'order_items',
          let: { o: '$id' },
          pipeline: [
            { $match: { $expr: { $eq: ['$order_id', '$$o'] } } },
            ...toOne('products', '$product_id', '$id'),
            { $group: { _id: key('$products.category') } }, // the distinct categories this order reaches
          ],
          as: 'categories',
        },
      },
      // One document per (order, distinct category); an order without items keeps one, category NULL.
      { $unwind: { path: '$categories', preserveNullAndEmptyArrays: true } },
      {
        $group: {
          _id: { category: key('$categories._id') },
          total: { $sum: '$amount' },
          totalN: { $sum: counted('$amount') },
          count: { $sum: 1 },
        },
      },
      {
        $project: {
          _id: 0,
          products__category: '$_id.category',
          orders__total_amount: sumOrNull('$total', '$totalN'),
          orders__count: '$count',
        },
      },
    ],
  },
  {
    name: 'fan-out: a chain of two one_to_many joins',
    oracleCase: 'customers.count + order_items.total_quantity by customers.country (chain of two one_to_many joins)',
    collection: 'customers',
    pipeline: [
      {
        $lookup: {
          from: 'orders',
          let: { k: '$id' },
          pipeline: [
            { $match: { $expr: { $eq: ['$customer_id', '$$k'] } } },
            {
              $lookup: {
                from: 'order_items',
                let: { o: '$id' },
                pipeline: [
                  { $match: { $expr: { $eq: ['$order_id', '$$o'] } } },
                  { $group: { _id: null, quantity: { $sum: '$quantity' }, quantityN: { $sum: counted('$quantity') } } },
                ],
                as: 'items',
              },
            },
            { $unwind: { path: '$items', preserveNullAndEmptyArrays: true } },
            { $group: { _id: null, quantity: { $sum: '$items.quantity' }, quantityN: { $sum: '$items.quantityN' } } },
          ],
          as: 'orders',
        },
      },
      { $unwind: { path: '$orders', preserveNullAndEmptyArrays: true } },
      {
        $group: {
          _id: { country: key('$country') },
          count: { $sum: 1 },
          quantity: { $sum: '$orders.quantity' },
          quantityN: { $sum: '$orders.quantityN' },
        },
      },
      {
        $project: {
          _id: 0,
          customers__country: '$_id.country',
          customers__count: '$count',
          order_items__total_quantity: sumOrNull('$quantity', '$quantityN'),
        },
      },
    ],
  },
  {
    name: 'fan-out: a filter on the many side restricts orders but counts each once',
    oracleCase: 'a filter on the many side (order_items.quantity > 2) restricts orders but counts each once',
    collection: 'orders',
    pipeline: [
      {
        $lookup: {
          from: 'order_items',
          let: { o: '$id' },
          pipeline: [
            { $match: { $expr: { $eq: ['$order_id', '$$o'] } } },
            { $match: { quantity: { $gt: 2 } } },
            { $limit: 1 },
          ],
          as: 'hit',
        },
      },
      { $match: { 'hit.0': { $exists: true } } },
      {
        $group: {
          _id: { status: key('$status') },
          count: { $sum: 1 },
          total: { $sum: '$amount' },
          totalN: { $sum: counted('$amount') },
        },
      },
      {
        $project: {
          _id: 0,
          orders__status: '$_id.status',
          orders__count: '$count',
          orders__total_amount: sumOrNull('$total', '$totalN'),
        },
      },
    ],
  },
  {
    name: 'filter: notContains with several values keeps NULL and missing notes, % literal',
    oracleCase: 'notContains with several values: ANDed, NULLs kept, % literal',
    collection: 'orders',
    pipeline: [
      { $match: { note: { $not: { $regex: '(?:fragile|%)', $options: 'i' } } } },
      { $group: { _id: { note: key('$note') }, count: { $sum: 1 } } },
      { $project: { _id: 0, orders__note: '$_id.note', orders__count: '$count' } },
    ],
  },
  ...(['hour', 'week'] as const).map(
    (granularity): HandCase => ({
      name: `time zone: ${granularity} in America/New_York`,
      oracleCase:
        granularity === 'hour'
          ? 'hour in America/New_York (01:30 EDT and 01:30 EST share a bucket)'
          : 'week in America/New_York',
      collection: 'orders',
      pipeline: [
        {
          $group: {
            _id: { bucket: timeBucket('$created_at', granularity, NY) },
            count: { $sum: 1 },
            total: { $sum: '$amount' },
            totalN: { $sum: counted('$amount') },
          },
        },
        {
          $project: {
            _id: 0,
            [`orders__created_at__${granularity}`]: '$_id.bucket',
            orders__count: '$count',
            orders__total_amount: sumOrNull('$total', '$totalN'),
          },
        },
        { $sort: { [`orders__created_at__${granularity}`]: 1 } },
      ],
      ordered: true,
    }),
  ),
  {
    name: 'time zone: day in Europe/Berlin within local days (UTC bounds from JS)',
    oracleCase: 'day in Europe/Berlin within local days 2024-01-01..2024-01-31',
    collection: 'orders',
    pipeline: [
      { $match: { created_at: { $gte: utc('2023-12-31T23:00:00'), $lt: utc('2024-01-31T23:00:00') } } },
      {
        $group: {
          _id: { bucket: timeBucket('$created_at', 'day', BERLIN) },
          count: { $sum: 1 },
          total: { $sum: '$amount' },
          totalN: { $sum: counted('$amount') },
        },
      },
      {
        $project: {
          _id: 0,
          orders__created_at__day: '$_id.bucket',
          orders__count: '$count',
          orders__total_amount: sumOrNull('$total', '$totalN'),
        },
      },
      { $sort: { orders__created_at__day: 1 } },
    ],
    ordered: true,
  },
  {
    name: 'time zone: raw time values as local wall-clock text',
    oracleCase: 'raw time dimension values are local wall-clock time',
    collection: 'orders',
    pipeline: [
      { $match: { id: { $lte: 50 } } },
      {
        $group: {
          _id: { id: key('$id'), created: localTime('$created_at', NY), shipped: localTime('$shipped_at', NY) },
          count: { $sum: 1 },
        },
      },
      {
        $project: {
          _id: 0,
          orders__id: '$_id.id',
          orders__created_at: '$_id.created',
          orders__shipped_at: '$_id.shipped',
          orders__count: '$count',
        },
      },
    ],
  },
]

/** The SQL for the no-oracle sanity of the time helpers used above (kept with the pipelines for reading). */
export const LOCAL_TIME_SQL = (col: string, zone: Zone) => isoSql(localSql(col, zone))
