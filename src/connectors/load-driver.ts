/**
 * Optional drivers and parsers are loaded on first use, each by the module that needs it; a missing one is
 * DRIVER_MISSING with what needs it and the command that installs it (the loader's error stays in `cause`).
 */
import { createRequire } from 'node:module'
import { SemanticLayerError } from '../errors.js'

/** `why` says what needs the package ("The SQLite connector needs better-sqlite3"); `install` how to get it. */
export function driverMissing(why: string, install: string, cause?: unknown): SemanticLayerError {
  const message = `${why}. Install it: ${install}`
  return new SemanticLayerError(
    'DRIVER_MISSING',
    [{ code: 'DRIVER_MISSING', path: [], message }],
    cause === undefined ? undefined : { cause },
  )
}

/** `require(moduleName)`, or {@link driverMissing} when it cannot be loaded. */
export function requireDriver<T>(moduleName: string, why: string, install = `npm install ${moduleName}`): T {
  try {
    return createRequire(import.meta.url)(moduleName) as T
  } catch (error) {
    throw driverMissing(why, install, error)
  }
}
