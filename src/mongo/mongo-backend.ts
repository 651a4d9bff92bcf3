/**
 * The MongoDB backend: a query plan (src/query/plan/query-plan.ts) printed as one aggregation pipeline
 * over the root cube's collection. It reads only the plan; every decision (join tree, which cubes are
 * multiplied, folded branches, how rows are counted, zone, order, paging) is the plan's.
 *
 * The pipeline, stage by stage (docs/mongodb.md walks through a fan-out case):
 * 1. `$match` with the WHERE conditions and segments that read only the root cube (before any join,
 *    where an index can serve them), then the root document nested under its cube name, so every
 *    cube's fields are `$<cube>.<field>` from here on.
 * 2. Per join of the tree: `$lookup` (`let` + `$match: { $expr }`, never `localField` with `pipeline`)
 *    and `$unwind` keeping parents without a match (LEFT JOIN). A folded branch is not unwound: its
 *    measures' partial aggregates are computed per parent inside the `$lookup` (at most one document).
 * 3. `$match` with the rest of WHERE and the segments (`$expr`, SQL's three-valued logic: only true passes).
 * 4. `$group` by the dimensions (`$ifNull` keys; time buckets in the plan's zone via time-buckets.ts).
 *    A measure of a cube the plan marks as repeated (a measure group with `cube`) is accumulated as the
 *    set of `{ k: primary key, v: value }` pairs and reduced after the group, so each of the cube's
 *    documents counts once per group however many times the joins repeat it (the keys subquery of SQL).
 * 5. `$project` of the aggregates, `$addFields` of calculated measures, `$match` for HAVING, `$sort`,
 *    `$skip`, `$limit` (one more than the plan's, to tell truncation), and a last `$project` naming the
 *    output fields as the plan's aliases.
 *
 * Request values reach the pipeline only as `$literal` (or as numbers inside `$toDate`, or escaped
 * regular expressions); field paths come only from the model. No `$where`, `$function`, `$accumulator`.
 */
import type { Backend, PrintedQuery, PrintOptions } from '../backend/backend.js'
import { SemanticLayerError } from '../errors.js'
import type { CompiledJoin, SqlTemplate } from '../model/compiled.js'
import type { Condition, FilterScalar } from '../query/normalized-query.js'
import type {
  FoldedCube,
  PlanCondition,
  PlanCube,
  PlanFilter,
  PlannedDimension,
  PlannedMeasure,
  QueryPlan,
} from '../query/plan/query-plan.js'
import type { ExpressionNode } from './expression-nodes.js'
import { isNullExpr, literal, toCondition, toExpression, type ExpressionScope } from './expressions.js'
import type { MongoDocument, MongoStatement } from './mongo-statement.js'
import { NotPortable, parseJoinEquality, parsePortable } from './parse-portable.js'
import { textPattern } from './regex.js'
import { localTime, timeBucket } from './time-buckets.js'

/** A plan printed for MongoDB: the collection the pipeline starts from and its stages. */
export interface MongoPipeline {
  readonly collection: string
  readonly pipeline: readonly MongoDocument[]
}

/** The MongoDB backend (one instance serves every plan: it holds nothing). */
export const mongoBackend: Backend<MongoPipeline> = {
  name: 'mongodb',
  print: (plan, options) => printPipeline(plan, options),
  // No columns (the total's count): rows are the documents' own fields.
  statement: (printed, columns) => mongoStatement(printed, columns.length ? columns.map((c) => c.alias) : undefined),
}

/** The connector's statement for a printed pipeline, with the output columns when known (array rows). */
export function mongoStatement(printed: MongoPipeline, columns: readonly string[] | undefined): MongoStatement {
  return {
    kind: 'mongo',
    collection: printed.collection,
    pipeline: printed.pipeline,
    ...(columns === undefined ? {} : { columns }),
  }
}

const FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/
const NOT_NULL = (x: unknown): unknown => ({ $not: [isNullExpr(x)] })
const and = (parts: readonly unknown[]): unknown =>
  parts.length === 0 ? true : parts.length === 1 ? parts[0] : { $and: [...parts] }
const or = (parts: readonly unknown[]): unknown =>
  parts.length === 0 ? false : parts.length === 1 ? parts[0] : { $or: [...parts] }
