import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  convertUtcToZonedText,
  fixedOffsetText,
  formatLocal,
  formatUtcInstant,
  isValidTimeZone,
  localToUtc,
  utcToLocal,
  zoneOffsetMs,
} from '../../src/util/time-zone.js'
import { at, local } from '../fixtures/time.js'

// Expected values are hard-coded from the published tzdata rules:
// America/New_York 2024: EST→EDT 2024-03-10T07:00Z, EDT→EST 2024-11-03T06:00Z.
// Europe/Berlin 2024: CET→CEST 2024-03-31T01:00Z, CEST→CET 2024-10-27T01:00Z.
// Australia/Lord_Howe: +11 (DST) → +10:30 on 2024-04-07 02:00 local (2024-04-06T15:00Z),
//   +10:30 → +11 on 2024-10-06 02:00 local (2024-10-05T15:30Z).
// Asia/Kathmandu: +05:45. Pacific/Apia: -10 → +14 at 2011-12-30T10:00Z (2011-12-30 never happened locally).
// Europe/Paris: PMT (+0:09:21) → WET at 1911-03-11 00:00 PMT = 1911-03-10T23:50:39Z (not on a 15-minute boundary).

const NY = 'America/New_York'
const BERLIN = 'Europe/Berlin'
const LORD_HOWE = 'Australia/Lord_Howe'
const KATHMANDU = 'Asia/Kathmandu'
const APIA = 'Pacific/Apia'
const PARIS = 'Europe/Paris'
const HOUR = 3_600_000
const MINUTE = 60_000

/** Independent oracle: US Eastern offset from the 2007+ rule (2nd Sunday of March 02:00 to 1st Sunday of November 02:00). */
function usEasternTransitions(year: number): { start: number; end: number } {
  const nthSunday = (month: number, n: number): number => {
    const firstDow = new Date(Date.UTC(year, month, 1)).getUTCDay()
    return 1 + ((7 - firstDow) % 7) + (n - 1) * 7
  }
  return {
    start: Date.UTC(year, 2, nthSunday(2, 2), 7), // 02:00 EST
    end: Date.UTC(year, 10, nthSunday(10, 1), 6), // 02:00 EDT
  }
}

function usEasternOffset(epochMs: number): number {
  const { start, end } = usEasternTransitions(new Date(epochMs).getUTCFullYear())
  return epochMs >= start && epochMs < end ? -4 * HOUR : -5 * HOUR
}

describe('isValidTimeZone', () => {
  it('accepts IANA names, UTC spellings and aliases Intl knows', () => {
    for (const tz of [
      'UTC',
      'Etc/UTC',
      NY,
      BERLIN,
      LORD_HOWE,
      KATHMANDU,
      APIA,
      'US/Eastern',
      'Etc/GMT+5',
      'America/Argentina/Buenos_Aires',
    ]) {
      expect(isValidTimeZone(tz), tz).toBe(true)
    }
  })

  it('rejects fixed offsets, unknown names, odd characters and non-strings', () => {
    const bad: unknown[] = [
      '+02:00',
      '+0200',
      '-05:00',
      '-05',
      '0200',
      'Mars/Olympus_Mons',
      '',
      'America/New York',
      'UTC; DROP TABLE x',
      'America/New_York\n',
      'x'.repeat(200),
      5,
      null,
      undefined,
      {},
    ]
    for (const tz of bad) expect(isValidTimeZone(tz as string), String(tz)).toBe(false)
  })

  it('gives the same answer when asked again (cached)', () => {
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false)
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false)
    expect(isValidTimeZone(BERLIN)).toBe(true)
    expect(isValidTimeZone(BERLIN)).toBe(true)
  })
})

describe('fixedOffsetText', () => {
  it('gives UTC aliases and Etc/GMT±h zones their offset (Etc/GMT-5 is five hours east of UTC)', () => {
    const utc = ['UTC', 'Etc/UTC', 'Etc/UCT', 'Zulu', 'GMT', 'Etc/GMT', 'Etc/GMT0', 'Universal', 'Greenwich']
    for (const tz of utc) expect(fixedOffsetText(tz), tz).toBe('+00:00')
    expect(fixedOffsetText('Etc/GMT-5')).toBe('+05:00')
    expect(fixedOffsetText('Etc/GMT-14')).toBe('+14:00')
    expect(fixedOffsetText('Etc/GMT+11')).toBe('-11:00')
  })

  it('gives nothing for zones whose offset ever changed (DST, history) or that do not exist', () => {
    // Asia/Kolkata is +05:30 today but was not always; EST is an alias of America/Panama (LMT before 1908).
    const changing = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'EST', 'Nowhere/City', '+05:30', '']
    for (const tz of changing) expect(fixedOffsetText(tz), tz).toBeUndefined()
  })
})

