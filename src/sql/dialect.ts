import type { Granularity } from '../query/normalized-query.js'

/** A time value for a parameter: an instant in epoch milliseconds (UTC). */
export interface InstantParam {
  readonly instant: number
}

/**
 * What a bound value holds, for placeholders that carry a type (`@p1` with a declared type, `$1::int`):
 * `instant` is `instantParam`'s encoding, `zone` is `timeZoneParam`'s, `integer` is a LIMIT or OFFSET,
 * `number` a filter value.
 */
export type ParamType = 'string' | 'number' | 'integer' | 'boolean' | 'instant' | 'zone'

/**
 * What an engine can do beyond the SQL every dialect here speaks. The printer reads them; a plan that needs
 * a capability a dialect lacks is refused (UNSUPPORTED) rather than printed wrong. Absent: see each default.
 */
export interface DialectCapabilities {
  /** Window functions (`… OVER (…)`). Default false. */
  readonly windowFunctions?: boolean
  /** `aggregate(x) FILTER (WHERE …)`. Default false (measure filters print as `CASE WHEN` inside). */
  readonly filterClause?: boolean
  /** `QUALIFY` (filter on window functions). Default false. */
  readonly qualify?: boolean
  /** Time buckets in a named IANA zone (`timeGroup` with a zone placeholder). Default true. */
  readonly namedTimeZones?: boolean
}

/**
 * What the renderer needs from a SQL engine: quoting, placeholders, parameter encodings, capability flags
 * and a few small emitters. Differences between engines live here as data and tiny functions, never as
 * `if (dialect === ...)` in the planner or the printer. Built-in dialects are listed once, in
 * dialects/registry.ts; a host's own dialect is any object of this shape (a connector's `dialect`).
 */
export interface SqlDialect {
  /** Names the dialect in cache keys and `layer.sql(q, { dialect })`; unique among the dialects a layer uses. */
  readonly name: string
  readonly capabilities?: DialectCapabilities
  /**
   * Most bound values one statement may carry on this engine (SQLite's SQLITE_MAX_VARIABLE_NUMBER, the
   * protocols' 16-bit parameter count on PostgreSQL and MySQL). A statement needing more is refused before
   * it is sent (QUERY_INVALID / TOO_MANY_PARAMETERS). Without it, nothing is checked.
   */
  readonly maxParameters?: number
  /** Quote an identifier from the model (cube names, aliases). */
  quoteIdentifier(name: string): string
  /** Placeholder for the n-th parameter (1-based), holding a value of `type`. */
  placeholder(index: number, type: ParamType): string
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
   * The character that escapes `%`, `_` and itself in LIKE patterns (`contains` & co.): `!` by default,
   * declared with `ESCAPE '!'` in `like`. An engine whose LIKE has no ESCAPE clause names its fixed escape
   * character here (BigQuery: a backslash).
   */
  readonly likeEscape?: string
  /**
   * Case-insensitive LIKE with {@link SqlDialect.likeEscape} as the escape character, whatever the column's
   * collation (the `contains` / `startsWith` / `endsWith` operators of user filters).
   */
  like(column: string, not: boolean, pattern: string): string
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

const DIALECT_METHODS = [
  'quoteIdentifier',
  'placeholder',
  'booleanParam',
  'instantParam',
  'instantPlaceholder',
  'timeComparable',
  'timeGroup',
  'timeZoneParam',
  'like',
  'nullSafeEquals',
  'limitOffset',
] as const

/** Has `d` the shape of a {@link SqlDialect} (a name and every emitter)? Checks shape, not behaviour. */
export function isSqlDialect(d: unknown): d is SqlDialect {
  if (typeof d !== 'object' || d === null) return false
  try {
    const r = d as Record<string, unknown>
    const exact = r.exact as Record<string, unknown> | null | undefined
    return (
      typeof r.name === 'string' &&
      r.name.length > 0 &&
      DIALECT_METHODS.every((m) => typeof r[m] === 'function') &&
      typeof exact === 'object' &&
      exact !== null &&
      ['text', 'value', 'pattern', 'match'].every((m) => typeof exact[m] === 'function')
    )
  } catch {
    // A getter that throws (a hostile or broken object) is not a dialect.
    return false
  }
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
export function likePattern(value: string, mode: TextMatchMode, escapeChar = '!'): string {
  const e = escapeLike(value, escapeChar)
  return mode === 'contains' ? `%${e}%` : mode === 'starts' ? `${e}%` : `%${e}`
}

/** Escape LIKE wildcards and the escape character itself (a value, not SQL text: nothing here reads SQL). */
export function escapeLike(value: string, escapeChar = '!'): string {
  const special = escapeChar === '!' ? LIKE_SPECIAL : escapeChar === '\\' ? LIKE_SPECIAL_BACKSLASH : undefined
  if (special) return value.replace(special, (c) => `${escapeChar}${c}`)
  // Any other escape character: one pass over the value, no pattern built from the character.
  let out = ''
  for (const c of value) out += c === '%' || c === '_' || c === escapeChar ? `${escapeChar}${c}` : c
  return out
}

const LIKE_SPECIAL = /[!%_]/g
const LIKE_SPECIAL_BACKSLASH = /[\\%_]/g

const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

/** 'YYYY-MM-DD HH:MM:SS.SSS' in UTC, the text form SQLite and MySQL compare and parse. */
export function utcText(epochMs: number): string {
  const d = new Date(epochMs)
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`
}

/** Standard SQL double-quoted identifier. */
export function doubleQuote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}
