import { z } from 'zod'
import { SemanticLayerError, describeName, type ErrorIssue } from '../errors.js'
import { didYouMean } from '../util/suggest.js'

/** Cube's filter operators (REST API). */
export const FILTER_OPERATORS = [
  'equals',
  'notEquals',
  'contains',
  'notContains',
  'startsWith',
  'notStartsWith',
  'endsWith',
  'notEndsWith',
  'gt',
  'gte',
  'lt',
  'lte',
  'set',
  'notSet',
  'inDateRange',
  'notInDateRange',
  'beforeDate',
  'beforeOrOnDate',
  'afterDate',
  'afterOrOnDate',
  'measureFilter',
] as const
export type FilterOperator = (typeof FILTER_OPERATORS)[number]

export type FilterValue = string | number | boolean | null
export type CubeFilter =
  | { member: string; operator: FilterOperator; values?: FilterValue[] }
  | { and: CubeFilter[] }
  | { or: CubeFilter[] }

export interface CubeTimeDimension {
  dimension: string
  granularity?: string
  dateRange?: string | [string, string]
}

export type OrderDirection = 'asc' | 'desc' | 'none'

/** A query in Cube's REST API format. */
export interface CubeQuery {
  measures?: string[]
  dimensions?: string[]
  timeDimensions?: CubeTimeDimension[]
  filters?: CubeFilter[]
  segments?: string[]
  order?: Record<string, OrderDirection> | [string, OrderDirection][]
  limit?: number
  offset?: number
  total?: boolean
  timezone?: string
  ungrouped?: boolean
  renewQuery?: boolean
}

const MAX_LIST = 1000
const memberList = z.array(z.string().max(500)).max(MAX_LIST)
const dateString = z.string().max(200)
const timeDimension = z.strictObject({
  dimension: z.string().max(500),
  granularity: z.string().max(50).optional(),
  dateRange: z.union([dateString, z.tuple([dateString, dateString])]).optional(),
})
const queryShape = z.strictObject({
  measures: memberList.optional(),
  dimensions: memberList.optional(),
  segments: memberList.optional(),
  timeDimensions: z.array(timeDimension).max(MAX_LIST).optional(),
  filters: z.array(z.unknown()).max(MAX_LIST).optional(),
  order: z.unknown().optional(),
  limit: z.number().int().min(0).optional(),
  offset: z.number().int().min(0).optional(),
  total: z.boolean().optional(),
  timezone: z.string().max(100).optional(),
  ungrouped: z.boolean().optional(),
  renewQuery: z.boolean().optional(),
})
const QUERY_KEYS = Object.keys(queryShape.shape)
const TIME_DIMENSION_KEYS = Object.keys(timeDimension.shape)

/**
 * Check that `input` has the shape of a Cube REST query. Reports every problem at once as a
 * QUERY_INVALID error; values never appear in messages. Returns a fresh object (no shared references
 * to the caller's input, no inherited properties).
 */
export function parseQuery(input: unknown): CubeQuery {
  const issues: ErrorIssue[] = []
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new SemanticLayerError('QUERY_INVALID', [
      { code: 'WRONG_TYPE', path: [], message: 'A query must be a JSON object like { "measures": ["orders.count"] }.' },
    ])
  }
  const parsed = queryShape.safeParse(input)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) issues.push(toIssue(issue))
  }
  const raw = input as Record<string, unknown>
  const filters: CubeFilter[] = []
  if (Array.isArray(raw.filters))
    raw.filters.forEach((f, i) => {
      const out = parseFilter(f, ['filters', i], issues, 0)
      if (out) filters.push(out)
    })
  const order = raw.order === undefined ? undefined : parseOrder(raw.order, issues)
  if (issues.length > 0 || !parsed.success) throw new SemanticLayerError('QUERY_INVALID', issues)
  const q = parsed.data
  const out: CubeQuery = {}
  if (q.measures) out.measures = [...q.measures]
  if (q.dimensions) out.dimensions = [...q.dimensions]
  if (q.segments) out.segments = [...q.segments]
  if (q.timeDimensions) {
    out.timeDimensions = q.timeDimensions.map((t) => ({
      dimension: t.dimension,
      ...(t.granularity === undefined ? {} : { granularity: t.granularity }),
      ...(t.dateRange === undefined
        ? {}
        : {
            dateRange:
              typeof t.dateRange === 'string' ? t.dateRange : ([t.dateRange[0], t.dateRange[1]] as [string, string]),
          }),
    }))
  }
  if (raw.filters !== undefined) out.filters = filters
  if (order !== undefined) out.order = order
  if (q.limit !== undefined) out.limit = q.limit
  if (q.offset !== undefined) out.offset = q.offset
  if (q.total !== undefined) out.total = q.total
  if (q.timezone !== undefined) out.timezone = q.timezone
  if (q.ungrouped !== undefined) out.ungrouped = q.ungrouped
  if (q.renewQuery !== undefined) out.renewQuery = q.renewQuery
  return out
}