/** A condition expression as a strict boolean: true only for true (SQL's WHERE keeps only true). */
const isTrue = (x: unknown): unknown => ({ $eq: [x, true] })

export function printPipeline(plan: QueryPlan, options: PrintOptions = {}): PrintedQuery<MongoPipeline> {
  const printer = new Printer(plan)
  const body = printer.body()
  const collection = printer.collectionOf(plan.tree.root)
  const tail: MongoDocument[] = []
  if (plan.order.length > 0) {
    const sort: Record<string, 1 | -1> = {}
    for (const o of plan.order) sort[printer.field(plan.columns[o.column - 1]!.alias)] = o.desc ? -1 : 1
    tail.push({ $sort: sort })
  }
  if (plan.offset > 0) tail.push({ $skip: plan.offset })
  if (!options.stream) tail.push({ $limit: plan.limit + 1 })
  else if (plan.explicitLimit) tail.push({ $limit: plan.limit })
  const output: Record<string, unknown> = { _id: 0 }
  for (const c of plan.columns) output[printer.field(c.alias)] = 1
  const main = { collection, pipeline: [...body, ...tail, { $project: output }] }
  const columns = plan.columns
  if (!plan.total) return { main, columns }
  return { main, columns, total: { collection, pipeline: [...new Printer(plan).body(), { $count: 'total' }] } }
}

/** A measure's accumulators in `$group` and its value read from them afterwards. */
interface Accumulated {
  readonly fields: Record<string, unknown>
  readonly value: unknown
}

class Printer {
  private readonly cubes: ReadonlyMap<string, PlanCube>
  private readonly measures: ReadonlyMap<string, PlannedMeasure>
  private readonly folds: ReadonlyMap<string, FoldedCube>
  /** Where the current stage reads columns: nested under cube names, or the root document itself. */
  private nested = true
  /** Inside a folded branch's `$map`: the cube whose columns are read from the variable. */
  private rowVariable: { readonly cube: string; readonly name: string } | undefined

  constructor(private readonly plan: QueryPlan) {
    this.cubes = new Map(plan.cubes.map((c) => [c.name, c]))
    this.measures = new Map(plan.measures.map((m) => [m.member, m]))
    this.folds = new Map(plan.folds.map((f) => [f.cube, f]))
  }

  /** An alias as a field name (aliases are the planner's identifiers; anything else is a bug). */
  field(alias: string): string {
    if (!FIELD.test(alias)) throw internal('An output alias is not a plain field name.')
    return alias
  }

