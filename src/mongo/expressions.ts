/**
 * Portable model SQL (expression-nodes.ts) → MongoDB aggregation expressions with SQL's NULL semantics.
 * Checked against SQLite evaluating the same SQL over the same rows (test/mongo/expressions.test.ts,
 * property-based). Where MongoDB differs from SQL, and the bridge:
 *
 * - **Missing fields.** A document may lack a field instead of holding null; in expressions MongoDB keeps
 *   missing distinct from null (`$eq: ['$x', null]` is false for a missing x). Every null test is
 *   `$eq: [{ $ifNull: [x, null] }, null]`, true for both.
 * - **Comparisons with NULL** are NULL in SQL; MongoDB compares null by BSON order (`null < 1` is true).
 *   `= <> < <= > >=` give null when either side is null or missing, else `$eq`/`$ne`/`$lt`/….
 * - **AND / OR / NOT** are three-valued in SQL; `$and`/`$or` read null as false. They are built from
 *   explicit tests: AND is false if either side is false, else null if either is null, else true (OR the
 *   dual; NOT null is null). A `$match: { $expr }` keeps only true, like WHERE.
 * - **Division**: SQL's `x / 0` is NULL (SQLite) or an error (PostgreSQL); `$divide` by 0 is an error.
 *   `/` gives null for a zero or null divisor, so `a / NULLIF(b, 0)` and `a / b` both give null. MongoDB
 *   divides as doubles (7 / 2 is 3.5, as MySQL and as `1.0 * 7 / 2` elsewhere; SQLite and PostgreSQL
 *   truncate integers): models write `1.0 *` where it matters, as examples/ecommerce does.
 * - **IN** is NULL for a null operand, true on a match, else NULL if the list holds a null, else false.
 * - **CASE WHEN c**: a branch is taken only when c is true (null and false fall through), with `$switch`.
 * - **LOWER/UPPER of NULL** are NULL (MongoDB's `$toLower: null` is ''). MongoDB folds ASCII letters only,
 *   like SQLite's lower(); PostgreSQL and mingo fold all of Unicode.
 * - **Truthiness**: a column or member used as a condition (`filters: - sql: "{CUBE}.is_active"`) is true
 *   for BSON true or a number other than 0, false for false or 0, null for null or missing.
 * - **Literals** always as `{ $literal: … }`: text such as `'$where'` or `'$$ROOT'` is never read as a field
 *   path, variable or operator, and `1` never as `$project`'s inclusion flag. Field paths come only from
 *   the model.
 */
import { SemanticLayerError } from '../errors.js'
import type { ExpressionNode } from './expression-nodes.js'

/** How the printer names a column or member: the aggregation expression that reads it where it is used. */
export interface ExpressionScope {
  column(cube: string, path: string): unknown
  member(cube: string, name: string): unknown
}

/** Columns as top-level field paths of the current document (`$path`); members are the printer's to resolve. */
export function rootScope(member: ExpressionScope['member']): ExpressionScope {
  return { column: (_cube, path) => `$${path}`, member }
}

const COMPARE = { '=': '$eq', '<>': '$ne', '<': '$lt', '<=': '$lte', '>': '$gt', '>=': '$gte' } as const
const ARITHMETIC = { '+': '$add', '-': '$subtract', '*': '$multiply' } as const

/** `x IS NULL`, true for null and for a missing field alike. */
export function isNullExpr(x: unknown): Record<string, unknown> {
  return { $eq: [{ $ifNull: [x, null] }, null] }
}

/**
 * A literal as an aggregation expression, always in `$literal`: a string is then never read as a field path
 * or variable, and a number or boolean never as `$project`'s include/exclude flag.
 */
export function literal(value: string | number | boolean | null): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) internal('a non-finite number literal')
  return value === null ? null : { $literal: value }
}

/** `$let` with the values bound once (children may be large; each is evaluated once per document). */
function bind(vars: Record<string, unknown>, body: unknown): Record<string, unknown> {
  return { $let: { vars, in: body } }
}

/** The translation of `node` as a value (a boolean node gives true, false or null). */
export function toExpression(node: ExpressionNode, scope: ExpressionScope): unknown {
  const go = (n: ExpressionNode): unknown => toExpression(n, scope)
  switch (node.kind) {
    case 'column':
      return scope.column(node.cube, node.path)
    case 'member':
      return scope.member(node.cube, node.name)
    case 'literal':
      return literal(node.value)
    case 'unary':
      if (node.op === '-') return { $multiply: [-1, go(node.arg)] }
      return bind({ a: toCondition(node.arg, scope) }, { $cond: [isNullExpr('$$a'), null, { $not: ['$$a'] }] })
    case 'isNull': {
      const test = isNullExpr(go(node.arg))
      return node.not ? { $not: [test] } : test
    }
    case 'binary':
      return binary(node.op, node.left, node.right, scope)
    case 'in':
      return inList(node.not, go(node.arg), node.values.map(go))
    case 'case':
      return {
        $switch: {
          branches: node.whens.map((w) => ({
            case: { $eq: [toCondition(w.when, scope), true] },
            // biome-ignore lint/suspicious/noThenProperty: $switch's branch key, plain data (never awaited).
            then: go(w.then),
          })),
          default: node.else === undefined ? null : go(node.else),
        },
      }
    case 'call':
      return call(node.name, node.args.map(go))
  }
}

