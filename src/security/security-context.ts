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
 * arrays, strings, numbers, booleans, bigints, null; own enumerable string-keyed properties only)
 * is copied once, at the start of the call, into a deep-frozen snapshot. Policies, tenancy,
 * `contextToTenant` / `contextToGroups` / `contextToUser`, the hooks and audit read that snapshot, and its
 * digest keys the caches: they all see exactly the same data, and nothing the host changes later (in its
 * own object, or a getter that would answer differently on a second read) can make them disagree.
 *
 * Each property is read once (a getter answers once, and that answer is what everyone sees). Anything
 * else (a class instance, a Map, a Date, a non-enumerable or symbol-keyed property, a Proxy, a cycle, a
 * function) has no faithful digest: the call runs with the caller's own object and is never
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
    snapshot = copy(ctx, []) as SecurityContext
  } catch (caught) {
    // A Proxy's trap may throw anything: that context is not plain data either.
    const error = caught instanceof NotPlain ? caught : new NotPlain([], 'could not be read as plain data')
    const notPlain = new SemanticLayerError('QUERY_INVALID', [
      {
        code: 'NOT_PLAIN_DATA',
        path: ['securityContext', ...error.path],
        message:
          `This value ${error.what}; a security context must be plain data (objects, arrays, strings, numbers, ` +
          'booleans, null) to be cached. The call runs uncached.',
      },
    ])
    return { context: ctx, digest: () => undefined, notPlain }
  }
  return { context: snapshot, digest: memo(() => securityDigest(snapshot)), notPlain: undefined }
}

function memo(compute: () => string): () => string {
  let value: string | undefined
  return () => (value ??= compute())
}

class NotPlain {
  constructor(
    readonly path: readonly (string | number)[],
    readonly what: string,
  ) {}
}

/**
 * `at` is the path of the value being copied, kept as a stack (copied only into an error). Each property
 * is read once: a getter's one answer is what every reader of the snapshot (and the digest) sees.
 */
function copy(v: unknown, at: (string | number)[]): unknown {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return v
    case 'object':
      if (v === null) return null
      if (at.length >= MAX_DEPTH) {
        throw new NotPlain([...at], `is nested more than ${MAX_DEPTH} levels deep (or refers back to itself)`)
      }
      if (types.isProxy(v)) throw new NotPlain([...at], 'is a Proxy')
      return Array.isArray(v) ? copyArray(v, at) : copyObject(v, at)
    default:
      throw new NotPlain([...at], `is a ${typeof v}`)
  }
}

function copyArray(v: readonly unknown[], at: (string | number)[]): readonly unknown[] {
  if (Object.getPrototypeOf(v) !== Array.prototype) throw new NotPlain([...at], 'is not a plain array')
  // Every own key but `length` is an index: no holes, no extra or symbol-keyed properties.
  if (Reflect.ownKeys(v).length !== v.length + 1)
    throw new NotPlain([...at], 'is an array with holes or extra properties')
  const out: unknown[] = new Array(v.length)
  for (let i = 0; i < v.length; i++) {
    at.push(i)
    out[i] = copy(v[i], at)
    at.pop()
  }
  return Object.freeze(out)
}

function copyObject(v: object, at: (string | number)[]): object {
  const proto = Object.getPrototypeOf(v) as unknown
  if (proto !== Object.prototype && proto !== null) {
    throw new NotPlain([...at], 'is not a plain object (a class instance, Map, Date...)')
  }
  const keys = Object.keys(v)
  // Own keys that Object.keys leaves out are symbols or not enumerable: the digest could not see them.
  if (Reflect.ownKeys(v).length !== keys.length) {
    throw new NotPlain([...at], 'has a non-enumerable or symbol-keyed property')
  }
  const record = v as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const key of keys) {
    at.push(key)
    const value = copy(record[key], at)
    at.pop()
    // Keys whose value is undefined are left out, as the digest (and JSON) leaves them out.
    if (value === undefined) continue
    // An own "__proto__" key stays a key (an assignment would set the prototype instead).
    if (key === '__proto__') {
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
    } else out[key] = value
  }
  return Object.freeze(out)
}
