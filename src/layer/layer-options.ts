/**
 * The options of `createSemanticLayer` and of each call, read and checked once: unknown or misspelt keys
 * are CONFIG_INVALID (QUERY_INVALID for a call) with the closest name, never silently ignored.
 */
import type { CacheOptions, InvalidateTarget } from '../cache/cache-adapter.js'
import type { StatementOptions } from '../connectors/connector.js'
import { fail, SemanticLayerError } from '../errors.js'
import { resolveClock, type Clock } from '../util/clock.js'
import { MAX_LRU_ENTRIES, readOptions, type OptionSpecs } from '../util/options.js'
import type { ExplainOptions, MetaOptions, QueryOptions, SemanticLayerOptions, SqlOptions } from './layer-types.js'

/**
 * Every option of createSemanticLayer and how its value is checked before anything else runs. Values
 * marked `any` are checked where they are used.
 */
const LAYER_OPTIONS: OptionSpecs<SemanticLayerOptions> = {
  model: 'required',
  connectors: 'required',
  contextToTenant: 'function',
  contextToUser: 'function',
  onAudit: 'function',
  maxTenants: { min: 1, max: MAX_LRU_ENTRIES },
  defaultLimit: 'count',
  maxLimit: 'count',
  now: 'function',
  timeoutMs: 'timeoutMs',
  decimals: ['number', 'string'],
  cache: 'any',
  onCacheError: 'function',
  cacheOptions: 'object',
  compiledQueries: 'any',
  clock: 'any',
  maxFilterValueLength: 'any',
  maxFilterValues: 'any',
  contextToGroups: 'function',
  queryRewrite: 'function',
  authorize: 'function',
  hideForbiddenMembers: 'boolean',
}
const CACHE_OPTIONS: OptionSpecs<CacheOptions> = {
  staleIfSlowMs: 'any',
  entryTtlMs: 'any',
  lockMs: 'any',
  retryAfterMs: 'any',
}
/** Options of one call: a misspelt `securityContext` must never run a call without its context. */
const QUERY_OPTIONS: OptionSpecs<QueryOptions> = {
  securityContext: 'object',
  signal: 'signal',
  timeoutMs: 'timeoutMs',
  cacheMode: 'any',
}
const SQL_OPTIONS: OptionSpecs<SqlOptions> = { securityContext: 'object', dialect: 'any' }
const META_OPTIONS: OptionSpecs<MetaOptions> = { securityContext: 'object' }
const EXPLAIN_OPTIONS: OptionSpecs<ExplainOptions> = { securityContext: 'object' }
const INVALIDATE_TARGET: OptionSpecs<InvalidateTarget> = { cubes: 'any', tenant: 'any' }

/** The layer's options, checked, with what every call needs derived once. */
export interface LayerSettings {
  readonly options: SemanticLayerOptions
  readonly limits: { readonly defaultLimit: number; readonly maxLimit: number }
  readonly clock: Clock
  /** The layer's clock in epoch ms; a clock that throws or answers no valid Date is CONFIG_INVALID. */
  readonly clockMs: () => number
  readonly decimals: 'number' | 'string'
}

/** Read and check createSemanticLayer's options (not yet the model and connectors: see the layer). */
export function layerSettings(input: SemanticLayerOptions): LayerSettings {
  const options = readOptions(input, LAYER_OPTIONS, { what: 'createSemanticLayer options' }) as SemanticLayerOptions
  if (options.cacheOptions !== undefined) {
    readOptions(options.cacheOptions, CACHE_OPTIONS, { what: 'cacheOptions', path: ['cacheOptions'] })
  }
  const defaultLimit = options.defaultLimit ?? 10_000
  const maxLimit = options.maxLimit ?? 50_000
  const limitsOk = Number.isSafeInteger(defaultLimit) && Number.isSafeInteger(maxLimit)
  if (!limitsOk || defaultLimit < 1 || maxLimit < defaultLimit) {
    const message = 'defaultLimit and maxLimit must be positive integers with defaultLimit ≤ maxLimit.'
    throw new SemanticLayerError('CONFIG_INVALID', [{ code: 'INVALID_OPTION', path: ['defaultLimit'], message }])
  }
  const clock = resolveClock(options)
  const now = options.now ?? (() => new Date(clock.now()))
  const clockMs = (): number => {
    let t: unknown
    try {
      t = now()
    } catch (error) {
      fail('CONFIG_INVALID', 'INVALID_CLOCK', ['now'], 'The now() option threw; see cause.', error)
    }
    const ms = t instanceof Date ? t.getTime() : Number.NaN
    if (!Number.isFinite(ms)) fail('CONFIG_INVALID', 'INVALID_CLOCK', ['now'], 'now() must return a valid Date.')
    return ms
  }
  return {
    options,
    limits: Object.freeze({ defaultLimit, maxLimit }),
    clock,
    clockMs,
    decimals: options.decimals ?? 'number',
  }
}

/** A call's options, checked (QUERY_INVALID), as `what` names them in messages. */
export function queryOptions(given: unknown, what: 'query options' | 'stream options'): QueryOptions {
  return readOptions(given, QUERY_OPTIONS, { what, code: 'QUERY_INVALID' })
}
export function sqlOptions(given: unknown): SqlOptions {
  return readOptions(given, SQL_OPTIONS, { what: 'sql options', code: 'QUERY_INVALID' })
}
export function metaOptions(given: unknown): MetaOptions {
  return readOptions(given, META_OPTIONS, { what: 'meta options', code: 'QUERY_INVALID' })
}
export function explainOptions(given: unknown): ExplainOptions {
  return readOptions(given, EXPLAIN_OPTIONS, { what: 'explain options', code: 'QUERY_INVALID' })
}
export function invalidateTarget(given: unknown): InvalidateTarget {
  return readOptions(given, INVALIDATE_TARGET, { what: 'invalidate target', code: 'QUERY_INVALID' })
}

/** What a statement of this call runs with: its signal, and its timeout or else the layer's. */
export function statementOptions(call: QueryOptions, layer: SemanticLayerOptions): StatementOptions {
  const timeoutMs = call.timeoutMs ?? layer.timeoutMs
  return {
    ...(call.signal ? { signal: call.signal } : {}),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  }
}
