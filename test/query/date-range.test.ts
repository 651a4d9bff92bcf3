import { describe, expect, it } from 'vitest'
import {
  CALENDAR_END_MS,
  CALENDAR_START_MS,
  GRANULARITIES,
  addLocal,
  clampToCalendar,
  inCalendar,
  localRangeStrings,
  parseDateRange,
  parseDateValue,
  startOfLocal,
} from '../../src/query/date-range.js'
import type { DateResult, InstantRange } from '../../src/query/date-range.js'
import { at, local } from '../fixtures/time.js'

// Expected instants are hard-coded from the published rules: America/New_York switches to EDT at
// 2024-03-10T07:00Z and back to EST at 2024-11-03T06:00Z; Europe/Berlin at 2024-03-31T01:00Z;
// Australia/Lord_Howe from +11 to +10:30 at 2024-04-06T15:00Z; Asia/Kathmandu is +05:45;
// Pacific/Apia skipped 2011-12-30 (-10 → +14 at 2011-12-30T10:00Z). 2024-03-10 is a Sunday.

const NY = 'America/New_York'
const HOUR = 3_600_000
const NOW = Date.parse('2024-03-10T12:00:00Z') // 08:00 EDT, Sunday

function value(result: DateResult<InstantRange>): InstantRange {
  if (!result.ok) throw new Error(`expected ok, got: ${result.reason}`)
  return result.value
}

function utc(result: DateResult<InstantRange>): [string, string] {
  const range = value(result)
  return [new Date(range.fromMs).toISOString(), new Date(range.toMs).toISOString()]
}