  collectionOf(cube: string): string {
    const table = this.cube(cube).table
    const name = table.length === 1 ? table[0] : undefined
    if (typeof name !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name) || name.startsWith('system.'))
      throw unsupported(
        ['cubes', cube, 'sql_table'],
        `The cube ${cube} on a MongoDB source must name a collection in sql_table (not SQL).`,
      )
    return name
  }

  private cube(name: string): PlanCube {
    const c = this.cubes.get(name)
    if (!c) throw internal('A cube outside the join tree reached the MongoDB printer.')
    return c
  }

  private measure(key: string): PlannedMeasure {
    const m = this.measures.get(key)
    if (!m) throw internal('A measure dependency was not planned.')
    return m
  }

  // ---- expressions ------------------------------------------------------------------------------

  private node(t: SqlTemplate, path: readonly (string | number)[]): ExpressionNode {
    try {
      return parsePortable(t)
    } catch (error) {
      if (!(error instanceof NotPortable)) throw error
      throw unsupported(
        path,
        `${describe(path)} uses ${error.construct}, which MongoDB sources do not translate. Write it in the portable` +
          ' subset (columns, + - * /, comparisons, AND/OR/NOT, IN, IS NULL, CASE, COALESCE, NULLIF, LOWER/UPPER,' +
          ' literals) or query it from a SQL source (docs/mongodb.md).',
      )
    }
  }

  private scope(measureValue?: (cube: string, name: string) => unknown): ExpressionScope {
    return {
      column: (cube, path) =>
        this.rowVariable?.cube === cube
          ? `$$${this.rowVariable.name}.${path}`
          : this.nested
            ? `$${cube}.${path}`
            : `$${path}`,
      member: (cube, name) => {
        if (measureValue) return measureValue(cube, name)
        throw internal('A measure reference reached a row-level expression.')
      },
    }
  }

  private rowExpr(t: SqlTemplate, path: readonly (string | number)[]): unknown {
    return toExpression(this.node(t, path), this.scope())
  }

  private rowCondition(t: SqlTemplate, path: readonly (string | number)[]): unknown {
    return toCondition(this.node(t, path), this.scope())
  }

  private dimensionExpr(d: PlannedDimension): unknown {
    const value = this.rowExpr(d.sql, ['cubes', d.cube, 'dimensions', d.name, 'sql'])
    if (d.type !== 'time') return value
    const date = { $toDate: value }
    return d.granularity ? timeBucket(date, d.granularity, this.plan.timezone) : localTime(date, this.plan.timezone)
  }

  // ---- stages -------------------------------------------------------------------------------------

  body(): MongoDocument[] {
    const { plan } = this
    const root = plan.tree.root
    const stages: MongoDocument[] = []
    // WHERE parts and segments reading only the root cube run first, on the collection's own documents.
    const early: unknown[] = []
    const late: unknown[] = []
    plan.where.forEach((f, i) => {
      const reads = filterCubes(f)
      const target = reads.size > 0 && [...reads].every((c) => c === root) ? early : late
      target.push({ f, i })
    })
    const segEarly: SqlTemplate[] = []
    const segLate: SqlTemplate[] = []
    for (const s of plan.segments) {
      const reads = templateCubes(s)
      ;(reads.size > 0 && [...reads].every((c) => c === root) ? segEarly : segLate).push(s)
    }
    const conditions = (items: unknown[], segments: SqlTemplate[]): unknown[] => [
      ...(items as { f: PlanFilter; i: number }[]).map(({ f, i }) => this.filter(f, ['filters', i])),
      ...segments.map((s) => isTrue(this.rowCondition(s, ['segments']))),
    ]
    this.nested = false
    if (early.length > 0 || segEarly.length > 0) stages.push({ $match: { $expr: and(conditions(early, segEarly)) } })
    this.nested = true
    stages.push({ $replaceRoot: { newRoot: { [root]: '$$ROOT' } } })
    for (const j of plan.tree.joins) {
      const fold = this.folds.get(j.to)
      if (fold) stages.push(...this.foldStages(fold))
      else if (!plan.foldedJoinsOnly.includes(j.to)) stages.push(...this.joinStages(j))
    }
    const rest = conditions(late, segLate)
    if (rest.length > 0) stages.push({ $match: { $expr: and(rest) } })
    stages.push(...(plan.ungrouped ? this.ungroupedStages() : this.groupStages()))
    if (plan.having.length > 0) {
      const having = plan.having.map((f, i) => this.filter(f, ['having', i], (c) => this.measureValue(c.member)))
      stages.push({ $match: { $expr: and(having) } })
    }
    return stages
  }

  /**
   * `$lookup` + `$unwind` of one join, keeping parents without a match (LEFT JOIN). `localField` and
   * `foreignField` (an equality join every MongoDB and mingo run by key, without `pipeline`); documents
   * matched on a null or missing key are dropped ({@link matched}).
   */
  private joinStages(j: CompiledJoin): MongoDocument[] {
    const { known, target } = this.joinSides(j)
    const local = `${known.cube}.${known.path}`
    return [
      { $lookup: { from: this.collectionOf(j.to), localField: local, foreignField: target.path, as: j.to } },
      { $addFields: { [j.to]: matched(`$${j.to}`, target.path) } },
      { $unwind: { path: `$${j.to}`, preserveNullAndEmptyArrays: true } },
    ]
  }

  /** The join condition as `<known cube>.<field> = <joined cube>.<field>` (else a model error for MongoDB). */
  private joinSides(j: CompiledJoin): {
    known: { cube: string; path: string }
    target: { cube: string; path: string }
  } {
    const eq = parseJoinEquality(j.sql)
    const sides = eq ? [eq.left, eq.right] : []
    const target = sides.find((s) => s.cube === j.to)
    const known = sides.find((s) => s.cube !== j.to)
    if (!eq || !target || !known)
      throw unsupported(
        ['cubes', j.from, 'joins', j.to, 'sql'],
        `The join from ${j.from} to ${j.to} must be an equality of two columns ({CUBE}.field = {${j.to}}.field) on a MongoDB source.`,
      )
    return { known, target }
  }

  /**
   * A folded branch: its cube's documents per parent as an array (one `$lookup` per join of the path;
   * a `localField` that is an array matches every element, so the last array holds the rows of the
   * path's INNER JOINs), reduced to the measures' partial aggregates under the cube's name. The parent is
   * never repeated.
   */
  private foldStages(fold: FoldedCube): MongoDocument[] {
    const stages: MongoDocument[] = []
    const temp = fold.path.map((_, i) => `__fold_${fold.cube}_${i}`)
    fold.path.forEach((j, i) => {
      const { known, target } = this.joinSides(j)
      const local = i === 0 ? `${known.cube}.${known.path}` : `${temp[i - 1]}.${known.path}`
      stages.push({
        $lookup: { from: this.collectionOf(j.to), localField: local, foreignField: target.path, as: temp[i] },
      })
      stages.push({ $addFields: { [temp[i]!]: matched(`$${temp[i]}`, target.path) } })
    })
    const rows = `$${temp[temp.length - 1]}`
    const partials: Record<string, unknown> = {}
    this.rowVariable = { cube: fold.cube, name: 'fr' }
    try {
      for (const key of fold.measures) {
        const m = this.measure(key)
        const mapped = { $map: { input: rows, as: 'fr', in: this.filteredValue(m) } }
        const values = { $filter: { input: mapped, cond: NOT_NULL('$$this') } }
        const name = this.field(m.alias)
        const sum = { $cond: [{ $eq: [{ $size: '$$p' }, 0] }, null, { $sum: '$$p' }] }
        const over = (body: unknown): unknown => ({ $let: { vars: { p: values }, in: body } })
        if (m.type === 'count') partials[name] = over({ $size: '$$p' })
        else if (m.type === 'sum') partials[name] = over(sum)
        else if (m.type === 'avg') {
          partials[name] = over(sum)
          partials[`${name}_n`] = over({ $size: '$$p' })
        } else if (m.type === 'min' || m.type === 'max') partials[name] = over({ [`$${m.type}`]: '$$p' })
        else throw internal('A folded measure that is not decomposable reached the MongoDB printer.')
      }
    } finally {
      this.rowVariable = undefined
    }
    stages.push({ $addFields: { [fold.cube]: partials } }, { $project: Object.fromEntries(temp.map((t) => [t, 0])) })
    return stages
  }

  private ungroupedStages(): MongoDocument[] {
    const project: Record<string, unknown> = { _id: 0 }
    for (const d of this.plan.dimensions) project[this.field(d.alias)] = this.nullable(this.dimensionExpr(d))
    for (const m of this.plan.measures) if (!m.calculated) project[this.field(m.alias)] = this.rowValue(m)
    const stages: MongoDocument[] = [{ $project: project }]
    const calculated = this.calculatedFields()
    if (Object.keys(calculated).length > 0) stages.push({ $addFields: calculated })
    return stages
  }

  /** An ungrouped row's measure value (as render-sql: counts are 1 when the cube's row is there and passes). */
  private rowValue(m: PlannedMeasure): unknown {
    const path = ['cubes', m.cube, 'measures', m.name]
    const conds = m.filters.map((f) => isTrue(this.rowCondition(f, [...path, 'filters'])))
    const sql = m.sql ? this.rowExpr(m.sql, [...path, 'sql']) : undefined
    if (m.type === 'count' || m.type === 'count_distinct' || m.type === 'count_distinct_approx') {
      const pk = this.cube(m.cube).primaryKey.map((k) => this.rowExpr(k, ['cubes', m.cube, 'primary_key']))
      const presence = sql !== undefined ? [NOT_NULL(sql)] : pk.map(NOT_NULL)
      const present = [...conds, ...presence]
      return present.length ? { $cond: [and(present), 1, 0] } : { $literal: 1 }
    }
    if (sql === undefined) return { $literal: 1 }
    return conds.length ? { $cond: [and(conds), this.nullable(sql), null] } : this.nullable(sql)
  }

  private groupStages(): MongoDocument[] {
    const { plan } = this
    const id: Record<string, unknown> = {}
    for (const d of plan.dimensions) id[this.field(d.alias)] = this.nullable(this.dimensionExpr(d))
    const group: Record<string, unknown> = { _id: Object.keys(id).length ? id : null }
    const project: Record<string, unknown> = { _id: 0 }
    for (const d of plan.dimensions) project[d.alias] = `$_id.${d.alias}`
    for (const m of plan.measures) {
      if (m.calculated) continue
      const acc = this.accumulate(m)
      Object.assign(group, acc.fields)
      project[this.field(m.alias)] = acc.value
    }
    // Without dimensions SQL answers one row even over no rows; `$group` answers none: `$facet` always
    // gives one document, and an empty one stands for the group of no rows (counts 0, the rest null).
    const stages: MongoDocument[] =
      plan.dimensions.length > 0
        ? [{ $group: group }]
        : [
            { $facet: { g: [{ $group: group }] } },
            { $replaceRoot: { newRoot: { $ifNull: [{ $arrayElemAt: ['$g', 0] }, { $literal: emptyGroup(group) }] } } },
          ]
    stages.push({ $project: project })
    const calculated = this.calculatedFields()
    if (Object.keys(calculated).length > 0) stages.push({ $addFields: calculated })
    return stages
  }

  /** Calculated measures over the aggregated fields (nested calculated ones inlined). */
  private calculatedFields(): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const m of this.plan.measures) if (m.calculated) out[this.field(m.alias)] = this.measureValue(m.member)
    return out
  }

  /** A measure's value after the group: its field, or a calculated measure's expression over fields. */
  private measureValue(key: string): unknown {
    const m = this.measure(key)
    if (!m.calculated) return `$${this.field(m.alias)}`
    const node = this.node(m.sql!, ['cubes', m.cube, 'measures', m.name, 'sql'])
    return toExpression(
      node,
      this.scope((c, n) => this.measureValue(`${c}.${n}`)),
    )
  }

  /** `x` with a missing value as null (so groups and outputs never tell missing from null). */
  private nullable(x: unknown): unknown {
    return { $ifNull: [x, null] }
  }

  /** The value a measure aggregates: its `sql` (1 for a row count), null on rows failing its filters. */
  private filteredValue(m: PlannedMeasure, base?: unknown): unknown {
    const path = ['cubes', m.cube, 'measures', m.name]
    const value = base ?? (m.sql ? this.rowExpr(m.sql, [...path, 'sql']) : { $literal: 1 })
    if (m.filters.length === 0) return value
    const conds = m.filters.map((f) => isTrue(this.rowCondition(f, [...path, 'filters'])))
    return { $cond: [and(conds), value, null] }
  }

  private accumulate(m: PlannedMeasure): Accumulated {
    if (m.folded) return this.overPartials(m)
    const group = this.plan.groups[m.group]
    const repeated = group?.cube === m.cube && (m.type === 'sum' || m.type === 'avg' || m.type === 'count')
    return repeated ? this.deduplicated(m) : this.direct(m, m.alias)
  }

  /** Aggregated over the documents in scope as they are (the cube is not repeated, or repeats do not matter). */
  private direct(m: PlannedMeasure, alias: string): Accumulated {
    const name = this.field(alias)
    const path = ['cubes', m.cube, 'measures', m.name]
    switch (m.type) {
      case 'count': {
        if (m.sql) return countOf(name, this.filteredValue(m))
        const rows = m.rowCount
        if (rows?.kind === 'key') {
          const key = this.filteredValue(m, this.rowExpr(rows.key, ['cubes', m.cube, 'primary_key']))
          return rows.distinct ? distinctCount(name, key) : countOf(name, key)
        }
        if (rows?.kind === 'keys') {
          const set = and(rows.keys.map((k) => NOT_NULL(this.rowExpr(k, ['cubes', m.cube, 'primary_key']))))
          return countOf(name, this.filteredValue(m, { $cond: [set, 1, null] }))
        }
        return countOf(name, this.filteredValue(m))
      }
      case 'count_distinct':
      case 'count_distinct_approx':
        return distinctCount(name, this.filteredValue(m))
      case 'sum':
        return sumOf(name, this.filteredValue(m))
      case 'avg':
        return { fields: { [name]: { $avg: this.filteredValue(m) } }, value: `$${name}` }
      case 'min':
      case 'max': {
        const v = this.filteredValue(m)
        return { fields: { [name]: { [`$${m.type}`]: v } }, value: { $ifNull: [`$${name}`, null] } }
      }
      default:
        throw unsupported(
          [...path, 'sql'],
          `${describe(path)} is a ${m.type} measure over row SQL (an aggregate written in SQL), which MongoDB sources do not translate.`,
        )
    }
  }

  /**
   * A repeated cube's measure: the set of `{ k: primary key, v: value }` pairs in the group, so each of
   * the cube's documents counts once, then reduced (pairs without a key are rows a LEFT JOIN did not find).
   */
  private deduplicated(m: PlannedMeasure): Accumulated {
    const name = this.field(m.alias)
    const keys = this.cube(m.cube).primaryKey.map((k) => this.rowExpr(k, ['cubes', m.cube, 'primary_key']))
    if (keys.length === 0) throw internal('A repeated cube without a primary key reached the MongoDB printer.')
    const key =
      keys.length === 1
        ? this.nullable(keys[0])
        : { $cond: [and(keys.map(NOT_NULL)), keys.map((k) => this.nullable(k)), null] }
    const counted = m.type === 'count' && !m.sql
    const value = this.nullable(this.filteredValue(m, counted ? { $literal: 1 } : undefined))
    const present = {
      $map: {
        input: { $filter: { input: `$${name}`, cond: and([NOT_NULL('$$this.k'), NOT_NULL('$$this.v')]) } },
        in: '$$this.v',
      },
    }
    const reduce =
      m.type === 'count'
        ? { $size: '$$p' }
        : { $cond: [{ $eq: [{ $size: '$$p' }, 0] }, null, { [m.type === 'sum' ? '$sum' : '$avg']: '$$p' }] }
    return {
      fields: { [name]: { $addToSet: { k: key, v: value } } },
      value: { $let: { vars: { p: present }, in: reduce } },
    }
  }

  /** A folded cube's measure over the per-parent partials: counts added, sums added, avg as sum / count. */
  private overPartials(m: PlannedMeasure): Accumulated {
    const name = this.field(m.alias)
    const partial = `$${m.cube}.${name}`
    switch (m.type) {
      case 'count':
        return { fields: { [name]: { $sum: partial } }, value: `$${name}` }
      case 'avg': {
        const sum = sumOf(name, partial)
        const n = `${name}__pn`
        const value = { $cond: [{ $eq: [`$${n}`, 0] }, null, { $divide: [sum.value, `$${n}`] }] }
        return { fields: { ...sum.fields, [n]: { $sum: `$${m.cube}.${name}_n` } }, value }
      }
      case 'sum':
        return sumOf(name, partial)
      case 'min':
      case 'max':
        return { fields: { [name]: { [`$${m.type}`]: partial } }, value: { $ifNull: [`$${name}`, null] } }
      default:
        throw internal('A folded measure that is not decomposable reached the MongoDB printer.')
    }
  }

  // ---- filters ------------------------------------------------------------------------------------

  private filter(
    node: PlanFilter,
    path: readonly (string | number)[],
    measure?: (c: PlanCondition) => unknown,
  ): unknown {
    if (node.kind !== 'condition') {
      const parts = node.children.map((c, i) => this.filter(c, [...path, i], measure))
      return node.kind === 'and' ? and(parts) : or(parts)
    }
    if (node.condition.op === 'measureFilter') {
      const filters = node.filters ?? []
      return and(
        filters.map((f) => isTrue(this.rowCondition(f, ['cubes', node.cube, 'measures', node.name, 'filters']))),
      )
    }
    let value: unknown
    if (measure) value = measure(node)
    else if (node.sql) value = this.rowExpr(node.sql, ['cubes', node.cube, 'dimensions', node.name, 'sql'])
    else throw internal('A measure condition reached WHERE.')
    const time = node.type === 'time' && node.memberKind === 'dimension'
    return this.condition(node.condition, time ? { $toDate: value } : value)
  }

  /** One Cube operator as a strict boolean expression over `x` (null and missing never pass a comparison). */
  private condition(c: Exclude<Condition, { op: 'measureFilter' }>, x: unknown): unknown {
    const orNull = (test: unknown, add: boolean): unknown => (add ? { $or: [isNullExpr(x), test] } : test)
    const set = NOT_NULL(x)
    switch (c.op) {
      case 'null':
        return c.not ? set : isNullExpr(x)
      case 'in': {
        const values = c.values.map(scalar)
        const test = values.length === 1 ? { [c.not ? '$ne' : '$eq']: [x, values[0]] } : inList(x, values, c.not)
        return orNull(and([set, test]), c.orNull)
      }
      case 'like': {
        const match = { $regexMatch: { input: { $toString: x }, regex: textPattern(c.values, c.mode), options: 'i' } }
        return orNull(and([set, c.not ? { $not: [match] } : match]), c.orNull)
      }
      case 'compare': {
        const op = { '>': '$gt', '>=': '$gte', '<': '$lt', '<=': '$lte' }[c.cmp]
        return and([set, { [op]: [x, scalar(c.value)] }])
      }
      case 'range': {
        const from = { $toDate: c.fromMs }
        const to = { $toDate: c.toExclusiveMs }
        const inside = c.not
          ? { $or: [{ $lt: [x, from] }, { $gte: [x, to] }] }
          : { $and: [{ $gte: [x, from] }, { $lt: [x, to] }] }
        return and([set, inside])
      }
    }
  }
}

