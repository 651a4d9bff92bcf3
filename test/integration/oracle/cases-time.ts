/**
 * Time: every granularity in UTC, named DST zones, relative date ranges under the fixed clock
 * now = 2024-06-15T12:00:00Z (a Saturday).
 *
 * Conventions: a granular time dimension yields two keys with the same value, `x.granularity` and `x`;
 * values are 'YYYY-MM-DDTHH:mm:ss.SSS' wall-clock time in the query time zone; weeks start on Monday;
 * date range bounds are whole local days in the query time zone. Relative ranges follow Cube:
 * 'last 7 days' = the 7 whole days before today (today excluded), 'this week' = Monday..Sunday,
 * 'this month' / 'today' = the whole period (also the part after now).
 *
 * Local time in the oracle comes from hard-coded DST instants (helpers.ts), checked against Intl by
 * dataset.test.ts.
 */
import {
  bucketSql,
  inLocalDays,
  isoSql,
  localSql,
  timeCols,
  type Granularity,
  type OracleCase,
  type Zone,
} from './helpers.js'

const GRANULARITIES: Granularity[] = ['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year']

/** orders.count (+ total_amount) by a bucket of orders.created_at, optionally within local days. */
function countByBucket(granularity: Granularity, zone: Zone, range?: [string, string], col = 'created_at'): string {
  const where = range ? `WHERE ${inLocalDays(col, range[0], range[1], zone)}` : ''
  return `SELECT ${timeCols(col, 'orders.created_at', granularity, zone)}, count(*) AS "orders.count", sum(amount) AS "orders.total_amount"
    FROM orders ${where} GROUP BY 1 ORDER BY 1`
}

function tdQuery(
  granularity: Granularity | undefined,
  zone: Zone,
  dateRange?: string | [string, string],
): Record<string, unknown> {
  const td: Record<string, unknown> = { dimension: 'orders.created_at' }
  if (granularity) td.granularity = granularity
  if (dateRange) td.dateRange = dateRange
  return {
    measures: ['orders.count', 'orders.total_amount'],
    timeDimensions: [td],
    ...(zone === 'UTC' ? {} : { timezone: zone }),
  }
}

const granularityCases: OracleCase[] = GRANULARITIES.map((g) => ({
  kind: 'granularity',
  name: `${g} in UTC (default order: time ascending)`,
  query: tdQuery(g, 'UTC'),
  oracleSql: countByBucket(g, 'UTC'),
  ordered: true,
  minRows: g === 'year' ? 3 : 10,
  ...(g === 'week'
    ? {
        wrongSql: [
          // Weeks starting on Sunday.
          `SELECT date(created_at, '-6 days', 'weekday 0') || 'T00:00:00.000' AS "orders.created_at.week",
             date(created_at, '-6 days', 'weekday 0') || 'T00:00:00.000' AS "orders.created_at",
             count(*) AS "orders.count", sum(amount) AS "orders.total_amount" FROM orders GROUP BY 1 ORDER BY 1`,
        ],
      }
    : {}),
}))

granularityCases.push(
  {
    kind: 'granularity',
    name: 'month with a date range and a dimension',
    query: {
      measures: ['orders.count'],
      dimensions: ['orders.status'],
      timeDimensions: [
        { dimension: 'orders.created_at', granularity: 'month', dateRange: ['2024-01-01', '2024-06-30'] },
      ],
    },
    oracleSql: `SELECT ${timeCols('created_at', 'orders.created_at', 'month')}, status AS "orders.status", count(*) AS "orders.count"
      FROM orders WHERE ${inLocalDays('created_at', '2024-01-01', '2024-06-30')} GROUP BY 1, status`,
    minRows: 25,
  },
  {
    kind: 'granularity',
    name: 'month of a nullable time column keeps the NULL bucket',
    query: { measures: ['orders.count'], timeDimensions: [{ dimension: 'orders.shipped_at', granularity: 'month' }] },
    oracleSql: `SELECT ${timeCols('shipped_at', 'orders.shipped_at', 'month')}, count(*) AS "orders.count" FROM orders GROUP BY 1`,
    minRows: 20,
  },
  {
    kind: 'granularity',
    name: 'a date range without granularity filters but adds no time key',
    query: {
      measures: ['orders.count'],
      dimensions: ['orders.status'],
      timeDimensions: [{ dimension: 'orders.created_at', dateRange: ['2024-02-29', '2024-03-31'] }],
    },
    oracleSql: `SELECT status AS "orders.status", count(*) AS "orders.count" FROM orders
      WHERE ${inLocalDays('created_at', '2024-02-29', '2024-03-31')} GROUP BY status`,
    minRows: 3,
  },
)

const NY: Zone = 'America/New_York'
const BERLIN: Zone = 'Europe/Berlin'

/** The same buckets computed in UTC and with the zone's offset at "now" (summer): both wrong. */
function tzWrong(granularity: Granularity, zone: Zone, range?: [string, string]): string[] {
  const fixed = zone === NY ? "'-4 hours'" : "'+2 hours'"
  const local = `datetime(created_at, ${fixed})`
  const bucket = bucketSql(local, granularity)
  const where = range ? `WHERE ${local} >= '${range[0]} 00:00:00' AND ${local} <= '${range[1]} 23:59:59'` : ''
  return [
    countByBucket(granularity, 'UTC', range),
    `SELECT ${bucket} AS "orders.created_at.${granularity}", ${bucket} AS "orders.created_at", count(*) AS "orders.count",
       sum(amount) AS "orders.total_amount" FROM orders ${where} GROUP BY 1 ORDER BY 1`,
  ]
}

