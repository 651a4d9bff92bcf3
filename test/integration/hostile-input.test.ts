/**
 * Hostile and random queries through the public API. Whatever comes in, `layer.query` either
 * resolves with an array `data`, or rejects with a SemanticLayerError whose code is QUERY_INVALID or
 * UNSUPPORTED and whose issues all carry an array `path`. Filter values are bound parameters: they
 * never appear in the SQL text or in error messages. Nothing pollutes Object.prototype.
 *
 * Runs are seeded for reproducibility; set CORTEX_FC_SEED / CORTEX_FC_RUNS to explore further.
 */
import fc from 'fast-check'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { isSemanticLayerError } from '../../src/index.js'
import type { Row } from './oracle/helpers.js'
import { openFixture, type Fixture } from './oracle/layer.js'

let fx: Fixture
const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).sort()

beforeAll(async () => {
  fx = await openFixture()
})
afterAll(async () => {
  await fx?.close()
})
afterEach(() => expectNoPollution())

const SEED = Number(process.env.CORTEX_FC_SEED ?? 20240615)
const RUNS = Number(process.env.CORTEX_FC_RUNS ?? 300)

// ---- vocabulary -------------------------------------------------------------------------------------

const MEASURES = [
  'orders.count',
  'orders.total_amount',
  'orders.avg_amount',
  'orders.min_amount',
  'orders.paid_count',
  'orders.paid_amount',
  'orders.amount_per_order',
  'orders.paid_ratio',
  'orders.customers_count',
  'orders.total_discount',
  'customers.count',
  'customers.active_count',
  'order_items.revenue',
  'order_items.count',
  'order_items.total_quantity',
  'products.avg_price',
  'products.count',
  'sales.count',
  'sales.items_revenue',
  'sales.customers_count',
  'customer_overview.count',
]
const DIMENSIONS = [
  'orders.status',
  'orders.amount',
  'orders.note',
  'orders.id',
  'customers.tier',
  'customers.tier_rank',
  'customers.is_active',
  'customers.city',
  'customers.name',
  'customers.country',
  'products.category',
  'products.name',
  'order_items.line_total',
  'order_items.quantity',
  'sales.status',
  'sales.customers_country',
  'customer_overview.tier',
]
const STRING_DIMENSIONS = [
  'orders.status',
  'orders.note',
  'customers.name',
  'customers.city',
  'products.category',
  'customers.tier_rank',
]
const TIME_DIMENSIONS = [
  'orders.created_at',
  'orders.shipped_at',
  'customers.created_at',
  'sales.created_at',
  'customer_overview.created_at',
]
const SEGMENTS = ['orders.paid', 'orders.big', 'customers.active']
const JUNK_MEMBERS = [
  'orders',
  'orders.',
  '.count',
  'orders.count.extra',
  'nope.count',
  'orders.nope',
  'orders.__proto__',
  '__proto__.count',
  '__proto__',
  'constructor.name',
  'constructor.prototype',
  'orders.constructor',
  'orders.toString',
  'orders.hasOwnProperty',
  'Object.prototype',
  "orders.count'; DROP TABLE orders; --",
  'ORDERS.COUNT',
  '',
  ' ',
  'orders.count ',
  'orders.status\u0000',
  'customer_overview.email',
  'orders.customer_id',
  'orders.created_at.month',
  'orders.created_at.__proto__',
  'orders.count)',
  '"orders"."count"',
  'orders.{CUBE}',
  'x'.repeat(5000),
]
const OPERATORS = [
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
]
const STRING_OPERATORS = [
  'equals',
  'notEquals',
  'contains',
  'notContains',
  'startsWith',
  'notStartsWith',
  'endsWith',
  'notEndsWith',
]
const JUNK_OPERATORS = [
  'like',
  'EQUALS',
  '',
  '__proto__',
  'constructor',
  'toString',
  'and',
  'or',
  'in',
  'equals ',
  "equals'; --",
]
const GRANULARITIES = ['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year']
const JUNK_GRANULARITIES = ['decade', '', 'MONTH', '__proto__', 'constructor', 'fortnight', "day'; --"]
const ZONES = [
  'UTC',
  'America/New_York',
  'Europe/Berlin',
  'Asia/Kolkata',
  'Australia/Lord_Howe',
  'Mars/Olympus',
  '',
  'utc',
  '+05:00',
  'Etc/GMT+5',
  '__proto__',
  "UTC'; DROP TABLE orders; --",
  'Z'.repeat(300),
]
const DATES = [
  '2024-01-01',
  '2024-02-29',
  '2024-02-30',
  '2023-02-29',
  '2024-13-01',
  '2024-1-1',
  '2024-01-01T00:00:00',
  '2024-01-01T00:00:00.000',
  '2024-01-01T00:00:00.000Z',
  '2024-06-15T12:00:00+02:00',
  '2024-01-01 10:00:00',
  '0000-00-00',
  '9999-12-31',
  '-002024-01-01',
  'not a date',
  '',
  '1e10',
]
const RELATIVE = [
  'today',
  'yesterday',
  'this week',
  'this month',
  'this quarter',
  'this year',
  'last 7 days',
  'last month',
  'last year',
  'last 12 months',
  'from 2024-01-01 to 2024-03-31',
  'next 3 days',
  'last 0 days',
  'last 99999999 years',
  'from 2024-02-30 to 2024-03-01',
  'banana',
  'from today to',
]

