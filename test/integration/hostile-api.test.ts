/**
 * Hostile values everywhere the public API takes options, models or hooks: whatever a plain-JS caller
 * passes (null, numbers, lists, NaN, huge numbers, cyclic objects, getters that throw, proxies, frozen
 * look-alikes), every entry point either works or fails with a SemanticLayerError that has a code other
 * than INTERNAL and issues with paths: never a TypeError or RangeError, never a silently ignored option.
 *
 * Seeded; set CORTEX_FC_SEED / CORTEX_FC_RUNS to explore further.
 */
import Database from 'better-sqlite3'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  compileModel,
  createJwtAuth,
  createSemanticLayer,
  defineConnector,
  isSemanticLayerError,
  loadModel,
  memoryCache,
  parseModel,
  type SemanticLayer,
  type SemanticLayerError,
} from '../../src/index.js'
import { createFetchHandler, createNodeHandler } from '../../src/http.js'
import { mysql } from '../../src/mysql.js'
import { postgres } from '../../src/postgres.js'
import { redisCache } from '../../src/redis.js'
import { sqlite } from '../../src/sqlite.js'

const SEED = Number(process.env.CORTEX_FC_SEED ?? 20241207)
const RUNS = Number(process.env.CORTEX_FC_RUNS ?? 150)

const MODEL = `
cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true, public: true }
      - { name: status, sql: status, type: string }
      - { name: created_at, sql: created_at, type: time }
    measures:
      - { name: count, type: count }
`

let db: Database.Database
const layers: SemanticLayer[] = []
beforeAll(() => {
  db = new Database(':memory:')
  db.exec(`CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT, created_at TEXT);
    INSERT INTO orders VALUES (1, 'paid', '2024-06-15 10:00:00'), (2, 'shipped', '2024-06-14 10:00:00');`)
})
afterAll(async () => {
  for (const l of layers) await l.close().catch(() => undefined)
  db.close()
})

const base = () => ({ model: parseModel([{ content: MODEL }]), connectors: { default: sqlite({ database: db }) } })
const keep = (layer: SemanticLayer): SemanticLayer => (layers.push(layer), layer)

// ---- hostile values ---------------------------------------------------------------------------------

const cyclic: Record<string, unknown> = { a: 1 }
cyclic.self = cyclic
const throws = (error: Error) => (): never => {
  throw error
}
const throwingGetter = Object.defineProperty({}, 'x', { enumerable: true, get: throws(new RangeError('getter')) })
const throwingProxy = new Proxy(
  {},
  {
    ownKeys: () => {
      throw new TypeError('ownKeys')
    },
    // fast-check may print it in a counterexample.
    get: (_, key) => {
      if (typeof key === 'symbol') return undefined
      if (key === 'toString') return () => 'throwingProxy'
      throw new TypeError('get')
    },
  },
)
const frozenLookAlike = Object.freeze({
  cubes: Object.freeze([Object.freeze({ name: 'x' })]),
  views: Object.freeze([]),
})
const JUNK: readonly unknown[] = [
  null,
  undefined,
  0,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  -Number.MAX_VALUE,
  1e308,
  2 ** 53,
  2 ** 31,
  true,
  false,
  '',
  'x',
  'default',
  [],
  [1],
  [null],
  {},
  { x: 1 },
  Symbol('s'),
  10n,
  new Date(Number.NaN),
  new Map(),
  () => 1,
  throws(new TypeError('hook')),
  async () => undefined,
  cyclic,
  throwingGetter,
  throwingProxy,
  frozenLookAlike,
  Object.create(null),
]
const junk = fc.oneof(
  { arbitrary: fc.constantFrom(...JUNK), weight: 4 },
  { arbitrary: fc.anything({ maxDepth: 2 }), weight: 1 },
)

/** Runs `call`; passes when it returns or fails with a coded SemanticLayerError (never INTERNAL, never raw). */
async function settles(what: string, call: () => unknown): Promise<void> {
  try {
    const out = call()
    if (out && typeof (out as PromiseLike<unknown>).then === 'function') await out
    const rows = out as AsyncIterable<unknown> | undefined
    if (rows && typeof rows[Symbol.asyncIterator] === 'function') for await (const _ of rows) break
  } catch (error) {
    const raw = error as Error | undefined
    if (!isSemanticLayerError(error)) {
      throw new Error(`${what} threw a raw ${raw?.constructor?.name}: ${String(raw?.message)}`)
    }
    expect(error.code, `${what}: ${error.message}`).not.toBe('INTERNAL')
    for (const issue of error.issues) expect(Array.isArray(issue.path), what).toBe(true)
  }
}

