/**
 * Drift: does the model still fit the database? Tables of `sql_table` cubes must exist; members that are
 * plain column references must name existing columns of a type that fits the member; every other
 * member, and every join, is probed by having the database plan (EXPLAIN) its real compiled SQL, which
 * resolves every table, column and function without reading a row.
 */
import { sqlDialectOf, sqlStatement, type Connector } from '../connectors/connector.js'
import { createSemanticLayer, type ModelInput, type SemanticLayer } from '../create-semantic-layer.js'
import { describeName, isSemanticLayerError, type ErrorIssue } from '../errors.js'
import type { CompiledCube, CompiledDimension, CompiledMeasure, CompiledSegment } from '../model/compiled.js'
import type { SqlTemplate } from '../model/compiled.js'
import { compileModel } from '../model/compile-model.js'
import type { ModelDefinition } from '../model/definition.js'
import { parseModel } from '../model/load-model.js'
import { deepFreeze } from '../util/objects.js'
import { parseDottedName, type WrittenName } from './identifiers.js'
import { introspectorFor, tableLabel } from './introspector.js'
import type { ColumnInfo, ColumnKind, SourceIntrospector, TableRef } from './introspector.js'

export interface CheckDriftOptions {
  /** What loadModel() returns, or Cube-format objects. */
  readonly model: ModelInput
  /** Connectors by data source name, as for createSemanticLayer (cubes without data_source use `default`). */
  readonly connectors: Readonly<Record<string, Connector>>
  /** Catalog readers by data source name, for sources without a built-in one. */
  readonly introspectors?: Readonly<Record<string, SourceIntrospector>>
}

/** One way the model no longer fits its database. `path` points into the model, like a validation issue. */
export interface DriftIssue extends ErrorIssue {
  readonly cube: string
  /** The member (or, for a join, the joined cube) the issue is about. */
  readonly member?: string
  readonly table?: string
  readonly column?: string
  /** For type mismatches: the column kinds the member needs, and the column's type. */
  readonly expected?: string
  readonly actual?: string
}

export interface DriftCounts {
  /** Cubes checked (those whose data source has a connector). */
  readonly cubes: number
  /** Tables found in catalogs. */
  readonly tables: number
  /** Plain column references checked in catalogs. */
  readonly columns: number
  /** Statements planned (EXPLAIN) on the database. */
  readonly probes: number
}

export interface DriftReport {
  /** True when no issue was found. */
  readonly ok: boolean
  readonly issues: readonly DriftIssue[]
  readonly checked: DriftCounts
}

type Counts = { -readonly [K in keyof DriftCounts]: number }

/**
 * Check a model against its databases. Nothing is written and no table is read: catalogs are queried
 * and statements are only planned (`EXPLAIN`; SQLite `EXPLAIN QUERY PLAN`). Access policies and
 * `public` flags are ignored for the check, so every member is probed. The connectors stay open.
 *
 * @throws SemanticLayerError `MODEL_INVALID` when the model itself does not compile.
 * @example
 * const report = await checkDrift({ model: await loadModel('./model'), connectors: { default: pg } })
 * for (const issue of report.issues) console.log(`${issue.cube}: ${issue.message}`)
 */
