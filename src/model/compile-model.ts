import { createHash } from 'node:crypto'
import { SemanticLayerError, type ErrorIssue } from '../errors.js'
import { deepFreeze, nullRecord } from '../util/objects.js'
import type {
  CompiledCube,
  CompiledDimension,
  CompiledHierarchy,
  CompiledJoin,
  CompiledMeasure,
  CompiledModel,
  CompiledSegment,
  CompiledView,
  SqlPart,
  SqlTemplate,
} from './compiled.js'
import type { CubeDefinition, ModelDefinition } from './definition.js'
import { isBareColumn, joinTemplate, sqlStringLiteral, titleize, tokenizeSql } from './references.js'
import { compileRollups } from './compile-rollups.js'
import { compileViews } from './compile-views.js'
import { brandCompiled, isModelDefinition } from './brand.js'
import { parseModel } from './load-model.js'
import { compilePolicies, qualifyRowFilters } from '../security/access-policy.js'
import { didYouMean } from '../util/suggest.js'

type Path = (string | number)[]

/** Measures whose value does not change when rows are duplicated; everything else needs deduplication. */
const DUPLICATE_SAFE = new Set(['count_distinct', 'count_distinct_approx', 'min', 'max'])
const RAW_EXPRESSION_TYPES = new Set(['number', 'string', 'time', 'boolean'])
const CONTEXT_VARIABLES = new Set(['SECURITY_CONTEXT', 'COMPILE_CONTEXT', 'FILTER_PARAMS', 'FILTER_GROUP', 'SQL_UTILS'])

/**
 * Compile a validated model definition: resolve `extends`, references and joins, check semantics, and
 * return frozen plain data versioned by a SHA-256 of its content. Every issue is reported at once as a
 * MODEL_INVALID error.
 */
export function compileModel(input: ModelDefinition): CompiledModel {
  const definition = validatedDefinition(input)
  const issues: ErrorIssue[] = []
  const report = (code: string, path: Path, message: string): void => {
    issues.push({ code, path, message })
  }

  const defs = nullRecord<CubeDefinition>()
  for (const cube of definition.cubes) {
    if (defs[cube.name]) {
      report(
        'DUPLICATE_NAME',
        [...filePath(cube.file), 'cubes', cube.name],
        `Cube '${cube.name}' is defined more than once${defs[cube.name]?.file ? ` (also in ${defs[cube.name]?.file})` : ''}. Rename or remove one of them.`,
      )
      continue
    }
    defs[cube.name] = cube
  }
  for (const view of definition.views) {
    if (defs[view.name])
      report(
        'DUPLICATE_NAME',
        [...filePath(view.file), 'views', view.name],
        `View '${view.name}' has the same name as a cube. Cube and view names must be unique.`,
      )
  }

  const resolved = nullRecord<CubeDefinition>()
  for (const name of Object.keys(defs)) {
    const cube = resolveExtends(name, defs, report)
    if (cube) resolved[name] = cube
  }

  const cubes = nullRecord<CompiledCube>()
  const compilers = new Map<string, CubeCompiler>()
  for (const cube of Object.values(resolved))
    compilers.set(cube.name, new CubeCompiler(cube, resolved, compilers, report))
  for (const compiler of compilers.values()) {
    const compiled = compiler.compile()
    if (compiled) cubes[compiled.name] = compiled
  }
  checkCalculatedCycles(cubes, resolved, report)

  checkPrimaryKeys(cubes, resolved, report)
  compileRollups(cubes, resolved, cubePath, report)
  const defined = new Map(Object.values(defs).map((c) => [c.name, cubePath(c)] as const))
  const views = compileViews(definition.views, cubes, report, defined)

  if (issues.length > 0) throw new SemanticLayerError('MODEL_INVALID', dedupe(issues))
  const body = { cubes, views }
  const version = createHash('sha256').update(JSON.stringify(body)).digest('hex')
  return deepFreeze(brandCompiled({ version, cubes, views } as CompiledModel))
}

/**
 * What loadModel()/parseModel() returned, as it is; anything else (plain objects from JS callers, a copy
 * of a loaded model) is validated first. A cube's or view's `file` is kept as its source name.
 */
