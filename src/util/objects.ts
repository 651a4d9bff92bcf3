/** A record without a prototype: keys from models or requests can never reach Object.prototype. */
export function nullRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>
}

/** `Object.hasOwn` for records that may have no prototype. */
export function hasKey(record: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, key)
}

/** Freeze plain data recursively (arrays and objects); returns the same value. */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value
  Object.freeze(value)
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key])
  return value
}
