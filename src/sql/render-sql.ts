import type { PrintedQuery, PrintOptions } from '../backend/backend.js'
import { SemanticLayerError } from '../errors.js'
import type { SqlTemplate } from '../model/compiled.js'
import type { Condition, FilterScalar } from '../query/normalized-query.js'
import type {
  FoldedCube,
  PlanCondition,
  PlanCube,
  PlanFilter,
  PlannedDimension,
  PlannedMeasure,
  QueryPlan,
  TableFilters,
} from '../query/plan/query-plan.js'
import { likePattern, type ExactText, type ParamType, type SqlDialect } from './dialect.js'
import { CALENDAR_END_MS } from '../query/date-range.js'

export type { OutputColumn } from '../query/plan/query-plan.js'

/** SQL text with its bound parameters, in the connector's placeholder style. */
export interface RenderedSql {
  readonly sql: string
  readonly params: readonly unknown[]
}

/**
 * The statements of a plan for one SQL dialect. `main`'s LIMIT asks for one row more than the limit, to
 * tell whether rows were cut; `total` is `SELECT count(*)` over the same rows without limit and offset,
 * when the query asked for it; `timeZone` is the IANA zone the statements convert times to (bound as a
 * parameter), if any: connectors check they can.
 */
export type RenderedQuery = PrintedQuery<RenderedSql>

class Params {
  readonly values: unknown[] = []
  constructor(private readonly dialect: SqlDialect) {}
  /** Bind `value`; `type` says what it holds, for dialects whose placeholders carry a type. */
  add(value: unknown, type: ParamType): string {
    this.values.push(value)
    return this.dialect.placeholder(this.values.length, type)
  }
}

/** Omit LIMIT when the query set none (streaming); an explicit limit is kept, without the extra row. */
export type RenderOptions = PrintOptions

/**
 * Print a plan as SQL for one dialect. Pure: no connection, no I/O, no model. Every decision (strategy,
 * joins, folds, keys subqueries, how rows are counted) is read from the plan; this only spells it.
 */