async function failure(call: () => unknown): Promise<SemanticLayerError> {
  try {
    await call()
  } catch (error) {
    if (isSemanticLayerError(error)) return error
    throw error
  }
  throw new Error('expected a failure')
}

const FACTORY_KEYS = [
  'filename',
  'database',
  'readonly',
  'connection',
  'pool',
  'existingPool',
  'knex',
  'client',
  'secret',
  'cors',
  'basePath',
  'bogus',
]
const LAYER_KEYS = [
  'model',
  'connectors',
  'contextToTenant',
  'contextToUser',
  'onAudit',
  'maxTenants',
  'defaultLimit',
  'maxLimit',
  'now',
  'timeoutMs',
  'decimals',
  'cache',
  'onCacheError',
  'cacheOptions',
  'compiledQueries',
  'contextToGroups',
  'queryRewrite',
  'authorize',
  'hideForbiddenMembers',
  'defaultLimt',
]

describe('property: every entry point answers hostile options with a coded error or works', () => {
  it('createSemanticLayer, then every layer method', async () => {
    const overridesOf = fc.dictionary(fc.constantFrom(...LAYER_KEYS), junk, { maxKeys: 3 })
    await fc.assert(
      fc.asyncProperty(overridesOf, junk, async (overrides, options) => {
        const callOptions = options as never
        let layer: SemanticLayer | undefined
        await settles('createSemanticLayer', () => {
          layer = keep(createSemanticLayer({ ...base(), ...overrides } as never))
        })
        if (!layer) return
        const timeDimensions = [{ dimension: 'orders.created_at', dateRange: 'last 7 days' }]
        const q = { measures: ['orders.count'], timeDimensions }
        const ctx = { securityContext: { tenant_id: 't1', groups: ['g'] } }
        await settles('query', () => layer!.query(q, ctx))
        await settles('query(options)', () => layer!.query(q, callOptions))
        await settles('sql(options)', () => layer!.sql(q, callOptions))
        await settles('meta(options)', () => layer!.meta(callOptions))
        await settles('stream(options)', () => layer!.stream(q, callOptions))
        await settles('invalidate(target)', () => layer!.invalidate(callOptions))
      }),
      { seed: SEED, numRuns: RUNS },
    )
  })

  it('per-call option values: securityContext, signal, timeoutMs, cacheMode, dialect', async () => {
    const layer = keep(createSemanticLayer(base()))
    const keys = fc.constantFrom('securityContext', 'signal', 'timeoutMs', 'cacheMode', 'dialect')
    await fc.assert(
      fc.asyncProperty(keys, junk, async (key, value) => {
        await settles(`query({ ${key} })`, () => layer.query({ measures: ['orders.count'] }, { [key]: value } as never))
        await settles(`sql({ ${key} })`, () => layer.sql({ measures: ['orders.count'] }, { [key]: value } as never))
        await settles(`meta({ ${key} })`, () => layer.meta({ [key]: value } as never))
      }),
      { seed: SEED, numRuns: RUNS },
    )
  })

  it('loadModel, parseModel and compileModel', async () => {
    await fc.assert(
      fc.asyncProperty(junk, junk, async (a, b) => {
        await settles('loadModel', () => loadModel(a as never))
        await settles('parseModel', () => parseModel(a as never))
        await settles('parseModel([{ file, content }])', () => parseModel([{ file: a, content: b }] as never))
        await settles('compileModel', () => compileModel(a as never))
        await settles('compileModel({ cubes: [x] })', () => compileModel({ cubes: [a], views: b } as never))
      }),
      { seed: SEED, numRuns: RUNS },
    )
  })

  it('connector factories, defineConnector, caches, JWT auth and HTTP handlers', async () => {
    const layer = keep(createSemanticLayer(base()))
    await fc.assert(
      fc.asyncProperty(junk, fc.constantFrom(...FACTORY_KEYS), async (value, key) => {
        await settles('sqlite()', () => sqlite(value as never))
        await settles('sqlite({ key })', () => sqlite({ [key]: value } as never))
        await settles('postgres()', () => postgres(value as never))
        await settles('postgres({ key })', () => postgres({ [key]: value } as never))
        await settles('mysql()', () => mysql(value as never))
        await settles('mysql({ key })', () => mysql({ [key]: value } as never))
        await settles('defineConnector()', () => defineConnector(value as never))
        await settles('memoryCache()', () => memoryCache(value as never))
        await settles('redisCache()', () => redisCache(value as never))
        await settles('createJwtAuth()', () => createJwtAuth(value as never))
        await settles('createJwtAuth({ key })', () => createJwtAuth({ secret: 'k'.repeat(40), [key]: value } as never))
        await settles('authenticate()', () => createJwtAuth({ secret: 'k'.repeat(40) }).authenticate(value as never))
        await settles('createFetchHandler()', () => createFetchHandler(layer, value as never))
        await settles('createNodeHandler()', () => createNodeHandler(layer, value as never))
        await settles('createFetchHandler({ key })', () => createFetchHandler(layer, { [key]: value } as never))
      }),
      { seed: SEED, numRuns: RUNS },
    )
  })
})

