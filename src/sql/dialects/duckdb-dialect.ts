import type { Granularity } from '../../query/normalized-query.js'
import { fixedOffsetText } from '../../util/time-zone.js'
import { doubleQuote, likePattern, utcText, type SqlDialect } from '../dialect.js'

/** Text under DuckDB's binary collation: compared code point by code point, whatever the column's collation. */
const binaryText = (c: string): string => `CAST(${c} AS VARCHAR) COLLATE c`

/**
 * A stored time column as a naive UTC TIMESTAMP, whatever its type: `epoch_us` reads a TIMESTAMP as UTC
 * wall-clock time and a TIMESTAMPTZ (or DATE) as its instant, and neither reading consults the session's
 * TimeZone (which follows the host's unless the connector sets it). A cast would: TIMESTAMPTZ → TIMESTAMP
 * converts into the session zone.
 */
const utcTimestamp = (column: string): string => `make_timestamp(epoch_us(${column}))`

/**
 * DuckDB: `$n` placeholders (a value used twice is bound once per use all the same, like PostgreSQL);
 * instants bound as UTC text cast to TIMESTAMP; named time zones through ICU's `timezone(zone, instant)`
 * (DST-correct; the ICU extension ships in @duckdb/node-api's binary). Grouped times are formatted by
 * `strftime` as Cube's 'YYYY-MM-DDTHH:mm:ss.SSS'. Text operators use ILIKE, which folds case in Unicode
 * like PostgreSQL's; security filters compare under the `c` (binary) collation, also for a column declared
 * `COLLATE nocase` or `noaccent`. Decimal arithmetic stays exact (DECIMAL), except division and AVG, which
 * DuckDB computes in DOUBLE as the other engines' drivers report them.
 */
export const duckdbDialect: SqlDialect = {
  name: 'duckdb',
  quoteIdentifier: doubleQuote,
  placeholder: (i) => `$${i}`,
  booleanParam: (v) => v,
  instantParam: utcText,
  lastInstantParam: '9999-12-31 23:59:59.999999',
  instantPlaceholder: (p) => `CAST(${p} AS TIMESTAMP)`,
  // Kept as the column so zone maps and filter pushdown apply; a TIMESTAMPTZ column compares with the
  // naive bound in the session zone, which the connector sets to UTC on every connection it opens.
  timeComparable: (c) => c,
  timeGroup(column, granularity, tz) {
    const utc = utcTimestamp(column)
    const local = tz ? `timezone(${tz()}, timezone('UTC', ${utc}))` : utc
    const truncated = granularity === 'raw' ? local : `date_trunc('${granularity satisfies Granularity}', ${local})`
    return `strftime(${truncated}, '%Y-%m-%dT%H:%M:%S.%g')`
  },
  // ICU has no '+05:00' zones; fixed offsets keep their IANA spelling ('Etc/GMT-5'), UTC aliases become UTC.
  timeZoneParam: (tz) => (fixedOffsetText(tz) === '+00:00' ? 'UTC' : tz),
  like: (c, not, p) => `${c} ${not ? 'NOT ILIKE' : 'ILIKE'} ${p} ESCAPE '!'`,
  exact: {
    text: binaryText,
    value: (p) => p,
    pattern: likePattern,
    match: (c, not, p) => `${binaryText(c)} ${not ? 'NOT LIKE' : 'LIKE'} ${p} ESCAPE '!'`,
  },
  nullSafeEquals: (a, b) => `${a} IS NOT DISTINCT FROM ${b}`,
  limitOffset: (l, o) => `LIMIT ${l}${o ? ` OFFSET ${o}` : ''}`,
}