/**
 * The translation of `node` used as a condition: true, false or null (WHERE keeps only true). Nodes that
 * are not boolean by construction (a column, a member, a literal, CASE, COALESCE, NULLIF) are read by SQL
 * truthiness: null stays null, BSON booleans are themselves, numbers are true unless 0.
 */
export function toCondition(node: ExpressionNode, scope: ExpressionScope): unknown {
  const value = toExpression(node, scope)
  if (isBooleanNode(node)) return value
  return bind(
    { v: value },
    {
      $cond: [isNullExpr('$$v'), null, { $cond: [{ $eq: [{ $type: '$$v' }, 'bool'] }, '$$v', { $ne: ['$$v', 0] }] }],
    },
  )
}

function isBooleanNode(node: ExpressionNode): boolean {
  switch (node.kind) {
    case 'isNull':
    case 'in':
      return true
    case 'unary':
      return node.op === 'NOT'
    case 'binary':
      return !(node.op in ARITHMETIC) && node.op !== '/'
    case 'literal':
      return typeof node.value === 'boolean'
    default:
      return false
  }
}

function binary(op: string, left: ExpressionNode, right: ExpressionNode, scope: ExpressionScope): unknown {
  if (op === 'AND' || op === 'OR') {
    const vars = { a: toCondition(left, scope), b: toCondition(right, scope) }
    const decisive = op === 'AND' ? false : true
    const either = (v: boolean | null) => ({ $or: [{ $eq: ['$$a', v] }, { $eq: ['$$b', v] }] })
    const anyNull = { $or: [isNullExpr('$$a'), isNullExpr('$$b')] }
    return bind(vars, { $cond: [either(decisive), decisive, { $cond: [anyNull, null, !decisive] }] })
  }
  const vars = { l: toExpression(left, scope), r: toExpression(right, scope) }
  const anyNull = { $or: [isNullExpr('$$l'), isNullExpr('$$r')] }
  if (op === '/')
    return bind(vars, { $cond: [{ $or: [anyNull, { $eq: ['$$r', 0] }] }, null, { $divide: ['$$l', '$$r'] }] })
  if (op in ARITHMETIC) return { [ARITHMETIC[op as keyof typeof ARITHMETIC]]: [vars.l, vars.r] }
  if (op in COMPARE)
    return bind(vars, { $cond: [anyNull, null, { [COMPARE[op as keyof typeof COMPARE]]: ['$$l', '$$r'] }] })
  return internal(`the operator ${op}`)
}

function inList(not: boolean, arg: unknown, values: readonly unknown[]): unknown {
  const found = { $cond: [{ $in: ['$$x', '$$list'] }, !not, { $cond: [{ $in: [null, '$$list'] }, null, not] }] }
  const list = values.map((v) => ({ $ifNull: [v, null] }))
  return bind({ x: arg, list }, { $cond: [isNullExpr('$$x'), null, found] })
}

function call(name: string, args: readonly unknown[]): unknown {
  switch (name) {
    case 'COALESCE':
      if (args.length === 0) return internal('COALESCE without arguments')
      // $ifNull takes several arguments from MongoDB 5.0 on; nested pairs work everywhere.
      return args.reduceRight(
        (rest, a) => (rest === undefined ? { $ifNull: [a, null] } : { $ifNull: [a, rest] }),
        undefined as unknown,
      )
    case 'NULLIF': {
      if (args.length !== 2) return internal('NULLIF without two arguments')
      const equal = { $and: [{ $not: [isNullExpr('$$a')] }, { $not: [isNullExpr('$$b')] }, { $eq: ['$$a', '$$b'] }] }
      return bind({ a: args[0], b: args[1] }, { $cond: [equal, null, { $ifNull: ['$$a', null] }] })
    }
    case 'LOWER':
    case 'UPPER': {
      if (args.length !== 1) return internal(`${name} without one argument`)
      const op = name === 'LOWER' ? '$toLower' : '$toUpper'
      return bind({ s: args[0] }, { $cond: [isNullExpr('$$s'), null, { [op]: '$$s' }] })
    }
    default:
      return internal(`the function ${name}`)
  }
}

function internal(what: string): never {
  const message = `The MongoDB expression translator was given ${what}, which the portable subset does not have. This is a bug in cortex-semantic.`
  throw new SemanticLayerError('INTERNAL', [{ code: 'INTERNAL', path: [], message }])
}
