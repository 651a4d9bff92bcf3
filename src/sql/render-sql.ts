import { SemanticLayerError } from '../errors.js'
import type { CompiledJoin, CompiledMeasure, CompiledModel, SqlTemplate } from '../model/compiled.js'
import type { Condition, FilterNode, FilterScalar } from '../query/normalized-query.js'
import type {
  PlannedDimension,
  PlannedMeasure,
  PreAggregatedCube,
  QueryPlan,
  TableFilters,
} from '../query/plan/build-plan.js'
import { foldedCubes } from '../query/plan/pre-aggregate.js'
import { likePattern, type ExactText, type SqlDialect } from './dialect.js'
import { CALENDAR_END_MS } from '../query/date-range.js'

/** SQL text with its bound parameters, in the connector's placeholder style. */
export interface RenderedSql {
  readonly sql: string
  readonly params: readonly unknown[]
}

/** What each result column is: its alias in the SQL and the keys it is returned under. */
export interface OutputColumn {
  readonly alias: string
  readonly keys: readonly string[]
  readonly kind: 'dimension' | 'measure'
  /** 'number' | 'string' | 'time' | 'boolean': how shape converts driver values. */
  readonly type: string
}

export interface RenderedQuery {
  /** The main statement; LIMIT asks for one row more than the limit, to tell whether rows were cut. */
  readonly main: RenderedSql
  /** `SELECT count(*)` over the same rows without limit and offset, when the query asked for total. */
  readonly total?: RenderedSql
  readonly columns: readonly OutputColumn[]
  /** The IANA zone the statements convert times to (bound as a parameter), if any: connectors check they can. */
  readonly timeZone?: string
}

class Params {
  readonly values: unknown[] = []
  constructor(private readonly dialect: SqlDialect) {}
  add(value: unknown): string {
    this.values.push(value)
    return this.dialect.placeholder(this.values.length)
  }
}

export interface RenderOptions {
  /** Omit LIMIT when the query set none (streaming); an explicit limit is kept, without the extra row. */
  readonly stream?: boolean
}

/** Render a plan as SQL for one dialect. Pure: no connection, no I/O. */
export function renderSql(
  plan: QueryPlan,
  model: CompiledModel,
  dialect: SqlDialect,
  options: RenderOptions = {},
): RenderedQuery {
  const columns: OutputColumn[] = [
    ...plan.dimensions.map((d) => ({ alias: d.alias, keys: d.keys, kind: 'dimension' as const, type: d.type })),
    ...plan.measures
      .filter((m) => m.selected)
      .map((m) => ({ alias: m.alias, keys: [m.key], kind: 'measure' as const, type: measureValueType(m.measure) })),
  ]
  const mainParams = new Params(dialect)
  const renderer = new Renderer(plan, model, dialect, mainParams)
  const body = renderer.body()
  // The total statement has the same expressions, so it binds the zone exactly when the main one does.
  const zone = renderer.zoneBound ? { timeZone: plan.timezone } : {}
  const order = plan.order.map(
    (o) => `${columns.findIndex((c) => c.keys[0] === o.key) + 1}${o.desc ? ' DESC' : ' ASC'}`,
  )
  let sql = body
  if (order.length > 0) sql += ` ORDER BY ${order.join(', ')}`
  if (!options.stream) {
    sql += ` ${dialect.limitOffset(mainParams.add(plan.limit + 1), plan.offset > 0 ? mainParams.add(plan.offset) : undefined)}`
  } else if (plan.explicitLimit || plan.offset > 0) {
    sql += ` ${dialect.limitOffset(mainParams.add(plan.explicitLimit ? plan.limit : Number.MAX_SAFE_INTEGER), plan.offset > 0 ? mainParams.add(plan.offset) : undefined)}`
  }
  const main = { sql, params: checkParameterCount(mainParams.values, dialect) }
  if (!plan.total) return { main, columns, ...zone }
  const totalParams = new Params(dialect)
  const totalBody = new Renderer(plan, model, dialect, totalParams).body()
  const q = (name: string): string => dialect.quoteIdentifier(name)
  const totalSql = `SELECT count(*) AS ${q('total')} FROM (${totalBody}) AS ${q('cortex_total')}`
  return { main, columns, ...zone, total: { sql: totalSql, params: checkParameterCount(totalParams.values, dialect) } }
}

