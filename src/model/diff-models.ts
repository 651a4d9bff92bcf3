/**
 * What changed between two versions of a model, for people and for CI: every added, removed and changed
 * cube, view, member, join and declared pre-aggregation, each classified by what it does to callers. The
 * classification table is in docs/model-lifecycle.md ("How changes are classified"); the rules live in
 * this file and nowhere else.
 */
import type { CompiledCube, CompiledMeasure, CompiledModel, CompiledView, CompiledViewMember } from './compiled.js'
import { compileModel } from './compile-model.js'
import type { CubeDefinition, ModelDefinition } from './definition.js'
import { parseModel } from './load-model.js'

/**
 * - `breaking`: a query that worked may now fail, or return numbers computed differently (a removed,
 *   hidden or retyped member, a changed aggregation, a removed join, a changed join relationship).
 * - `results-may-change`: queries still compile, but the SQL behind them changed (a member's SQL, a join
 *   condition, a cube's table, a primary key, an access policy).
 * - `compatible`: nothing a caller relies on changes (added members, titles, descriptions, formats, meta).
 */
export type ChangeSeverity = 'breaking' | 'results-may-change' | 'compatible'

export type ChangedObject = 'cube' | 'view' | 'dimension' | 'measure' | 'segment' | 'join' | 'hierarchy' | 'pre_aggregation'

export interface ModelChange {
  readonly action: 'added' | 'removed' | 'changed'
  readonly object: ChangedObject
  /** `orders`, `orders.status`, `orders.customers` (a join from orders to customers), `orders.main` (pre-aggregation). */
  readonly name: string
  /** Where in the model: `['cubes', 'orders', 'measures', 'total']`. */
  readonly path: readonly string[]
  /** The rule that classified it, e.g. `MEMBER_REMOVED`, `MEASURE_TYPE_CHANGED` (stable: CI scripts may match on it). */
  readonly code: string
  readonly severity: ChangeSeverity
  readonly breaking: boolean
  /** What changed and what it means for callers. */
  readonly message: string
  /** The old and new value of what changed, when it is short (a type, a relationship). */
  readonly before?: string
  readonly after?: string
}

export interface ModelDiffSummary {
  readonly added: number
  readonly removed: number
  readonly changed: number
  readonly breaking: number
  readonly resultsMayChange: number
}

export interface ModelDiff {
  /** Versions (content hashes) of the two compiled models. */
  readonly before: string
  readonly after: string
  /** Ordered by path. Empty when the models are equivalent. */
  readonly changes: readonly ModelChange[]
  /** True when any change is breaking. */
  readonly breaking: boolean
  readonly summary: ModelDiffSummary
}

/** Either side of a diff: what loadModel() returns, Cube-format objects, or a compiled model (layer.model). */
export type DiffableModel = ModelDefinition | CompiledModel | { readonly cubes?: readonly unknown[]; readonly views?: readonly unknown[] }

/**
 * Compare two versions of a model. Both are compiled first (so `extends` and references are resolved
 * and a member whose referenced member changed is reported too). Pre-aggregations are compared when both
 * sides are definitions (a compiled model does not keep them).
 *
 * @throws SemanticLayerError `MODEL_INVALID` when either side does not compile.
 * @example
 * const diff = diffModels(await loadModel('./model-main'), await loadModel('./model'))
 * if (diff.breaking) for (const c of diff.changes) if (c.breaking) console.log(`${c.name}: ${c.message}`)
 */
export function diffModels(before: DiffableModel, after: DiffableModel): ModelDiff {
  const a = prepare(before)
  const b = prepare(after)
  const out = new ChangeList()
  const sa: Side = { model: a.compiled, members: new Map() }
  const sb: Side = { model: b.compiled, members: new Map() }
  diffOwners('cube', a.compiled.cubes, b.compiled.cubes, (x, y) => diffCube(x, y, sa, sb, out), out)
  diffOwners('view', a.compiled.views, b.compiled.views, (x, y) => diffView(x, y, sa, sb, out), out)
  if (a.definition && b.definition) diffPreAggregations(a.definition, b.definition, b.compiled, out)
  const changes = out.sorted()
  const count = (f: (c: ModelChange) => boolean): number => changes.filter(f).length
  return {
    before: a.compiled.version,
    after: b.compiled.version,
    changes,
    breaking: changes.some((c) => c.breaking),
    summary: {
      added: count((c) => c.action === 'added'),
      removed: count((c) => c.action === 'removed'),
      changed: count((c) => c.action === 'changed'),
      breaking: count((c) => c.severity === 'breaking'),
      resultsMayChange: count((c) => c.severity === 'results-may-change'),
    },
  }
}

