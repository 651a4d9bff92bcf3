/**
 * A compile-only DuckDB-flavoured dialect, written in test/ to show that an engine is a dialect object and
 * nothing else: no change to src/query/ (the planner) or src/sql/render-sql.ts (the printer). It uses the
 * parts today's three engines do not: typed placeholders (`$1::BIGINT`), a backslash as the LIKE escape
 * character, and capability flags. Not a supported engine (the DuckDB dialect proper lives in src/sql/dialects/).
 */
import type { ParamType, SqlDialect } from '../../src/sql/dialect.js'
import { doubleQuote, likePattern } from '../../src/sql/dialect.js'

const CASTS: Record<ParamType, string> = {
  string: 'VARCHAR',
  number: 'DOUBLE',
  integer: 'BIGINT',
  boolean: 'BOOLEAN',
  instant: 'TIMESTAMPTZ',
  zone: 'VARCHAR',
}

/** 'YYYY-MM-DDTHH:MM:SS.mmm' as every dialect formats time buckets (%g: milliseconds). */
const ISO = `'%Y-%m-%dT%H:%M:%S.%g'`

export const duckdbTestDialect: SqlDialect = {
  name: 'duckdb-test',
  capabilities: { windowFunctions: true, filterClause: true, qualify: true, namedTimeZones: true },
  quoteIdentifier: doubleQuote,
  // Instants carry their cast from instantPlaceholder; every other value is cast to its type here.
  placeholder: (i, type) => (type === 'instant' ? `$${i}` : `$${i}::${CASTS[type]}`),
  booleanParam: (v) => v,
  instantParam: (ms) => new Date(ms).toISOString(),
  instantPlaceholder: (p) => `${p}::TIMESTAMPTZ`,
  timeComparable: (c) => c,
  timeGroup(column, granularity, tz) {
    const local = `timezone(${tz ? tz() : `'UTC'`}, (${column})::TIMESTAMPTZ)`
    return `strftime(${granularity === 'raw' ? local : `date_trunc('${granularity}', ${local})`}, ${ISO})`
  },
  timeZoneParam: (tz) => tz,
  likeEscape: '\\',
  like: (c, not, p) => `${c} ${not ? 'NOT ILIKE' : 'ILIKE'} ${p} ESCAPE '\\'`,
  exact: {
    text: (c) => `(${c})::VARCHAR`,
    value: (p) => p,
    pattern: (v, mode) => likePattern(v, mode, '\\'),
    match: (c, not, p) => `(${c})::VARCHAR ${not ? 'NOT LIKE' : 'LIKE'} ${p} ESCAPE '\\'`,
  },
  nullSafeEquals: (a, b) => `${a} IS NOT DISTINCT FROM ${b}`,
  limitOffset: (l, o) => `LIMIT ${l}${o ? ` OFFSET ${o}` : ''}`,
}