/** Hostile values. Those in CHECKED are distinctive enough to assert they never reach SQL text or messages. */
const LONG = 'A'.repeat(10_000)
const CHECKED = [
  "x' OR 1=1 --",
  "'; DROP TABLE orders; --",
  '"; DROP TABLE "orders"; --',
  "\\'; SELECT sqlite_version(); --",
  'nul\u0000byte-value',
  '%_\\%_\\\\',
  'Zoë 🚀 東京 \u202e rtl-value',
  '${CUBE}.status',
  '{orders.count}',
  '__proto__',
  'constructor',
  '4242.4242',
  LONG,
]
const HOSTILE = [
  ...CHECKED,
  '',
  ' ',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '0x10',
  'true',
  'paid',
  'FRAGILE',
]

// ---- arbitraries ------------------------------------------------------------------------------------

const anyJunk = fc.oneof(
  fc.constantFrom<unknown>(null, undefined, 0, -1, 1.5, Number.NaN, true, '', 'x', [], {}),
  fc.object({ maxDepth: 1, maxKeys: 3 }),
)
const member = (real: string[]) =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...real), weight: 8 },
    { arbitrary: fc.constantFrom(...JUNK_MEMBERS), weight: 2 },
    { arbitrary: fc.string({ maxLength: 20 }), weight: 1 },
    { arbitrary: anyJunk, weight: 1 },
  )
