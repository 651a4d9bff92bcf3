/**
 * Cube's REST query handling around the layer: the `query` parameter, the three query types
 * (regular, compareDateRange, data blending) and the pivot query the client's ResultSet pivots on.
 * Mirrors Cube's api-gateway (getNormalizedQueries, getPivotQuery, transformData).
 */
import { jsonErrorHint, limitExceeded, userError } from './responses.js'

export type QueryType = 'regularQuery' | 'compareDateRangeQuery' | 'blendingQuery'
type Json = Record<string, unknown>

export type ResponseFormat = 'default' | 'compact' | 'columnar'

export interface ExpandedQueries {
  readonly queryType: QueryType
  /** The queries to run, without Cube's transport-only `responseFormat` key. */
  readonly queries: readonly Json[]
  /** compareDateRange: which time dimension carried it. */
  readonly compareIndex?: number
  /** How `data` is laid out (the client's load(query, options, callback, 'compact')). */
  readonly responseFormat: ResponseFormat
}

/**
 * The `query` parameter as Cube reads it: a JSON string (GET) or an object/array (POST body). An array of
 * more than `maxQueries` queries is refused (LIMIT_EXCEEDED) before anything else is done with them.
 */
export function parseQueryParam(raw: unknown, maxQueries: number): Json | Json[] {
  if (raw === undefined || raw === null || raw === '' || raw === 'undefined')
    throw userError('Query param is required', 'QUERY_MISSING')
  let value = raw
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw)
    } catch (error) {
      throw userError(`Unable to decode query param as JSON${jsonErrorHint(error)}.`, 'INVALID_JSON')
    }
  }
  const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
  if (Array.isArray(value)) {
    if (value.length > maxQueries) throw tooManyQueries(value.length, maxQueries)
    if (value.length === 0 || !value.every(isObject)) {
      throw userError('query must be a query object or a non-empty array of query objects.', 'QUERY_INVALID')
    }
    return value
  }
  if (!isObject(value))
    throw userError('query must be a JSON object such as {"measures": ["orders.count"]}.', 'QUERY_INVALID')
  return value
}

const timeDimensionsOf = (q: Json): unknown[] => (Array.isArray(q.timeDimensions) ? q.timeDimensions : [])

function tooManyQueries(count: number, maxQueries: number): Error {
  const message =
    `This request holds ${count} queries; at most ${maxQueries} are allowed in one request (maxQueriesPerRequest). ` +
    'Send fewer blended queries or compareDateRange ranges, or raise maxQueriesPerRequest.'
  return limitExceeded(['query'], message)
}

/** Split a request into the queries to run, as Cube does: an array blends, compareDateRange compares. */
export function expandQueries(raw: Json | Json[], maxQueries: number): ExpandedQueries {
  const first = Array.isArray(raw) ? raw[0] : raw
  const format = first?.responseFormat ?? 'default'
  if (format !== 'default' && format !== 'compact' && format !== 'columnar')
    throw userError("responseFormat must be 'default', 'compact' or 'columnar'.", 'QUERY_INVALID')
  const strip = ({ responseFormat: _, ...q }: Json): Json => q
  return { ...expandTypes(Array.isArray(raw) ? raw.map(strip) : strip(raw), maxQueries), responseFormat: format }
}

