/**
 * What the BigQuery and Snowflake connectors share: loading an optional SDK with an install hint, error
 * messages without values, and the value rules of the layer (exact text for integers and decimals, times as
 * Cube's 'YYYY-MM-DDTHH:mm:ss.SSS' in UTC).
 */
import { requireDriver } from './load-driver.js'
import { isSemanticLayerError, SemanticLayerError } from '../errors.js'

/** Load an optional SDK by name; DRIVER_MISSING with the install command when it is not installed. */
export function loadSdk<T>(engine: string, moduleName: string): T {
  return requireDriver(moduleName, `The ${engine} connector needs ${moduleName}`)
}

/**
 * A service's error message with every bound text value and every quoted part masked: warehouses quote
 * offending values ("Invalid timestamp: '…'", "Numeric value '…' is not recognized"), so quoted text is never
 * shown; names of objects outside quotes are kept. Parameters are masked first (a value with a quote inside
 * would otherwise end the quoted part early). The service's error stays in `cause`.
 */
export function maskedMessage(raw: string, params: readonly unknown[]): string {
  let message = raw.length > 2000 ? `${raw.slice(0, 2000)}…` : raw
  for (const p of params) if (typeof p === 'string' && p.length >= 3) message = message.split(p).join('…')
  return message.replace(/(?<![\p{L}\p{N}])(?:'(?:[^'\\]|\\.|'')*'?|"(?:[^"\\]|\\.|"")*"?)/gu, "'…'")
}

/** CONNECTOR_FAILED with a masked message and the SDK's error as `cause` (coded errors pass through). */
export function warehouseError(
  issue: string,
  what: string,
  error: unknown,
  params: readonly unknown[],
  detail?: string,
): SemanticLayerError {
  if (isSemanticLayerError(error)) return error
  const e = error as { message?: unknown } | null
  const raw = detail ?? (typeof e?.message === 'string' ? e.message : 'unknown error')
  const message = `${what}: ${maskedMessage(raw, params)}`
  return new SemanticLayerError('CONNECTOR_FAILED', [{ code: issue, path: [], message }], {
    cause: error,
  })
}

export function closedError(engine: string): SemanticLayerError {
  const message = `This ${engine} connector was closed; create a new one.`
  return new SemanticLayerError('CONNECTOR_FAILED', [{ code: 'CLOSED', path: [], message }])
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

/** An instant in epoch milliseconds as Cube's text: 'YYYY-MM-DDTHH:mm:ss.SSS' in UTC. */
export function instantText(epochMs: number): string {
  const d = new Date(epochMs)
  if (Number.isNaN(d.getTime())) return String(epochMs)
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`
}

/** A civil date-time text ('YYYY-MM-DD[T ]HH:MM:SS[.ffffff]') cut or padded to milliseconds, with a 'T'. */
export function civilText(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?$/.exec(text)
  if (!m) return text
  return `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(3, '0').slice(0, 3)}`
}
