/**
 * YAML model text to plain data. js-yaml parses (fast, and the values of the YAML 1.2 core schema);
 * `yaml` only re-parses a text js-yaml refused, to report its first error with a line and column, and
 * texts with aliases, whose expansion it bounds (`maxAliasCount`).
 */
import { CORE_SCHEMA, load, type LoadOptions, Type } from 'js-yaml'
import { LineCounter, parseDocument, type YAMLError } from 'yaml'
import type { ErrorIssue } from '../errors.js'

export type Parsed = { ok: true; value: unknown } | { ok: false }

/**
 * The YAML 1.2 core schema as the `yaml` package resolves plain scalars (test/model/yaml-text.test.ts
 * checks both agree): js-yaml's core schema (null, bool), with int and float of the 1.2 core patterns only.
 * js-yaml's own int and float also read YAML 1.1 forms (`0b101`, `1_000`, `+0x10`), which `yaml` keeps as
 * strings, so those two are redefined here.
 */
const INT = new Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (text: string | null) => text !== null && /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/.test(text),
  construct: (text: string) =>
    text.startsWith('0o')
      ? parseInt(text.slice(2), 8)
      : text.startsWith('0x')
        ? parseInt(text.slice(2), 16)
        : parseInt(text, 10),
})
const FLOAT = new Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (text: string | null) =>
    text !== null &&
    (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(text) ||
      /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(text)),
  construct: (text: string) => {
    const inf = /^([-+]?)\.(?:inf|Inf|INF)$/.exec(text)
    if (inf) return inf[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
    return /^\.(?:nan|NaN|NAN)$/.test(text) ? Number.NaN : parseFloat(text)
  },
})
/** js-yaml's core schema with INT and FLOAT in place of its own (a type replaces the one with its tag). */
export const MODEL_SCHEMA = CORE_SCHEMA.extend({ implicit: [INT, FLOAT] })
const LOAD_OPTIONS: LoadOptions = { schema: MODEL_SCHEMA }
/** An alias (`*name`) anywhere a node may start: such texts go to `yaml`, which bounds their expansion. */
const ALIAS = /(?:^|[\s,[{:])\*[^\s,[\]{}]/
/**
 * A sequence entry with nothing after its dash. js-yaml 4 reads the entries after an empty one in a
 * nested sequence (`- -`, or `-` under a key of a sequence item) into the wrong sequence, so such texts
 * go to `yaml` (test/model/yaml-text.test.ts found it on generated documents).
 */
const EMPTY_ENTRY = /(?:^|[ \t])-[ \t]*(?:#.*)?$/m
/** A null mapping key (`null:`, `~:`, `: x`): yaml's toJS names it "", js-yaml "null". */
const NULL_KEY = /(?<![^\s,{?])(?:(?:~|null|Null|NULL)[ \t]*)?:(?=[ \t]|$)/m
/** A merge key (`<<:`): yaml merges (or refuses a scalar), js-yaml's core schema keeps a "<<" key. */
const MERGE_KEY = /(?:^|[\s,{?])<<[ \t]*:/m

/** A `#` right after a quote or a closing bracket: js-yaml takes it as a comment, yaml refuses it. */
const GLUED_COMMENT = /["'\]}]#/
/** A flow collection (`[a]: x`) or `?` as a key: yaml and js-yaml name such keys differently. */
const COMPLEX_KEY = /^[ \t]*(?:-[ \t]+)*(?:\?(?:[ \t]|$)|[[{][^\n]*[\]}][ \t]*:(?:[ \t]|$))/m

/**
 * Whether js-yaml reads `text` (else `yaml` does): not for texts with the constructs above, nor with
 * scalars or flow collections across lines ({@link spansLines}), where the two would disagree or where
 * only `yaml` bounds the work. Cube model files, written in block style, go to js-yaml.
 */
export function readsWithJsYaml(text: string): boolean {
  return (
    !ALIAS.test(text) &&
    !EMPTY_ENTRY.test(text) &&
    !NULL_KEY.test(text) &&
    !MERGE_KEY.test(text) &&
    !COMPLEX_KEY.test(text) &&
    !GLUED_COMMENT.test(text) &&
    !spansLines(text)
  )
}

/**
 * Whether a quoted scalar or a flow collection is left open at the end of its line, or a quoted scalar is
 * followed by something other than a blank, `,`, `]`, `}` or `:` (`"a" b`): js-yaml accepts some such
 * texts that yaml refuses (continuation lines, comments inside flow collections). A quote starts a scalar
 * at a line's start or after a blank or one of `[{,:`. Conservative: quotes and brackets inside plain
 * text count too (such a text goes to yaml, which is only slower).
 */
export function spansLines(text: string): boolean {
  let quote = 0 // the open quote's char code, 0 when none
  let depth = 0
  let previous = NL
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === NL || c === CR) {
      if (quote !== 0 || depth !== 0) return true
      previous = NL
      continue
    }
    if (quote !== 0) {
      let closes = false
      if (quote === DQ) {
        if (c === BACKSLASH) i++
        else closes = c === DQ
      } else if (c === SQ && text.charCodeAt(i + 1) === SQ) i++
      else closes = c === SQ
      if (closes) {
        quote = 0
        const next = text.charCodeAt(i + 1)
        if (!Number.isNaN(next) && !isBlank(next) && next !== COMMA && next !== RBRACKET && next !== RBRACE) {
          if (next !== COLON) return true
        }
      }
    } else if ((c === DQ || c === SQ) && (isBlank(previous) || STARTS_SCALAR.has(previous))) quote = c
    else if (c === LBRACKET || c === LBRACE) depth++
    else if (c === RBRACKET || c === RBRACE) depth--
    else if (c === HASH && isBlank(previous)) {
      while (i + 1 < text.length && text.charCodeAt(i + 1) !== NL) i++ // a comment: skip to the end of the line
    }
    previous = c
  }
  return quote !== 0 || depth !== 0
}

const [NL, CR, DQ, SQ, BACKSLASH, HASH, COMMA, COLON, LBRACKET, RBRACKET, LBRACE, RBRACE] = [...'\n\r"\'\\#,:[]{}'].map(
  (ch) => ch.charCodeAt(0),
) as [number, number, number, number, number, number, number, number, number, number, number, number]
/** After these a quote starts a scalar (besides a blank). */
const STARTS_SCALAR = new Set([LBRACKET, LBRACE, COMMA, COLON])
/** Space, tab, or a line end (what `\s` matches in model text; other blanks are rare and only cost a yaml parse). */
const isBlank = (c: number): boolean => c === 32 || c === 9 || c === NL || c === CR

/** yaml's own messages for these codes are structural (they never quote the source), so they are shown as is. */
const YAML_SAFE_MESSAGES = new Set([
  'BAD_INDENT',
  'TAB_AS_INDENT',
  'DUPLICATE_KEY',
  'MISSING_CHAR',
  'MULTIPLE_DOCS',
  'BLOCK_AS_IMPLICIT_KEY',
  'BLOCK_IN_FLOW',
])
const YAML_PROBLEMS: Record<string, string> = {
  UNEXPECTED_TOKEN: 'an unexpected token (often a missing ": " or a wrongly indented line)',
  MULTILINE_IMPLICIT_KEY: 'this line is indented deeper than the key above it, so it reads as part of that value',
  BAD_DQ_ESCAPE: 'an invalid escape in a double-quoted string',
  BAD_ALIAS: 'an invalid alias',
  TAB_AS_INDENT: 'a tab used for indentation',
  TAG_RESOLVE_FAILED: 'an unknown tag (!tag)',
  BAD_SCALAR_START: 'a plain value starting with a reserved character (quote it)',
}
const INDENTATION =
  'Check the indentation of this line against the lines above it: the keys of one mapping start' +
  ' in the same column, and so do the "- " items of one list.'
/** How to fix each kind of YAML error; most come from one wrongly indented line. */
const YAML_FIXES: Record<string, string> = {
  BAD_INDENT: INDENTATION,
  MISSING_CHAR: INDENTATION,
  UNEXPECTED_TOKEN: INDENTATION,
  BLOCK_AS_IMPLICIT_KEY: INDENTATION,
  MULTILINE_IMPLICIT_KEY: 'Indent it like the key above (or quote a value that really continues on the next line).',
  TAB_AS_INDENT: 'Indent with spaces: YAML does not allow tabs for indentation.',
  DUPLICATE_KEY: 'Remove or rename one of the two keys.',
  BAD_DQ_ESCAPE: 'Write a backslash as \\\\ inside double quotes, or use single quotes.',
  MULTIPLE_DOCS: 'Keep one YAML document per file: remove the --- separator or split the file.',
  BLOCK_IN_FLOW: 'Check the brackets and commas of the [ ] or { } around this line.',
  BAD_SCALAR_START: 'Quote the value.',
}

/**
 * Where to point for a yaml error: the first character that is not blank at or after its position (yaml
 * often reports the end of the line before a wrongly indented one), and for a key that spans two lines,
 * the start of its second line (the line that is indented too far).
 */
function culpritOffset(text: string, code: string, pos: readonly [number, number]): number {
  let at = pos[0]
  if (code === 'MULTILINE_IMPLICIT_KEY') {
    const newline = text.indexOf('\n', at)
    if (newline !== -1 && newline < pos[1]) at = newline + 1
  }
  while (at < text.length && /\s/.test(text[at]!)) at++
  return at < text.length ? at : pos[0]
}

/**
 * The value of a model file's YAML text, or a YAML_SYNTAX issue. js-yaml reads it (with the YAML 1.2 core
 * schema's scalars, see {@link MODEL_SCHEMA}) unless {@link readsWithJsYaml} says otherwise; `yaml` reads
 * what js-yaml refuses, to report the first error with its line and column, and the texts js-yaml is not
 * given.
 */
export function parseYaml(text: string, at: string[], name: string, issues: ErrorIssue[]): Parsed {
  if (readsWithJsYaml(text)) {
    try {
      return { ok: true, value: load(text, LOAD_OPTIONS) ?? {} } // an empty file is an empty model
    } catch {
      // yaml reports the error below, with its position (or reads what only it accepts).
    }
  }
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true })
  if (doc.errors.length) {
    // One wrong line makes yaml report dozens of errors after it: the first one is the one to fix.
    // At the same position, a key spanning two lines points at the line that is indented too deep.
    const earlier = (a: YAMLError, b: YAMLError): boolean =>
      b.pos[0] < a.pos[0] || (b.pos[0] === a.pos[0] && b.code === 'MULTILINE_IMPLICIT_KEY')
    const first = doc.errors.reduce((a, b) => (earlier(a, b) ? b : a))
    const { line, col } = lineCounter.linePos(culpritOffset(text, first.code, first.pos))
    const ownMessage = YAML_SAFE_MESSAGES.has(first.code) && !first.message.includes('\n')
    const known = YAML_PROBLEMS[first.code] ?? `a syntax error (${first.code})`
    const problem = ownMessage ? first.message.slice(0, 200) : known
    const fix = Object.hasOwn(YAML_FIXES, first.code) ? YAML_FIXES[first.code] : 'Fix the YAML syntax there.'
    const more = doc.errors.length - 1
    const rest =
      more === 0
        ? ''
        : ` (yaml reports ${more} more error${more === 1 ? '' : 's'} after this one,` +
          ' which usually go away with it.)'
    const where = `${name} is not valid YAML at line ${line}, column ${col}`
    issues.push({ code: 'YAML_SYNTAX', path: at, message: `${where}: ${problem.replace(/\.$/, '')}. ${fix}${rest}` })
    return { ok: false }
  }
  try {
    return { ok: true, value: (doc.toJS({ maxAliasCount: 1000 }) as unknown) ?? {} } // an empty file is an empty model
  } catch {
    issues.push({
      code: 'YAML_SYNTAX',
      path: at,
      message: `${name} uses too many or invalid YAML aliases (*name). Expand them or use fewer anchors.`,
    })
    return { ok: false }
  }
}
