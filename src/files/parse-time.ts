import { localToUtc, partsOfWallMs, wallMs } from '../util/time-zone.js'

/**
 * Time values in files: ISO 8601 dates and date-times, and `YYYY-MM-DD HH:MM:SS` text.
 *
 * Accepted: `YYYY-MM-DD`, then optionally `T`/`t`/space, `HH:MM`, `:SS`, a fraction of 1–9 digits after
 * `.` or `,` (kept to the millisecond, the rest cut), and an offset `Z`, `±HH`, `±HHMM` or `±HH:MM`.
 * Years 0000–9999. A value without an offset is a wall-clock time in the table's zone (UTC by default).
 * Nothing here reads the process time zone: all arithmetic is on epoch milliseconds.
 */

const DIGIT_0 = 48

function d2(s: string, i: number): number {
  const a = s.charCodeAt(i) - DIGIT_0
  const b = s.charCodeAt(i + 1) - DIGIT_0
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

/**
 * Epoch milliseconds of a time text, or NaN when the text is not one of the accepted forms (or names a
 * date that does not exist). `tz` is the zone of values without an offset; undefined means UTC.
 */
export function parseTimeText(s: string, tz: string | undefined): number {
  const n = s.length
  if (n < 10 || n > 40 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return Number.NaN
  const hi = d2(s, 0)
  const lo = d2(s, 2)
  const month = d2(s, 5)
  const day = d2(s, 8)
  if (hi < 0 || lo < 0 || month < 1 || month > 12 || day < 1) return Number.NaN
  const year = hi * 100 + lo
  if (day > daysIn(year, month)) return Number.NaN
  let hour = 0
  let minute = 0
  let second = 0
  let ms = 0
  let i = 10
  if (i < n) {
    const sep = s.charCodeAt(i)
    if (sep !== 84 && sep !== 116 && sep !== 32) return Number.NaN // T t space
    hour = d2(s, 11)
    minute = d2(s, 14)
    if (n < 16 || s.charCodeAt(13) !== 58 || hour < 0 || hour > 23 || minute < 0 || minute > 59) return Number.NaN
    i = 16
    if (i < n && s.charCodeAt(i) === 58) {
      second = d2(s, 17)
      if (n < 19 || second < 0 || second > 59) return Number.NaN
      i = 19
      const dot = i < n ? s.charCodeAt(i) : 0
      if (dot === 46 || dot === 44) {
        i++
        let digits = 0
        let scale = 100
        for (; i < n; i++, digits++) {
          const d = s.charCodeAt(i) - DIGIT_0
          if (d < 0 || d > 9) break
          if (scale >= 1) ms += d * scale
          scale /= 10
        }
        if (digits === 0 || digits > 9) return Number.NaN
      }
    }
  }
  let offsetMs: number | undefined
  if (i < n) {
    const c = s.charCodeAt(i)
    if ((c === 90 || c === 122) && i + 1 === n)
      offsetMs = 0 // Z z
    else if (c === 43 || c === 45) {
      const oh = d2(s, i + 1)
      let om = 0
      const rest = n - i - 3
      if (rest === 0) om = 0
      else if (rest === 3 && s.charCodeAt(i + 3) === 58) om = d2(s, i + 4)
      else if (rest === 2) om = d2(s, i + 3)
      else return Number.NaN
      if (oh < 0 || oh > 23 || om < 0 || om > 59) return Number.NaN
      offsetMs = (c === 45 ? -1 : 1) * (oh * 3_600_000 + om * 60_000)
    } else return Number.NaN
  }
  if (offsetMs !== undefined) return wallMs(year, month, day, hour, minute, second, ms) - offsetMs
  if (tz === undefined) return wallMs(year, month, day, hour, minute, second, ms)
  return localToUtc({ year, month, day, hour, minute, second, millisecond: ms }, tz)
}

const PAD2: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : `${i}`))

function pad3(n: number): string {
  return n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n)
}

/**
 * How a time is stored: UTC text, `YYYY-MM-DD HH:MM:SS`, with `.SSS` only when the milliseconds are not
 * zero (the SQLite dialect parses both; as text they sort in time order, since a shorter value is a
 * prefix of the longer ones of the same second). Undefined outside years 0000–9999.
 */
export function formatTimeText(epochMs: number): string | undefined {
  if (!Number.isFinite(epochMs)) return undefined
  const p = partsOfWallMs(epochMs)
  if (p.year < 0 || p.year > 9999) return undefined
  const year = p.year < 1000 ? String(p.year).padStart(4, '0') : String(p.year)
  const text = `${year}-${PAD2[p.month]}-${PAD2[p.day]} ${PAD2[p.hour]}:${PAD2[p.minute]}:${PAD2[p.second]}`
  return p.millisecond === 0 ? text : `${text}.${pad3(p.millisecond)}`
}

/**
 * The stored form of a time text, or undefined when it is not one. The common case, `YYYY-MM-DD
 * HH:MM:SS` in a UTC table, is already that form and is kept as it is (no new string per value).
 */
export function storedTimeText(s: string, tz: string | undefined): string | undefined {
  const ms = parseTimeText(s, tz)
  if (tz === undefined && s.length === 19 && s.charCodeAt(10) === 32 && !Number.isNaN(ms)) return s
  return formatTimeText(ms)
}