/** What `$group` would give for no documents: `$sum` 0, `$addToSet` [], every other accumulator null. */
function emptyGroup(group: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { _id: null }
  for (const [field, acc] of Object.entries(group)) {
    if (field === '_id') continue
    const op = Object.keys(acc as object)[0]
    out[field] = op === '$sum' ? 0 : op === '$addToSet' ? [] : null
  }
  return out
}

/**
 * The documents a `localField` lookup found, less those whose key is null or missing: a null or missing
 * local value (or an empty array of them) matches such documents on MongoDB and mingo, and NULL never
 * equals anything in a join condition.
 */
function matched(found: string, foreignPath: string): unknown {
  return { $filter: { input: found, cond: NOT_NULL(`$$this.${foreignPath}`) } }
}

function inList(x: unknown, values: readonly unknown[], not: boolean): unknown {
  const test = { $in: [x, values] }
  return not ? { $not: [test] } : test
}

/** A typed filter value as data: text and numbers in `$literal`, instants as dates from their milliseconds. */
function scalar(v: FilterScalar): unknown {
  if (typeof v === 'object') return { $toDate: v.instant }
  return literal(v)
}

function sumOf(name: string, value: unknown): Accumulated {
  const n = `${name}__n`
  return {
    fields: { [name]: { $sum: value }, [n]: { $sum: { $cond: [isNullExpr(value), 0, 1] } } },
    value: { $cond: [{ $eq: [`$${n}`, 0] }, null, `$${name}`] },
  }
}

