/**
 * Cube's `dateRange` semantics (api-gateway dateParser + BaseFilter), evaluated in a query time zone under an
 * injectable clock. Calendar units (day and up) are computed on wall-clock parts and resolved with
 * {@link localToUtc}; hour, minute and second are fixed lengths of absolute time, as moment does, so "this hour"
 * during a repeated (fall-back) hour is the hour actually in progress.
 */
import { formatLocal, isValidTimeZone, localToUtc, utcToLocal, zoneOffsetMs } from '../util/time-zone.js'
import type { LocalParts } from '../util/time-zone.js'

export type Granularity = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year'

export const GRANULARITIES: readonly Granularity[] = Object.freeze([
  'second',
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'quarter',
  'year',
] as const)

/** Both ends inclusive, in epoch ms (e.g. `toMs` is 23:59:59.999 local for a whole day). */
export interface InstantRange {
  readonly fromMs: number
  readonly toMs: number
}

/** A failure carries the issue code the query error reports (INVALID_DATE unless said otherwise). */
export type DateResult<T> = { ok: true; value: T } | { ok: false; reason: string; code?: 'REVERSED_DATE_RANGE' }

type FixedUnit = 'second' | 'minute' | 'hour'

const FIXED_MS: Readonly<Record<FixedUnit, number>> = { second: 1_000, minute: 60_000, hour: 3_600_000 }
const MS_PER_DAY = 86_400_000
const MAX_INPUT_LENGTH = 100
const MIN_YEAR = 1
const MAX_YEAR = 9999

/**
 * Cortex's calendar in UTC: 0001-01-01T00:00:00.000Z up to (not including) 10000-01-01. Every engine
 * here holds these instants (PostgreSQL does not parse year 0, MySQL's DATETIME ends with year 9999, SQLite
 * compares four-digit years as text), so instants sent to SQL stay inside it.
 */
export const CALENDAR_START_MS = -62_135_596_800_000
/** The first instant after the calendar: 10000-01-01T00:00:00.000Z. */
export const CALENDAR_END_MS = 253_402_300_800_000

/** Is this instant inside the calendar (and so fit to be sent to any engine as a bound)? */
export function inCalendar(epochMs: number): boolean {
  return epochMs >= CALENDAR_START_MS && epochMs < CALENDAR_END_MS
}

/**
 * A range cut to the calendar, as a half-open `[fromMs, toExclusiveMs)`: a range reaching past either
 * end (9999-12-31 in a zone west of UTC ends in year 10000 UTC) covers everything up to that end.
 */
export function clampToCalendar(range: InstantRange): { readonly fromMs: number; readonly toExclusiveMs: number } {
  return { fromMs: Math.max(range.fromMs, CALENDAR_START_MS), toExclusiveMs: Math.min(range.toMs + 1, CALENDAR_END_MS) }
}