const anyMember = member([...MEASURES, ...DIMENSIONS, ...TIME_DIMENSIONS])
const value = fc.oneof(
  { arbitrary: fc.constantFrom<unknown>(...HOSTILE), weight: 6 },
  { arbitrary: fc.constantFrom<unknown>(...DATES), weight: 3 },
  { arbitrary: fc.string({ maxLength: 24 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 12 }), weight: 1 },
  { arbitrary: fc.integer({ min: -1000, max: 5000 }).map(String), weight: 2 },
  { arbitrary: fc.double({ noDefaultInfinity: false }).map(String), weight: 1 },
  { arbitrary: fc.constantFrom<unknown>(null, 42, true, 1.5, {}, [], ['nested']), weight: 1 },
)
const values = fc.oneof({ arbitrary: fc.array(value, { maxLength: 4 }), weight: 8 }, { arbitrary: anyJunk, weight: 1 })
const operator = fc.oneof(
  { arbitrary: fc.constantFrom(...OPERATORS), weight: 8 },
  { arbitrary: fc.constantFrom(...JUNK_OPERATORS), weight: 1 },
  { arbitrary: anyJunk, weight: 1 },
)
const leafFilter = fc.oneof(
  {
    arbitrary: fc.record({ member: anyMember, operator, values }, { requiredKeys: ['member', 'operator'] }),
    weight: 8,
  },
  { arbitrary: fc.record({ dimension: anyMember, operator, values }, { requiredKeys: [] }), weight: 1 },
)
const { filter } = fc.letrec<{ filter: unknown }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small' },
    { arbitrary: leafFilter, weight: 6 },
    { arbitrary: fc.record({ and: fc.array(tie('filter'), { maxLength: 3 }) }), weight: 1 },
    { arbitrary: fc.record({ or: fc.array(tie('filter'), { maxLength: 3 }) }), weight: 1 },
    { arbitrary: anyJunk, weight: 1 },
  ),
}))
const direction = fc.constantFrom<unknown>('asc', 'desc', 'asc', 'desc', 'ASC', 'sideways', '', null, 1)
const order = fc.oneof(
  fc.dictionary(fc.oneof(fc.constantFrom(...MEASURES, ...DIMENSIONS), fc.constantFrom(...JUNK_MEMBERS)), direction, {
    maxKeys: 3,
  }),
  fc.array(fc.tuple(anyMember, direction), { maxLength: 3 }),
  anyJunk,
)
const dateRange = fc.oneof(
  fc.constantFrom<unknown>(...RELATIVE),
  fc.tuple(fc.constantFrom(...DATES), fc.constantFrom(...DATES)),
  fc.constantFrom(...DATES),
  fc.array(fc.constantFrom(...DATES), { maxLength: 3 }),
  anyJunk,
)
const timeDimension = fc.record(
  {
    dimension: member(TIME_DIMENSIONS),
    granularity: fc.oneof(
      { arbitrary: fc.constantFrom(...GRANULARITIES), weight: 6 },
      { arbitrary: fc.constantFrom(...JUNK_GRANULARITIES), weight: 1 },
    ),
    dateRange,
  },
  { requiredKeys: ['dimension'] },
)
const count = fc.oneof(
  fc.integer({ min: -3, max: 60 }),
  fc.constantFrom<unknown>(0, 1, 10_000, 50_001, 1e9, 1.5, Number.NaN, '10', null),
)

const wildQuery = fc.record(
  {
    measures: fc.array(member(MEASURES), { maxLength: 3 }),
    dimensions: fc.array(member(DIMENSIONS), { maxLength: 3 }),
    filters: fc.array(filter, { maxLength: 3 }),
    timeDimensions: fc.array(timeDimension, { maxLength: 2 }),
    segments: fc.array(member(SEGMENTS), { maxLength: 2 }),
    order,
    limit: count,
    offset: count,
    total: fc.oneof(fc.boolean(), anyJunk),
    timezone: fc.oneof({ arbitrary: fc.constantFrom(...ZONES), weight: 4 }, { arbitrary: anyJunk, weight: 1 }),
    ungrouped: fc.oneof({ arbitrary: fc.boolean(), weight: 4 }, { arbitrary: anyJunk, weight: 1 }),
    bogusKey: anyJunk,
  },
  { requiredKeys: [] },
)

