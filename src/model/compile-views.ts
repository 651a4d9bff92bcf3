import { formatPath } from '../errors.js'
import { nullRecord } from '../util/objects.js'
import { didYouMean } from '../util/suggest.js'
import type { CompiledCube, CompiledView, CompiledViewMember } from './compiled.js'
import type { ViewDefinition } from './definition.js'
import { titleize } from './references.js'
import { compilePolicies, qualifyRowFilters } from '../security/access-policy.js'

type Path = (string | number)[]
type Report = (code: string, path: Path, message: string) => void

/**
 * Views expose members of cubes along fixed join paths. Every join_path starts at the view's root cube
 * (the first segment of the first entry) and follows joins declared from each cube to the next.
 */
export function compileViews(
  views: readonly ViewDefinition[],
  cubes: Record<string, CompiledCube>,
  report: Report,
  defined: ReadonlyMap<string, Path> = new Map(),
): Record<string, CompiledView> {
  const out = nullRecord<CompiledView>()
  for (const view of views) {
    const path: Path = [...(view.file ? [view.file] : []), 'views', view.name]
    if (out[view.name]) {
      report('DUPLICATE_NAME', path, `View '${view.name}' is defined more than once. Rename or remove one of them.`)
      continue
    }
    const compiled = compileView(view, path, { cubes, defined, views }, report)
    if (!compiled) continue
    if (view.access_policy === undefined) out[view.name] = compiled
    else {
      const policies = compilePolicies(view.access_policy, path, report)
      out[view.name] = {
        ...compiled,
        accessPolicy: qualifyRowFilters(
          policies,
          view.name,
          (m) => compiled.dimensions[m] !== undefined,
          [...path, 'access_policy'],
          report,
        ),
      }
    }
  }
  return out
}

/** What a view may name: compiled cubes, cubes that are defined but failed to compile (by path), other views. */
interface ViewContext {
  readonly cubes: Record<string, CompiledCube>
  readonly defined: ReadonlyMap<string, Path>
  readonly views: readonly ViewDefinition[]
}

/** Why `name` in a join_path is not a cube that compiled, and how to fix it. */
function notACube(entry: string, name: string, ctx: ViewContext): [code: string, message: string] {
  const broken = ctx.defined.get(name)
  if (broken) {
    const where = `reported under ${formatPath(broken)}`
    const fix = 'Fix those first; this view then compiles too.'
    return ['INVALID_CUBE', `join_path '${entry}' names cube '${name}', which has errors of its own (${where}). ${fix}`]
  }
  if (ctx.views.some((v) => v.name === name)) {
    const fix = "Include that view's cubes instead."
    return [
      'UNKNOWN_REFERENCE',
      `join_path '${entry}' names '${name}', which is a view; a join_path follows cubes.` + ` ${fix}`,
    ]
  }
  const hint = didYouMean(name, Object.keys(ctx.cubes))
  const message =
    `join_path '${entry}' names '${name}', which is not a cube in this model.${hint}` +
    ' Check the name or define the cube.'
  return ['UNKNOWN_REFERENCE', message]
}