/**
 * A statement with more bound values than its engine takes is refused here, before it is sent: SQLite and
 * MySQL fail it, and PostgreSQL's 16-bit count wraps and the server drops the connection. Filters repeat
 * inside fan-out subqueries, so the count is the rendered statement's, not the query's.
 */
function checkParameterCount(params: unknown[], dialect: SqlDialect): unknown[] {
  const max = dialect.maxParameters
  if (max !== undefined && params.length > max) {
    const message =
      `This query needs ${params.length} bound values in one statement, and ${dialect.name} takes at most` +
      ` ${max}. Use fewer filter values (split a long list over several queries, or filter on a coarser member).`
    throw new SemanticLayerError('QUERY_INVALID', [{ code: 'TOO_MANY_PARAMETERS', path: ['filters'], message }])
  }
  return params
}

export function measureValueType(m: CompiledMeasure): string {
  return m.type === 'string' || m.type === 'time' || m.type === 'boolean' ? m.type : 'number'
}

class Renderer {
  private readonly q: (name: string) => string
  private tzPlaceholder: (() => string) | undefined
  /** Whether the statement binds the query's time zone (a time dimension converted to it). */
  zoneBound = false
  /** Every cube of a folded branch (see {@link PreAggregatedCube}). */
  private readonly folded: ReadonlySet<string>

  constructor(
    private readonly plan: QueryPlan,
    private readonly model: CompiledModel,
    private readonly dialect: SqlDialect,
    private readonly params: Params,
  ) {
    this.q = (name) => dialect.quoteIdentifier(name)
    this.tzPlaceholder =
      plan.timezone === 'UTC'
        ? undefined
        : () => {
            this.zoneBound = true
            return this.params.add(dialect.timeZoneParam(plan.timezone))
          }
    this.folded = foldedCubes(plan.preAggregated)
  }

  body(): string {
    const { plan } = this
    const multiLevel = (!plan.ungrouped && plan.groups.length > 1) || plan.groups.some((g) => g.cube !== undefined)
    return multiLevel ? this.multiLevel() : this.singleLevel()
  }

  // ---- templates -------------------------------------------------------------------------------

  private template(t: SqlTemplate, measureSql?: (cube: string, name: string) => string): string {
    let out = ''
    for (const part of t) {
      if (typeof part === 'string') out += part
      else if (part.kind === 'cube') out += this.q(part.cube)
      else if (measureSql) out += `(${measureSql(part.cube, part.name)})`
      else
        throw new SemanticLayerError('INTERNAL', [
          { code: 'INTERNAL', path: [], message: 'A measure reference reached a row-level expression.' },
        ])
    }
    return out
  }

  private dimensionExpr(d: PlannedDimension): string {
    const column = this.template(d.sql)
    if (d.type !== 'time') return column
    return this.dialect.timeGroup(column, d.granularity ?? 'raw', this.tzPlaceholder)
  }

  /** `<cube's table> AS "cube"`. */
  private table(name: string): string {
    return `${this.template(this.model.cubes[name]!.from)} AS ${this.q(name)}`
  }

  /** FROM with the join tree; `only` keeps just the joins leading to those cubes. */
  private from(only?: ReadonlySet<string>): string {
    const { tree, preAggregated } = this.plan
    let sql = `FROM ${this.table(tree.root)}`
    for (const j of tree.joins) {
      if (only && !only.has(j.to)) continue
      const pre = preAggregated.find((p) => p.cube === j.to)
      if (pre) sql += ` LEFT JOIN ${this.preAggregatedCube(pre)}`
      // A folded branch's cube without measures of its own is joined only inside derived tables.
      else if (!this.folded.has(j.to)) sql += ` LEFT JOIN ${this.table(j.to)} ON ${this.template(j.sql)}`
    }
    return sql
  }