// Plausible queries: right vocabulary and value types, hostile strings as values. Most are valid, so
// the "never in the SQL text" half of the property gets exercised.
const CUBE_MEASURES = MEASURES.filter((m) => !m.startsWith('sales.') && !m.startsWith('customer_overview.'))
const CUBE_STRING_DIMENSIONS = [
  'orders.status',
  'orders.note',
  'customers.name',
  'customers.city',
  'customers.tier',
  'products.category',
]
const NUMBER_DIMENSIONS = [
  'orders.amount',
  'orders.id',
  'order_items.line_total',
  'order_items.quantity',
  'products.price',
]
const CUBE_TIME_DIMENSIONS = ['orders.created_at', 'orders.shipped_at', 'customers.created_at']
const VALID_DATES = ['2023-06-01', '2024-01-01', '2024-02-29', '2024-06-15', '2025-06-30']
const VALID_RELATIVE = [
  'today',
  'yesterday',
  'this week',
  'this month',
  'this quarter',
  'this year',
  'last 7 days',
  'last month',
  'last year',
  'from 2024-01-01 to 2024-03-31',
]
const validDate = fc.constantFrom(...VALID_DATES)
const plausibleLeaf = fc.oneof(
  fc.record({
    member: fc.constantFrom(...CUBE_STRING_DIMENSIONS),
    operator: fc.constantFrom(...STRING_OPERATORS),
    values: fc.array(fc.constantFrom(...HOSTILE), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    member: fc.constantFrom(...NUMBER_DIMENSIONS),
    operator: fc.constantFrom('gt', 'gte', 'lt', 'lte', 'equals', 'notEquals'),
    values: fc.array(fc.integer({ min: -10, max: 500 }).map(String), { minLength: 1, maxLength: 2 }),
  }),
  fc.record({
    member: fc.constantFrom(...CUBE_STRING_DIMENSIONS, ...NUMBER_DIMENSIONS, ...CUBE_TIME_DIMENSIONS),
    operator: fc.constantFrom('set', 'notSet'),
  }),
  fc.record({
    member: fc.constantFrom(...CUBE_TIME_DIMENSIONS),
    operator: fc.constantFrom('inDateRange', 'notInDateRange'),
    values: fc.tuple(validDate, validDate).map(([a, b]) => (a <= b ? [a, b] : [b, a])),
  }),
  fc.record({
    member: fc.constantFrom(...CUBE_TIME_DIMENSIONS),
    operator: fc.constantFrom('beforeDate', 'beforeOrOnDate', 'afterDate', 'afterOrOnDate'),
    values: fc.tuple(validDate),
  }),
  fc.record({
    member: fc.constantFrom(...CUBE_MEASURES),
    operator: fc.constantFrom('gt', 'lte'),
    values: fc.tuple(fc.integer({ min: 0, max: 50 }).map(String)),
  }),
  // Invalid on purpose: hostile strings where dates or numbers belong (the error must not echo them).
  fc.record({
    member: fc.constantFrom(...CUBE_TIME_DIMENSIONS),
    operator: fc.constantFrom('inDateRange', 'beforeDate', 'afterOrOnDate'),
    values: fc.array(fc.constantFrom(...CHECKED), { minLength: 1, maxLength: 2 }),
  }),
  fc.record({
    member: fc.constantFrom(...NUMBER_DIMENSIONS),
    operator: fc.constantFrom('gt', 'equals'),
    values: fc.array(fc.constantFrom(...CHECKED), { minLength: 1, maxLength: 2 }),
  }),
)
const plausibleFilter = fc.oneof(
  { arbitrary: plausibleLeaf, weight: 4 },
  { arbitrary: fc.record({ and: fc.array(plausibleLeaf, { minLength: 1, maxLength: 2 }) }), weight: 1 },
  {
    arbitrary: fc.record({
      or: fc.tuple(plausibleLeaf, fc.record({ and: fc.array(plausibleLeaf, { minLength: 1, maxLength: 2 }) })),
    }),
    weight: 1,
  },
)
const plausibleQuery = fc.record(
  {
    measures: fc.uniqueArray(fc.constantFrom(...CUBE_MEASURES), { minLength: 1, maxLength: 3 }),
    dimensions: fc.uniqueArray(
      fc.constantFrom(...CUBE_STRING_DIMENSIONS, 'customers.is_active', 'customers.tier_rank'),
      { maxLength: 2 },
    ),
    filters: fc.array(plausibleFilter, { maxLength: 2 }),
    timeDimensions: fc.array(
      fc.record(
        {
          dimension: fc.constantFrom(...CUBE_TIME_DIMENSIONS),
          granularity: fc.constantFrom(...GRANULARITIES),
          dateRange: fc.oneof(
            fc.constantFrom(...VALID_RELATIVE),
            fc.tuple(validDate, validDate).map(([a, b]) => (a <= b ? [a, b] : [b, a])),
          ),
        },
        { requiredKeys: ['dimension', 'granularity'] },
      ),
      { maxLength: 1 },
    ),
    segments: fc.uniqueArray(fc.constantFrom(...SEGMENTS), { maxLength: 2 }),
    limit: fc.integer({ min: 1, max: 50 }),
    offset: fc.integer({ min: 0, max: 5 }),
    total: fc.boolean(),
    timezone: fc.constantFrom('UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata'),
  },
  { requiredKeys: ['measures'] },
)

const randomQuery = fc.oneof(
  { weight: 10, arbitrary: wildQuery },
  { weight: 10, arbitrary: plausibleQuery },
  { weight: 1, arbitrary: anyJunk },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('orders.count', 42, ['orders.count'], new Date(0)) },
)