function compileView(view: ViewDefinition, path: Path, ctx: ViewContext, report: Report): CompiledView | undefined {
  const { cubes } = ctx
  const members = {
    dimension: nullRecord<CompiledViewMember>(),
    measure: nullRecord<CompiledViewMember>(),
    segment: nullRecord<CompiledViewMember>(),
  }
  const taken = new Set<string>()
  let root: string | undefined
  let ok = true
  const bad = (code: string, p: Path, message: string): void => {
    ok = false
    report(code, p, message)
  }
  if (view.cubes.length === 0)
    bad(
      'MISSING_KEY',
      [...path, 'cubes'],
      `View '${view.name}' lists no cubes. Add cubes: [{ join_path: <cube>, includes: '*' }].`,
    )

  view.cubes.forEach((entry, i) => {
    const epath = [...path, 'cubes', i]
    const segs = entry.join_path.split('.')
    root ??= segs[0]
    if (segs[0] !== root) {
      bad(
        'INVALID_JOIN_PATH',
        [...epath, 'join_path'],
        `join_path '${entry.join_path}' must start at the view's root cube '${root}', like its first entry.`,
      )
      return
    }
    for (let k = 0; k < segs.length; k++) {
      const name = segs[k]!
      if (!cubes[name]) {
        const [code, message] = notACube(entry.join_path, name, ctx)
        bad(code, [...epath, 'join_path'], message)
        return
      }
      if (k > 0 && !cubes[segs[k - 1]!]!.joins[name]) {
        bad(
          'INVALID_JOIN_PATH',
          [...epath, 'join_path'],
          `join_path '${entry.join_path}': cube '${segs[k - 1]}' declares no join to '${name}'. Add the join or fix the path.`,
        )
        return
      }
    }
    const target = cubes[segs[segs.length - 1]!]!
    const prefix = entry.prefix === true ? `${entry.alias ?? target.name}_` : ''
    const excluded = new Set(entry.excludes)
    const picks: {
      name: string
      alias?: string
      title?: string
      description?: string
      format?: CompiledViewMember['format']
      meta?: CompiledViewMember['meta']
    }[] =
      entry.includes === '*'
        ? [...Object.keys(target.dimensions), ...Object.keys(target.measures), ...Object.keys(target.segments)].map(
            (name) => ({ name }),
          )
        : entry.includes.map((x) => (typeof x === 'string' ? { name: x } : x))
    picks.forEach((pick, j) => {
      if (excluded.has(pick.name)) return
      const kind = target.dimensions[pick.name]
        ? 'dimension'
        : target.measures[pick.name]
          ? 'measure'
          : target.segments[pick.name]
            ? 'segment'
            : undefined
      if (!kind) {
        const names = [target.dimensions, target.measures, target.segments].flatMap((list) => Object.keys(list))
        const message =
          `Cube '${target.name}' has no member '${pick.name}' to include in view '${view.name}'.` +
          didYouMean(pick.name, names)
        bad('UNKNOWN_REFERENCE', [...epath, 'includes', j], message)
        return
      }
      const name = pick.alias ?? `${prefix}${pick.name}`
      if (taken.has(name)) {
        bad(
          'DUPLICATE_NAME',
          [...epath, 'includes', j],
          `View '${view.name}' would have two members named '${name}'. Use prefix: true or an alias.`,
        )
        return
      }
      taken.add(name)
      const source =
        kind === 'dimension'
          ? target.dimensions[pick.name]!
          : kind === 'measure'
            ? target.measures[pick.name]!
            : target.segments[pick.name]!
      members[kind][name] = {
        kind,
        name,
        key: `${view.name}.${name}`,
        cube: target.name,
        member: pick.name,
        path: segs,
        title:
          pick.title ??
          (pick.alias
            ? titleize(pick.alias)
            : prefix
              ? `${titleize(entry.alias ?? target.name)} ${source.shortTitle}`
              : source.shortTitle),
        ...((pick.description ?? source.description) !== undefined
          ? { description: (pick.description ?? source.description)! }
          : {}),
        ...((pick.format ?? source.format) !== undefined ? { format: (pick.format ?? source.format)! } : {}),
        ...((pick.meta ?? source.meta) !== undefined ? { meta: (pick.meta ?? source.meta)! } : {}),
      }
    })
  })
  if (!ok || !root) return undefined
  return {
    kind: 'view',
    name: view.name,
    title: view.title ?? titleize(view.name),
    ...(view.description === undefined ? {} : { description: view.description }),
    ...(view.meta === undefined ? {} : { meta: view.meta }),
    public: view.public !== false,
    ...(view.file === undefined ? {} : { file: view.file }),
    root,
    dimensions: members.dimension,
    measures: members.measure,
    segments: members.segment,
  }
}
