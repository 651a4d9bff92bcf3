import type { CompiledCube, CompiledModel, CompiledView } from '../model/compiled.js'

/** One member as Cube's /v1/meta lists it. */
export interface MetaMember {
  readonly name: string
  readonly title: string
  readonly shortTitle: string
  readonly type: string
  readonly description?: string
  readonly meta?: Readonly<Record<string, unknown>>
  readonly format?: unknown
  readonly isVisible: boolean
  readonly public: boolean
  readonly [extra: string]: unknown
}

export interface MetaCube {
  readonly name: string
  readonly title: string
  readonly type: 'cube' | 'view'
  readonly description?: string
  readonly meta?: Readonly<Record<string, unknown>>
  readonly isVisible: boolean
  readonly public: boolean
  readonly connectedComponent?: number
  readonly measures: readonly MetaMember[]
  readonly dimensions: readonly MetaMember[]
  readonly segments: readonly MetaMember[]
  readonly hierarchies: readonly unknown[]
  readonly folders: readonly unknown[]
}

export interface MetaResponse {
  readonly cubes: readonly MetaCube[]
}

/**
 * Cube's /meta shape for what a caller may query: public cubes and views with their public members.
 * Cubes joined to each other share a `connectedComponent` number, as in Cube.
 */
export function buildMeta(model: CompiledModel, visible?: MetaVisibility): MetaResponse {
  const components = connectedComponents(model)
  const cubes: MetaCube[] = []
  const seen = visible ?? { owner: () => true, member: () => true }
  const keep = (c: MetaCube): MetaCube => ({
    ...c,
    measures: c.measures.filter((m) => seen.member(m.name)),
    dimensions: c.dimensions.filter((m) => seen.member(m.name)),
    segments: c.segments.filter((m) => seen.member(m.name)),
  })
  for (const cube of Object.values(model.cubes))
    if (cube.public && seen.owner(cube.name)) cubes.push(keep(cubeMeta(cube, components.get(cube.name))))
  for (const view of Object.values(model.views))
    if (view.public && seen.owner(view.name)) cubes.push(keep(viewMeta(model, view)))
  return { cubes }
}

/** What a caller may see, from access policies. */
export interface MetaVisibility {
  owner(name: string): boolean
  member(key: string): boolean
}

const opt = (key: string, value: unknown): Record<string, unknown> => (value === undefined ? {} : { [key]: value })

function measureType(type: string): string {
  return type === 'string' || type === 'time' || type === 'boolean' ? type : 'number'
}

function cubeMeta(cube: CompiledCube, component: number | undefined): MetaCube {
  const visible = <T extends { public: boolean }>(list: Record<string, T>): T[] =>
    Object.values(list).filter((m) => m.public)
  return {
    name: cube.name,
    title: cube.title,
    type: 'cube',
    ...opt('description', cube.description),
    ...opt('meta', cube.meta),
    isVisible: true,
    public: true,
    ...opt('connectedComponent', component),
    measures: visible(cube.measures).map((m) => ({
      name: m.key,
      title: m.title,
      shortTitle: m.shortTitle,
      type: measureType(m.type),
      aggType: m.type,
      cumulative: false,
      cumulativeTotal: false,
      drillMembers: m.drillMembers,
      drillMembersGrouped: {
        measures: m.drillMembers.filter((k) => k.split('.')[0] === cube.name && cube.measures[k.split('.')[1]!]),
        dimensions: m.drillMembers.filter((k) => !(k.split('.')[0] === cube.name && cube.measures[k.split('.')[1]!])),
      },
      ...opt('description', m.description),
      ...opt('meta', m.meta),
      ...opt('format', m.format),
      isVisible: true,
      public: true,
    })),
    dimensions: visible(cube.dimensions).map((d) => ({
      name: d.key,
      title: d.title,
      shortTitle: d.shortTitle,
      type: d.type,
      suggestFilterValues: true,
      primaryKey: d.primaryKey,
      ...opt('description', d.description),
      ...opt('meta', d.meta),
      ...opt('format', d.format),
      isVisible: true,
      public: true,
    })),
    segments: visible(cube.segments).map((s) => ({
      name: s.key,
      title: s.title,
      shortTitle: s.shortTitle,
      type: 'segment',
      ...opt('description', s.description),
      ...opt('meta', s.meta),
      isVisible: true,
      public: true,
    })),
    hierarchies: cube.hierarchies
      .filter((h) => h.public)
      .map((h) => ({ name: `${cube.name}.${h.name}`, title: h.title, levels: h.levels, public: true })),
    folders: [],
  }
}

function viewMeta(model: CompiledModel, view: CompiledView): MetaCube {
  const member = (kind: 'measures' | 'dimensions' | 'segments') =>
    Object.values(view[kind]).map((vm) => {
      const source = model.cubes[vm.cube]![kind][vm.member]!
      const shortTitle = vm.title ?? source.shortTitle
      const base = {
        name: vm.key,
        title: `${view.title} ${shortTitle}`,
        shortTitle,
        ...opt('description', vm.description),
        ...opt('meta', vm.meta),
        ...opt('format', vm.format),
        isVisible: true,
        public: true,
      }
      if (kind === 'measures') {
        const m = model.cubes[vm.cube]!.measures[vm.member]!
        return {
          ...base,
          type: measureType(m.type),
          aggType: m.type,
          cumulative: false,
          cumulativeTotal: false,
          drillMembers: [],
          drillMembersGrouped: { measures: [], dimensions: [] },
        }
      }
      if (kind === 'dimensions') {
        const d = model.cubes[vm.cube]!.dimensions[vm.member]!
        return { ...base, type: d.type, suggestFilterValues: true, primaryKey: d.primaryKey }
      }
      return { ...base, type: 'segment' }
    })
  return {
    name: view.name,
    title: view.title,
    type: 'view',
    ...opt('description', view.description),
    ...opt('meta', view.meta),
    isVisible: true,
    public: true,
    measures: member('measures'),
    dimensions: member('dimensions'),
    segments: member('segments'),
    hierarchies: [],
    folders: [],
  }
}

function connectedComponents(model: CompiledModel): Map<string, number> {
  const out = new Map<string, number>()
  const neighbours = new Map<string, string[]>()
  for (const cube of Object.values(model.cubes)) {
    for (const j of Object.values(cube.joins)) {
      neighbours.set(j.from, [...(neighbours.get(j.from) ?? []), j.to])
      neighbours.set(j.to, [...(neighbours.get(j.to) ?? []), j.from])
    }
  }
  let next = 1
  for (const name of Object.keys(model.cubes)) {
    if (out.has(name) || !neighbours.has(name)) continue
    const stack = [name]
    out.set(name, next)
    while (stack.length)
      for (const n of neighbours.get(stack.pop()!) ?? []) if (!out.has(n)) out.set(n, next), stack.push(n)
    next++
  }
  return out
}