export function renderSql(plan: QueryPlan, dialect: SqlDialect, options: RenderOptions = {}): RenderedQuery {
  const { columns } = plan
  const mainParams = new Params(dialect)
  const renderer = new Renderer(plan, dialect, mainParams)
  const body = renderer.body()
  // The total statement has the same expressions, so it binds the zone exactly when the main one does.
  const zone = renderer.zoneBound ? { timeZone: plan.timezone } : {}
  const order = plan.order.map((o) => `${o.column}${o.desc ? ' DESC' : ' ASC'}`)
  let sql = body
  if (order.length > 0) sql += ` ORDER BY ${order.join(', ')}`
  // Parameters in text order: the limit, then the offset.
  const paging = (limit: number): string => {
    const l = mainParams.add(limit, 'integer')
    return ` ${dialect.limitOffset(l, plan.offset > 0 ? mainParams.add(plan.offset, 'integer') : undefined)}`
  }
  if (!options.stream) sql += paging(plan.limit + 1)
  else if (plan.explicitLimit || plan.offset > 0)
    sql += paging(plan.explicitLimit ? plan.limit : Number.MAX_SAFE_INTEGER)
  const main = { sql, params: checkParameterCount(mainParams.values, dialect) }
  if (!plan.total) return { main, columns, ...zone }
  const totalParams = new Params(dialect)
  const totalBody = new Renderer(plan, dialect, totalParams).body()
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

class Renderer {
  private readonly q: (name: string) => string
  private tzPlaceholder: (() => string) | undefined
  /** Whether the statement binds the query's time zone (a time dimension converted to it). */
  zoneBound = false
  constructor(
    private readonly plan: QueryPlan,
    private readonly dialect: SqlDialect,
    private readonly params: Params,
  ) {
    this.q = (name) => dialect.quoteIdentifier(name)
    this.tzPlaceholder =
      plan.timezone === 'UTC'
        ? undefined
        : () => {
            this.zoneBound = true
            return this.params.add(dialect.timeZoneParam(plan.timezone), 'zone')
          }
  }

  body(): string {
    return this.plan.strategy === 'multi' ? this.multiLevel() : this.singleLevel()
  }

  // Lookups by linear search: a plan has a handful of cubes and measures, and a Map per render costs more.
  private cube(name: string): PlanCube {
    const cube = this.plan.cubes.find((c) => c.name === name)
    if (!cube) throw internal('A cube outside the join tree reached the printer.')
    return cube
  }

  // ---- templates -------------------------------------------------------------------------------

  private template(t: SqlTemplate, measureSql?: (cube: string, name: string) => string): string {
    let out = ''
    for (const part of t) {
      if (typeof part === 'string') out += part
      else if (part.kind === 'cube') out += this.q(part.cube)
      else if (measureSql) out += `(${measureSql(part.cube, part.name)})`
      else throw internal('A measure reference reached a row-level expression.')
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
    return `${this.template(this.cube(name).table)} AS ${this.q(name)}`
  }

  /** FROM with the join tree; `only` keeps just the joins leading to those cubes. */
  private from(only?: readonly string[]): string {
    const { tree, folds, foldedJoinsOnly } = this.plan
    let sql = `FROM ${this.table(tree.root)}`
    for (const j of tree.joins) {
      if (only && !only.includes(j.to)) continue
      const fold = folds.find((p) => p.cube === j.to)
      if (fold) sql += ` LEFT JOIN ${this.foldedCube(fold)}`
      else if (!foldedJoinsOnly.includes(j.to)) sql += ` LEFT JOIN ${this.table(j.to)} ON ${this.template(j.sql)}`
    }
    return sql
  }

  /**
   * A cube of a folded branch: its measures' partial aggregates per row of the branch's parent, grouped
   * by the parent's primary key (or the child's foreign key: `fold.source`), then joined to the parent on
   * that key. Parents without rows in the cube get NULL partials, as with the plain LEFT JOIN. Inside the
   * derived table the cube aliases are the usual ones, so templates render as is.
   */
  private foldedCube(fold: FoldedCube): string {
    const { q } = this
    const parent = this.cube(fold.parent)
    const pk = parent.primaryKey.map((t) => this.template(t))
    const { source } = fold
    const keys = source.kind === 'foreignKey' ? [this.template(source.column)] : pk
    const select = keys.map((e, i) => `${e} AS ${q(`cortex_pk_${i}`)}`)
    for (const key of fold.measures) {
      const pm = this.measure(key)
      for (const [suffix, expr] of this.partials(pm)) select.push(`${expr} AS ${q(pm.alias + suffix)}`)
    }
    const inner = (joins: QueryPlan['tree']['joins']): string =>
      joins.map((j) => ` INNER JOIN ${this.table(j.to)} ON ${this.template(j.sql)}`).join('')
    const from =
      source.kind === 'scoped'
        ? `${this.from(source.cubes)}${inner(fold.path)}${this.whereClause()}`
        : source.kind === 'foreignKey'
          ? `FROM ${this.table(fold.path[0]!.to)}${inner(fold.path.slice(1))}`
          : `FROM ${this.table(parent.name)}${inner(fold.path)}`
    const groupBy = pk.map((_, i) => i + 1).join(', ')
    const derived = `(SELECT ${select.join(', ')} ${from} GROUP BY ${groupBy}) AS ${q(fold.cube)}`
    return `${derived} ON ${pk.map((e, i) => `${q(fold.cube)}.${q(`cortex_pk_${i}`)} = ${e}`).join(' AND ')}`
  }

  /** Per-parent partial aggregates of a folded cube's measure, as [column suffix, expression]; avg carries sum and count. */
  private partials(m: PlannedMeasure): [string, string][] {
    if (m.type !== 'avg') return [['', this.rowAggregate(m)]]
    const sql = this.filtered(m, this.template(m.sql!))
    return [
      ['', `sum(${sql})`],
      ['_n', `count(${sql})`],
    ]
  }

  /** The outer aggregate over a folded cube's partials: the same value as over the cube's rows. */
  private foldedAggregate(m: PlannedMeasure): string {
    const column = (suffix = ''): string => `${this.q(m.cube)}.${this.q(m.alias + suffix)}`
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
    const m = this.plan.measures.find((x) => x.member === key)
    if (!m) throw internal('A measure dependency was not planned.')
    return m
  }

  /** The aggregate for a base measure in the query: over a folded cube's partials, or over the rows in scope. */
  private aggregate(m: PlannedMeasure): string {
    return m.folded ? this.foldedAggregate(m) : this.rowAggregate(m)
  }

  /** `x` restricted to the rows passing the measure's own `filters` (CASE WHEN inside the aggregate). */
  private filtered(m: PlannedMeasure, x: string): string {
    return m.filters.length
      ? `CASE WHEN ${m.filters.map((f) => `(${this.template(f)})`).join(' AND ')} THEN ${x} END`
      : x
  }

  /** The aggregate for a base measure over the rows in scope (a count without sql counts as `rowCount` says). */
  private rowAggregate(m: PlannedMeasure): string {
    const cond = m.filters.length ? m.filters.map((f) => `(${this.template(f)})`).join(' AND ') : undefined
    const when = (x: string): string => this.filtered(m, x)
    const sql = m.sql ? this.template(m.sql) : undefined
    const isSet = (keys: readonly SqlTemplate[]): string =>
      keys.map((k) => `(${this.template(k)}) IS NOT NULL`).join(' AND ')
    if (this.plan.ungrouped) {
      if (m.type === 'count' || m.type === 'count_distinct') {
        // One row counts 1 when the cube's row is present (a LEFT JOIN may have found none) and passes the filters.
        const pk = this.cube(m.cube).primaryKey
        const presence = sql ? `(${sql}) IS NOT NULL` : pk.length > 0 ? isSet(pk) : undefined
        const present = [cond, presence].filter(Boolean).join(' AND ')
        return present ? `CASE WHEN ${present} THEN 1 ELSE 0 END` : '1'
      }
      return sql ? when(sql) : '1'
    }
    switch (m.type) {
      case 'count': {
        if (sql) return `count(${when(sql)})`
        const rows = m.rowCount
        if (rows?.kind === 'key') {
          const key = this.template(rows.key)
          return rows.distinct ? `count(DISTINCT ${when(key)})` : `count(${when(key)})`
        }
        if (rows?.kind === 'keys') return `count(${when(`CASE WHEN ${isSet(rows.keys)} THEN 1 END`)})`
        return cond ? `count(${when('1')})` : 'count(*)'
      }
      case 'count_distinct':
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
    const m = this.measure(key)
    if (!m.calculated) return this.aggregate(m)
    return this.template(m.sql!, (c, n) => this.inlineMeasure(`${c}.${n}`))
  }

  /** Expression for any measure in the outer query of a multi-level plan. */
  private outerMeasure(key: string): string {
    const pm = this.measure(key)
    if (!pm.calculated) return `${this.q(`q${pm.group}`)}.${this.q(pm.alias)}`
    return this.template(pm.sql!, (c, n) => this.outerMeasure(`${c}.${n}`))
  }

  // ---- filters ---------------------------------------------------------------------------------

  private rowMember(c: PlanCondition): string {
    if (c.sql) return this.template(c.sql)
    throw internal('A measure condition reached WHERE.')
  }

  private filter(node: PlanFilter, column: (c: PlanCondition) => string): string {
    if (node.kind !== 'condition') {
      if (node.children.length === 0) return node.kind === 'and' ? '1 = 1' : '1 = 0'
      return `(${joinLogical(
        node.children.map((c) => this.filter(c, column)),
        node.kind === 'and' ? 'AND' : 'OR',
      )})`
    }
    if (node.condition.op === 'measureFilter') {
      const filters = node.filters ?? []
      return filters.length ? `(${filters.map((f) => `(${this.template(f)})`).join(' AND ')})` : '1 = 1'
    }
    const col = column(node)
    // Security filters compare text exactly (dialect.exact); numbers, booleans and times compare by value anyway.
    const exact = node.exact === true && node.type === 'string'
    return this.condition(node.condition, col, node.type === 'time' && node.memberKind === 'dimension', exact)
  }

  private value(v: FilterScalar): string {
    if (typeof v === 'object')
      return this.dialect.instantPlaceholder(this.params.add(this.dialect.instantParam(v.instant), 'instant'))
    if (typeof v === 'boolean') return this.params.add(this.dialect.booleanParam(v), 'boolean')
    return this.params.add(v, typeof v === 'number' ? 'number' : 'string')
  }

  private lastInstant(): string {
    const value = this.dialect.lastInstantParam ?? this.dialect.instantParam(CALENDAR_END_MS - 1)
    return this.dialect.instantPlaceholder(this.params.add(value, 'instant'))
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
    const escapeChar = this.dialect.likeEscape ?? '!'
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
            ? x.match(col, c.not, this.params.add(x.pattern(v, c.mode), 'string'))
            : this.dialect.like(col, c.not, this.params.add(likePattern(v, c.mode, escapeChar), 'string')),
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
    for (const m of plan.measures) if (m.selected) select.push(`${this.inlineMeasure(m.member)} AS ${this.q(m.alias)}`)
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
          ...members.map((m) => `${this.aggregate(m)} AS ${q(m.alias)}`),
        ]
        return `SELECT ${select.join(', ')} ${this.from()}${this.whereClause()}${groupBy}`
      }
      const cube = this.cube(group.cube)
      const pkExprs = cube.primaryKey.map((t) => this.template(t))
      const keysSelect = [
        ...dims.map((d) => `${this.dimensionExpr(d)} AS ${q(d.alias)}`),
        ...pkExprs.map((e, i) => `${e} AS ${q(`cortex_pk_${i}`)}`),
      ]
      const keys = `SELECT DISTINCT ${keysSelect.join(', ')} ${this.from(group.keysCubes)}${this.whereClause()}`
      // The table read again: on its key, and under the row filters of its own (after the keys: parameter order).
      const onKey = pkExprs.map((e, i) => `${q('cortex_keys')}.${q(`cortex_pk_${i}`)} = ${e}`)
      const on = [...onKey, ...this.tableFilters(group.rejoinFilters)].join(' AND ')
      const select = [
        ...dims.map((d) => `${q('cortex_keys')}.${q(d.alias)} AS ${q(d.alias)}`),
        ...members.map((m) => `${this.aggregate(m)} AS ${q(m.alias)}`),
      ]
      return `SELECT ${select.join(', ')} FROM (${keys}) AS ${q('cortex_keys')} LEFT JOIN ${this.table(cube.name)} ON ${on}${groupBy}`
    })
    const select = [...dims.map((d) => `${q('q0')}.${q(d.alias)} AS ${q(d.alias)}`)]
    for (const m of plan.measures) if (m.selected) select.push(`${this.outerMeasure(m.member)} AS ${q(m.alias)}`)
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

function internal(message: string): SemanticLayerError {
  return new SemanticLayerError('INTERNAL', [{ code: 'INTERNAL', path: [], message }])
}
