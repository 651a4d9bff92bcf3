import { isSemanticLayerError } from '../index.js'
import type { ResolvedOptions, SecurityContext } from './options.js'
import { HttpError } from './responses.js'

const AUTH_CODES = new Set(['UNAUTHENTICATED', 'UNAUTHORIZED', 'FORBIDDEN'])

/**
 * The token of a request, read as Cube reads it: `x-cube-authorization`, else `Authorization`;
 * `Bearer x` (any scheme) and a raw `x` both give `x`. Cube's client sends the text "undefined" when it
 * has no token: that counts as missing.
 */
export function tokenOf(request: Request): string | undefined {
  const header = request.headers.get('x-cube-authorization') ?? request.headers.get('authorization')
  if (header === null) return undefined
  const parts = header.trim().split(/\s+/, 2)
  const token = parts.length === 1 ? parts[0] : parts[1]
  if (!token || token === 'undefined' || token === 'null') return undefined
  return token
}

/**
 * The end user's security context. Throwing from `authenticate`, or no context when auth is required,
 * is a 403 with Cube's bodies ("Authorization header isn't set", "Invalid token"). A SemanticLayerError
 * from the hook (e.g. the JWT helper's UNAUTHENTICATED) keeps its message, which never holds the token.
 */
export async function authenticateUser(
  request: Request,
  options: ResolvedOptions,
  report: (error: unknown) => void,
): Promise<SecurityContext | undefined> {
  if (!options.authenticate) return undefined
  const token = tokenOf(request)
  let context: SecurityContext | undefined
  try {
    context = await options.authenticate(request, { token })
  } catch (error) {
    if (isSemanticLayerError(error) && AUTH_CODES.has(String(error.code))) {
      throw new HttpError(403, { error: error.issues[0]?.message ?? 'Invalid token' }, String(error.code))
    }
    // Not an authentication verdict (e.g. the host's user store is down): still refused, and reported.
    report(error)
    throw new HttpError(403, { error: 'Invalid token' }, 'UNAUTHENTICATED')
  }
  if (context === undefined || context === null) {
    if (!options.requireAuth) return undefined
    throw new HttpError(
      403,
      { error: token === undefined ? "Authorization header isn't set" : 'Invalid token' },
      'UNAUTHENTICATED',
    )
  }
  if (typeof context !== 'object' || Array.isArray(context)) {
    throw new TypeError('authenticate() must return a security context object or undefined.')
  }
  return context
}

/** Admin requests pass only `authenticateAdmin`; the end-user hook is never asked. */
export async function authenticateAdmin(
  request: Request,
  options: ResolvedOptions,
  report: (error: unknown) => void,
): Promise<void> {
  if (!options.authenticateAdmin) {
    throw new HttpError(
      403,
      { error: 'The admin API is disabled. Pass authenticateAdmin to the handler to enable it.' },
      'ADMIN_DISABLED',
    )
  }
  let admitted = false
  try {
    admitted = (await options.authenticateAdmin(request, { token: tokenOf(request) })) === true
  } catch (error) {
    if (!isSemanticLayerError(error)) report(error)
  }
  if (!admitted) throw new HttpError(403, { error: 'Forbidden' }, 'UNAUTHORIZED')
}
