/**
 * Time zone math on top of `Intl.DateTimeFormat` (no dependencies): wall-clock decomposition, wall-clock →
 * instant resolution with moment-timezone's DST rules, and a per-row converter for SQLite.
 *
 * The only module state is bounded caches of pure functions (time zone validity, one formatter per zone and
 * zone offsets per 15-minute UTC bucket).
 */

export interface LocalParts {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  millisecond: number
}

const MS_PER_SECOND = 1_000
const MS_PER_MINUTE = 60_000
const MS_PER_HOUR = 3_600_000
const MS_PER_DAY = 86_400_000
const BUCKET_MS = 15 * MS_PER_MINUTE
const MAX_VALIDITY_ENTRIES = 1_000
const MAX_ZONES = 64
// ~3.7 years of 15-minute buckets per zone (about 4.4 MB): enough for typical fact tables read in any order.
const MAX_BUCKETS_PER_ZONE = 1 << 17
// All zones together (about 9 MB): requests choose zones and dates, so 64 full zones (280 MB) must not be reachable.
const MAX_BUCKETS = 1 << 18
const MAX_TZ_LENGTH = 64
// tzdata has no transitions before 1800 (offsets there are the zone's LMT), and Intl rejects instants beyond
// ±8.64e15; clamping the probe keeps offsets total for any finite instant.
const MIN_PROBE_MS = -5_364_662_400_000 // 1800-01-01T00:00:00Z
const MAX_PROBE_MS = 8_640_000_000_000_000
const MAX_EPOCH_MS = 8_640_000_000_000_000

// IANA names start with a letter; this also rules out fixed offsets such as '+02:00' or '-0500'.
const TZ_NAME = /^[A-Za-z][A-Za-z0-9_/+-]*$/

const PAD2: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : `${i}`))

interface ZoneCache {
  readonly format: Intl.DateTimeFormat
  readonly offsets: Map<number, number>
}

const validity = new Map<string, boolean>()
const zones = new Map<string, ZoneCache>()
/** Offsets cached over all zones of `zones` (kept in step: both are cleared together). */
let bucketsCached = 0

// Clearing a full cache, rather than evicting its oldest entry, keeps every operation O(1): V8 Maps that are
// repeatedly trimmed at the front make `keys().next()` walk all the deleted slots.
function boundedSet<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  if (map.size >= max) map.clear()
  map.set(key, value)
}

function isUtcName(tz: string): boolean {
  return tz === 'UTC' || tz === 'Etc/UTC'
}

export function isValidTimeZone(tz: string): boolean {
  if (typeof tz !== 'string' || tz.length === 0 || tz.length > MAX_TZ_LENGTH) return false
  const cached = validity.get(tz)
  if (cached !== undefined) return cached
  const valid = TZ_NAME.test(tz) && intlAccepts(tz)
  boundedSet(validity, tz, valid, MAX_VALIDITY_ENTRIES)
  return valid
}

/** The IANA zone names this runtime knows (for did-you-mean on a misspelt zone; computed on each call). */
export function timeZoneNames(): string[] {
  const supported = (Intl as { supportedValuesOf?: (key: 'timeZone') => string[] }).supportedValuesOf
  return ['UTC', ...(typeof supported === 'function' ? supported('timeZone') : [])]
}

function intlAccepts(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

function zoneFor(tz: string): ZoneCache {
  let zone = zones.get(tz)
  if (zone === undefined) {
    if (!isValidTimeZone(tz)) throw new RangeError(`Invalid time zone: ${JSON.stringify(tz.slice(0, 40))}`)
    zone = {
      format: new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        calendar: 'gregory',
        numberingSystem: 'latn',
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      }),
      offsets: new Map(),
    }
    if (zones.size >= MAX_ZONES) bucketsCached = 0
    boundedSet(zones, tz, zone, MAX_ZONES)
  }
  return zone
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

/** Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm); month 1-12. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146_097 + doe - 719_468
}

/** Wall-clock fields read as if they were UTC; months outside 1-12 and days outside the month roll over. */
export function wallMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
): number {
  const monthIndex = month - 1
  const yearShift = Math.floor(monthIndex / 12)
  const days = daysFromCivil(year + yearShift, monthIndex - yearShift * 12 + 1, 1) + day - 1
  return days * MS_PER_DAY + hour * MS_PER_HOUR + minute * MS_PER_MINUTE + second * MS_PER_SECOND + ms
}

