/**
 * What changed between two versions of a model, for people and for CI: every added, removed and changed
 * cube, view, member, join, hierarchy and declared pre-aggregation, each classified by a rule of
 * diff-rules.ts (documented in docs/model-lifecycle.md, "How changes are classified").
 */
import type { CompiledCube, CompiledMeasure, CompiledModel, CompiledView, CompiledViewMember } from './compiled.js'
import { compileModel } from './compile-model.js'
import type { CubeDefinition, ModelDefinition } from './definition.js'
import { PRIVATE_NOTE, RULES, type ChangeSeverity, type ModelChangeCode } from './diff-rules.js'
import { parseModel } from './load-model.js'

export type { ChangeSeverity, ModelChangeCode } from './diff-rules.js'

export type ChangedObject =
  | 'cube'
  | 'view'
  | 'dimension'
  | 'measure'
  | 'segment'
  | 'join'
  | 'hierarchy'
  | 'pre_aggregation'

export interface ModelChange {
  readonly action: 'added' | 'removed' | 'changed'
  readonly object: ChangedObject
  /** `orders`, `orders.status`, `orders.customers` (the join from orders to customers), `orders.main`. */
  readonly name: string
  /** Where in the model: `['cubes', 'orders', 'measures', 'total']`. */
  readonly path: readonly string[]
  /** The rule that classified it, e.g. `MEMBER_REMOVED` (stable: CI scripts may match on it). */
  readonly code: ModelChangeCode
  readonly severity: ChangeSeverity
  readonly breaking: boolean
  /** What changed and what it means for callers. */
  readonly message: string
  /** The old and new value of what changed, when it is short (a type, a relationship, a data source). */
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
export type DiffableModel =
  | ModelDefinition
  | CompiledModel
  | { readonly cubes?: readonly unknown[]; readonly views?: readonly unknown[] }

/**
 * Compare two versions of a model. Both are compiled first (so `extends` and references are resolved,
 * and a member whose referenced member changed is reported too). Pre-aggregations are compared when
 * both sides are definitions (a compiled model does not keep them).
 *
 * @throws SemanticLayerError `MODEL_INVALID` when either side does not compile.
 * @example
 * const diff = diffModels(await loadModel('./model-main'), await loadModel('./model'))
 * for (const c of diff.changes) if (c.breaking) console.log(`${c.name}: ${c.message}`)
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

/** Where a change is: what it is about and its path. */
interface Where {
  readonly action: ModelChange['action']
  readonly object: ChangedObject
  readonly name: string
  readonly path: readonly string[]
}

class ChangeList {
  private readonly list: ModelChange[] = []

