import { isSemanticLayerError } from '../index.js'

export interface Writer {
  write(chunk: string): unknown
}

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

const MODEL_FILE = /\.(ya?ml|json)$/i

/** `['filters', 0, 'member']` → `filters[0].member`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = ''
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p
  return out
}

/**
 * One issue per line, naming the file first when the path starts with one:
 * `customers.yml: cubes.customers.measures.count.sql: Reference … [UNKNOWN_REFERENCE]`.
 */
export function formatIssue(issue: {
  readonly code: string
  readonly path: readonly (string | number)[]
  readonly message: string
}): string {
  const [head, ...rest] = issue.path
  const file = typeof head === 'string' && (MODEL_FILE.test(head) || head.includes('/')) ? head : undefined
  const where = formatPath(file === undefined ? issue.path : rest)
  const prefix = [file, where].filter((p) => p !== undefined && p !== '').join(': ')
  return `${prefix ? `${prefix}: ` : ''}${issue.message} [${issue.code}]`
}

const MAX_ISSUES = 50

/** Print an error without a stack: issues one per line, then a summary (and a driver's message for local debugging). */
export function printError(error: unknown, stderr: Writer): void {
  if (isSemanticLayerError(error)) {
    const code = String(error.code)
    const issues = error.issues
    for (const issue of issues.slice(0, MAX_ISSUES)) stderr.write(`${formatIssue(issue)}\n`)
    if (issues.length > MAX_ISSUES) stderr.write(`… and ${issues.length - MAX_ISSUES} more\n`)
    const where = code.startsWith('MODEL') ? ' in the model' : code === 'QUERY_INVALID' ? ' in the query' : ''
    stderr.write(
      issues.length
        ? `error: ${code} (${issues.length} problem${issues.length === 1 ? '' : 's'}${where})\n`
        : `error: ${error.message}\n`,
    )
    const cause = error.cause
    if (cause instanceof Error && cause.message && !issues.some((i) => i.message.includes(cause.message)))
      stderr.write(`cause: ${cause.message}\n`)
    return
  }
  stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`)
}

/** Rows as an aligned text table; numbers right-aligned. */
export function formatTable(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  if (columns.length === 0) return ''
  const cell = (v: unknown): string =>
    v === null || v === undefined ? 'null' : typeof v === 'object' ? JSON.stringify(v) : String(v)
  const cells = rows.map((row) => columns.map((c) => cell(row[c])))
  const numeric = columns.map((c) => rows.length > 0 && rows.every((r) => r[c] === null || typeof r[c] === 'number'))
  const width = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)))
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(width[i]!) : v.padEnd(width[i]!)))
      .join(' | ')
      .trimEnd()
  return [line(columns), width.map((w) => '-'.repeat(w)).join('-+-'), ...cells.map(line)].join('\n')
}

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db` (never print a password). */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@')
}