interface Prepared {
  readonly compiled: CompiledModel
  readonly definition?: ModelDefinition
}

function prepare(model: DiffableModel): Prepared {
  if (isCompiled(model)) return { compiled: model }
  const definition = isDefinition(model) ? model : parseModel([{ content: model as object }])
  return { compiled: compileModel(definition), definition }
}

function isCompiled(m: DiffableModel): m is CompiledModel {
  const v = m as { version?: unknown; cubes?: unknown }
  return typeof v.version === 'string' && typeof v.cubes === 'object' && v.cubes !== null && !Array.isArray(v.cubes)
}

function isDefinition(m: DiffableModel): m is ModelDefinition {
  const v = m as { cubes?: unknown; views?: unknown }
  return Object.isFrozen(m) && Array.isArray(v.cubes) && Array.isArray(v.views)
}

class ChangeList {
  private readonly list: ModelChange[] = []

  add(c: Omit<ModelChange, 'breaking'>): void {
    this.list.push({ ...c, breaking: c.severity === 'breaking' })
  }

  sorted(): ModelChange[] {
    const key = (c: ModelChange): string => `${c.path.join('\u0000')}\u0001${c.code}`
    return this.list.sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0))
  }
}

type Owner = CompiledCube | CompiledView

function diffOwners<T extends Owner>(
  object: 'cube' | 'view',
  before: Readonly<Record<string, T>>,
  after: Readonly<Record<string, T>>,
  compare: (a: T, b: T) => void,
  out: ChangeList,
): void {
  const group = object === 'cube' ? 'cubes' : 'views'
  for (const [name, a] of Object.entries(before)) {
    const b = Object.hasOwn(after, name) ? after[name] : undefined
    if (b) compare(a, b)
    else {
      out.add({
        action: 'removed', object, name, path: [group, name], code: object === 'cube' ? 'CUBE_REMOVED' : 'VIEW_REMOVED',
        severity: a.public ? 'breaking' : 'compatible',
        message: a.public ? `The ${object} and all its members were removed: queries using them fail.` : `The ${object} was removed (it was not public).`,
      })
    }
  }
  for (const [name, b] of Object.entries(after)) {
    if (!Object.hasOwn(before, name)) {
      out.add({ action: 'added', object, name, path: [group, name], code: object === 'cube' ? 'CUBE_ADDED' : 'VIEW_ADDED', severity: 'compatible', message: `A new ${object}.` })
    }
  }
}

/** Owner-level facts shared by cubes and views: publicity, descriptions, policies. */
function diffOwnerBasics(object: 'cube' | 'view', a: Owner, b: Owner, out: ChangeList): void {
  const path = [object === 'cube' ? 'cubes' : 'views', a.name]
  const base = { action: 'changed' as const, object, name: a.name, path }
  if (a.public !== b.public) {
    out.add(a.public
      ? { ...base, code: object === 'cube' ? 'CUBE_HIDDEN' : 'VIEW_HIDDEN', severity: 'breaking', message: `The ${object} is no longer public: queries using its members fail.`, before: 'public', after: 'not public' }
      : { ...base, code: object === 'cube' ? 'CUBE_SHOWN' : 'VIEW_SHOWN', severity: 'compatible', message: `The ${object} is now public.`, before: 'not public', after: 'public' })
  }
  const meta = changedFields({ title: a.title, description: a.description, meta: a.meta }, { title: b.title, description: b.description, meta: b.meta })
  if (meta.length) out.add({ ...base, code: 'METADATA_CHANGED', severity: 'compatible', message: `Changed ${meta.join(', ')} (shown to people, not used in SQL).` })
  if (!same(a.accessPolicy, b.accessPolicy)) {
    out.add({ ...base, code: 'ACCESS_POLICY_CHANGED', severity: 'results-may-change', message: 'The access policy changed: who may see which members and rows is different.' })
  }
}

