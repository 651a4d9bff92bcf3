/**
 * Model SQL templates (raw text from the model author with cube and measure references, as the model
 * compiled them) → portable expression nodes (expression-nodes.ts), for the MongoDB printer. Only the
 * portable subset parses; anything else is a {@link NotPortable} naming the construct, which the printer
 * turns into UNSUPPORTED_FEATURE naming the member. The text is the model's, never a request's.
 */
import type { SqlTemplate } from '../model/compiled.js'
import type { ExpressionNode, FunctionName } from './expression-nodes.js'

/** A construct outside the portable subset (`construct` says which, for the error message). */
export class NotPortable extends Error {
  constructor(readonly construct: string) {
    super(construct)
  }
}

type Token =
  | { readonly t: 'num'; readonly v: number }
  | { readonly t: 'str'; readonly v: string }
  | { readonly t: 'word'; readonly v: string }
  | { readonly t: 'op'; readonly v: string }
  | { readonly t: 'column'; readonly cube: string; readonly path: string }
  | { readonly t: 'measure'; readonly cube: string; readonly name: string }

const OPS = ['<>', '!=', '<=', '>=', '=', '<', '>', '+', '-', '*', '/', '(', ')', ',']
const FUNCTIONS: ReadonlySet<string> = new Set(['COALESCE', 'NULLIF', 'LOWER', 'UPPER'])
const RESERVED: ReadonlySet<string> = new Set([
  'AND',
  'OR',
  'NOT',
  'IS',
  'NULL',
  'IN',
  'CASE',
  'WHEN',
  'THEN',
  'ELSE',
  'END',
  'TRUE',
  'FALSE',
])
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/
const NUMBER = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/

