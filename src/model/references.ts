import type { SqlPart, SqlTemplate } from './compiled.js'

/** One `{...}` reference found in model SQL. */
export interface RawReference {
  /** Dotted segments, e.g. ['CUBE'], ['orders', 'count']. */
  readonly segments: readonly string[]
}

export type RawToken = string | RawReference

const REF_BODY = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/

/**
 * Split model SQL into raw text and `{a.b}` references. Braces whose content is not a dotted
 * identifier path (JSON literals, regex quantifiers like `{2,3}`) stay as text.
 */
export function tokenizeSql(sql: string): RawToken[] {
  const out: RawToken[] = []
  let text = ''
  let i = 0
  while (i < sql.length) {
    const open = sql.indexOf('{', i)
    if (open === -1) break
    const close = sql.indexOf('}', open + 1)
    if (close === -1) break
    const body = sql.slice(open + 1, close).trim()
    if (REF_BODY.test(body)) {
      text += sql.slice(i, open)
      if (text) out.push(text)
      text = ''
      out.push({ segments: body.split('.') })
    } else {
      text += sql.slice(i, open + 1)
      i = open + 1
      continue
    }
    i = close + 1
  }
  text += sql.slice(i)
  if (text) out.push(text)
  return out
}

const BARE_COLUMN = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Cube prefixes a member whose whole SQL is one bare identifier with its cube (`status` → `{CUBE}.status`). */
export function isBareColumn(sql: string): boolean {
  return BARE_COLUMN.test(sql.trim())
}

/** Concatenate templates, merging adjacent strings so rendering walks fewer parts. */
export function joinTemplate(parts: readonly (SqlPart | SqlTemplate)[]): SqlTemplate {
  const out: SqlPart[] = []
  const push = (p: SqlPart): void => {
    const last = out[out.length - 1]
    if (typeof p === 'string' && typeof last === 'string') out[out.length - 1] = last + p
    else if (p !== '') out.push(p)
  }
  for (const p of parts) {
    if (Array.isArray(p)) for (const q of p as SqlTemplate) push(q)
    else push(p as SqlPart)
  }
  return out
}

/** Every cube a template touches (aliases and members), for join planning. */
export function templateCubes(template: SqlTemplate, into: Set<string>): Set<string> {
  for (const p of template) if (typeof p !== 'string') into.add(p.cube)
  return into
}

/** Title as Cube derives it from a member name: `total_amount` / `totalAmount` → `Total Amount`. */
export function titleize(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[_\s]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())
    .join(' ')
}

/** Quote a literal from the model (a `case` label) as SQL text. */
export function sqlStringLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`
}
