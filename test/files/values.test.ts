/**
 * Values in files: time texts, type inference (`fits`) and conversion (`convert`), spreadsheet date
 * serials. Expected instants are computed with Date.UTC, never by the code under test.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  COLUMN_TYPES,
  FAIL,
  SheetTime,
  convert,
  fits,
  serialToWallMs,
  typeOf,
  type ColumnType,
  type RawValue,
  type SourceKind,
} from '../../src/files/column-types.js'
import { formatTimeText, parseTimeText } from '../../src/files/parse-time.js'

describe('time texts', () => {
  it.each([
    ['2024-03-05', Date.UTC(2024, 2, 5)],
    ['2024-03-05 06:07', Date.UTC(2024, 2, 5, 6, 7)],
    ['2024-03-05 06:07:08', Date.UTC(2024, 2, 5, 6, 7, 8)],
    ['2024-03-05T06:07:08', Date.UTC(2024, 2, 5, 6, 7, 8)],
    ['2024-03-05t06:07:08.5', Date.UTC(2024, 2, 5, 6, 7, 8, 500)],
    ['2024-03-05T06:07:08.123456789', Date.UTC(2024, 2, 5, 6, 7, 8, 123)],
    ['2024-03-05T06:07:08,25Z', Date.UTC(2024, 2, 5, 6, 7, 8, 250)],
    ['2024-03-05T06:07:08Z', Date.UTC(2024, 2, 5, 6, 7, 8)],
    ['2024-03-05T06:07:08+02:00', Date.UTC(2024, 2, 5, 4, 7, 8)],
    ['2024-03-05T06:07:08-0530', Date.UTC(2024, 2, 5, 11, 37, 8)],
    ['2024-03-05T06:07:08+01', Date.UTC(2024, 2, 5, 5, 7, 8)],
    ['2024-02-29 23:59:59.999', Date.UTC(2024, 1, 29, 23, 59, 59, 999)],
    ['0001-01-01', Date.UTC(2000, 0, 1) - 730_119 * 86_400_000],
  ])('%s is an instant in UTC', (text, expected) => {
    expect(parseTimeText(text, undefined)).toBe(expected)
  })

  it.each([
    '2023-02-29',
    '2024-13-01',
    '2024-00-10',
    '2024-04-31',
    '2024-01-01 24:00',
    '2024-01-01 10:60',
    '2024-01-01 10:00:60',
    '2024-1-01',
    '2024/01/01',
    '20240101',
    '2024-01-01T',
    '2024-01-01 10',
    '2024-01-01 10:00:00.',
    '2024-01-01 10:00:00.1234567890',
    '2024-01-01 10:00:00+25:00',
    '2024-01-01 10:00:00 UTC',
    '2024-01-01Z',
    ' 2024-01-01',
    'tomorrow',
    '',
  ])('%j is not a time', (text) => {
    expect(parseTimeText(text, undefined)).toBeNaN()
  })

  it('reads values without an offset in the table zone, offsets as given', () => {
    // Berlin: UTC+1 in winter, UTC+2 in summer.
    expect(parseTimeText('2024-01-15 23:30:00', 'Europe/Berlin')).toBe(Date.UTC(2024, 0, 15, 22, 30))
    expect(parseTimeText('2024-07-15 23:30:00', 'Europe/Berlin')).toBe(Date.UTC(2024, 6, 15, 21, 30))
    expect(parseTimeText('2024-07-15 23:30:00Z', 'Europe/Berlin')).toBe(Date.UTC(2024, 6, 15, 23, 30))
    // A wall time that does not exist (spring forward) moves forward by the gap; an ambiguous one takes the earlier
    // instant.
    expect(parseTimeText('2024-03-31 02:30:00', 'Europe/Berlin')).toBe(Date.UTC(2024, 2, 31, 1, 30))
    expect(parseTimeText('2024-10-27 02:30:00', 'Europe/Berlin')).toBe(Date.UTC(2024, 9, 27, 0, 30))
  })

  it('formats instants as the SQLite dialect compares them, and refuses years it cannot write', () => {
    expect(formatTimeText(Date.UTC(2024, 0, 2, 3, 4, 5, 6))).toBe('2024-01-02 03:04:05.006')
    expect(formatTimeText(Date.UTC(2024, 0, 2, 3, 4, 5))).toBe('2024-01-02 03:04:05')
    expect(formatTimeText(Date.UTC(2024, 0, 1) - 2024 * 366 * 86_400_000)).toBeUndefined()
    expect(formatTimeText(Number.NaN)).toBeUndefined()
  })
})

describe('type inference and conversion', () => {
  const infer = (values: RawValue[], kind: SourceKind = 'csv'): ColumnType =>
    typeOf(values.reduce<number>((m, v) => (v === null ? m : m & fits(v, kind, undefined)), 31))

  it.each([
    [['1', '-2', '0', null], 'integer'],
    [['1', '2.5', '1e3'], 'number'],
    [['007', '1'], 'text'], // leading zeros: an identifier (zip code), not a number
    [['9007199254740993'], 'text'], // beyond 2^53: kept exact as text
    [['1', '9007199254740991'], 'integer'], // 2^53 - 1, the largest safe integer
    [['9007199254740992'], 'text'],
    [['true', 'FALSE', 'True'], 'boolean'],
    [['1', 'true'], 'text'],
    [['yes', 'no'], 'text'],
    [['2024-01-01', '2024-01-01T10:00:00Z'], 'time'],
    [['2024-01-01', 'soon'], 'text'],
    [['', '1'], 'text'], // a quoted empty string is a value, and it is not a number
    [['NaN', '1'], 'text'],
    [['1,5'], 'text'],
    [[' 1'], 'text'],
    [[null, null], 'text'],
    [[], 'text'],
  ] as const)('CSV %j → %s', (values, type) => {
    expect(infer([...values])).toBe(type)
  })

  it.each([
    [[1, 2, null], 'integer'],
    [[1, 2.5], 'number'],
    [[true, false], 'boolean'],
    [['1', '2'], 'text'], // JSON strings are text, even digits
    [['2024-01-01T00:00:00Z'], 'time'],
    [[1, 'a'], 'text'],
    [[new SheetTime(Date.UTC(2024, 0, 1))], 'time'],
  ] as const)('JSON and spreadsheets %j → %s', (values, type) => {
    expect(infer([...values], 'json')).toBe(type)
  })

  it('stores what each type means in SQLite', () => {
    expect(convert('42', 'integer', 'csv', undefined, false)).toBe(42)
    expect(convert('2.50', 'number', 'csv', undefined, false)).toBe(2.5)
    expect(convert('TRUE', 'boolean', 'csv', undefined, false)).toBe(1)
    expect(convert('2024-01-01T00:00:00+01:00', 'time', 'csv', undefined, false)).toBe('2023-12-31 23:00:00')
    expect(convert(1.5, 'text', 'json', undefined, false)).toBe('1.5')
    expect(convert(true, 'text', 'json', undefined, false)).toBe('true')
    expect(convert(null, 'integer', 'csv', undefined, false)).toBeNull()
    expect(convert('9007199254740993', 'number', 'csv', undefined, true)).toBe(FAIL)
    // biome-ignore lint/correctness/noPrecisionLoss: 2^53 + 1 is the value under test
    expect(convert(9007199254740993, 'integer', 'json', undefined, true)).toBe(FAIL)
  })

  it('reads declared booleans leniently and spreadsheet numbers in a declared time column as serials', () => {
    for (const t of ['yes', 'Y', 'on', '1', 't']) expect(convert(t, 'boolean', 'csv', undefined, true)).toBe(1)
    for (const f of ['no', 'N', 'off', '0', 'f']) expect(convert(f, 'boolean', 'csv', undefined, true)).toBe(0)
    expect(convert('yes', 'boolean', 'csv', undefined, false)).toBe(FAIL)
    expect(['.5', '5.', '+1e3', '007', '-0.25'].map((v) => convert(v, 'number', 'csv', undefined, true))).toEqual([
      0.5, 5, 1000, 7, -0.25,
    ])
    expect(['+7', '007', '-3'].map((v) => convert(v, 'integer', 'csv', undefined, true))).toEqual([7, 7, -3])
    for (const bad of ['1.5', 'x', '', '1,5']) expect(convert(bad, 'integer', 'csv', undefined, true)).toBe(FAIL)
    expect(convert('12', 'number', 'json', undefined, true)).toBe(12)
    expect(convert(45292.5, 'time', 'sheet', undefined, true)).toBe('2024-01-01 12:00:00')
    expect(convert(45292.5, 'time', 'json', undefined, true)).toBe(FAIL)
  })

  it('fits() names exactly the types a value converts to (property)', () => {
    const texts = fc.oneof(
      fc.string(),
      fc.integer().map(String),
      fc.double({ noNaN: true }).map(String),
      fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String),
      fc.constantFrom(
        'true',
        'False',
        'yes',
        '007',
        '-0',
        '1e5',
        '2024-02-29',
        '2023-02-29',
        '2024-01-01 10:00:00+02:00',
        '9999-12-31T23:59:59-01:00',
      ),
      fc
        .date({ min: new Date(Date.UTC(1, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true })
        .map((d) => d.toISOString()),
    )
    fc.assert(
      fc.property(
        texts,
        fc.constantFrom<SourceKind>('csv', 'json'),
        fc.constantFrom(undefined, 'America/New_York'),
        (text, kind, tz) => {
          const mask = fits(text, kind, tz)
          COLUMN_TYPES.forEach((type, bit) => {
            expect(Boolean(mask & (1 << bit)), `${JSON.stringify(text)} as ${type}`).toBe(
              convert(text, type, kind, tz, false) !== FAIL,
            )
          })
        },
      ),
      { numRuns: 2000 },
    )
  })
})

describe('spreadsheet date serials', () => {
  it('are exact to the millisecond as stored', () => {
    // 23:59:59 on 2023-12-31 is 45291 + 86399/86400, a fraction a double cannot hold exactly.
    expect(serialToWallMs(45291 + 86_399 / 86_400, false)).toBe(Date.UTC(2023, 11, 31, 23, 59, 59))
    expect(serialToWallMs(45292 + 0.5 + 0.3 / 86_400_000, false)).toBe(Date.UTC(2024, 0, 1, 12, 0, 0, 0))
    for (let ms = 0; ms < 86_400_000; ms += 86_399_999 / 997) {
      const exact = Math.round(ms)
      expect(serialToWallMs(45292 + exact / 86_400_000, false)).toBe(Date.UTC(2024, 0, 1) + exact)
    }
  })

  it('follow Excel: 1900-01-01 is serial 1, 1900-03-01 is 61, and the 1904 system starts at 1904-01-01', () => {
    expect(serialToWallMs(1, false)).toBe(Date.UTC(1900, 0, 1))
    expect(serialToWallMs(59, false)).toBe(Date.UTC(1900, 1, 28))
    expect(serialToWallMs(61, false)).toBe(Date.UTC(1900, 2, 1))
    expect(serialToWallMs(0, true)).toBe(Date.UTC(1904, 0, 1))
    expect(serialToWallMs(45292 - 1462, true)).toBe(Date.UTC(2024, 0, 1))
  })
})