  /**
   * A cube of a folded branch: its measures' partial aggregates per row of the branch's parent, grouped
   * by the parent's primary key, then joined to the parent on that key. Parents without rows in the
   * cube get NULL partials, as with the plain LEFT JOIN. Inside the derived table the cube aliases are
   * the usual ones, so templates render as is.
   *
   * The parent and the path down to the cube are joined inside with the joins' own conditions. When the
   * branch's join is exactly `<child column> = <parent's single-column key>` and the query has no WHERE,
   * the parent is left out and the partials are grouped by the child's column, as one writes it by hand.
   * Otherwise the query's WHERE (and segments) go inside too, with the cubes they read, so only the parent
   * rows the query keeps are aggregated: a selective or tenant-scoped query never aggregates a whole
   * table. The parent is not multiplied by the rest of the tree (a condition of folding), so these joins
   * cannot repeat its rows.
   */
  private preAggregatedCube(pre: PreAggregatedCube): string {
    const { q } = this
    const parent = this.model.cubes[pre.parent]!
    const pk = parent.primaryKey.map((name) => this.template(parent.dimensions[name]!.sql))
    const filtered = this.plan.where.length > 0 || this.plan.segments.length > 0
    const foreignKey = filtered ? undefined : this.foreignKey(pre.path[0]!, pk)
    const select = (foreignKey === undefined ? pk : [foreignKey]).map((e, i) => `${e} AS ${q(`cortex_pk_${i}`)}`)
    for (const key of pre.measures) {
      const pm = this.measure(key)
      for (const [suffix, expr] of this.partials(pm.measure)) select.push(`${expr} AS ${q(pm.alias + suffix)}`)
    }
    const inner = (joins: readonly CompiledJoin[]): string =>
      joins.map((j) => ` INNER JOIN ${this.table(j.to)} ON ${this.template(j.sql)}`).join('')
    const from = filtered
      ? `${this.from(this.treeClosure(new Set([parent.name]), false))}${inner(pre.path)}${this.whereClause()}`
      : foreignKey !== undefined
        ? `FROM ${this.table(pre.path[0]!.to)}${inner(pre.path.slice(1))}`
        : `FROM ${this.table(parent.name)}${inner(pre.path)}`
    const derived = `(SELECT ${select.join(', ')} ${from} GROUP BY ${pk.map((_, i) => i + 1).join(', ')}) AS ${q(pre.cube)}`
    return `${derived} ON ${pk.map((e, i) => `${q(pre.cube)}.${q(`cortex_pk_${i}`)} = ${e}`).join(' AND ')}`
  }

  /**
   * The child's side of a join whose whole condition is `<child column> = <parent's key>` (either way
   * round, either side optionally parenthesized), rendered; undefined for anything else: another
   * operator, a second condition, an expression, a composite key.
   */
  private foreignKey(join: CompiledJoin, pk: readonly string[]): string | undefined {
    if (pk.length !== 1) return undefined
    const sides = splitEquality(join.sql)
    if (!sides) return undefined
    for (const [child, parent] of [sides, [sides[1], sides[0]]] as const) {
      if (
        isColumnOf(child, join.to) &&
        isColumnOf(parent, join.from) &&
        unwrap(this.template(parent)) === unwrap(pk[0]!)
      )
        return this.template(child).trim()
    }
    return undefined
  }

  /** Per-parent partial aggregates of a folded cube's measure, as [column suffix, expression]; avg carries sum and count. */
  private partials(m: CompiledMeasure): [string, string][] {
    if (m.type !== 'avg') return [['', this.rowAggregate(m)]]
    const sql = this.filtered(m, this.template(m.sql!))
    return [
      ['', `sum(${sql})`],
      ['_n', `count(${sql})`],
    ]
  }