function validatedDefinition(input: unknown): ModelDefinition {
  if (isModelDefinition(input)) return input
  const notObject = typeof input !== 'object' || input === null || Array.isArray(input)
  if (notObject) return parseModel([{ content: input as object }])
  const byFile = new Map<string | undefined, { cubes: unknown[]; views: unknown[] }>()
  const entry = (file: string | undefined): { cubes: unknown[]; views: unknown[] } => {
    let e = byFile.get(file)
    if (!e) byFile.set(file, (e = { cubes: [], views: [] }))
    return e
  }
  try {
    const { cubes, views } = input as Record<string, unknown>
    const lists = (cubes === undefined || Array.isArray(cubes)) && (views === undefined || Array.isArray(views))
    if (!lists) throw new TypeError('not lists')
    for (const [kind, list] of [
      ['cubes', cubes ?? []],
      ['views', views ?? []],
    ] as const) {
      for (const item of list as unknown[]) {
        const named = typeof item === 'object' && item !== null ? (item as { file?: unknown }).file : undefined
        const file = typeof named === 'string' ? named : undefined
        if (file === undefined) entry(undefined)[kind].push(item)
        else {
          const { file: _file, ...rest } = item as Record<string, unknown>
          entry(file)[kind].push(rest)
        }
      }
    }
  } catch {
    // Not lists, or getters that throw: the schema check reports what is wrong, with paths.
    return parseModel([{ content: input }])
  }
  if (byFile.size === 0) entry(undefined)
  return parseModel([...byFile].map(([file, content]) => (file === undefined ? { content } : { file, content })))
}

export function filePath(file: string | undefined): Path {
  return file ? [file] : []
}

function cubePath(cube: CubeDefinition): Path {
  return [...filePath(cube.file), 'cubes', cube.name]
}

/** Merge a cube with its `extends` chain: the child's members, joins and settings win by name. */
function resolveExtends(
  name: string,
  defs: Record<string, CubeDefinition>,
  report: (code: string, path: Path, message: string) => void,
): CubeDefinition | undefined {
  const chain: CubeDefinition[] = []
  const seen = new Set<string>()
  let current = defs[name]
  while (current) {
    if (seen.has(current.name)) {
      report(
        'EXTENDS_CYCLE',
        [...cubePath(defs[name]!), 'extends'],
        `Cube '${name}' extends itself through ${[...seen].join(' → ')}. Remove the cycle.`,
      )
      return undefined
    }
    seen.add(current.name)
    chain.unshift(current)
    if (!current.extends) break
    const parent = defs[current.extends]
    if (!parent) {
      const hint = didYouMean(current.extends, Object.keys(defs))
      const message =
        `Cube '${current.name}' extends '${current.extends}', which is not defined.${hint}` +
        ' Check the name or add that cube.'
      report('UNKNOWN_REFERENCE', [...cubePath(current), 'extends'], message)
      return undefined
    }
    current = parent
  }
  if (chain.length === 1) return chain[0]
  const byName = <T extends { name: string }>(lists: (readonly T[])[]): T[] => {
    const map = new Map<string, T>()
    for (const list of lists) for (const item of list) map.set(item.name, item)
    return [...map.values()]
  }
  const child = chain[chain.length - 1]!
  const { sql: _sql, sql_table: _table, ...base } = Object.assign({}, ...chain) as CubeDefinition
  // The nearest cube in the chain that declares sql or sql_table decides the source (a child's sql replaces a parent's sql_table).
  const source = [...chain].reverse().find((c) => c.sql !== undefined || c.sql_table !== undefined)
  return {
    ...base,
    name: child.name,
    ...(child.file === undefined ? {} : { file: child.file }),
    ...(source?.sql !== undefined ? { sql: source.sql } : {}),
    ...(source?.sql_table !== undefined ? { sql_table: source.sql_table } : {}),
    joins: byName(chain.map((c) => c.joins)),
    dimensions: byName(chain.map((c) => c.dimensions)),
    measures: byName(chain.map((c) => c.measures)),
    segments: byName(chain.map((c) => c.segments)),
    hierarchies: byName(chain.map((c) => c.hierarchies)),
  }
}

type MemberKind = 'dimensions' | 'measures' | 'segments'