describe('utcToLocal', () => {
  it('decomposes UTC without a zone lookup', () => {
    expect(utcToLocal(at('2024-02-29T23:59:59.999Z'), 'UTC')).toEqual(local(2024, 2, 29, 23, 59, 59, 999))
    expect(utcToLocal(at('1969-12-31T23:59:59.999Z'), 'Etc/UTC')).toEqual(local(1969, 12, 31, 23, 59, 59, 999))
    expect(utcToLocal(at('0001-01-01T00:00:00.000Z'), 'UTC')).toEqual(local(1, 1, 1))
  })

  it('crosses the New York spring-forward and fall-back transitions', () => {
    expect(utcToLocal(at('2024-03-10T06:59:59.999Z'), NY)).toEqual(local(2024, 3, 10, 1, 59, 59, 999))
    expect(utcToLocal(at('2024-03-10T07:00:00.000Z'), NY)).toEqual(local(2024, 3, 10, 3, 0, 0, 0))
    expect(utcToLocal(at('2024-11-03T05:59:59.999Z'), NY)).toEqual(local(2024, 11, 3, 1, 59, 59, 999))
    expect(utcToLocal(at('2024-11-03T06:00:00.000Z'), NY)).toEqual(local(2024, 11, 3, 1, 0, 0, 0))
  })

  it('crosses the Berlin transitions', () => {
    expect(utcToLocal(at('2024-03-31T00:59:59.999Z'), BERLIN)).toEqual(local(2024, 3, 31, 1, 59, 59, 999))
    expect(utcToLocal(at('2024-03-31T01:00:00.000Z'), BERLIN)).toEqual(local(2024, 3, 31, 3))
    expect(utcToLocal(at('2024-10-27T00:59:59.999Z'), BERLIN)).toEqual(local(2024, 10, 27, 2, 59, 59, 999))
    expect(utcToLocal(at('2024-10-27T01:00:00.000Z'), BERLIN)).toEqual(local(2024, 10, 27, 2))
  })

  it('handles 30- and 45-minute offsets', () => {
    expect(utcToLocal(at('2024-04-06T14:59:59.000Z'), LORD_HOWE)).toEqual(local(2024, 4, 7, 1, 59, 59))
    expect(utcToLocal(at('2024-04-06T15:00:00.000Z'), LORD_HOWE)).toEqual(local(2024, 4, 7, 1, 30))
    expect(utcToLocal(at('2024-10-05T15:29:59.000Z'), LORD_HOWE)).toEqual(local(2024, 10, 6, 1, 59, 59))
    expect(utcToLocal(at('2024-10-05T15:30:00.000Z'), LORD_HOWE)).toEqual(local(2024, 10, 6, 2, 30))
    expect(utcToLocal(at('2024-01-01T00:00:00.000Z'), KATHMANDU)).toEqual(local(2024, 1, 1, 5, 45))
    expect(utcToLocal(at('2024-06-30T18:14:59.999Z'), KATHMANDU)).toEqual(local(2024, 6, 30, 23, 59, 59, 999))
  })

  it('skips 2011-12-30 in Apia', () => {
    expect(utcToLocal(at('2011-12-30T09:59:59.999Z'), APIA)).toEqual(local(2011, 12, 29, 23, 59, 59, 999))
    expect(utcToLocal(at('2011-12-30T10:00:00.000Z'), APIA)).toEqual(local(2011, 12, 31))
  })

  it('matches the US Eastern rule for arbitrary instants 2007-2035', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2007, 0, 1), max: Date.UTC(2035, 11, 31) }), (t) => {
        const shifted = new Date(t + usEasternOffset(t))
        const expected = local(
          shifted.getUTCFullYear(),
          shifted.getUTCMonth() + 1,
          shifted.getUTCDate(),
          shifted.getUTCHours(),
          shifted.getUTCMinutes(),
          shifted.getUTCSeconds(),
          shifted.getUTCMilliseconds(),
        )
        expect(utcToLocal(t, NY)).toEqual(expected)
      }),
      { numRuns: 2000 },
    )
  })

  it('throws RangeError for invalid zones and instants', () => {
    expect(() => utcToLocal(0, 'Mars/Olympus_Mons')).toThrow(RangeError)
    expect(() => utcToLocal(0, '+02:00')).toThrow(RangeError)
    expect(() => utcToLocal(Number.NaN, NY)).toThrow(RangeError)
  })
})

