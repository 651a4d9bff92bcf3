/**
 * Drift: does the model still fit the database? Tables of `sql_table` cubes must exist; members that are
 * plain column references must name existing columns of a type that fits the member; every other
 * member, and every join, is probed by having the database plan (EXPLAIN) its real compiled SQL, which
 * resolves every table, column and function without reading a row.
 */
import type { Connector } from '../connectors/connector.js'
import { createSemanticLayer, type ModelInput, type SemanticLayer } from '../create-semantic-layer.js'
import { describeName, isSemanticLayerError, type ErrorIssue } from '../errors.js'
import type { CompiledCube, CompiledDimension, CompiledMeasure, CompiledSegment, SqlTemplate } from '../model/compiled.js'
import { compileModel } from '../model/compile-model.js'
import type { ModelDefinition } from '../model/definition.js'
import { parseModel } from '../model/load-model.js'
import { deepFreeze } from '../util/objects.js'
import { parseDottedName, type WrittenName } from './identifiers.js'
import { introspectorFor, tableLabel, type ColumnInfo, type ColumnKind, type SourceIntrospector, type TableRef } from './introspector.js'

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
  readonly member?: string
  readonly table?: string
  readonly column?: string
  /** For type mismatches: what the member needs and what the column is. */
  readonly expected?: string
  readonly actual?: string
}

export interface DriftReport {
  /** True when no issue was found. */
  readonly ok: boolean
  readonly issues: readonly DriftIssue[]
  /** How much was checked: tables found in catalogs, column references checked there, statements planned. */
  readonly checked: { readonly cubes: number; readonly tables: number; readonly columns: number; readonly probes: number }
}