  /** The outer aggregate over a folded cube's partials: the same value as over the cube's rows. */
  private foldedAggregate(m: CompiledMeasure, cube: string): string {
    const column = (suffix = ''): string => `${this.q(cube)}.${this.q(this.measure(m.key).alias + suffix)}`
    switch (m.type) {
      case 'count':
        return `coalesce(sum(${column()}), 0)`
      case 'avg':
        // 1e0 is a non-integer literal on every engine, so integer sums are never divided as integers.
        return `1e0 * sum(${column()}) / NULLIF(sum(${column('_n')}), 0)`
      default:
        return `${m.type}(${column()})`
    }
  }

  /**
   * The cubes a keys subquery must join: those its dimensions, filters and segments read, the
   * multiplied cube itself, and every cube on the tree path to them. Every join is a LEFT JOIN, so
   * leaving out the other leaves cannot add or remove (dimensions, key) pairs; it only avoids
   * multiplying rows that DISTINCT would fold again.
   */
  private keysCubes(cube: string): Set<string> {
    return this.treeClosure(new Set([cube]), true)
  }

  /**
   * `needed` plus the cubes that the WHERE conditions and segments read (and the dimensions, when
   * `withDimensions`), closed over tree paths to the root and over the cubes kept joins' conditions read.
   */
  private treeClosure(needed: Set<string>, withDimensions: boolean): Set<string> {
    const add = (t: SqlTemplate): void => {
      for (const part of t) if (typeof part !== 'string') needed.add(part.cube)
    }
    if (withDimensions) for (const d of this.plan.dimensions) add(d.sql)
    for (const s of this.plan.segments) add(s)
    const visit = (nodes: readonly FilterNode[]): void => {
      for (const n of nodes) {
        if (n.kind !== 'condition') visit(n.children)
        else {
          const owner = this.model.cubes[n.member.cube]!
          needed.add(n.member.cube)
          if (n.member.kind === 'dimension') add(owner.dimensions[n.member.name]!.sql)
          else owner.measures[n.member.name]!.filters.forEach(add)
        }
      }
    }
    visit(this.plan.where)
    const parent = new Map(this.plan.tree.joins.map((j) => [j.to, j.from]))
    // Close over tree paths, and over cubes that a kept join's own condition reads, until stable.
    for (let size = -1; size !== needed.size; ) {
      size = needed.size
      for (const c of [...needed]) for (let at = parent.get(c); at !== undefined; at = parent.get(at)) needed.add(at)
      for (const j of this.plan.tree.joins) if (needed.has(j.to)) add(j.sql)
    }
    return needed
  }

  /** The conditions of a {@link TableFilters}, each parenthesized, to AND into a join condition. */
  private tableFilters(filters: TableFilters | undefined): string[] {
    if (!filters) return []
    const where = filters.where.map((n) => this.filter(n, (m) => this.rowMember(m)))
    return [...where, ...filters.segments.map((s) => `(${this.template(s)})`)]
  }

  private whereClause(): string {
    const parts = [
      ...this.plan.where.map((n) => this.filter(n, (m) => this.rowMember(m))),
      ...this.plan.segments.map((s) => `(${this.template(s)})`),
    ]
    return parts.length ? ` WHERE ${joinLogical(parts, 'AND')}` : ''
  }

  // ---- measures --------------------------------------------------------------------------------

  private measure(key: string): PlannedMeasure {
    const m = this.plan.measures.find((x) => x.measure.key === key)
    if (!m)
      throw new SemanticLayerError('INTERNAL', [
        { code: 'INTERNAL', path: [], message: 'A measure dependency was not planned.' },
      ])
    return m
  }

  /** The aggregate for a base measure in the query: over a folded cube's partials, or over the rows in scope. */
  private aggregate(m: CompiledMeasure): string {
    return this.plan.preAggregated.some((l) => l.cube === m.cube)
      ? this.foldedAggregate(m, m.cube)
      : this.rowAggregate(m)
  }