function tokenize(template: SqlTemplate): Token[] {
  const out: Token[] = []
  let pendingCube: string | undefined
  for (const part of template) {
    if (typeof part !== 'string') {
      if (pendingCube !== undefined) throw new NotPortable('a cube reference without a column')
      if (part.kind === 'cube') pendingCube = part.cube
      else out.push({ t: 'measure', cube: part.cube, name: part.name })
      continue
    }
    let s = part
    if (pendingCube !== undefined) {
      // `{CUBE}.a.b`: a field path, dotted for embedded documents.
      const m = /^\.([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)/.exec(s)
      if (!m) throw new NotPortable('a cube reference without a column')
      out.push({ t: 'column', cube: pendingCube, path: m[1]! })
      pendingCube = undefined
      s = s.slice(m[0].length)
    }
    while (s.length > 0) {
      const ws = /^\s+/.exec(s)
      if (ws) {
        s = s.slice(ws[0].length)
        continue
      }
      if (s[0] === "'") {
        let i = 1
        let text = ''
        for (;;) {
          if (i >= s.length) throw new NotPortable('an unterminated string literal')
          if (s[i] === "'") {
            if (s[i + 1] === "'") {
              text += "'"
              i += 2
              continue
            }
            break
          }
          text += s[i]
          i++
        }
        out.push({ t: 'str', v: text })
        s = s.slice(i + 1)
        continue
      }
      const num = NUMBER.exec(s)
      if (num) {
        out.push({ t: 'num', v: Number(num[0]) })
        s = s.slice(num[0].length)
        continue
      }
      const word = IDENT.exec(s)
      if (word) {
        out.push({ t: 'word', v: word[0].toUpperCase() })
        s = s.slice(word[0].length)
        continue
      }
      const op = OPS.find((o) => s.startsWith(o))
      if (!op) throw new NotPortable(`the character ${JSON.stringify(s[0])}`)
      out.push({ t: 'op', v: op === '!=' ? '<>' : op })
      s = s.slice(op.length)
    }
  }
  if (pendingCube !== undefined) throw new NotPortable('a cube reference without a column')
  return out
}

/** Parse one template of the portable subset; throws {@link NotPortable} for anything else. */
export function parsePortable(template: SqlTemplate): ExpressionNode {
  const tokens = tokenize(template)
  let i = 0
  const peek = (): Token | undefined => tokens[i]
  const isWord = (w: string): boolean => {
    const t = tokens[i]
    return t?.t === 'word' && t.v === w
  }
  const isOp = (o: string): boolean => {
    const t = tokens[i]
    return t?.t === 'op' && t.v === o
  }
  const expectWord = (w: string): void => {
    if (!isWord(w)) throw new NotPortable(`SQL not in the portable subset (expected ${w})`)
    i++
  }
  const expectOp = (o: string): void => {
    if (!isOp(o)) throw new NotPortable(`SQL not in the portable subset (expected "${o}")`)
    i++
  }

  const or = (): ExpressionNode => {
    let left = and()
    while (isWord('OR')) {
      i++
      left = { kind: 'binary', op: 'OR', left, right: and() }
    }
    return left
  }
  const and = (): ExpressionNode => {
    let left = not()
    while (isWord('AND')) {
      i++
      left = { kind: 'binary', op: 'AND', left, right: not() }
    }
    return left
  }
  const not = (): ExpressionNode => {
    if (isWord('NOT')) {
      i++
      return { kind: 'unary', op: 'NOT', arg: not() }
    }
    return comparison()
  }
  const comparison = (): ExpressionNode => {
    const left = additive()
    const t = peek()
    if (t?.t === 'op' && ['=', '<>', '<', '<=', '>', '>='].includes(t.v)) {
      i++
      return { kind: 'binary', op: t.v as '=', left, right: additive() }
    }
    if (isWord('IS')) {
      i++
      const negated = isWord('NOT')
      if (negated) i++
      expectWord('NULL')
      return { kind: 'isNull', not: negated, arg: left }
    }
    const negated = isWord('NOT') && tokens[i + 1]?.t === 'word' && (tokens[i + 1] as { v: string }).v === 'IN'
    if (negated) i++
    if (isWord('IN')) {
      i++
      expectOp('(')
      const values = [or()]
      while (isOp(',')) {
        i++
        values.push(or())
      }
      expectOp(')')
      return { kind: 'in', not: negated, arg: left, values }
    }
    if (isWord('LIKE') || isWord('BETWEEN')) throw new NotPortable((peek() as { v: string }).v)
    return left
  }
  const additive = (): ExpressionNode => {
    let left = multiplicative()
    while (isOp('+') || isOp('-')) {
      const op = (tokens[i++] as { v: '+' | '-' }).v
      left = { kind: 'binary', op, left, right: multiplicative() }
    }
    return left
  }
  const multiplicative = (): ExpressionNode => {
    let left = unary()
    while (isOp('*') || isOp('/')) {
      const op = (tokens[i++] as { v: '*' | '/' }).v
      left = { kind: 'binary', op, left, right: unary() }
    }
    return left
  }
  const unary = (): ExpressionNode => {
    if (isOp('-')) {
      i++
      const arg = unary()
      if (arg.kind === 'literal' && typeof arg.value === 'number') return { kind: 'literal', value: -arg.value }
      return { kind: 'unary', op: '-', arg }
    }
    if (isOp('+')) {
      i++
      return unary()
    }
    return primary()
  }
  const caseExpr = (): ExpressionNode => {
    // CASE [operand] WHEN … THEN … [ELSE …] END; the simple form compares the operand with each WHEN.
    const operand = isWord('WHEN') ? undefined : or()
    const whens: { when: ExpressionNode; then: ExpressionNode }[] = []
    while (isWord('WHEN')) {
      i++
      const w = or()
      expectWord('THEN')
      const when: ExpressionNode = operand ? { kind: 'binary', op: '=', left: operand, right: w } : w
      // biome-ignore lint/suspicious/noThenProperty: CaseNode's branch key, plain data (never awaited).
      whens.push({ when, then: or() })
    }
    if (whens.length === 0) throw new NotPortable('CASE without WHEN')
    let otherwise: ExpressionNode | undefined
    if (isWord('ELSE')) {
      i++
      otherwise = or()
    }
    expectWord('END')
    return otherwise ? { kind: 'case', whens, else: otherwise } : { kind: 'case', whens }
  }
  const primary = (): ExpressionNode => {
    const t = tokens[i++]
    if (!t) throw new NotPortable('an incomplete expression')
    switch (t.t) {
      case 'num':
        return { kind: 'literal', value: t.v }
      case 'str':
        return { kind: 'literal', value: t.v }
      case 'column':
        return { kind: 'column', cube: t.cube, path: t.path }
      case 'measure':
        return { kind: 'member', cube: t.cube, name: t.name }
      case 'op': {
        if (t.v !== '(') throw new NotPortable(`SQL not in the portable subset ("${t.v}")`)
        const inner = or()
        expectOp(')')
        return inner
      }
      case 'word': {
        if (t.v === 'NULL') return { kind: 'literal', value: null }
        if (t.v === 'TRUE' || t.v === 'FALSE') return { kind: 'literal', value: t.v === 'TRUE' }
        if (t.v === 'CASE') return caseExpr()
        if (isOp('(')) {
          if (!FUNCTIONS.has(t.v)) throw new NotPortable(`the function ${t.v}`)
          i++
          const args = [or()]
          while (isOp(',')) {
            i++
            args.push(or())
          }
          expectOp(')')
          const arity = t.v === 'NULLIF' ? 2 : t.v === 'COALESCE' ? args.length : 1
          if (args.length !== arity) throw new NotPortable(`${t.v} with ${args.length} arguments`)
          return { kind: 'call', name: t.v as FunctionName, args }
        }
        if (RESERVED.has(t.v)) throw new NotPortable(`SQL not in the portable subset (${t.v})`)
        throw new NotPortable('a column without its cube (write {CUBE}.column)')
      }
    }
  }

  const node = or()
  if (i < tokens.length) {
    const t = tokens[i]!
    throw new NotPortable(t.t === 'word' || t.t === 'op' ? `SQL not in the portable subset (${t.v})` : 'trailing SQL')
  }
  return node
}

/** A join condition `{a}.x = {b}.y` (both sides plain columns); undefined for any other condition. */
export function parseJoinEquality(
  template: SqlTemplate,
): { readonly left: { cube: string; path: string }; readonly right: { cube: string; path: string } } | undefined {
  let node: ExpressionNode
  try {
    node = parsePortable(template)
  } catch {
    return undefined
  }
  if (node.kind !== 'binary' || node.op !== '=' || node.left.kind !== 'column' || node.right.kind !== 'column')
    return undefined
  return { left: node.left, right: node.right }
}
