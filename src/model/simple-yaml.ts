/**
 * A fast reader for the plain block-style YAML that Cube model files are written in: block mappings
 * and sequences, one-line plain, single- and double-quoted scalars, and comments. For anything else
 * (anchors, aliases, tags, flow collections, block or multi-line scalars, duplicate keys, odd keys or
 * indentation, syntax errors) it returns `undefined` and the caller parses the text with `yaml`, which
 * also reports errors with their positions.
 *
 * Invariant: whenever it returns a value, that value equals `parseDocument(text).toJS()` of the `yaml`
 * package (YAML 1.2 core schema). Plain scalars are resolved with `yaml`'s own core-schema tags, so
 * numbers, booleans and nulls come out exactly as `yaml` makes them. test/model/simple-yaml.test.ts
 * checks the invariant on tricky documents and on generated ones.
 */
import { Schema, isScalar, type ScalarTag } from 'yaml'

/** Thrown (and caught in {@link parseSimpleYaml}) when the text leaves the supported subset. */
class NotSimple {}

/** The core schema's implicit scalar tags, in the order `yaml` tries them. */
const PLAIN_TAGS: readonly ScalarTag[] = new Schema({}).tags.filter(
  (tag): tag is ScalarTag => tag.collection === undefined && tag.default === true && tag.test !== undefined,
)
/**
 * One test for "some implicit tag applies", built from the tags' own patterns (most scalars are strings and
 * fail it fast). Exported for test/security/regex-safety.test.ts, which checks every pattern in src/.
 */
export const ANY_TAGGED = PLAIN_TAGS.every((tag) => tag.test?.flags === '')
  ? new RegExp(PLAIN_TAGS.map((tag) => `(?:${tag.test?.source ?? ''})`).join('|'))
  : /(?:)/
