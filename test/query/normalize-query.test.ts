import { describe, expect, it, test } from 'vitest'
import { createSemanticLayer, type QueryInput } from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'
import { isSemanticLayerError, type ErrorIssue, type SemanticLayerError } from '../../src/errors.js'
import { compileModel } from '../../src/model/compile-model.js'
import type { Condition, FilterNode, NormalizedQuery } from '../../src/query/normalized-query.js'
import { normalizeQuery, type NormalizeOptions } from '../../src/query/normalize-query.js'
import { parseQuery } from '../../src/query/parse-query.js'
import { miniModel } from '../fixtures/mini-model.js'

const model = compileModel(miniModel())
const OPTIONS: NormalizeOptions = { defaultLimit: 10_000, maxLimit: 50_000, nowMs: Date.UTC(2024, 5, 15, 12) }
const SECRET = 'SECRET-VALUE-123'

function normalize(query: Record<string, unknown>, options: Partial<NormalizeOptions> = {}): NormalizedQuery {
  return normalizeQuery(parseQuery(query), model, { ...OPTIONS, ...options })
}

function queryError(query: Record<string, unknown>, options: Partial<NormalizeOptions> = {}): SemanticLayerError {
  try {
    normalize(query, options)
  } catch (error) {
    if (isSemanticLayerError(error)) return error
    throw error
  }
  throw new Error('expected the query to be rejected')
}

/** Exactly one issue, with this code and path. */
function single(error: SemanticLayerError, code: string, path: readonly (string | number)[]): ErrorIssue {
  expect(error.code).toBe('QUERY_INVALID')
  expect(error.issues, JSON.stringify(error.issues)).toHaveLength(1)
  expect(error.issues[0]!.code).toBe(code)
  expect(error.issues[0]!.path).toEqual(path)
  return error.issues[0]!
}

/** The condition of the only filter (WHERE or HAVING). */
function conditionOf(q: NormalizedQuery): Condition {
  const nodes: FilterNode[] = [...q.where, ...q.having]
  expect(nodes).toHaveLength(1)
  const node = nodes[0]!
  if (node.kind !== 'condition') throw new Error('expected a condition')
  return node.condition
}

const filter = (member: string, operator: string, values?: unknown[]) =>
  values === undefined ? { member, operator } : { member, operator, values }

