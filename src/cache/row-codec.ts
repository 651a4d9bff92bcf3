/**
 * Rows as JSON that round-trips exactly: bigints, dates, byte arrays, `undefined`, NaN, ±Infinity and -0
 * become tagged objects (`{"$bigint": "…"}`, `{"$date": ms}`, …). A plain object that itself has a key
 * starting with `$` is wrapped as `{"$object": [[key, value], …]}`, so data can never be read as a tag.
 * Strings (any unicode) are left to JSON, which keeps them exactly.
 */
import { shapedRows, type FetchedRows } from './fetched-rows.js'
import { assignOwn } from '../util/objects.js'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

export function encodeValue(value: unknown): Json {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      if (Number.isFinite(value) && !Object.is(value, -0)) return value
      return { $number: Object.is(value, -0) ? '-0' : String(value) }
    case 'bigint':
      return { $bigint: value.toString() }
    case 'undefined':
      return { $undefined: true }
    case 'object': {
      if (value === null) return null
      if (Array.isArray(value)) return value.map(encodeValue)
      if (value instanceof Date) return { $date: Number.isNaN(value.getTime()) ? null : value.getTime() }
      if (value instanceof Uint8Array)
        return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') }
      const record = value as Record<string, unknown>
      const keys = Object.keys(record)
      if (keys.some((k) => k.startsWith('$'))) return { $object: keys.map((k) => [k, encodeValue(record[k])]) }
      const out: Record<string, Json> = {}
      for (const k of keys) assignOwn(out, k, encodeValue(record[k]))
      return out
    }
    default:
      // Functions and symbols are not data a driver returns; JSON would drop them too.
      return null
  }
}

/** The inverse of {@link encodeValue} on what JSON.parse returned (objects are reused where nothing changes). */
export function decodeValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map(decodeValue)
  const record = value as Record<string, unknown>
  const keys = Object.keys(record)
  if (keys.length === 1 && keys[0]!.startsWith('$')) {
    const tag = keys[0]!
    const payload = record[tag]
    switch (tag) {
      case '$bigint':
        return BigInt(payload as string)
      case '$date':
        return new Date(payload === null ? Number.NaN : (payload as number))
      case '$number':
        return payload === '-0' ? -0 : Number(payload)
      case '$undefined':
        return undefined
      case '$bytes':
        return Buffer.from(payload as string, 'base64')
      case '$object': {
        const out: Record<string, unknown> = {}
        for (const [k, v] of payload as [string, unknown][]) assignOwn(out, k, decodeValue(v))
        return out
      }
      default:
        throw new Error(`Unknown cache tag ${JSON.stringify(tag.slice(0, 20))}`)
    }
  }
  // JSON.parse made this object and its own keys (even '__proto__'): keep it unless a value needs decoding.
  for (const k of keys) {
    const v = record[k]
    if (typeof v === 'object' && v !== null) record[k] = decodeValue(v)
  }
  return record
}

/**
 * A cached result as stored, in the form the connector returned its rows: objects keyed by column alias
 * or arrays in SELECT-list order (driver rows, shaped on every read), or rows the layer shaped as they
 * arrived (a connector's `map`: Cube rows keyed by member, only cut on read). Instances of one deployment may
 * differ in that (a custom connector that answers only objects), so the form is stored with the rows.
 * Shaped rows depend on the output columns and the decimals mode, so the result key includes them
 * (statementDigest in cache-key.ts).
 */
export interface CacheEntry {
  /** Random id: tells a waiter that an entry was written after it started waiting. */
  readonly id: string
  readonly createdAt: number
  readonly refreshKeys: Readonly<Record<string, string>>
  readonly main: FetchedRows
  readonly totalRows?: readonly Record<string, unknown>[]
}

/**
 * Version of the stored text. 2: rows with their form (`form`: 'objects' | 'arrays'); 3: also 'shaped'.
 * Older entries are refused; the result key changed with each version (cache-key.ts), so they are not
 * even looked up, and an older reader refuses a version 3 entry instead of misreading shaped rows.
 */
const ENTRY_VERSION = 3

export function encodeEntry(entry: CacheEntry): string {
  return JSON.stringify({
    v: ENTRY_VERSION,
    id: entry.id,
    createdAt: entry.createdAt,
    refreshKeys: entry.refreshKeys,
    form: entry.main.form,
    rows: entry.main.rows.map(encodeValue),
    ...(entry.totalRows ? { totalRows: entry.totalRows.map(encodeValue) } : {}),
  })
}

/** Throws on anything that is not an entry this version wrote (the caller counts it as a miss). */
export function decodeEntry(text: string): CacheEntry {
  const raw = JSON.parse(text) as {
    v?: unknown
    id?: unknown
    createdAt?: unknown
    refreshKeys?: unknown
    form?: unknown
    rows?: unknown
    totalRows?: unknown
  }
  if (
    raw.v !== ENTRY_VERSION ||
    typeof raw.id !== 'string' ||
    typeof raw.createdAt !== 'number' ||
    !Array.isArray(raw.rows) ||
    typeof raw.refreshKeys !== 'object' ||
    raw.refreshKeys === null ||
    (raw.form !== 'objects' && raw.form !== 'arrays' && raw.form !== 'shaped')
  ) {
    throw new Error('Not a cache entry written by this version of cortex-semantic')
  }
  const arrays = raw.form === 'arrays'
  // Every row must be of the stored form: an array row read by alias (or an object by position) would be all nulls.
  for (const row of raw.rows as unknown[]) {
    if (typeof row !== 'object' || row === null || Array.isArray(row) !== arrays)
      throw new Error(`A cached row is not of the entry's form (${raw.form})`)
  }
  const rows = raw.rows.map(decodeValue)
  return {
    id: raw.id,
    createdAt: raw.createdAt,
    refreshKeys: raw.refreshKeys as Record<string, string>,
    main: arrays
      ? { form: 'arrays', rows: rows as unknown[][] }
      : raw.form === 'shaped'
        ? shapedRows(rows as Record<string, unknown>[])
        : { form: 'objects', rows: rows as Record<string, unknown>[] },
    ...(Array.isArray(raw.totalRows) ? { totalRows: raw.totalRows.map(decodeValue) as Record<string, unknown>[] } : {}),
  }
}