  /** Record `where` under `code`; `compatible` downgrades (a private member), `values` shows before → after. */
  add(
    where: Where,
    code: ModelChangeCode,
    options: { compatible?: boolean; before?: string; after?: string } = {},
  ): void {
    const [ruled, message] = RULES[code]
    const severity: ChangeSeverity = options.compatible ? 'compatible' : ruled
    const text = options.compatible && ruled !== 'compatible' ? `${message} ${PRIVATE_NOTE}` : message
    const values = {
      ...(options.before === undefined ? {} : { before: options.before }),
      ...(options.after === undefined ? {} : { after: options.after }),
    }
    this.list.push({ ...where, code, severity, breaking: severity === 'breaking', message: text, ...values })
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
  const cube = object === 'cube'
  const at = (action: Where['action'], name: string): Where => ({
    action,
    object,
    name,
    path: [cube ? 'cubes' : 'views', name],
  })
  for (const [name, a] of Object.entries(before)) {
    const b = Object.hasOwn(after, name) ? after[name] : undefined
    if (b) compare(a, b)
    else out.add(at('removed', name), cube ? 'CUBE_REMOVED' : 'VIEW_REMOVED', { compatible: !a.public })
  }
  for (const name of Object.keys(after)) {
    if (!Object.hasOwn(before, name)) out.add(at('added', name), cube ? 'CUBE_ADDED' : 'VIEW_ADDED')
  }
}

/** Owner-level facts shared by cubes and views: publicity, descriptions, policies. */
function diffOwnerBasics(object: 'cube' | 'view', a: Owner, b: Owner, out: ChangeList): void {
  const cube = object === 'cube'
  const where: Where = { action: 'changed', object, name: a.name, path: [cube ? 'cubes' : 'views', a.name] }
  const flags = (p: boolean): string => (p ? 'public' : 'not public')
  if (a.public !== b.public) {
    const code = b.public ? (cube ? 'CUBE_SHOWN' : 'VIEW_SHOWN') : cube ? 'CUBE_HIDDEN' : 'VIEW_HIDDEN'
    out.add(where, code, { before: flags(a.public), after: flags(b.public) })
  }
  const describe = (o: Owner): Record<string, unknown> => ({ title: o.title, description: o.description, meta: o.meta })
  if (!same(describe(a), describe(b))) out.add(where, 'METADATA_CHANGED')
  if (!same(a.accessPolicy, b.accessPolicy)) out.add(where, 'ACCESS_POLICY_CHANGED')
}

function diffCube(a: CompiledCube, b: CompiledCube, sa: Side, sb: Side, out: ChangeList): void {
  diffOwnerBasics('cube', a, b, out)
  const where: Where = { action: 'changed', object: 'cube', name: a.name, path: ['cubes', a.name] }
  if (!same(a.from, b.from)) out.add(where, 'CUBE_SOURCE_CHANGED')
  if (a.dataSource !== b.dataSource) {
    out.add(where, 'DATA_SOURCE_CHANGED', { before: a.dataSource, after: b.dataSource })
  }
  if (!same(a.primaryKey, b.primaryKey)) {
    out.add(where, 'PRIMARY_KEY_CHANGED', { before: a.primaryKey.join(', '), after: b.primaryKey.join(', ') })
  }
  if (!same(a.refreshKey, b.refreshKey)) out.add(where, 'REFRESH_KEY_CHANGED')
  diffMembers(a, b, sa, sb, out)
  diffJoins(a, b, out)
  diffHierarchies(a, b, out)
}

function diffView(a: CompiledView, b: CompiledView, sa: Side, sb: Side, out: ChangeList): void {
  diffOwnerBasics('view', a, b, out)
  diffMembers(a, b, sa, sb, out)
}

type Kind = 'dimension' | 'measure' | 'segment'
const KINDS = [
  ['dimension', 'dimensions'],
  ['measure', 'measures'],
  ['segment', 'segments'],
] as const

/** A member as callers see it: kind, type, whether they may query it, its SQL (fingerprinted), its metadata. */
interface MemberFacts {
  readonly kind: Kind
  readonly type?: string
  readonly exposed: boolean
  readonly sql: string
  readonly filters: string
  readonly meta: Readonly<Record<string, unknown>>
  /** For view members: the join path and cube member it stands for. */
  readonly target?: string
}

/** A model being diffed, with each cube's members computed once (views read them again and again). */
interface Side {
  readonly model: CompiledModel
  readonly members: Map<CompiledCube, Map<string, MemberFacts>>
}

function cubeMembers(cube: CompiledCube, side: Side): Map<string, MemberFacts> {
  const known = side.members.get(cube)
  if (known) return known
  const out = new Map<string, MemberFacts>()
  side.members.set(cube, out)
  for (const [kind, group] of KINDS) {
    for (const m of Object.values(cube[group])) {
      const measure = kind === 'measure' ? (m as CompiledMeasure) : undefined
      out.set(m.name, {
        kind,
        ...('type' in m ? { type: m.type } : {}),
        exposed: cube.public && m.public,
        sql: measure ? stable([measure.sql, measureRefs(measure, side.model)]) : stable(m.sql),
        filters: measure ? stable(measure.filters) : '',
        meta: {
          title: m.shortTitle,
          description: m.description,
          format: m.format,
          meta: m.meta,
          drill: measure?.drillMembers,
        },
      })
    }
  }
  return out
}

/**
 * The measures a calculated measure is computed from, each with its aggregation, SQL and filters (and
 * theirs), so a change to one shows on the measures built from it too. Compiled models have no cycles.
 */
function measureRefs(m: CompiledMeasure, model: CompiledModel): unknown[] {
  return m.measureRefs.map((key) => {
    const [c, n] = key.split('.') as [string, string]
    const ref = model.cubes[c]?.measures[n]
    return ref ? [key, ref.type, ref.sql, ref.filters, measureRefs(ref, model)] : key
  })
}

function viewMembers(view: CompiledView, side: Side): Map<string, MemberFacts> {
  const out = new Map<string, MemberFacts>()
  const all: CompiledViewMember[] = [
    ...Object.values(view.dimensions),
    ...Object.values(view.measures),
    ...Object.values(view.segments),
  ]
  for (const vm of all) {
    const target = side.model.cubes[vm.cube]
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
  const at = (action: Where['action'], m: MemberFacts, name: string): Where => ({
    action,
    object: m.kind,
    name: `${a.name}.${name}`,
    path: [group, a.name, `${m.kind}s`, name],
  })
  for (const [name, x] of before) {
    const y = after.get(name)
    if (!y) {
      out.add(at('removed', x, name), 'MEMBER_REMOVED', { compatible: !x.exposed })
      continue
    }
    const where = at('changed', y, name)
    // A member nobody may query directly matters only through the members built from it (reported themselves).
    const compatible = !x.exposed && !y.exposed
    if (x.kind !== y.kind) {
      out.add(where, 'MEMBER_KIND_CHANGED', { compatible, before: x.kind, after: y.kind })
      continue
    }
    // When the cube or view itself was hidden or shown, that one change says it for all its members.
    if (a.public === b.public && x.exposed !== y.exposed) {
      const flags = (p: boolean): string => (p ? 'public' : 'not public')
      const code = y.exposed ? 'MEMBER_SHOWN' : 'MEMBER_HIDDEN'
      out.add(where, code, { before: flags(x.exposed), after: flags(y.exposed) })
    }
    const types = {
      ...(x.type === undefined ? {} : { before: x.type }),
      ...(y.type === undefined ? {} : { after: y.type }),
    }
    const retyped = y.kind === 'measure' ? 'MEASURE_TYPE_CHANGED' : 'MEMBER_TYPE_CHANGED'
    if (x.type !== y.type) out.add(where, retyped, { compatible, ...types })
    else if (x.sql !== y.sql) out.add(where, 'SQL_CHANGED', { compatible })
    if (x.filters !== y.filters && x.type === y.type) out.add(where, 'MEASURE_FILTERS_CHANGED', { compatible })
    if (x.target !== y.target) {
      const targets = { ...(x.target ? { before: x.target } : {}), ...(y.target ? { after: y.target } : {}) }
      out.add(where, 'VIEW_MEMBER_TARGET_CHANGED', { compatible, ...targets })
    }
    if (!same(x.meta, y.meta)) out.add(where, 'METADATA_CHANGED')
  }
  for (const [name, y] of after) if (!before.has(name)) out.add(at('added', y, name), 'MEMBER_ADDED')
}

function diffJoins(a: CompiledCube, b: CompiledCube, out: ChangeList): void {
  const at = (action: Where['action'], to: string): Where => ({
    action,
    object: 'join',
    name: `${a.name}.${to}`,
    path: ['cubes', a.name, 'joins', to],
  })
  for (const [to, x] of Object.entries(a.joins)) {
    const y = Object.hasOwn(b.joins, to) ? b.joins[to] : undefined
    if (!y) {
      out.add(at('removed', to), 'JOIN_REMOVED')
      continue
    }
    if (x.relationship !== y.relationship) {
      out.add(at('changed', to), 'JOIN_RELATIONSHIP_CHANGED', { before: x.relationship, after: y.relationship })
    }
    if (!same(x.sql, y.sql)) out.add(at('changed', to), 'JOIN_CONDITION_CHANGED')
  }
  for (const to of Object.keys(b.joins)) if (!Object.hasOwn(a.joins, to)) out.add(at('added', to), 'JOIN_ADDED')
}

function diffHierarchies(a: CompiledCube, b: CompiledCube, out: ChangeList): void {
  const before = new Map(a.hierarchies.map((h) => [h.name, h]))
  const after = new Map(b.hierarchies.map((h) => [h.name, h]))
  const at = (action: Where['action'], name: string): Where => ({
    action,
    object: 'hierarchy',
    name: `${a.name}.${name}`,
    path: ['cubes', a.name, 'hierarchies', name],
  })
  for (const [name, h] of before) {
    const other = after.get(name)
    if (!other) out.add(at('removed', name), 'HIERARCHY_REMOVED')
    else if (!same(h, other)) out.add(at('changed', name), 'HIERARCHY_CHANGED')
  }
  for (const name of after.keys()) if (!before.has(name)) out.add(at('added', name), 'HIERARCHY_ADDED')
}

/** Declared pre-aggregations by cube and name (after `extends`). */
function diffPreAggregations(a: ModelDefinition, b: ModelDefinition, compiled: CompiledModel, out: ChangeList): void {
  const before = preAggregations(a)
  const after = preAggregations(b)
  const at = (action: Where['action'], key: string): Where => {
    const [cube, name] = key.split('\u0000') as [string, string]
    const path = ['cubes', cube, 'pre_aggregations', name]
    return { action, object: 'pre_aggregation', name: `${cube}.${name}`, path }
  }
  for (const [key, x] of before) {
    if (!Object.hasOwn(compiled.cubes, key.split('\u0000')[0]!)) continue // reported with its cube
    const y = after.get(key)
    if (y === undefined) out.add(at('removed', key), 'PRE_AGGREGATION_REMOVED')
    else if (!same(x, y)) out.add(at('changed', key), 'PRE_AGGREGATION_CHANGED')
  }
  for (const key of after.keys()) if (!before.has(key)) out.add(at('added', key), 'PRE_AGGREGATION_ADDED')
}

/** `cube\0name` → definition, with `extends` applied as the compiler does (the nearest declaring cube's list). */
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
      const named = typeof p === 'object' && p !== null && typeof (p as { name?: unknown }).name === 'string'
      out.set(`${cube.name}\u0000${named ? (p as { name: string }).name : `#${i}`}`, p)
    }
  }
  return out
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
  const keys = Object.keys(record)
    .sort()
    .filter((k) => record[k] !== undefined)
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stable(record[k])}`).join(',')}}`
}
