import * as crypto from 'node:crypto'
import { SemanticLayerError } from '../errors.js'

/**
 * An injective text encoding of plain data: two values get the same text only when they are equal as
 * data. Object keys are sorted recursively; every kind of value has its own prefix, so a string can
 * never be mistaken for a number, a bigint, a date or a nested object. Keys whose value is `undefined`
 * are left out (as in JSON). Anything that is not plain data (Map, class instance, function, symbol)
 * is refused rather than silently flattened, because a lossy encoding could make two security contexts
 * share a digest.
 */
export function canonical(value: unknown, path: readonly (string | number)[] = []): string {
  // The objects being walked (for cycles) and the path of the value being walked, kept as stacks: the
  // path is copied only into an error. An array rather than a Set: nesting is shallow, and this runs on
  // every call that may hit a cache.
  const open: object[] = []
  const at: (string | number)[] = [...path]
  const walk = (v: unknown): string => {
    switch (typeof v) {
      case 'string':
        return JSON.stringify(v)
      case 'number':
        return Object.is(v, -0) ? 'd-0' : `d${String(v)}`
      case 'bigint':
        return `i${v.toString()}`
      case 'boolean':
        return v ? 't' : 'f'
      case 'undefined':
        return 'u'
      case 'object': {
        if (v === null) return 'n'
        if (open.includes(v)) throw notPlain(at, 'contains a cycle')
        if (v instanceof Date) return `D${Number.isNaN(v.getTime()) ? 'NaN' : v.getTime()}`
        if (v instanceof Uint8Array) return `B${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}`
        open.push(v)
        let out: string
        if (Array.isArray(v)) {
          out = '['
          for (let i = 0; i < v.length; i++) {
            at.push(i)
            out += (i === 0 ? '' : ',') + walk(v[i])
            at.pop()
          }
          out += ']'
        } else {
          const proto = Object.getPrototypeOf(v) as unknown
          if (proto !== Object.prototype && proto !== null) throw notPlain(at, 'is not a plain object')
          const record = v as Record<string, unknown>
          out = '{'
          let first = true
          for (const key of Object.keys(record).sort()) {
            if (record[key] === undefined) continue
            at.push(key)
            out += `${first ? '' : ','}${JSON.stringify(key)}:${walk(record[key])}`
            at.pop()
            first = false
          }
          out += '}'
        }
        // A throw above ends the whole walk, so there is nothing to unwind on that path.
        open.pop()
        return out
      }
      default:
        throw notPlain(at, `is a ${typeof v}`)
    }
  }
  return walk(value)
}

function notPlain(at: readonly (string | number)[], what: string): SemanticLayerError {
  return new SemanticLayerError('QUERY_INVALID', [
    {
      code: 'NOT_PLAIN_DATA',
      path: [...at],
      message: `This value ${what}; it must be plain data (objects, arrays, strings, numbers, booleans, null, dates) to be digested for caching and security.`,
    },
  ])
}

// crypto.hash() (Node 20.12+) hashes in one call without a Hash object: about half the cost for the
// short texts of cache keys, which are hashed on every cached query. Older Node 20 uses createHash().
const oneShot = typeof crypto.hash === 'function' ? crypto.hash : undefined

/** SHA-256 of the UTF-8 text, as hex. */
export function sha256(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex')
}

/**
 * SHA-256 of a canonical encoding of a security context (`null` when there is none). Equal contexts
 * give equal digests whatever the key order; different contexts never share one.
 *
 * @example
 * securityDigest({ tenantId: 't1', roles: ['a'] }) === securityDigest({ roles: ['a'], tenantId: 't1' }) // true
 */
export function securityDigest(securityContext: unknown): string {
  return sha256(canonical(securityContext ?? null, ['securityContext']))
}

/** Invalidation scopes. Tenant names are URI-encoded so that no tenant can spell another scope. */
export const scopes = {
  all: 'all',
  cube: (cube: string): string => `c:${cube}`,
  tenant: (tenant: string): string => `t:${encodeURIComponent(tenant)}`,
  cubeOfTenant: (cube: string, tenant: string): string => `ct:${cube}:${encodeURIComponent(tenant)}`,
} as const

/** Every scope a query's entry belongs to: invalidating any of them makes the entry unreachable. */
export function scopesOf(cubes: readonly string[], tenant: string | undefined): string[] {
  const out = [scopes.all, ...cubes.map(scopes.cube)]
  if (tenant !== undefined) out.push(scopes.tenant(tenant), ...cubes.map((c) => scopes.cubeOfTenant(c, tenant)))
  return out
}

/** Everything a cached result depends on. Refresh-key values are not part of it: they are checked against the entry. */
export interface ResultKeyInput {
  readonly modelVersion: string
  /** The connector's identity (Connector.id): which database the rows come from. */
  readonly source: string
  readonly securityDigest: string
  readonly tenant: string | undefined
  /** {@link statementDigest} of the dialect, SQL and parameters of every statement. */
  readonly statements: string
  readonly scopes: readonly string[]
  readonly generations: readonly number[]
}

/** A printed statement, plain data: SQL text and bound parameters, or a MongoDB `{ collection, pipeline }`. */
type RenderedStatement = unknown

/**
 * SHA-256 of a query's statements (main and optional total) for one dialect and of the rows they are
 * shaped into (`output`: each column's member keys and type, and the decimals mode): equal only for the
 * same SQL, parameters and result rows. Two queries can render the same SQL and still name their columns
 * differently (a view member and the cube member it points to), and rows shaped as they arrive are
 * stored and shared already keyed by member, so the shape is part of the key.
 */
export function statementDigest(
  dialect: string,
  main: RenderedStatement,
  total: RenderedStatement | undefined,
  output: unknown,
): string {
  return sha256(canonical({ dialect, main, total: total ?? null, output }))
}

/**
 * `r:<sha256>`: the key of a query result, computed on every cached query. The hashed text is a JSON
 * array in a fixed order: every part is a string, a string array or a number array, so JSON is already
 * injective on them and canonical()'s generic walk (a third of a cache hit's key cost) is not needed.
 * The leading version changes whenever the stored entry's shape or this encoding does (3: rows stored with
 * their form; 4: this array instead of canonical() text; 5: with the connector's identity), so an older
 * entry is never read.
 */
export function resultKey(input: ResultKeyInput): string {
  return `r:${sha256(resultKeyText(input))}`
}

/** The text {@link resultKey} hashes (exported for its test: decoding it gives the input back). */
export function resultKeyText(input: ResultKeyInput): string {
  const { modelVersion, source, securityDigest, tenant, statements, scopes, generations } = input
  return JSON.stringify([5, modelVersion, source, securityDigest, tenant ?? null, statements, scopes, generations])
}

/** `k:<sha256>`: the cached value of one cube's `refresh_key.sql` for one security context and interval. */
export function refreshValueKey(input: {
  modelVersion: string
  source: string
  cube: string
  sql: string
  securityDigest: string
  tenant: string | undefined
  dialect: string
  bucket: number
}): string {
  return `k:${sha256(canonical({ v: 2, ...input, tenant: input.tenant ?? null }))}`
}