function expandTypes(input: Json | Json[], maxQueries: number): Omit<ExpandedQueries, 'responseFormat'> {
  if (Array.isArray(input)) {
    const granularities = new Set(
      input.map((q) => granularityOf(timeDimensionsOf(q)[0])).filter((g): g is string => g !== undefined),
    )
    if (granularities.size > 1) throw userError('Data blending query granularities must match', 'QUERY_INVALID')
    if (granularities.size === 0)
      throw userError('Data blending query without granularity is not supported', 'QUERY_INVALID')
    return { queryType: 'blendingQuery', queries: input }
  }
  const tds = timeDimensionsOf(input)
  const withCompare = tds.flatMap((td, i) =>
    typeof td === 'object' && td !== null && 'compareDateRange' in td ? [i] : [],
  )
  if (withCompare.length === 0) return { queryType: 'regularQuery', queries: [input] }
  if (withCompare.length > 1) throw userError('compareDateRange can only exist for one timeDimension', 'QUERY_INVALID')
  const index = withCompare[0]!
  const { compareDateRange, ...rest } = tds[index] as Json
  if ('dateRange' in rest)
    throw userError('A time dimension cannot have both dateRange and compareDateRange.', 'QUERY_INVALID')
  if (Array.isArray(compareDateRange) && compareDateRange.length > maxQueries) {
    throw tooManyQueries(compareDateRange.length, maxQueries)
  }
  if (!Array.isArray(compareDateRange) || compareDateRange.length === 0) {
    throw userError('compareDateRange must be a non-empty array of date ranges.', 'QUERY_INVALID')
  }
  const queries = compareDateRange.map((dateRange) => ({
    ...input,
    timeDimensions: tds.map((td, i) => (i === index ? { ...rest, dateRange } : td)),
  }))
  return { queryType: 'compareDateRangeQuery', queries, compareIndex: index }
}

function granularityOf(td: unknown): string | undefined {
  if (typeof td !== 'object' || td === null) return undefined
  const g = (td as Json).granularity
  return typeof g === 'string' ? g : undefined
}

/**
 * Rows as Cube returns them per query type: compareDateRange rows carry `compareDateRange: 'from - to'`,
 * blended rows carry their time value under `time.<granularity>` so the client can pivot them together.
 */
export function rowsFor(expanded: ExpandedQueries, echo: Json, data: readonly Json[]): Json[] {
  const tds = (Array.isArray(echo.timeDimensions) ? echo.timeDimensions : []) as Json[]
  if (expanded.queryType === 'compareDateRangeQuery') {
    const range = tds[expanded.compareIndex ?? 0]?.dateRange
    const label = Array.isArray(range) ? range.join(' - ') : String(range ?? '')
    return data.map((row) => ({ ...row, compareDateRange: label }))
  }
  if (expanded.queryType === 'blendingQuery') {
    const td = tds[0]
    if (!td || typeof td.granularity !== 'string') return [...data]
    const from = `${String(td.dimension)}.${td.granularity}`
    const to = `time.${td.granularity}`
    return data.map((row) => ({ ...row, [to]: row[from] }))
  }
  return [...data]
}

/** `data` in Cube's compact (`{ members, dataset }`) or columnar (`{ members, columns }`) layout. */
export function formatData(format: ResponseFormat, rows: readonly Json[]): unknown {
  if (format === 'default') return rows
  const members = rows[0] ? Object.keys(rows[0]) : []
  if (format === 'compact') return { members, dataset: rows.map((r) => members.map((m) => r[m] ?? null)) }
  return { members, columns: members.map((m) => rows.map((r) => r[m] ?? null)) }
}

/** Cube's getPivotQuery: the query the client's ResultSet pivots on. */
export function pivotQuery(queryType: QueryType, echoes: readonly Json[]): Json {
  const first = echoes[0] ?? {}
  if (queryType === 'blendingQuery') {
    const union = (key: string): string[] => [
      ...new Set(echoes.flatMap((q) => (Array.isArray(q[key]) ? (q[key] as string[]) : []))),
    ]
    const granularity = granularityOf(timeDimensionsOf(first)[0])
    return {
      measures: union('measures'),
      dimensions: union('dimensions'),
      timeDimensions: [{ dimension: 'time', granularity }],
      queryType,
    }
  }
  if (queryType === 'compareDateRangeQuery') {
    const dimensions = Array.isArray(first.dimensions) ? (first.dimensions as string[]) : []
    return { ...first, dimensions: ['compareDateRange', ...dimensions], queryType }
  }
  return { ...first, queryType }
}

