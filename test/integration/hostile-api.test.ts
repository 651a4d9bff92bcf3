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
const throwingGetter = Object.defineProperty({}, 'x', { enumerable: true, get: () => { throw new RangeError('getter') } })
const throwingProxy = new Proxy({}, {
  ownKeys: () => { throw new TypeError('ownKeys') },
  // fast-check may print it in a counterexample.
  get: (_, key) => {
    if (typeof key === 'symbol') return undefined
    if (key === 'toString') return () => 'throwingProxy'
    throw new TypeError('get')
  },
})
const frozenLookAlike = Object.freeze({ cubes: Object.freeze([Object.freeze({ name: 'x' })]), views: Object.freeze([]) })
const JUNK: readonly unknown[] = [
  null, undefined, 0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, -Number.MAX_VALUE, 1e308, 2 ** 53, 2 ** 31, true, false, '', 'x', 'default',
  [], [1], [null], {}, { x: 1 }, Symbol('s'), 10n, new Date(Number.NaN), new Map(), () => 1, () => { throw new TypeError('hook') },
  async () => undefined, cyclic, throwingGetter, throwingProxy, frozenLookAlike, Object.create(null),
]
const junk = fc.oneof({ arbitrary: fc.constantFrom(...JUNK), weight: 4 }, { arbitrary: fc.anything({ maxDepth: 2 }), weight: 1 })