function diffCube(a: CompiledCube, b: CompiledCube, sa: Side, sb: Side, out: ChangeList): void {
  diffOwnerBasics('cube', a, b, out)
  const path = ['cubes', a.name]
  const base = { action: 'changed' as const, object: 'cube' as const, name: a.name, path }
  if (!same(a.from, b.from)) out.add({ ...base, code: 'CUBE_SOURCE_CHANGED', severity: 'results-may-change', message: "The cube's sql_table or sql changed: every member reads other rows." })
  if (a.dataSource !== b.dataSource) {
    out.add({ ...base, code: 'DATA_SOURCE_CHANGED', severity: 'breaking', message: 'The data source changed: queries joining this cube with cubes of its old source fail.', before: a.dataSource, after: b.dataSource })
  }
  if (!same(a.primaryKey, b.primaryKey)) {
    out.add({ ...base, code: 'PRIMARY_KEY_CHANGED', severity: 'results-may-change', message: 'The primary key changed: counts and sums across one-to-many joins deduplicate rows by it.', before: a.primaryKey.join(', '), after: b.primaryKey.join(', ') })
  }
  if (!same(a.refreshKey, b.refreshKey)) out.add({ ...base, code: 'REFRESH_KEY_CHANGED', severity: 'compatible', message: 'The refresh_key changed: cached results are refreshed on another rule.' })
  diffMembers(a, b, sa, sb, out)
  diffJoins(a, b, out)
  diffHierarchies(a, b, out)
}

type Kind = 'dimension' | 'measure' | 'segment'
const KINDS: readonly (readonly [Kind, 'dimensions' | 'measures' | 'segments'])[] = [['dimension', 'dimensions'], ['measure', 'measures'], ['segment', 'segments']]

/** A member as callers see it: kind, type, whether they may query it, a fingerprint of its SQL, its metadata. */
interface MemberFacts {
  readonly kind: Kind
  readonly type?: string
  readonly exposed: boolean
  readonly sql: string
  readonly filters: string
  readonly meta: Readonly<Record<string, unknown>>
  /** For view members: the cube member it stands for and the join path to it. */
  readonly target?: string
}

/** A model being diffed, with each cube's members computed once (views read their cubes' members again and again). */
interface Side {
  readonly model: CompiledModel
  readonly members: Map<CompiledCube, Map<string, MemberFacts>>
}

function cubeMembers(cube: CompiledCube, side: Side): Map<string, MemberFacts> {
  const known = side.members.get(cube)
  if (known) return known
  const model = side.model
  const out = new Map<string, MemberFacts>()
  side.members.set(cube, out)
  for (const [kind, group] of KINDS) {
    for (const m of Object.values(cube[group])) {
      const measure = kind === 'measure' ? (m as CompiledMeasure) : undefined
      out.set(m.name, {
        kind,
        ...('type' in m ? { type: m.type } : {}),
        exposed: cube.public && m.public,
        sql: measure ? JSON.stringify([measure.sql, measureRefsFingerprint(measure, model)]) : JSON.stringify(m.sql),
        filters: measure ? JSON.stringify(measure.filters) : '',
        meta: { title: m.shortTitle, description: m.description, format: m.format, meta: m.meta, drill_members: measure?.drillMembers },
      })
    }
  }
  return out
}

/**
 * The measures a calculated measure is computed from, each with its aggregation, SQL and filters (and
 * theirs), so a change to one shows on the measures built from it too. Compiled models have no cycles.
 */
function measureRefsFingerprint(m: CompiledMeasure, model: CompiledModel): unknown[] {
  return m.measureRefs.map((key) => {
    const [c, n] = key.split('.') as [string, string]
    const ref = model.cubes[c]?.measures[n]
    return ref ? [key, ref.type, ref.sql, ref.filters, measureRefsFingerprint(ref, model)] : key
  })
}

function viewMembers(view: CompiledView, side: Side): Map<string, MemberFacts> {
  const model = side.model
  const out = new Map<string, MemberFacts>()
  const all = [...Object.values(view.dimensions), ...Object.values(view.measures), ...Object.values(view.segments)] as CompiledViewMember[]
  for (const vm of all) {
    const target = model.cubes[vm.cube]
    const facts = target ? cubeMembers(target, side).get(vm.member) : undefined
    out.set(vm.name, {
      kind: vm.kind,
      ...(facts?.type === undefined ? {} : { type: facts.type }),
      exposed: view.public,
      sql: facts?.sql ?? '',
      filters: facts?.filters ?? '',
      meta: { title: vm.title, description: vm.description, format: vm.format, meta: vm.meta },
      target: `${vm.path.join('.')}.${vm.member}`,
    })
  }
  return out
}

