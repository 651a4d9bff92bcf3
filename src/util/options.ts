/**
 * Options objects from callers that may not use TypeScript: read once, each known key in a try (a
 * getter may throw), unknown keys refused with a did-you-mean, values of the wrong kind refused: never a
 * raw TypeError for `null`, a number or an array where an object belongs.
 */
import { SemanticLayerError, describeName, isSemanticLayerError, type ErrorCode, type ErrorIssue } from '../errors.js'
import { didYouMean } from './suggest.js'

/** Every key any member of the union `T` has. */
type KeysOf<T> = T extends unknown ? keyof T : never

/**
 * How an option's value is checked here; `any` leaves it to the code that uses it.
 * - `required`: must be given (checked further where it is used);
 * - `function`, `object` (a mapping, not a list), `boolean`;
 * - `count`: a positive safe integer; `timeoutMs`: a positive number of milliseconds a timer can hold;
 * - `signal`: an AbortSignal; a list of strings: one of them.
 */
export type OptionKind =
  | 'any'
  | 'required'
  | 'function'
  | 'object'
  | 'boolean'
  | 'count'
  | 'timeoutMs'
  | 'signal'
  | readonly string[]
  | IntegerRange

/** An integer from `min` to `max` (or `false`, with `orFalse`): sizes of caches that allocate up front. */
export interface IntegerRange {
  readonly min: number
  readonly max: number
  readonly orFalse?: boolean
}

/**
 * Most entries an in-memory LRU may be asked to hold: lru-cache allocates its index arrays for `max`
 * entries up front, so 2^53 would exhaust memory (and beyond 2^32 it fills a plain array).
 */
export const MAX_LRU_ENTRIES = 1_000_000

/**
 * One entry per option of `T`, so that adding an option to the type without listing it here is a type
 * error (and the option can never be refused at run time as unknown).
 */
export type OptionSpecs<T> = { readonly [K in KeysOf<T> & string]: OptionKind }

export interface ReadOptions {
  /** What the object is, for messages: `createSemanticLayer options`, `query options`. */
  readonly what: string
  /** Path prefix of every issue (e.g. `['cacheOptions']`). */
  readonly path?: readonly (string | number)[]
  /** Top-level code of the error. Default CONFIG_INVALID. */
  readonly code?: ErrorCode
}

/** setTimeout holds at most 2^31 - 1 ms; a larger delay fires at once (Node warns and uses 1 ms). */
export const MAX_TIMER_MS = 2_147_483_647

/**
 * A snapshot of an options object: its known keys, each read once (a getter runs once), checked against
 * `specs`. `undefined` reads as `{}`. Throws one error (code `CONFIG_INVALID` unless `code` says otherwise)
 * listing every problem: not an object, unknown keys (with the closest known name), getters that throw,
 * values of the wrong kind.
 */
export function readOptions<T>(value: unknown, specs: OptionSpecs<T>, options: ReadOptions): Partial<T> {
  const at = options.path ?? []
  const fail = (issues: ErrorIssue[], cause?: unknown): never => {
    throw new SemanticLayerError(options.code ?? 'CONFIG_INVALID', issues, cause === undefined ? undefined : { cause })
  }
  const out: Record<string, unknown> = {}
  const known = Object.keys(specs)
  if (value === undefined) {
    const missing = known.filter((k) => (specs as Record<string, OptionKind>)[k] === 'required')
    if (missing.length > 0) fail(missing.map((k) => requiredIssue(k, at, options.what)))
    return out as Partial<T>
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const message = `${options.what} must be an object, not ${kindOf(value)}.`
    return fail([{ code: 'INVALID_OPTION', path: at, message }])
  }
  let keys: string[]
  try {
    keys = Object.keys(value)
  } catch (error) {
    const message = `The keys of ${options.what} could not be read. Pass a plain object.`
    return fail([{ code: 'UNREADABLE_OPTION', path: at, message }], error)
  }
  const issues: ErrorIssue[] = []
  for (const key of keys) {
    if (Object.hasOwn(specs, key)) continue
    const hint = didYouMean(key, known)
    const accepted = `Accepted options: ${known.join(', ')}.`
    const message = `Unknown option ${describeName(key)} in ${options.what}.${hint} ${accepted}`
    issues.push({ code: 'UNKNOWN_OPTION', path: [...at, key], message })
  }
  let cause: unknown
  for (const key of known) {
    let v: unknown
    try {
      v = (value as Record<string, unknown>)[key]
    } catch (error) {
      cause ??= error
      const message = `Reading ${options.what}.${key} threw. Pass plain data.`
      issues.push({ code: 'UNREADABLE_OPTION', path: [...at, key], message })
      continue
    }
    const kind = (specs as Record<string, OptionKind>)[key]!
    if (v === undefined) {
      if (kind === 'required') issues.push(requiredIssue(key, at, options.what))
      continue
    }
    let problem: string | undefined
    try {
      problem = kindProblem(v, kind)
    } catch (error) {
      cause ??= error
      problem = 'plain data whose properties can be read'
    }
    if (problem === undefined) out[key] = v
    else {
      const actual = sameType(v, kind) ? '' : `, not ${kindOf(v)}`
      const message = `${options.what}.${key} must be ${problem}${actual}.`
      issues.push({ code: 'INVALID_OPTION', path: [...at, key], message })
    }
  }
  if (issues.length > 0) fail(issues, cause)
  return out as Partial<T>
}

