/**
 * Values between Cortex and @duckdb/node-api, by the layer's rules (src/result/shape-result.ts): numbers
 * as JS numbers, BIGINT/HUGEINT as bigint (the layer gives a number, or exact text beyond 2^53), DECIMAL as
 * its exact text (a number, or the text with `decimals: 'string'`), times as text without the process time
 * zone: TIMESTAMP and DATE as DuckDB prints them, TIMESTAMPTZ in UTC ('2024-01-01 00:00:00.123+00', as
 * PostgreSQL's text in a UTC session). The driver's own TIMESTAMPTZ text uses the process's offset.
 */

/** The slice of a DuckDBType the converter reads. */
export interface DuckDBTypeLike {
  readonly typeId: number
}

// DuckDBTypeId.TIMESTAMP_TZ of @duckdb/node-api (the C API's duckdb_type number, stable across releases).
const TIMESTAMP_TZ = 31

const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

/** Microseconds since the epoch as 'YYYY-MM-DD HH:MM:SS[.ffffff]+00'. */
export function utcMicrosText(micros: bigint): string {
  const ms = Number(micros / 1000n) - (micros % 1000n < 0n ? 1 : 0)
  const d = new Date(ms)
  if (Number.isNaN(d.getTime())) return String(micros)
  const fraction = Number(((micros % 1_000_000n) + 1_000_000n) % 1_000_000n)
  let digits = pad(fraction, 6)
  while (digits.endsWith('0')) digits = digits.slice(0, -1)
  const frac = digits === '' ? '' : `.${digits}`
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
  return `${date} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${frac}+00`
}

/** A result value as Cortex reads it (see the file's comment). */
export function duckdbValue(value: unknown, type: DuckDBTypeLike, _converter?: unknown): unknown {
  if (value === null || value === undefined) return null
  if (typeof value !== 'object') return value // number, bigint, string, boolean
  if (type.typeId === TIMESTAMP_TZ) return utcMicrosText((value as { micros: bigint }).micros)
  // DECIMAL as exact text; TIMESTAMP, DATE, TIME, INTERVAL, nested types, ... as DuckDB prints them.
  return String(value)
}

/** Bound values for the driver: undefined as NULL (integers bind as INTEGER/BIGINT, other numbers as DOUBLE). */
export function toDuckDBParams(params: readonly unknown[]): unknown[] {
  const out = new Array<unknown>(params.length)
  for (let i = 0; i < params.length; i++) {
    const v = params[i]
    out[i] = v === undefined ? null : v
  }
  return out
}