/** `[{ id, desc }]` → `{ member: 'asc' | 'desc' }`, as Cube's /v1/sql and /v1/dry-run report order. */
export function orderObject(order: unknown): Record<string, 'asc' | 'desc'> {
  const out: Record<string, 'asc' | 'desc'> = Object.create(null) as Record<string, 'asc' | 'desc'>
  if (!Array.isArray(order)) return out
  for (const o of order) {
    if (typeof o === 'object' && o !== null && typeof (o as Json).id === 'string')
      out[(o as Json).id as string] = (o as Json).desc ? 'desc' : 'asc'
  }
  return { ...out }
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/

/**
 * Cube's normalized form of a query that was not run (for /v1/sql and /v1/dry-run): default time zone
 * and order, `order` as `[{ id, desc }]`, filters with `member`, date-only range bounds widened to whole
 * days. Relative date ranges ('last 7 days') are echoed as written: only running the query resolves them.
 * Call it only on a query the layer has accepted.
 */
export function normalizeForEcho(q: Json): Json {
  const list = (key: string): string[] => (Array.isArray(q[key]) ? [...(q[key] as string[])] : [])
  const measures = list('measures')
  const dimensions = list('dimensions')
  const timeDimensions = timeDimensionsOf(q).map((raw) => {
    const td = raw as Json
    const out: Json = { dimension: td.dimension }
    if (td.granularity !== undefined) out.granularity = td.granularity
    if (typeof td.dateRange === 'string') out.dateRange = td.dateRange
    else if (Array.isArray(td.dateRange)) {
      const [from, to] = td.dateRange as string[]
      out.dateRange = [
        from && DATE_ONLY.test(from) ? `${from}T00:00:00.000` : from,
        to && DATE_ONLY.test(to) ? `${to}T23:59:59.999` : to,
      ]
    }
    return out
  })
  const filters = Array.isArray(q.filters) ? q.filters.map(normalizeFilter) : []
  const out: Json = {
    measures,
    dimensions,
    timeDimensions,
    filters,
    segments: list('segments'),
    order: normalizeOrder(q.order, measures, dimensions, timeDimensions),
    timezone: typeof q.timezone === 'string' ? q.timezone : 'UTC',
  }
  for (const key of ['limit', 'offset', 'total', 'ungrouped', 'renewQuery']) if (q[key] !== undefined) out[key] = q[key]
  if (typeof q.limit === 'number') out.rowLimit = q.limit
  return out
}

function normalizeFilter(f: unknown): unknown {
  if (typeof f !== 'object' || f === null) return f
  const obj = f as Json
  if (Array.isArray(obj.and)) return { and: obj.and.map(normalizeFilter) }
  if (Array.isArray(obj.or)) return { or: obj.or.map(normalizeFilter) }
  const { dimension, member, ...rest } = obj
  return { ...rest, member: member ?? dimension }
}

/**
 * Explicit order (a time dimension selected with a granularity orders by its `dim.granularity` key),
 * else the layer's default: first granular time dimension asc, else first measure desc when there are
 * dimensions, else first dimension asc.
 */
function normalizeOrder(
  order: unknown,
  measures: string[],
  dimensions: string[],
  tds: Json[],
): { id: string; desc: boolean }[] {
  const granular = [
    ...dimensions.filter((d) => d.split('.').length === 3),
    ...tds
      .filter((td) => td.granularity !== undefined)
      .map((td) => `${String(td.dimension)}.${String(td.granularity)}`),
  ]
  if (order === undefined) {
    if (granular[0]) return [{ id: granular[0], desc: false }]
    if (measures[0] && dimensions.length > 0) return [{ id: measures[0], desc: true }]
    if (dimensions[0]) return [{ id: dimensions[0], desc: false }]
    return []
  }
  const entries: [unknown, unknown][] = Array.isArray(order)
    ? order.filter((e): e is unknown[] => Array.isArray(e)).map((e) => [e[0], e[1]])
    : typeof order === 'object' && order !== null
      ? Object.entries(order)
      : []
  const out: { id: string; desc: boolean }[] = []
  const used = new Set<string>()
  for (const [key, dir] of entries) {
    if (typeof key !== 'string' || dir === 'none') continue
    const id = dimensions.includes(key)
      ? key
      : (granular.find((g) => g.startsWith(`${key}.`) && g.split('.').length === key.split('.').length + 1) ?? key)
    if (used.has(id)) continue
    used.add(id)
    out.push({ id, desc: dir === 'desc' })
  }
  return out
}