/** Always-valid shape: real measures, string dimensions, string operators, hostile string values. */
const hostileValueQuery = fc.record({
  measures: fc.array(fc.constantFrom('orders.count', 'orders.total_amount', 'customers.count', 'products.count'), {
    minLength: 1,
    maxLength: 2,
  }),
  filters: fc.array(
    fc.record({
      member: fc.constantFrom(...STRING_DIMENSIONS),
      operator: fc.constantFrom(...STRING_OPERATORS),
      values: fc.array(fc.constantFrom(...CHECKED), { minLength: 1, maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 2 },
  ),
})

// ---- checks -----------------------------------------------------------------------------------------

function expectNoPollution() {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTO_KEYS)
}

interface ErrorLike {
  code: unknown
  message: string
  issues: readonly { code: unknown; path: unknown; message: unknown }[]
}

function expectQueryError(e: unknown): ErrorLike {
  if (!isSemanticLayerError(e))
    throw new Error(
      `expected a SemanticLayerError, got: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`,
      { cause: e },
    )
  const err = e as unknown as ErrorLike
  expect(['QUERY_INVALID', 'UNSUPPORTED']).toContain(err.code)
  expect(Array.isArray(err.issues)).toBe(true)
  expect(err.issues.length).toBeGreaterThan(0)
  for (const issue of err.issues) {
    expect(Array.isArray(issue.path)).toBe(true)
    expect(typeof issue.code).toBe('string')
    expect(typeof issue.message).toBe('string')
  }
  return err
}

/** Strings used as names (members, operators, zones, ...) anywhere in a query: messages may quote these. */
function namesIn(q: unknown): string[] {
  const out: string[] = []
  const walk = (v: unknown, key: string | undefined) => {
    if (typeof v === 'string') {
      if (key !== 'values') out.push(v)
    } else if (Array.isArray(v)) {
      if (key !== 'values') for (const x of v) walk(x, key)
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        out.push(k)
        walk(x, k)
      }
    }
  }
  walk(q, undefined)
  return out
}

/** Distinctive filter values of a query that never serve as a name in it. */
function checkedValuesIn(q: unknown): string[] {
  const found = new Set<string>()
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk)
    else if (v && typeof v === 'object') {
      const vals = (v as { values?: unknown }).values
      if (Array.isArray(vals)) for (const x of vals) if (typeof x === 'string' && CHECKED.includes(x)) found.add(x)
      Object.values(v).forEach(walk)
    }
  }
  walk(q)
  const names = namesIn(q)
  return [...found].filter((v) => !names.some((n) => n.includes(v)))
}

