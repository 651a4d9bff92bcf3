/**
 * Model YAML is parsed by js-yaml with MODEL_SCHEMA (src/model/yaml-text.ts), and `yaml` only reports
 * errors (and reads texts with aliases). Whatever js-yaml accepts must read exactly as `yaml`'s
 * `parseDocument(text).toJS()` (what the loader used before), on hand-picked edge cases and on generated
 * documents; whatever `yaml` refuses must stay a YAML_SYNTAX error with its line and column.
 */
import fc from 'fast-check'
import { load } from 'js-yaml'
import { describe, expect, it } from 'vitest'
import { parseDocument } from 'yaml'
import { isSemanticLayerError, type SemanticLayerError } from '../../src/errors.js'
import type { ErrorIssue } from '../../src/errors.js'
import { parseModel } from '../../src/model/load-model.js'
import { MODEL_SCHEMA, parseYaml, readsWithJsYaml } from '../../src/model/yaml-text.js'

/** What `yaml` makes of the text (undefined when it reports an error). */
function viaYaml(text: string): { value: unknown } | undefined {
  const doc = parseDocument(text, { merge: true })
  if (doc.errors.length) return undefined
  try {
    return { value: doc.toJS({ maxAliasCount: 1000 }) as unknown }
  } catch {
    return undefined
  }
}

/** What js-yaml with the model schema makes of it (undefined when it throws). */
function viaJsYaml(text: string): { value: unknown } | undefined {
  try {
    return { value: load(text, { schema: MODEL_SCHEMA }) }
  } catch {
    return undefined
  }
}

/** js-yaml must refuse the text or read it exactly as yaml; the loader's answer must be yaml's. */
function expectAgreement(text: string): boolean {
  const fast = readsWithJsYaml(text) ? viaJsYaml(text) : undefined
  const slow = viaYaml(text)
  if (fast !== undefined) {
    expect(slow, `yaml refuses a text js-yaml accepted: ${JSON.stringify(text)}`).toBeDefined()
    expect(fast.value ?? null, JSON.stringify(text)).toStrictEqual(slow?.value ?? null) // an empty text: undefined, null
  }
  const issues: ErrorIssue[] = []
  const parsed = parseYaml(text, ['f.yml'], 'f.yml', issues)
  if (slow === undefined) expect(parsed.ok, JSON.stringify(text)).toBe(false)
  else expect(parsed, JSON.stringify(text)).toStrictEqual({ ok: true, value: slow.value ?? {} })
  return fast !== undefined
}

function parseError(content: string, file: string): SemanticLayerError {
  try {
    parseModel([{ file, content }])
  } catch (error) {
    if (isSemanticLayerError(error)) return error
    throw error
  }
  throw new Error('expected parseModel to throw')
}

const CUBE = `# a generated cube
cubes:
  - name: orders   # trailing comment
    sql_table: public.orders
    title: 'Orders: all of them'
    description: It's a "cube" with #hash and {braces}
    joins:
      - name: users
        relationship: many_to_one
        sql: "{CUBE}.user_id = {users.id}"
    dimensions:

      - name: id
        sql: id
        type: number
        primary_key: true
        public: TRUE
        meta:
          ownerTeam: x
          rank: -12
          ratio: 0.50
          hex: 0x1F
          octal: 0o17
          exp: 1e3
          big: 12345678901234567890
          inf: -.inf
          nothing: ~
          empty:
          yes_is_text: yes
          url: http://example.com/a:b
      - name: label
        sql: 'it''s {CUBE}.label'
        type: string
        case:
          when:
          - sql: "{CUBE}.amount > 100 \\"x\\" \\\\ \\/"
            label: large
          else:
            label: small
    measures:
    -   name: count
        type: count
    - name: total
      sql: amount
      type: sum
      drill_members: [id]
`

/** Plain scalars whose type the two schemas could disagree on: YAML 1.1 forms stay strings in 1.2's core. */
const EDGE_SCALARS = [
  'yes',
  'no',
  'on',
  'off',
  'y',
  'n',
  'Yes',
  'true',
  'True',
  'TRUE',
  'tRue',
  'false',
  'False',
  'FALSE',
  'null',
  'Null',
  'NULL',
  'nULL',
  '~',
  '',
  '0x10',
  '0X10',
  '0x1F',
  '0o17',
  '017',
  '0b101',
  '1e3',
  '1E3',
  '1.5e-3',
  '+1',
  '-0',
  '0',
  '00',
  '007',
  '09',
  '.5',
  '1.',
  '+.5',
  '-.5e3',
  '+.inf',
  '-.inf',
  '.inf',
  '.Inf',
  '.INF',
  '.iNf',
  '.nan',
  '.NaN',
  '.NAN',
  '1_000',
  '+0x10',
  '-0x10',
  '0x',
  '0o',
  '0o8',
  '0xg',
  '12345678901234567890',
  '9007199254740993',
  '2024-01-01',
  '2024-01-01T00:00:00Z',
  '2001-12-14 21:59:43.10 -5',
  '1:20',
  '190:20:30',
  '1e',
  'e3',
  '.',
  '+',
  '-1.5',
  '1.0',
  '=',
  '<<',
]