export async function checkDrift(options: CheckDriftOptions): Promise<DriftReport> {
  const definition = openDefinition(options.model)
  const compiled = compileModel(definition)
  const issues: DriftIssue[] = []
  const checked: Counts = { cubes: 0, tables: 0, columns: 0, probes: 0 }
  // Compile-only (layer.sql with a dialect): the layer never touches, or closes, the caller's connectors.
  const layer = createSemanticLayer({ model: definition, connectors: {}, cache: false, compiledQueries: false })
  const connectorOf = (name: string): Connector | undefined =>
    Object.hasOwn(options.connectors, name) ? options.connectors[name] : undefined
  const sources = new Map<string, SourceIntrospector>()
  const sourceOf = (name: string, connector: Connector): SourceIntrospector => {
    const found = sources.get(name) ?? options.introspectors?.[name] ?? introspectorFor(connector)
    sources.set(name, found)
    return found
  }
  try {
    const missing = new Set<string>()
    for (const cube of Object.values(compiled.cubes)) {
      const connector = connectorOf(cube.dataSource)
      const at = [...(cube.file ? [cube.file] : []), 'cubes', cube.name]
      if (!connector) {
        const message = `No connector for data source ${describeName(cube.dataSource)}; the cube was not checked.`
        issues.push({ code: 'CONNECTOR_MISSING', path: at, cube: cube.name, message })
        missing.add(cube.name)
        continue
      }
      checked.cubes++
      const check = new CubeCheck(cube, at, connector, sourceOf(cube.dataSource, connector), layer, issues, checked)
      const table = await check.table()
      if (table === null) missing.add(cube.name)
      else await check.members(table)
    }
    for (const cube of Object.values(compiled.cubes)) {
      for (const join of Object.values(cube.joins)) {
        const target = compiled.cubes[join.to]
        const connector = connectorOf(cube.dataSource)
        const skipped = missing.has(cube.name) || missing.has(join.to)
        if (!connector || !target || skipped || target.dataSource !== cube.dataSource) continue
        checked.probes++
        const failure = await probe(connector, joinProbe(cube, target, join.sql, connector), [])
        if (failure) {
          const at = [...(cube.file ? [cube.file] : []), 'cubes', cube.name, 'joins', join.to]
          const message = `The join to ${describeName(join.to)} no longer plans on the database: ${failure}`
          issues.push({ code: 'PROBE_FAILED', path: at, cube: cube.name, member: join.to, message })
        }
      }
    }
  } finally {
    await layer.close()
  }
  return { ok: issues.length === 0, issues, checked }
}

/** The model with every cube and member public and no access policies: the check probes everything. */
function openDefinition(model: ModelInput): ModelDefinition {
  const definition = isDefinition(model) ? model : parseModel([{ content: model as object }])
  const open = <T extends { public?: boolean }>(m: T): T => ({ ...m, public: true })
  return deepFreeze({
    cubes: definition.cubes.map(({ access_policy: _policy, ...cube }) => ({
      ...cube,
      public: true,
      dimensions: cube.dimensions.map(open),
      measures: cube.measures.map(open),
      segments: cube.segments.map(open),
    })),
    views: definition.views.map(({ access_policy: _policy, ...view }) => ({ ...view, public: true })),
  })
}

function isDefinition(model: ModelInput): model is ModelDefinition {
  return Object.isFrozen(model) && Array.isArray(model.cubes) && Array.isArray(model.views)
}

type Member =
  | { readonly kind: 'dimension'; readonly m: CompiledDimension }
  | { readonly kind: 'measure'; readonly m: CompiledMeasure }
  | { readonly kind: 'segment'; readonly m: CompiledSegment }

class CubeCheck {
  constructor(
    private readonly cube: CompiledCube,
    private readonly at: readonly (string | number)[],
    private readonly connector: Connector,
    private readonly source: SourceIntrospector,
    private readonly layer: SemanticLayer,
    private readonly issues: DriftIssue[],
    private readonly checked: Counts,
  ) {}

  /**
   * The cube's table when its `sql_table` is a plain name that exists; undefined when its source is SQL
   * (the member probes cover it); null when the table is missing (reported).
   */
  async table(): Promise<TableRef | undefined | null> {
    const from = this.cube.from
    const names = from.length === 1 && typeof from[0] === 'string' ? parseDottedName(from[0]) : undefined
    if (!names || names.length > 2) return undefined
    const schemaName = names.length === 2 ? names[0]! : undefined
    const tableName = names[names.length - 1]!
    const schema = schemaName === undefined ? await this.source.defaultSchema() : await this.resolveSchema(schemaName)
    const found = schema === undefined ? undefined : this.match(await this.source.listTables(schema), tableName)
    if (found) {
      this.checked.tables++
      return found
    }
    const label = schemaName ? `${schemaName.name}.${tableName.name}` : tableName.name
    const nor = schema === undefined ? ' (nor does its schema)' : ''
    this.issues.push({
      code: 'TABLE_MISSING',
      path: [...this.at, 'sql_table'],
      cube: this.cube.name,
      table: label,
      message:
        `Table ${describeName(label)} of cube '${this.cube.name}' does not exist${nor}. ` +
        "Point sql_table at the table's new name or remove the cube.",
    })
    return null
  }

