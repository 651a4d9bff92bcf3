import type { Granularity } from '../../query/normalized-query.js'
import { doubleQuote, utcText, type SqlDialect, type TextMatchMode } from '../dialect.js'

/** Name of the SQL function the SQLite connector registers to convert UTC text to a named zone. */
export const SQLITE_TZ_FUNCTION = 'cortex_convert_tz'

const FORMATS: Record<Exclude<Granularity, 'week' | 'quarter'> | 'raw', string> = {
  raw: '%Y-%m-%dT%H:%M:%f',
  second: '%Y-%m-%dT%H:%M:%S.000',
  minute: '%Y-%m-%dT%H:%M:00.000',
  hour: '%Y-%m-%dT%H:00:00.000',
  day: '%Y-%m-%dT00:00:00.000',
  month: '%Y-%m-01T00:00:00.000',
  year: '%Y-01-01T00:00:00.000',
}

/** A GLOB pattern matching `value` literally: `*`, `?` and `[` become one-character classes. */
function globPattern(value: string, mode: TextMatchMode): string {
  const e = value.replace(/[*?[]/g, (c) => `[${c}]`)
  return mode === 'contains' ? `*${e}*` : mode === 'starts' ? `${e}*` : `*${e}`
}

/**
 * SQLite: time values are TEXT. Comparisons normalize the column with strftime so 'YYYY-MM-DD HH:MM:SS',
 * ISO 'T' forms and fractional seconds all compare correctly against 'YYYY-MM-DD HH:MM:SS.SSS' bounds.
 * Named time zones go through a registered function (DST-correct); UTC needs none, so SQL for UTC
 * queries runs in any SQLite shell.
 */
export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  quoteIdentifier: doubleQuote,
  placeholder: () => '?',
  booleanParam: (v) => (v ? 1 : 0),
  instantParam: utcText,
  instantPlaceholder: (p) => p,
  timeComparable: (c) => `strftime('%Y-%m-%d %H:%M:%f', ${c})`,
  timeGroup(column, granularity, tz) {
    const local = () => (tz ? `${SQLITE_TZ_FUNCTION}(${column}, ${tz()})` : column)
    if (granularity === 'week') return `strftime('%Y-%m-%dT00:00:00.000', ${local()}, 'weekday 0', '-6 days')`
    if (granularity === 'quarter') {
      return `strftime('%Y-%m-01T00:00:00.000', ${local()}, 'start of month', '-' || ((CAST(strftime('%m', ${local()}) AS INTEGER) - 1) % 3) || ' months')`
    }
    return `strftime('${FORMATS[granularity]}', ${local()})`
  },
  // SQLite's LIKE folds ASCII letters only ('É' and 'é' differ): documented in docs/queries.md.
  timeZoneParam: (tz) => tz,
  like: (c, not, p) => `${c} ${not ? 'NOT LIKE' : 'LIKE'} ${p} ESCAPE '!'`,
  // Security filters: BINARY collation (not the column's NOCASE or RTRIM); GLOB is case-sensitive where LIKE is not.
  exact: {
    text: (c) => `(${c}) COLLATE BINARY`,
    value: (p) => p,
    pattern: globPattern,
    match: (c, not, p) => `(${c}) ${not ? 'NOT GLOB' : 'GLOB'} ${p}`,
  },
  nullSafeEquals: (a, b) => `${a} IS ${b}`,
  limitOffset: (l, o) => `LIMIT ${l}${o ? ` OFFSET ${o}` : ''}`,
}
