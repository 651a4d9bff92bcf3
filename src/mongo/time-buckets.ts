/**
 * Time dimensions in the query's IANA zone as aggregation expressions that are right on MongoDB 5.0+ (as
 * documented) and on mingo (as measured: test/mongo/time-buckets.test.ts), DST included, weeks starting
 * Monday.
 *
 * The construction: `$dateToString` with `timezone` gives the local wall-clock text (the one zone-aware
 * operator mingo gets right); every granularity but week is that text with its tail replaced (the format
 * string writes the constant parts). A week parses the local day back as a UTC date (`$dateFromString`,
 * no zone), steps back to Monday in UTC milliseconds (no DST in UTC) and formats it again. The result is
 * the layer's time text, `YYYY-MM-DDTHH:mm:ss.SSS`, which sorts and groups like the instants it names.
 *
 * Not `$dateTrunc` with `timezone` (MongoDB 5.0+): mingo 7.2 gets it wrong (mingo-behaviour.test.ts).
 * The UTC aliases leave `timezone` out: mingo rejects `UTC`, `GMT` and `Z`, MongoDB formats in UTC
 * without one.
 */
import { SemanticLayerError } from '../errors.js'
import type { MongoDocument } from './mongo-statement.js'

export type Granularity = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year'

const UTC_ALIASES = new Set(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT', 'Z', 'Etc/Zulu', 'Zulu', 'Universal', 'Etc/Universal'])

/** Format strings writing each bucket's start directly (every specifier is zero-padded). */
const FORMATS: Record<Exclude<Granularity, 'week' | 'quarter'>, string> = {
  second: '%Y-%m-%dT%H:%M:%S.000',
  minute: '%Y-%m-%dT%H:%M:00.000',
  hour: '%Y-%m-%dT%H:00:00.000',
  day: '%Y-%m-%dT00:00:00.000',
  month: '%Y-%m-01T00:00:00.000',
  year: '%Y-01-01T00:00:00.000',
}
const FULL = '%Y-%m-%dT%H:%M:%S.%L'
const DAY_MS = 86_400_000
/** Month number (1-12) → the first month of its quarter, as text. */
const QUARTER_START = ['01', '01', '01', '04', '04', '04', '07', '07', '07', '10', '10', '10']

/** The `timezone` argument for a zone, or undefined for UTC (left out). Zones come checked from the query. */
function zoneArgument(zone: string): { timezone?: string } {
  if (UTC_ALIASES.has(zone)) return {}
  if (zone.startsWith('$') || zone.length === 0 || zone.length > 100) {
    const message = 'A time zone reached the MongoDB printer unchecked. This is a bug in cortex-semantic.'
    throw new SemanticLayerError('INTERNAL', [{ code: 'INTERNAL', path: [], message }])
  }
  return { timezone: zone }
}

function dateToString(date: unknown, format: string, zone: string): MongoDocument {
  return { $dateToString: { date, format, ...zoneArgument(zone) } }
}

/** A time value as the layer's time text in `zone` (milliseconds kept); null for null or missing. */
export function localTime(date: unknown, zone: string): MongoDocument {
  return dateToString(date, FULL, zone)
}

/**
 * The start of the bucket `date` falls in, in `zone`, as the layer's time text; null for a null or
 * missing date. `date` is an aggregation expression that gives a BSON date (a field path `'$created_at'`).
 */
export function timeBucket(date: unknown, granularity: Granularity, zone: string): MongoDocument {
  if (granularity === 'quarter') {
    const text = dateToString(date, '%Y-%m', zone)
    const month = { $toInt: { $substrCP: ['$$t', 5, 2] } }
    const start = { $arrayElemAt: [QUARTER_START, { $subtract: [month, 1] }] }
    const bucket = { $concat: [{ $substrCP: ['$$t', 0, 5] }, start, '-01T00:00:00.000'] }
    return { $let: { vars: { t: text }, in: { $cond: [{ $eq: ['$$t', null] }, null, bucket] } } }
  }
  if (granularity === 'week') {
    // The local calendar day as a UTC midnight; ISO day of week 1 (Monday) … 7 (Sunday) of that day.
    const day = { $dateFromString: { dateString: dateToString(date, '%Y-%m-%d', zone), format: '%Y-%m-%d' } }
    const monday = { $subtract: ['$$d', { $multiply: [{ $subtract: [{ $isoDayOfWeek: '$$d' }, 1] }, DAY_MS] }] }
    const bucket = { $dateToString: { date: monday, format: FORMATS.day } }
    return { $let: { vars: { d: day }, in: { $cond: [{ $eq: ['$$d', null] }, null, bucket] } } }
  }
  return dateToString(date, FORMATS[granularity], zone)
}