describe('zoneOffsetMs', () => {
  it('returns the offset in force at the instant', () => {
    expect(zoneOffsetMs(at('2024-03-10T06:59:59.999Z'), NY)).toBe(-5 * HOUR)
    expect(zoneOffsetMs(at('2024-03-10T07:00:00.000Z'), NY)).toBe(-4 * HOUR)
    expect(zoneOffsetMs(at('2024-11-03T05:59:59.999Z'), NY)).toBe(-4 * HOUR)
    expect(zoneOffsetMs(at('2024-11-03T06:00:00.000Z'), NY)).toBe(-5 * HOUR)
    expect(zoneOffsetMs(at('2024-07-01T00:00:00.000Z'), KATHMANDU)).toBe(5 * HOUR + 45 * MINUTE)
    expect(zoneOffsetMs(at('2024-07-01T00:00:00.000Z'), LORD_HOWE)).toBe(10 * HOUR + 30 * MINUTE)
    expect(zoneOffsetMs(at('2024-01-01T00:00:00.000Z'), LORD_HOWE)).toBe(11 * HOUR)
    expect(zoneOffsetMs(at('2024-01-01T00:00:00.000Z'), 'UTC')).toBe(0)
  })

  it('keeps local-mean-time offsets to the second, also before 1800', () => {
    // New York LMT is -4:56:02.
    expect(zoneOffsetMs(at('1850-06-01T00:00:00Z'), NY)).toBe(-(4 * HOUR + 56 * MINUTE + 2_000))
    expect(zoneOffsetMs(at('1600-06-01T00:00:00Z'), NY)).toBe(-(4 * HOUR + 56 * MINUTE + 2_000))
  })

  it('is exact inside a 15-minute bucket that contains a transition, whatever the call order', () => {
    const transition = at('1911-03-10T23:50:39Z')
    const pmt = 9 * MINUTE + 21_000
    // After the transition first: a bucket cache that stored this offset would then be wrong for the earlier calls.
    expect(zoneOffsetMs(transition + 4 * MINUTE, PARIS)).toBe(0)
    expect(zoneOffsetMs(transition - 1, PARIS)).toBe(pmt)
    expect(zoneOffsetMs(transition - 5 * MINUTE, PARIS)).toBe(pmt)
    expect(zoneOffsetMs(transition, PARIS)).toBe(0)
    expect(zoneOffsetMs(transition - 1_000, PARIS)).toBe(pmt)
    // The neighbouring buckets have no transition and are cacheable.
    expect(zoneOffsetMs(at('1911-03-10T23:44:59.999Z'), PARIS)).toBe(pmt)
    expect(zoneOffsetMs(at('1911-03-11T00:00:00.000Z'), PARIS)).toBe(0)
    expect(zoneOffsetMs(transition - 1, PARIS)).toBe(pmt)
  })

  it('agrees with the US Eastern rule in a shuffled sweep around both 2024 transitions', () => {
    const instants: number[] = []
    for (const center of [at('2024-03-10T07:00:00Z'), at('2024-11-03T06:00:00Z')]) {
      for (let t = center - 3 * HOUR; t <= center + 3 * HOUR; t += 7 * MINUTE + 13_001)
        instants.push(t, center - 1, center)
    }
    // Deterministic shuffle so later instants are often asked before earlier ones.
    for (let i = instants.length - 1; i > 0; i--) {
      const j = (i * 7_919) % (i + 1)
      const tmp = instants[i] as number
      instants[i] = instants[j] as number
      instants[j] = tmp
    }
    for (const t of instants) expect(zoneOffsetMs(t, NY), new Date(t).toISOString()).toBe(usEasternOffset(t))
  })
})

