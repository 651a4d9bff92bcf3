import { randomUUID } from 'node:crypto'
import type { Connector, StatementOptions } from '../connectors/connector.js'
import { shareRows, type FetchedRows } from './fetched-rows.js'
import { SemanticLayerError, describeName } from '../errors.js'
import type { CompiledModel } from '../model/compiled.js'
import {
  CACHE_MODES,
  type CacheAdapter,
  type CacheErrorHandler,
  type CacheInfo,
  type CacheMode,
  type CacheOptions,
  type InvalidateTarget,
} from './cache-adapter.js'
import { resultKey, scopes, scopesOf } from './cache-key.js'
import { FAILED, guardAdapter, type GuardedAdapter } from './guarded-adapter.js'
import { memoryCache } from './memory-cache.js'
import { refreshKeyValues, type RefreshContext } from './refresh-values.js'
import { refreshRuleOf, type RefreshKeyCube, type RefreshRule } from './refresh-key.js'
import { decodeEntry, encodeEntry, type CacheEntry } from './row-codec.js'
import { cancelled, createFlights } from './single-flight.js'
import { sleepOn, systemClock, type Clock } from '../util/clock.js'

/**
 * What one run of a query's statements gave: the main statement's rows in the form the connector
 * returned them (objects or arrays: stored and served in that form, shaped by the layer), and the row
 * of the `total` statement.
 */
export interface FetchedResult {
  readonly main: FetchedRows
  readonly totalRows?: readonly Record<string, unknown>[]
}

/** Everything the layer hands the cache for one query (see createSemanticLayer's query()). */
export interface CachedRunRequest {
  readonly connector: Connector
  /** The connector's identity (Connector.id, or the layer's own id for it): part of every key. */
  readonly source: string
  /** statementDigest() of the dialect and the rendered statements (main and total): part of the key. Called only when the cache is on. */
  readonly statementDigest: () => string
  readonly exec: StatementOptions
  /** Run the statements on the database (the layer's own execution, with its error wrapping). */
  readonly execute: (exec: StatementOptions) => Promise<FetchedResult>
  readonly modelVersion: string
  /**
   * securityDigest() of the call's security context snapshot (see security-context.ts): part of the key,
   * so results are never shared across contexts. Undefined when the context is not plain data: the
   * query then runs uncached, and `notPlain` (why) is reported as 'key'.
   */
  readonly securityDigest: string | undefined
  readonly notPlain?: unknown
  readonly tenant?: string | undefined
  readonly dialect: string
  /** The cubes the query touches (root of the join tree and every joined cube). */
  readonly cubes: readonly RefreshKeyCube[]
  readonly mode: CacheMode
}

export interface CachedRun extends FetchedResult {
  readonly cache: CacheInfo
}

export interface QueryCache {
  run(request: CachedRunRequest): Promise<CachedRun>
  /** `model`: to resolve view names and refuse unknown ones; undefined with per-tenant models (names are taken as given). */
  invalidate(target: InvalidateTarget | undefined, model: CompiledModel | undefined): Promise<void>
  /** Let background refreshes settle (a few seconds at most), then close the adapter. */
  close(): Promise<void>
}

/** The cache-related options of createSemanticLayer. */
export interface QueryCacheSettings {
  readonly cache?: CacheAdapter | false
  readonly onCacheError?: CacheErrorHandler
  readonly cacheOptions?: CacheOptions
  /** Every time the cache reads or waits on (default: the system clock). */
  readonly clock?: Clock
}

interface Filled extends FetchedResult {
  /** Set when the result came from the cache (written by another instance or flight), not the database. */
  readonly entry?: CacheEntry
}

/** Cube's per-query mode: an explicit `cacheMode` wins; `renewQuery: true` asks for must-revalidate. */
export function resolveCacheMode(cacheMode: unknown, renewQuery: boolean): CacheMode {
  if (cacheMode === undefined) return renewQuery ? 'must-revalidate' : 'stale-if-slow'
  if (typeof cacheMode !== 'string' || !(CACHE_MODES as readonly string[]).includes(cacheMode)) {
    throw new SemanticLayerError('QUERY_INVALID', [
      {
        code: 'INVALID_CACHE_MODE',
        path: ['cacheMode'],
        message: `cacheMode ${describeName(cacheMode)} is not a cache mode; use one of: ${CACHE_MODES.join(', ')}.`,
      },
    ])
  }
  return cacheMode as CacheMode
}