async function checkQuery(q: unknown): Promise<'ok' | 'rejected'> {
  let result: Awaited<ReturnType<Fixture['layer']['query']>>
  try {
    result = await fx.layer.query(q)
  } catch (e) {
    const err = expectQueryError(e)
    for (const v of checkedValuesIn(q)) {
      expect(err.message.includes(v), `message contains a filter value: ${v.slice(0, 40)}`).toBe(false)
      for (const issue of err.issues) expect(String(issue.message).includes(v)).toBe(false)
    }
    return 'rejected'
  } finally {
    expectNoPollution()
  }
  expect(Array.isArray(result.data)).toBe(true)
  expect(typeof result.sql?.sql).toBe('string')
  for (const v of checkedValuesIn(q))
    expect(result.sql.sql.includes(v), `SQL text contains a filter value: ${v.slice(0, 40)}`).toBe(false)
  return 'ok'
}

// ---- properties -------------------------------------------------------------------------------------

describe('random queries', () => {
  it('resolve with data or reject with QUERY_INVALID / UNSUPPORTED, never leaking values', async () => {
    const outcomes = { ok: 0, rejected: 0 }
    await fc.assert(
      fc.asyncProperty(randomQuery, async (q) => {
        outcomes[await checkQuery(q)] += 1
      }),
      { seed: SEED, numRuns: RUNS },
    )
    // The generator must exercise both paths, or the property proves little.
    expect(outcomes.ok).toBeGreaterThan(RUNS / 10)
    expect(outcomes.rejected).toBeGreaterThan(RUNS / 10)
    expect(oneNumber('SELECT count(*) AS n FROM orders')).toBe(500)
  })

  it('hostile string values on string dimensions always resolve, bound as parameters', async () => {
    await fc.assert(
      fc.asyncProperty(hostileValueQuery, async (q) => {
        if (q.filters.some((f) => f.values.some((v) => v.includes('\u0000')))) {
          // NUL cannot be compared reliably (SQLite's LIKE stops at it, PostgreSQL rejects it): refused up front.
          const err = await rejection(q)
          expectIssue(err, 'INVALID_VALUE')
          return
        }
        const result = await fx.layer.query(q)
        expect(Array.isArray(result.data)).toBe(true)
        for (const f of q.filters) {
          for (const v of f.values) {
            expect(result.sql.sql.includes(v)).toBe(false)
            if (f.operator === 'equals' || f.operator === 'notEquals') expect(result.sql.params).toContain(v)
          }
        }
        expectNoPollution()
      }),
      { seed: SEED + 1, numRuns: Math.max(20, Math.floor(RUNS / 3)) },
    )
    expect(oneNumber('SELECT count(*) AS n FROM orders')).toBe(500)
  })
})

function oneNumber(sql: string): number {
  return Number((fx.db.prepare(sql).get() as Row).n)
}

// ---- explicit cases ---------------------------------------------------------------------------------

async function rejection(q: unknown): Promise<ErrorLike> {
  const outcome = await fx.layer.query(q).then(
    (r) => ({ resolved: r }),
    (e: unknown) => ({ error: e }),
  )
  if ('resolved' in outcome) throw new Error(`expected a rejection for ${JSON.stringify(q)?.slice(0, 200)}`)
  return expectQueryError(outcome.error)
}

function expectIssue(err: ErrorLike, code: string, path?: readonly (string | number)[]) {
  const match = err.issues.find(
    (i) => i.code === code && (path === undefined || JSON.stringify(i.path) === JSON.stringify(path)),
  )
  expect(
    match,
    `issue ${code}${path ? ` at ${JSON.stringify(path)}` : ''} in ${JSON.stringify(err.issues)}`,
  ).toBeDefined()
}