  /** Schemas are listed through their tables: a schema with no table is as good as missing here. */
  private async resolveSchema(written: WrittenName): Promise<string | undefined> {
    const tables = await this.source.listTables(this.fold(written))
    return tables.length ? this.fold(written) : undefined
  }

  /** PostgreSQL folds unquoted names to lower case; the others compare them case-insensitively (match()). */
  private fold(written: WrittenName): string {
    return !written.quoted && this.source.engine === 'postgres' ? written.name.toLowerCase() : written.name
  }

  private match<T extends { name: string }>(list: readonly T[], written: WrittenName): T | undefined {
    const name = this.fold(written)
    const exact = list.find((t) => t.name === name)
    if (exact || written.quoted || this.source.engine === 'postgres') return exact
    return list.find((t) => t.name.toLowerCase() === name.toLowerCase())
  }

  async members(table: TableRef | undefined): Promise<void> {
    const columns = table ? await this.source.columns(table) : undefined
    const members: Member[] = [
      ...Object.values(this.cube.dimensions).map((m) => ({ kind: 'dimension' as const, m })),
      ...Object.values(this.cube.measures)
        .filter((m) => !m.calculated)
        .map((m) => ({ kind: 'measure' as const, m })),
      ...Object.values(this.cube.segments).map((m) => ({ kind: 'segment' as const, m })),
    ]
    for (const member of members) {
      const sql = member.m.sql
      const filtered = member.kind === 'measure' && member.m.filters.length > 0
      // count without sql: only its filters are SQL of the model.
      if (sql === undefined) {
        if (filtered) await this.probe(member)
        continue
      }
      const column = this.plainColumn(sql)
      if (!column || !columns || !table) {
        await this.probe(member)
        continue
      }
      this.checkColumn(member, column, columns, table)
      // A measure's filters are SQL of their own: such a measure is also planned.
      if (filtered) await this.probe(member)
    }
  }

  /** The column name when the SQL is exactly `{CUBE}.col` or `col` (quoted or not). */
  private plainColumn(sql: SqlTemplate): WrittenName | undefined {
    let text: string | undefined
    if (sql.length === 1 && typeof sql[0] === 'string') text = sql[0]
    else if (sql.length === 2) {
      const [head, rest] = sql
      const own = typeof head === 'object' && head.kind === 'cube' && head.cube === this.cube.name
      if (own && typeof rest === 'string' && rest.startsWith('.')) text = rest.slice(1)
    }
    const names = text === undefined ? undefined : parseDottedName(text)
    return names?.length === 1 ? names[0] : undefined
  }

  private checkColumn(member: Member, written: WrittenName, columns: readonly ColumnInfo[], table: TableRef): void {
    this.checked.columns++
    const path = [...this.at, `${member.kind}s`, member.m.name, 'sql']
    const column = this.match(columns, written)
    const base = { path, cube: this.cube.name, member: member.m.name, table: tableLabel(table) }
    const what = `${member.kind} '${member.m.key}'`
    if (!column) {
      this.issues.push({
        ...base,
        code: 'COLUMN_MISSING',
        column: written.name,
        message:
          `Column ${describeName(written.name)} of table ${describeName(tableLabel(table))} does not exist, ` +
          `so ${what} fails. Point its sql at the column's new name or remove it.`,
      })
      return
    }
    const fits = fittingKinds(member, this.source)
    if (!fits || fits.includes(column.kind)) return
    const type = 'type' in member.m ? member.m.type : member.kind
    const needs = fits.join(' or ')
    this.issues.push({
      ...base,
      code: 'COLUMN_TYPE_MISMATCH',
      column: column.name,
      expected: needs,
      actual: column.type,
      message:
        `Column ${describeName(column.name)} is ${column.type} (${column.kind}), which does not fit ${what} ` +
        `of type ${type}: it needs a ${needs} column. Change the member's type or cast the column in its sql.`,
    })
  }