/**
 * The result cache around execution: keys, refresh keys, cache modes, local and cross-instance
 * single-flight. Never fails a query because of the cache: adapter failures are reported and count as
 * misses. With `cache: false` statements run directly.
 */
export function createQueryCache(settings: QueryCacheSettings): QueryCache {
  const staleIfSlowMs = settings.cacheOptions?.staleIfSlowMs ?? 5_000
  const entryTtlMs = settings.cacheOptions?.entryTtlMs ?? 24 * 3_600_000
  const lockMs = settings.cacheOptions?.lockMs ?? 30_000
  const retryAfterMs = settings.cacheOptions?.retryAfterMs ?? 1_000
  for (const [name, v] of [
    ['staleIfSlowMs', staleIfSlowMs],
    ['entryTtlMs', entryTtlMs],
    ['lockMs', lockMs],
    ['retryAfterMs', retryAfterMs],
  ] as const) {
    if (!Number.isFinite(v) || v < 0) {
      throw new SemanticLayerError('CONFIG_INVALID', [
        {
          code: 'INVALID_OPTION',
          path: ['cacheOptions', name],
          message: `cacheOptions.${name} must be a non-negative number of milliseconds.`,
        },
      ])
    }
  }
  const given = settings.cache as Partial<Record<keyof CacheAdapter, unknown>> | false | undefined
  if (
    given !== undefined &&
    given !== false &&
    (typeof given !== 'object' ||
      given === null ||
      !(['get', 'set', 'delete', 'generations', 'bump', 'lock', 'unlock'] as const).every(
        (m) => typeof given[m] === 'function',
      ))
  ) {
    throw new SemanticLayerError('CONFIG_INVALID', [
      {
        code: 'INVALID_CACHE',
        path: ['cache'],
        message:
          "cache must be a cache adapter (memoryCache(), or redisCache({ client }) from 'cortex-semantic/redis') or false.",
      },
    ])
  }
  const clock = settings.clock ?? systemClock
  const store = settings.cache === false ? undefined : (settings.cache ?? memoryCache({ clock }))
  const adapter: GuardedAdapter | undefined =
    store === undefined ? undefined : guardAdapter(store, settings.onCacheError, retryAfterMs, clock)
  // Rows shaped as they arrived are handed out as they are to a single caller only (see FetchedRows).
  const flights = createFlights<Filled>((filled) => shareRows(filled.main))
  const refreshContext: RefreshContext | undefined = adapter
    ? { adapter, flights: createFlights<string | typeof FAILED>() }
    : undefined
  // Parsed refresh rules per compiled cube (a layer's model is fixed; a malformed rule throws each time).
  const rules = new WeakMap<RefreshKeyCube, RefreshRule>()
  const ruleOf = (cube: RefreshKeyCube): RefreshRule => {
    let rule = rules.get(cube)
    if (!rule) rules.set(cube, (rule = refreshRuleOf(cube)))
    return rule
  }

  const execute = async (req: CachedRunRequest, exec: StatementOptions): Promise<Filled> => {
    const { main, totalRows } = await req.execute(exec)
    return totalRows ? { main, totalRows } : { main }
  }

  const read = async (a: GuardedAdapter, key: string): Promise<CacheEntry | undefined | typeof FAILED> => {
    const text = await a.call('get', (x) => x.get(key))
    if (text === FAILED || text === undefined) return text
    try {
      return decodeEntry(text)
    } catch (error) {
      a.report(error, 'decode')
      return undefined
    }
  }

  const write = async (a: GuardedAdapter, key: string, entry: CacheEntry, ttlMs: number): Promise<void> => {
    let text: string
    try {
      text = encodeEntry(entry)
    } catch (error) {
      a.report(error, 'encode')
      return
    }
    await a.call('set', (x) => x.set(key, text, ttlMs))
  }

  /**
   * Run the query once for everyone waiting on `key` (here and, through a lock, on other instances),
   * write the result and return it. `accept` says whether an entry found meanwhile will do.
   */
  const fill = async (
    req: CachedRunRequest,
    key: string,
    plan: {
      write: boolean
      lock: boolean
      refreshKeys: Record<string, string>
      ttlMs: number
      accept: (e: CacheEntry) => boolean
    },
    signal: AbortSignal | undefined,
  ): Promise<Filled> => {
    const exec: StatementOptions = {
      ...(signal === undefined ? {} : { signal }),
      ...(req.exec.timeoutMs === undefined ? {} : { timeoutMs: req.exec.timeoutMs }),
    }
    const lockKey = `l:${key.slice(2)}`
    let token: string | undefined
    if (adapter && plan.lock) {
      const deadline = clock.now() + lockMs
      let delay = 5
      for (;;) {
        let attempt: { raw: CacheAdapter; lock: Promise<string | undefined> } | undefined
        const got = await adapter.call('lock', (x) => (attempt = { raw: x, lock: x.lock(lockKey, lockMs) }).lock)
        if (got === FAILED) {
          // A lock call that timed out may still be taken later (a queued command): give it back then,
          // or every instance would wait on a lock nobody holds. Best effort, straight to the adapter.
          const late = attempt
          late?.lock.then((t) => (t === undefined ? undefined : late.raw.unlock(lockKey, t))).catch(() => undefined)
          break
        }
        if ((token = got) !== undefined) break
        // Someone else is running it: wait for its entry, or for the lock to free up.
        if (clock.now() >= deadline) break
        await sleepOn(clock, delay, signal, cancelled)
        delay = Math.min(delay * 1.5, 100)
        const entry = await read(adapter, key)
        if (entry === FAILED) break
        if (entry && plan.accept(entry))
          return { main: entry.main, ...(entry.totalRows ? { totalRows: entry.totalRows } : {}), entry }
      }
    }
    try {
      if (token !== undefined && adapter) {
        // The lock holder before us may have just written it.
        const entry = await read(adapter, key)
        if (entry && entry !== FAILED && plan.accept(entry))
          return { main: entry.main, ...(entry.totalRows ? { totalRows: entry.totalRows } : {}), entry }
      }
      const result = await execute(req, exec)
      if (adapter && plan.write) {
        const entry = { id: randomUUID(), createdAt: clock.now(), refreshKeys: plan.refreshKeys, ...result }
        await write(adapter, key, entry, plan.ttlMs)
      }
      return result
    } finally {
      if (token !== undefined && adapter) {
        const held = token
        await adapter.call('unlock', (x) => x.unlock(lockKey, held))
      }
    }
  }

  const info = (
    mode: CacheMode,
    refreshKeys: Readonly<Record<string, string>>,
    entry?: CacheEntry,
    stale = false,
  ): CacheInfo => ({
    hit: entry !== undefined,
    stale,
    ageMs: entry ? Math.max(0, clock.now() - entry.createdAt) : 0,
    refreshKeys: entry ? entry.refreshKeys : refreshKeys,
    mode,
  })
  const fromFill = (mode: CacheMode, refreshKeys: Record<string, string>, filled: Filled): CachedRun => ({
    main: filled.main,
    ...(filled.totalRows ? { totalRows: filled.totalRows } : {}),
    cache: info(mode, refreshKeys, filled.entry),
  })
  const fromEntry = (mode: CacheMode, entry: CacheEntry, stale: boolean): CachedRun => ({
    main: entry.main,
    ...(entry.totalRows ? { totalRows: entry.totalRows } : {}),
    cache: info(mode, entry.refreshKeys, entry, stale),
  })
  const background = (promise: Promise<unknown>): void => {
    promise.catch((error: unknown) => adapter?.report(error, 'background-refresh'))
  }

  /**
   * One process-wide flight per identical request (model, security digest, tenant, dialect, SQL and
   * params, mode), joined before any await: concurrent callers share a single cache lookup and at most
   * one database run, whether the adapter answers, is slow or is down.
   */
  const requests = createFlights<CachedRun>((run) => shareRows(run.main))

  return {
    async run(req) {
      const signal = req.exec.signal
      if (signal?.aborted) throw cancelled(signal.reason)
      const uncached = async (): Promise<CachedRun> => ({
        ...(await execute(req, req.exec)),
        cache: { hit: false, stale: false, ageMs: 0, refreshKeys: {}, mode: 'no-cache' },
      })
      if (!adapter || !refreshContext) return uncached()
      const digest = req.securityDigest
      if (digest === undefined) {
        // A context that is not plain data cannot be keyed safely: never share, never fail the query.
        adapter.report(req.notPlain ?? new Error('The security context is not plain data.'), 'key')
        return uncached()
      }
      // A process-local flight key (never stored): the same parts as the result key, without generations.
      const { modelVersion, source, tenant, mode } = req
      const localKey = JSON.stringify([modelVersion, source, digest, tenant ?? null, req.statementDigest(), mode])
      return requests.join(localKey, (shared) => runShared({ ...req, exec: withSignal(req.exec, shared) }, digest), {
        signal,
      })
    },

    async invalidate(target, model) {
      return invalidateImpl(target, model)
    },

    async close() {
      return closeImpl()
    },
  }

  async function runShared(req: CachedRunRequest, digest: string): Promise<CachedRun> {
    const signal = req.exec.signal
    if (!adapter || !refreshContext) throw new Error('unreachable: runShared without a cache')
    const mode = req.mode
    const cubeRules = req.cubes.map(ruleOf)
    const scopeList = scopesOf(
      req.cubes.map((c) => c.name),
      req.tenant,
    )
    const [generations, refreshKeys] = await Promise.all([
      adapter.call('generations', (x) => x.generations(scopeList)),
      refreshKeyValues(refreshContext, { ...req, securityDigest: digest }, cubeRules, clock.now()),
    ])
    const degraded = generations === FAILED || refreshKeys === FAILED
    const key = resultKey({
      modelVersion: req.modelVersion,
      source: req.source,
      securityDigest: digest,
      tenant: req.tenant,
      statements: req.statementDigest(),
      scopes: scopeList,
      generations: degraded ? [] : generations,
    })
    const current = degraded ? {} : refreshKeys
    if (degraded) {
      // No trustworthy key or freshness: run it (once per process), write nothing.
      const filled = await flights.join(
        `degraded:${key}`,
        (s) => fill(req, key, { write: false, lock: false, refreshKeys: current, ttlMs: 0, accept: () => false }, s),
        { signal },
      )
      return fromFill(mode, current, filled)
    }
    const maxEvery = Math.max(0, ...cubeRules.map((r) => (r.kind === 'immutable' ? 0 : r.everyMs)))
    const ttlMs = Math.max(entryTtlMs, 2 * maxEvery)
    // The adapter's own TTL only frees space (Redis and lru-cache expire on their own clocks): an entry
    // older than its TTL on the layer's clock is gone for every mode.
    const alive = (e: CacheEntry): boolean => clock.now() - e.createdAt < ttlMs
    const isFresh = (e: CacheEntry): boolean => alive(e) && sameValues(e.refreshKeys, current)
    const seen = mode === 'no-cache' ? undefined : await read(adapter, key)
    const entry = seen === FAILED || (seen && !alive(seen)) ? undefined : seen
    if (entry && isFresh(entry)) return fromEntry(mode, entry, false)

    // no-cache skips reading, so it does not wait on other instances either (only on this process's run).
    const plan = {
      write: true,
      lock: mode !== 'no-cache' && seen !== FAILED,
      refreshKeys: current,
      ttlMs,
      accept: isFresh,
    }
    const start = (s: AbortSignal | undefined): Promise<Filled> => fill(req, key, plan, s)
    if (entry && mode === 'stale-while-revalidate') {
      background(flights.join(key, start, { background: true }))
      return fromEntry(mode, entry, true)
    }
    if (entry && mode === 'stale-if-slow') {
      const refresh = flights.join(key, start, { signal })
      const settled = await raceTimeout(clock, refresh, staleIfSlowMs)
      if (settled.done) return fromFill(mode, current, settled.value)
      // Too slow: serve the expired entry; the refresh goes on and fills the cache.
      background(flights.join(key, start, { background: true }))
      refresh.catch(() => undefined)
      return fromEntry(mode, entry, true)
    }
    return fromFill(mode, current, await flights.join(key, start, { signal }))
  }

  async function invalidateImpl(target: InvalidateTarget | undefined, model: CompiledModel | undefined): Promise<void> {
    const cubes = target?.cubes
    const tenant = target?.tenant
    if (cubes !== undefined && (!Array.isArray(cubes) || cubes.some((c) => typeof c !== 'string'))) {
      throw new SemanticLayerError('QUERY_INVALID', [
        {
          code: 'INVALID_INVALIDATE',
          path: ['cubes'],
          message: 'invalidate({ cubes }) takes an array of cube or view names.',
        },
      ])
    }
    if (tenant !== undefined && typeof tenant !== 'string') {
      throw new SemanticLayerError('QUERY_INVALID', [
        { code: 'INVALID_INVALIDATE', path: ['tenant'], message: 'invalidate({ tenant }) takes a tenant id string.' },
      ])
    }
    const cubeNames = cubes === undefined ? undefined : resolveCubes(cubes, model)
    const list =
      cubeNames === undefined
        ? [tenant === undefined ? scopes.all : scopes.tenant(tenant)]
        : cubeNames.map((c) => (tenant === undefined ? scopes.cube(c) : scopes.cubeOfTenant(c, tenant)))
    if (!adapter || list.length === 0) return
    try {
      await adapter.strict('bump', (x) => x.bump(list))
    } catch (error) {
      throw new SemanticLayerError(
        'CONNECTOR_FAILED',
        [
          {
            code: 'CACHE_UNAVAILABLE',
            path: [],
            message: `The ${adapter.name} cache could not record the invalidation, so cached results may still be served until their refresh keys change. Retry invalidate() when the cache is back.`,
          },
        ],
        { cause: error },
      )
    }
  }

  async function closeImpl(): Promise<void> {
    if (!adapter) return
    // Real time on purpose: close() must end even under a clock that tests move by hand.
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      Promise.all([requests.drain(), flights.drain(), refreshContext?.flights.drain()]),
      new Promise((r) => (timer = setTimeout(r, 5_000))),
    ])
    clearTimeout(timer)
    await adapter.close()
  }
}

