/**
 * Errors are data: every user-facing failure is a {@link SemanticLayerError} with a stable top-level
 * `code`, and one or more `issues`, each with its own `code`, a `path` into the model or the query and a
 * message that says how to fix it. Messages never carry filter values, SQL parameters, row data or
 * secrets; the original error, when there is one, is kept as `cause`.
 */

/** Top-level error codes. Stable: hosts switch on them. */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'MODEL_INVALID'
  | 'MODEL_LOAD_FAILED'
  | 'QUERY_INVALID'
  | 'UNSUPPORTED'
  | 'CONNECTOR_MISSING'
  | 'DRIVER_MISSING'
  | 'CONNECTOR_FAILED'
  | 'QUERY_TIMEOUT'
  | 'UNAUTHENTICATED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'FORBIDDEN_MEMBER'
  | 'QUERY_CANCELLED'
  | 'LAYER_CLOSED'
  | 'INTERNAL'

/** One problem found in a model or a query. */
export interface ErrorIssue {
  /** Stable, specific code, e.g. `UNKNOWN_MEMBER`, `MISSING_PRIMARY_KEY`. */
  readonly code: string
  /** Where: for models `[file?, 'cubes', cubeName, 'measures', memberName, 'sql']`, for queries `['filters', 0, 'member']`. */
  readonly path: readonly (string | number)[]
  /** What is wrong and how to fix it. Never contains request values or secrets. */
  readonly message: string
}

const BRAND = Symbol.for('cortex-semantic.SemanticLayerError')

/**
 * The one error type Cortex throws at its callers.
 *
 * @example
 * try { await layer.query(q) } catch (e) {
 *   if (isSemanticLayerError(e) && e.code === 'QUERY_INVALID') console.log(e.issues)
 * }
 */
export class SemanticLayerError extends Error {
  readonly code: ErrorCode
  readonly issues: readonly ErrorIssue[]

  constructor(code: ErrorCode, issues: readonly ErrorIssue[], options?: { cause?: unknown; message?: string }) {
    super(
      options?.message ?? formatMessage(code, issues),
      options?.cause === undefined ? undefined : { cause: options.cause },
    )
    this.name = 'SemanticLayerError'
    this.code = code
    this.issues = Object.freeze(issues.map((i) => Object.freeze({ ...i, path: Object.freeze([...i.path]) })))
    Object.defineProperty(this, BRAND, { value: true })
  }

  /** A plain, JSON-safe description (no cause, no stack). */
  toJSON(): { name: string; code: ErrorCode; message: string; issues: readonly ErrorIssue[] } {
    return { name: this.name, code: this.code, message: this.message, issues: this.issues }
  }
}

/** Brand check that works across ESM/CJS copies of the package (unlike `instanceof`). */
export function isSemanticLayerError(value: unknown): value is SemanticLayerError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
}

function formatMessage(code: ErrorCode, issues: readonly ErrorIssue[]): string {
  if (issues.length === 0) return code
  const shown = issues.slice(0, 5).map((i) => `${i.path.length ? `${formatPath(i.path)}: ` : ''}${i.message}`)
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : ''
  return `${code}: ${shown.join('; ')}${more}`
}

/** `['cubes', 'orders', 'measures', 'count']` → `cubes.orders.measures.count`; numbers as `[0]`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = ''
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p
  return out
}

/** Shorthand for throwing a single-issue error. */
export function fail(
  code: ErrorCode,
  issueCode: string,
  path: readonly (string | number)[],
  message: string,
  cause?: unknown,
): never {
  throw new SemanticLayerError(code, [{ code: issueCode, path, message }], cause === undefined ? undefined : { cause })
}

/**
 * Quote a name that came from a request for use in an error message: JSON-escaped, control characters
 * removed by escaping, and cut to 80 characters so a hostile name cannot flood logs.
 */
export function describeName(name: unknown): string {
  if (typeof name !== 'string') return `a value of type ${name === null ? 'null' : typeof name}`
  const cut = name.length > 80 ? `${name.slice(0, 80)}…` : name
  return JSON.stringify(cut)
}

/** Wrap anything that is not already a SemanticLayerError as an INTERNAL error (a bug in Cortex). */
export function toInternal(error: unknown, where: string): SemanticLayerError {
  if (isSemanticLayerError(error)) return error
  return new SemanticLayerError(
    'INTERNAL',
    [
      {
        code: 'INTERNAL',
        path: [],
        message: `Unexpected failure in ${where}. This is a bug in cortex-semantic; please report it with the query and model.`,
      },
    ],
    { cause: error },
  )
}
