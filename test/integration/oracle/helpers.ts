/**
 * The independent oracle: hand-written SQLite SQL over the e-commerce tables, plus the helpers that
 * turn its rows into the shape the semantic layer promises (keys = member names, time values as
 * 'YYYY-MM-DDTHH:mm:ss.SSS' in the query time zone). Nothing here imports the library.
 */
import type { Database } from 'better-sqlite3'

export type Row = Record<string, unknown>

/** A Cube REST query, kept loose on purpose: the suite also sends invalid ones. */
export type CubeQuery = Record<string, unknown>

export type OracleKind =
  | 'filter'
  | 'granularity'
  | 'timezone'
  | 'relative-date'
  | 'feature'
  | 'view'
  | 'fan-out'
  | 'text'
  | 'division'

export interface OracleCase {
  readonly kind: OracleKind
  readonly name: string
  readonly query: CubeQuery
  /** Hand-written SQL whose column aliases are the expected result keys. */
  readonly oracleSql: string
  readonly params?: readonly unknown[]
  /** Post-processing of each oracle row (e.g. 0/1 → boolean). */
  readonly map?: (row: Row) => Row
  /** The query's `order` is total, so the row order must match too. */
  readonly ordered?: boolean
  /** Sanity floor for the oracle itself (checked by dataset.test.ts). Default 1. */
  readonly minRows?: number
  /**
   * Plausible wrong implementations (naive join, unescaped LIKE, UTC instead of the zone, ...).
   * dataset.test.ts checks that each gives different rows than the oracle, so the case can fail.
   */
  readonly wrongSql?: readonly string[]
}

// ---- time ----------------------------------------------------------------------------------------

export type Zone = 'UTC' | 'America/New_York' | 'Europe/Berlin'

/**
 * Daylight-saving periods as UTC instants [start, end), from the published rules:
 * US: second Sunday of March 02:00 local → first Sunday of November 02:00 local;
 * EU: last Sunday of March 01:00 UTC → last Sunday of October 01:00 UTC.
 */
export const DST_PERIODS: Readonly<
  Record<Exclude<Zone, 'UTC'>, { std: number; dst: number; periods: readonly (readonly [string, string])[] }>
> = {
  'America/New_York': {
    std: -5,
    dst: -4,
    periods: [
      ['2023-03-12 07:00:00', '2023-11-05 06:00:00'],
      ['2024-03-10 07:00:00', '2024-11-03 06:00:00'],
      ['2025-03-09 07:00:00', '2025-11-02 06:00:00'],
    ],
  },
  'Europe/Berlin': {
    std: 1,
    dst: 2,
    periods: [
      ['2023-03-26 01:00:00', '2023-10-29 01:00:00'],
      ['2024-03-31 01:00:00', '2024-10-27 01:00:00'],
      ['2025-03-30 01:00:00', '2025-10-26 01:00:00'],
    ],
  },
}

const hours = (n: number) => `'${n >= 0 ? '+' : ''}${n} hours'`

/** SQL for the local wall-clock time ('YYYY-MM-DD HH:MM:SS') of a UTC TEXT column. Valid for 2023..2025. */
export function localSql(col: string, zone: Zone): string {
  if (zone === 'UTC') return col
  const { std, dst, periods } = DST_PERIODS[zone]
  const inDst = periods.map(([from, to]) => `(${col} >= '${from}' AND ${col} < '${to}')`).join(' OR ')
  return `(CASE WHEN ${inDst} THEN datetime(${col}, ${hours(dst)}) ELSE datetime(${col}, ${hours(std)}) END)`
}

export type Granularity = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year'

/** SQL truncating a 'YYYY-MM-DD HH:MM:SS' expression to the start of its bucket (weeks start Monday). */
export function truncSql(expr: string, granularity: Granularity): string {
  switch (granularity) {
    case 'second':
      return `strftime('%Y-%m-%d %H:%M:%S', ${expr})`
    case 'minute':
      return `strftime('%Y-%m-%d %H:%M:00', ${expr})`
    case 'hour':
      return `strftime('%Y-%m-%d %H:00:00', ${expr})`
    case 'day':
      return `(date(${expr}) || ' 00:00:00')`
    case 'week':
      // Back 6 days, then forward to the next Monday (a Monday stays itself).
      return `(date(${expr}, '-6 days', 'weekday 1') || ' 00:00:00')`
    case 'month':
      return `strftime('%Y-%m-01 00:00:00', ${expr})`
    case 'quarter':
      return `(strftime('%Y', ${expr}) || '-' || printf('%02d', ((CAST(strftime('%m', ${expr}) AS INTEGER) - 1) / 3) * 3 + 1) || '-01 00:00:00')`
    case 'year':
      return `strftime('%Y-01-01 00:00:00', ${expr})`
  }
}