describe('query issues', () => {
  it('UNKNOWN_MEMBER: a member that does not exist', () => {
    const issue = single(queryError({ measures: ['orders.nope'] }), 'UNKNOWN_MEMBER', ['measures', 0])
    expect(issue.message).toMatch(/has no member "nope"/)
  })

  it('UNKNOWN_MEMBER: a cube that does not exist, and a name without a dot', () => {
    expect(single(queryError({ dimensions: ['ghosts.name'] }), 'UNKNOWN_MEMBER', ['dimensions', 0]).message).toMatch(
      /not a cube or view/,
    )
    expect(single(queryError({ measures: ['count'] }), 'UNKNOWN_MEMBER', ['measures', 0]).message).toMatch(
      /cube\.member/,
    )
  })

  it('UNKNOWN_MEMBER: names like __proto__ or constructor are not members', () => {
    expect(queryError({ measures: ['orders.constructor'] }).issues[0]!.code).toBe('UNKNOWN_MEMBER')
    expect(queryError({ measures: ['__proto__.count'] }).issues[0]!.code).toBe('UNKNOWN_MEMBER')
  })

  it('WRONG_MEMBER_KIND: a measure in dimensions', () => {
    const issue = single(queryError({ dimensions: ['orders.count'] }), 'WRONG_MEMBER_KIND', ['dimensions', 0])
    expect(issue.message).toMatch(/is a measure; this list takes dimensions/)
  })

  it('WRONG_MEMBER_KIND: a dimension in measures, a segment in filters', () => {
    single(queryError({ measures: ['orders.status'] }), 'WRONG_MEMBER_KIND', ['measures', 0])
    single(queryError({ measures: ['orders.count'], filters: [filter('orders.paid', 'set')] }), 'WRONG_MEMBER_KIND', [
      'filters',
      0,
      'member',
    ])
  })

  it('NOT_A_TIME_DIMENSION: a granularity on a non-time dimension', () => {
    single(queryError({ dimensions: ['orders.status.month'] }), 'NOT_A_TIME_DIMENSION', ['dimensions', 0])
    single(
      queryError({ timeDimensions: [{ dimension: 'orders.status', granularity: 'month' }] }),
      'NOT_A_TIME_DIMENSION',
      ['timeDimensions', 0, 'dimension'],
    )
  })

  it('INVALID_GRANULARITY: an unknown granularity', () => {
    const issue = single(
      queryError({ timeDimensions: [{ dimension: 'orders.created_at', granularity: 'fortnight' }] }),
      'INVALID_GRANULARITY',
      ['timeDimensions', 0, 'granularity'],
    )
    expect(issue.message).toMatch(/Use one of: second, minute, hour, day, week, month, quarter, year/)
    single(queryError({ dimensions: ['orders.created_at.fortnight'] }), 'INVALID_GRANULARITY', ['dimensions', 0])
  })

  it('INVALID_OPERATOR: an unknown operator (from parseQuery)', () => {
    const error = queryError({ measures: ['orders.count'], filters: [filter('orders.status', 'like', ['x'])] })
    const issue = single(error, 'INVALID_OPERATOR', ['filters', 0, 'operator'])
    expect(issue.message).toMatch(/Use one of: equals/)
  })

  it('INVALID_OPERATOR: contains on a number member', () => {
    const issue = single(
      queryError({ measures: ['orders.count'], filters: [filter('orders.id', 'contains', ['1'])] }),
      'INVALID_OPERATOR',
      ['filters', 0, 'operator'],
    )
    expect(issue.message).toMatch(/string members; this member is of type number/)
  })

  it('INVALID_OPERATOR: a date operator on a string member', () => {
    single(
      queryError({
        measures: ['orders.count'],
        filters: [filter('orders.status', 'inDateRange', ['2024-01-01', '2024-02-01'])],
      }),
      'INVALID_OPERATOR',
      ['filters', 0, 'operator'],
    )
  })

  it('INVALID_VALUE: gt with a non-numeric value on a number member', () => {
    const issue = single(
      queryError({ measures: ['orders.count'], filters: [filter('orders.id', 'gt', ['abc'])] }),
      'INVALID_VALUE',
      ['filters', 0, 'values', 0],
    )
    expect(issue.message).toMatch(/numeric value/)
  })

  it('INVALID_VALUE: a non-boolean value on a boolean member', () => {
    single(
      queryError({ measures: ['orders.count'], filters: [filter('orders.is_gift', 'equals', ['true', 'maybe'])] }),
      'INVALID_VALUE',
      ['filters', 0, 'values', 1],
    )
  })

  it('INVALID_VALUES: an operator given too few values', () => {
    single(
      queryError({ measures: ['orders.count'], filters: [filter('orders.status', 'equals', [])] }),
      'INVALID_VALUES',
      ['filters', 0, 'values'],
    )
  })

  // BUG (src/query/normalize-query.ts:284): when gt/gte/lt/lte get a wrong number of values, needValues()
  // reports INVALID_VALUES and the `|| nonNull.length !== 1` branch reports a second INVALID_VALUES for the
  // same path: the same problem is listed twice.
  test('INVALID_VALUES: gt with two values is reported once', () => {
    single(
      queryError({ measures: ['orders.count'], filters: [filter('orders.id', 'gt', ['1', '2'])] }),
      'INVALID_VALUES',
      ['filters', 0, 'values'],
    )
  })

  it('INVALID_DATE: a dateRange that is not a date', () => {
    single(
      queryError({
        measures: ['orders.count'],
        timeDimensions: [{ dimension: 'orders.created_at', dateRange: 'whenever' }],
      }),
      'INVALID_DATE',
      ['timeDimensions', 0, 'dateRange'],
    )
    single(
      queryError({
        measures: ['orders.count'],
        timeDimensions: [{ dimension: 'orders.created_at', dateRange: ['2024-02-30', '2024-03-01'] }],
      }),
      'INVALID_DATE',
      ['timeDimensions', 0, 'dateRange'],
    )
  })

  const COUNT = { measures: ['orders.count'] }
  const createdIn = (dateRange: unknown) => ({
    ...COUNT,
    timeDimensions: [{ dimension: 'orders.created_at', dateRange }],
  })

  it('REVERSED_DATE_RANGE: a range ending before it starts, in a time dimension or a filter, even relative', () => {
    const reversed = ['2024-12-31', '2024-01-01']
    const td = single(queryError(createdIn(reversed)), 'REVERSED_DATE_RANGE', ['timeDimensions', 0, 'dateRange'])
    expect(td.message).toMatch(/ends before it starts/)
    const inRange = filter('orders.created_at', 'inDateRange', reversed)
    single(queryError({ ...COUNT, filters: [inRange] }), 'REVERSED_DATE_RANGE', ['filters', 0, 'values'])
    const notInRange = filter('orders.created_at', 'notInDateRange', reversed)
    const nested = queryError({ ...COUNT, filters: [{ or: [notInRange] }] })
    single(nested, 'REVERSED_DATE_RANGE', ['filters', 0, 'or', 0, 'values'])
    const relative = queryError(createdIn('from today to 3 days ago'))
    single(relative, 'REVERSED_DATE_RANGE', ['timeDimensions', 0, 'dateRange'])
  })

  it('INVALID_DATE: a single instant outside the years 0001-9999 in UTC; a range reaching past them is cut', () => {
    const at = ['filters', 0, 'values', 0]
    // 9999-12-31T23:00 in New York is 10000-01-01T04:00Z.
    const late = filter('orders.created_at', 'gt', ['9999-12-31T23:00:00'])
    single(queryError({ ...COUNT, timezone: 'America/New_York', filters: [late] }), 'INVALID_DATE', at)
    const early = filter('orders.created_at', 'beforeDate', ['0001-01-01'])
    single(queryError({ ...COUNT, timezone: 'Asia/Tokyo', filters: [early] }), 'INVALID_DATE', at)
    const yearZero = filter('orders.created_at', 'afterDate', ['0000-06-01'])
    single(queryError({ ...COUNT, filters: [yearZero] }), 'INVALID_DATE', at)
    const q = normalize({ ...createdIn(['2024-01-01', '9999-12-31']), timezone: 'America/New_York' })
    const end = Date.UTC(9999, 11, 31, 23, 59, 59, 999) + 1
    const from = Date.parse('2024-01-01T05:00:00Z')
    expect(conditionOf(q)).toEqual({ op: 'range', not: false, fromMs: from, toExclusiveMs: end })
    const echoed = ['2024-01-01T00:00:00.000', '9999-12-31T23:59:59.999']
    expect(q.echo.timeDimensions).toEqual([{ dimension: 'orders.created_at', dateRange: echoed }])
  })

  it('INVALID_DATE: a filter value on a time member that is not a date', () => {
    single(
      queryError({ measures: ['orders.count'], filters: [filter('orders.created_at', 'afterDate', ['soon'])] }),
      'INVALID_DATE',
      ['filters', 0, 'values', 0],
    )
    single(
      queryError({
        measures: ['orders.count'],
        filters: [filter('orders.created_at', 'equals', ['2024-01-01', 'soon'])],
      }),
      'INVALID_DATE',
      ['filters', 0, 'values', 1],
    )
  })

  it('INVALID_TIMEZONE: a zone that does not exist, or a fixed offset', () => {
    const issue = single(
      queryError({ measures: ['orders.count'], timezone: 'Mars/Olympus_Mons' }),
      'INVALID_TIMEZONE',
      ['timezone'],
    )
    expect(issue.message).toMatch(/IANA name/)
    single(queryError({ measures: ['orders.count'], timezone: '+02:00' }), 'INVALID_TIMEZONE', ['timezone'])
  })

  it('UNKNOWN_KEY: an unknown top-level key (from parseQuery), with the closest accepted one', () => {
    const issue = single(queryError({ measures: ['orders.count'], limits: 5 }), 'UNKNOWN_KEY', ['limits'])
    expect(issue.message).toMatch(/^Unknown key "limits" in the query\. Did you mean "limit"\? Accepted keys: measures/)
    const typo = { timeDimensions: [{ dimension: 'orders.created_at', granularty: 'day' }] }
    const td = single(queryError(typo), 'UNKNOWN_KEY', ['timeDimensions', 0, 'granularty'])
    expect(td.message).toContain('Did you mean "granularity"?')
    const valeus = {
      measures: ['orders.count'],
      filters: [{ member: 'orders.status', operator: 'equals', valeus: ['a'] }],
    }
    const filterKey = single(queryError(valeus), 'UNKNOWN_KEY', ['filters', 0, 'valeus'])
    expect(filterKey.message).toContain('Did you mean "values"?')
  })

  it('did you mean: operators, granularities, order directions and keys, time zones', () => {
    const hint = (query: Record<string, unknown>, code: string, path: (string | number)[]): string =>
      single(queryError(query), code, path).message
    const count = { measures: ['orders.count'] }
    const equal = { ...count, filters: [{ member: 'orders.status', operator: 'equal', values: ['a'] }] }
    expect(hint(equal, 'INVALID_OPERATOR', ['filters', 0, 'operator'])).toContain('Did you mean "equals"?')
    const mnoth = { timeDimensions: [{ dimension: 'orders.created_at', granularity: 'mnoth' }] }
    expect(hint(mnoth, 'INVALID_GRANULARITY', ['timeDimensions', 0, 'granularity'])).toContain('Did you mean "month"?')
    const dya = { dimensions: ['orders.created_at.dya'] }
    expect(hint(dya, 'INVALID_GRANULARITY', ['dimensions', 0])).toContain('Did you mean "day"?')
    const dsc = { ...count, order: { 'orders.count': 'dsc' } }
    expect(hint(dsc, 'INVALID_ORDER', ['order', 'orders.count'])).toContain('Did you mean "desc"?')
    const stats = { ...count, dimensions: ['orders.status'], order: { 'orders.stats': 'asc' } }
    expect(hint(stats, 'INVALID_ORDER', ['order', 'orders.stats'])).toContain('Did you mean "orders.status"?')
    const berln = { ...count, timezone: 'Europe/Berln' }
    expect(hint(berln, 'INVALID_TIMEZONE', ['timezone'])).toContain('Did you mean "Europe/Berlin"?')
  })

  it('LIMIT_EXCEEDED: a limit above maxLimit (the maximum itself is fine)', () => {
    const issue = single(queryError({ measures: ['orders.count'], limit: 101 }, { maxLimit: 100 }), 'LIMIT_EXCEEDED', [
      'limit',
    ])
    expect(issue.message).toContain('100')
    expect(normalize({ measures: ['orders.count'], limit: 100 }, { maxLimit: 100 }).limit).toBe(100)
  })

  it('the default limit applies when none is given', () => {
    expect(normalize({ measures: ['orders.count'] }, { defaultLimit: 7 }).limit).toBe(7)
  })

  it('INVALID_ORDER: order by a member the query does not select', () => {
    const issue = single(
      queryError({
        measures: ['orders.count'],
        order: [
          ['orders.count', 'asc'],
          ['orders.status', 'asc'],
        ],
      }),
      'INVALID_ORDER',
      ['order', 1],
    )
    expect(issue.message).toMatch(/order by a measure or dimension that the query selects/)
    expect(
      queryError({ measures: ['orders.count'], order: { 'orders.total': 'desc' } }).issues.map((i) => i.code),
    ).toEqual(['INVALID_ORDER'])
  })

  // BUG (src/query/parse-query.ts:202-225 turns the object form of `order` into an array of entries, so the
  // object branch of src/query/normalize-query.ts:384 never runs): for order: { "orders.total": "desc" } the
  // issue path is ['order', 0], an index the caller's object does not have, instead of ['order', 'orders.total'].
  test('INVALID_ORDER in the object form points at the key', () => {
    single(
      queryError({ measures: ['orders.count'], order: { 'orders.count': 'asc', 'orders.total': 'desc' } }),
      'INVALID_ORDER',
      ['order', 'orders.total'],
    )
  })

  it('INVALID_ORDER: a bad direction (from parseQuery)', () => {
    single(queryError({ measures: ['orders.count'], order: { 'orders.count': 'up' } }), 'INVALID_ORDER', [
      'order',
      'orders.count',
    ])
  })

  it('MIXED_VIEW_QUERY: view members and cube members in one query', () => {
    const issue = single(queryError({ measures: ['shop.count'], dimensions: ['orders.status'] }), 'MIXED_VIEW_QUERY', [
      'dimensions',
      0,
    ])
    expect(issue.message).toMatch(/Add the members you need to the view/)
    single(queryError({ measures: ['orders.count'], dimensions: ['shop.status'] }), 'MIXED_VIEW_QUERY', [
      'dimensions',
      0,
    ])
  })

  it('MIXED_FILTER: an or-group mixing a measure and a dimension', () => {
    const error = queryError({
      measures: ['orders.count'],
      filters: [
        filter('orders.status', 'equals', ['paid']),
        { or: [filter('orders.total', 'gt', ['1']), filter('orders.status', 'equals', ['paid'])] },
      ],
    })
    const issue = single(error, 'MIXED_FILTER', ['filters', 1])
    expect(issue.message).toMatch(/separate top-level filters/)
  })

  it('EMPTY_QUERY: a query that selects nothing', () => {
    const issue = single(queryError({}), 'EMPTY_QUERY', [])
    expect(issue.message).toMatch(/Add at least one measure/)
    single(queryError({ timeDimensions: [{ dimension: 'orders.created_at', dateRange: 'today' }] }), 'EMPTY_QUERY', [])
  })

  it('reports several problems together', () => {
    const error = queryError({
      measures: ['orders.nope'],
      dimensions: ['orders.count'],
      filters: [filter('orders.id', 'gt', ['abc'])],
      timezone: 'Nowhere/Special',
      limit: 999_999,
    })
    expect(error.code).toBe('QUERY_INVALID')
    expect(error.issues.map((i) => [i.code, i.path])).toEqual([
      ['INVALID_TIMEZONE', ['timezone']],
      ['UNKNOWN_MEMBER', ['measures', 0]],
      ['WRONG_MEMBER_KIND', ['dimensions', 0]],
      ['INVALID_VALUE', ['filters', 0, 'values', 0]],
      ['LIMIT_EXCEEDED', ['limit']],
    ])
  })

  it('parseQuery reports its problems together too', () => {
    const error = (() => {
      try {
        parseQuery({ measures: 'orders.count', bogus: 1, filters: [filter('orders.status', 'nope', ['x'])] })
      } catch (e) {
        return e as SemanticLayerError
      }
      throw new Error('expected parseQuery to throw')
    })()
    expect(error.code).toBe('QUERY_INVALID')
    expect(error.issues.map((i) => i.code).sort()).toEqual(['INVALID_OPERATOR', 'UNKNOWN_KEY', 'WRONG_TYPE'])
  })
})

