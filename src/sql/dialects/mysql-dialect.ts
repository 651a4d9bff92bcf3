import type { Granularity } from '../../query/normalized-query.js'
import { fixedOffsetText } from '../../util/time-zone.js'
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

/** Text in utf8mb4 whatever the column's character set (latin1, binary, ...). */
const utf8 = (c: string): string => `CONVERT((${c}) USING utf8mb4)`

/**
 * MySQL / MariaDB: stored times are read as UTC; CONVERT_TZ with a bound zone: a fixed offset for zones
 * that have one (UTC, Etc/GMT-5), else the name (needs the server's time zone tables; the connector
 * checks once per pool). Backticks for identifiers.
 *
 * Text: `contains` & co. lower both sides and compare under utf8mb4_bin, so they fold case (and only
 * case, as ILIKE does) under any collation, also `_bin`, `_cs` and binary columns.
 */
export const mysqlDialect: SqlDialect = {
  name: 'mysql',
  quoteIdentifier: (name) => `\`${name.replace(/`/g, '``')}\``,
  placeholder: () => '?',
  booleanParam: (v) => (v ? 1 : 0),
  instantParam: utcText,
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
  // Zones with a fixed offset need no time zone tables: CONVERT_TZ takes the offset itself.
  timeZoneParam: (tz) => fixedOffsetText(tz) ?? tz,
  like: (c, not, p) => `LOWER(${utf8(c)}) COLLATE utf8mb4_bin ${not ? 'NOT LIKE' : 'LIKE'} LOWER(${p}) ESCAPE '!'`,
  nullSafeEquals: (a, b) => `${a} <=> ${b}`,
  limitOffset: (l, o) => `LIMIT ${l}${o ? ` OFFSET ${o}` : ''}`,
}