/** 'YYYY-MM-DD HH:MM:SS' → 'YYYY-MM-DDTHH:MM:SS.000' (NULL stays NULL). */
export function isoSql(expr: string): string {
  return `strftime('%Y-%m-%dT%H:%M:%S.000', ${expr})`
}

/** The two result columns of a time dimension with a granularity: `key.granularity` and `key`. */
export function timeCols(col: string, key: string, granularity: Granularity, zone: Zone = 'UTC'): string {
  const value = isoSql(truncSql(localSql(col, zone), granularity))
  return `${value} AS "${key}.${granularity}", ${value} AS "${key}"`
}

/** The bucket expression alone (for GROUP BY / ORDER BY). */
export function bucketSql(col: string, granularity: Granularity, zone: Zone = 'UTC'): string {
  return isoSql(truncSql(localSql(col, zone), granularity))
}

/** A local-day range on a UTC column: `from` 00:00:00 through the whole `to` day, in `zone`. */
export function inLocalDays(col: string, from: string, to: string, zone: Zone = 'UTC'): string {
  const local = localSql(col, zone)
  return `(${local} >= '${from} 00:00:00' AND ${local} <= '${to} 23:59:59')`
}

// ---- running and comparing -------------------------------------------------------------------------

export function runOracle(db: Database, c: OracleCase): Row[] {
  const rows = db.prepare(c.oracleSql).all(...(c.params ?? [])) as Row[]
  return c.map ? rows.map(c.map) : rows
}

/** 0/1 columns → booleans (SQLite has no boolean type). */
export function booleans(...keys: string[]): (row: Row) => Row {
  return (row) => {
    const out: Row = { ...row }
    for (const k of keys) if (out[k] !== null && out[k] !== undefined) out[k] = out[k] === 1 || out[k] === true
    return out
  }
}

function round6(n: number): number {
  const r = Math.round(n * 1e6) / 1e6
  return Object.is(r, -0) ? 0 : r
}

/** One row as a stable string: keys sorted, numbers rounded to 6 decimals, types kept (42 ≠ '42'). */
export function canonicalRow(row: Row): string {
  const keys = Object.keys(row).sort()
  const out: Row = {}
  for (const k of keys) {
    const v = row[k]
    out[k] = typeof v === 'number' ? round6(v) : v
  }
  return JSON.stringify(out, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))
}

/** Rows as strings; sorted unless the order matters. Compare two of these with toEqual for a readable diff. */
export function canonicalRows(rows: readonly Row[], ordered = false): string[] {
  const out = rows.map(canonicalRow)
  return ordered ? out : out.sort()
}

/** Numbers agree when they differ by at most this, relative to the larger (and at least to 1): 1e-9. */
export const RELATIVE_TOLERANCE = 1e-9

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b))
}

/** One row as a string with keys sorted and numbers unrounded. */
function exactRow(row: Row): string {
  const out: Row = {}
  for (const k of Object.keys(row).sort()) out[k] = row[k]
  return JSON.stringify(out, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))
}

/**
 * Both row lists as strings to compare with toEqual, numbers to {@link RELATIVE_TOLERANCE}: rows are
 * paired in order (sorted by their canonical form unless `ordered`), and a number of `actual` that is
 * that close to its pair's is written as the pair's. Any other difference, e.g. 270.886034 against
 * 270.8860344827586 (MySQL's 4-digit division), stays visible in full precision.
 */
export function comparableRows(
  actual: readonly Row[],
  expected: readonly Row[],
  ordered = false,
): { actual: string[]; expected: string[] } {
  const sort = (rows: readonly Row[]): Row[] =>
    ordered
      ? [...rows]
      : rows
          .map((r) => [canonicalRow(r), r] as const)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([, r]) => r)
  const a = sort(actual)
  const e = sort(expected)
  const aligned = a.map((row, i) => {
    const pair = e[i]
    if (!pair) return row
    const out: Row = { ...row }
    for (const [k, v] of Object.entries(row)) {
      const p = pair[k]
      if (typeof v === 'number' && typeof p === 'number' && close(v, p)) out[k] = p
    }
    return out
  })
  return { actual: aligned.map(exactRow), expected: e.map(exactRow) }
}

/** The keys every result row must have for a query: measures, dimensions, and both keys per granular time dimension. */
export function expectedKeys(query: CubeQuery): string[] {
  const keys: string[] = []
  for (const m of (query.measures as string[] | undefined) ?? []) keys.push(m)
  for (const d of (query.dimensions as string[] | undefined) ?? []) keys.push(d)
  for (const td of (query.timeDimensions as { dimension: string; granularity?: string }[] | undefined) ?? []) {
    if (td.granularity) keys.push(`${td.dimension}.${td.granularity}`, td.dimension)
  }
  return [...new Set(keys)].sort()
}
