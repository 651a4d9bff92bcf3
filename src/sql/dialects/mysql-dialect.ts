import type { Granularity } from '../../query/normalized-query.js'
import { utcText, type SqlDialect } from '../dialect.js'

const FORMATS: Record<Exclude<Granularity, 'week' | 'quarter'> | 'raw', string> = {
  raw: '%Y-%m-%dT%H:%i:%s.%f',
  second: '%Y-%m-%dT%H:%i:%s.000',
  minute: '%Y-%m-%dT%H:%i:00.000',
  hour: '%Y-%m-%dT%H:00:00.000',
  day: '%Y-%m-%dT00:00:00.000',
  month: '%Y-%m-01T00:00:00.000',
  year: '%Y-01-01T00:00:00.000',
}

/**
 * MySQL / MariaDB: stored times are read as UTC; CONVERT_TZ with a bound named zone (needs the
 * server's time zone tables, never a fixed offset). Backticks for identifiers.
 */
export const mysqlDialect: SqlDialect = {
  name: 'mysql',
  quoteIdentifier: (name) => `\`${name.replace(/`/g, '``')}\``,
  placeholder: () => '?',
  // prepared statements count parameters in 16 bits.
  maxParameters: 65_535,
  booleanParam: (v) => (v ? 1 : 0),
  instantParam: utcText,
  lastInstantParam: '9999-12-31 23:59:59.999999',
  instantPlaceholder: (p) => p,
  timeComparable: (c) => c,
  timeGroup(column, granularity, tz) {
    const local = () => (tz ? `CONVERT_TZ(${column}, '+00:00', ${tz()})` : column)
    if (granularity === 'week') return `DATE_FORMAT(DATE_SUB(${local()}, INTERVAL WEEKDAY(${local()}) DAY), '%Y-%m-%dT00:00:00.000')`
    if (granularity === 'quarter') {
      return `CONCAT(YEAR(${local()}), '-', LPAD(QUARTER(${local()}) * 3 - 2, 2, '0'), '-01T00:00:00.000')`
    }
    const formatted = `DATE_FORMAT(${local()}, '${FORMATS[granularity]}')`
    return granularity === 'raw' ? `LEFT(${formatted}, 23)` : formatted
  },
  like: (c, not, p) => `${c} ${not ? 'NOT LIKE' : 'LIKE'} ${p} ESCAPE '!'`,
  nullSafeEquals: (a, b) => `${a} <=> ${b}`,
  limitOffset: (l, o) => `LIMIT ${l}${o ? ` OFFSET ${o}` : ''}`,
}
