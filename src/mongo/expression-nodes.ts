/**
 * Model SQL in the portable subset, as plain data: what the MongoDB printer translates to aggregation
 * expressions (expressions.ts). Issue 17's parser produces expression nodes for the same subset; its
 * node type replaces this one or maps onto it kind for kind (the kinds are named after the SQL they
 * stand for). Plain, serializable, no functions.
 *
 * The subset: column and member references, `+ - * /`, unary minus, comparisons, `AND`/`OR`/`NOT`,
 * `IN (…)`, `IS [NOT] NULL`, `CASE WHEN … THEN … ELSE … END`, `COALESCE`, `NULLIF`, `LOWER`/`UPPER`,
 * string, number, boolean and NULL literals (parentheses only group, so they are not nodes).
 */

/** A column of the cube's collection: `path` is a field path, dotted for embedded documents (`address.city`). */
export interface ColumnNode {
  readonly kind: 'column'
  readonly cube: string
  readonly path: string
}

/** A reference to another member (`{count}`, `{orders.amount}`), resolved by the printer. */
export interface MemberNode {
  readonly kind: 'member'
  readonly cube: string
  readonly name: string
}

export interface LiteralNode {
  readonly kind: 'literal'
  readonly value: string | number | boolean | null
}

export type ArithmeticOp = '+' | '-' | '*' | '/'
export type ComparisonOp = '=' | '<>' | '<' | '<=' | '>' | '>='
export type LogicalOp = 'AND' | 'OR'

export interface BinaryNode {
  readonly kind: 'binary'
  readonly op: ArithmeticOp | ComparisonOp | LogicalOp
  readonly left: ExpressionNode
  readonly right: ExpressionNode
}

/** `NOT arg` (`op: 'NOT'`) or `-arg` (`op: '-'`). */
export interface UnaryNode {
  readonly kind: 'unary'
  readonly op: 'NOT' | '-'
  readonly arg: ExpressionNode
}

/** `arg IS NULL`, or `arg IS NOT NULL` with `not`. */
export interface IsNullNode {
  readonly kind: 'isNull'
  readonly not: boolean
  readonly arg: ExpressionNode
}

/** `arg IN (values…)`, or `arg NOT IN (values…)` with `not`. */
export interface InNode {
  readonly kind: 'in'
  readonly not: boolean
  readonly arg: ExpressionNode
  readonly values: readonly ExpressionNode[]
}

/** `CASE WHEN when THEN then … ELSE else END` (no ELSE: NULL). */
export interface CaseNode {
  readonly kind: 'case'
  readonly whens: readonly { readonly when: ExpressionNode; readonly then: ExpressionNode }[]
  readonly else?: ExpressionNode
}

export type FunctionName = 'COALESCE' | 'NULLIF' | 'LOWER' | 'UPPER'

export interface CallNode {
  readonly kind: 'call'
  readonly name: FunctionName
  readonly args: readonly ExpressionNode[]
}

export type ExpressionNode =
  | ColumnNode
  | MemberNode
  | LiteralNode
  | BinaryNode
  | UnaryNode
  | IsNullNode
  | InNode
  | CaseNode
  | CallNode