  /** `x` restricted to the rows passing the measure's own `filters` (CASE WHEN inside the aggregate). */
  private filtered(m: CompiledMeasure, x: string): string {
    return m.filters.length
      ? `CASE WHEN ${m.filters.map((f) => `(${this.template(f)})`).join(' AND ')} THEN ${x} END`
      : x
  }

  /** The aggregate for a base measure over the rows in scope (count without sql on a multiplied cube counts distinct keys). */
  private rowAggregate(m: CompiledMeasure): string {
    const cond = m.filters.length ? m.filters.map((f) => `(${this.template(f)})`).join(' AND ') : undefined
    const when = (x: string): string => this.filtered(m, x)
    const sql = m.sql ? this.template(m.sql) : undefined
    if (this.plan.ungrouped) {
      if (m.type === 'count' || m.type === 'count_distinct') {
        // One row counts 1 when the cube's row is present (a LEFT JOIN may have found none) and passes the filters.
        const pk = this.model.cubes[m.cube]!.primaryKey
        const presence = sql
          ? `(${sql}) IS NOT NULL`
          : pk.length > 0
            ? pk
                .map((n) => `(${this.template(this.model.cubes[m.cube]!.dimensions[n]!.sql)}) IS NOT NULL`)
                .join(' AND ')
            : undefined
        const present = [cond, presence].filter(Boolean).join(' AND ')
        return present ? `CASE WHEN ${present} THEN 1 ELSE 0 END` : '1'
      }
      return sql ? when(sql) : '1'
    }
    switch (m.type) {
      case 'count': {
        if (sql) return `count(${when(sql)})`
        // Count the cube's own rows: by primary key, so rows a LEFT JOIN did not match count as 0 and
        // rows the join tree repeats count once.
        const cube = this.model.cubes[m.cube]!
        const pk = cube.primaryKey
        if (pk.length === 1) {
          const key = this.template(cube.dimensions[pk[0]!]!.sql)
          return this.plan.multiplied.includes(m.cube) ? `count(DISTINCT ${when(key)})` : `count(${when(key)})`
        }
        if (pk.length > 1)
          return `count(${when(`CASE WHEN ${pk.map((n) => `(${this.template(cube.dimensions[n]!.sql)}) IS NOT NULL`).join(' AND ')} THEN 1 END`)})`
        if (m.cube !== this.plan.tree.root) {
          throw new SemanticLayerError('UNSUPPORTED', [
            {
              code: 'MISSING_PRIMARY_KEY',
              path: [],
              message: `Counting ${m.cube} rows through a join needs its primary key. Declare primary_key: true on the dimension that identifies a row of '${m.cube}'.`,
            },
          ])
        }
        return cond ? `count(${when('1')})` : 'count(*)'
      }
      case 'count_distinct':
        if (m.approximate && this.dialect.approxCountDistinct) return this.dialect.approxCountDistinct(when(sql!))
        return `count(DISTINCT ${when(sql!)})`
      case 'sum':
      case 'avg':
      case 'min':
      case 'max':
        return `${m.type}(${when(sql!)})`
      default:
        return sql!
    }
  }

  /** Expression for any measure in a single-level query: aggregates inline, calculated ones expanded. */
  private inlineMeasure(key: string): string {
    const m = this.measure(key).measure
    if (!m.calculated) return this.aggregate(m)
    return this.template(m.sql!, (c, n) => this.inlineMeasure(`${c}.${n}`))
  }

  /** Expression for any measure in the outer query of a multi-level plan. */
  private outerMeasure(key: string): string {
    const pm = this.measure(key)
    if (!pm.measure.calculated) return `${this.q(`q${pm.group}`)}.${this.q(pm.alias)}`
    return this.template(pm.measure.sql!, (c, n) => this.outerMeasure(`${c}.${n}`))
  }

  // ---- filters ---------------------------------------------------------------------------------