describe('explicit errors', () => {
  it('unknown member → UNKNOWN_MEMBER at [measures, 0]', async () => {
    const err = await rejection({ measures: ['orders.nope'] })
    expect(err.code).toBe('QUERY_INVALID')
    expectIssue(err, 'UNKNOWN_MEMBER', ['measures', 0])
  })

  it.each([
    'orders.constructor',
    'orders.toString',
    'orders.__proto__',
    '__proto__.count',
    'constructor.prototype',
    'orders.hasOwnProperty',
  ])('a prototype property name is an unknown member: %s', async (name) => {
    const err = await rejection({ measures: ['orders.count'], dimensions: [name] })
    expect(err.code).toBe('QUERY_INVALID')
    expectIssue(err, 'UNKNOWN_MEMBER', ['dimensions', 0])
  })

  it('wrong operator → INVALID_OPERATOR at [filters, 0, operator]', async () => {
    const err = await rejection({
      measures: ['orders.count'],
      filters: [{ member: 'orders.status', operator: 'like', values: ['paid'] }],
    })
    expect(err.code).toBe('QUERY_INVALID')
    expectIssue(err, 'INVALID_OPERATOR', ['filters', 0, 'operator'])
  })

  it('impossible date in a filter → INVALID_DATE', async () => {
    const err = await rejection({
      measures: ['orders.count'],
      filters: [{ member: 'orders.created_at', operator: 'inDateRange', values: ['2024-02-30', '2024-03-01'] }],
    })
    expect(err.code).toBe('QUERY_INVALID')
    expectIssue(err, 'INVALID_DATE')
  })

  it('impossible date in a dateRange → INVALID_DATE', async () => {
    const err = await rejection({
      measures: ['orders.count'],
      timeDimensions: [{ dimension: 'orders.created_at', dateRange: ['2024-02-30', '2024-03-01'] }],
    })
    expectIssue(err, 'INVALID_DATE')
    expect(err.issues.some((i) => Array.isArray(i.path) && i.path[0] === 'timeDimensions')).toBe(true)
  })

  it('unknown query key → UNKNOWN_KEY', async () => {
    const err = await rejection({ measures: ['orders.count'], measure: ['orders.count'] })
    expect(err.code).toBe('QUERY_INVALID')
    expectIssue(err, 'UNKNOWN_KEY')
  })

  it('unknown time zone → INVALID_TIMEZONE', async () => {
    const err = await rejection({ measures: ['orders.count'], timezone: 'Mars/Olympus' })
    expect(err.code).toBe('QUERY_INVALID')
    expectIssue(err, 'INVALID_TIMEZONE')
  })

  it.each([
    [
      'a filter on an unknown member',
      (v: string) => ({
        measures: ['orders.count'],
        filters: [{ member: 'orders.nope', operator: 'equals', values: [v] }],
      }),
    ],
    [
      'an invalid date',
      (v: string) => ({
        measures: ['orders.count'],
        filters: [{ member: 'orders.created_at', operator: 'beforeDate', values: [v] }],
      }),
    ],
    [
      'a non-numeric value for gt',
      (v: string) => ({
        measures: ['orders.count'],
        filters: [{ member: 'orders.amount', operator: 'gt', values: [v] }],
      }),
    ],
    [
      'a wrong operator',
      (v: string) => ({
        measures: ['orders.count'],
        filters: [{ member: 'orders.status', operator: 'like', values: [v] }],
      }),
    ],
    [
      'an invalid dateRange',
      (v: string) => ({
        measures: ['orders.count'],
        timeDimensions: [{ dimension: 'orders.created_at', dateRange: [v, '2024-01-01'] }],
      }),
    ],
  ])('error messages never contain the filter value (%s)', async (_name, build) => {
    const secret = 's3cr3t-Value-7781'
    const err = await rejection(build(secret))
    expect(err.message).not.toContain(secret)
    expect(JSON.stringify(err.issues)).not.toContain(secret)
  })
})

