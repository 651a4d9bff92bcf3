import type { SqlPart, SqlTemplate } from '../../model/compiled.js'

/**
 * The child's side of a join whose whole condition is `<child column> = <parent's key>` (either way round,
 * either side optionally parenthesized), trimmed; undefined for anything else: another operator, a second
 * condition, an expression, a composite key. Read once, at planning, from the parsed template (a scan over
 * its text parts, no regular expressions); the printer only prints the column it returns.
 */
export function foreignKeyColumn(
  on: SqlTemplate,
  child: string,
  parent: string,
  parentKey: readonly SqlTemplate[],
): SqlTemplate | undefined {
  if (parentKey.length !== 1) return undefined
  const sides = splitEquality(on)
  if (!sides) return undefined
  const key = canonical(parentKey[0]!)
  if (key === undefined) return undefined
  for (const [c, p] of [sides, [sides[1], sides[0]]] as const) {
    if (isColumnOf(c, child) && isColumnOf(p, parent) && unwrap(canonical(p) ?? '') === unwrap(key)) return trim(c)
  }
  return undefined
}

/** The two sides of a template whose only operator character is one `=` (not `<=`, `>=`, `!=`, `<=>`). */
function splitEquality(t: SqlTemplate): [SqlTemplate, SqlTemplate] | undefined {
  let at = -1
  for (const [i, part] of t.entries()) {
    if (typeof part !== 'string') continue
    const n = part.split('=').length - 1
    if (n > 1 || (n === 1 && at !== -1)) return undefined
    if (n === 1) at = i
  }
  if (at === -1) return undefined
  const text = t[at] as string
  const k = text.indexOf('=')
  const before = text[k - 1]
  if (before === '<' || before === '>' || before === '!') return undefined
  return [
    [...t.slice(0, at), text.slice(0, k)],
    [text.slice(k + 1), ...t.slice(at + 1)],
  ]
}

/** The template as text with each cube reference as `\0name\0`: equal texts print equally on every dialect. */
function canonical(t: SqlTemplate): string | undefined {
  let text = ''
  for (const part of t) {
    if (typeof part === 'string') text += part
    else if (part.kind === 'cube') text += `\u0000${part.cube}\u0000`
    else return undefined
  }
  return text
}

/** Is the template exactly one column of `cube`: `{cube}.name`, optionally in parentheses? */
function isColumnOf(t: SqlTemplate, cube: string): boolean {
  let text = ''
  for (const part of t) {
    if (typeof part === 'string') text += part
    else if (part.kind === 'cube' && part.cube === cube) text += '\u0000'
    else return false
  }
  text = text.trim()
  if (text.startsWith('(') && text.endsWith(')')) text = text.slice(1, -1).trim()
  return text.startsWith('\u0000.') && isIdentifier(text.slice(2))
}

/** A bare identifier, or one quoted with `"` or backticks (no quote inside). */
function isIdentifier(s: string): boolean {
  const quote = s[0]
  if (quote === '"' || quote === '`') return s.length > 2 && s.endsWith(quote) && !s.slice(1, -1).includes(quote)
  if (s.length === 0) return false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95
    if (!letter && !(i > 0 && c >= 48 && c <= 57)) return false
  }
  return true
}

/** Text without surrounding whitespace and one pair of enclosing parentheses. */
function unwrap(text: string): string {
  const s = text.trim()
  return s.startsWith('(') && s.endsWith(')') ? s.slice(1, -1).trim() : s
}

/** The template without whitespace at its two ends. */
function trim(t: SqlTemplate): SqlTemplate {
  const out: SqlPart[] = [...t]
  if (typeof out[0] === 'string') out[0] = out[0].trimStart()
  const last = out.length - 1
  if (typeof out[last] === 'string') out[last] = (out[last] as string).trimEnd()
  return out.filter((p) => p !== '')
}