/** Cube names for invalidate(): a view stands for every cube its members come from. Unknown names are refused. */
function resolveCubes(names: readonly string[], model: CompiledModel | undefined): string[] {
  if (!model) return [...new Set(names)]
  const out = new Set<string>()
  const unknown: string[] = []
  for (const name of names) {
    if (Object.hasOwn(model.cubes, name)) out.add(name)
    else if (Object.hasOwn(model.views, name)) {
      const view = model.views[name]!
      out.add(view.root)
      for (const members of [view.dimensions, view.measures, view.segments])
        for (const m of Object.values(members)) for (const c of m.path) out.add(c)
    } else unknown.push(name)
  }
  if (unknown.length > 0) {
    throw new SemanticLayerError(
      'QUERY_INVALID',
      unknown.map((n) => ({
        code: 'UNKNOWN_CUBE',
        path: ['cubes'],
        message: `invalidate(): ${describeName(n)} is not a cube or view of this model.`,
      })),
    )
  }
  return [...out]
}

function sameValues(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(b)
  return keys.length === Object.keys(a).length && keys.every((k) => a[k] === b[k])
}

type Raced<T> = { done: true; value: T } | { done: false }

async function raceTimeout<T>(clock: Clock, promise: Promise<T>, ms: number): Promise<Raced<T>> {
  let cancel: (() => void) | undefined
  try {
    const late = new Promise<Raced<T>>((r) => (cancel = clock.setTimer(() => r({ done: false }), ms)))
    return await Promise.race([promise.then((value) => ({ done: true as const, value })), late])
  } finally {
    cancel?.()
  }
}

/** `exec` with the shared run's signal in place of the caller's (none when the run cannot be aborted). */
function withSignal(exec: StatementOptions, signal: AbortSignal | undefined): StatementOptions {
  const { signal: _caller, ...rest } = exec
  return signal === undefined ? rest : { ...rest, signal }
}
