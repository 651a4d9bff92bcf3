/**
 * Cube's text operators (`contains`, `startsWith`, `endsWith` and their `not` forms) as regular
 * expressions that mean the same on MongoDB (PCRE) and in JavaScript (mingo): every request value is
 * escaped, so a value `.*` matches the two characters `.*` and nothing else. Used with `$options: 'i'`
 * (case-insensitive, as Cube's operators are) in `$match` (`{ field: { $regex } }`, `$not` for the
 * negations, which then keep missing and null fields, as the SQL engines keep NULL) or in `$regexMatch`.
 */

/** Characters with a meaning in PCRE or JavaScript patterns, escaped with a backslash. */
const SPECIAL = /[\\^$.|?*+()[\]{}\-/#]/g

/**
 * `value` as a pattern that matches exactly its own characters. Control characters become `\xHH`
 * (MongoDB refuses a NUL byte inside a pattern; `\x00` matches one).
 */
export function escapeRegex(value: string): string {
  const escaped = value.replace(SPECIAL, '\\$&')
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this escapes.
  return escaped.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

export type TextMatch = 'contains' | 'starts' | 'ends'

/**
 * One pattern matching any of `values` in `mode`. The end is `(?![\s\S])`, not `$`: PCRE's `$` also
 * matches before a final newline, so `endsWith 'a'` would accept `'a\n'`.
 */
export function textPattern(values: readonly string[], mode: TextMatch): string {
  const any = `(?:${values.map(escapeRegex).join('|')})`
  if (mode === 'starts') return `^${any}`
  if (mode === 'ends') return `${any}(?![\\s\\S])`
  return any
}
