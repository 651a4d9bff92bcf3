import type { Granularity } from '../../query/normalized-query.js'
import { fixedOffsetText } from '../../util/time-zone.js'
import { likePattern, utcText, type SqlDialect } from '../dialect.js'

const FORMATS: Record<Exclude<Granularity, 'week' | 'quarter'> | 'raw', string> = {
  raw: '%Y-%m-%dT%H:%i:%s.%f',
  second: '%Y-%m-%dT%H:%i:%s.000',
  minute: '%Y-%m-%dT%H:%i:00.000',
  hour: '%Y-%m-%dT%H:00:00.000',
  day: '%Y-%m-%dT00:00:00.000',
  month: '%Y-%m-01T00:00:00.000',
  year: '%Y-01-01T00:00:00.000',
}

/** Text in utf8mb4 whatever the column's character set (latin1, binary, ...): what both text emitters compare. */
const utf8 = (c: string): string => `CONVERT((${c}) USING utf8mb4)`

/**
 * MySQL / MariaDB: stored times are read as UTC; CONVERT_TZ with a bound zone: a fixed offset for zones
 * that have one (UTC, Etc/GMT-5), else the name (needs the server's time zone tables; the connector
 * checks once per pool). Backticks for identifiers.
 *
 * Text: `contains` & co. lower both sides and compare under utf8mb4_bin, so they fold case (and only
 * case, as ILIKE does) under any collation, also `_bin`, `_cs` and binary columns. Security filters
 * compare utf8mb4 bytes (`CAST(? AS BINARY)`): binary strings have no PAD SPACE and no case folding.
 *
 * Why `col = ? AND CONVERT(col USING utf8mb4) = CAST(? AS BINARY)` for security equality (EXPLAIN on
 * MariaDB 10.11, an indexed utf8mb4_general_ci column): `col = CAST(? AS BINARY)` is a `ref` lookup on the
 * index but compares the column's own bytes, so a latin1 column never matches a non-ASCII value;
 * `CAST(col AS BINARY) = ?` scans the whole table (`ALL`). The column's own `=` keeps the `ref` lookup
 * (every exactly equal row passes it under any collation) and the converted side makes it exact.
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
    if (granularity === 'week')
      return `DATE_FORMAT(DATE_SUB(${local()}, INTERVAL WEEKDAY(${local()}) DAY), '%Y-%m-%dT00:00:00.000')`
    if (granularity === 'quarter') {
      return `CONCAT(YEAR(${local()}), '-', LPAD(QUARTER(${local()}) * 3 - 2, 2, '0'), '-01T00:00:00.000')`
    }
    const formatted = `DATE_FORMAT(${local()}, '${FORMATS[granularity]}')`
    return granularity === 'raw' ? `LEFT(${formatted}, 23)` : formatted
  },
  // Zones with a fixed offset need no time zone tables: CONVERT_TZ takes the offset itself.
  timeZoneParam: (tz) => fixedOffsetText(tz) ?? tz,
  like: (c, not, p) => `LOWER(${utf8(c)}) COLLATE utf8mb4_bin ${not ? 'NOT LIKE' : 'LIKE'} LOWER(${p}) ESCAPE '!'`,
  exact: {
    text: utf8,
    value: (p) => `CAST(${p} AS BINARY)`,
    pattern: likePattern,
    match: (c, not, p) => `${utf8(c)} ${not ? 'NOT LIKE' : 'LIKE'} CAST(${p} AS BINARY) ESCAPE '!'`,
  },
  nullSafeEquals: (a, b) => `${a} <=> ${b}`,
  limitOffset: (l, o) => `LIMIT ${l}${o ? ` OFFSET ${o}` : ''}`,
}
