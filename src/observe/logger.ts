/**
 * The `logger` option: anything with pino's shape (`debug/info/warn/error`, an object first, then a
 * message), so pino, bunyan-style wrappers and `console`-backed adapters fit. `DEBUG=cortex` gives a
 * stderr logger at debug level for local work when no logger is passed.
 */

import { SemanticLayerError } from '../errors.js'

const LEVELS = ['debug', 'info', 'warn', 'error'] as const

/** A structured logger, pino-compatible: `logger.info({ event: 'cortex.query', ... }, 'message')`. */
export interface Logger {
  debug(fields: Record<string, unknown>, message?: string): void
  info(fields: Record<string, unknown>, message?: string): void
  warn(fields: Record<string, unknown>, message?: string): void
  error(fields: Record<string, unknown>, message?: string): void
}

/** `DEBUG=cortex` (or `cortex*`, `cortex:*`, in a comma- or space-separated list, as the `debug` package reads it). */
export function debugEnabled(debug: string | undefined): boolean {
  if (!debug) return false
  return debug.split(/[\s,]+/).some((name) => name === '*' || /^cortex(?::?\*)?$/.test(name))
}

/** One JSON line per event on `write` (stderr by default), every level. */
export function lineLogger(write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const at =
    (level: string) =>
    (fields: Record<string, unknown>, message?: string): void =>
      write(`${JSON.stringify({ level, time: new Date().toISOString(), ...fields, msg: message })}\n`)
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

/** The layer's logger: the option, else a stderr logger when `DEBUG` names cortex, else none. */
export function resolveLogger(
  given: Logger | undefined,
  env: Readonly<Record<string, string | undefined>> | undefined,
): Logger | undefined {
  if (given !== undefined) {
    const missing = LEVELS.filter((level) => typeof (given as unknown as Record<string, unknown>)[level] !== 'function')
    if (missing.length > 0) {
      const message = `The logger has no ${missing.join(', ')} method${missing.length === 1 ? '' : 's'}. Pass a pino logger or any object with debug, info, warn and error methods.`
      throw new SemanticLayerError('CONFIG_INVALID', [{ code: 'INVALID_OPTION', path: ['logger'], message }])
    }
    return given
  }
  return debugEnabled(env?.DEBUG) ? lineLogger() : undefined
}