describe('localToUtc', () => {
  it('converts ordinary wall-clock times', () => {
    expect(localToUtc(local(2024, 1, 15, 9, 30), NY)).toBe(at('2024-01-15T14:30:00Z'))
    expect(localToUtc(local(2024, 7, 15, 9, 30, 15, 250), NY)).toBe(at('2024-07-15T13:30:15.250Z'))
    expect(localToUtc(local(2024, 1, 1), KATHMANDU)).toBe(at('2023-12-31T18:15:00Z'))
    expect(localToUtc(local(2024, 2, 29, 23, 59, 59, 999), 'UTC')).toBe(at('2024-02-29T23:59:59.999Z'))
  })

  it('resolves DST gaps forward by the length of the gap', () => {
    // 02:30 does not exist on 2024-03-10 in New York: 03:30 EDT.
    expect(localToUtc(local(2024, 3, 10, 2, 30), NY)).toBe(at('2024-03-10T07:30:00Z'))
    expect(localToUtc(local(2024, 3, 10, 2, 0), NY)).toBe(at('2024-03-10T07:00:00Z'))
    expect(localToUtc(local(2024, 3, 10, 3, 0), NY)).toBe(at('2024-03-10T07:00:00Z'))
    expect(localToUtc(local(2024, 3, 10, 1, 59, 59, 999), NY)).toBe(at('2024-03-10T06:59:59.999Z'))
    // Berlin 02:30 on 2024-03-31 → 03:30 CEST.
    expect(localToUtc(local(2024, 3, 31, 2, 30), BERLIN)).toBe(at('2024-03-31T01:30:00Z'))
    // Lord Howe's 30-minute gap: 02:15 → 02:45 (+11).
    expect(localToUtc(local(2024, 10, 6, 2, 15), LORD_HOWE)).toBe(at('2024-10-05T15:45:00Z'))
    // Apia skipped a whole day: noon on 2011-12-30 → noon on 2011-12-31 (+14).
    expect(localToUtc(local(2011, 12, 30, 12), APIA)).toBe(at('2011-12-30T22:00:00Z'))
    expect(localToUtc(local(2011, 12, 30), APIA)).toBe(at('2011-12-30T10:00:00Z'))
  })

  it('resolves DST overlaps to the earlier instant', () => {
    expect(localToUtc(local(2024, 11, 3, 1, 30), NY)).toBe(at('2024-11-03T05:30:00Z'))
    expect(localToUtc(local(2024, 11, 3, 1, 0), NY)).toBe(at('2024-11-03T05:00:00Z'))
    expect(localToUtc(local(2024, 11, 3, 1, 59, 59, 999), NY)).toBe(at('2024-11-03T05:59:59.999Z'))
    expect(localToUtc(local(2024, 11, 3, 2, 0), NY)).toBe(at('2024-11-03T07:00:00Z'))
    expect(localToUtc(local(2024, 10, 27, 2, 30), BERLIN)).toBe(at('2024-10-27T00:30:00Z'))
    // Lord Howe repeats 01:30-02:00: the first 01:45 is at +11.
    expect(localToUtc(local(2024, 4, 7, 1, 45), LORD_HOWE)).toBe(at('2024-04-06T14:45:00Z'))
  })

  it('rolls over out-of-range fields', () => {
    expect(localToUtc(local(2024, 13, 1), 'UTC')).toBe(at('2025-01-01T00:00:00Z'))
    expect(localToUtc(local(2024, 0, 1), 'UTC')).toBe(at('2023-12-01T00:00:00Z'))
    expect(localToUtc(local(2024, 2, 30), 'UTC')).toBe(at('2024-03-01T00:00:00Z'))
  })

  it('matches the US Eastern rule (gaps forward, overlaps earlier) for arbitrary wall-clock minutes 2007-2035', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2007, 0, 1) / MINUTE, max: Date.UTC(2035, 11, 31) / MINUTE }),
        (minutes) => {
          const wall = minutes * MINUTE
          const d = new Date(wall)
          const { start, end } = usEasternTransitions(d.getUTCFullYear())
          // Wall-clock bounds of the EDT period: from 03:00 on the start day to 02:00 on the end day (exclusive).
          const edtFrom = start - 5 * HOUR + HOUR
          const edtTo = end - 4 * HOUR
          const expected = wall >= edtFrom && wall < edtTo ? wall + 4 * HOUR : wall + 5 * HOUR
          const parts = local(
            d.getUTCFullYear(),
            d.getUTCMonth() + 1,
            d.getUTCDate(),
            d.getUTCHours(),
            d.getUTCMinutes(),
          )
          expect(localToUtc(parts, NY)).toBe(expected)
        },
      ),
      { numRuns: 2000 },
    )
  })
})