function reason(result: DateResult<InstantRange>): string {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`)
  return result.reason
}

describe('GRANULARITIES', () => {
  it('lists the units from finest to coarsest', () => {
    expect(GRANULARITIES).toEqual(['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'])
    expect(Object.isFrozen(GRANULARITIES)).toBe(true)
  })
})

describe('startOfLocal', () => {
  const p = local(2024, 8, 15, 13, 47, 21, 512) // a Thursday
  it('truncates to each unit, weeks starting on Monday', () => {
    expect(startOfLocal(p, 'second')).toEqual(local(2024, 8, 15, 13, 47, 21))
    expect(startOfLocal(p, 'minute')).toEqual(local(2024, 8, 15, 13, 47))
    expect(startOfLocal(p, 'hour')).toEqual(local(2024, 8, 15, 13))
    expect(startOfLocal(p, 'day')).toEqual(local(2024, 8, 15))
    expect(startOfLocal(p, 'week')).toEqual(local(2024, 8, 12))
    expect(startOfLocal(p, 'month')).toEqual(local(2024, 8, 1))
    expect(startOfLocal(p, 'quarter')).toEqual(local(2024, 7, 1))
    expect(startOfLocal(p, 'year')).toEqual(local(2024, 1, 1))
  })

  it('finds the ISO week start across month and year boundaries', () => {
    expect(startOfLocal(local(2024, 3, 10, 8), 'week')).toEqual(local(2024, 3, 4)) // Sunday → previous Monday
    expect(startOfLocal(local(2024, 3, 4, 8), 'week')).toEqual(local(2024, 3, 4)) // Monday → itself
    expect(startOfLocal(local(2023, 1, 1), 'week')).toEqual(local(2022, 12, 26))
    expect(startOfLocal(local(2024, 3, 2), 'week')).toEqual(local(2024, 2, 26))
    expect(startOfLocal(local(2024, 12, 31), 'quarter')).toEqual(local(2024, 10, 1))
    expect(startOfLocal(local(2024, 3, 31), 'quarter')).toEqual(local(2024, 1, 1))
  })
})

describe('addLocal', () => {
  it('clamps month arithmetic to the end of the month', () => {
    expect(addLocal(local(2024, 1, 31, 10), 1, 'month')).toEqual(local(2024, 2, 29, 10))
    expect(addLocal(local(2023, 1, 31, 10), 1, 'month')).toEqual(local(2023, 2, 28, 10))
    expect(addLocal(local(2024, 3, 31), -1, 'month')).toEqual(local(2024, 2, 29))
    expect(addLocal(local(2023, 12, 31), 2, 'month')).toEqual(local(2024, 2, 29))
    expect(addLocal(local(2023, 11, 30), 1, 'quarter')).toEqual(local(2024, 2, 29))
    expect(addLocal(local(2024, 2, 29), 1, 'year')).toEqual(local(2025, 2, 28))
    expect(addLocal(local(2024, 5, 31), -13, 'month')).toEqual(local(2023, 4, 30))
  })

  it('adds fixed units on the wall clock', () => {
    expect(addLocal(local(2024, 12, 31, 23, 59, 59, 999), 1, 'second')).toEqual(local(2025, 1, 1, 0, 0, 0, 999))
    expect(addLocal(local(2024, 3, 1, 0, 30), -45, 'minute')).toEqual(local(2024, 2, 29, 23, 45))
    expect(addLocal(local(2024, 3, 10, 1), 2, 'hour')).toEqual(local(2024, 3, 10, 3))
    expect(addLocal(local(2024, 2, 28), 2, 'day')).toEqual(local(2024, 3, 1))
    expect(addLocal(local(2024, 12, 30), 1, 'week')).toEqual(local(2025, 1, 6))
  })
})

describe('parseDateRange: relative ranges at a fixed clock (New York, 2024-03-10T12:00Z, spring-forward day)', () => {
  const cases: [string, string, string][] = [
    ['today', '2024-03-10T05:00:00.000Z', '2024-03-11T03:59:59.999Z'],
    ['yesterday', '2024-03-09T05:00:00.000Z', '2024-03-10T04:59:59.999Z'],
    ['tomorrow', '2024-03-11T04:00:00.000Z', '2024-03-12T03:59:59.999Z'],
    ['last 7 days', '2024-03-03T05:00:00.000Z', '2024-03-10T04:59:59.999Z'],
    ['last 1 day', '2024-03-09T05:00:00.000Z', '2024-03-10T04:59:59.999Z'],
    ['next 3 days', '2024-03-11T04:00:00.000Z', '2024-03-14T03:59:59.999Z'],
    ['this week', '2024-03-04T05:00:00.000Z', '2024-03-11T03:59:59.999Z'],
    ['last week', '2024-02-26T05:00:00.000Z', '2024-03-04T04:59:59.999Z'],
    ['next week', '2024-03-11T04:00:00.000Z', '2024-03-18T03:59:59.999Z'],
    ['last 2 weeks', '2024-02-19T05:00:00.000Z', '2024-03-04T04:59:59.999Z'],
    ['this month', '2024-03-01T05:00:00.000Z', '2024-04-01T03:59:59.999Z'],
    ['last month', '2024-02-01T05:00:00.000Z', '2024-03-01T04:59:59.999Z'],
    ['next 2 months', '2024-04-01T04:00:00.000Z', '2024-06-01T03:59:59.999Z'],
    ['this quarter', '2024-01-01T05:00:00.000Z', '2024-04-01T03:59:59.999Z'],
    ['last quarter', '2023-10-01T04:00:00.000Z', '2024-01-01T04:59:59.999Z'],
    ['next quarter', '2024-04-01T04:00:00.000Z', '2024-07-01T03:59:59.999Z'],
    ['this year', '2024-01-01T05:00:00.000Z', '2025-01-01T04:59:59.999Z'],
    ['last year', '2023-01-01T05:00:00.000Z', '2024-01-01T04:59:59.999Z'],
    ['last 2 years', '2022-01-01T05:00:00.000Z', '2024-01-01T04:59:59.999Z'],
    ['this hour', '2024-03-10T12:00:00.000Z', '2024-03-10T12:59:59.999Z'],
    ['last hour', '2024-03-10T11:00:00.000Z', '2024-03-10T11:59:59.999Z'],
    ['last 3 hours', '2024-03-10T09:00:00.000Z', '2024-03-10T11:59:59.999Z'],
    ['next 2 hours', '2024-03-10T13:00:00.000Z', '2024-03-10T14:59:59.999Z'],
    ['this minute', '2024-03-10T12:00:00.000Z', '2024-03-10T12:00:59.999Z'],
    ['last 5 minutes', '2024-03-10T11:55:00.000Z', '2024-03-10T11:59:59.999Z'],
    ['this second', '2024-03-10T12:00:00.000Z', '2024-03-10T12:00:00.999Z'],
    ['next second', '2024-03-10T12:00:01.000Z', '2024-03-10T12:00:01.999Z'],
    ['from 7 days ago to now', '2024-03-03T05:00:00.000Z', '2024-03-11T03:59:59.999Z'],
    ['from 2024-01-01 to 2024-01-31', '2024-01-01T05:00:00.000Z', '2024-02-01T04:59:59.999Z'],
    ['from yesterday to tomorrow', '2024-03-09T05:00:00.000Z', '2024-03-12T03:59:59.999Z'],
    ['from 3 days ago to in 2 days', '2024-03-07T05:00:00.000Z', '2024-03-13T03:59:59.999Z'],
    ['from 1 week ago to 1 week from now', '2024-03-03T05:00:00.000Z', '2024-03-18T03:59:59.999Z'],
    ['from 1 month ago to today', '2024-02-10T05:00:00.000Z', '2024-03-11T03:59:59.999Z'],
    ['from 2 hours ago to now', '2024-03-10T10:00:00.000Z', '2024-03-10T12:59:59.999Z'],
    ['from 90 minutes ago to 30 minutes from now', '2024-03-10T10:30:00.000Z', '2024-03-10T12:30:59.999Z'],
    ['from 10 seconds ago to now', '2024-03-10T11:59:50.000Z', '2024-03-10T12:00:00.999Z'],
    ['from 2024-03-09T22:30 to now', '2024-03-10T03:30:00.000Z', '2024-03-11T03:59:59.999Z'],
    ['from 2024-03-01 to 2024-03-10T02:30:15', '2024-03-01T05:00:00.000Z', '2024-03-10T07:30:15.000Z'],
    [
      'from 2024-01-01T10:00:00Z to 2024-01-01T12:00:00.5+01:00',
      '2024-01-01T10:00:00.000Z',
      '2024-01-01T11:00:00.500Z',
    ],
  ]
  for (const [input, from, to] of cases) {
    it(input, () => {
      expect(utc(parseDateRange(input, NY, NOW))).toEqual([from, to])
    })
  }

  it("makes 'today' 23 hours long on the spring-forward day and 25 on the fall-back day", () => {
    const spring = value(parseDateRange('today', NY, NOW))
    expect(spring.toMs - spring.fromMs + 1).toBe(23 * HOUR)
    const fall = value(parseDateRange('today', NY, at('2024-11-03T12:00:00Z')))
    expect(utc(parseDateRange('today', NY, at('2024-11-03T12:00:00Z')))).toEqual([
      '2024-11-03T04:00:00.000Z',
      '2024-11-04T04:59:59.999Z',
    ])
    expect(fall.toMs - fall.fromMs + 1).toBe(25 * HOUR)
  })

  it('normalizes case and whitespace, and accepts singular or plural units', () => {
    const expected = ['2024-03-03T05:00:00.000Z', '2024-03-10T04:59:59.999Z']
    expect(utc(parseDateRange('  LAST   7 Days ', NY, NOW))).toEqual(expected)
    expect(utc(parseDateRange('last 7 day', NY, NOW))).toEqual(expected)
    expect(utc(parseDateRange('This Month', NY, NOW))).toEqual(['2024-03-01T05:00:00.000Z', '2024-04-01T03:59:59.999Z'])
    expect(utc(parseDateRange('FROM 7 DAYS AGO TO NOW', NY, NOW))).toEqual([
      '2024-03-03T05:00:00.000Z',
      '2024-03-11T03:59:59.999Z',
    ])
  })

  it('clamps month arithmetic to the month end, as moment does', () => {
    // From Dec 31, +2 months is Feb 29 (not Mar 2), so the range ends with February.
    expect(utc(parseDateRange('next 2 months', NY, at('2023-12-31T17:00:00Z')))).toEqual([
      '2024-01-01T05:00:00.000Z',
      '2024-03-01T04:59:59.999Z',
    ])
    // From Mar 31, -1 month is Feb 29 (not Mar 2): "last month" is February.
    expect(utc(parseDateRange('last month', NY, at('2024-03-31T16:00:00Z')))).toEqual([
      '2024-02-01T05:00:00.000Z',
      '2024-03-01T04:59:59.999Z',
    ])
    expect(utc(parseDateRange('next month', NY, at('2024-01-31T17:00:00Z')))).toEqual([
      '2024-02-01T05:00:00.000Z',
      '2024-03-01T04:59:59.999Z',
    ])
    expect(utc(parseDateRange('from 1 month ago to now', NY, at('2024-03-31T16:00:00Z')))).toEqual([
      '2024-02-29T05:00:00.000Z',
      '2024-04-01T03:59:59.999Z',
    ])
  })

  it("'this hour' follows the hour in progress during a repeated hour", () => {
    expect(utc(parseDateRange('this hour', NY, at('2024-11-03T05:30:00Z')))).toEqual([
      '2024-11-03T05:00:00.000Z',
      '2024-11-03T05:59:59.999Z',
    ])
    expect(utc(parseDateRange('this hour', NY, at('2024-11-03T06:30:00Z')))).toEqual([
      '2024-11-03T06:00:00.000Z',
      '2024-11-03T06:59:59.999Z',
    ])
    expect(utc(parseDateRange('last hour', NY, at('2024-11-03T06:30:00Z')))).toEqual([
      '2024-11-03T05:00:00.000Z',
      '2024-11-03T05:59:59.999Z',
    ])
  })

  it('uses local hours in zones with a 45-minute offset', () => {
    // 00:20Z is 06:05 in Kathmandu: the local hour 06:00-06:59 is 00:15Z-01:14Z.
    expect(utc(parseDateRange('this hour', 'Asia/Kathmandu', at('2024-01-01T00:20:00Z')))).toEqual([
      '2024-01-01T00:15:00.000Z',
      '2024-01-01T01:14:59.999Z',
    ])
    expect(utc(parseDateRange('today', 'Asia/Kathmandu', at('2024-01-01T00:20:00Z')))).toEqual([
      '2023-12-31T18:15:00.000Z',
      '2024-01-01T18:14:59.999Z',
    ])
  })

  it('handles other zones on their transition days', () => {
    expect(utc(parseDateRange('today', 'Europe/Berlin', at('2024-03-31T12:00:00Z')))).toEqual([
      '2024-03-30T23:00:00.000Z',
      '2024-03-31T21:59:59.999Z',
    ])
    // Lord Howe falls back 30 minutes on 2024-04-07: a 24.5-hour day.
    const lordHowe = value(parseDateRange('today', 'Australia/Lord_Howe', at('2024-04-07T03:00:00Z')))
    expect(utc(parseDateRange('today', 'Australia/Lord_Howe', at('2024-04-07T03:00:00Z')))).toEqual([
      '2024-04-06T13:00:00.000Z',
      '2024-04-07T13:29:59.999Z',
    ])
    expect(lordHowe.toMs - lordHowe.fromMs + 1).toBe(24.5 * HOUR)
    expect(utc(parseDateRange('today', 'UTC', NOW))).toEqual(['2024-03-10T00:00:00.000Z', '2024-03-10T23:59:59.999Z'])
  })

  it('accepts years 0001-9999 and nothing outside (year 0000 does not exist for PostgreSQL)', () => {
    const last2023 = utc(parseDateRange('last 2023 years', 'UTC', NOW))
    expect(last2023).toEqual(['0001-01-01T00:00:00.000Z', '2023-12-31T23:59:59.999Z'])
    expect(reason(parseDateRange('last 2024 years', 'UTC', NOW))).toMatch(/supported years 1-9999/)
    expect(reason(parseDateRange('0000-01-01', 'UTC', NOW))).toMatch(/supported years/)
    expect(reason(parseDateRange(['0000-12-31', '2024-01-01'], 'UTC', NOW))).toMatch(/supported years/)
    const all = utc(parseDateRange(['0001-01-01', '9999-12-31'], 'UTC', NOW))
    expect(all).toEqual(['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z'])
    expect(reason(parseDateRange('next 8000 years', 'UTC', NOW))).toMatch(/supported years/)
    expect(reason(parseDateRange('last 999999999 years', NY, NOW))).toMatch(/supported years/)
    expect(reason(parseDateRange('from 999999999 days ago to now', NY, NOW))).toMatch(/supported years/)
  })
})

describe('reversed ranges', () => {
  it('a range ending before it starts is REVERSED_DATE_RANGE, absolute or relative; a day or instant is fine', () => {
    const reversed = parseDateRange(['2031-07-19', '2030-02-03'], 'UTC', NOW)
    const reason_ = expect.stringContaining('ends before it starts')
    expect(reversed).toEqual({ ok: false, code: 'REVERSED_DATE_RANGE', reason: reason_ })
    expect(reason(reversed)).not.toMatch(/2031|2030/)
    expect(reason(parseDateRange('from 2024-12-31 to 2024-01-01', 'UTC', NOW))).toContain('ends before it starts')
    expect(reason(parseDateRange('from now to 7 days ago', NY, NOW))).toContain('ends before it starts')
    const earlier = parseDateRange(['2024-03-10T12:00:00', '2024-03-10T11:59:59.999'], NY, NOW)
    expect(reason(earlier)).toContain('ends before it starts')
    const oneDay = utc(parseDateRange(['2024-03-10', '2024-03-10'], 'UTC', NOW))
    expect(oneDay).toEqual(['2024-03-10T00:00:00.000Z', '2024-03-10T23:59:59.999Z'])
    const oneInstant = utc(parseDateRange(['2024-03-10T12:00:00', '2024-03-10T12:00:00'], 'UTC', NOW))
    expect(oneInstant).toEqual(['2024-03-10T12:00:00.000Z', '2024-03-10T12:00:00.000Z'])
  })
})

describe('the calendar: 0001-01-01 .. 9999-12-31 in UTC', () => {
  it('clamps a range reaching past either end, as a half-open range', () => {
    const iso = (ms: number) => new Date(ms).toISOString()
    expect(iso(CALENDAR_START_MS)).toBe('0001-01-01T00:00:00.000Z')
    expect(CALENDAR_END_MS).toBe(Date.UTC(9999, 11, 31, 23, 59, 59, 999) + 1)
    // 9999-12-31 in New York ends at 10000-01-01T04:59:59.999Z; 0001-01-01 in Tokyo starts in year 0 UTC.
    const ny = value(parseDateRange(['2024-01-01', '9999-12-31'], NY, NOW))
    expect(ny.toMs).toBeGreaterThan(CALENDAR_END_MS)
    expect(clampToCalendar(ny)).toEqual({ fromMs: Date.parse('2024-01-01T05:00:00Z'), toExclusiveMs: CALENDAR_END_MS })
    const tokyo = value(parseDateRange(['0001-01-01', '2024-01-01'], 'Asia/Tokyo', NOW))
    expect(tokyo.fromMs).toBeLessThan(CALENDAR_START_MS)
    expect(clampToCalendar(tokyo).fromMs).toBe(CALENDAR_START_MS)
    const inside = value(parseDateRange(['2024-01-01', '2024-01-31'], 'UTC', NOW))
    expect(clampToCalendar(inside)).toEqual({ fromMs: inside.fromMs, toExclusiveMs: inside.toMs + 1 })
    const edges = [CALENDAR_START_MS - 1, CALENDAR_START_MS, CALENDAR_END_MS - 1, CALENDAR_END_MS]
    expect(edges.map(inCalendar)).toEqual([false, true, true, false])
  })
})

describe('parseDateRange: absolute values and pairs', () => {
  it('reads a single date as that whole local day', () => {
    expect(utc(parseDateRange('2024-03-10', NY, NOW))).toEqual(['2024-03-10T05:00:00.000Z', '2024-03-11T03:59:59.999Z'])
  })

  it('reads a [from, to] pair: start of from, end of to', () => {
    expect(utc(parseDateRange(['2024-03-01', '2024-03-10'], NY, NOW))).toEqual([
      '2024-03-01T05:00:00.000Z',
      '2024-03-11T03:59:59.999Z',
    ])
    expect(utc(parseDateRange(['2024-03-10T01:30:00', '2024-03-10T03:30:00.123'], NY, NOW))).toEqual([
      '2024-03-10T06:30:00.000Z',
      '2024-03-10T07:30:00.123Z',
    ])
    expect(utc(parseDateRange(['2024-03-10 01:30', '2024-03-10 04:00:59'], NY, NOW))).toEqual([
      '2024-03-10T06:30:00.000Z',
      '2024-03-10T08:00:59.000Z',
    ])
    expect(utc(parseDateRange(['2024-03-10T01:30:00.123456789', '2024-03-10T01:30:00.9999'], NY, NOW))).toEqual([
      '2024-03-10T06:30:00.123Z',
      '2024-03-10T06:30:00.999Z',
    ])
  })

  it('honours Z and explicit offsets as exact instants', () => {
    expect(utc(parseDateRange(['2024-03-10T00:00:00Z', '2024-03-10T12:00:00.000z'], NY, NOW))).toEqual([
      '2024-03-10T00:00:00.000Z',
      '2024-03-10T12:00:00.000Z',
    ])
    expect(utc(parseDateRange(['2024-03-10T00:00:00+01:00', '2024-03-10T00:00-05:30'], NY, NOW))).toEqual([
      '2024-03-09T23:00:00.000Z',
      '2024-03-10T05:30:00.000Z',
    ])
  })

  it('resolves gap and overlap wall-clock times like localToUtc', () => {
    expect(utc(parseDateRange(['2024-03-10T02:30', '2024-11-03T01:30'], NY, NOW))).toEqual([
      '2024-03-10T07:30:00.000Z',
      '2024-11-03T05:30:00.000Z',
    ])
  })
})

describe('parseDateValue', () => {
  it('returns a whole local day for a date and [t, t] for a time', () => {
    expect(utc(parseDateValue('2024-11-03', NY))).toEqual(['2024-11-03T04:00:00.000Z', '2024-11-04T04:59:59.999Z'])
    expect(utc(parseDateValue('2024-01-01T00:00:00.000', 'Asia/Kathmandu'))).toEqual([
      '2023-12-31T18:15:00.000Z',
      '2023-12-31T18:15:00.000Z',
    ])
    expect(utc(parseDateValue(' 2024-07-04 12:00 ', NY))).toEqual([
      '2024-07-04T16:00:00.000Z',
      '2024-07-04T16:00:00.000Z',
    ])
  })

  it('gives an empty range for a local date that never happened', () => {
    const skipped = value(parseDateValue('2011-12-30', 'Pacific/Apia'))
    expect(skipped.fromMs).toBe(at('2011-12-30T10:00:00Z'))
    expect(skipped.toMs).toBe(skipped.fromMs - 1)
  })

  it('does not accept relative values', () => {
    expect(reason(parseDateValue('today', NY))).toMatch(/YYYY-MM-DD/)
    expect(reason(parseDateValue('last 7 days', NY))).toMatch(/YYYY-MM-DD/)
  })

  it('rejects impossible dates and times with a reason', () => {
    expect(reason(parseDateValue('2024-02-30', NY))).toMatch(/29 days/)
    expect(reason(parseDateValue('2023-02-29', NY))).toMatch(/28 days/)
    expect(reason(parseDateValue('2024-13-01', NY))).toMatch(/month/)
    expect(reason(parseDateValue('2024-01-01T24:00', NY))).toMatch(/hours 00-23/)
    expect(reason(parseDateValue('2024-01-01T10:00:60', NY))).toMatch(/seconds 00-59/)
    expect(reason(parseDateValue('2024-01-01T10:00+25:00', NY))).toMatch(/offset/)
    expect(parseDateValue(42 as unknown as string, NY).ok).toBe(false)
  })
})

describe('localRangeStrings', () => {
  it('echoes the range as local wall-clock strings', () => {
    expect(localRangeStrings(value(parseDateRange('today', NY, NOW)), NY)).toEqual([
      '2024-03-10T00:00:00.000',
      '2024-03-10T23:59:59.999',
    ])
    expect(
      localRangeStrings({ fromMs: at('2023-12-31T18:15:00Z'), toMs: at('2024-01-01T18:14:59.999Z') }, 'Asia/Kathmandu'),
    ).toEqual(['2024-01-01T00:00:00.000', '2024-01-01T23:59:59.999'])
    expect(localRangeStrings({ fromMs: at('2024-11-03T06:00:00Z'), toMs: at('2024-11-03T06:59:59.999Z') }, NY)).toEqual(
      ['2024-11-03T01:00:00.000', '2024-11-03T01:59:59.999'],
    )
  })
})

describe('parseDateRange: invalid input', () => {
  const invalid: unknown[] = [
    '2024-02-30',
    '2024-1-1',
    '2024-13-01',
    '2024-01-01T25:00',
    'last 0 days',
    'last -1 days',
    'next 0 weeks',
    'last 1.5 days',
    'last seven days',
    'last 7 fortnights',
    'this decade',
    'blah',
    '',
    '   ',
    'today!',
    'constructor',
    '__proto__',
    'from now',
    'from blah to now',
    'from now to blah',
    'from today to',
    'from 0.5 days ago to now',
    'from 2024-02-30 to 2024-03-01',
    'x'.repeat(500),
    `last 7 days${' '.repeat(95)}`,
    5,
    null,
    undefined,
    {},
    ['2024-01-01'],
    ['2024-01-01', '2024-01-02', '2024-01-03'],
    [1, 2],
    ['2024-01-01', 'today'],
    ['2024-01-01', '2024-02-30'],
    ['2024-01-01', 'x'.repeat(500)],
  ]
  for (const input of invalid) {
    it(`rejects ${JSON.stringify(input)?.slice(0, 60) ?? String(input)}`, () => {
      const result = parseDateRange(input as string, NY, NOW)
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.reason.length).toBeGreaterThan(10)
    })
  }

  it('rejects an unknown time zone and a non-finite clock', () => {
    expect(reason(parseDateRange('today', 'Mars/Olympus_Mons', NOW))).toMatch(/time zone/)
    expect(reason(parseDateRange('today', '+02:00', NOW))).toMatch(/time zone/)
    expect(reason(parseDateValue('2024-01-01', 'Nowhere/Special'))).toMatch(/time zone/)
    expect(reason(parseDateRange('today', NY, Number.NaN))).toMatch(/current time/)
  })

  it('says how to fix it and never echoes the input (it may be a request value)', () => {
    const long = 'blah'.repeat(20)
    const message = reason(parseDateRange(long, NY, NOW))
    expect(message).not.toContain('blah')
    expect(message).toMatch(/last 7 days/)
    expect(reason(parseDateRange('last 0 days', NY, NOW))).toMatch(/at least 1/)
    expect(reason(parseDateRange('x'.repeat(500), NY, NOW))).not.toContain('xx')
    const pair = reason(parseDateRange(['2024-01-01', `${'2'.repeat(60)}`], NY, NOW))
    expect(pair).toMatch(/^Range end/)
    expect(pair).not.toContain('22')
    expect(reason(parseDateValue('2024-02-30', NY))).not.toContain('2024')
  })
})