/**
 * Check a model against its databases. Nothing is written and no table is read: catalogs are queried and
 * statements are only planned (`EXPLAIN`; SQLite `EXPLAIN QUERY PLAN`). Access policies and `public`
 * flags are ignored for the check, so every member is probed.
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
  const checked = { cubes: 0, tables: 0, columns: 0, probes: 0 }
  const layer = createSemanticLayer({ model: definition, connectors: options.connectors, cache: false, compiledQueries: false })
  const introspectors = new Map<string, SourceIntrospector>()
  const sourceOf = (name: string): SourceIntrospector | undefined => {
    let found = introspectors.get(name) ?? options.introspectors?.[name]
    const connector = Object.hasOwn(options.connectors, name) ? options.connectors[name] : undefined
    if (!found && connector) found = introspectorFor(connector)
    if (found) introspectors.set(name, found)
    return found
  }
  try {
    const tables = new Map<string, TableRef | undefined | null>()
    for (const cube of Object.values(compiled.cubes)) {
      const connector = Object.hasOwn(options.connectors, cube.dataSource) ? options.connectors[cube.dataSource] : undefined
      const source = sourceOf(cube.dataSource)
      const at = [...(cube.file ? [cube.file] : []), 'cubes', cube.name]
      if (!connector || !source) {
        issues.push({ code: 'CONNECTOR_MISSING', path: at, cube: cube.name, message: `No connector for data source ${describeName(cube.dataSource)}; the cube was not checked.` })
        continue
      }
      checked.cubes++
      const check = new CubeCheck(cube, at, connector, source, layer, issues, checked)
      const table = await check.table()
      tables.set(cube.name, table)
      if (table === null) continue
      await check.members(table)
    }
    for (const cube of Object.values(compiled.cubes)) {
      for (const join of Object.values(cube.joins)) {
        const connector = options.connectors[cube.dataSource]
        const target = compiled.cubes[join.to]
        if (!connector || !target || tables.get(cube.name) === null || tables.get(join.to) === null) continue
        if (target.dataSource !== cube.dataSource) continue
        const at = [...(cube.file ? [cube.file] : []), 'cubes', cube.name, 'joins', join.to]
        const q = (name: string): string => connector.dialect.quoteIdentifier(name)
        const sql = `SELECT 1 FROM ${render(cube.from, q)} AS ${q(cube.name)} LEFT JOIN ${render(target.from, q)} AS ${q(join.to)} ON ${render(join.sql, q)}`
        checked.probes++
        const failure = await probe(connector, sql, [])
        if (failure) issues.push({ code: 'PROBE_FAILED', path: at, cube: cube.name, member: join.to, message: `The join to ${describeName(join.to)} no longer plans on the database: ${failure}` })
      }
    }
  } finally {
    await layer.close().catch(() => undefined)
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

type Member = { kind: 'dimension'; m: CompiledDimension } | { kind: 'measure'; m: CompiledMeasure } | { kind: 'segment'; m: CompiledSegment }

class CubeCheck {
  constructor(
    private readonly cube: CompiledCube,
    private readonly at: readonly (string | number)[],
    private readonly connector: Connector,
    private readonly source: SourceIntrospector,
    private readonly layer: SemanticLayer,
    private readonly issues: DriftIssue[],
    private readonly checked: { cubes: number; tables: number; columns: number; probes: number },
  ) {}

  /** The cube's table when it is a plain `sql_table` that exists; undefined when the source is SQL (probed); null when it is missing. */
  async table(): Promise<TableRef | undefined | null> {
    const from = this.cube.from
    const names = from.length === 1 && typeof from[0] === 'string' ? parseDottedName(from[0]) : undefined
    if (!names || names.length > 2) return undefined
    const schemaName = names.length === 2 ? names[0]! : undefined
    const tableName = names[names.length - 1]!
    const schema = schemaName === undefined ? await this.source.defaultSchema() : await this.resolveSchema(schemaName)
    const found = schema === undefined ? undefined : this.match(await this.source.listTables(schema), tableName)
    if (!found) {
      const label = schemaName ? `${schemaName.name}.${tableName.name}` : tableName.name
      this.issues.push({
        code: 'TABLE_MISSING', path: [...this.at, 'sql_table'], cube: this.cube.name, table: label,
        message: `Table ${describeName(label)} of cube '${this.cube.name}' does not exist${schema === undefined ? ' (nor does its schema)' : ''}. Point sql_table at the table's new name or remove the cube.`,
      })
      return null
    }
    this.checked.tables++
    return found
  }

  private async resolveSchema(written: WrittenName): Promise<string | undefined> {
    // Schemas are listed through their tables: a schema with no table is as good as missing here.
    const tables = await this.source.listTables(this.fold(written))
    return tables.length ? this.fold(written) : undefined
  }

  /** PostgreSQL folds unquoted names to lower case; the others compare them case-insensitively. */
  private fold(written: WrittenName): string {
    return !written.quoted && this.source.engine === 'postgres' ? written.name.toLowerCase() : written.name
  }

  private match<T extends { name: string }>(list: readonly T[], written: WrittenName): T | undefined {
    const name = this.fold(written)
    return list.find((t) => t.name === name) ?? (written.quoted || this.source.engine === 'postgres' ? undefined : list.find((t) => t.name.toLowerCase() === name.toLowerCase()))
  }

  async members(table: TableRef | undefined): Promise<void> {
    const columns = table ? await this.source.columns(table) : undefined
    const members: Member[] = [
      ...Object.values(this.cube.dimensions).map((m) => ({ kind: 'dimension' as const, m })),
      ...Object.values(this.cube.measures).filter((m) => !m.calculated).map((m) => ({ kind: 'measure' as const, m })),
      ...Object.values(this.cube.segments).map((m) => ({ kind: 'segment' as const, m })),
    ]
    for (const member of members) {
      const sql = member.m.sql
      if (sql === undefined) {
        // count without sql: only its filters are SQL of the model.
        if (member.kind === 'measure' && member.m.filters.length) await this.probe(member)
        continue
      }
      const column = columns ? this.plainColumn(sql) : undefined
      // A plain column is checked in the catalog; a measure's filters are SQL of their own, so such a measure is also planned.
      if (column && columns && table) {
        this.checkColumn(member, column, columns, table)
        if (member.kind === 'measure' && member.m.filters.length) await this.probe(member)
      } else await this.probe(member)
    }
  }

  /** The column name when the SQL is exactly `{CUBE}.col` or `col` (quoted or not). */
  private plainColumn(sql: SqlTemplate): WrittenName | undefined {
    if (sql.length === 1 && typeof sql[0] === 'string') {
      const names = parseDottedName(sql[0])
      return names?.length === 1 ? names[0] : undefined
    }
    if (sql.length !== 2) return undefined
    const [head, rest] = sql
    if (typeof head !== 'object' || head.kind !== 'cube' || head.cube !== this.cube.name || typeof rest !== 'string' || !rest.startsWith('.')) return undefined
    const names = parseDottedName(rest.slice(1))
    return names?.length === 1 ? names[0] : undefined
  }

  private checkColumn(member: Member, written: WrittenName, columns: readonly ColumnInfo[], table: TableRef): void {
    this.checked.columns++
    const path = [...this.at, `${member.kind}s`, member.m.name]
    const column = this.match(columns, written)
    const base = { cube: this.cube.name, member: member.m.name, table: tableLabel(table) }
    if (!column) {
      this.issues.push({
        ...base, code: 'COLUMN_MISSING', path: [...path, 'sql'], column: written.name,
        message: `Column ${describeName(written.name)} of table ${describeName(tableLabel(table))} does not exist, so ${member.kind} '${member.m.key}' fails. Point its sql at the column's new name or remove it.`,
      })
      return
    }
    const fits = fittingKinds(member, this.source)
    if (fits && !fits.includes(column.kind)) {
      const type = 'type' in member.m ? member.m.type : member.kind
      this.issues.push({
        ...base, code: 'COLUMN_TYPE_MISMATCH', path: [...path, 'sql'], column: column.name, expected: fits.join(' or '), actual: column.type,
        message: `Column ${describeName(column.name)} is ${column.type} (${column.kind}), which does not fit ${member.kind} '${member.m.key}' of type ${type}: it needs a ${fits.join(' or ')} column. Change the member's type or cast the column in its sql.`,
      })
    }
  }

  /** Plan the compiled SQL of a query that selects only this member. */
  private async probe(member: Member): Promise<void> {
    const query = this.probeQuery(member)
    if (!query) return
    let rendered: { sql: string; params: readonly unknown[] }
    try {
      rendered = await this.layer.sql(query)
    } catch (error) {
      if (!isSemanticLayerError(error)) throw error
      this.issues.push({ code: 'PROBE_FAILED', path: [...this.at, `${member.kind}s`, member.m.name], cube: this.cube.name, member: member.m.name, message: `${member.kind} '${member.m.key}' does not compile: ${error.issues[0]?.message ?? error.message}` })
      return
    }
    this.checked.probes++
    const failure = await probe(this.connector, rendered.sql, rendered.params)
    if (failure) {
      this.issues.push({
        code: 'PROBE_FAILED', path: [...this.at, `${member.kind}s`, member.m.name, 'sql'], cube: this.cube.name, member: member.m.name,
        message: `The SQL of ${member.kind} '${member.m.key}' no longer plans on the database: ${failure}`,
      })
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
  const time = (): ColumnKind[] => ['time', ...(['string', 'number'] as const).filter((k) => source.timeStoredAs?.(k) === true)]
  if (member.kind === 'segment') return ['boolean', 'number']
  const type = member.m.type
  switch (type) {
    case 'number':
      return member.kind === 'dimension' ? ['number', 'boolean'] : undefined
    case 'boolean':
      return member.kind === 'dimension' ? ['boolean', 'number'] : undefined
    case 'time':
      return member.kind === 'dimension' ? time() : undefined
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

/** Plan a statement without running it; the database's own message (connectors keep values out of it) when it fails. */
async function probe(connector: Connector, sql: string, params: readonly unknown[]): Promise<string | undefined> {
  const explain = connector.dialect.name === 'sqlite' ? 'EXPLAIN QUERY PLAN ' : 'EXPLAIN '
  try {
    await connector.execute(`${explain}${sql}`, params)
    return undefined
  } catch (error) {
    if (!isSemanticLayerError(error)) return 'the statement failed.'
    const cause = error.cause instanceof Error && error.code === 'CONNECTOR_FAILED' ? error.issues[0]?.message : undefined
    return cause ?? error.message
  }
}

/** A join condition or a cube's FROM as SQL: cube references become the quoted aliases the renderer uses. */
function render(template: SqlTemplate, q: (name: string) => string): string {
  return template.map((p) => (typeof p === 'string' ? p : p.kind === 'cube' ? q(p.cube) : q(`${p.cube}.${p.name}`))).join('')
}