describe('formatLocal and formatUtcInstant', () => {
  it('zero-pads every field', () => {
    expect(formatLocal(local(2024, 3, 5, 7, 8, 9, 4))).toBe('2024-03-05T07:08:09.004')
    expect(formatLocal(local(2024, 12, 31, 23, 59, 59, 999), ' ')).toBe('2024-12-31 23:59:59.999')
    expect(formatLocal(local(5, 1, 1, 0, 0, 0, 50))).toBe('0005-01-01T00:00:00.050')
    expect(formatLocal(local(0, 1, 1))).toBe('0000-01-01T00:00:00.000')
    expect(formatLocal(local(999, 10, 10, 10, 10, 10, 100), 'T')).toBe('0999-10-10T10:10:10.100')
  })

  it('formats instants in UTC with a Z', () => {
    expect(formatUtcInstant(at('2024-03-10T07:00:00.5Z'))).toBe('2024-03-10T07:00:00.500Z')
    expect(formatUtcInstant(0)).toBe('1970-01-01T00:00:00.000Z')
  })
})

describe('convertUtcToZonedText', () => {
  it('accepts every documented text format', () => {
    const cases: [string, string][] = [
      ['2024-03-10', '2024-03-09 19:00:00.000'],
      ['2024-03-10 06:59', '2024-03-10 01:59:00.000'],
      ['2024-03-10 06:59:59', '2024-03-10 01:59:59.000'],
      ['2024-03-10 06:59:59.999', '2024-03-10 01:59:59.999'],
      ['2024-03-10T06:59:59.999', '2024-03-10 01:59:59.999'],
      ['2024-03-10T07:00', '2024-03-10 03:00:00.000'],
      ['2024-03-10 07:00:00.5', '2024-03-10 03:00:00.500'],
      ['2024-03-10 07:00:00.12', '2024-03-10 03:00:00.120'],
      ['2024-03-10 07:00:00.1234', '2024-03-10 03:00:00.123'],
      ['2024-03-10 07:00:00.123456789', '2024-03-10 03:00:00.123'],
      ['2024-03-10 07:00:00Z', '2024-03-10 03:00:00.000'],
      ['2024-03-10T07:00:00.250Z', '2024-03-10 03:00:00.250'],
      ['2024-03-10T07:00Z', '2024-03-10 03:00:00.000'],
      ['2024-03-10T08:00:00+01:00', '2024-03-10 03:00:00.000'],
      ['2024-03-10T01:59:59-05:00', '2024-03-10 01:59:59.000'],
      ['2024-03-10 12:45:00+05:45', '2024-03-10 03:00:00.000'],
    ]
    for (const [input, expected] of cases) expect(convertUtcToZonedText(input, NY), input).toBe(expected)
  })

  it('reads numbers as unix epoch seconds', () => {
    expect(convertUtcToZonedText(1_710_053_999, NY)).toBe('2024-03-10 01:59:59.000')
    expect(convertUtcToZonedText(1_710_054_000, NY)).toBe('2024-03-10 03:00:00.000')
    expect(convertUtcToZonedText(1_710_054_000.25, NY)).toBe('2024-03-10 03:00:00.250')
    expect(convertUtcToZonedText(1_710_054_000n, NY)).toBe('2024-03-10 03:00:00.000')
    expect(convertUtcToZonedText(0, 'UTC')).toBe('1970-01-01 00:00:00.000')
    expect(convertUtcToZonedText(-1, 'UTC')).toBe('1969-12-31 23:59:59.000')
  })

  it('returns null for null and unparseable values', () => {
    const bad: unknown[] = [
      null,
      undefined,
      '',
      'garbage',
      '2024-02-30',
      '2023-02-29',
      '2024-13-01',
      '2024-00-10',
      '2024-01-00',
      '2024-1-1',
      '2024-01-01 24:00',
      '2024-01-01 10:60',
      '2024-01-01 10:00:60',
      '2024-01-01 10',
      '2024-01-01 10:00:00.',
      '2024-01-01 10:00:00.1234567890',
      '2024-01-01 10:00:00 ',
      ' 2024-01-01',
      '2024-01-01X10:00',
      '2024-01-01T10:00+0100',
      '2024-01-01T10:00+01',
      '2024-01-01T10:00+24:00',
      '2024-01-01T10:00ZZ',
      '2024/01/01',
      Number.NaN,
      Number.POSITIVE_INFINITY,
      1e300,
      Buffer.from('2024-01-01'),
      {},
      true,
    ]
    for (const value of bad) expect(convertUtcToZonedText(value, NY), String(value)).toBeNull()
  })

  it('converts instants right before and after transitions', () => {
    const cases: [string, string, string][] = [
      [NY, '2024-03-10 06:59:59.999', '2024-03-10 01:59:59.999'],
      [NY, '2024-03-10 07:00:00', '2024-03-10 03:00:00.000'],
      [NY, '2024-11-03 05:59:59.999', '2024-11-03 01:59:59.999'],
      [NY, '2024-11-03 06:00:00', '2024-11-03 01:00:00.000'],
      [BERLIN, '2024-03-31 00:59:59.999', '2024-03-31 01:59:59.999'],
      [BERLIN, '2024-03-31 01:00:00', '2024-03-31 03:00:00.000'],
      [BERLIN, '2024-10-27 00:59:59.999', '2024-10-27 02:59:59.999'],
      [BERLIN, '2024-10-27 01:00:00', '2024-10-27 02:00:00.000'],
      [LORD_HOWE, '2024-04-06 14:59:59', '2024-04-07 01:59:59.000'],
      [LORD_HOWE, '2024-04-06 15:00:00', '2024-04-07 01:30:00.000'],
      [LORD_HOWE, '2024-10-05 15:29:59', '2024-10-06 01:59:59.000'],
      [LORD_HOWE, '2024-10-05 15:30:00', '2024-10-06 02:30:00.000'],
      [KATHMANDU, '2024-03-10 18:14:59.999', '2024-03-10 23:59:59.999'],
      [KATHMANDU, '2024-03-10 18:15', '2024-03-11 00:00:00.000'],
      [APIA, '2011-12-30 09:59:59', '2011-12-29 23:59:59.000'],
      [APIA, '2011-12-30 10:00:00', '2011-12-31 00:00:00.000'],
      ['UTC', '2024-03-10T07:00Z', '2024-03-10 07:00:00.000'],
      ['Etc/UTC', '2024-03-10 07:00:00.1', '2024-03-10 07:00:00.100'],
    ]
    for (const [tz, input, expected] of cases) expect(convertUtcToZonedText(input, tz), `${tz} ${input}`).toBe(expected)
  })

  it('stays exact in a bucket with a transition when called latest-first', () => {
    expect(convertUtcToZonedText('1911-03-10 23:55:00', PARIS)).toBe('1911-03-10 23:55:00.000')
    expect(convertUtcToZonedText('1911-03-10 23:50:39', PARIS)).toBe('1911-03-10 23:50:39.000')
    expect(convertUtcToZonedText('1911-03-10 23:50:38.999', PARIS)).toBe('1911-03-10 23:59:59.999')
    expect(convertUtcToZonedText('1911-03-10 23:46:00', PARIS)).toBe('1911-03-10 23:55:21.000')
    expect(convertUtcToZonedText('1911-03-10 23:59:59', PARIS)).toBe('1911-03-10 23:59:59.000')
  })

  it('does not reuse a neighbouring bucket across a transition (descending then ascending sweeps)', () => {
    const sweep: [string, string][] = [
      ['2024-11-03 06:14:59', '2024-11-03 01:14:59.000'],
      ['2024-11-03 06:00:00', '2024-11-03 01:00:00.000'],
      ['2024-11-03 05:59:59', '2024-11-03 01:59:59.000'],
      ['2024-11-03 05:45:00', '2024-11-03 01:45:00.000'],
    ]
    for (const [input, expected] of sweep) expect(convertUtcToZonedText(input, NY)).toBe(expected)
    for (const [input, expected] of [...sweep].reverse()) expect(convertUtcToZonedText(input, NY)).toBe(expected)
  })

  it('throws RangeError for an invalid zone', () => {
    expect(() => convertUtcToZonedText('2024-01-01', 'Mars/Olympus_Mons')).toThrow(RangeError)
  })
})