describe('default order', () => {
  it('a time dimension with granularity: ascending by it', () => {
    const q = normalize({
      measures: ['orders.count'],
      dimensions: ['orders.status'],
      timeDimensions: [{ dimension: 'orders.created_at', granularity: 'month' }],
    })
    expect(q.order).toEqual([{ key: 'orders.created_at.month', desc: false }])
  })

  it('measures and dimensions: the first measure, descending', () => {
    const q = normalize({ measures: ['orders.total', 'orders.count'], dimensions: ['orders.status'] })
    expect(q.order).toEqual([{ key: 'orders.total', desc: true }])
  })

  it('dimensions only: the first dimension, ascending', () => {
    expect(normalize({ dimensions: ['orders.status', 'orders.id'] }).order).toEqual([
      { key: 'orders.status', desc: false },
    ])
  })

  it('measures only: no order', () => {
    expect(normalize({ measures: ['orders.count'] }).order).toEqual([])
  })

  it('a time dimension without granularity does not count', () => {
    const q = normalize({
      measures: ['orders.count'],
      dimensions: ['orders.status'],
      timeDimensions: [{ dimension: 'orders.created_at', dateRange: 'last year' }],
    })
    expect(q.order).toEqual([{ key: 'orders.count', desc: true }])
  })

  it('order: {} means no order', () => {
    expect(normalize({ measures: ['orders.count'], dimensions: ['orders.status'], order: {} }).order).toEqual([])
    expect(normalize({ measures: ['orders.count'], dimensions: ['orders.status'], order: [] }).order).toEqual([])
  })
})