class CubeCompiler {
  private readonly dims = nullRecord<CompiledDimension>()
  private readonly measures = nullRecord<CompiledMeasure>()
  private readonly segments = nullRecord<CompiledSegment>()
  /** Compiled dimension/segment SQL, memoized; `null` while being compiled (cycle detection). */
  private readonly inlineCache = new Map<string, SqlTemplate | null>()
  /** Every member's title starts with it: computed once per cube rather than once per member. */
  private readonly cubeTitle: string

  constructor(
    private readonly cube: CubeDefinition,
    private readonly all: Record<string, CubeDefinition>,
    private readonly compilers: ReadonlyMap<string, CubeCompiler>,
    private readonly report: (code: string, path: Path, message: string) => void,
  ) {
    this.cubeTitle = cube.title ?? titleize(cube.name)
  }

  compile(): CompiledCube | undefined {
    const { cube } = this
    const report = this.fail.bind(this)
    const path = cubePath(cube)
    const before = this.issueCount
    if (cube.sql !== undefined && cube.sql_table !== undefined) {
      report('SQL_AND_SQL_TABLE', path, `Cube '${cube.name}' has both sql and sql_table. Keep exactly one of them.`)
    } else if (cube.sql === undefined && cube.sql_table === undefined) {
      report(
        'MISSING_SQL',
        path,
        `Cube '${cube.name}' has neither sql_table nor sql. Add sql_table: <table> or sql: SELECT ….`,
      )
    }
    const accessPolicy =
      cube.access_policy === undefined ? undefined : compilePolicies(cube.access_policy, path, report)
    this.checkDuplicates(path)

    const from: SqlTemplate =
      cube.sql_table !== undefined
        ? [cube.sql_table]
        : cube.sql !== undefined
          ? joinTemplate(['(', this.resolveCubeSql(cube.sql, [...path, 'sql']), ')'])
          : []

    for (const d of cube.dimensions) {
      const dpath = [...path, 'dimensions', d.name]
      for (const key of ['sub_query', 'propagate_filters_to_sub_query', 'granularities'] as const) {
        if (d[key] !== undefined && d[key] !== false && !(Array.isArray(d[key]) && d[key].length === 0))
          report(
            'UNSUPPORTED_FEATURE',
            [...dpath, key],
            `Dimension option '${key}' is not supported by Cortex yet. Remove it (or model the logic in sql).`,
          )
      }
      if (d.sql === undefined && d.case === undefined)
        report(
          'MISSING_SQL',
          dpath,
          `Dimension '${cube.name}.${d.name}' needs sql (or case). Add sql: <column or expression>.`,
        )
      if (d.sql !== undefined && d.case !== undefined)
        report('SQL_AND_CASE', dpath, `Dimension '${cube.name}.${d.name}' has both sql and case. Keep one of them.`)
      const sql = this.inline('dimensions', d.name, dpath) ?? []
      this.dims[d.name] = {
        cube: cube.name,
        name: d.name,
        key: `${cube.name}.${d.name}`,
        type: d.type,
        sql,
        primaryKey: d.primary_key === true,
        // As in Cube, a primary key is hidden unless the model says public: true (or shown: true).
        ...this.describe(d, d.format, d.primary_key !== true),
      }
    }
    for (const s of cube.segments) {
      const sql = this.inline('segments', s.name, [...path, 'segments', s.name]) ?? []
      this.segments[s.name] = {
        cube: cube.name,
        name: s.name,
        key: `${cube.name}.${s.name}`,
        sql,
        ...this.describe(s, undefined),
      }
    }
    for (const m of cube.measures) this.compileMeasure(m, [...path, 'measures', m.name])

    const joins = nullRecord<CompiledJoin>()
    for (const j of cube.joins) {
      const jpath = [...path, 'joins', j.name]
      if (!this.all[j.name]) {
        const hint = didYouMean(j.name, Object.keys(this.all))
        const message =
          `Cube '${cube.name}' joins '${j.name}', which is not defined.${hint}` + ' Use the name of an existing cube.'
        report('UNKNOWN_JOIN_TARGET', jpath, message)
        continue
      }
      if (j.name === cube.name) {
        report(
          'UNKNOWN_JOIN_TARGET',
          jpath,
          `Cube '${cube.name}' joins itself. Self-joins need a second cube (extends: ${cube.name}) with its own name.`,
        )
        continue
      }
      if (joins[j.name]) {
        report('DUPLICATE_NAME', jpath, `Cube '${cube.name}' declares two joins to '${j.name}'. Keep one.`)
        continue
      }
      joins[j.name] = {
        from: cube.name,
        to: j.name,
        relationship: j.relationship,
        sql: this.resolve(j.sql, jpath, 'join'),
      }
    }

    const hierarchies: CompiledHierarchy[] = []
    for (const h of cube.hierarchies) {
      const levels: string[] = []
      h.levels.forEach((level, i) => {
        const ref = level.replace(/^\{|\}$/g, '').split('.')
        const name =
          ref.length === 2 && (ref[0] === cube.name || ref[0] === 'CUBE')
            ? ref[1]!
            : ref.length === 1
              ? ref[0]!
              : undefined
        if (name && this.dims[name]) levels.push(`${cube.name}.${name}`)
        else {
          const hint = didYouMean(name ?? level, Object.keys(this.dims))
          const message =
            `Hierarchy level '${level}' is not a dimension of cube '${cube.name}'.${hint}` +
            ' Use one of its dimension names.'
          report('UNKNOWN_REFERENCE', [...path, 'hierarchies', h.name, 'levels', i], message)
        }
      })
      hierarchies.push({ name: h.name, title: h.title ?? titleize(h.name), levels, public: h.public !== false })
    }

    if (this.issueCount !== before) return undefined
    return {
      kind: 'cube',
      name: cube.name,
      title: cube.title ?? titleize(cube.name),
      ...(cube.description === undefined ? {} : { description: cube.description }),
      ...(cube.meta === undefined ? {} : { meta: cube.meta }),
      public: cube.public !== false,
      ...(cube.file === undefined ? {} : { file: cube.file }),
      dataSource: cube.data_source ?? 'default',
      from,
      primaryKey: cube.dimensions.filter((d) => d.primary_key === true).map((d) => d.name),
      dimensions: this.dims,
      measures: this.measures,
      segments: this.segments,
      hierarchies,
      joins,
      ...(cube.refresh_key === undefined ? {} : { refreshKey: cube.refresh_key }),
      ...(accessPolicy === undefined
        ? {}
        : {
            accessPolicy: qualifyRowFilters(
              accessPolicy,
              cube.name,
              (m) => this.dims[m] !== undefined,
              [...path, 'access_policy'],
              report,
            ),
          }),
    }
  }