function diffMembers(a: Owner, b: Owner, sa: Side, sb: Side, out: ChangeList): void {
  const before = a.kind === 'cube' ? cubeMembers(a, sa) : viewMembers(a, sa)
  const after = b.kind === 'cube' ? cubeMembers(b as CompiledCube, sb) : viewMembers(b as CompiledView, sb)
  const group = a.kind === 'cube' ? 'cubes' : 'views'
  const at = (m: MemberFacts, name: string): { object: Kind; name: string; path: string[] } => ({ object: m.kind, name: `${a.name}.${name}`, path: [group, a.name, `${m.kind}s`, name] })
  for (const [name, x] of before) {
    const y = after.get(name)
    if (!y) {
      out.add({
        action: 'removed', ...at(x, name), code: 'MEMBER_REMOVED', severity: x.exposed ? 'breaking' : 'compatible',
        message: x.exposed ? 'Removed: queries using it fail.' : 'Removed (it was not public, so no query could use it directly).',
      })
      continue
    }
    const where = { action: 'changed' as const, ...at(y, name) }
    // A change to a member nobody may query directly matters only through the members using it, which are reported themselves.
    const severity = (s: ChangeSeverity): ChangeSeverity => (x.exposed || y.exposed ? s : 'compatible')
    if (x.kind !== y.kind) {
      out.add({ ...where, code: 'MEMBER_KIND_CHANGED', severity: severity('breaking'), message: `Now a ${y.kind}, was a ${x.kind}: queries must list it under ${y.kind}s.`, before: x.kind, after: y.kind })
      continue
    }
    // When the cube or view itself was hidden or shown, that one change says it for all its members.
    if (a.public === b.public) {
      if (x.exposed && !y.exposed) out.add({ ...where, code: 'MEMBER_HIDDEN', severity: 'breaking', message: 'No longer public: queries using it fail.', before: 'public', after: 'not public' })
      if (!x.exposed && y.exposed) out.add({ ...where, code: 'MEMBER_SHOWN', severity: 'compatible', message: 'Now public.', before: 'not public', after: 'public' })
    }
    if (x.type !== y.type) {
      const measure = y.kind === 'measure'
      out.add({
        ...where, code: measure ? 'MEASURE_TYPE_CHANGED' : 'MEMBER_TYPE_CHANGED', severity: severity('breaking'),
        message: measure ? `The aggregation changed from ${x.type} to ${y.type}: its numbers change.` : `The type changed from ${x.type} to ${y.type}: values, filters and granularities that fit the old type may not fit.`,
        ...(x.type === undefined ? {} : { before: x.type }),
        ...(y.type === undefined ? {} : { after: y.type }),
      })
    } else if (x.sql !== y.sql) {
      out.add({ ...where, code: 'SQL_CHANGED', severity: severity('results-may-change'), message: 'Its SQL (or the SQL of a member it is built from) changed: results may change.' })
    }
    if (x.filters !== y.filters && x.type === y.type) {
      out.add({ ...where, code: 'MEASURE_FILTERS_CHANGED', severity: severity('results-may-change'), message: 'Its filters changed: it counts other rows.' })
    }
    if (x.target !== y.target) {
      out.add({ ...where, code: 'VIEW_MEMBER_TARGET_CHANGED', severity: severity('results-may-change'), message: 'It now stands for another cube member or join path.', ...(x.target ? { before: x.target } : {}), ...(y.target ? { after: y.target } : {}) })
    }
    const meta = changedFields(x.meta, y.meta)
    if (meta.length) out.add({ ...where, code: 'METADATA_CHANGED', severity: 'compatible', message: `Changed ${meta.join(', ')} (shown to people, not used in SQL).` })
  }
  for (const [name, y] of after) {
    if (!before.has(name)) out.add({ action: 'added', ...at(y, name), code: 'MEMBER_ADDED', severity: 'compatible', message: y.exposed ? 'A new member.' : 'A new member (not public).' })
  }
}

function diffJoins(a: CompiledCube, b: CompiledCube, out: ChangeList): void {
  const at = (to: string): { object: 'join'; name: string; path: string[] } => ({ object: 'join', name: `${a.name}.${to}`, path: ['cubes', a.name, 'joins', to] })
  for (const [to, x] of Object.entries(a.joins)) {
    const y = Object.hasOwn(b.joins, to) ? b.joins[to] : undefined
    if (!y) {
      out.add({ action: 'removed', ...at(to), code: 'JOIN_REMOVED', severity: 'breaking', message: `Removed: queries that join ${a.name} to ${to} this way fail or take another path.` })
      continue
    }
    if (x.relationship !== y.relationship) {
      out.add({
        action: 'changed', ...at(to), code: 'JOIN_RELATIONSHIP_CHANGED', severity: 'breaking',
        message: 'The relationship changed: which side multiplies rows (fan-out), and so how measures across it are computed, is different.',
        before: x.relationship, after: y.relationship,
      })
    }
    if (!same(x.sql, y.sql)) out.add({ action: 'changed', ...at(to), code: 'JOIN_CONDITION_CHANGED', severity: 'results-may-change', message: 'The join condition changed: rows match differently.' })
  }
  for (const to of Object.keys(b.joins)) {
    if (!Object.hasOwn(a.joins, to)) {
      out.add({ action: 'added', ...at(to), code: 'JOIN_ADDED', severity: 'results-may-change', message: 'A new join: new queries can use it, and a query over these cubes may now take a shorter path through it.' })
    }
  }
}