describe('options are checked, not ignored', () => {
  const count = { measures: ['orders.count'] }
  const sql = (layer: SemanticLayer, options: unknown) => () => layer.sql(count, options as never)
  const query = (layer: SemanticLayer, options: unknown) => () => layer.query(count, options as never)
  const firstIssue = async (call: () => unknown) => (await failure(call)).issues[0]

  it('an unknown createSemanticLayer option is CONFIG_INVALID with the closest name (defaultLimt)', async () => {
    const e = await failure(() => createSemanticLayer({ ...base(), defaultLimt: 10 } as never))
    expect(e.code).toBe('CONFIG_INVALID')
    const message = expect.stringMatching(
      /^Unknown option "defaultLimt" in createSemanticLayer options\. Did you mean "defaultLimit"\? Accepted options: /,
    )
    expect(e.issues).toEqual([{ code: 'UNKNOWN_OPTION', path: ['defaultLimt'], message }])
  })

  it('reports every problem of the options at once', async () => {
    const wrong = { now: 5, maxTenants: 1e308, timeoutMs: 2 ** 40, decimals: 'float', cacheOptions: { lockMS: 1 } }
    const e = await failure(() => createSemanticLayer({ ...base(), ...wrong } as never))
    expect(e.issues.map((i) => [i.code, i.path.join('.')])).toEqual([
      ['INVALID_OPTION', 'maxTenants'],
      ['INVALID_OPTION', 'now'],
      ['INVALID_OPTION', 'timeoutMs'],
      ['INVALID_OPTION', 'decimals'],
    ])
    expect(e.issues.find((i) => i.path[0] === 'timeoutMs')!.message).toContain('at most 2147483647')
    // Caches that allocate for their maximum up front: 2^53 entries would exhaust memory.
    expect(await firstIssue(() => createSemanticLayer({ ...base(), compiledQueries: 2 ** 53 } as never))).toMatchObject(
      { code: 'INVALID_OPTION', path: ['compiledQueries'] },
    )
    expect(await firstIssue(() => memoryCache({ maxEntries: 2 ** 53 }))).toMatchObject({
      code: 'INVALID_OPTION',
      path: ['cache', 'maxEntries'],
    })
    const nested = await failure(() => createSemanticLayer({ ...base(), cacheOptions: { lockMS: 1 } } as never))
    const hint = expect.stringContaining('Did you mean "lockMs"?')
    expect(nested.issues).toEqual([{ code: 'UNKNOWN_OPTION', path: ['cacheOptions', 'lockMS'], message: hint }])
  })

  it('options that are not objects, or whose getters throw, are CONFIG_INVALID', async () => {
    for (const options of [null, 5, 'model', [base()]]) {
      expect((await failure(() => createSemanticLayer(options as never))).code).toBe('CONFIG_INVALID')
    }
    const getter = Object.defineProperty({ ...base() }, 'defaultLimit', {
      enumerable: true,
      get: throws(new Error('boom')),
    })
    const e = await failure(() => createSemanticLayer(getter as never))
    expect(e.issues).toEqual([expect.objectContaining({ code: 'UNREADABLE_OPTION', path: ['defaultLimit'] })])
    expect(await firstIssue(() => createSemanticLayer({ model: base().model } as never))).toMatchObject({
      code: 'MISSING_OPTION',
      path: ['connectors'],
    })
  })

  it('a misspelt query option is QUERY_INVALID, never a call run without its security context', async () => {
    const layer = keep(createSemanticLayer(base()))
    const e = await failure(query(layer, { securityContex: { tenant_id: 't1' } }))
    expect(e.code).toBe('QUERY_INVALID')
    const hint = expect.stringContaining('Did you mean "securityContext"?')
    expect(e.issues[0]).toMatchObject({ code: 'UNKNOWN_OPTION', path: ['securityContex'], message: hint })
    expect(await firstIssue(() => layer.meta({ securityContext: null } as never))).toMatchObject({
      code: 'INVALID_OPTION',
      path: ['securityContext'],
    })
    expect(await firstIssue(query(layer, { signal: 'abort' }))).toMatchObject({
      code: 'INVALID_OPTION',
      path: ['signal'],
    })
    // setTimeout would fire at once for a longer delay: refused instead of timing out immediately.
    expect(await firstIssue(query(layer, { timeoutMs: 2 ** 31 }))).toMatchObject({
      code: 'INVALID_OPTION',
      path: ['timeoutMs'],
    })
    expect((await failure(sql(layer, { dialect: 'constructor' }))).code).toBe('UNSUPPORTED')
  })

  it('connector factories, caches, JWT auth and handlers refuse unknown options with the closest name', async () => {
    const layer = keep(createSemanticLayer(base()))
    const cases: [() => unknown, string, string][] = [
      [() => sqlite({ filename: ':memory:', readOnly: true } as never), 'readOnly', 'readonly'],
      [() => postgres({ connection: 'postgres://x', serachPath: ['a'] } as never), 'serachPath', 'searchPath'],
      [() => mysql({ connection: 'mysql://x', pol: { max: 1 } } as never), 'pol', 'pool'],
      [() => memoryCache({ maxEntry: 5 } as never), 'maxEntry', 'maxEntries'],
      [() => createJwtAuth({ secret: 'k'.repeat(40), audiance: 'x' } as never), 'audiance', 'audience'],
      [() => createFetchHandler(layer, { basepath: '/x' } as never), 'basepath', 'basePath'],
    ]
    for (const [call, key, near] of cases) {
      const e = await failure(call)
      expect(e.code).toBe('CONFIG_INVALID')
      const hint = `Did you mean "${near}"?`
      const named = e.issues.some(
        (i) => i.code === 'UNKNOWN_OPTION' && i.path.at(-1) === key && i.message.includes(hint),
      )
      expect(named, JSON.stringify(e.issues)).toBe(true)
    }
    expect((await failure(() => sqlite({} as never))).issues[0]!.message).toContain('exactly one of filename')
  })
})