  private issueCountValue = 0
  private get issueCount(): number {
    return this.issueCountValue
  }

  private fail(code: string, path: Path, message: string): void {
    this.issueCountValue++
    this.report(code, path, message)
  }

  private describe(
    def: {
      name: string
      title?: string
      description?: string
      meta?: Readonly<Record<string, unknown>>
      public?: boolean
    },
    format: CompiledDimension['format'],
    publicByDefault = true,
  ): Pick<CompiledDimension, 'title' | 'shortTitle' | 'description' | 'meta' | 'format' | 'public'> {
    const short = def.title ?? titleize(def.name)
    return {
      title: `${this.cubeTitle} ${short}`,
      shortTitle: short,
      ...(def.description === undefined ? {} : { description: def.description }),
      ...(def.meta === undefined ? {} : { meta: def.meta }),
      ...(format === undefined ? {} : { format }),
      public: def.public ?? publicByDefault,
    }
  }

  private checkDuplicates(path: Path): void {
    const seen = new Map<string, string>()
    for (const [kind, list] of [
      ['dimensions', this.cube.dimensions],
      ['measures', this.cube.measures],
      ['segments', this.cube.segments],
    ] as const) {
      for (const m of list) {
        const other = seen.get(m.name)
        if (other)
          this.fail(
            'DUPLICATE_NAME',
            [...path, kind, m.name],
            `Member name '${m.name}' is used twice in cube '${this.cube.name}' (also in ${other}). Member names must be unique across dimensions, measures and segments.`,
          )
        else seen.set(m.name, kind)
      }
    }
  }