/** Runs `call`; passes when it returns or fails with a coded SemanticLayerError (never INTERNAL, never raw). */
async function settles(what: string, call: () => unknown): Promise<void> {
  try {
    const out = call()
    if (out && typeof (out as PromiseLike<unknown>).then === 'function') await out
    if (out && typeof (out as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') for await (const _ of out as AsyncIterable<unknown>) break
  } catch (error) {
    if (!isSemanticLayerError(error)) throw new Error(`${what} threw a raw ${(error as Error)?.constructor?.name}: ${String((error as Error)?.message)}`)
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

const LAYER_KEYS = [
  'model', 'connectors', 'contextToTenant', 'contextToUser', 'onAudit', 'maxTenants', 'defaultLimit', 'maxLimit', 'now', 'timeoutMs', 'decimals',
  'cache', 'onCacheError', 'cacheOptions', 'compiledQueries', 'contextToGroups', 'queryRewrite', 'authorize', 'hideForbiddenMembers', 'defaultLimt',
]

describe('property: every entry point answers hostile options with a coded error or works', () => {
  it('createSemanticLayer, then every layer method', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...LAYER_KEYS), junk, { maxKeys: 3 }), junk, async (overrides, callOptions) => {
        let layer: SemanticLayer | undefined
        await settles('createSemanticLayer', () => (layer = keep(createSemanticLayer({ ...base(), ...overrides } as never))))
        if (!layer) return
        const q = { measures: ['orders.count'], timeDimensions: [{ dimension: 'orders.created_at', dateRange: 'last 7 days' }] }
        const ctx = { securityContext: { tenant_id: 't1', groups: ['g'] } }
        await settles('query', () => layer!.query(q, ctx))
        await settles('query(options)', () => layer!.query(q, callOptions as never))
        await settles('sql(options)', () => layer!.sql(q, callOptions as never))
        await settles('meta(options)', () => layer!.meta(callOptions as never))
        await settles('stream(options)', () => layer!.stream(q, callOptions as never))
        await settles('invalidate(target)', () => layer!.invalidate(callOptions as never))
      }),
      { seed: SEED, numRuns: RUNS },
    )
  })

  it('per-call option values: securityContext, signal, timeoutMs, cacheMode, dialect', async () => {
    const layer = keep(createSemanticLayer(base()))
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('securityContext', 'signal', 'timeoutMs', 'cacheMode', 'dialect'), junk, async (key, value) => {
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
      fc.asyncProperty(junk, fc.constantFrom('filename', 'database', 'readonly', 'connection', 'pool', 'existingPool', 'knex', 'client', 'secret', 'cors', 'basePath', 'bogus'), async (value, key) => {
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
  it('an unknown createSemanticLayer option is CONFIG_INVALID with the closest name: defaultLimt → defaultLimit', async () => {
    const e = await failure(() => createSemanticLayer({ ...base(), defaultLimt: 10 } as never))
    expect(e.code).toBe('CONFIG_INVALID')
    expect(e.issues).toEqual([{ code: 'UNKNOWN_OPTION', path: ['defaultLimt'], message: expect.stringMatching(/^Unknown option "defaultLimt" in createSemanticLayer options\. Did you mean "defaultLimit"\? Accepted options: model, connectors, /) }])
  })

  it('reports every problem of the options at once', async () => {
    const e = await failure(() => createSemanticLayer({ ...base(), now: 5, maxTenants: 1e308, timeoutMs: 2 ** 40, decimals: 'float', cacheOptions: { lockMS: 1 } } as never))
    expect(e.issues.map((i) => [i.code, i.path.join('.')])).toEqual([
      ['INVALID_OPTION', 'maxTenants'], ['INVALID_OPTION', 'now'], ['INVALID_OPTION', 'timeoutMs'], ['INVALID_OPTION', 'decimals'],
    ])
    expect(e.issues.find((i) => i.path[0] === 'timeoutMs')!.message).toContain('at most 2147483647')
    // Caches that allocate for their maximum up front: 2^53 entries would exhaust memory.
    expect((await failure(() => createSemanticLayer({ ...base(), compiledQueries: 2 ** 53 } as never))).issues[0]).toMatchObject({ code: 'INVALID_OPTION', path: ['compiledQueries'] })
    expect((await failure(() => memoryCache({ maxEntries: 2 ** 53 }))).issues[0]).toMatchObject({ code: 'INVALID_OPTION', path: ['cache', 'maxEntries'] })
    const nested = await failure(() => createSemanticLayer({ ...base(), cacheOptions: { lockMS: 1 } } as never))
    expect(nested.issues).toEqual([expect.objectContaining({ code: 'UNKNOWN_OPTION', path: ['cacheOptions', 'lockMS'], message: expect.stringContaining('Did you mean "lockMs"?') })])
  })

  it('options that are not objects, or whose getters throw, are CONFIG_INVALID', async () => {
    for (const options of [null, 5, 'model', [base()]]) expect((await failure(() => createSemanticLayer(options as never))).code).toBe('CONFIG_INVALID')
    const getter = Object.defineProperty({ ...base() }, 'defaultLimit', { enumerable: true, get: () => { throw new Error('boom') } })
    const e = await failure(() => createSemanticLayer(getter as never))
    expect(e.issues).toEqual([expect.objectContaining({ code: 'UNREADABLE_OPTION', path: ['defaultLimit'] })])
    expect((await failure(() => createSemanticLayer({ model: base().model } as never))).issues).toEqual([expect.objectContaining({ code: 'MISSING_OPTION', path: ['connectors'] })])
  })

  it('a misspelt query option is QUERY_INVALID, never a call run without its security context', async () => {
    const layer = keep(createSemanticLayer(base()))
    const e = await failure(() => layer.query({ measures: ['orders.count'] }, { securityContex: { tenant_id: 't1' } } as never))
    expect(e.code).toBe('QUERY_INVALID')
    expect(e.issues[0]).toMatchObject({ code: 'UNKNOWN_OPTION', path: ['securityContex'], message: expect.stringContaining('Did you mean "securityContext"?') })
    expect((await failure(() => layer.meta({ securityContext: null } as never))).issues[0]).toMatchObject({ code: 'INVALID_OPTION', path: ['securityContext'] })
    expect((await failure(() => layer.query({ measures: ['orders.count'] }, { signal: 'abort' } as never))).issues[0]).toMatchObject({ code: 'INVALID_OPTION', path: ['signal'] })
    // setTimeout would fire at once for a longer delay: refused instead of timing out immediately.
    expect((await failure(() => layer.query({ measures: ['orders.count'] }, { timeoutMs: 2 ** 31 } as never))).issues[0]).toMatchObject({ code: 'INVALID_OPTION', path: ['timeoutMs'] })
    expect((await failure(() => layer.sql({ measures: ['orders.count'] }, { dialect: 'constructor' } as never))).code).toBe('UNSUPPORTED')
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
      expect(e.issues.some((i) => i.code === 'UNKNOWN_OPTION' && i.path.at(-1) === key && i.message.includes(`Did you mean "${near}"?`)), JSON.stringify(e.issues)).toBe(true)
    }
    expect((await failure(() => sqlite({} as never))).issues[0]!.message).toContain('exactly one of filename')
  })
})

describe('models: only what loadModel/parseModel/compileModel produced skips validation', () => {
  it('a frozen plain object that looks like a loaded model is validated (MODEL_INVALID), not a raw TypeError', async () => {
    const e = await failure(() => createSemanticLayer({ model: frozenLookAlike, connectors: base().connectors } as never))
    expect(e.code).toBe('MODEL_INVALID')
    expect(e.issues.map((i) => i.code)).toContain('MISSING_SQL')
    expect((await failure(() => compileModel(frozenLookAlike as never))).code).toBe('MODEL_INVALID')
  })

  it('a loaded, a compiled, a copied and a frozen plain model all work', async () => {
    const loaded = parseModel([{ file: 'orders.yml', content: MODEL }])
    const compiled = compileModel(loaded)
    const copied = { cubes: [...loaded.cubes], views: [...loaded.views] }
    const frozenPlain = Object.freeze({ cubes: [{ name: 'orders', sqlTable: 'orders', measures: [{ name: 'count', type: 'count' }] }] })
    for (const model of [loaded, compiled, copied, frozenPlain]) {
      const layer = keep(createSemanticLayer({ model: model as never, connectors: base().connectors }))
      expect((await layer.query({ measures: ['orders.count'] })).data).toEqual([{ 'orders.count': 2 }])
    }
    // The compiled model is shared as it is, and a copy of a loaded model keeps its file names.
    expect(keep(createSemanticLayer({ model: compiled, connectors: base().connectors })).model).toBe(compiled)
    const bad = { cubes: [{ ...loaded.cubes[0]!, measures: [{ name: 'count', type: 'cnt' }] }], views: [] }
    expect((await failure(() => compileModel(bad as never))).issues[0]!.path).toEqual(['orders.yml', 'cubes', 'orders', 'measures', 'count', 'type'])
  })

  it('models with cycles, getters that throw and proxies are MODEL_INVALID with a path', async () => {
    const e = await failure(() => parseModel([{ content: { cubes: [{ name: 'o', sql_table: 'o', meta: cyclic }] } }]))
    expect(e.issues[0]).toMatchObject({ code: 'WRONG_TYPE', path: ['cubes', 'o', 'meta', 'self'] })
    const g = await failure(() => parseModel([{ content: { cubes: [Object.defineProperty({ name: 'o' }, 'sql_table', { enumerable: true, get: () => { throw new Error('x') } })] } }]))
    expect(g.issues[0]).toMatchObject({ code: 'WRONG_TYPE', path: ['cubes', 'o', 'sql_table'] })
    expect((await failure(() => parseModel([{ content: { cubes: [throwingProxy] } }]))).code).toBe('MODEL_INVALID')
    expect((await failure(() => parseModel('cubes: []' as never))).issues[0]).toMatchObject({ code: 'WRONG_TYPE', path: [] })
    expect((await failure(() => parseModel([{ file: 42, content: 'cubes: []' }] as never))).issues[0]).toMatchObject({ code: 'WRONG_TYPE', path: [0] })
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
    const throws = keep(createSemanticLayer({ ...base(), authorize: () => { throw new TypeError('bug in host') } }))
    expect(await failure(() => throws.query(q, ctx))).toMatchObject({ code: 'FORBIDDEN', cause: expect.any(TypeError) })
    expect((await keep(createSemanticLayer({ ...base(), authorize: () => ({ allow: true }) })).query(q, ctx)).data).toEqual([{ 'orders.count': 2 }])
  })

  it('contextToTenant and contextToGroups that throw or answer junk refuse the call', async () => {
    const tenantThrows = keep(createSemanticLayer({ ...base(), contextToTenant: () => { throw new TypeError('x') } }))
    expect(await failure(() => tenantThrows.query(q, ctx))).toMatchObject({ code: 'UNAUTHORIZED', issues: [expect.objectContaining({ code: 'TENANT_RESOLVER_FAILED' })] })
    expect(await failure(() => tenantThrows.meta(ctx))).toMatchObject({ code: 'UNAUTHORIZED' })
    const groupsJunk = keep(createSemanticLayer({ ...base(), contextToGroups: () => 'admin' as never }))
    expect(await failure(() => groupsJunk.query(q, ctx))).toMatchObject({ code: 'CONFIG_INVALID', issues: [expect.objectContaining({ code: 'INVALID_GROUPS' })] })
    expect(await failure(() => groupsJunk.meta(ctx))).toMatchObject({ code: 'CONFIG_INVALID' })
    const groupsThrow = keep(createSemanticLayer({ ...base(), contextToGroups: () => { throw new RangeError('x') } }))
    expect(await failure(() => groupsThrow.query(q, ctx))).toMatchObject({ code: 'UNAUTHORIZED', issues: [expect.objectContaining({ code: 'GROUPS_RESOLVER_FAILED' })] })
  })

  it('factories that throw or return junk, and a clock that answers junk, are typed errors', async () => {
    const tenant = { contextToTenant: (c: Record<string, unknown>) => c.tenant_id as string }
    const junkConnectors = keep(createSemanticLayer({ model: base().model, connectors: () => ({ default: {} }) as never, ...tenant }))
    expect(await failure(() => junkConnectors.query(q, ctx))).toMatchObject({ code: 'CONFIG_INVALID', issues: [expect.objectContaining({ code: 'INVALID_CONNECTOR' })] })
    const connectorsThrow = keep(createSemanticLayer({ model: base().model, connectors: () => { throw new TypeError('x') }, ...tenant }))
    expect(await failure(() => connectorsThrow.query(q, ctx))).toMatchObject({ code: 'CONNECTOR_FAILED', issues: [expect.objectContaining({ code: 'CONNECTORS_FACTORY_FAILED' })] })
    const modelThrows = keep(createSemanticLayer({ model: () => { throw new TypeError('x') }, connectors: base().connectors, ...tenant }))
    expect(await failure(() => modelThrows.query(q, ctx))).toMatchObject({ code: 'MODEL_LOAD_FAILED', issues: [expect.objectContaining({ code: 'MODEL_FACTORY_FAILED' })] })
    const clock = keep(createSemanticLayer({ ...base(), now: () => 'today' as never }))
    const relative = { measures: ['orders.count'], timeDimensions: [{ dimension: 'orders.created_at', dateRange: 'today' }] }
    expect(await failure(() => clock.query(relative))).toMatchObject({ code: 'CONFIG_INVALID', issues: [expect.objectContaining({ code: 'INVALID_CLOCK' })] })
  })
})