describe('explicit order', () => {
  it('object form, in key order', () => {
    const q = normalize({
      measures: ['orders.count'],
      dimensions: ['orders.status'],
      order: { 'orders.status': 'asc', 'orders.count': 'desc' },
    })
    expect(q.order).toEqual([
      { key: 'orders.status', desc: false },
      { key: 'orders.count', desc: true },
    ])
  })

  it('array form, in array order; none is skipped', () => {
    const q = normalize({
      measures: ['orders.count', 'orders.total'],
      dimensions: ['orders.status'],
      order: [
        ['orders.total', 'asc'],
        ['orders.status', 'none'],
        ['orders.count', 'desc'],
      ],
    })
    expect(q.order).toEqual([
      { key: 'orders.total', desc: false },
      { key: 'orders.count', desc: true },
    ])
  })

  it('a time dimension may be ordered by its plain name (resolved to the column key), once', () => {
    const q = normalize({
      measures: ['orders.count'],
      timeDimensions: [{ dimension: 'orders.created_at', granularity: 'day' }],
      order: [
        ['orders.created_at', 'desc'],
        ['orders.created_at.day', 'asc'],
      ],
    })
    expect(q.order).toEqual([{ key: 'orders.created_at.day', desc: true }])
  })
})

describe('time dimensions', () => {
  it('with granularity: keys cube.dim.granularity then cube.dim', () => {
    const q = normalize({
      measures: ['orders.count'],
      timeDimensions: [{ dimension: 'orders.created_at', granularity: 'month' }],
    })
    expect(q.dimensions).toHaveLength(1)
    expect(q.dimensions[0]).toMatchObject({
      granularity: 'month',
      type: 'time',
      keys: ['orders.created_at.month', 'orders.created_at'],
    })
    expect(q.dimensions[0]!.member).toMatchObject({ cube: 'orders', name: 'created_at', kind: 'dimension' })
  })

  it('the same dimension and granularity in dimensions and timeDimensions is one column', () => {
    const q = normalize({
      measures: ['orders.count'],
      dimensions: ['orders.created_at.month'],
      timeDimensions: [{ dimension: 'orders.created_at', granularity: 'month' }],
    })
    expect(q.dimensions).toHaveLength(1)
    expect(q.dimensions[0]!.keys).toEqual(['orders.created_at.month', 'orders.created_at'])
  })

  it('different granularities are different columns', () => {
    const q = normalize({
      measures: ['orders.count'],
      dimensions: ['orders.created_at.year'],
      timeDimensions: [{ dimension: 'orders.created_at', granularity: 'month' }],
    })
    expect(q.dimensions.map((d) => d.keys[0])).toEqual(['orders.created_at.year', 'orders.created_at.month'])
  })

  it('a dateRange becomes a half-open instant range in the query zone (DST spring forward, New York)', () => {
    const q = normalize({
      measures: ['orders.count'],
      timezone: 'America/New_York',
      timeDimensions: [{ dimension: 'orders.created_at', dateRange: ['2024-03-10', '2024-03-10'] }],
    })
    // 2024-03-10 00:00 EST (UTC-5) to 2024-03-11 00:00 EDT (UTC-4): a 23-hour day.
    expect(conditionOf(q)).toEqual({
      op: 'range',
      not: false,
      fromMs: Date.parse('2024-03-10T05:00:00Z'),
      toExclusiveMs: Date.parse('2024-03-11T04:00:00Z'),
    })
    expect(q.timezone).toBe('America/New_York')
  })

  it('a dateRange across the fall-back day (New York) lasts 25 hours', () => {
    const q = normalize({
      measures: ['orders.count'],
      timezone: 'America/New_York',
      timeDimensions: [{ dimension: 'orders.created_at', dateRange: ['2024-11-03', '2024-11-03'] }],
    })
    expect(conditionOf(q)).toEqual({
      op: 'range',
      not: false,
      fromMs: Date.parse('2024-11-03T04:00:00Z'),
      toExclusiveMs: Date.parse('2024-11-04T05:00:00Z'),
    })
  })

  it('a dateRange in UTC by default; relative ranges use the injected clock', () => {
    const q = normalize({
      measures: ['orders.count'],
      timeDimensions: [{ dimension: 'orders.created_at', dateRange: 'today' }],
    })
    expect(q.timezone).toBe('UTC')
    expect(conditionOf(q)).toEqual({
      op: 'range',
      not: false,
      fromMs: Date.UTC(2024, 5, 15),
      toExclusiveMs: Date.UTC(2024, 5, 16),
    })
  })

  it('inDateRange filters resolve like dateRange; notInDateRange negates', () => {
    const q = normalize({
      measures: ['orders.count'],
      timezone: 'Europe/Berlin',
      filters: [filter('orders.created_at', 'notInDateRange', ['2024-03-31', '2024-03-31'])],
    })
    // Berlin springs forward on 2024-03-31: 00:00 CET (UTC+1) to 00:00 CEST (UTC+2) next day.
    expect(conditionOf(q)).toEqual({
      op: 'range',
      not: true,
      fromMs: Date.parse('2024-03-30T23:00:00Z'),
      toExclusiveMs: Date.parse('2024-03-31T22:00:00Z'),
    })
  })
})