describe('js-yaml with the model schema reads model files as yaml does', () => {
  it.each(EDGE_SCALARS)('the plain scalar %j', (scalar) => {
    const text = `v: ${scalar}\nw:\n  - ${scalar}\n`
    expect(viaJsYaml(text)).toBeDefined()
    expectAgreement(text)
  })

  it('sends texts with an empty sequence entry to yaml (js-yaml 4 reads the entries after it wrongly)', () => {
    for (const text of ['- -\n- a\n', 'a:\n  - -\n  - b\n', '- a:\n  -\n- b\n']) {
      expect(JSON.stringify(viaJsYaml(text)?.value)).not.toBe(JSON.stringify(viaYaml(text)?.value)) // the premise
      expectAgreement(text)
    }
  })

  it('a whole cube file with comments, quotes, flow lists, block scalars and nulls', () => {
    const text = `${CUBE}    segments:\n      - name: big\n        sql: >-\n          {CUBE}.amount\n          > 100\n`
    expect(expectAgreement(text)).toBe(true)
    expect(parseModel([{ file: 'o.yml', content: text }]).cubes[0]?.name).toBe('orders')
  })

  it('leaves texts with anchors and aliases (and merge keys) to yaml, which bounds their expansion', () => {
    const text = 'base: &b\n  x: 1\nc:\n  <<: *b\n  y: 2\n'
    const issues: ErrorIssue[] = []
    expect(parseYaml(text, ['f'], 'f', issues)).toStrictEqual({
      ok: true,
      value: { base: { x: 1 }, c: { x: 1, y: 2 } },
    })
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]']
    for (let i = 1; i < 9; i++)
      bomb.push(
        `${'abcdefghi'[i]}: &${'abcdefghi'[i]} [${Array(9)
          .fill(`*${'abcdefghi'[i - 1]}`)
          .join(', ')}]`,
      )
    expect(parseYaml(`${bomb.join('\n')}\n`, ['f'], 'f', issues).ok).toBe(false)
    expect(issues.at(-1)?.message).toContain('too many or invalid YAML aliases')
  })

  it('agrees on generated documents', () => {
    let accepted = 0
    fc.assert(
      fc.property(documentArb, fc.boolean(), fc.nat(), (text, perturb, where) => {
        const doc = perturb ? perturbed(text, where) : text
        if (expectAgreement(doc)) accepted++
      }),
      { numRuns: 4000 },
    )
    expect(accepted).toBeGreaterThan(400)
  })
})

describe('errors still come from yaml with their positions', () => {
  it('duplicate keys are YAML_SYNTAX with line and column', () => {
    const error = parseError('cubes:\n  - name: a\n    sql_table: t\n    sql_table: u\n', 'dup.yml')
    expect(error.issues.map((i) => [i.code, i.path])).toEqual([['YAML_SYNTAX', ['dup.yml']]])
    expect(error.issues[0]?.message).toContain('at line 4, column 5: Map keys must be unique')
  })

  it('a bad indent is YAML_SYNTAX at its line', () => {
    const error = parseError('cubes:\n  - name: a\n    sql_table: t\n   title: x\n', 'indent.yml')
    expect(error.issues[0]?.code).toBe('YAML_SYNTAX')
    expect(error.issues[0]?.message).toContain('line 4, column 4')
  })

  it('an unclosed quote is YAML_SYNTAX and does not echo the text', () => {
    const error = parseError('cubes:\n  - name: "SECRET_TEXT\n', 'quote.yml')
    expect(error.issues.every((i) => i.code === 'YAML_SYNTAX')).toBe(true)
    expect(error.message).not.toContain('SECRET_TEXT')
  })
})

// ---------------------------------------------------------------------------------------------------
// Generated documents: random trees rendered with random (valid) formatting, sometimes perturbed.

type Node =
  | { kind: 'scalar'; text: string }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'map'; entries: [string, Node][] }

