/**
 * Edges of the value space that once went wrong on some engine, each against hand-written SQL (so each
 * runs on SQLite here and on PostgreSQL and MariaDB in engines.test.ts):
 * - ranges reaching the end of the calendar (9999-12-31): the exclusive bound fell in year 10000, so
 *   SQLite and MySQL returned no rows and PostgreSQL failed (22009). A range is cut to the calendar
 *   (years 0001-9999 in UTC): one reaching past an end covers everything up to it.
 * - `values: [null]` for contains & co. rendered `( OR col IS NULL)`. Like equals/notEquals: the
 *   positive operators with only null match NULL, the negative ones match every non-NULL value.
 */
import type { OracleCase } from './helpers.js'

const BY_STATUS = (where: string) =>
  `SELECT status AS "orders.status", count(*) AS "orders.count" FROM orders WHERE ${where} GROUP BY status`
const byStatus = (extra: Record<string, unknown>) => ({
  measures: ['orders.count'],
  dimensions: ['orders.status'],
  ...extra,
})
const dates = (operator: string, values: string[]) => [{ member: 'orders.created_at', operator, values }]
const NONE = BY_STATUS('1 = 0')

export const calendarEndCases: OracleCase[] = [
  {
    kind: 'filter',
    name: 'a dateRange open to 9999-12-31 keeps every row from its start',
    query: byStatus({ timeDimensions: [{ dimension: 'orders.created_at', dateRange: ['2024-01-01', '9999-12-31'] }] }),
    oracleSql: BY_STATUS(`created_at >= '2024-01-01 00:00:00'`),
    minRows: 5,
    wrongSql: [NONE],
  },
  {
    kind: 'filter',
    name: 'inDateRange to 9999-12-31 in America/New_York (its last day ends in year 10000 UTC)',
    query: byStatus({ timezone: 'America/New_York', filters: dates('inDateRange', ['2024-06-01', '9999-12-31']) }),
    // 2024-06-01 00:00 EDT = 04:00 UTC.
    oracleSql: BY_STATUS(`created_at >= '2024-06-01 04:00:00'`),
    minRows: 5,
    wrongSql: [NONE, BY_STATUS(`created_at >= '2024-06-01 00:00:00'`)],
  },
  {
    kind: 'filter',
    name: 'notInDateRange to 9999-12-31 keeps the rows before its start',
    query: byStatus({ filters: dates('notInDateRange', ['2024-01-01', '9999-12-31']) }),
    oracleSql: BY_STATUS(`created_at < '2024-01-01 00:00:00'`),
    minRows: 5,
    wrongSql: [BY_STATUS('1 = 1')],
  },
  {
    kind: 'filter',
    name: 'a dateRange from 0001-01-01 in Europe/Berlin (its first day starts in year 0 UTC)',
    query: byStatus({
      timezone: 'Europe/Berlin',
      timeDimensions: [{ dimension: 'orders.created_at', dateRange: ['0001-01-01', '2023-12-31'] }],
    }),
    // 2024-01-01 00:00 CET = 2023-12-31 23:00 UTC.
    oracleSql: BY_STATUS(`created_at < '2023-12-31 23:00:00'`),
    minRows: 5,
    wrongSql: [NONE, BY_STATUS(`created_at < '2024-01-01 00:00:00'`)],
  },
]

const NOTE_COUNTS = (where: string) =>
  `SELECT note AS "orders.note", count(*) AS "orders.count" FROM orders WHERE ${where} GROUP BY note`
const notes = (operator: string, values: (string | null)[]) => ({
  measures: ['orders.count'],
  dimensions: ['orders.note'],
  filters: [{ member: 'orders.note', operator, values }],
})

export const nullValueCases: OracleCase[] = [
  ...(['contains', 'startsWith', 'endsWith'] as const).map(
    (operator): OracleCase => ({
      kind: 'filter',
      name: `${operator} with only null among the values matches NULL`,
      query: notes(operator, [null]),
      oracleSql: NOTE_COUNTS('note IS NULL'),
      minRows: 1,
      wrongSql: [NOTE_COUNTS('1 = 1')],
    }),
  ),
  ...(['notContains', 'notStartsWith', 'notEndsWith'] as const).map(
    (operator): OracleCase => ({
      kind: 'filter',
      name: `${operator} with only null among the values matches every non-NULL value`,
      query: notes(operator, [null]),
      oracleSql: NOTE_COUNTS('note IS NOT NULL'),
      minRows: 5,
      wrongSql: [NOTE_COUNTS('1 = 1')],
    }),
  ),
  {
    kind: 'filter',
    name: 'contains with a value and null matches the value or NULL',
    query: notes('contains', ['gift', null]),
    oracleSql: NOTE_COUNTS(`instr(lower(note), 'gift') > 0 OR note IS NULL`),
    minRows: 2,
    wrongSql: [NOTE_COUNTS(`instr(lower(note), 'gift') > 0`)],
  },
]