const RESOLVE_OPTIONS = { intAsBigInt: false }
/** Characters that `yaml` may treat differently from plain text: control and line-separator characters, tabs, BOMs, CR. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these control characters are what it looks for
const UNSUPPORTED_CHARS = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/
const KEY = /^([A-Za-z_][A-Za-z0-9_-]*):(?: +|$)/
const MAX_KEY_LENGTH = 1000
/** Characters that may not start a plain scalar (`-` is allowed when a non-space follows). */
const INDICATORS = new Set([
  '[',
  ']',
  '{',
  '}',
  '#',
  '&',
  '*',
  '!',
  '|',
  '>',
  '%',
  '@',
  '`',
  ',',
  '?',
  ':',
  "'",
  '"',
  '-',
])
const DOUBLE_QUOTE_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t' }
const AFTER_QUOTED = /^(?: +(?:#.*)?)?$/

/**
 * Parse `text` when it is in the simple subset; `undefined` otherwise. An empty document (only
 * comments and blank lines) is `{ value: null }`, as with `yaml`.
 */
export function parseSimpleYaml(text: string): { value: unknown } | undefined {
  if (UNSUPPORTED_CHARS.test(text)) return undefined
  try {
    return { value: new Reader(text).document() }
  } catch (error) {
    if (error instanceof NotSimple) return undefined
    throw error
  }
}

function bail(): never {
  throw new NotSimple()
}

function isSeqItem(text: string): boolean {
  return text === '-' || text.startsWith('- ')
}

/** Reads content lines (blank and comment-only lines dropped) by indentation. */
class Reader {
  private readonly indents: number[] = []
  private readonly texts: string[] = []
  private i = 0

  constructor(text: string) {
    for (const line of text.split('\n')) {
      let indent = 0
      while (line.charCodeAt(indent) === 32) indent++
      if (indent === line.length || line.charCodeAt(indent) === 35) continue // blank or `#` comment
      this.indents.push(indent)
      this.texts.push(line.slice(indent))
    }
  }

  document(): unknown {
    if (this.texts.length === 0) return null
    const value = this.node(this.indents[0] ?? 0)
    if (this.i < this.texts.length) bail()
    return value
  }

  private node(indent: number): unknown {
    return isSeqItem(this.texts[this.i] ?? '') ? this.sequence(indent) : this.mapping(indent)
  }

  /** The value of `key:` or `-` with nothing after it: a more indented node, a sequence at a key's own indentation, or null. */
  private nested(indent: number, sameIndentSequence: boolean): unknown {
    const next = this.indents[this.i]
    if (next === undefined || next < indent) return null
    if (next > indent) return this.node(next)
    return sameIndentSequence && isSeqItem(this.texts[this.i] ?? '') ? this.sequence(indent) : null
  }

  private sequence(indent: number): unknown[] {
    const out: unknown[] = []
    while (this.i < this.texts.length) {
      const at = this.indents[this.i] ?? 0
      if (at > indent) bail()
      const text = this.texts[this.i] ?? ''
      if (at < indent || !isSeqItem(text)) break
      out.push(this.item(indent, text))
    }
    return out
  }

  private item(indent: number, text: string): unknown {
    let spaces = 1
    while (text.charCodeAt(spaces) === 32) spaces++
    const body = text.slice(spaces)
    if (body === '' || body.startsWith('#')) {
      this.i++
      return this.nested(indent, false)
    }
    if (isSeqItem(body) || KEY.test(body)) {
      // A compact node (`- name: x`, `- - x`): the rest of the line is read as a line at its column.
      const column = indent + spaces
      this.indents[this.i] = column
      this.texts[this.i] = body
      return this.node(column)
    }
    this.i++
    return scalar(body)
  }

  private mapping(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    while (this.i < this.texts.length) {
      const at = this.indents[this.i] ?? 0
      if (at > indent) bail()
      if (at < indent) break
      const text = this.texts[this.i] ?? ''
      const match = KEY.exec(text)
      if (match === null) return bail()
      const key = mapKey(match[1] ?? '', out)
      const rest = text.slice(match[0].length)
      this.i++
      out[key] = rest === '' || rest.startsWith('#') ? this.nested(indent, true) : scalar(rest)
    }
    return out
  }
}

function mapKey(key: string, map: Record<string, unknown>): string {
  if (
    key === '__proto__' ||
    key.length > MAX_KEY_LENGTH ||
    Object.hasOwn(map, key) ||
    typeof resolvePlain(key) !== 'string'
  )
    bail()
  return key
}

/** A one-line scalar value (after `key: ` or `- `), with an optional trailing comment. */
function scalar(text: string): unknown {
  const first = text.charAt(0)
  if (first === '"') return quoted(text, doubleQuoted(text))
  if (first === "'") return quoted(text, singleQuoted(text))
  if (INDICATORS.has(first) && !(first === '-' && text.length > 1 && text.charAt(1) !== ' ')) bail()
  const comment = text.indexOf(' #')
  const value = withoutTrailingSpaces(comment === -1 ? text : text.slice(0, comment))
  if (value.includes(': ') || value.endsWith(':')) bail()
  return resolvePlain(value)
}

/** Trailing spaces removed in one backward scan (`/ +$/` is quadratic in a long run of spaces). */
function withoutTrailingSpaces(text: string): string {
  let end = text.length
  while (end > 0 && text.charCodeAt(end - 1) === 0x20) end--
  return text.slice(0, end)
}

function resolvePlain(value: string): unknown {
  if (!ANY_TAGGED.test(value)) return value
  const tag = PLAIN_TAGS.find((t) => t.test?.test(value) === true)
  if (tag === undefined) return value
  const resolved = tag.resolve(value, bail, RESOLVE_OPTIONS)
  return isScalar(resolved) ? resolved.value : resolved
}

function quoted(text: string, [value, end]: [string, number]): string {
  if (!AFTER_QUOTED.test(text.slice(end))) bail()
  return value
}

/** The value of a double-quoted scalar that closes on its line, and the index after the closing quote. */
function doubleQuoted(text: string): [string, number] {
  let value = ''
  let from = 1
  for (let j = 1; j < text.length; j++) {
    const c = text.charAt(j)
    if (c === '"') return [value + text.slice(from, j), j + 1]
    if (c !== '\\') continue
    const escaped = DOUBLE_QUOTE_ESCAPES[text.charAt(j + 1)]
    if (escaped === undefined) bail()
    value += text.slice(from, j) + escaped
    from = j + 2
    j++
  }
  return bail()
}

/** The value of a single-quoted scalar that closes on its line (`''` is a quote), and the index after it. */
function singleQuoted(text: string): [string, number] {
  let value = ''
  let from = 1
  for (let j = 1; j < text.length; j++) {
    if (text.charAt(j) !== "'") continue
    if (text.charAt(j + 1) !== "'") return [value + text.slice(from, j), j + 1]
    value += text.slice(from, j + 1)
    from = j + 2
    j++
  }
  return bail()
}