describe('models: only what loadModel/parseModel/compileModel produced skips validation', () => {
  it('a frozen plain object that looks like a loaded model is validated (MODEL_INVALID), not a TypeError', async () => {
    const e = await failure(() => createSemanticLayer({ ...base(), model: frozenLookAlike } as never))
    expect(e.code).toBe('MODEL_INVALID')
    expect(e.issues.map((i) => i.code)).toContain('MISSING_SQL')
    expect((await failure(() => compileModel(frozenLookAlike as never))).code).toBe('MODEL_INVALID')
  })

  it('a loaded, a compiled, a copied and a frozen plain model all work', async () => {
    const loaded = parseModel([{ file: 'orders.yml', content: MODEL }])
    const compiled = compileModel(loaded)
    const copied = { cubes: [...loaded.cubes], views: [...loaded.views] }
    const frozenPlain = Object.freeze({
      cubes: [{ name: 'orders', sqlTable: 'orders', measures: [{ name: 'count', type: 'count' }] }],
    })
    for (const model of [loaded, compiled, copied, frozenPlain]) {
      const layer = keep(createSemanticLayer({ model: model as never, connectors: base().connectors }))
      expect((await layer.query({ measures: ['orders.count'] })).data).toEqual([{ 'orders.count': 2 }])
    }
    // The compiled model is shared as it is, and a copy of a loaded model keeps its file names.
    expect(keep(createSemanticLayer({ model: compiled, connectors: base().connectors })).model).toBe(compiled)
    const bad = { cubes: [{ ...loaded.cubes[0]!, measures: [{ name: 'count', type: 'cnt' }] }], views: [] }
    const at = ['orders.yml', 'cubes', 'orders', 'measures', 'count', 'type']
    expect((await failure(() => compileModel(bad as never))).issues[0]!.path).toEqual(at)
  })

  it('models with cycles, getters that throw and proxies are MODEL_INVALID with a path', async () => {
    const e = await failure(() => parseModel([{ content: { cubes: [{ name: 'o', sql_table: 'o', meta: cyclic }] } }]))
    expect(e.issues[0]).toMatchObject({ code: 'WRONG_TYPE', path: ['cubes', 'o', 'meta', 'self'] })
    const cube = Object.defineProperty({ name: 'o' }, 'sql_table', { enumerable: true, get: throws(new Error('x')) })
    const g = await failure(() => parseModel([{ content: { cubes: [cube] } }]))
    expect(g.issues[0]).toMatchObject({ code: 'WRONG_TYPE', path: ['cubes', 'o', 'sql_table'] })
    expect((await failure(() => parseModel([{ content: { cubes: [throwingProxy] } }]))).code).toBe('MODEL_INVALID')
    const text = await failure(() => parseModel('cubes: []' as never))
    expect(text.issues[0]).toMatchObject({ code: 'WRONG_TYPE', path: [] })
    const numbered = await failure(() => parseModel([{ file: 42, content: 'cubes: []' }] as never))
    expect(numbered.issues[0]).toMatchObject({ code: 'WRONG_TYPE', path: [0] })
  })
})

