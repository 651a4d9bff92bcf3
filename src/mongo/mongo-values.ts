/**
 * BSON values → the forms the SQL drivers hand the layer, so that the layer's own number, time and
 * decimals rules (src/result/shape-result.ts) apply to MongoDB results unchanged:
 *
 * - `Decimal128` → its exact value as plain decimal text (`'1234.50'`, never `'1.23450E+3'`), as pg returns
 *   `numeric`; the layer then gives a number, or the text with `decimals: 'string'` or beyond 2^53.
 * - `Long` and `bigint` → a number when it is a safe integer, else its exact decimal text (as pg's `int8`).
 * - `Int32` / `Double` wrappers (`promoteValues: false`) → numbers.
 * - `ObjectId` → its 24-digit hex string; UUID (`Binary` subtype 4) → its dashed hex; other `Binary` → base64.
 * - `Date` → `'YYYY-MM-DDTHH:mm:ss.SSS'` in UTC, the layer's time text (an invalid Date → null). Zone-local
 *   times are formatted by the pipeline itself (`$dateToString` with the query's zone).
 * - `Timestamp` → the time text of its seconds; `MinKey`/`MaxKey` and `undefined` → null; `BSONRegExp` →
 *   `/pattern/flags`; `BSONSymbol` → its string; other BSON types → their `toString()`.
 * - Arrays and embedded documents are copied with every value converted (keys defined as own data
 *   properties, so a stored `__proto__` key stays a key).
 *
 * BSON types are recognised by their `_bsontype` tag, not `instanceof`: the host's driver, the `bson`
 * package and a `{ db }` of its own may each carry another copy or version of the classes.
 */

type Tagged = { readonly _bsontype?: unknown } & Record<string, unknown>

/** One value of a result document, converted (see the module comment). */
export function fromBson(value: unknown): unknown {
  if (value === null || value === undefined) return null
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value
    case 'bigint':
      return exactInteger(value.toString())
    case 'object':
      break
    default:
      return String(value)
  }
  if (value instanceof Date) return timeText(value.getTime())
  if (Array.isArray(value)) return value.map(fromBson)
  const tag = (value as Tagged)._bsontype
  if (typeof tag === 'string') return fromTagged(tag, value as Tagged)
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    Object.defineProperty(out, key, {
      value: fromBson((value as Record<string, unknown>)[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return out
}

function fromTagged(tag: string, v: Tagged): unknown {
  switch (tag) {
    case 'Decimal128':
      return plainDecimal(String(v))
    case 'Long':
      return exactInteger(String(v))
    case 'Int32':
    case 'Double':
      return typeof v.value === 'number' ? v.value : Number(v.valueOf())
    case 'ObjectId':
    case 'ObjectID':
      return typeof v.toHexString === 'function' ? (v.toHexString as () => string).call(v) : String(v)
    case 'Binary':
      return binaryText(v)
    case 'Timestamp':
      return typeof v.getHighBits === 'function' ? timeText((v.getHighBits as () => number).call(v) * 1000) : null
    case 'MinKey':
    case 'MaxKey':
      return null
    case 'BSONRegExp':
      return `/${String(v.pattern)}/${String(v.options ?? '')}`
    case 'BSONSymbol':
    case 'Symbol':
      return String(v.value ?? v)
    default:
      return String(v)
  }
}

function binaryText(v: Tagged): string {
  // bson 5+: `buffer` is a Uint8Array, of which the first `position` bytes are the value.
  const raw = v.buffer
  if (!(raw instanceof Uint8Array)) return String(v)
  const length = typeof v.position === 'number' ? Math.min(v.position, raw.byteLength) : raw.byteLength
  const buffer = Buffer.from(raw.buffer, raw.byteOffset, length)
  if (v.sub_type === 4 && buffer.length === 16) {
    const hex = buffer.toString('hex')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }
  return buffer.toString('base64')
}

/** An integer's decimal text → a number when it is a safe integer, else the text. */
function exactInteger(text: string): number | string {
  const n = Number(text)
  return Number.isSafeInteger(n) ? n : text
}

/** The layer's time text for epoch milliseconds: `YYYY-MM-DDTHH:mm:ss.SSS` (UTC), or null if invalid. */
export function timeText(ms: number): string | null {
  const d = new Date(ms)
  return Number.isNaN(d.getTime()) ? null : d.toISOString().slice(0, 23)
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/

/**
 * Decimal128's text (`'1.23450E+3'`, `'-0'`, `'1E-7'`, `'NaN'`, `'Infinity'`) as plain decimal text with the
 * same digits: `'1234.50'`, `'-0'`, `'0.0000001'`. NaN and the infinities stay as they are (the layer keeps
 * them as text, as it does for PostgreSQL's numeric `'NaN'`).
 */
export function plainDecimal(text: string): string {
  const m = DECIMAL.exec(text)
  if (!m) return text
  const sign = m[1] === '-' ? '-' : ''
  const fraction = m[3] ?? ''
  let digits = m[2]! + fraction
  let point = m[2]!.length + Number(m[4] ?? 0) // position of the decimal point within `digits`
  if (point <= 0) {
    digits = '0'.repeat(1 - point) + digits
    point = 1
  } else if (point > digits.length) digits += '0'.repeat(point - digits.length)
  let whole = digits.slice(0, point).replace(/^0+(?=\d)/, '')
  const rest = digits.slice(point)
  if (whole === '') whole = '0'
  return `${sign}${whole}${rest === '' ? '' : `.${rest}`}`
}