describe('explicit hostile inputs', () => {
  const POLLUTERS = [
    '{"__proto__": {"polluted": "yes"}, "measures": ["orders.count"]}',
    '{"measures": ["orders.count"], "filters": [{"__proto__": {"polluted": "yes"}, "member": "orders.status", "operator": "equals", "values": ["paid"]}]}',
    '{"measures": ["orders.count"], "order": {"__proto__": {"polluted": "yes"}}}',
    '{"measures": ["orders.count"], "order": {"__proto__": "asc"}}',
    '{"measures": ["orders.count"], "constructor": {"prototype": {"polluted": "yes"}}}',
    '{"measures": ["orders.count"], "timeDimensions": [{"dimension": "orders.created_at", "__proto__": {"polluted": "yes"}, "granularity": "month"}]}',
    '{"measures": ["orders.count"], "filters": [{"member": "orders.status", "operator": "equals", "values": {"__proto__": {"polluted": "yes"}}}]}',
    '{"measures": ["__proto__"]}',
    '{"measures": ["orders.count"], "order": [["__proto__", "asc"]]}',
    '{"measures": ["orders.count"], "filters": [{"and": {"__proto__": {"polluted": "yes"}}}]}',
  ].map((s) => JSON.parse(s) as unknown)

  it.each(POLLUTERS.map((q) => [JSON.stringify(q), q] as const))(
    'does not pollute prototypes: %s',
    async (_name, q) => {
      await checkQuery(q)
      expectNoPollution()
    },
  )

  it('rejects non-object queries', async () => {
    for (const q of [null, undefined, 42, 'orders.count', [], [{ measures: ['orders.count'] }], new Date(0)]) {
      await rejection(q)
    }
  })

  it('rejects a cyclic query, a BigInt value and a Symbol member without crashing', async () => {
    const cyclic: Record<string, unknown> = { measures: ['orders.count'] }
    cyclic.self = cyclic
    await rejection(cyclic)
    await rejection({
      measures: ['orders.count'],
      filters: [{ member: 'orders.amount', operator: 'gt', values: [10n] }],
    })
    await rejection({ measures: [Symbol('orders.count')] })
  })

  it('accepts a query object without a prototype', async () => {
    const q = Object.assign(Object.create(null) as Record<string, unknown>, { measures: ['orders.count'] })
    const result = await fx.layer.query(q)
    expect(result.data).toEqual([{ 'orders.count': 500 }])
  })

  it('treats SQL in a value as data: it matches nothing and drops nothing', async () => {
    const result = await fx.layer.query({
      measures: ['orders.count'],
      filters: [
        { member: 'orders.status', operator: 'equals', values: ["'; DROP TABLE orders; --", "paid' OR '1'='1"] },
      ],
    })
    expect(result.data).toEqual([{ 'orders.count': 0 }])
    expect(oneNumber('SELECT count(*) AS n FROM orders')).toBe(500)
  })

  it('matches a 10 000-character value literally', async () => {
    const result = await fx.layer.query({
      measures: ['customers.count'],
      filters: [{ member: 'customers.name', operator: 'contains', values: [LONG] }],
    })
    expect(result.data).toEqual([{ 'customers.count': 0 }])
  })

  // SQLite's LIKE stops at a NUL byte: '%a\0b%' behaves like '%a', which matches names ending in 'a'.
  // A value with a NUL byte must either match literally (nothing here) or be rejected as invalid.
  it.each(['contains', 'startsWith', 'endsWith', 'equals'])(
    'matches NUL bytes literally or rejects them (%s)',
    async (operator) => {
      const q = {
        measures: ['customers.count'],
        filters: [{ member: 'customers.name', operator, values: ['a\u0000b'] }],
      }
      const outcome = await fx.layer.query(q).then(
        (r) => ({ data: r.data }),
        (e: unknown) => ({ error: e }),
      )
      if ('error' in outcome) expect(expectQueryError(outcome.error).code).toBe('QUERY_INVALID')
      else expect(outcome.data).toEqual([{ 'customers.count': 0 }])
    },
  )
})
