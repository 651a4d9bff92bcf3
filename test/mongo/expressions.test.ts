/**
 * Portable SQL → aggregation expressions (src/mongo/expressions.ts), checked against SQLite: fast-check
 * generates typed expression trees and rows with NULLs (stored as null or as a missing field), the tree is
 * printed as SQL for SQLite and translated for mingo, and both must give the same value on every row.
 * SQLite is the independent oracle of SQL's NULL semantics; nothing here reuses the translator's logic.
 */
import Database from 'better-sqlite3'
import fc from 'fast-check'
import { Aggregator } from 'mingo'
import { afterAll, describe, expect, it } from 'vitest'
import type { ExpressionNode } from '../../src/mongo/expression-nodes.js'
import { literal, rootScope, toCondition, toExpression } from '../../src/mongo/expressions.js'

const sqlite = new Database(':memory:')
afterAll(() => sqlite.close())

const scope = rootScope(() => {
  throw new Error('no members here')
})
const col = (path: string): ExpressionNode => ({ kind: 'column', cube: 't', path })
const lit = (value: string | number | boolean | null): ExpressionNode => ({ kind: 'literal', value })

// ---- the oracle's SQL ------------------------------------------------------------------------------

const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`

/** The node as SQLite SQL. Division is written as real division (the subset's meaning, see expressions.ts). */
function toSql(n: ExpressionNode): string {
  switch (n.kind) {
    case 'column':
      return n.path
    case 'member':
      throw new Error('no members here')
    case 'literal':
      if (n.value === null) return 'NULL'
      if (typeof n.value === 'string') return sqlString(n.value)
      if (typeof n.value === 'boolean') return n.value ? '1' : '0'
      return String(n.value)
    case 'unary':
      return n.op === 'NOT' ? `(NOT ${toSql(n.arg)})` : `(- ${toSql(n.arg)})`
    case 'isNull':
      return `(${toSql(n.arg)} IS ${n.not ? 'NOT ' : ''}NULL)`
    case 'binary':
      if (n.op === '/') return `((1.0 * ${toSql(n.left)}) / ${toSql(n.right)})`
      return `(${toSql(n.left)} ${n.op} ${toSql(n.right)})`
    case 'in':
      return `(${toSql(n.arg)} ${n.not ? 'NOT IN' : 'IN'} (${n.values.map(toSql).join(', ')}))`
    case 'case': {
      const whens = n.whens.map((w) => `WHEN ${toSql(w.when)} THEN ${toSql(w.then)}`).join(' ')
      return `(CASE ${whens}${n.else ? ` ELSE ${toSql(n.else)}` : ''} END)`
    }
    case 'call':
      return `${n.name}(${n.args.map(toSql).join(', ')})`
  }
}

// ---- generators --------------------------------------------------------------------------------------

interface Row {
  id: number
  n1: number | null
  n2: number | null
  s1: string | null
  s2: string | null
  b1: boolean | null
}

const numberValue = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(0.5, -2.25, 10, 0))
const stringValue = fc.constantFrom('a', 'B', 'ab', 'AB', '', 'x y', '$where', "it's", 'Zz')
const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { freq: 4, nil: null })

const rowsArb = fc.array(
  fc.record({
    n1: nullable(numberValue),
    n2: nullable(numberValue),
    s1: nullable(stringValue),
    s2: nullable(stringValue),
    b1: nullable(fc.boolean()),
    missing: fc.boolean(),
  }),
  { minLength: 1, maxLength: 12 },
)

const { num, str, bool } = fc.letrec<{ num: ExpressionNode; str: ExpressionNode; bool: ExpressionNode }>((tie) => {
  const num = tie('num')
  const str = tie('str')
  const bool = tie('bool')
  const binary = (ops: readonly string[], a: fc.Arbitrary<ExpressionNode>, b: fc.Arbitrary<ExpressionNode>) =>
    fc.record({
      kind: fc.constant('binary' as const),
      op: fc.constantFrom(...ops),
      left: a,
      right: b,
    }) as fc.Arbitrary<ExpressionNode>
  const caseOf = (value: fc.Arbitrary<ExpressionNode>) =>
    fc.record({
      kind: fc.constant('case' as const),
      // biome-ignore lint/suspicious/noThenProperty: the CASE node's key, plain data (never awaited).
      whens: fc.array(fc.record({ when: bool, then: value }), { minLength: 1, maxLength: 2 }),
      else: value,
    }) as fc.Arbitrary<ExpressionNode>
  const call = (name: string, ...args: fc.Arbitrary<ExpressionNode>[]) =>
    fc.tuple(...args).map((a) => ({ kind: 'call', name, args: a }) as ExpressionNode)
  return {
    num: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(col('n1'), col('n2')),
      numberValue.map(lit),
      fc.constant(lit(null)),
      binary(['+', '-', '*', '/'], num, num),
      num.map((arg) => ({ kind: 'unary', op: '-', arg }) as ExpressionNode),
      call('COALESCE', num, num),
      call('NULLIF', num, num),
      caseOf(num),
    ),
    str: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(col('s1'), col('s2')),
      stringValue.map(lit),
      call('LOWER', str),
      call('UPPER', str),
      call('COALESCE', str, str),
      call('NULLIF', str, str),
      caseOf(str),
    ),
    bool: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant(col('b1')),
      fc.constantFrom(lit(true), lit(false)),
      binary(['=', '<>', '<', '<=', '>', '>='], num, num),
      binary(['=', '<>', '<', '>='], str, str),
      binary(['AND', 'OR'], bool, bool),
      bool.map((arg) => ({ kind: 'unary', op: 'NOT', arg }) as ExpressionNode),
      fc.record({ kind: fc.constant('isNull' as const), not: fc.boolean(), arg: fc.oneof(num, str) }),
      fc.record({
        kind: fc.constant('in' as const),
        not: fc.boolean(),
        arg: num,
        values: fc.array(fc.oneof(num, fc.constant(lit(null))), { minLength: 1, maxLength: 3 }),
      }),
    ),
  }
})

// ---- evaluation on both sides ------------------------------------------------------------------------

type Generated = {
  n1: number | null
  n2: number | null
  s1: string | null
  s2: string | null
  b1: boolean | null
  missing: boolean
}

function sqliteValues(sql: string, rows: readonly Row[]): unknown[] {
  const values = rows
    .map(
      (r) =>
        `(${r.id}, ${r.n1 ?? 'NULL'}, ${r.n2 ?? 'NULL'}, ${r.s1 === null ? 'NULL' : sqlString(r.s1)}, ${
          r.s2 === null ? 'NULL' : sqlString(r.s2)
        }, ${r.b1 === null ? 'NULL' : r.b1 ? 1 : 0})`,
    )
    .join(', ')
  const query = `WITH t(id, n1, n2, s1, s2, b1) AS (VALUES ${values}) SELECT ${sql} AS r FROM t ORDER BY id`
  return (sqlite.prepare(query).all() as { r: unknown }[]).map((x) => x.r)
}

function mingoValues(expression: unknown, rows: readonly Generated[]): unknown[] {
  const docs = rows.map((r, id) => {
    const doc: Record<string, unknown> = { id }
    for (const key of ['n1', 'n2', 's1', 's2', 'b1'] as const) {
      // SQL NULL as null or as a missing field, as MongoDB data has both.
      if (r[key] !== null || !r.missing) doc[key] = r[key]
    }
    return doc
  })
  const out = new Aggregator([{ $project: { _id: 0, id: 1, r: expression } }, { $sort: { id: 1 } }], {
    scriptEnabled: false,
  }).run(docs)
  return out.map((d) => (d.r === undefined ? null : d.r))
}

/** Comparable form: booleans as SQLite's 0/1, numbers rounded to 9 significant digits, -0 as 0. */
function normal(v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0
  if (typeof v === 'number') return v === 0 ? 0 : Number(v.toPrecision(9))
  return v
}

function check(node: ExpressionNode, rows: readonly Generated[], asCondition = false): void {
  const withIds = rows.map((r, id) => ({ ...r, id }))
  const sql = asCondition ? `(CASE WHEN ${toSql(node)} THEN 1 WHEN NOT ${toSql(node)} THEN 0 END)` : toSql(node)
  const expected = sqliteValues(sql, withIds).map(normal)
  const translated = asCondition ? toCondition(node, scope) : toExpression(node, scope)
  const actual = mingoValues(translated, rows).map(normal)
  expect(actual, toSql(node)).toEqual(expected)
}

describe('portable SQL → aggregation expressions, against SQLite', () => {
  it('numeric expressions: arithmetic, division by zero, NULLIF, COALESCE, CASE', () => {
    fc.assert(
      fc.property(num, rowsArb, (node, rows) => check(node, rows)),
      { numRuns: 300 },
    )
  })

  it('string expressions: LOWER/UPPER, COALESCE, NULLIF, CASE, literals that look like operators', () => {
    fc.assert(
      fc.property(str, rowsArb, (node, rows) => check(node, rows)),
      { numRuns: 300 },
    )
  })

  it('conditions: comparisons with NULL, three-valued AND/OR/NOT, IN with NULLs, IS [NOT] NULL', () => {
    fc.assert(
      fc.property(bool, rowsArb, (node, rows) => check(node, rows)),
      { numRuns: 400 },
    )
  })

  it('reads a column, a number or a NULL used as a condition by SQL truthiness', () => {
    const rows: Generated[] = [
      { n1: 2, n2: 0, s1: null, s2: null, b1: true, missing: false },
      { n1: 0, n2: null, s1: null, s2: null, b1: false, missing: true },
      { n1: null, n2: -1, s1: null, s2: null, b1: null, missing: false },
      { n1: null, n2: null, s1: null, s2: null, b1: null, missing: true },
    ]
    for (const node of [col('b1'), col('n1'), col('n2'), lit(null), lit(3)]) check(node, rows, true)
  })

  it('keeps request-looking text literal: $-prefixed strings and operator-shaped text', () => {
    expect([literal('$where'), literal(1)]).toEqual([{ $literal: '$where' }, { $literal: 1 }])
    const rows: Generated[] = [{ n1: null, n2: null, s1: '$where', s2: '$s2', b1: null, missing: false }]
    check({ kind: 'binary', op: '=', left: col('s1'), right: lit('$where') }, rows)
    check({ kind: 'binary', op: '=', left: col('s2'), right: lit('$s2') }, rows)
    check(lit('{ "$gt": "" }'), rows)
  })

  it('the oracle and the translation disagree on a wrong translation (division without the zero guard)', () => {
    const node: ExpressionNode = { kind: 'binary', op: '/', left: col('n1'), right: col('n2') }
    const rows = [{ id: 0, n1: 1, n2: 0, s1: null, s2: null, b1: null }]
    expect(sqliteValues(toSql(node), rows)).toEqual([null])
    const unguarded = { $divide: ['$n1', '$n2'] }
    expect(() => mingoValues(unguarded, [{ ...rows[0]!, missing: false }])).toThrow(/divide by zero/)
  })
})