function countOf(name: string, value: unknown): Accumulated {
  return { fields: { [name]: { $sum: { $cond: [isNullExpr(value), 0, 1] } } }, value: `$${name}` }
}

function distinctCount(name: string, value: unknown): Accumulated {
  const present = { $filter: { input: `$${name}`, cond: NOT_NULL('$$this') } }
  return { fields: { [name]: { $addToSet: { $ifNull: [value, null] } } }, value: { $size: present } }
}

/** The cubes a template reads. */
function templateCubes(t: SqlTemplate, into = new Set<string>()): Set<string> {
  for (const part of t) if (typeof part !== 'string') into.add(part.cube)
  return into
}

/** The cubes a filter tree reads (measure filters read their cube). */
function filterCubes(f: PlanFilter, into = new Set<string>()): Set<string> {
  if (f.kind !== 'condition') {
    for (const c of f.children) filterCubes(c, into)
    return into
  }
  if (f.sql) templateCubes(f.sql, into)
  for (const t of f.filters ?? []) templateCubes(t, into)
  into.add(f.cube)
  return into
}

function describe(path: readonly (string | number)[]): string {
  if (path[0] === 'cubes' && path.length >= 4) return `The member ${path[1]}.${path[3]}`
  if (path[0] === 'cubes') return `The cube ${path[1]}`
  return 'A segment'
}

function unsupported(path: readonly (string | number)[], message: string): SemanticLayerError {
  return new SemanticLayerError('UNSUPPORTED', [{ code: 'UNSUPPORTED_FEATURE', path, message }])
}

function internal(message: string): SemanticLayerError {
  return new SemanticLayerError('INTERNAL', [
    { code: 'INTERNAL', path: [], message: `${message} This is a bug in cortex-semantic.` },
  ])
}