  private rowMember(member: { cube: string; name: string; kind: string }): string {
    const cube = this.model.cubes[member.cube]!
    if (member.kind === 'dimension') return this.template(cube.dimensions[member.name]!.sql)
    throw new SemanticLayerError('INTERNAL', [
      { code: 'INTERNAL', path: [], message: 'A measure condition reached WHERE.' },
    ])
  }

  private filter(node: FilterNode, column: (member: { cube: string; name: string; kind: string }) => string): string {
    if (node.kind !== 'condition') {
      if (node.children.length === 0) return node.kind === 'and' ? '1 = 1' : '1 = 0'
      return `(${joinLogical(
        node.children.map((c) => this.filter(c, column)),
        node.kind === 'and' ? 'AND' : 'OR',
      )})`
    }
    if (node.condition.op === 'measureFilter') {
      const m = this.model.cubes[node.member.cube]!.measures[node.member.name]!
      return m.filters.length ? `(${m.filters.map((f) => `(${this.template(f)})`).join(' AND ')})` : '1 = 1'
    }
    const col = column(node.member)
    // Security filters compare text exactly (dialect.exact); numbers, booleans and times compare by value anyway.
    const exact = node.exact === true && node.type === 'string'
    return this.condition(node.condition, col, node.type === 'time' && node.member.kind === 'dimension', exact)
  }

  private value(v: FilterScalar): string {
    if (typeof v === 'object')
      return this.dialect.instantPlaceholder(this.params.add(this.dialect.instantParam(v.instant)))
    if (typeof v === 'boolean') return this.params.add(this.dialect.booleanParam(v))
    return this.params.add(v)
  }

  private lastInstant(): string {
    const value = this.dialect.lastInstantParam ?? this.dialect.instantParam(CALENDAR_END_MS - 1)
    return this.dialect.instantPlaceholder(this.params.add(value))
  }

  /** `exact`: a security filter on text (see {@link ExactText}). */
  private condition(
    c: Exclude<Condition, { op: 'measureFilter' }>,
    rawColumn: string,
    isTime: boolean,
    exact: boolean,
  ): string {
    const col = isTime ? this.dialect.timeComparable(rawColumn) : rawColumn
    const orNull = (sql: string, add: boolean): string => (add ? `(${sql} OR ${rawColumn} IS NULL)` : `(${sql})`)
    const x = this.dialect.exact
    switch (c.op) {
      case 'null':
        return `(${rawColumn} IS ${c.not ? 'NOT ' : ''}NULL)`
      case 'in': {
        if (exact) return orNull(this.exactIn(col, c.not, c.values), c.orNull)
        return orNull(
          `${col}${inList(
            c.not,
            c.values.map((v) => this.value(v)),
          )}`,
          c.orNull,
        )
      }
      case 'like': {
        const parts = c.values.map((v) =>
          exact
            ? x.match(col, c.not, this.params.add(x.pattern(v, c.mode)))
            : this.dialect.like(col, c.not, this.params.add((this.dialect.likePattern ?? likePattern)(v, c.mode))),
        )
        return orNull(joinLogical(parts, c.not ? 'AND' : 'OR'), c.orNull)
      }
      case 'compare':
        if (exact) return `(${x.text(col)} ${c.cmp} ${x.value(this.value(c.value))})`
        return `(${col} ${c.cmp} ${this.value(c.value)})`
      case 'range': {
        const from = this.value({ instant: c.fromMs })
        // A range reaching the calendar's end: `< year 10000` cannot be compared, `<= its last instant` can.
        const end = c.toExclusiveMs >= CALENDAR_END_MS
        const to = end ? this.lastInstant() : this.value({ instant: c.toExclusiveMs })
        const [below, above] = end ? ['<=', '>'] : ['<', '>=']
        return c.not ? `(${col} < ${from} OR ${col} ${above} ${to})` : `(${col} >= ${from} AND ${col} ${below} ${to})`
      }
    }
  }

