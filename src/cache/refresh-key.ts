import { SemanticLayerError } from '../errors.js'

/**
 * When a cube's cached results go stale (Cube's `refresh_key`):
 * - `every`: time buckets aligned on the Unix epoch, as Cube's `FLOOR(EPOCH(NOW()) / interval)`;
 *   the value changes at each boundary, so a result is served from cache at most until the next one.
 * - `sql`: the value of a cheap query (e.g. `SELECT MAX(updated_at) FROM orders`), itself re-checked
 *   every `every` (default 10 s, as in Cube).
 * - `immutable`: never stale (only `layer.invalidate()` or the entry TTL drop it).
 * Without `refresh_key`, Cube's default for SQL databases applies: `every: '10 second'`.
 */
export type RefreshRule =
  | { readonly kind: 'every'; readonly everyMs: number }
  | { readonly kind: 'sql'; readonly sql: string; readonly everyMs: number }
  | { readonly kind: 'immutable' }

/** Cube's default refresh key for every database we support (BigQuery/Athena/Snowflake/Presto use 2 minutes). */
export const DEFAULT_EVERY_MS = 10_000

export interface RefreshKeyCube {
  readonly name: string
  readonly refreshKey?: Readonly<Record<string, unknown>>
}

const UNITS: Readonly<Record<string, number>> = {
  second: 1_000,
  sec: 1_000,
  s: 1_000,
  minute: 60_000,
  min: 60_000,
  m: 60_000,
  hour: 3_600_000,
  h: 3_600_000,
  day: 86_400_000,
  d: 86_400_000,
  week: 604_800_000,
  w: 604_800_000,
}

/**
 * Parse Cube's interval text: `'30 seconds'`, `'1 minute'`, `'5 min'`, `'1 hour'`, `'1 day'`, `'2 weeks'`
 * (singular or plural, `s`/`m`/`h`/`d`/`w` too). Months and years (variable length) and cron expressions
 * are refused with a message that says what to write instead.
 */
export function parseInterval(text: unknown, path: readonly (string | number)[]): number {
  const fail = (code: 'MODEL_INVALID' | 'UNSUPPORTED', message: string): never => {
    throw new SemanticLayerError(code, [{ code: 'INVALID_REFRESH_KEY', path, message }])
  }
  if (typeof text !== 'string')
    return fail('MODEL_INVALID', "refresh_key.every must be an interval such as '30 seconds', '1 hour' or '1 day'.")
  const trimmed = text.trim().toLowerCase()
  if (/^(\S+\s+){4,5}\S+$/.test(trimmed) && /[*\d]/.test(trimmed)) {
    return fail(
      'UNSUPPORTED',
      "Cron expressions in refresh_key.every are not supported; use an interval such as '1 hour' or '1 day'.",
    )
  }
  const match = /^(\d+)\s*([a-z]+)$/.exec(trimmed)
  const count = match ? Number(match[1]) : Number.NaN
  const unitName = match?.[2] ?? ''
  const unit = UNITS[unitName] ?? (unitName.endsWith('s') ? UNITS[unitName.slice(0, -1)] : undefined)
  if (!match || unit === undefined || !Number.isSafeInteger(count) || count < 1) {
    const hint = /^\d+\s*(month|year)s?$/.test(trimmed)
      ? " Months and years have no fixed length; use days (e.g. '30 days')."
      : ''
    return fail(
      'MODEL_INVALID',
      `refresh_key.every ${JSON.stringify(text.slice(0, 40))} is not an interval; write a positive count and a unit: second, minute, hour, day or week (e.g. '30 seconds', '1 hour').${hint}`,
    )
  }
  return count * unit
}

/** The refresh rule of one cube. Throws MODEL_INVALID (or UNSUPPORTED for cron) when `refresh_key` is malformed. */
export function refreshRuleOf(cube: RefreshKeyCube): RefreshRule {
  const rk = cube.refreshKey
  const path = ['cubes', cube.name, 'refresh_key']
  if (rk === undefined) return { kind: 'every', everyMs: DEFAULT_EVERY_MS }
  if (rk.immutable === true) return { kind: 'immutable' }
  const everyMs = rk.every === undefined ? undefined : parseInterval(rk.every, [...path, 'every'])
  if (rk.sql !== undefined) {
    if (typeof rk.sql !== 'string' || rk.sql.trim() === '') {
      throw new SemanticLayerError('MODEL_INVALID', [
        {
          code: 'INVALID_REFRESH_KEY',
          path: [...path, 'sql'],
          message:
            'refresh_key.sql must be a non-empty SQL query whose value changes when the data changes, e.g. SELECT MAX(updated_at) FROM orders.',
        },
      ])
    }
    return { kind: 'sql', sql: rk.sql, everyMs: everyMs ?? DEFAULT_EVERY_MS }
  }
  if (everyMs === undefined) {
    throw new SemanticLayerError('MODEL_INVALID', [
      {
        code: 'INVALID_REFRESH_KEY',
        path,
        message:
          "refresh_key needs `every` (an interval such as '1 hour'), `sql` (a query whose value changes with the data) or `immutable: true`.",
      },
    ])
  }
  return { kind: 'every', everyMs }
}

/** The time bucket of `nowMs` for an interval: the refresh-key value of `every` rules. */
export function bucketOf(nowMs: number, everyMs: number): number {
  return Math.floor(nowMs / everyMs)
}
