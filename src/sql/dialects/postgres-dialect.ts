import { doubleQuote, likePattern, type SqlDialect } from '../dialect.js'

/** Text under the "C" collation: compared byte by byte (code point order). */
const cText = (c: string): string => `(${c})::text COLLATE "C"`

/**
 * PostgreSQL: instants are bound as ISO strings cast to timestamptz; time zone conversion with
 * AT TIME ZONE and a bound zone name; LIKE is ILIKE (Cube's case-insensitive semantics). Security
 * filters compare as text under the "C" collation: byte order, no case folding, also for citext columns
 * and nondeterministic (case- or accent-insensitive ICU) collations.
 */
export const postgresDialect: SqlDialect = {
  name: 'postgres',
  quoteIdentifier: doubleQuote,
  placeholder: (i) => `$${i}`,
  booleanParam: (v) => v,
  instantParam: (ms) => new Date(ms).toISOString(),
  instantPlaceholder: (p) => `${p}::timestamptz`,
  timeComparable: (c) => c,
  timeGroup(column, granularity, tz) {
    const local = `(${column}::timestamptz AT TIME ZONE ${tz ? `${tz()}` : `'UTC'`})`
    const truncated = granularity === 'raw' ? local : `date_trunc('${granularity}', ${local})`
    return `to_char(${truncated}, 'YYYY-MM-DD"T"HH24:MI:SS.MS')`
  },
  timeZoneParam: (tz) => tz,
  like: (c, not, p) => `${c} ${not ? 'NOT ILIKE' : 'ILIKE'} ${p} ESCAPE '!'`,
  exact: {
    text: cText,
    value: (p) => p,
    pattern: likePattern,
    match: (c, not, p) => `${cText(c)} ${not ? 'NOT LIKE' : 'LIKE'} ${p} ESCAPE '!'`,
  },
  nullSafeEquals: (a, b) => `${a} IS NOT DISTINCT FROM ${b}`,
  limitOffset: (l, o) => `LIMIT ${l}${o ? ` OFFSET ${o}` : ''}`,
}