  private compileMeasure(m: CubeDefinition['measures'][number], path: Path): void {
    const { cube } = this
    if (m.rolling_window !== undefined)
      this.fail(
        'UNSUPPORTED_FEATURE',
        [...path, 'rolling_window'],
        `Rolling windows are not supported by Cortex yet. Remove rolling_window from '${cube.name}.${m.name}'.`,
      )
    if (m.multi_stage === true)
      this.fail(
        'UNSUPPORTED_FEATURE',
        [...path, 'multi_stage'],
        `Multi-stage measures are not supported by Cortex yet. Remove multi_stage from '${cube.name}.${m.name}'.`,
      )
    if (m.sql === undefined && m.type !== 'count') {
      this.fail(
        'MISSING_SQL',
        path,
        `Measure '${cube.name}.${m.name}' of type ${m.type} needs sql. Add sql: <column or expression>.`,
      )
    }
    const measureRefs: string[] = []
    let sql: SqlTemplate | undefined
    if (m.sql !== undefined) {
      const source = isBareColumn(m.sql) ? `{CUBE}.${m.sql.trim()}` : m.sql
      sql = this.resolve(
        source,
        [...path, 'sql'],
        RAW_EXPRESSION_TYPES.has(m.type) ? 'calculated' : 'aggregate',
        measureRefs,
      )
    }
    const filters = m.filters.map((f, i) => this.resolve(f.sql, [...path, 'filters', i, 'sql'], 'filter'))
    const drillMembers: string[] = []
    m.drill_members.forEach((ref, i) => {
      const key = this.resolveMemberKey(ref)
      if (key) drillMembers.push(key)
      else
        this.fail(
          'UNKNOWN_REFERENCE',
          [...path, 'drill_members', i],
          `Drill member '${ref}' does not name a dimension or measure. Use 'cube.member' or a member of '${cube.name}'.`,
        )
    })
    this.measures[m.name] = {
      cube: cube.name,
      name: m.name,
      key: `${cube.name}.${m.name}`,
      type: m.type === 'count_distinct_approx' ? 'count_distinct' : m.type,
      ...(m.type === 'count_distinct_approx' ? { approximate: true as const } : {}),
      ...(sql === undefined ? {} : { sql }),
      filters,
      calculated: measureRefs.length > 0,
      measureRefs: [...new Set(measureRefs)],
      drillMembers,
      ...this.describe(m, m.format),
    }
  }

  private memberNames(cube: CubeDefinition): string[] {
    return [...cube.dimensions, ...cube.measures, ...cube.segments].map((m) => m.name)
  }

  private isMemberName(name: string): boolean {
    return (
      this.cube.dimensions.some((d) => d.name === name) ||
      this.cube.measures.some((m) => m.name === name) ||
      this.cube.segments.some((s) => s.name === name)
    )
  }

  private resolveMemberKey(ref: string): string | undefined {
    const segs = ref.replace(/^\{|\}$/g, '').split('.')
    const [c, n] =
      segs.length === 1
        ? [this.cube.name, segs[0]!]
        : segs.length === 2
          ? [segs[0] === 'CUBE' ? this.cube.name : segs[0]!, segs[1]!]
          : []
    if (!c || !n) return undefined
    const target = this.all[c]
    if (!target) return undefined
    return target.dimensions.some((d) => d.name === n) || target.measures.some((m) => m.name === n)
      ? `${c}.${n}`
      : undefined
  }

  /** Dimension or segment SQL, fully inlined (references to other dimensions expanded), memoized. */
  inline(kind: 'dimensions' | 'segments', name: string, path: Path): SqlTemplate | undefined {
    const key = `${kind}:${name}`
    if (this.inlineCache.has(key)) {
      const cached = this.inlineCache.get(key)
      if (cached === null) {
        this.fail(
          'REFERENCE_CYCLE',
          [...path, 'sql'],
          `'${this.cube.name}.${name}' references itself through other members. Break the cycle.`,
        )
        return undefined
      }
      return cached
    }
    this.inlineCache.set(key, null)
    let out: SqlTemplate | undefined
    if (kind === 'dimensions') {
      const d = this.cube.dimensions.find((x) => x.name === name)
      if (d?.case) {
        const parts: (SqlPart | SqlTemplate)[] = ['CASE']
        d.case.when.forEach((w, i) => {
          parts.push(' WHEN (', this.resolve(w.sql, [...path, 'case', 'when', i, 'sql'], 'dimension'), ') THEN ')
          parts.push(
            typeof w.label === 'string'
              ? sqlStringLiteral(w.label)
              : joinTemplate(['(', this.resolve(w.label.sql, [...path, 'case', 'when', i, 'label'], 'dimension'), ')']),
          )
        })
        const otherwise = d.case.else?.label
        if (otherwise !== undefined) {
          parts.push(
            ' ELSE ',
            typeof otherwise === 'string'
              ? sqlStringLiteral(otherwise)
              : joinTemplate(['(', this.resolve(otherwise.sql, [...path, 'case', 'else', 'label'], 'dimension'), ')']),
          )
        }
        parts.push(' END')
        out = joinTemplate(parts)
      } else if (d?.sql !== undefined) {
        const source = isBareColumn(d.sql) ? `{CUBE}.${d.sql.trim()}` : d.sql
        out = this.resolve(source, [...path, 'sql'], 'dimension')
      }
    } else {
      const s = this.cube.segments.find((x) => x.name === name)
      if (s) out = this.resolve(s.sql, [...path, 'sql'], 'dimension')
    }
    this.inlineCache.set(key, out ?? [])
    return out
  }

