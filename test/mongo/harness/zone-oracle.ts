/**
 * The expected time buckets, computed in JavaScript with Intl (the platform's time zone database),
 * independently of any aggregation operator: the oracle for the time-bucket construction.
 */
import type { Granularity } from '../../../src/mongo/time-buckets.js'

const formats = new Map<string, Intl.DateTimeFormat>()

/** Local wall-clock parts of an instant in `zone`. */
export function localParts(ms: number, zone: string): [number, number, number, number, number, number, number] {
  let f = formats.get(zone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formats.set(zone, f)
  }
  const p: Record<string, number> = {}
  for (const part of f.formatToParts(new Date(ms))) if (part.type !== 'literal') p[part.type] = Number(part.value)
  const millis = ((ms % 1000) + 1000) % 1000
  return [p.year!, p.month!, p.day!, p.hour!, p.minute!, p.second!, millis]
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

function text(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): string {
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}.${pad(ms, 3)}`
}

/** The start of the bucket of `ms` in `zone`, as the layer's time text. */
export function expectedBucket(ms: number, granularity: Granularity | 'full', zone: string): string {
  const [y, mo, d, h, mi, s, milli] = localParts(ms, zone)
  switch (granularity) {
    case 'full':
      return text(y, mo, d, h, mi, s, milli)
    case 'second':
      return text(y, mo, d, h, mi, s)
    case 'minute':
      return text(y, mo, d, h, mi)
    case 'hour':
      return text(y, mo, d, h)
    case 'day':
      return text(y, mo, d)
    case 'week': {
      const day = new Date(Date.UTC(y, mo - 1, d))
      const back = (day.getUTCDay() + 6) % 7 // days since Monday
      const monday = new Date(day.getTime() - back * 86_400_000)
      return text(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate())
    }
    case 'month':
      return text(y, mo, 1)
    case 'quarter':
      return text(y, Math.floor((mo - 1) / 3) * 3 + 1, 1)
    case 'year':
      return text(y, 1, 1)
  }
}

/** Instants where the zone's UTC offset changes between `fromYear` and `toYear` (a daily scan, then bisection). */
export function offsetChanges(zone: string, fromYear: number, toYear: number): number[] {
  const offset = (ms: number): number => {
    const [y, mo, d, h, mi, s] = localParts(ms, zone)
    return Date.UTC(y, mo - 1, d, h, mi, s) - Math.floor(ms / 1000) * 1000
  }
  const out: number[] = []
  const end = Date.UTC(toYear + 1, 0, 1)
  let prev = offset(Date.UTC(fromYear, 0, 1))
  const step = 86_400_000 // offsets change at most once a day
  for (let t = Date.UTC(fromYear, 0, 1) + step; t < end; t += step) {
    const now = offset(t)
    if (now === prev) continue
    let lo = t - step
    let hi = t
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000
      if (offset(mid) === prev) lo = mid
      else hi = mid
    }
    out.push(hi)
    prev = now
  }
  return out
}
