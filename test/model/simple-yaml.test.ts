import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseDocument } from 'yaml'
import { isSemanticLayerError, type SemanticLayerError } from '../../src/errors.js'
import { parseModel } from '../../src/model/load-model.js'
import { parseSimpleYaml } from '../../src/model/simple-yaml.js'

/** What the `yaml` fallback makes of the text (undefined when it reports an error). */
function viaYaml(text: string): { value: unknown } | undefined {
  const doc = parseDocument(text, { merge: true })
  return doc.errors.length ? undefined : { value: doc.toJS({ maxAliasCount: 1000 }) as unknown }
}

/** The fast path must either decline the text or agree exactly with `yaml`. */
function expectAgreement(text: string): void {
  const fast = parseSimpleYaml(text)
  if (fast === undefined) return
  expect(viaYaml(text), `yaml rejects a text the fast path accepted: ${JSON.stringify(text)}`).toBeDefined()
  expect(fast.value, JSON.stringify(text)).toStrictEqual(viaYaml(text)?.value)
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

const ACCEPTED = {
  'a whole cube file with comments, quotes, numbers, nulls and a same-indent sequence': CUBE.replace(
    '      drill_members: [id]\n',
    '',
  ),
  'an empty document': '# nothing yet\n\n',
  'nested and compact sequences': 'a:\n- - 1\n  - 2\n-\n  - x\n- -y\n',
  'a sequence item with nothing after it': 'a:\n  -\n  - b\n',
  'a comment line more indented than a scalar': 'a: b\n    # note\nc: d\n',
  'a top-level sequence': '- name: x\n- 2\n',
  'plain scalars with colons and hashes inside': 'a: a:b\nb: x#y\nc: ---\nd: -1.5e-3\ne: +12\nf: .5\ng: 1.\n',
  'keys that are not core-schema words': 'y: 1\nn: 2\non: 3\noff_: 4\nyes: 5\n',
}

const DECLINED = {
  'a flow sequence': CUBE,
  'an anchor and an alias': 'a: &x 1\nb: *x\n',
  'a merge key': 'base: &b\n  x: 1\nc:\n  <<: *b\n',
  'a literal block scalar': 'sql: |\n  SELECT 1\n  FROM t\n',
  'a folded block scalar': 'sql: >-\n  SELECT 1\n  FROM t\n',
  'a multi-line plain scalar': 'sql: SELECT 1\n  FROM t\n',
  'a multi-line double-quoted scalar': 'sql: "SELECT 1\n  FROM t"\n',
  'a unicode escape': 'sql: "\\u00e9"\n',
  'a tag': 'n: !!str 1\n',
  'a duplicate key': 'a: 1\na: 2\n',
  'a __proto__ key': '__proto__:\n  x: 1\n',
  'a quoted key': '"a": 1\n',
  'a null key': 'null: 1\n',
  'a tab': 'a:\tb\n',
  'CRLF line ends': 'a: b\r\nc: d\r\n',
  'a document marker': '---\na: b\n',
  'two documents': 'a: b\n---\nc: d\n',
  'a bad indent': 'a:\n  b: 1\n c: 2\n',
  'a value that is a mapping on the same line': 'a: b: c\n',
  'a plain scalar starting with a reserved character': 'a: @x\n',
  'an unclosed quote': 'a: "abc\n',
  'text after a quoted scalar': 'a: "b" c\n',
  'a top-level scalar': 'just text\n',
}

describe('parseSimpleYaml agrees with yaml', () => {
  it.each(Object.entries(ACCEPTED))('reads %s exactly as yaml does', (_, text) => {
    const fast = parseSimpleYaml(text)
    expect(fast).toBeDefined()
    expectAgreement(text)
  })

  it.each(Object.entries(DECLINED))('leaves %s to yaml', (_, text) => {
    expect(parseSimpleYaml(text)).toBeUndefined()
  })

  it('loads the same model through the fast path and through yaml', () => {
    const text = ACCEPTED['a whole cube file with comments, quotes, numbers, nulls and a same-indent sequence']
    const viaFallback = `${text}    segments: &s []\n` // the anchor sends the file to yaml
    const fast = parseModel([{ file: 'o.yml', content: text }])
    const slow = parseModel([{ file: 'o.yml', content: viaFallback }])
    expect(parseSimpleYaml(viaFallback)).toBeUndefined()
    expect(fast).toStrictEqual(slow)
  })

  it('agrees on generated documents, and accepts most that stay in the subset', () => {
    let accepted = 0
    fc.assert(
      fc.property(documentArb, fc.boolean(), fc.nat(), (text, perturb, where) => {
        const doc = perturb ? perturbed(text, where) : text
        if (parseSimpleYaml(doc) !== undefined) accepted++
        expectAgreement(doc)
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
