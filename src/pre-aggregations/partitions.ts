/** Partitions of a rollup: one per `partition_granularity` bucket of its zone, named by their local start. */
import type { Granularity } from '../query/normalized-query.js'
import { addLocal, startOfLocal } from '../query/date-range.js'
import { localToUtc, utcToLocal } from '../util/time-zone.js'

export interface PartitionRange {
  readonly fromMs: number
  readonly toExclusiveMs: number
}

export interface Partition {
  /** `all` for an unpartitioned rollup; else the local start, e.g. `20240301` or `2024030114`. */
  readonly id: string
  readonly range?: PartitionRange
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

/** Most partitions one rollup may have (a day partition over 30 years is about 11 000). */
export const MAX_PARTITIONS = 20_000

/** The partitions covering [startMs, endMs] (both inclusive), or undefined when there would be more than the cap. */
export function partitionsBetween(
  startMs: number,
  endMs: number,
  g: Granularity,
  zone: string,
): Partition[] | undefined {
  const out: Partition[] = []
  let local = startOfLocal(utcToLocal(startMs, zone), g)
  let from = localToUtc(local, zone)
  while (from <= endMs) {
    if (out.length >= MAX_PARTITIONS) return undefined
    const next = addLocal(local, 1, g)
    const to = localToUtc(next, zone)
    const fine = g === 'hour' || g === 'minute' || g === 'second'
    const id =
      `${pad(local.year, 4)}${pad(local.month)}${pad(local.day)}` +
      (fine ? pad(local.hour) : '') +
      (g === 'minute' || g === 'second' ? pad(local.minute) : '') +
      (g === 'second' ? pad(local.second) : '')
    out.push({ id, range: { fromMs: from, toExclusiveMs: to } })
    local = next
    from = to
  }
  return out
}

/** Whether two half-open ranges overlap. */
export function overlaps(a: PartitionRange, b: PartitionRange): boolean {
  return a.fromMs < b.toExclusiveMs && b.fromMs < a.toExclusiveMs
}

/** A time value as a driver returns it (Date, epoch number, or UTC text) in epoch ms; undefined when unreadable. */
export function instantOf(value: unknown): number | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime()
  if (typeof value === 'number' && Number.isFinite(value)) return value
  if (typeof value === 'bigint') return Number(value)
  if (typeof value !== 'string') return undefined
  const trimmed = value.trim()
  const text = /^\d{4}-\d\d-\d\d$/.test(trimmed) ? `${trimmed}T00:00:00` : trimmed.replace(' ', 'T')
  const zoned = /([zZ]|[+-]\d\d:?\d\d)$/.test(text) ? text : `${text}Z`
  const ms = Date.parse(zoned)
  return Number.isNaN(ms) ? undefined : ms
}
