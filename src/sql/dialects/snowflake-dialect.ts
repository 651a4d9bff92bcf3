import type { Granularity } from '../../query/normalized-query.js'
import { doubleQuote, likePattern, utcText, type SqlDialect } from '../dialect.js'

const TEXT_FORMAT = `'YYYY-MM-DD"T"HH24:MI:SS.FF3'`
const INSTANT_FORMAT = `'YYYY-MM-DD HH24:MI:SS.FF6'`

/** Text under the `utf8` collation: compared by code point, whatever collation the column was declared with. */
const binary = (c: string): string => `COLLATE(${c}, 'utf8')`

/**
 * Snowflake. Positional `?` parameters. The connector sets the session's TIMEZONE to UTC, so a
 * TIMESTAMP_NTZ column is read as UTC and `::TIMESTAMP_TZ` keeps every column's instant;
 * `CONVERT_TIMEZONE(zone, ts)` moves it to the bound zone (DST-correct) and `::TIMESTAMP_NTZ` keeps the
 * local wall clock for `DATE_TRUNC` and `TO_CHAR`. Weeks start on Monday by `DAYOFWEEKISO`, not the
 * session's WEEK_START. Instants are bound as UTC text with an explicit format (not the session's input
 * format). ILIKE with `!` as the escape character; security filters compare under the `utf8` collation.
 */
export const snowflakeDialect: SqlDialect = {
  name: 'snowflake',
  quoteIdentifier: doubleQuote,
  placeholder: () => '?',
  booleanParam: (v) => v,
  instantParam: (ms) => `${utcText(ms)}000`,
  lastInstantParam: '9999-12-31 23:59:59.999999',
  instantPlaceholder: (p) => `TO_TIMESTAMP_NTZ(${p}, ${INSTANT_FORMAT})`,
  timeComparable: (c) => c,
  timeGroup(column, granularity, tz) {
    const local = (): string => `CONVERT_TIMEZONE(${tz ? tz() : `'UTC'`}, (${column})::TIMESTAMP_TZ)::TIMESTAMP_NTZ`
    if (granularity === 'raw') return `TO_CHAR(${local()}, ${TEXT_FORMAT})`
    if (granularity === 'week') {
      return `TO_CHAR(DATEADD('day', 1 - DAYOFWEEKISO(${local()}), DATE_TRUNC('day', ${local()})), ${TEXT_FORMAT})`
    }
    return `TO_CHAR(DATE_TRUNC('${granularity satisfies Exclude<Granularity, 'week'>}', ${local()}), ${TEXT_FORMAT})`
  },
  timeZoneParam: (tz) => tz,
  like: (c, not, p) => `${c} ${not ? 'NOT ILIKE' : 'ILIKE'} ${p} ESCAPE '!'`,
  approxCountDistinct: (x) => `APPROX_COUNT_DISTINCT(${x})`,
  exact: {
    text: binary,
    value: (p) => p,
    pattern: likePattern,
    match: (c, not, p) => `${binary(c)} ${not ? 'NOT LIKE' : 'LIKE'} ${p} ESCAPE '!'`,
  },
  nullSafeEquals: (a, b) => `${a} IS NOT DISTINCT FROM ${b}`,
  limitOffset: (l, o) => `LIMIT ${l}${o ? ` OFFSET ${o}` : ''}`,
}