  /**
   * Equality of a security filter: the column's own `=` / `IN` (it can use the column's index, and every
   * exactly equal row passes it under any collation) AND the dialect's exact comparison. The negation
   * needs only the exact side. Parameters are added in text order (positional placeholders).
   */
  private exactIn(col: string, not: boolean, values: readonly FilterScalar[]): string {
    const x = this.dialect.exact
    if (not)
      return `${x.text(col)}${inList(
        true,
        values.map((v) => x.value(this.value(v))),
      )}`
    const own = `${col}${inList(
      false,
      values.map((v) => this.value(v)),
    )}`
    return `${own} AND ${x.text(col)}${inList(
      false,
      values.map((v) => x.value(this.value(v))),
    )}`
  }

  // ---- statements ------------------------------------------------------------------------------

  private singleLevel(): string {
    const { plan } = this
    const select: string[] = plan.dimensions.map((d) => `${this.dimensionExpr(d)} AS ${this.q(d.alias)}`)
    for (const m of plan.measures)
      if (m.selected) select.push(`${this.inlineMeasure(m.measure.key)} AS ${this.q(m.alias)}`)
    let sql = `SELECT ${select.join(', ')} ${this.from()}${this.whereClause()}`
    if (!plan.ungrouped && plan.dimensions.length > 0)
      sql += ` GROUP BY ${plan.dimensions.map((_, i) => i + 1).join(', ')}`
    if (plan.having.length > 0) {
      const having = plan.having.map((n) => this.filter(n, (m) => this.inlineMeasure(`${m.cube}.${m.name}`)))
      sql += ` HAVING ${joinLogical(having, 'AND')}`
    }
    return sql
  }

  /**
   * Fan-out safe form: one subquery per measure group, each grouped by every dimension, joined on the
   * dimensions null-safely. A multiplied cube's measures are aggregated over `SELECT DISTINCT dims, pk`
   * of the whole join tree joined back to the cube on its primary key, so each of its rows counts once.
   */
  private multiLevel(): string {
    const { plan, q } = this
    const dims = plan.dimensions
    const groupBy = dims.length > 0 ? ` GROUP BY ${dims.map((_, i) => i + 1).join(', ')}` : ''
    const subqueries = plan.groups.map((group, gi) => {
      const members = plan.measures.filter((m) => m.group === gi)
      if (group.cube === undefined) {
        const select = [
          ...dims.map((d) => `${this.dimensionExpr(d)} AS ${q(d.alias)}`),
          ...members.map((m) => `${this.aggregate(m.measure)} AS ${q(m.alias)}`),
        ]
        return `SELECT ${select.join(', ')} ${this.from()}${this.whereClause()}${groupBy}`
      }
      const cube = this.model.cubes[group.cube]!
      const pkExprs = cube.primaryKey.map((name) => this.template(cube.dimensions[name]!.sql))
      const keysSelect = [
        ...dims.map((d) => `${this.dimensionExpr(d)} AS ${q(d.alias)}`),
        ...pkExprs.map((e, i) => `${e} AS ${q(`cortex_pk_${i}`)}`),
      ]
      const keys = `SELECT DISTINCT ${keysSelect.join(', ')} ${this.from(this.keysCubes(group.cube))}${this.whereClause()}`
      // The table read again: on its key, and under the row filters of its own (after the keys: parameter order).
      const onKey = pkExprs.map((e, i) => `${q('cortex_keys')}.${q(`cortex_pk_${i}`)} = ${e}`)
      const on = [...onKey, ...this.tableFilters(group.rejoinFilters)].join(' AND ')
      const select = [
        ...dims.map((d) => `${q('cortex_keys')}.${q(d.alias)} AS ${q(d.alias)}`),
        ...members.map((m) => `${this.aggregate(m.measure)} AS ${q(m.alias)}`),
      ]
      return `SELECT ${select.join(', ')} FROM (${keys}) AS ${q('cortex_keys')} LEFT JOIN ${this.template(cube.from)} AS ${q(cube.name)} ON ${on}${groupBy}`
    })
    const select = [...dims.map((d) => `${q('q0')}.${q(d.alias)} AS ${q(d.alias)}`)]
    for (const m of plan.measures) if (m.selected) select.push(`${this.outerMeasure(m.measure.key)} AS ${q(m.alias)}`)
    let sql = `SELECT ${select.join(', ')} FROM (${subqueries[0]}) AS ${q('q0')}`
    for (let i = 1; i < subqueries.length; i++) {
      const on = dims.length
        ? dims
            .map((d) => this.dialect.nullSafeEquals(`${q('q0')}.${q(d.alias)}`, `${q(`q${i}`)}.${q(d.alias)}`))
            .join(' AND ')
        : '1 = 1'
      sql += ` INNER JOIN (${subqueries[i]}) AS ${q(`q${i}`)} ON ${on}`
    }
    if (plan.having.length > 0) {
      const having = plan.having.map((n) => this.filter(n, (m) => this.outerMeasure(`${m.cube}.${m.name}`)))
      sql += ` WHERE ${joinLogical(having, 'AND')}`
    }
    return sql
  }
}

