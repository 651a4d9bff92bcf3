import type { Granularity } from '../query/normalized-query.js'

/** A time value for a parameter: an instant in epoch milliseconds (UTC). */
export interface InstantParam {
  readonly instant: number
}

/**
 * What the renderer needs from a SQL engine: quoting, placeholders, parameter encodings and a few
 * small emitters. Differences between engines live here as data and tiny functions, never as
 * `if (dialect === ...)` in the planner.
 */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres' | 'mysql' | 'bigquery' | 'snowflake' | 'duckdb'
  /**
   * Most bound values one statement may carry on this engine (SQLite's SQLITE_MAX_VARIABLE_NUMBER, the
   * protocols' 16-bit parameter count on PostgreSQL and MySQL). A statement needing more is refused before
   * it is sent (QUERY_INVALID / TOO_MANY_PARAMETERS). Without it, nothing is checked.
   */
  readonly maxParameters?: number
  /** Quote an identifier from the model (cube names, aliases). */
  quoteIdentifier(name: string): string
  /** Placeholder for the n-th parameter (1-based). */
  placeholder(index: number): string
  /** Encode a boolean filter value for this engine. */
  booleanParam(value: boolean): unknown
  /** Encode an instant for comparison with a time column wrapped by `timeComparable`. */
  instantParam(epochMs: number): unknown
  /**
   * The calendar's last instant, 9999-12-31 23:59:59.999999 UTC, encoded like `instantParam` (which works in
   * milliseconds): the inclusive upper bound of a date range that reaches the end of the calendar, where
   * the exclusive bound would be year 10000, which MySQL and SQLite cannot compare and PostgreSQL's
   * parser rejects in ISO form. Without it, the last millisecond is used.
   */
  readonly lastInstantParam?: unknown
  /** Wrap a placeholder that holds an instant (e.g. a cast). */
  instantPlaceholder(placeholder: string): string
  /** Make a stored time column comparable with `instantParam` values. */
  timeComparable(column: string): string
  /**
   * Truncate a stored (UTC) time column to a granularity in a time zone and format it as
   * 'YYYY-MM-DDTHH:mm:ss.SSS'. `tz` is a placeholder for the zone name, or undefined for UTC.
   * `'raw'` keeps milliseconds. May use `tz` more than once.
   */
  timeGroup(column: string, granularity: Granularity | 'raw', tz: (() => string) | undefined): string
  /** The parameter value `timeGroup`'s `tz` placeholder holds for an IANA zone (its name, or a fixed offset). */
  timeZoneParam(tz: string): string
  /**
   * Case-insensitive LIKE with `!` as the declared escape character, whatever the column's collation
   * (the `contains` / `startsWith` / `endsWith` operators of user filters).
   */
  like(column: string, not: boolean, pattern: string): string
  /**
   * The bound pattern of a `like()` match, for an engine whose LIKE has another escape character (BigQuery's
   * LIKE has no ESCAPE clause and escapes with a backslash). Without it, {@link likePattern} (`!` escapes).
   */
  likePattern?(value: string, mode: TextMatchMode): string
  /**
   * The aggregate of a `count_distinct_approx` measure, for an engine with an approximate distinct count
   * (HyperLogLog: `APPROX_COUNT_DISTINCT` on BigQuery and Snowflake). Without it, the count is exact
   * (`count(DISTINCT …)`), which is a correct answer to the approximate question.
   */
  approxCountDistinct?(expression: string): string
  /** Exact text comparisons for security filters (see {@link ExactText}). */
  readonly exact: ExactText
  /** Null-safe equality used to join fan-out subqueries on their dimensions. */
  nullSafeEquals(left: string, right: string): string
  /** LIMIT/OFFSET clause with placeholders. */
  limitOffset(limit: string, offset: string | undefined): string
}

export type TextMatchMode = 'contains' | 'starts' | 'ends'

/**
 * How security filters (access-policy row filters, `authorize` filters, filters `queryRewrite` adds)
 * compare text: code point by code point, so case, accents and trailing spaces count whatever the
 * column's collation or type (MySQL `_ci` / PAD SPACE collations, SQLite `COLLATE NOCASE`, PostgreSQL
 * citext and nondeterministic collations). Equality renders as the column's own comparison (which can
 * use its index and matches every exactly equal row) AND `text(column) = value(placeholder)`.
 */
export interface ExactText {
  /** The column as an expression that compares exactly with {@link ExactText.value}. */
  text(column: string): string
  /** A placeholder holding text, for comparison with {@link ExactText.text}. */
  value(placeholder: string): string
  /** The bound pattern of a case-sensitive `[NOT] LIKE`-style match, for {@link ExactText.match}. */
  pattern(value: string, mode: TextMatchMode): string
  /** A case- and accent-sensitive match of the column against a placeholder holding {@link ExactText.pattern}. */
  match(column: string, not: boolean, pattern: string): string
}

/** The bound pattern of a `like()` match: the value with LIKE wildcards escaped, `%` where the mode needs it. */
export function likePattern(value: string, mode: TextMatchMode): string {
  const e = escapeLike(value)
  return mode === 'contains' ? `%${e}%` : mode === 'starts' ? `${e}%` : `%${e}`
}

/** Escape LIKE wildcards and the escape character itself, for `like(..., ESCAPE '!')`. */
export function escapeLike(value: string): string {
  return value.replace(/[!%_]/g, (c) => `!${c}`)
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

/** 'YYYY-MM-DD HH:MM:SS.SSS' in UTC, the text form SQLite and MySQL compare and parse. */
export function utcText(epochMs: number): string {
  const d = new Date(epochMs)
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`
}

/** Escape LIKE wildcards and the backslash, for an engine whose LIKE escapes with a backslash (no ESCAPE clause). */
export function backslashLikePattern(value: string, mode: TextMatchMode): string {
  const e = value.replace(/[\\%_]/g, (c) => `\\${c}`)
  return mode === 'contains' ? `%${e}%` : mode === 'starts' ? `${e}%` : `%${e}`
}

/** Standard SQL double-quoted identifier. */
export function doubleQuote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}
