/**
 * Which cubes, views and members a caller may see, and the one message for a member name that does not
 * name one of them: "not a cube or view" / "has no member", with a did-you-mean drawn only from what the
 * caller may see. Used by the normalizer and by the member gate of layers that hide forbidden members
 * (`hideForbiddenMembers`), so that a hidden member and an unknown one are answered alike.
 */
import { describeName, type ErrorIssue } from '../errors.js'
import type { CompiledModel } from '../model/compiled.js'
import { closestNames, formatSuggestions } from '../util/suggest.js'
import type { CubeFilter, CubeQuery } from './parse-query.js'

/** What one caller may query; both checks must be cheap and never throw. */
export interface Visibility {
  /** A cube or view the caller may query (public, and allowed by its access policies). */
  owner(name: string): boolean
  /** A member (`owner.name`, which must exist) the caller may query. */
  member(key: string): boolean
}

/** Public cubes, views and members: the visibility of a caller to whom no access policy applies. */
export function publicVisibility(model: CompiledModel): Visibility {
  return {
    owner: (name) => ownerOf(model, name)?.public === true,
    member: (key) => memberIsPublic(model, key),
  }
}

/** Whether the member is public by the model alone: its cube and itself (a view member: the view). */
export function memberIsPublic(model: CompiledModel, key: string): boolean {
  const [owner, name] = splitOnce(key)
  if (Object.hasOwn(model.cubes, owner)) {
    const cube = model.cubes[owner]!
    const lists = [cube.measures, cube.dimensions, cube.segments]
    const def = lists.find((list) => Object.hasOwn(list, name))?.[name]
    return cube.public && def?.public === true
  }
  return Object.hasOwn(model.views, owner) && model.views[owner]!.public && memberNames(model, owner).includes(name)
}

/** Does `owner.member` name a member of the model (visible or not)? */
export function memberExists(model: CompiledModel, owner: string, member: string): boolean {
  return memberNames(model, owner).includes(member)
}

/** Every member name of a cube or view (dimensions, measures, segments); empty for an unknown owner. */
export function memberNames(model: CompiledModel, owner: string): string[] {
  const o = ownerOf(model, owner)
  return o === undefined ? [] : [...Object.keys(o.dimensions), ...Object.keys(o.measures), ...Object.keys(o.segments)]
}

type Owner = CompiledModel['cubes'][string] | CompiledModel['views'][string]

function ownerOf(model: CompiledModel, name: string): Owner | undefined {
  if (Object.hasOwn(model.cubes, name)) return model.cubes[name]
  return Object.hasOwn(model.views, name) ? model.views[name] : undefined
}

function splitOnce(key: string): [string, string] {
  const dot = key.indexOf('.')
  return dot === -1 ? [key, ''] : [key.slice(0, dot), key.slice(dot + 1)]
}

/**
 * The UNKNOWN_MEMBER issue for `owner.member` when `owner` is unknown to the caller (`ownerKnown` false)
 * or has no member by that name that the caller may see. Suggestions come only from `visibility`.
 */
export function unknownMemberIssue(
  model: CompiledModel,
  visibility: Visibility,
  owner: string,
  member: string,
  ownerKnown: boolean,
  path: readonly (string | number)[],
): ErrorIssue {
  const check = ' Check the name against meta().'
  if (!ownerKnown) {
    const owners = [...Object.keys(model.cubes), ...Object.keys(model.views)].filter((o) => visibility.owner(o))
    // A close owner that has the very member is suggested as the full name.
    const full = (o: string): string =>
      memberExists(model, o, member) && visibility.member(`${o}.${member}`) ? `${o}.${member}` : o
    const hint = formatSuggestions(closestNames(owner, owners).map(full))
    const message = `${describeName(owner)} is not a cube or view in this model.${hint}${check}`
    return { code: 'UNKNOWN_MEMBER', path, message }
  }
  const visible = memberNames(model, owner).filter((m) => visibility.member(`${owner}.${m}`))
  const hint = formatSuggestions(closestNames(member, visible).map((m) => `${owner}.${m}`))
  const message = `${describeName(owner)} has no member ${describeName(member)}.${hint}${check}`
  return { code: 'UNKNOWN_MEMBER', path, message }
}

/**
 * UNKNOWN_MEMBER issues for every member the query names that does not exist or that the caller may not
 * see, with their paths: the member gate of a layer that hides forbidden members. Unknown and hidden
 * members get the same issue, so a caller cannot tell them apart. Names that are not `cube.member` at all
 * are left to the normalizer.
 */
export function invisibleMemberIssues(query: CubeQuery, model: CompiledModel, visibility: Visibility): ErrorIssue[] {
  const issues: ErrorIssue[] = []
  const check = (name: unknown, path: readonly (string | number)[]): void => {
    if (typeof name !== 'string') return
    const parts = name.split('.')
    if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) return
    const [owner, member] = parts as [string, string]
    const ownerVisible = visibility.owner(owner)
    if (ownerVisible && memberExists(model, owner, member) && visibility.member(`${owner}.${member}`)) return
    issues.push(unknownMemberIssue(model, visibility, owner, member, ownerVisible, path))
  }
  query.measures?.forEach((m, i) => check(m, ['measures', i]))
  query.dimensions?.forEach((d, i) => check(d, ['dimensions', i]))
  query.segments?.forEach((s, i) => check(s, ['segments', i]))
  query.timeDimensions?.forEach((t, i) => check(t.dimension, ['timeDimensions', i, 'dimension']))
  const walk = (filters: readonly CubeFilter[], path: readonly (string | number)[]): void => {
    filters.forEach((f, i) => {
      if ('and' in f) walk(f.and, [...path, i, 'and'])
      else if ('or' in f) walk(f.or, [...path, i, 'or'])
      else check(f.member, [...path, i, 'member'])
    })
  }
  walk(query.filters ?? [], ['filters'])
  if (Array.isArray(query.order)) query.order.forEach(([key], i) => check(key, ['order', i]))
  else if (query.order !== undefined) for (const key of Object.keys(query.order)) check(key, ['order', key])
  return issues
}