/** Conditions up to this many are joined as a flat list; longer lists are nested in balanced halves. */
const FLAT_CONDITIONS = 64

/**
 * `a OR b OR c ...`: flat for short lists. SQLite parses a flat list as a tree as deep as the list and
 * refuses trees deeper than 1000 (SQLITE_MAX_EXPR_DEPTH), so long lists (many `contains` values, a large
 * `or` group) are nested in balanced halves, a tree only log2(n) deep. Same result on every engine.
 */
function joinLogical(parts: readonly string[], op: 'AND' | 'OR'): string {
  if (parts.length <= FLAT_CONDITIONS) return parts.join(` ${op} `)
  const half = parts.length >> 1
  return `(${joinLogical(parts.slice(0, half), op)}) ${op} (${joinLogical(parts.slice(half), op)})`
}

/** ` = v`, ` <> v`, ` IN (v, w)` or ` NOT IN (v, w)`: the right-hand side of an equality filter. */
function inList(not: boolean, values: readonly string[]): string {
  return values.length === 1 ? ` ${not ? '<>' : '='} ${values[0]}` : ` ${not ? 'NOT IN' : 'IN'} (${values.join(', ')})`
}

/** The two sides of a template whose only operator character is one `=` (not `<=`, `>=`, `!=`, `<=>`). */
function splitEquality(t: SqlTemplate): [SqlTemplate, SqlTemplate] | undefined {
  let at = -1
  for (const [i, part] of t.entries()) {
    if (typeof part !== 'string') continue
    const n = part.split('=').length - 1
    if (n > 1 || (n === 1 && at !== -1)) return undefined
    if (n === 1) at = i
  }
  if (at === -1) return undefined
  const text = t[at] as string
  const k = text.indexOf('=')
  if (/[<>!]/.test(text[k - 1] ?? '')) return undefined
  return [
    [...t.slice(0, at), text.slice(0, k)],
    [text.slice(k + 1), ...t.slice(at + 1)],
  ]
}

/** Is the template exactly one column of `cube`: `{cube}.name`, optionally in parentheses? */
function isColumnOf(t: SqlTemplate, cube: string): boolean {
  let text = ''
  for (const part of t) {
    if (typeof part === 'string') text += part
    else if (part.kind === 'cube' && part.cube === cube) text += '\u0000'
    else return false
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: \u0000 marks the cube reference in the text
  return /^\s*(?:\(\s*\u0000\.(?:[A-Za-z_][A-Za-z0-9_]*|"[^"]+"|`[^`]+`)\s*\)|\u0000\.(?:[A-Za-z_][A-Za-z0-9_]*|"[^"]+"|`[^`]+`))\s*$/.test(
    text,
  )
}

/** SQL text without surrounding whitespace and one pair of enclosing parentheses. */
function unwrap(sql: string): string {
  const s = sql.trim()
  return s.startsWith('(') && s.endsWith(')') ? s.slice(1, -1).trim() : s
}
