import { SemanticLayerError, describeName } from '../errors.js'

/** Issue codes of files() errors (the top-level code is CONNECTOR_FAILED, or CONFIG_INVALID for options). */
export type FileIssueCode =
  | 'FILE_NOT_FOUND'
  | 'FILE_UNREADABLE'
  | 'HTTP_STATUS'
  | 'FETCH_FAILED'
  | 'FILE_TOO_LARGE'
  | 'TOO_MANY_ROWS'
  | 'FILE_EMPTY'
  | 'ENCODING_INVALID'
  | 'HEADER_MISSING'
  | 'HEADER_EMPTY_NAME'
  | 'HEADER_DUPLICATE'
  | 'FIELD_COUNT'
  | 'CSV_MALFORMED'
  | 'JSON_INVALID'
  | 'SHEET_NOT_FOUND'
  | 'SHEET_INVALID'
  | 'VALUE_INVALID'
  | 'FILE_CHANGED'
  | 'COLUMN_UNKNOWN'
  | 'FORMAT_UNKNOWN'
  | 'LOAD_FAILED'

/** Where a problem is: the table, how its source is named, and the line and column when known. */
export interface FileContext {
  readonly table: string
  /** The path as configured, a URL without its query, or a Google Sheet. Never a secret. */
  readonly label: string
  /** How a position is named: `line` (text files, the default) or `row` (spreadsheets). */
  readonly lineWord?: 'line' | 'row'
}

/**
 * A problem with a table's source. The message names the source (and line and column when known) and
 * says how to fix it; it never contains a cell value.
 */
export function fileError(
  code: FileIssueCode,
  at: FileContext,
  message: string,
  options?: { line?: number; column?: string; cause?: unknown },
): SemanticLayerError {
  const where = [
    options?.line === undefined ? '' : `${at.lineWord ?? 'line'} ${options.line}`,
    options?.column === undefined ? '' : `column ${describeName(options.column)}`,
  ]
    .filter(Boolean)
    .join(', ')
  const path = options?.column === undefined ? ['tables', at.table] : ['tables', at.table, 'columns', options.column]
  return new SemanticLayerError(
    'CONNECTOR_FAILED',
    [{ code, path, message: `${at.label}${where ? ` (${where})` : ''}: ${message}` }],
    options?.cause === undefined ? undefined : { cause: options.cause },
  )
}

/** A problem with files() options: CONFIG_INVALID at `path`. */
export function configIssue(
  path: readonly (string | number)[],
  message: string,
): { code: string; path: readonly (string | number)[]; message: string } {
  return { code: 'INVALID_OPTION', path, message }
}

export function configError(
  issues: readonly { code: string; path: readonly (string | number)[]; message: string }[],
): SemanticLayerError {
  return new SemanticLayerError('CONFIG_INVALID', issues)
}