  private resolveCubeSql(sql: string, path: Path): SqlTemplate {
    return this.resolve(sql, path, 'cube')
  }

  /**
   * Resolve the references in one piece of model SQL. `context` says what may be referenced:
   * measures only inside aggregate/calculated measures; nothing member-like inside the cube's own sql.
   */
  private resolve(
    sql: string,
    path: Path,
    context: 'dimension' | 'filter' | 'join' | 'aggregate' | 'calculated' | 'cube',
    measureRefs?: string[],
  ): SqlTemplate {
    const parts: (SqlPart | SqlTemplate)[] = []
    for (const token of tokenizeSql(sql)) {
      if (typeof token === 'string') {
        parts.push(token)
        continue
      }
      const segs = token.segments
      const text = `{${segs.join('.')}}`
      const head = segs[0]!
      if (CONTEXT_VARIABLES.has(head)) {
        this.fail(
          'UNSUPPORTED_FEATURE',
          path,
          `${head} is not supported in model SQL by Cortex yet (${text}). Use security hooks on the layer instead.`,
        )
        continue
      }
      let cubeName: string | undefined
      let member: string | undefined
      if (segs.length === 1) {
        if (head === 'CUBE') cubeName = this.cube.name
        else if (this.isMemberName(head)) [cubeName, member] = [this.cube.name, head]
        else if (this.all[head]) cubeName = head
      } else if (segs.length === 2) {
        cubeName = head === 'CUBE' ? this.cube.name : this.all[head] ? head : undefined
        member = segs[1]
      }
      if (!cubeName) {
        const cubes = Object.keys(this.all)
        const near = segs.length === 1 ? [...this.memberNames(this.cube), ...cubes] : cubes
        const owner = `a member of '${this.cube.name}'`
        const fix = 'Use {CUBE}, {member}, {cube} or {cube.member}.'
        const hint = didYouMean(head, near)
        this.fail('UNKNOWN_REFERENCE', path, `Reference ${text} does not name a cube or ${owner}.${hint} ${fix}`)
        continue
      }
      if (member === undefined) {
        parts.push({ kind: 'cube', cube: cubeName })
        continue
      }
      if (context === 'cube') {
        this.fail(
          'UNKNOWN_REFERENCE',
          path,
          `The cube's own sql cannot reference members (${text}). Reference tables and columns directly.`,
        )
        continue
      }
      const target = this.all[cubeName]!
      const kind: MemberKind | undefined = target.dimensions.some((d) => d.name === member)
        ? 'dimensions'
        : target.measures.some((m) => m.name === member)
          ? 'measures'
          : target.segments.some((s) => s.name === member)
            ? 'segments'
            : undefined
      if (!kind) {
        const hint = didYouMean(member, this.memberNames(target))
        const message =
          `Reference ${text}: cube '${cubeName}' has no member '${member}'.${hint}` +
          ' Check the spelling or define it.'
        this.fail('UNKNOWN_REFERENCE', path, message)
        continue
      }
      if (kind === 'measures') {
        if (context !== 'aggregate' && context !== 'calculated') {
          this.fail(
            'MEASURE_REFERENCE',
            path,
            `Reference ${text} is a measure; only measures may reference measures. Reference a dimension or column here.`,
          )
          continue
        }
        if (context === 'aggregate') {
          this.fail(
            'MEASURE_REFERENCE',
            path,
            `Reference ${text} is a measure inside an aggregating measure. Use type: number to combine measures.`,
          )
          continue
        }
        measureRefs?.push(`${cubeName}.${member}`)
        parts.push({ kind: 'measure', cube: cubeName, name: member })
        continue
      }
      const inlined =
        cubeName === this.cube.name
          ? this.inline(kind, member, this.memberPath(kind, member))
          : this.foreignInline(cubeName, kind, member)
      if (inlined === undefined) continue
      parts.push('(', inlined, ')')
    }
    return joinTemplate(parts)
  }