function diffHierarchies(a: CompiledCube, b: CompiledCube, out: ChangeList): void {
  const before = new Map(a.hierarchies.map((h) => [h.name, h]))
  const after = new Map(b.hierarchies.map((h) => [h.name, h]))
  const at = (name: string): { object: 'hierarchy'; name: string; path: string[] } => ({ object: 'hierarchy', name: `${a.name}.${name}`, path: ['cubes', a.name, 'hierarchies', name] })
  for (const [name, h] of before) {
    const other = after.get(name)
    if (!other) out.add({ action: 'removed', ...at(name), code: 'HIERARCHY_REMOVED', severity: 'compatible', message: 'Removed (hierarchies only group members for people).' })
    else if (!same(h, other)) out.add({ action: 'changed', ...at(name), code: 'HIERARCHY_CHANGED', severity: 'compatible', message: 'Its levels, title or visibility changed (hierarchies only group members for people).' })
  }
  for (const name of after.keys()) if (!before.has(name)) out.add({ action: 'added', ...at(name), code: 'HIERARCHY_ADDED', severity: 'compatible', message: 'A new hierarchy.' })
}

function diffView(a: CompiledView, b: CompiledView, sa: Side, sb: Side, out: ChangeList): void {
  diffOwnerBasics('view', a, b, out)
  diffMembers(a, b, sa, sb, out)
}

/** Declared pre-aggregations by name (after `extends`); Cortex does not use them, so every change is compatible. */
function diffPreAggregations(a: ModelDefinition, b: ModelDefinition, compiled: CompiledModel, out: ChangeList): void {
  const before = preAggregations(a)
  const after = preAggregations(b)
  const at = (key: string): { object: 'pre_aggregation'; name: string; path: string[] } => {
    const [cube, name] = key.split('\u0000') as [string, string]
    return { object: 'pre_aggregation', name: `${cube}.${name}`, path: ['cubes', cube, 'pre_aggregations', name] }
  }
  const note = 'Cortex does not read pre-aggregations, so results do not change.'
  for (const [key, x] of before) {
    const cube = key.split('\u0000')[0]!
    if (!Object.hasOwn(compiled.cubes, cube)) continue // reported with its cube
    const y = after.get(key)
    if (y === undefined) out.add({ action: 'removed', ...at(key), code: 'PRE_AGGREGATION_REMOVED', severity: 'compatible', message: `Removed. ${note}` })
    else if (!same(x, y)) out.add({ action: 'changed', ...at(key), code: 'PRE_AGGREGATION_CHANGED', severity: 'compatible', message: `Changed. ${note}` })
  }
  for (const key of after.keys()) if (!before.has(key)) out.add({ action: 'added', ...at(key), code: 'PRE_AGGREGATION_ADDED', severity: 'compatible', message: `A new pre-aggregation. ${note}` })
}

/** `cube\0name` → definition, with `extends` applied as the compiler does (the nearest declaring cube's list wins). */
function preAggregations(model: ModelDefinition): Map<string, unknown> {
  const byName = new Map<string, CubeDefinition>(model.cubes.map((c) => [c.name, c]))
  const out = new Map<string, unknown>()
  for (const cube of model.cubes) {
    let current: CubeDefinition | undefined = cube
    const seen = new Set<string>()
    while (current && current.pre_aggregations === undefined && current.extends && !seen.has(current.name)) {
      seen.add(current.name)
      current = byName.get(current.extends)
    }
    for (const [i, p] of (current?.pre_aggregations ?? []).entries()) {
      const name = typeof p === 'object' && p !== null && typeof (p as { name?: unknown }).name === 'string' ? (p as { name: string }).name : `#${i}`
      out.set(`${cube.name}\u0000${name}`, p)
    }
  }
  return out
}

/** Names of the fields whose values differ. */
function changedFields(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): string[] {
  return Object.keys({ ...a, ...b }).filter((k) => !same(a[k], b[k])).map((k) => k.replace(/_/g, ' '))
}

function same(a: unknown, b: unknown): boolean {
  return stable(a) === stable(b)
}

/** JSON with object keys sorted, so `meta: { a, b }` and `meta: { b, a }` are the same. */
function stable(value: unknown): string {
  if (value === undefined) return 'undefined'
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`
  const record = value as Record<string, unknown>
  return `{${Object.keys(record).sort().filter((k) => record[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stable(record[k])}`).join(',')}}`
}