function toIssue(issue: z.core.$ZodIssue): ErrorIssue {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))
  switch (issue.code) {
    case 'unrecognized_keys': {
      const key = issue.keys[0] ?? ''
      const inTimeDimension = path[0] === 'timeDimensions'
      const accepted = inTimeDimension ? TIME_DIMENSION_KEYS : QUERY_KEYS
      const where = inTimeDimension ? 'a time dimension' : path.length ? 'this object' : 'the query'
      const list = path.length && !inTimeDimension ? '' : ` Accepted keys: ${accepted.join(', ')}.`
      const keys = issue.keys.map(describeName).join(', ')
      const message = `Unknown key ${keys} in ${where}.${didYouMean(key, accepted)}${list}`
      return { code: 'UNKNOWN_KEY', path: [...path, key], message }
    }
    case 'invalid_type':
      return { code: 'WRONG_TYPE', path, message: `Expected ${issue.expected} here.` }
    case 'too_small':
      return { code: 'WRONG_TYPE', path, message: `Must be at least ${String(issue.minimum)}.` }
    case 'too_big':
      return { code: 'WRONG_TYPE', path, message: `Too long or too large: at most ${String(issue.maximum)}.` }
    default:
      return {
        code: 'WRONG_TYPE',
        path,
        message:
          path.at(-1) === 'dateRange'
            ? 'dateRange must be a string or a [from, to] pair of strings.'
            : 'Value has the wrong type or format.',
      }
  }
}

const FILTER_KEYS = new Set(['member', 'dimension', 'operator', 'values'])
const OPERATOR_SET: ReadonlySet<string> = new Set(FILTER_OPERATORS)