// Literals (no patterns built at run time), so test/security/regex-safety.test.ts checks each of them.
// Inputs are at most MAX_INPUT_LENGTH characters long.
const ABSOLUTE = /^(\d{4})-(\d{2})-(\d{2})(?:[t ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(z|[+-]\d{2}:\d{2})?)?$/
const SHIFTED_UNIT = /^(this|last|next) (second|minute|hour|day|week|month|quarter|year)$/
const COUNTED_UNITS = /^(last|next) (\d{1,9}) (second|minute|hour|day|week|month|quarter|year)s?$/
const FROM_TO = /^from (.+?) to (.+)$/
const AGO = /^(\d{1,9}) (second|minute|hour|day|week|month|quarter|year)s? ago$/
const FROM_NOW = /^(\d{1,9}) (second|minute|hour|day|week|month|quarter|year)s? from now$/
const IN = /^in (\d{1,9}) (second|minute|hour|day|week|month|quarter|year)s?$/
const DAY_WORDS: ReadonlyMap<string, number> = new Map([
  ['yesterday', -1],
  ['today', 0],
  ['tomorrow', 1],
])
const SHIFTS: ReadonlyMap<string, number> = new Map([
  ['last', -1],
  ['this', 0],
  ['next', 1],
])

const FORMAT_HINT =
  "use an absolute date ('2024-01-31', '2024-01-31T10:00:00'), a [from, to] pair of them, or a relative range such as 'today', 'last 7 days', 'this month', 'from 7 days ago to now'"

function ok<T>(value: T): DateResult<T> {
  return { ok: true, value }
}

function fail<T>(reason: string): DateResult<T> {
  return { ok: false, reason }
}

function isFixed(unit: Granularity): unit is FixedUnit {
  return unit === 'second' || unit === 'minute' || unit === 'hour'
}

function asGranularity(word: string | undefined): Granularity {
  return (GRANULARITIES as readonly string[]).includes(word ?? '') ? (word as Granularity) : 'day'
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

/** Wall-clock arithmetic uses UTC as a calendar without DST. */
function shiftWall(parts: LocalParts, ms: number): LocalParts {
  return utcToLocal(localToUtc(parts, 'UTC') + ms, 'UTC')
}

/** Start of the wall-clock unit containing `parts`; weeks start on Monday (ISO). */
export function startOfLocal(parts: LocalParts, unit: Granularity): LocalParts {
  const { year, month, day, hour, minute, second } = parts
  switch (unit) {
    case 'second':
      return { year, month, day, hour, minute, second, millisecond: 0 }
    case 'minute':
      return { year, month, day, hour, minute, second: 0, millisecond: 0 }
    case 'hour':
      return { year, month, day, hour, minute: 0, second: 0, millisecond: 0 }
    case 'day':
      return { year, month, day, hour: 0, minute: 0, second: 0, millisecond: 0 }
    case 'week': {
      const midnight = localToUtc({ year, month, day, hour: 0, minute: 0, second: 0, millisecond: 0 }, 'UTC')
      const mondayBased = (((Math.floor(midnight / MS_PER_DAY) + 3) % 7) + 7) % 7 // 1970-01-01 was a Thursday
      return utcToLocal(midnight - mondayBased * MS_PER_DAY, 'UTC')
    }
    case 'month':
      return { year, month, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0 }
    case 'quarter':
      return { year, month: Math.floor((month - 1) / 3) * 3 + 1, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0 }
    case 'year':
      return { year, month: 1, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0 }
  }
}

/** Wall-clock `parts` plus `amount` (an integer) units; months, quarters and years clamp to the month's end. */
export function addLocal(parts: LocalParts, amount: number, unit: Granularity): LocalParts {
  switch (unit) {
    case 'second':
    case 'minute':
    case 'hour':
      return shiftWall(parts, amount * FIXED_MS[unit])
    case 'day':
      return shiftWall(parts, amount * MS_PER_DAY)
    case 'week':
      return shiftWall(parts, amount * 7 * MS_PER_DAY)
    case 'month':
      return addMonths(parts, amount)
    case 'quarter':
      return addMonths(parts, amount * 3)
    case 'year':
      return addMonths(parts, amount * 12)
  }
}

function addMonths(parts: LocalParts, months: number): LocalParts {
  const total = parts.year * 12 + parts.month - 1 + months
  const year = Math.floor(total / 12)
  const month = total - year * 12 + 1
  return { ...parts, year, month, day: Math.min(parts.day, daysInMonth(year, month)) }
}

function shiftInstant(epochMs: number, amount: number, unit: Granularity, tz: string): number {
  if (isFixed(unit)) return epochMs + amount * FIXED_MS[unit]
  return localToUtc(addLocal(utcToLocal(epochMs, tz), amount, unit), tz)
}

function startInstant(epochMs: number, unit: Granularity, tz: string): number {
  if (isFixed(unit)) {
    const size = FIXED_MS[unit]
    const local = epochMs + zoneOffsetMs(epochMs, tz)
    return epochMs - (((local % size) + size) % size)
  }
  return localToUtc(startOfLocal(utcToLocal(epochMs, tz), unit), tz)
}

/** The last millisecond before the next unit starts (right even when the unit ends inside a repeated hour). */
function endInstant(epochMs: number, unit: Granularity, tz: string): number {
  if (isFixed(unit)) return startInstant(epochMs, unit, tz) + FIXED_MS[unit] - 1
  return localToUtc(addLocal(startOfLocal(utcToLocal(epochMs, tz), unit), 1, unit), tz) - 1
}

function unitRange(epochMs: number, unit: Granularity, tz: string): InstantRange {
  return { fromMs: startInstant(epochMs, unit, tz), toMs: endInstant(epochMs, unit, tz) }
}

interface Absolute {
  readonly range: InstantRange
  readonly hasTime: boolean
}

/** `text` is trimmed; undefined when it is not shaped like an absolute value at all. */
function parseAbsolute(text: string, tz: string): DateResult<Absolute> | undefined {
  const m = ABSOLUTE.exec(text.toLowerCase())
  if (m === null) return undefined
  const year = Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  if (month < 1 || month > 12) return fail(`Invalid date: the month must be 01-12`)
  if (day < 1 || day > daysInMonth(year, month)) {
    return fail(`Invalid date: that month has ${daysInMonth(year, month)} days`)
  }
  if (m[4] === undefined) {
    const midnight = { year, month, day, hour: 0, minute: 0, second: 0, millisecond: 0 }
    const fromMs = localToUtc(midnight, tz)
    return ok({ range: { fromMs, toMs: localToUtc(addLocal(midnight, 1, 'day'), tz) - 1 }, hasTime: false })
  }
  const hour = Number(m[4])
  const minute = Number(m[5])
  const second = m[6] === undefined ? 0 : Number(m[6])
  const millisecond = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'))
  if (hour > 23 || minute > 59 || second > 59) {
    return fail(`Invalid time: use hours 00-23, minutes and seconds 00-59`)
  }
  const parts = { year, month, day, hour, minute, second, millisecond }
  const zone = m[8]
  let instant: number
  if (zone === undefined) instant = localToUtc(parts, tz)
  else {
    const offsetHours = Number(zone.slice(1, 3))
    const offsetMinutes = Number(zone.slice(4, 6))
    if (offsetHours > 23 || offsetMinutes > 59) return fail(`Invalid UTC offset: use Z or ±HH:MM`)
    const offset = zone === 'z' ? 0 : (zone[0] === '-' ? -1 : 1) * (offsetHours * 3_600_000 + offsetMinutes * 60_000)
    instant = localToUtc(parts, 'UTC') - offset
  }
  return ok({ range: { fromMs: instant, toMs: instant }, hasTime: true })
}

function checkTimeZone(tz: string): DateResult<never> | undefined {
  return isValidTimeZone(tz)
    ? undefined
    : fail('Unknown time zone: use an IANA name such as "UTC" or "America/New_York"')
}

function checkText(input: unknown, what: string): DateResult<never> | undefined {
  if (typeof input !== 'string') return fail(`${what} must be a string`)
  if (input.length > MAX_INPUT_LENGTH)
    return fail(`${what} is longer than ${MAX_INPUT_LENGTH} characters; ${FORMAT_HINT}`)
  return undefined
}

/** One absolute value: date-only → that whole local day; with a time → [t, t]. */
export function parseDateValue(input: string, tz: string): DateResult<InstantRange> {
  const invalid = checkTimeZone(tz) ?? checkText(input, 'A date')
  if (invalid !== undefined) return invalid
  const text = input.trim()
  const parsed = parseAbsolute(text, tz)
  if (parsed === undefined) {
    return fail(`Invalid date: use 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:mm[:ss[.SSS]]', optionally ending in Z or ±HH:MM`)
  }
  if (!parsed.ok) return parsed
  return inSupportedYears(parsed.value.range, tz, text)
}

function isPair(input: unknown): input is readonly [unknown, unknown] {
  return Array.isArray(input) && input.length === 2
}

/**
 * Parse a Cube date range: `[from, to]`, one absolute value, or relative text such as 'last 7 days'.
 * `now` is the clock in epoch ms, or a function read only when the range is relative (so callers can
 * tell whether the result depends on the time of the call).
 */
export function parseDateRange(
  input: string | readonly [string, string],
  tz: string,
  now: number | (() => number),
): DateResult<InstantRange> {
  const invalidZone = checkTimeZone(tz)
  if (invalidZone !== undefined) return invalidZone
  if (isPair(input)) return notReversed(parsePair(input, tz))
  if (Array.isArray(input)) return fail(`A date range array must have exactly 2 elements [from, to]; ${FORMAT_HINT}`)
  const invalid = checkText(input, 'A date range')
  if (invalid !== undefined) return invalid
  const text = input.trim().toLowerCase().replace(/\s+/g, ' ')
  const absolute = parseAbsolute(text, tz)
  if (absolute !== undefined) return absolute.ok ? inSupportedYears(absolute.value.range, tz, text) : absolute
  const nowMs = typeof now === 'function' ? now() : now
  if (!Number.isFinite(nowMs)) return fail('The current time is not a finite epoch milliseconds value')
  const result = parseRelative(text, tz, nowMs)
  return result.ok ? notReversed(inSupportedYears(result.value, tz, text)) : result
}

/** A range whose end comes before its start is a mistake (it would silently match nothing). */
function notReversed(result: DateResult<InstantRange>): DateResult<InstantRange> {
  if (!result.ok || result.value.toMs >= result.value.fromMs) return result
  const reason =
    'The date range ends before it starts. Give [from, to] with from on or before to, e.g.' +
    ' ["2024-01-01", "2024-01-31"]'
  return { ok: false, code: 'REVERSED_DATE_RANGE', reason }
}

function parsePair(input: readonly [unknown, unknown], tz: string): DateResult<InstantRange> {
  const [first, second] = input
  const invalid = checkText(first, 'The range start') ?? checkText(second, 'The range end')
  if (invalid !== undefined) return invalid
  const from = parseDateValue(first as string, tz)
  if (!from.ok) return fail(`Range start: ${from.reason}`)
  const to = parseDateValue(second as string, tz)
  if (!to.ok) return fail(`Range end: ${to.reason}`)
  return ok({ fromMs: from.value.fromMs, toMs: to.value.toMs })
}

function parseRelative(text: string, tz: string, nowMs: number): DateResult<InstantRange> {
  const dayShift = DAY_WORDS.get(text)
  if (dayShift !== undefined) return ok(unitRange(shiftInstant(nowMs, dayShift, 'day', tz), 'day', tz))

  const shifted = SHIFTED_UNIT.exec(text)
  if (shifted !== null) {
    const unit = asGranularity(shifted[2])
    return ok(unitRange(shiftInstant(nowMs, SHIFTS.get(shifted[1] ?? '') ?? 0, unit, tz), unit, tz))
  }

  const counted = COUNTED_UNITS.exec(text)
  if (counted !== null) {
    const count = Number(counted[2])
    const unit = asGranularity(counted[3])
    if (count < 1) return fail(`Invalid date range: the count must be a whole number of at least 1`)
    const [first, last] = counted[1] === 'last' ? [-count, -1] : [1, count]
    return ok({
      fromMs: startInstant(shiftInstant(nowMs, first, unit, tz), unit, tz),
      toMs: endInstant(shiftInstant(nowMs, last, unit, tz), unit, tz),
    })
  }

  const fromTo = FROM_TO.exec(text)
  if (fromTo !== null) return parseFromTo(text, fromTo[1] ?? '', fromTo[2] ?? '', tz, nowMs)

  return fail(`Cannot parse date range: ${FORMAT_HINT}`)
}

/** An endpoint of 'from X to Y': a moment to snap to the range precision, or an absolute value kept as is. */
type Endpoint =
  | { readonly kind: 'moment'; readonly ms: number }
  | { readonly kind: 'absolute'; readonly value: Absolute }

function parseFromTo(
  text: string,
  fromText: string,
  toText: string,
  tz: string,
  nowMs: number,
): DateResult<InstantRange> {
  // Cube's rule: the whole string decides the precision of relative endpoints.
  const precision = (['second', 'minute', 'hour'] as const).find((word) => text.includes(word)) ?? 'day'
  const from = parseEndpoint(fromText, tz, nowMs)
  if (!from.ok) return from
  const to = parseEndpoint(toText, tz, nowMs)
  if (!to.ok) return to
  const f = from.value
  const t = to.value
  return ok({
    fromMs: f.kind === 'moment' ? startInstant(f.ms, precision, tz) : f.value.range.fromMs,
    toMs: t.kind === 'moment' ? endInstant(t.ms, precision, tz) : t.value.range.toMs,
  })
}

function parseEndpoint(text: string, tz: string, nowMs: number): DateResult<Endpoint> {
  if (text === 'now') return ok({ kind: 'moment', ms: nowMs })
  const dayShift = DAY_WORDS.get(text)
  if (dayShift !== undefined) return ok({ kind: 'moment', ms: shiftInstant(nowMs, dayShift, 'day', tz) })
  const ago = AGO.exec(text)
  if (ago !== null) return ok({ kind: 'moment', ms: shiftInstant(nowMs, -Number(ago[1]), asGranularity(ago[2]), tz) })
  const ahead = FROM_NOW.exec(text) ?? IN.exec(text)
  if (ahead !== null)
    return ok({ kind: 'moment', ms: shiftInstant(nowMs, Number(ahead[1]), asGranularity(ahead[2]), tz) })
  const absolute = parseAbsolute(text, tz)
  if (absolute === undefined) {
    return fail(
      `Cannot parse one side of a 'from … to …' range: use now, today, yesterday, tomorrow, 'N days ago', 'N days from now', 'in N days' or an absolute date such as '2024-01-31'`,
    )
  }
  return absolute.ok ? ok({ kind: 'absolute', value: absolute.value }) : absolute
}

function inSupportedYears(range: InstantRange, tz: string, text: string): DateResult<InstantRange> {
  if (
    !Number.isFinite(range.fromMs) ||
    !Number.isFinite(range.toMs) ||
    Math.abs(range.fromMs) > 8.64e15 ||
    Math.abs(range.toMs) > 8.64e15
  ) {
    return fail(`Date range is outside the supported years ${MIN_YEAR}-${MAX_YEAR}`)
  }
  const years = [utcToLocal(range.fromMs, tz).year, utcToLocal(range.toMs, tz).year]
  if (years.some((year) => year < MIN_YEAR || year > MAX_YEAR)) {
    return fail(`Date range is outside the supported years ${MIN_YEAR}-${MAX_YEAR}`)
  }
  return ok(range)
}

/** The range as local wall-clock strings, as Cube echoes `dateRange` in its normalized query. */
export function localRangeStrings(range: InstantRange, tz: string): [string, string] {
  return [formatLocal(utcToLocal(range.fromMs, tz)), formatLocal(utcToLocal(range.toMs, tz))]
}
