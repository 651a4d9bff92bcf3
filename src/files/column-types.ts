import { localToUtc, partsOfWallMs } from '../util/time-zone.js'
import { formatTimeText, storedTimeText } from './parse-time.js'

/** The type of a column loaded from a file. */
export type ColumnType = 'integer' | 'number' | 'boolean' | 'time' | 'text'

export const COLUMN_TYPES: readonly ColumnType[] = ['integer', 'number', 'boolean', 'time', 'text']

/** A date cell of a spreadsheet: its wall-clock time as epoch ms read as UTC (no zone applied yet). */
export class SheetTime {
  constructor(readonly wallMs: number) {}
}

/**
 * A value as a reader hands it over. CSV gives text (or null); JSON and spreadsheets give typed values,
 * whose strings are never read as numbers or booleans (only as times).
 */
export type RawValue = string | number | boolean | null | SheetTime

/** Where values come from: decides how strings are read and what a number means for a time column. */
export type SourceKind = 'csv' | 'json' | 'sheet'

const INTEGER = 1
const NUMBER = 2
const BOOLEAN = 4
const TIME = 8
const TEXT = 16
const ALL = INTEGER | NUMBER | BOOLEAN | TIME | TEXT

/** What a value stores as: a SQLite value, or FAIL when it does not fit the column's type. */
export const FAIL: unique symbol = Symbol('cortex-semantic.files.fail')
export type Stored = string | number | null | typeof FAIL