function tzCase(granularity: Granularity, zone: Zone, range?: [string, string], note = ''): OracleCase {
  return {
    kind: 'timezone',
    name: `${granularity} in ${zone}${range ? ` within local days ${range[0]}..${range[1]}` : ''}${note}`,
    query: tdQuery(granularity, zone, range),
    oracleSql: countByBucket(granularity, zone, range),
    ordered: true,
    minRows: range ? 2 : 3,
    wrongSql: tzWrong(granularity, zone, range),
  }
}

const timezoneCases: OracleCase[] = [
  tzCase('month', NY),
  tzCase('month', BERLIN),
  tzCase('day', NY),
  tzCase('day', BERLIN),
  tzCase('hour', NY, undefined, ' (01:30 EDT and 01:30 EST share a bucket)'),
  tzCase('hour', BERLIN, ['2024-03-30', '2024-10-28']),
  tzCase('week', NY),
  tzCase('year', BERLIN, undefined, " ('2023-12-31 23:30:00' UTC is 2024)"),
  tzCase('day', NY, ['2024-03-01', '2024-03-31']),
  tzCase('day', BERLIN, ['2024-01-01', '2024-01-31']),
  {
    kind: 'timezone',
    name: 'raw time dimension values are local wall-clock time',
    query: {
      measures: ['orders.count'],
      dimensions: ['orders.id', 'orders.created_at', 'orders.shipped_at'],
      filters: [{ member: 'orders.id', operator: 'lte', values: ['50'] }],
      timezone: NY,
    },
    oracleSql: `SELECT id AS "orders.id", ${isoSql(localSql('created_at', NY))} AS "orders.created_at",
      ${isoSql(localSql('shipped_at', NY))} AS "orders.shipped_at", count(*) AS "orders.count" FROM orders WHERE id <= 50 GROUP BY id`,
    minRows: 50,
    wrongSql: [
      `SELECT id AS "orders.id", ${isoSql('created_at')} AS "orders.created_at", ${isoSql('shipped_at')} AS "orders.shipped_at",
      count(*) AS "orders.count" FROM orders WHERE id <= 50 GROUP BY id`,
    ],
  },
  {
    kind: 'timezone',
    name: 'inDateRange filter in Europe/Berlin uses local days',
    query: {
      measures: ['orders.count'],
      dimensions: ['orders.status'],
      filters: [{ member: 'orders.created_at', operator: 'inDateRange', values: ['2024-01-01', '2024-01-01'] }],
      timezone: BERLIN,
    },
    oracleSql: `SELECT status AS "orders.status", count(*) AS "orders.count" FROM orders
      WHERE ${inLocalDays('created_at', '2024-01-01', '2024-01-01', BERLIN)} GROUP BY status`,
    wrongSql: [
      `SELECT status AS "orders.status", count(*) AS "orders.count" FROM orders
      WHERE ${inLocalDays('created_at', '2024-01-01', '2024-01-01')} GROUP BY status`,
    ],
  },
]

function relative(
  dateRange: string,
  granularity: Granularity | undefined,
  from: string,
  to: string,
  zone: Zone = 'UTC',
  wrong: [string, string, Zone?][] = [],
): OracleCase {
  const sqlFor = (a: string, b: string, z: Zone) => {
    const where = `WHERE ${inLocalDays('created_at', a, b, z)}`
    return granularity
      ? `SELECT ${timeCols('created_at', 'orders.created_at', granularity, z)}, count(*) AS "orders.count", sum(amount) AS "orders.total_amount"
          FROM orders ${where} GROUP BY 1 ORDER BY 1`
      : `SELECT count(*) AS "orders.count", sum(amount) AS "orders.total_amount" FROM orders ${where}`
  }
  return {
    kind: 'relative-date',
    name: `'${dateRange}'${zone === 'UTC' ? '' : ` in ${zone}`} is ${from}..${to}${granularity ? ` by ${granularity}` : ''}`,
    query: tdQuery(granularity, zone, dateRange),
    oracleSql: sqlFor(from, to, zone),
    ordered: true,
    wrongSql: wrong.map(([a, b, z]) => sqlFor(a, b, z ?? zone)),
  }
}

const relativeCases: OracleCase[] = [
  relative('today', 'day', '2024-06-15', '2024-06-15', 'UTC', [['2024-06-14', '2024-06-14']]),
  relative('yesterday', undefined, '2024-06-14', '2024-06-14', 'UTC', [['2024-06-15', '2024-06-15']]),
  relative('this month', 'day', '2024-06-01', '2024-06-30', 'UTC', [['2024-06-01', '2024-06-14']]),
  relative('last month', 'day', '2024-05-01', '2024-05-31'),
  relative('last 7 days', 'day', '2024-06-08', '2024-06-14', 'UTC', [['2024-06-09', '2024-06-15']]),
  relative('this quarter', 'month', '2024-04-01', '2024-06-30'),
  relative('last year', 'quarter', '2023-01-01', '2023-12-31'),
  relative('this week', 'day', '2024-06-10', '2024-06-16', 'UTC', [['2024-06-09', '2024-06-15']]),
  relative('from 2024-01-01 to 2024-03-31', 'month', '2024-01-01', '2024-03-31', 'UTC', [['2024-01-01', '2024-03-30']]),
  // In New York "now" is 2024-06-15 08:00 EDT: the same calendar days, shifted by four hours.
  relative('yesterday', 'hour', '2024-06-14', '2024-06-14', NY, [['2024-06-14', '2024-06-14', 'UTC']]),
  relative('today', 'day', '2024-06-15', '2024-06-15', NY, [['2024-06-15', '2024-06-15', 'UTC']]),
]

export const timeCases: OracleCase[] = [...granularityCases, ...timezoneCases, ...relativeCases]