describe('filter conditions', () => {
  it('equals with null among the values: IN (...) OR NULL', () => {
    const q = normalize({ measures: ['orders.count'], filters: [filter('orders.status', 'equals', ['paid', null])] })
    expect(conditionOf(q)).toEqual({ op: 'in', not: false, values: ['paid'], orNull: true })
  })

  it('equals without null: no NULL rows', () => {
    expect(
      conditionOf(normalize({ measures: ['orders.count'], filters: [filter('orders.status', 'equals', ['paid'])] })),
    ).toEqual({ op: 'in', not: false, values: ['paid'], orNull: false })
  })

  it('notEquals keeps NULL rows (Cube semantics); a null among the values drops them', () => {
    expect(
      conditionOf(normalize({ measures: ['orders.count'], filters: [filter('orders.status', 'notEquals', ['paid'])] })),
    ).toEqual({ op: 'in', not: true, values: ['paid'], orNull: true })
    expect(
      conditionOf(
        normalize({ measures: ['orders.count'], filters: [filter('orders.status', 'notEquals', ['paid', null])] }),
      ),
    ).toEqual({ op: 'in', not: true, values: ['paid'], orNull: false })
  })

  it('equals [null] is IS NULL; notEquals [null] is IS NOT NULL', () => {
    expect(
      conditionOf(normalize({ measures: ['orders.count'], filters: [filter('orders.status', 'equals', [null])] })),
    ).toEqual({ op: 'null', not: false })
    expect(
      conditionOf(normalize({ measures: ['orders.count'], filters: [filter('orders.status', 'notEquals', [null])] })),
    ).toEqual({ op: 'null', not: true })
  })

  it('set / notSet', () => {
    expect(conditionOf(normalize({ measures: ['orders.count'], filters: [filter('orders.status', 'set')] }))).toEqual({
      op: 'null',
      not: true,
    })
    expect(
      conditionOf(normalize({ measures: ['orders.count'], filters: [filter('orders.status', 'notSet')] })),
    ).toEqual({ op: 'null', not: false })
  })

  it('values are converted to the member type', () => {
    expect(
      conditionOf(normalize({ measures: ['orders.count'], filters: [filter('orders.id', 'gt', ['200'])] })),
    ).toEqual({ op: 'compare', cmp: '>', value: 200 })
    expect(
      conditionOf(normalize({ measures: ['orders.count'], filters: [filter('orders.id', 'equals', ['1', 2, '3.5'])] })),
    ).toEqual({ op: 'in', not: false, values: [1, 2, 3.5], orNull: false })
    expect(
      conditionOf(
        normalize({
          measures: ['orders.count'],
          filters: [filter('orders.is_gift', 'equals', ['true', 'false', '1', 0])],
        }),
      ),
    ).toEqual({ op: 'in', not: false, values: [true, false, true, false], orNull: false })
    expect(
      conditionOf(normalize({ measures: ['orders.count'], filters: [filter('orders.status', 'equals', [5, true])] })),
    ).toEqual({ op: 'in', not: false, values: ['5', 'true'], orNull: false })
    expect(
      conditionOf(
        normalize({
          measures: ['orders.count'],
          timezone: 'America/New_York',
          filters: [filter('orders.created_at', 'lt', ['2024-01-01T10:00:00'])],
        }),
      ),
    ).toEqual({ op: 'compare', cmp: '<', value: { instant: Date.parse('2024-01-01T15:00:00Z') } })
  })

  it('a measure filter goes to HAVING with a numeric value; a dimension filter to WHERE', () => {
    const q = normalize({
      measures: ['orders.count'],
      dimensions: ['orders.status'],
      filters: [filter('orders.total', 'gte', ['100']), filter('orders.status', 'startsWith', ['pa'])],
    })
    expect(q.having).toHaveLength(1)
    expect(q.having[0]).toMatchObject({
      kind: 'condition',
      member: { key: 'orders.total', kind: 'measure' },
      condition: { op: 'compare', cmp: '>=', value: 100 },
    })
    expect(q.where).toHaveLength(1)
    expect(q.where[0]).toMatchObject({
      kind: 'condition',
      condition: { op: 'like', not: false, mode: 'starts', values: ['pa'], orNull: false },
    })
  })

  it('notContains keeps NULL rows like notEquals', () => {
    expect(
      conditionOf(normalize({ measures: ['orders.count'], filters: [filter('orders.status', 'notContains', ['x'])] })),
    ).toEqual({ op: 'like', not: true, mode: 'contains', values: ['x'], orNull: true })
  })

  it('and/or groups keep their structure', () => {
    const q = normalize({
      measures: ['orders.count'],
      filters: [
        {
          or: [
            filter('orders.status', 'equals', ['a']),
            { and: [filter('orders.id', 'gt', ['1']), filter('orders.id', 'lt', ['9'])] },
          ],
        },
      ],
    })
    expect(q.where).toHaveLength(1)
    expect(q.where[0]).toMatchObject({
      kind: 'or',
      children: [
        { kind: 'condition' },
        { kind: 'and', children: [{ condition: { cmp: '>' } }, { condition: { cmp: '<' } }] },
      ],
    })
  })

  it('view members resolve to their cube members with the view path', () => {
    const q = normalize({ measures: ['shop.count'], dimensions: ['shop.customers_country'] })
    expect(q.view).toBe('shop')
    expect(q.measures[0]).toEqual({
      key: 'shop.count',
      kind: 'measure',
      cube: 'orders',
      name: 'count',
      viewPath: ['orders'],
    })
    expect(q.dimensions[0]!.member).toEqual({
      key: 'shop.customers_country',
      kind: 'dimension',
      cube: 'customers',
      name: 'country',
      viewPath: ['orders', 'customers'],
    })
  })

  it('a measure listed twice is selected once', () => {
    expect(normalize({ measures: ['orders.count', 'orders.count'] }).measures).toHaveLength(1)
  })

  // result.query is this echo, shared by every cached call: frozen, and a copy of the request's parts.
  it('the echo is a frozen copy: changing the request afterwards does not change it', () => {
    const input = {
      measures: ['orders.count'],
      dimensions: ['orders.status'],
      filters: [{ or: [filter('orders.status', 'equals', ['paid']), filter('orders.status', 'set')] }],
    }
    const q = normalizeQuery(input as never, model, OPTIONS)
    const echoed = JSON.stringify(q.echo)
    for (const value of [q.echo, q.echo.filters, (q.echo.filters as unknown[])[0], q.echo.dimensions])
      expect(Object.isFrozen(value)).toBe(true)
    ;(input.filters[0]!.or[0] as { values: string[] }).values.push('refunded')
    input.dimensions.push('orders.id')
    expect(JSON.stringify(q.echo)).toBe(echoed)
  })

  it('an own "__proto__" key in a filter stays a key of the echo and sets no prototype', () => {
    const f = JSON.parse(
      '{"member":"orders.status","operator":"equals","values":["paid"],"__proto__":{"polluted":true}}',
    ) as Record<string, unknown>
    const q = normalizeQuery({ measures: ['orders.count'], filters: [f] } as never, model, OPTIONS)
    const echoed = (q.echo.filters as Record<string, unknown>[])[0]!
    expect(Object.getPrototypeOf(echoed)).toBe(Object.prototype)
    expect(Object.hasOwn(echoed, '__proto__')).toBe(true)
    expect((echoed as { polluted?: unknown }).polluted).toBeUndefined()
  })
})