function parseFilter(
  f: unknown,
  path: (string | number)[],
  issues: ErrorIssue[],
  depth: number,
): CubeFilter | undefined {
  if (depth > 20) {
    issues.push({
      code: 'TOO_DEEP',
      path,
      message: 'Filters are nested more than 20 levels deep. Flatten the and/or groups.',
    })
    return undefined
  }
  if (typeof f !== 'object' || f === null || Array.isArray(f)) {
    issues.push({
      code: 'WRONG_TYPE',
      path,
      message: 'A filter must be an object: { member, operator, values } or { and: [...] } / { or: [...] }.',
    })
    return undefined
  }
  const keys = Object.keys(f)
  const obj = f as Record<string, unknown>
  for (const logical of ['and', 'or'] as const) {
    if (keys.includes(logical)) {
      if (keys.length !== 1) {
        issues.push({ code: 'UNKNOWN_KEY', path, message: `A filter with '${logical}' must have no other keys.` })
        return undefined
      }
      const list = obj[logical]
      if (!Array.isArray(list) || list.length > MAX_LIST) {
        issues.push({
          code: 'WRONG_TYPE',
          path: [...path, logical],
          message: `'${logical}' must be an array of filters.`,
        })
        return undefined
      }
      const children: CubeFilter[] = []
      list.forEach((c, i) => {
        const out = parseFilter(c, [...path, logical, i], issues, depth + 1)
        if (out) children.push(out)
      })
      return logical === 'and' ? { and: children } : { or: children }
    }
  }
  let ok = true
  for (const k of keys) {
    if (!FILTER_KEYS.has(k)) {
      const hint = didYouMean(k, FILTER_KEYS)
      const message = `Unknown key ${describeName(k)} in a filter.${hint} Use member, operator and values.`
      issues.push({ code: 'UNKNOWN_KEY', path: [...path, k], message })
      ok = false
    }
  }
  const member = obj.member ?? obj.dimension
  if (typeof member !== 'string' || member.length > 500) {
    issues.push({
      code: 'WRONG_TYPE',
      path: [...path, 'member'],
      message: 'A filter needs member: "cube.member" (a string).',
    })
    ok = false
  }
  const operator = obj.operator
  if (typeof operator !== 'string' || !OPERATOR_SET.has(operator)) {
    const named = typeof operator === 'string' ? ` ${describeName(operator)}` : ''
    const hint = didYouMean(operator, FILTER_OPERATORS)
    const message = `Unknown filter operator${named}.${hint} Use one of: ${FILTER_OPERATORS.join(', ')}.`
    issues.push({ code: 'INVALID_OPERATOR', path: [...path, 'operator'], message })
    ok = false
  }
  const values = obj.values
  let parsedValues: FilterValue[] | undefined
  if (values !== undefined) {
    if (!Array.isArray(values) || values.length > 10_000) {
      issues.push({
        code: 'WRONG_TYPE',
        path: [...path, 'values'],
        message: 'values must be an array of strings (at most 10000).',
      })
      ok = false
    } else {
      parsedValues = []
      values.forEach((v, i) => {
        if (
          v === null ||
          typeof v === 'string' ||
          typeof v === 'boolean' ||
          (typeof v === 'number' && Number.isFinite(v))
        )
          parsedValues!.push(v)
        else {
          issues.push({
            code: 'WRONG_TYPE',
            path: [...path, 'values', i],
            message: 'Filter values must be strings, numbers, booleans or null.',
          })
          ok = false
        }
      })
    }
  }
  if (!ok) return undefined
  return {
    member: member as string,
    operator: operator as FilterOperator,
    ...(parsedValues ? { values: parsedValues } : {}),
  }
}

const DIRECTIONS = new Set(['asc', 'desc', 'none'])

function parseOrder(order: unknown, issues: ErrorIssue[]): CubeQuery['order'] | undefined {
  const out: [string, OrderDirection][] = []
  const bad = (path: (string | number)[], message: string): undefined => {
    issues.push({ code: 'INVALID_ORDER', path, message })
    return undefined
  }
  if (Array.isArray(order)) {
    if (order.length > MAX_LIST) return bad(['order'], 'Too many order entries.')
    order.forEach((entry, i) => {
      if (
        !Array.isArray(entry) ||
        entry.length !== 2 ||
        typeof entry[0] !== 'string' ||
        typeof entry[1] !== 'string' ||
        !DIRECTIONS.has(entry[1])
      ) {
        const hint = Array.isArray(entry) ? didYouMean(entry[1], DIRECTIONS) : ''
        bad(['order', i], `Each order entry must be ["cube.member", "asc" | "desc"].${hint}`)
      } else out.push([entry[0], entry[1] as OrderDirection])
    })
    return out
  }
  if (typeof order !== 'object' || order === null)
    return bad(['order'], 'order must be an object { "cube.member": "asc" } or an array of [member, direction] pairs.')
  const keys = Object.keys(order)
  if (keys.length > MAX_LIST) return bad(['order'], 'Too many order entries.')
  // A prototype-less record: keys such as "__proto__" stay plain keys.
  const record = Object.create(null) as Record<string, OrderDirection>
  for (const key of keys) {
    const dir = (order as Record<string, unknown>)[key]
    if (typeof dir !== 'string' || !DIRECTIONS.has(dir)) {
      bad(['order', key], `Order direction must be "asc", "desc" or "none".${didYouMean(dir, DIRECTIONS)}`)
    } else record[key] = dir as OrderDirection
  }
  return record
}