describe("the host's hooks fail closed and typed", () => {
  const q = { measures: ['orders.count'] }
  const ctx = { securityContext: { tenant_id: 't1', groups: ['a'] } }

  it('an authorize hook that answers nothing denies the query', async () => {
    for (const answer of [undefined, null, 1, 'yes', {}, { allow: 'true' }, { alow: true }]) {
      const layer = keep(createSemanticLayer({ ...base(), authorize: () => answer as never }))
      const e = await failure(() => layer.query(q, ctx))
      expect(e.code).toBe('FORBIDDEN')
      expect(e.issues[0]!.code).toBe('AUTHORIZE_INVALID')
    }
    const throwing = keep(createSemanticLayer({ ...base(), authorize: throws(new TypeError('bug in host')) }))
    const denied = await failure(() => throwing.query(q, ctx))
    expect(denied).toMatchObject({ code: 'FORBIDDEN', cause: expect.any(TypeError) })
    const allows = keep(createSemanticLayer({ ...base(), authorize: () => ({ allow: true }) }))
    expect((await allows.query(q, ctx)).data).toEqual([{ 'orders.count': 2 }])
  })

  /** The error of `call` has this code and its first issue this issue code. */
  const coded = async (call: () => unknown, code: string, issue?: string): Promise<void> => {
    const e = await failure(call)
    expect(e.code).toBe(code)
    if (issue !== undefined) expect(e.issues[0]?.code).toBe(issue)
  }

  it('contextToTenant and contextToGroups that throw or answer junk refuse the call', async () => {
    const tenantThrows = keep(createSemanticLayer({ ...base(), contextToTenant: throws(new TypeError('x')) }))
    await coded(() => tenantThrows.query(q, ctx), 'UNAUTHORIZED', 'TENANT_RESOLVER_FAILED')
    await coded(() => tenantThrows.meta(ctx), 'UNAUTHORIZED')
    const groupsJunk = keep(createSemanticLayer({ ...base(), contextToGroups: () => 'admin' as never }))
    await coded(() => groupsJunk.query(q, ctx), 'CONFIG_INVALID', 'INVALID_GROUPS')
    await coded(() => groupsJunk.meta(ctx), 'CONFIG_INVALID')
    const groupsThrow = keep(createSemanticLayer({ ...base(), contextToGroups: throws(new RangeError('x')) }))
    await coded(() => groupsThrow.query(q, ctx), 'UNAUTHORIZED', 'GROUPS_RESOLVER_FAILED')
  })

  it('factories that throw or return junk, and a clock that answers junk, are typed errors', async () => {
    const tenant = { contextToTenant: (c: Record<string, unknown>) => c.tenant_id as string }
    const { model, connectors } = base()
    const junkConnectors = keep(createSemanticLayer({ model, connectors: () => ({ default: {} }) as never, ...tenant }))
    await coded(() => junkConnectors.query(q, ctx), 'CONFIG_INVALID', 'INVALID_CONNECTOR')
    const connectorsThrow = keep(createSemanticLayer({ model, connectors: throws(new TypeError('x')), ...tenant }))
    await coded(() => connectorsThrow.query(q, ctx), 'CONNECTOR_FAILED', 'CONNECTORS_FACTORY_FAILED')
    const modelThrows = keep(createSemanticLayer({ model: throws(new TypeError('x')), connectors, ...tenant }))
    await coded(() => modelThrows.query(q, ctx), 'MODEL_LOAD_FAILED', 'MODEL_FACTORY_FAILED')
    // The layer reads its clock when it starts (the model history's first entry), so junk is refused there.
    await coded(
      async () => createSemanticLayer({ ...base(), now: () => 'today' as never }),
      'CONFIG_INVALID',
      'INVALID_CLOCK',
    )
    // A clock that goes bad later is refused when a query reads it.
    let reads = 0
    const later = keep(createSemanticLayer({ ...base(), now: () => (reads++ === 0 ? new Date() : ('today' as never)) }))
    const timeDimensions = [{ dimension: 'orders.created_at', dateRange: 'today' }]
    const relative = { measures: ['orders.count'], timeDimensions }
    await coded(() => later.query(relative), 'CONFIG_INVALID', 'INVALID_CLOCK')
  })
})
