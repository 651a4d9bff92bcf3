import { types } from 'node:util'
import { SemanticLayerError } from '../errors.js'
import { securityDigest } from '../cache/cache-key.js'
import type { SecurityContext } from './authorize-query.js'

/** Deeper than this is not a security context anyone writes; it is treated as not plain data. */
const MAX_DEPTH = 32

/**
 * The security context of one call, as every part of the call sees it.
 *
 * A context that is plain data (what a JWT payload is: objects with Object.prototype or no prototype,
 * arrays, strings, numbers, booleans, bigints, null; own enumerable string-keyed data properties only)
 * is copied once, at the start of the call, into a deep-frozen snapshot. Policies, tenancy,
 * `contextToTenant` / `contextToGroups` / `contextToUser`, the hooks and audit read that snapshot, and its
 * digest keys the caches: they all see exactly the same data, and nothing the host changes later (in its
 * own object, or a getter answering differently on a second read) can make them disagree.
 *
 * Anything else (a class instance, a Map, a Date, a getter, a non-enumerable or symbol-keyed property, a
 * cycle, a function) has no faithful digest: the call runs with the caller's own object and is never
 * cached or shared (no digest), so no entry can be served to a context it was not computed for.
 */
export interface CallContext {
  readonly context: SecurityContext | undefined
  /** securityDigest() of the snapshot, computed on first use; undefined when the context is not plain data. */
  digest(): string | undefined
  /** Why the context is not plain data (reported through onCacheError as 'key'), else undefined. */
  readonly notPlain: SemanticLayerError | undefined
}

export function callContext(ctx: SecurityContext | undefined): CallContext {
  if (ctx === undefined || ctx === null) {
    return { context: undefined, digest: memo(() => securityDigest(null)), notPlain: undefined }
  }
  let snapshot: SecurityContext
  try {
    snapshot = snapshotValue(ctx, [], 0) as SecurityContext
  } catch (caught) {
    // A Proxy's trap may throw anything: that context is not plain data either.
    const error = caught instanceof NotPlain ? caught : new NotPlain([], 'could not be read as plain data')
    const notPlain = new SemanticLayerError('QUERY_INVALID', [{
      code: 'NOT_PLAIN_DATA',
      path: ['securityContext', ...error.path],
      message: `This value ${error.what}; a security context must be plain data (objects, arrays, strings, numbers, ` +
        'booleans, null) to be cached. The call runs uncached.',
    }])
    return { context: ctx, digest: () => undefined, notPlain }
  }
  return { context: snapshot, digest: memo(() => securityDigest(snapshot)), notPlain: undefined }
}

function memo(compute: () => string): () => string {
  let value: string | undefined
  return () => (value ??= compute())
}

class NotPlain {
  constructor(readonly path: readonly (string | number)[], readonly what: string) {}
}

function snapshotValue(v: unknown, path: (string | number)[], depth: number): unknown {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return v
    case 'object':
      if (v === null) return null
      if (depth >= MAX_DEPTH) {
        throw new NotPlain(path, `is nested more than ${MAX_DEPTH} levels deep (or refers back to itself)`)
      }
      if (types.isProxy(v)) throw new NotPlain(path, 'is a Proxy')
      return Array.isArray(v) ? snapshotArray(v, path, depth) : snapshotObject(v, path, depth)
    default:
      throw new NotPlain(path, `is a ${typeof v}`)
  }
}

function snapshotArray(v: readonly unknown[], path: (string | number)[], depth: number): readonly unknown[] {
  if (Object.getPrototypeOf(v) !== Array.prototype) throw new NotPlain(path, 'is not a plain array')
  const keys = Reflect.ownKeys(v)
  // Every own key but `length` must be an index holding a value: no extra, symbol or accessor properties.
  if (keys.length !== v.length + 1) throw new NotPlain(path, 'is an array with holes or extra properties')
  const out: unknown[] = new Array(v.length)
  for (let i = 0; i < v.length; i++) {
    const d = Object.getOwnPropertyDescriptor(v, i)
    if (!d || !('value' in d)) throw new NotPlain([...path, i], 'is a getter')
    out[i] = snapshotValue(d.value, [...path, i], depth + 1)
  }
  return Object.freeze(out)
}

function snapshotObject(v: object, path: (string | number)[], depth: number): object {
  const proto = Object.getPrototypeOf(v) as unknown
  if (proto !== Object.prototype && proto !== null) {
    throw new NotPlain(path, 'is not a plain object (a class instance, Map, Date...)')
  }
  const out: Record<string, unknown> = {}
  for (const key of Reflect.ownKeys(v)) {
    if (typeof key === 'symbol') throw new NotPlain(path, 'has a symbol-keyed property')
    const d = Object.getOwnPropertyDescriptor(v, key)!
    if (!d.enumerable) throw new NotPlain([...path, key], 'is a non-enumerable property')
    if (!('value' in d)) throw new NotPlain([...path, key], 'is a getter')
    // Keys whose value is undefined are left out, as the digest (and JSON) leaves them out.
    if (d.value === undefined) continue
    const value = snapshotValue(d.value, [...path, key], depth + 1)
    // An own "__proto__" key stays a key (an assignment would set the prototype instead).
    if (key === '__proto__') {
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
    } else out[key] = value
  }
  return Object.freeze(out)
}
