/** A record without a prototype: keys from models or requests can never reach Object.prototype. */
export function nullRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>
}

/** `Object.hasOwn` for records that may have no prototype. */
export function hasKey(record: object, key: string): boolean {
  return Object.hasOwn(record, key)
}

/** `out[key] = value`, except that a `__proto__` key stays an own property instead of changing the prototype. */
export function assignOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
  else out[key] = value
}

/** Freeze plain data recursively (arrays and objects); returns the same value. */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value
  Object.freeze(value)
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key])
  return value
}

/**
 * A frozen deep copy of JSON-shaped data (arrays, objects with own enumerable keys, primitives), in one
 * pass. For data that came from a request and is handed back to callers: structuredClone() + deepFreeze()
 * did the same for result.query at several times the cost.
 */
export function frozenCopy<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length)
    for (let i = 0; i < value.length; i++) out[i] = frozenCopy(value[i])
    return Object.freeze(out) as T
  }
  const out: Record<string, unknown> = {}
  // An own "__proto__" key (JSON.parse makes those) stays a key, as structuredClone keeps it.
  for (const key of Object.keys(value)) assignOwn(out, key, frozenCopy((value as Record<string, unknown>)[key]))
  return Object.freeze(out) as T
}