const SCALARS = [
  'x',
  'orders',
  '{CUBE}.id',
  '{CUBE}.a = {users.id}',
  'a b  c',
  '12',
  '-3',
  '+4',
  '0',
  '-0',
  '007',
  '1.50',
  '.5',
  '1e3',
  '-1.5E-3',
  '0x1f',
  '0o17',
  '0b1',
  '1_000',
  '.inf',
  '-.Inf',
  '.NaN',
  '~',
  'null',
  'Null',
  'NULL',
  'true',
  'False',
  'TRUE',
  'yes',
  'no',
  'on',
  '2024-01-01',
  '12:30',
  'a:b',
  'a: b',
  'a:',
  'x #c',
  'x#c',
  '#c',
  '- x',
  '-x',
  '-',
  '---',
  '...',
  '?x',
  ':x',
  ',x',
  '@x',
  '`x',
  '%x',
  '!x',
  '&x',
  '*x',
  '|',
  '>',
  '[1]',
  '{a: 1}',
  '"dq"',
  '"a \\" b"',
  '"\\\\"',
  '"\\n\\t\\/"',
  '"\\x41"',
  '"# not a comment"',
  "'sq'",
  "'it''s'",
  "''",
  '""',
  "'a' b",
  '"a" # c',
  'é ü 中',
  'a\tb',
  'trailing   ',
]
const SIMPLE_SCALARS = ['x', 'orders', '{CUBE}.id', 'count_distinct', '12', 'true', '"{CUBE}.a = {b.id}"', "'q'", 'a b']
const SIMPLE_KEYS = ['name', 'sql', 'type', 'title', 'meta', 'dimensions', 'measures']
/** Short strings over the characters that matter to plain and quoted scalars. */
const scalarTextArb = fc.string({
  unit: fc.constantFrom(...'ab:# -{}\'"\\.0123456789eExo+~_'),
  minLength: 1,
  maxLength: 8,
})
const KEYS = [
  'name',
  'sql',
  'sql_table',
  'type',
  'meta',
  'primaryKey',
  'a-b',
  '_x',
  'y',
  'n',
  'true',
  'null',
  '__proto__',
  '<<',
  '"q"',
  'a b',
  '1',
]

const nodeArb: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .oneof(fc.constantFrom(...SIMPLE_SCALARS), fc.constantFrom(...SCALARS), scalarTextArb)
      .map((text): Node => ({ kind: 'scalar', text })),
    fc.array(tie('node'), { minLength: 1, maxLength: 4 }).map((items): Node => ({ kind: 'seq', items })),
    fc
      .array(
        fc.tuple(
          fc.oneof(
            { arbitrary: fc.constantFrom(...SIMPLE_KEYS), weight: 4 },
            { arbitrary: fc.constantFrom(...KEYS), weight: 1 },
          ),
          tie('node'),
        ),
        { minLength: 1, maxLength: 4 },
      )
      .map((entries): Node => ({ kind: 'map', entries })),
  ),
})).node

interface Style {
  step: number
  compact: boolean
  sameIndentSeq: boolean
  comments: boolean
  blank: boolean
}

const styleArb = fc.record({
  step: fc.integer({ min: 1, max: 4 }),
  compact: fc.boolean(),
  sameIndentSeq: fc.boolean(),
  comments: fc.boolean(),
  blank: fc.boolean(),
})

const documentArb = fc
  .tuple(
    nodeArb.filter((n) => n.kind !== 'scalar'),
    styleArb,
  )
  .map(([node, style]) => render(node, 0, style).join('\n') + '\n')

function pad(n: number): string {
  return ' '.repeat(n)
}

/** Lines of `node` at `indent`. */
function render(node: Node, indent: number, style: Style): string[] {
  const extra = (style.comments ? [`${pad(indent)}# note`] : []).concat(style.blank ? [''] : [])
  if (node.kind === 'scalar') return [`${pad(indent)}${node.text}`]
  if (node.kind === 'map')
    return node.entries.flatMap(([key, value], i) => [
      ...(i === 1 ? extra : []),
      ...entry(`${pad(indent)}${key}:`, value, indent, style),
    ])
  return node.items.flatMap((item) => entry(`${pad(indent)}-`, item, indent, style))
}

/** `head` (`key:` or `-`) followed by its value, inline, compact or nested. */
function entry(head: string, value: Node, indent: number, style: Style): string[] {
  if (value.kind === 'scalar') return [`${head} ${value.text}`]
  if (head.endsWith('-') && style.compact) {
    const [first = '', ...rest] = render(value, indent + 2, style)
    return [`${head} ${first.trimStart()}`, ...rest]
  }
  const childIndent = value.kind === 'seq' && style.sameIndentSeq && head.endsWith(':') ? indent : indent + style.step
  return [head, ...render(value, childIndent, style)]
}

/** Break the document a little: re-indent, duplicate or drop one line, or insert a stray character. */
function perturbed(text: string, where: number): string {
  const lines = text.split('\n')
  const at = where % Math.max(1, lines.length - 1)
  const line = lines[at] ?? ''
  const edits = [
    () => lines.splice(at, 1, ` ${line}`),
    () => lines.splice(at, 1, line.slice(1)),
    () => lines.splice(at, 0, line),
    () => lines.splice(at, 1),
    () => lines.splice(at, 1, `${line} x`),
    () => lines.splice(at, 1, `${line}:`),
    () => lines.splice(at, 0, `${pad(line.length - line.trimStart().length + 2)}more`),
  ]
  edits[Math.floor(where / 7) % edits.length]?.()
  return lines.join('\n')
}