describe('error messages never contain filter values', () => {
  function expectNoSecret(error: SemanticLayerError): void {
    // Case-insensitive: relative date parsing lower-cases its input before quoting it.
    const secret = SECRET.toLowerCase()
    expect(error.issues.length).toBeGreaterThan(0)
    expect(error.message.toLowerCase()).not.toContain(secret)
    expect(JSON.stringify(error.issues).toLowerCase()).not.toContain(secret)
    expect(JSON.stringify(error).toLowerCase()).not.toContain(secret)
  }

  it.each([
    ['gt on a number', filter('orders.id', 'gt', [SECRET])],
    ['equals on a number', filter('orders.id', 'equals', ['1', SECRET])],
    ['equals on a boolean', filter('orders.is_gift', 'equals', [SECRET])],
    ['contains on a number', filter('orders.id', 'contains', [SECRET])],
    ['unknown operator', filter('orders.status', 'matches', [SECRET])],
    ['too many values for gt', filter('orders.total', 'gt', [SECRET, SECRET])],
    ['a very long string value', filter('orders.status', 'equals', [SECRET + 'x'.repeat(10_001)])],
    ['an object among the values', filter('orders.status', 'equals', [{ secret: SECRET }])],
  ])('%s', (_name, f) => {
    expectNoSecret(queryError({ measures: ['orders.count'], filters: [f] }))
  })

  it('a failing query through the layer', async () => {
    const layer = createSemanticLayer({ model: miniModel(), connectors: { default: sqlite({ filename: ':memory:' }) } })
    let error: unknown
    try {
      await layer.sql({ measures: ['orders.count'], filters: [filter('orders.id', 'gte', [SECRET])] } as QueryInput, {
        dialect: 'postgres',
      })
    } catch (e) {
      error = e
    }
    expect(isSemanticLayerError(error)).toBe(true)
    const e = error as SemanticLayerError
    expect(e.code).toBe('QUERY_INVALID')
    expect(e.issues.map((i) => [i.code, i.path])).toEqual([['INVALID_VALUE', ['filters', 0, 'values', 0]]])
    expectNoSecret(e)
  })

  // BUG (src/query/normalize-query.ts:299, :311, :345 pass date-range.ts reasons through unchanged, and
  // src/query/date-range.ts:207 (and :160-183, :269, :301) quote the input): an invalid date in a filter on
  // a time member puts the filter value into the issue message, e.g.
  // `Invalid date "SECRET-VALUE-123": use 'YYYY-MM-DD' ...`, although errors.ts promises messages never carry
  // filter values.
  test.each([
    ['afterDate', filter('orders.created_at', 'afterDate', [SECRET])],
    ['inDateRange', filter('orders.created_at', 'inDateRange', [SECRET, '2024-01-01'])],
    ['equals on a time member', filter('orders.created_at', 'equals', [SECRET])],
  ])('an invalid date in a %s filter', (_name, f) => {
    expectNoSecret(queryError({ measures: ['orders.count'], filters: [f] }))
  })

  // Same leak for a timeDimensions dateRange (src/query/normalize-query.ts:92 passes the reason through;
  // date-range.ts:269 quotes the lower-cased input: `Cannot parse date range "secret-value-123": ...`).
  test('an invalid timeDimensions dateRange', () => {
    expectNoSecret(
      queryError({
        measures: ['orders.count'],
        timeDimensions: [{ dimension: 'orders.created_at', dateRange: SECRET }],
      }),
    )
  })
})