  /** Plan the compiled SQL of a query that selects only this member. */
  private async probe(member: Member): Promise<void> {
    const query = this.probeQuery(member)
    if (!query) return
    const path = [...this.at, `${member.kind}s`, member.m.name]
    const base = { cube: this.cube.name, member: member.m.name }
    let rendered: { sql: string; params: readonly unknown[] }
    try {
      rendered = await this.layer.sql(query, { dialect: sqlDialectOf(this.connector, 'A drift check') })
    } catch (error) {
      if (!isSemanticLayerError(error)) throw error
      const why = error.issues[0]?.message ?? error.message
      const message = `${member.kind} '${member.m.key}' does not compile: ${why}`
      this.issues.push({ ...base, code: 'PROBE_FAILED', path, message })
      return
    }
    this.checked.probes++
    const failure = await probe(this.connector, rendered.sql, rendered.params)
    if (failure) {
      const message = `The SQL of ${member.kind} '${member.m.key}' no longer plans on the database: ${failure}`
      this.issues.push({ ...base, code: 'PROBE_FAILED', path: [...path, 'sql'], message })
    }
  }

  private probeQuery(member: Member): Record<string, unknown> | undefined {
    if (member.kind === 'dimension') return { dimensions: [member.m.key] }
    if (member.kind === 'measure') return { measures: [member.m.key] }
    // A segment needs a member to select: the cube's first plain measure, else its first dimension.
    const measure = Object.values(this.cube.measures).find((m) => !m.calculated)
    if (measure) return { measures: [measure.key], segments: [member.m.key] }
    const dimension = Object.values(this.cube.dimensions)[0]
    return dimension ? { dimensions: [dimension.key], segments: [member.m.key] } : undefined
  }
}

/** Member type → the column kinds it works on (undefined: any). */
function fittingKinds(member: Member, source: SourceIntrospector): readonly ColumnKind[] | undefined {
  if (member.kind === 'segment') return ['boolean', 'number']
  const dimension = member.kind === 'dimension'
  switch (member.m.type) {
    case 'number':
      return dimension ? ['number', 'boolean'] : undefined
    case 'boolean':
      return dimension ? ['boolean', 'number'] : undefined
    case 'time':
      if (!dimension) return undefined
      return ['time', ...(['string', 'number'] as const).filter((k) => source.timeStoredAs?.(k))]
    case 'sum':
    case 'avg':
      return ['number']
    case 'min':
    case 'max':
      return ['number', 'time', 'string']
    default:
      return undefined
  }
}

/** `SELECT 1 FROM a LEFT JOIN b ON <condition>` with the aliases the renderer uses. */
function joinProbe(cube: CompiledCube, target: CompiledCube, condition: SqlTemplate, connector: Connector): string {
  const dialect = sqlDialectOf(connector, 'A drift check')
  const q = (name: string): string => dialect.quoteIdentifier(name)
  const render = (template: SqlTemplate): string =>
    template.map((p) => (typeof p === 'string' ? p : p.kind === 'cube' ? q(p.cube) : q(`${p.cube}.${p.name}`))).join('')
  const from = `${render(cube.from)} AS ${q(cube.name)}`
  return `SELECT 1 FROM ${from} LEFT JOIN ${render(target.from)} AS ${q(target.name)} ON ${render(condition)}`
}

/**
 * Plan a statement without running it. When it fails: the connector's message, which names objects but
 * never values (connectors redact them), or the error's own message.
 */
async function probe(connector: Connector, sql: string, params: readonly unknown[]): Promise<string | undefined> {
  const explain = sqlDialectOf(connector, 'A drift check').name === 'sqlite' ? 'EXPLAIN QUERY PLAN ' : 'EXPLAIN '
  try {
    await connector.execute(sqlStatement(`${explain}${sql}`, params))
    return undefined
  } catch (error) {
    if (!isSemanticLayerError(error)) return 'the statement failed.'
    return error.issues[0]?.message ?? error.message
  }
}
