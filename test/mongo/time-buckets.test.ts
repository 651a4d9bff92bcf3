/**
 * The time-bucket construction the pipeline printer uses (src/mongo/time-buckets.ts), run on mingo and
 * checked against buckets computed in JavaScript with Intl (harness/zone-oracle.ts): thousands of
 * instants per zone, the seconds around every offset change from 2016 to 2026 included, in zones with
 * DST at 02:00 (New York), at 01:00 UTC (Berlin), by 30 minutes (Lord Howe), at local midnight (São Paulo
 * until 2019), with a 5:45 offset (Kathmandu), and UTC under its aliases.
 */
import { Aggregator } from 'mingo'
import { describe, expect, it } from 'vitest'
import { localTime, timeBucket, type Granularity } from '../../src/mongo/time-buckets.js'
import { expectedBucket, offsetChanges } from './harness/zone-oracle.js'

const GRANULARITIES: readonly Granularity[] = ['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year']
const ZONES = ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'America/Sao_Paulo', 'Asia/Kathmandu', 'UTC']
const AROUND = [-86_400_000, -5_400_000, -3_600_000, -1_800_000, -1000, -1, 0, 1, 1000, 1_800_000, 3_600_000, 5_400_000]

/** mulberry32, seeded: the same instants on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function instants(zone: string, seed: number, count: number): number[] {
  const next = random(seed)
  const from = Date.UTC(1995, 0, 1)
  const to = Date.UTC(2040, 0, 1)
  const edges = offsetChanges(zone, 2016, 2026).flatMap((t) => AROUND.map((d) => t + d))
  const spread = Array.from({ length: count }, () => from + Math.floor(next() * (to - from)))
  return [...edges, ...spread]
}

function run(times: readonly number[], project: Record<string, unknown>): Record<string, unknown>[] {
  const docs = times.map((t, i) => ({ i, at: new Date(t) }))
  return new Aggregator([{ $project: project }, { $sort: { i: 1 } }], { scriptEnabled: false }).run(docs)
}

describe('time buckets in an IANA zone ($dateToString with timezone, truncated as text)', () => {
  let checked = 0
  for (const [z, zone] of ZONES.entries()) {
    it(`match Intl for every granularity in ${zone}`, () => {
      const mismatches: string[] = []
      for (const [g, granularity] of GRANULARITIES.entries()) {
        const times = instants(zone, 1000 * z + g, 150)
        const rows = run(times, {
          _id: 0,
          i: 1,
          bucket: timeBucket('$at', granularity, zone),
          full: localTime('$at', zone),
        })
        rows.forEach((row, k) => {
          const t = times[k]!
          for (const [key, expected] of [
            ['bucket', expectedBucket(t, granularity, zone)],
            ['full', expectedBucket(t, 'full', zone)],
          ] as const) {
            if (row[key] !== expected)
              mismatches.push(`${new Date(t).toISOString()} ${granularity}/${key}: ${String(row[key])} ≠ ${expected}`)
          }
        })
        checked += times.length
      }
      expect(mismatches.slice(0, 10)).toEqual([])
    })
  }

  it('covered thousands of instants, DST edges included', () => {
    expect(checked).toBeGreaterThan(9000)
    expect(offsetChanges('America/New_York', 2024, 2024)).toEqual([Date.UTC(2024, 2, 10, 7), Date.UTC(2024, 10, 3, 6)])
  })

  it('gives UTC buckets under every UTC alias (mingo rejects a timezone of "UTC", so none is sent)', () => {
    const t = Date.UTC(2024, 11, 31, 23, 59, 59, 999)
    for (const zone of ['UTC', 'Etc/UTC', 'GMT', 'Z']) {
      const [row] = run([t], { _id: 0, week: timeBucket('$at', 'week', zone), full: localTime('$at', zone) })
      expect(row).toEqual({ week: '2024-12-30T00:00:00.000', full: '2024-12-31T23:59:59.999' })
    }
  })

  it('gives null for a null or missing date in every granularity', () => {
    const docs = [{ i: 0, at: null }, { i: 1 }]
    const project = Object.fromEntries(GRANULARITIES.map((g) => [g, timeBucket('$at', g, 'Europe/Berlin')]))
    const rows = new Aggregator([{ $project: { _id: 0, ...project } }], {}).run(docs)
    for (const row of rows) expect(Object.values(row)).toEqual(GRANULARITIES.map(() => null))
  })

  it('names the bucket of a Berlin New Year by its local start (an oracle sanity check)', () => {
    // 2023-12-31 23:30 UTC is 2024-01-01 00:30 in Berlin: day, week (Monday 2024-01-01), quarter, year.
    const t = Date.UTC(2023, 11, 31, 23, 30)
    const [row] = run([t], {
      _id: 0,
      day: timeBucket('$at', 'day', 'Europe/Berlin'),
      week: timeBucket('$at', 'week', 'Europe/Berlin'),
      quarter: timeBucket('$at', 'quarter', 'Europe/Berlin'),
      nyWeek: timeBucket('$at', 'week', 'America/New_York'),
    })
    expect(row).toEqual({
      day: '2024-01-01T00:00:00.000',
      week: '2024-01-01T00:00:00.000',
      quarter: '2024-01-01T00:00:00.000',
      nyWeek: '2023-12-25T00:00:00.000',
    })
  })
})