function requiredIssue(key: string, at: readonly (string | number)[], what: string): ErrorIssue {
  return { code: 'MISSING_OPTION', path: [...at, key], message: `${what} needs ${key}.` }
}

/** What the value should have been, or undefined when it fits. */
function kindProblem(v: unknown, kind: OptionKind): string | undefined {
  if (isRange(kind)) {
    const inRange = Number.isSafeInteger(v) && (v as number) >= kind.min && (v as number) <= kind.max
    if (inRange || (kind.orFalse === true && v === false)) return undefined
    return `an integer from ${kind.min} to ${kind.max}${kind.orFalse ? ' (or false)' : ''}`
  }
  if (typeof kind !== 'string') {
    if (typeof v === 'string' && kind.includes(v)) return undefined
    return `one of ${kind.map((k) => JSON.stringify(k)).join(', ')}`
  }
  switch (kind) {
    case 'any':
    case 'required':
      return undefined
    case 'function':
      return typeof v === 'function' ? undefined : 'a function'
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? undefined : 'an object'
    case 'boolean':
      return typeof v === 'boolean' ? undefined : 'true or false'
    case 'count':
      return Number.isSafeInteger(v) && (v as number) > 0 ? undefined : 'a positive integer'
    case 'timeoutMs':
      if (typeof v === 'number' && v > 0 && v <= MAX_TIMER_MS) return undefined
      return `a number of milliseconds above 0 and at most ${MAX_TIMER_MS}`
    case 'signal': {
      const s = v as { aborted?: unknown; addEventListener?: unknown; removeEventListener?: unknown } | null
      const ok =
        typeof s === 'object' &&
        s !== null &&
        typeof s.aborted === 'boolean' &&
        typeof s.addEventListener === 'function' &&
        typeof s.removeEventListener === 'function'
      return ok ? undefined : 'an AbortSignal'
    }
  }
}

function isRange(kind: OptionKind): kind is IntegerRange {
  return typeof kind === 'object' && !Array.isArray(kind)
}

/** Is `v` of the expected type, only out of range (then the message says nothing about its type)? */
function sameType(v: unknown, kind: OptionKind): boolean {
  if (isRange(kind)) return typeof v === 'number' && Number.isFinite(v)
  if (typeof kind !== 'string') return typeof v === 'string'
  return (kind === 'count' || kind === 'timeoutMs') && typeof v === 'number' && Number.isFinite(v)
}

/**
 * Run the setup that reads a caller's options: anything other than a SemanticLayerError thrown there (a
 * getter or proxy throwing deep inside an option) becomes CONFIG_INVALID with the error as cause.
 */
export function readingOptions<T>(what: string, setup: () => T): T {
  try {
    return setup()
  } catch (error) {
    if (isSemanticLayerError(error)) throw error
    const message = `Reading ${what} threw. Pass plain data.`
    throw new SemanticLayerError('CONFIG_INVALID', [{ code: 'UNREADABLE_OPTION', path: [], message }], { cause: error })
  }
}

/** `null`, `a number`, `a list`, ... for messages (never the value itself). */
export function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : 'an infinite number'
  return `${/^[aeiou]/.test(typeof value) ? 'an' : 'a'} ${typeof value}`
}

/** A duration option as read by {@link durationOption}: milliseconds, and the name it was given under. */
export type Duration =
  | { readonly ms: unknown; readonly name: string; readonly unit: 'milliseconds' | 'seconds' }
  | { readonly conflict: string }

/**
 * A duration option in milliseconds (`msName`, e.g. `clockToleranceMs`) that earlier versions took in
 * seconds (`secName`, kept as a deprecated alias): its value in milliseconds (a non-number is passed on
 * for the caller to refuse, in the unit it was given in), or a conflict when both names are given.
 * Durations in options are milliseconds everywhere (`…Ms`).
 */
export function durationOption(
  given: Readonly<Record<string, unknown>>,
  msName: string,
  secName: string,
): Duration | undefined {
  const ms = given[msName]
  const sec = given[secName]
  if (ms !== undefined && sec !== undefined) {
    return { conflict: `Pass ${msName} only: ${secName} is its deprecated form, in seconds.` }
  }
  if (ms !== undefined) return { ms, name: msName, unit: 'milliseconds' }
  if (sec === undefined) return undefined
  return { ms: typeof sec === 'number' ? sec * 1000 : sec, name: secName, unit: 'seconds' }
}
