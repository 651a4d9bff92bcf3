import type { Granularity } from '../../query/normalized-query.js'
import { likePattern, utcText, type SqlDialect, type TextMatchMode } from '../dialect.js'

/** DATETIME_TRUNC parts per granularity; Cube's weeks start on Monday (ISOWEEK). */
const PARTS: Record<Granularity, string> = {
  second: 'SECOND',
  minute: 'MINUTE',
  hour: 'HOUR',
  day: 'DAY',
  week: 'ISOWEEK',
  month: 'MONTH',
  quarter: 'QUARTER',
  year: 'YEAR',
}

/** Text as its UTF-8 bytes: BYTES compare and LIKE byte by byte, whatever collation the column has. */
const bytes = (x: string): string => `CAST(${x} AS BYTES)`

/**
 * BigQuery (GoogleSQL). Named parameters `@p0, @p1, …` (the n-th value of the statement's `params`; the
 * connector names them). Time dimensions are TIMESTAMP columns: `DATETIME(ts, zone)` gives the civil time in
 * the bound zone (DST-correct), `DATETIME_TRUNC` truncates it, `FORMAT_DATETIME` prints Cube's form.
 * Instants are bound as UTC text inside `TIMESTAMP(@p)`. LIKE has no ESCAPE clause: patterns escape with a
 * backslash (`likeEscape`), case folding is `LOWER` on both sides. Security filters compare UTF-8 bytes
 * (no collation can widen them). Backtick identifiers, backslash escapes inside them.
 */
export const bigqueryDialect: SqlDialect = {
  name: 'bigquery',
  quoteIdentifier: (name) => `\`${name.replace(/[\\`]/g, (c) => `\\${c}`)}\``,
  placeholder: (i) => `@p${i - 1}`,
  // "Maximum number of query parameters: 10,000" (BigQuery quotas, query jobs).
  maxParameters: 10_000,
  booleanParam: (v) => v,
  instantParam: utcText,
  lastInstantParam: '9999-12-31 23:59:59.999999',
  instantPlaceholder: (p) => `TIMESTAMP(${p})`,
  timeComparable: (c) => c,
  timeGroup(column, granularity, tz) {
    const local = `DATETIME(${column}, ${tz ? tz() : `'UTC'`})`
    const truncated = granularity === 'raw' ? local : `DATETIME_TRUNC(${local}, ${PARTS[granularity]})`
    return `FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', ${truncated})`
  },
  timeZoneParam: (tz) => tz,
  likeEscape: '\\',
  like: (c, not, p) => `LOWER(${c}) ${not ? 'NOT LIKE' : 'LIKE'} LOWER(${p})`,
  approxCountDistinct: (x) => `APPROX_COUNT_DISTINCT(${x})`,
  exact: {
    text: bytes,
    value: bytes,
    pattern: (value: string, mode: TextMatchMode) => likePattern(value, mode, '\\'),
    match: (c, not, p) => `${bytes(c)} ${not ? 'NOT LIKE' : 'LIKE'} ${bytes(p)}`,
  },
  nullSafeEquals: (a, b) => `${a} IS NOT DISTINCT FROM ${b}`,
  limitOffset: (l, o) => `LIMIT ${l}${o ? ` OFFSET ${o}` : ''}`,
}