/** `-?(0|[1-9][0-9]*)`: a canonical integer (leading zeros mean an identifier such as a zip code: text). */
function integerText(s: string): boolean {
  const n = s.length
  let i = s.charCodeAt(0) === 45 ? 1 : 0
  if (i >= n) return false
  const first = s.charCodeAt(i)
  if (first === 48) return i + 1 === n
  for (; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

/** `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, as JSON writes numbers. */
const NUMBER_TEXT = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/

/** What a column declared integer or number also takes: a sign, leading zeros, `.5`, `5.`. */
const LOOSE_INTEGER = /^[+-]?\d+$/
const LOOSE_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/

/** The integer a digit text (already checked) stands for, unless beyond 2^53 where a double would round it. */
function safeIntegerOf(s: string): number | undefined {
  const v = Number(s)
  return Number.isSafeInteger(v) ? v : undefined
}

/** The types a value can be read as, as a bit set. */
export function fits(value: RawValue, kind: SourceKind, tz: string | undefined): number {
  if (value === null) return ALL
  switch (typeof value) {
    case 'string': {
      if (kind === 'csv') {
        if (value.length === 0) return TEXT
        if (integerText(value)) return safeIntegerOf(value) === undefined ? TEXT : INTEGER | NUMBER | TEXT
        if (NUMBER_TEXT.test(value)) return Number.isFinite(Number(value)) ? NUMBER | TEXT : TEXT
        if (booleanText(value, false) !== undefined) return BOOLEAN | TEXT
      }
      return storedTimeText(value, tz) === undefined ? TEXT : TIME | TEXT
    }
    case 'number':
      if (!Number.isFinite(value)) return TEXT
      return Number.isSafeInteger(value) ? INTEGER | NUMBER | TEXT : NUMBER | TEXT
    case 'boolean':
      return BOOLEAN | TEXT
    default:
      return formatTimeText(value.wallMs) === undefined ? TEXT : TIME | TEXT
  }
}

/** The most specific type left in a bit set (text when nothing but null was seen). */
export function typeOf(mask: number): ColumnType {
  if (mask === ALL) return 'text'
  if (mask & INTEGER) return 'integer'
  if (mask & NUMBER) return 'number'
  if (mask & BOOLEAN) return 'boolean'
  if (mask & TIME) return 'time'
  return 'text'
}

export const ALL_TYPES = ALL

/** true/false (any case); with `lenient` (a declared boolean column) also t/f, yes/no, y/n, on/off, 1/0. */
function booleanText(s: string, lenient: boolean): boolean | undefined {
  if (s.length > 5) return undefined
  const l = s.toLowerCase()
  if (l === 'true') return true
  if (l === 'false') return false
  if (!lenient) return undefined
  if (l === 't' || l === 'yes' || l === 'y' || l === 'on' || l === '1') return true
  if (l === 'f' || l === 'no' || l === 'n' || l === 'off' || l === '0') return false
  return undefined
}

/** Wall-clock text of a spreadsheet date read into a text column. */
function sheetTimeText(t: SheetTime): string {
  return (formatTimeText(t.wallMs) ?? String(t.wallMs)).slice(0, 23)
}

/**
 * The value stored for `value` in a column of `type`, or FAIL. `declared` marks a type the host set (an
 * override): only then are values read leniently (numbers with a sign or leading zeros, booleans as
 * yes/no, t/f, on/off, 1/0, JSON strings as numbers, spreadsheet numbers in a time column as date serials).
 */
export function convert(
  value: RawValue,
  type: ColumnType,
  kind: SourceKind,
  tz: string | undefined,
  declared: boolean,
): Stored {
  if (value === null) return null
  switch (type) {
    case 'text':
      if (typeof value === 'string') return value
      if (typeof value === 'boolean') return value ? 'true' : 'false'
      if (typeof value === 'number') return String(value)
      return sheetTimeText(value)
    case 'integer':
      if (typeof value === 'number') return Number.isSafeInteger(value) ? value : FAIL
      if (typeof value !== 'string' || !(kind === 'csv' || declared)) return FAIL
      if (!declared) return integerText(value) ? (safeIntegerOf(value) ?? FAIL) : FAIL
      return LOOSE_INTEGER.test(value)
        ? (safeIntegerOf(value.charCodeAt(0) === 43 ? value.slice(1) : value) ?? FAIL)
        : FAIL
    case 'number':
      if (typeof value === 'number') return Number.isFinite(value) ? value : FAIL
      if (typeof value === 'string' && declared && LOOSE_NUMBER.test(value)) {
        if (
          LOOSE_INTEGER.test(value) &&
          safeIntegerOf(value.charCodeAt(0) === 43 ? value.slice(1) : value) === undefined
        )
          return FAIL
        const v = Number(value)
        return Number.isFinite(v) ? v : FAIL
      }
      if (typeof value === 'string' && kind === 'csv' && NUMBER_TEXT.test(value)) {
        // An integer beyond 2^53 would be rounded: it fits only text.
        if (integerText(value) && safeIntegerOf(value) === undefined) return FAIL
        const v = Number(value)
        return Number.isFinite(v) ? v : FAIL
      }
      return FAIL
    case 'boolean':
      if (typeof value === 'boolean') return value ? 1 : 0
      if (typeof value === 'string' && (kind === 'csv' || declared)) {
        const b = booleanText(value, declared)
        return b === undefined ? FAIL : b ? 1 : 0
      }
      if (declared && typeof value === 'number' && (value === 0 || value === 1)) return value
      return FAIL
    case 'time': {
      if (typeof value === 'string') return storedTimeText(value, tz) ?? FAIL
      let ms: number
      if (value instanceof SheetTime) ms = wallToUtc(value.wallMs, tz)
      else if (declared && kind === 'sheet' && typeof value === 'number')
        ms = wallToUtc(serialToWallMs(value, false), tz)
      else return FAIL
      return formatTimeText(ms) ?? FAIL
    }
  }
}

function wallToUtc(wall: number, tz: string | undefined): number {
  if (tz === undefined || !Number.isFinite(wall)) return wall
  return localToUtc(partsOfWallMs(wall), tz)
}

const MS_PER_DAY = 86_400_000
/** Days from 1899-12-30 (Excel's day 0 in the 1900 system, after its leap-year bug) to 1970-01-01. */
const EPOCH_1900 = 25_569
/** Days from 1904-01-01 (day 0 of the 1904 system) to 1970-01-01. */
const EPOCH_1904 = 24_107

/**
 * A spreadsheet date serial (days, fraction = time of day) as wall-clock epoch ms, rounded to the
 * millisecond: the value as stored, not SheetJS's conversion (which goes through the process time zone
 * and can land a millisecond early). Serials 1–59 are shifted a day forward: Excel counts a
 * 1900-02-29 that never was (serial 60 reads as 1900-02-28; serials below 1, times of day, as 1899-12-30).
 */
export function serialToWallMs(serial: number, date1904: boolean): number {
  if (!Number.isFinite(serial)) return Number.NaN
  const days = date1904
    ? serial - EPOCH_1904
    : serial >= 1 && serial < 60
      ? serial + 1 - EPOCH_1900
      : serial - EPOCH_1900
  return Math.round(days * MS_PER_DAY)
}