  memberPath(kind: MemberKind, name: string): Path {
    return [...cubePath(this.cube), kind, name]
  }

  /** Another cube's dimension or segment, compiled (once, memoized) in that cube's own context. */
  private foreignInline(cubeName: string, kind: 'dimensions' | 'segments', member: string): SqlTemplate | undefined {
    const other = this.compilers.get(cubeName)
    if (!other) return undefined
    const out = other.inline(kind, member, other.memberPath(kind, member))
    // A failure there is reported by that cube; this member cannot compile either.
    if (out === undefined) this.issueCountValue++
    return out
  }
}

/**
 * A cube with measures that need deduplication must have a primary key when some join in its connected
 * part of the graph can multiply rows (any one_to_many / many_to_one edge).
 */
function checkPrimaryKeys(
  cubes: Record<string, CompiledCube>,
  defs: Record<string, CubeDefinition>,
  report: (code: string, path: Path, message: string) => void,
): void {
  const neighbours = new Map<string, Set<string>>()
  const fanning = new Set<string>()
  for (const cube of Object.values(cubes)) {
    for (const join of Object.values(cube.joins)) {
      if (!neighbours.has(join.from)) neighbours.set(join.from, new Set())
      if (!neighbours.has(join.to)) neighbours.set(join.to, new Set())
      neighbours.get(join.from)!.add(join.to)
      neighbours.get(join.to)!.add(join.from)
      if (join.relationship !== 'one_to_one') {
        fanning.add(join.from)
        fanning.add(join.to)
      }
    }
  }
  const componentFans = (start: string): boolean => {
    const seen = new Set([start])
    const queue = [start]
    while (queue.length) {
      const c = queue.pop()!
      if (fanning.has(c)) return true
      for (const n of neighbours.get(c) ?? []) if (!seen.has(n)) seen.add(n), queue.push(n)
    }
    return false
  }
  for (const cube of Object.values(cubes)) {
    if (cube.primaryKey.length > 0) continue
    const needsDedup = Object.values(cube.measures).some((m) => !m.calculated && !DUPLICATE_SAFE.has(m.type))
    if (needsDedup && componentFans(cube.name)) {
      report(
        'MISSING_PRIMARY_KEY',
        cubePath(defs[cube.name]!),
        `Cube '${cube.name}' has measures and joins that can multiply its rows, so Cortex needs its primary key to count each row once. Mark the identifying dimension(s) with primary_key: true.`,
      )
    }
  }
}

/** Cross-cube references compile a member in its own cube's context too; report each problem once. */
function dedupe(issues: ErrorIssue[]): ErrorIssue[] {
  const seen = new Set<string>()
  return issues.filter((i) => {
    const key = `${i.code}|${JSON.stringify(i.path)}|${i.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/** Calculated measures may reference measures of any cube: find cycles across the whole model. */
function checkCalculatedCycles(
  cubes: Record<string, CompiledCube>,
  defs: Record<string, CubeDefinition>,
  report: (code: string, path: Path, message: string) => void,
): void {
  const state = new Map<string, 1 | 2>()
  const visit = (key: string, trail: readonly string[]): void => {
    if (state.get(key) === 2) return
    const [c, n] = key.split('.') as [string, string]
    const m = cubes[c]?.measures[n]
    if (!m) return
    if (state.get(key) === 1) {
      const def = defs[c]
      report(
        'REFERENCE_CYCLE',
        [...(def ? cubePath(def) : ['cubes', c]), 'measures', n, 'sql'],
        `Measures reference each other in a cycle: ${[...trail.slice(trail.indexOf(key)), key].join(' → ')}. Break the cycle.`,
      )
      return
    }
    state.set(key, 1)
    for (const ref of m.measureRefs) visit(ref, [...trail, key])
    state.set(key, 2)
  }
  for (const cube of Object.values(cubes)) for (const m of Object.values(cube.measures)) visit(m.key, [])
}