/** The calendar fields of a wall-clock (or UTC) epoch-ms value; the inverse of {@link wallMs}. */
export function partsOfWallMs(ms: number): LocalParts {
  const days = Math.floor(ms / MS_PER_DAY)
  let rest = ms - days * MS_PER_DAY
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor((doe - Math.floor(doe / 1_460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const month = mp < 10 ? mp + 3 : mp - 9
  const hour = Math.floor(rest / MS_PER_HOUR)
  rest -= hour * MS_PER_HOUR
  const minute = Math.floor(rest / MS_PER_MINUTE)
  rest -= minute * MS_PER_MINUTE
  const second = Math.floor(rest / MS_PER_SECOND)
  return {
    year: yoe + era * 400 + (month <= 2 ? 1 : 0),
    month,
    day: doy - Math.floor((153 * mp + 2) / 5) + 1,
    hour,
    minute,
    second,
    millisecond: rest - second * MS_PER_SECOND,
  }
}

function exactOffset(format: Intl.DateTimeFormat, epochMs: number): number {
  const probe = epochMs < MIN_PROBE_MS ? MIN_PROBE_MS : epochMs > MAX_PROBE_MS ? MAX_PROBE_MS : epochMs
  const whole = Math.floor(probe / MS_PER_SECOND) * MS_PER_SECOND
  return wallOfFormatted(format, whole) - whole
}

/** Wall-clock ms of `epochMs` in the formatter's zone. `format()` is ~3x cheaper than `formatToParts()`. */
function wallOfFormatted(format: Intl.DateTimeFormat, epochMs: number): number {
  // en-US numeric: 'M/D/YYYY, HH:mm:ss'
  const text = format.format(epochMs)
  const fields = [0, 0, 0, 0, 0, 0]
  let count = 0
  let inNumber = false
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48
    if (d >= 0 && d <= 9) {
      if (!inNumber) {
        if (count === 6) return wallOfParts(format, epochMs)
        inNumber = true
        count++
      }
      fields[count - 1] = (fields[count - 1] ?? 0) * 10 + d
    } else inNumber = false
  }
  if (count !== 6) return wallOfParts(format, epochMs)
  const [month = 0, day = 0, year = 0, hour = 0, minute = 0, second = 0] = fields
  return wallMs(year, month, day, hour % 24, minute, second, 0)
}

function wallOfParts(format: Intl.DateTimeFormat, epochMs: number): number {
  let year = 0
  let month = 0
  let day = 0
  let hour = 0
  let minute = 0
  let second = 0
  for (const part of format.formatToParts(epochMs)) {
    switch (part.type) {
      case 'year':
        year = Number(part.value)
        break
      case 'month':
        month = Number(part.value)
        break
      case 'day':
        day = Number(part.value)
        break
      case 'hour':
        hour = Number(part.value) % 24
        break
      case 'minute':
        minute = Number(part.value)
        break
      case 'second':
        second = Number(part.value)
        break
      default:
        break
    }
  }
  return wallMs(year, month, day, hour, minute, second, 0)
}

function assertFinite(epochMs: number): void {
  if (!Number.isFinite(epochMs)) throw new RangeError('Invalid instant: expected a finite epoch milliseconds value')
}

/** Offset of `tz` from UTC at `epochMs` (local = utc + offset), in ms. Throws RangeError for an invalid zone. */
export function zoneOffsetMs(epochMs: number, tz: string): number {
  assertFinite(epochMs)
  if (isUtcName(tz)) return 0
  return cachedOffset(zoneFor(tz), epochMs)
}

function cachedOffset(zone: ZoneCache, epochMs: number): number {
  const bucket = Math.floor(epochMs / BUCKET_MS)
  const cached = zone.offsets.get(bucket)
  if (cached !== undefined) return cached
  const start = bucket * BUCKET_MS
  const atStart = exactOffset(zone.format, start)
  // Transitions happen on whole seconds, so the bucket's last whole second is a sufficient end probe.
  const atEnd = exactOffset(zone.format, start + BUCKET_MS - 1)
  if (atStart !== atEnd) return exactOffset(zone.format, epochMs)
  if (bucketsCached >= MAX_BUCKETS) {
    for (const z of zones.values()) z.offsets.clear()
    bucketsCached = 0
  }
  if (zone.offsets.size >= MAX_BUCKETS_PER_ZONE) bucketsCached -= zone.offsets.size
  boundedSet(zone.offsets, bucket, atStart, MAX_BUCKETS_PER_ZONE)
  bucketsCached++
  return atStart
}

/**
 * '+hh:mm' for a zone whose offset never changes (UTC and its aliases such as 'Etc/UTC' or 'Zulu', and
 * 'Etc/GMT-5' = '+05:00'), else undefined. Engines without zone data of their own (MySQL with empty
 * time zone tables) convert to these by offset.
 */
export function fixedOffsetText(tz: string): string | undefined {
  if (isUtcName(tz)) return '+00:00'
  if (!isValidTimeZone(tz)) return undefined
  const zone = zoneFor(tz)
  const canonical = zone.format.resolvedOptions().timeZone
  if (canonical !== 'UTC' && !/^Etc\/GMT[+-]\d{1,2}$/.test(canonical)) return undefined
  const minutes = Math.round(cachedOffset(zone, 0) / MS_PER_MINUTE)
  const abs = Math.abs(minutes)
  return `${minutes < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`
}

/** Wall-clock time at `epochMs` in `tz` (24-hour clock). Throws RangeError for an invalid zone. */
export function utcToLocal(epochMs: number, tz: string): LocalParts {
  assertFinite(epochMs)
  if (isUtcName(tz)) return partsOfWallMs(epochMs)
  return partsOfWallMs(epochMs + cachedOffset(zoneFor(tz), epochMs))
}

/**
 * Epoch ms of a wall-clock time in `tz`. Nonexistent times (DST gaps) resolve forward by the gap's length
 * (02:30 → 03:30 on a spring-forward day); ambiguous times (DST overlaps) resolve to the earlier instant.
 * Out-of-range fields roll over (month 13 → January of the next year).
 */
export function localToUtc(parts: LocalParts, tz: string): number {
  const wall = wallMs(parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second, parts.millisecond)
  if (isUtcName(tz)) return wall
  const zone = zoneFor(tz)
  // Offsets never exceed ±1 day, so the offsets a day either side bracket every candidate instant.
  const before = cachedOffset(zone, wall - MS_PER_DAY)
  const after = cachedOffset(zone, wall + MS_PER_DAY)
  const early = wall - Math.max(before, after)
  const late = wall - Math.min(before, after)
  if (cachedOffset(zone, early) === Math.max(before, after)) return early
  if (cachedOffset(zone, late) === Math.min(before, after)) return late
  // In a gap: read the wall time with the offset in force before the transition, landing after it.
  return wall - before
}

/** 'YYYY-MM-DDTHH:mm:ss.SSS' (or with a space separator). */
export function formatLocal(parts: LocalParts, separator: 'T' | ' ' = 'T'): string {
  return `${formatYear(parts.year)}-${pad2(parts.month)}-${pad2(parts.day)}${separator}${pad2(parts.hour)}:${pad2(parts.minute)}:${pad2(parts.second)}.${pad3(parts.millisecond)}`
}

function formatYear(year: number): string {
  if (year >= 0 && year <= 9999) return year < 1000 ? String(year).padStart(4, '0') : String(year)
  return `${year < 0 ? '-' : '+'}${String(Math.abs(year)).padStart(6, '0')}`
}

function pad2(n: number): string {
  return PAD2[n] ?? String(n)
}

function pad3(n: number): string {
  return n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n)
}

/** 'YYYY-MM-DDTHH:mm:ss.SSSZ' */
export function formatUtcInstant(epochMs: number): string {
  return new Date(epochMs).toISOString()
}

/**
 * For SQLite's registered function: takes a stored timestamp value as SQLite returns it and converts it from
 * UTC to the wall clock in tz. Accepts 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM', 'YYYY-MM-DD HH:MM:SS',
 * 'YYYY-MM-DD HH:MM:SS.SSS' (1-9 fraction digits, truncated to ms), with 'T' instead of the space, an optional
 * trailing 'Z' or '+HH:MM'/'-HH:MM' offset (honoured: the value is that instant), and numbers (unix epoch
 * SECONDS, as SQLite's 'unixepoch' modifier). Returns 'YYYY-MM-DD HH:MM:SS.SSS' (space separator, so SQLite's
 * strftime can parse it), or null for null/unparseable input or results outside years 0000-9999.
 * Throws RangeError for an invalid zone.
 */
export function convertUtcToZonedText(value: unknown, tz: string): string | null {
  let epochMs: number
  if (typeof value === 'string') epochMs = parseTimestampText(value)
  else if (typeof value === 'number') epochMs = Math.round(value * MS_PER_SECOND)
  else if (typeof value === 'bigint') epochMs = Number(value) * MS_PER_SECOND
  else return null
  if (!(epochMs >= -MAX_EPOCH_MS && epochMs <= MAX_EPOCH_MS)) return null
  const local = isUtcName(tz) ? partsOfWallMs(epochMs) : partsOfWallMs(epochMs + cachedOffset(zoneFor(tz), epochMs))
  if (local.year < 0 || local.year > 9999) return null
  return formatLocal(local, ' ')
}

function digit(s: string, i: number): number {
  const d = s.charCodeAt(i) - 48
  return d >= 0 && d <= 9 ? d : -1
}

function twoDigits(s: string, i: number): number {
  const a = digit(s, i)
  const b = digit(s, i + 1)
  return a < 0 || b < 0 ? -1 : a * 10 + b
}

/** Epoch ms of a SQLite timestamp text (UTC unless it carries an offset), or NaN. Hand-parsed: hot path. */
function parseTimestampText(s: string): number {
  const n = s.length
  if (n < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return NaN
  const hi = twoDigits(s, 0)
  const lo = twoDigits(s, 2)
  const month = twoDigits(s, 5)
  const day = twoDigits(s, 8)
  if (hi < 0 || lo < 0 || month < 1 || month > 12 || day < 1) return NaN
  const year = hi * 100 + lo
  if (day > daysInMonth(year, month)) return NaN
  if (n === 10) return wallMs(year, month, day, 0, 0, 0, 0)

  const sep = s.charCodeAt(10)
  if (sep !== 32 && sep !== 84 && sep !== 116) return NaN // ' ', 'T', 't'
  const hour = twoDigits(s, 11)
  const minute = twoDigits(s, 14)
  if (hour < 0 || hour > 23 || s.charCodeAt(13) !== 58 || minute < 0 || minute > 59) return NaN
  let second = 0
  let ms = 0
  let i = 16
  if (s.charCodeAt(i) === 58) {
    second = twoDigits(s, i + 1)
    if (second < 0 || second > 59) return NaN
    i += 3
    if (s.charCodeAt(i) === 46) {
      i++
      const first = i
      for (let d = digit(s, i); d >= 0 && i - first < 9; d = digit(s, ++i)) {
        if (i - first < 3) ms = ms * 10 + d
      }
      const count = i - first
      if (count === 0 || digit(s, i) >= 0) return NaN
      if (count === 1) ms *= 100
      else if (count === 2) ms *= 10
    }
  }
  const wall = wallMs(year, month, day, hour, minute, second, ms)
  if (i === n) return wall
  const tag = s.charCodeAt(i)
  if ((tag === 90 || tag === 122) && i + 1 === n) return wall // 'Z', 'z'
  if ((tag !== 43 && tag !== 45) || i + 6 !== n || s.charCodeAt(i + 3) !== 58) return NaN // '+', '-', ':'
  const offHours = twoDigits(s, i + 1)
  const offMinutes = twoDigits(s, i + 4)
  if (offHours < 0 || offHours > 23 || offMinutes < 0 || offMinutes > 59) return NaN
  const offset = offHours * MS_PER_HOUR + offMinutes * MS_PER_MINUTE
  return tag === 43 ? wall - offset : wall + offset
}
