import { SemanticLayerError, describeName, fail, isSemanticLayerError } from '../errors.js'
import type { CompiledModel } from '../model/compiled.js'
import type { CubeFilter, CubeQuery, FilterValue } from '../query/parse-query.js'
import { memberExists, publicVisibility, type Visibility } from '../query/member-names.js'
import {
  applicablePolicies,
  memberAllowed,
  readContext,
  type CompiledPolicy,
  type PolicyRowFilter,
  type PolicyValue,
} from './access-policy.js'

export type SecurityContext = Readonly<Record<string, unknown>>

/** What an `authorize` hook may answer: allow (optionally narrowing rows with filters) or deny. */
export type AuthorizeDecision =
  | boolean
  | { readonly allow: true; readonly filters?: readonly CubeFilter[] }
  | { readonly allow: false; readonly reason?: string }

export interface AuthorizeRequest {
  readonly query: CubeQuery
  readonly securityContext: SecurityContext | undefined
  readonly model: CompiledModel
  /** Every member the query names (`cube.member`), without granularities. */
  readonly members: readonly string[]
  readonly tenant?: string
}

export interface SecurityHooks {
  /** Groups of the caller, for access policies. Default: `securityContext.groups` when it is a list of strings. */
  readonly contextToGroups?: (securityContext: SecurityContext) => readonly string[]
  /** Rewrite a query after policies have been checked (Cube's queryRewrite, with read access to the model). Throwing denies with FORBIDDEN. */
  readonly queryRewrite?: (
    query: CubeQuery,
    info: {
      readonly securityContext: SecurityContext | undefined
      readonly model: CompiledModel
      readonly tenant?: string
    },
  ) => CubeQuery | Promise<CubeQuery>
  /** Attribute-based rules that do not fit in YAML: allow, deny, or add row filters. */
  readonly authorize?: (request: AuthorizeRequest) => AuthorizeDecision | Promise<AuthorizeDecision>
}

/** Every member named by a query, as written (granularity stripped), for policy checks and audit. */
export function queryMembers(q: CubeQuery): string[] {
  const out = new Set<string>()
  const add = (name: string): void => {
    const parts = name.split('.')
    out.add(parts.length > 2 ? parts.slice(0, 2).join('.') : name)
  }
  q.measures?.forEach(add)
  q.dimensions?.forEach(add)
  q.segments?.forEach(add)
  q.timeDimensions?.forEach((t) => add(t.dimension))
  const walk = (filters: readonly CubeFilter[]): void => {
    for (const f of filters) {
      if ('and' in f) walk(f.and)
      else if ('or' in f) walk(f.or)
      else add(f.member)
    }
  }
  walk(q.filters ?? [])
  const order = q.order === undefined ? [] : Array.isArray(q.order) ? q.order.map(([k]) => k) : Object.keys(q.order)
  order.forEach(add)
  return [...out]
}

/** Filter members named in a query, without their values (for audit events). */
export function filterMembers(q: CubeQuery): string[] {
  const out = new Set<string>()
  const walk = (filters: readonly CubeFilter[]): void => {
    for (const f of filters) {
      if ('and' in f) walk(f.and)
      else if ('or' in f) walk(f.or)
      else out.add(f.member)
    }
  }
  walk(q.filters ?? [])
  q.timeDimensions?.forEach((t) => t.dateRange !== undefined && out.add(t.dimension))
  return [...out]
}

const denied = (
  code: 'UNAUTHORIZED' | 'FORBIDDEN' | 'FORBIDDEN_MEMBER',
  issue: string,
  message: string,
  path: (string | number)[] = [],
): SemanticLayerError => new SemanticLayerError(code, [{ code: issue, path, message }])

/**
 * Evaluates the model's access policies for one caller. Every cube or view with policies is checked
 * for the members the query names (member level) and contributes its row rule (row level).
 */
export class PolicyEvaluator {
  private readonly groups: ReadonlySet<string>
  private readonly cache = new Map<string, CompiledPolicy[]>()

  constructor(
    private readonly model: CompiledModel,
    private readonly ctx: SecurityContext | undefined,
    contextToGroups: SecurityHooks['contextToGroups'],
  ) {
    const groups = ctx === undefined ? [] : contextToGroups ? hostGroups(contextToGroups, ctx) : defaultGroups(ctx)
    this.groups = new Set(groups)
  }

  /** Policies of a cube or view that apply to this caller; undefined when it declares none. Throws when it declares some and none applies. */
  private applicable(owner: string): CompiledPolicy[] | undefined {
    const target = Object.hasOwn(this.model.cubes, owner)
      ? this.model.cubes[owner]
      : Object.hasOwn(this.model.views, owner)
        ? this.model.views[owner]
        : undefined
    const policies = target?.accessPolicy
    if (!policies) return undefined
    const cached = this.cache.get(owner)
    if (cached) return cached
    if (this.ctx === undefined)
      throw denied(
        'UNAUTHORIZED',
        'SECURITY_CONTEXT_REQUIRED',
        `${describeName(owner)} has an access policy, so queries need a securityContext. Pass { securityContext } to the call.`,
      )
    const applicable = applicablePolicies(policies, this.groups, this.ctx)
    if (applicable.length === 0)
      throw denied(
        'FORBIDDEN',
        'NO_POLICY_APPLIES',
        `No access policy of ${describeName(owner)} applies to this caller's groups, so access is denied.`,
      )
    this.cache.set(owner, applicable)
    return applicable
  }

  /** May the caller see this cube or view at all? (for meta) */
  canSee(owner: string): boolean {
    try {
      this.applicable(owner)
      return true
    } catch {
      return false
    }
  }

  /** Is a member (`owner.name`) visible? Checks the view's policies and, for view members, the underlying cube's. */
  memberVisible(key: string): boolean {
    const [owner, name] = key.split('.') as [string, string]
    const own = this.applicable(owner)
    if (own && !memberAllowed(own, name)) return false
    const view = Object.hasOwn(this.model.views, owner) ? this.model.views[owner] : undefined
    if (view) {
      const vm = view.dimensions[name] ?? view.measures[name] ?? view.segments[name]
      if (vm) {
        const cubePolicies = this.applicable(vm.cube)
        if (cubePolicies && !memberAllowed(cubePolicies, vm.member)) return false
      }
    }
    return true
  }

  /** What this caller may query: public cubes, views and members that the access policies grant. Never throws. */
  visibility(): Visibility {
    const pub = publicVisibility(this.model)
    const granted = (key: string): boolean => {
      try {
        return this.memberVisible(key)
      } catch {
        return false
      }
    }
    return { owner: (name) => pub.owner(name) && this.canSee(name), member: (key) => pub.member(key) && granted(key) }
  }

  /** Member-level check of every member a query names. Unknown members are left to query validation. */
  checkMembers(members: readonly string[]): void {
    for (const key of members) {
      const [owner, name] = key.split('.')
      // A member that does not exist is UNKNOWN_MEMBER (query validation), never FORBIDDEN_MEMBER.
      if (!owner || !name || !memberExists(this.model, owner, name)) continue
      if (!this.memberVisible(key))
        throw denied(
          'FORBIDDEN_MEMBER',
          'FORBIDDEN_MEMBER',
          `${describeName(key)} is not accessible to this caller under the model's access policies.`,
        )
    }
  }

  /** The row rule of one cube or view as a Cube filter (undefined: all rows). */
  rowFilter(owner: string): CubeFilter | undefined {
    const applicable = this.applicable(owner)
    if (!applicable) return undefined
    const branches: CubeFilter[] = []
    for (const p of applicable) {
      if (p.rows === 'all') return undefined
      if (p.rows === 'none') continue
      branches.push({ and: p.rows.map((f) => this.resolve(f, owner)) })
    }
    // No branch: every applicable policy allows no rows → an empty OR, which matches nothing.
    return branches.length === 1 ? branches[0]! : { or: branches }
  }

  private resolve(f: PolicyRowFilter, owner: string): CubeFilter {
    if ('and' in f) return { and: f.and.map((c) => this.resolve(c, owner)) }
    if ('or' in f) return { or: f.or.map((c) => this.resolve(c, owner)) }
    if (f.values === undefined) return { member: f.member, operator: f.operator as never }
    return { member: f.member, operator: f.operator as never, values: f.values.flatMap((v) => this.value(v, owner)) }
  }

  private value(v: PolicyValue, owner: string): FilterValue[] {
    if (typeof v !== 'object') return [v]
    const found = readContext(this.ctx, v.context)
    const list = Array.isArray(found) ? found : [found]
    if (
      list.length === 0 ||
      list.some((x) => typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean')
    ) {
      throw denied(
        'UNAUTHORIZED',
        'SECURITY_CONTEXT_INCOMPLETE',
        `The access policy of ${describeName(owner)} needs securityContext.${v.context.join('.')} (a string, number, boolean or a list of them), and the context has none.`,
      )
    }
    return list as FilterValue[]
  }
}

/** The host's groups for a context: a list of strings, or the call is refused (fail closed). */
function hostGroups(toGroups: (ctx: SecurityContext) => readonly string[], ctx: SecurityContext): readonly string[] {
  let groups: unknown
  try {
    groups = toGroups(ctx)
  } catch (error) {
    if (isSemanticLayerError(error)) throw error
    const message = 'contextToGroups threw, so the caller has no groups and no access policy applies; see cause.'
    fail('UNAUTHORIZED', 'GROUPS_RESOLVER_FAILED', [], message, error)
  }
  if (!Array.isArray(groups) || groups.some((g) => typeof g !== 'string')) {
    fail('CONFIG_INVALID', 'INVALID_GROUPS', ['contextToGroups'], 'contextToGroups must return a list of group names.')
  }
  return groups as readonly string[]
}

/**
 * An `authorize` hook's answer: true/false, or `{ allow: true, filters? }` / `{ allow: false }`. Anything
 * else (a forgotten `return`, a typo in `allow`) denies the query: a hook that answers nothing must not let
 * everything through.
 */
export function readDecision(decision: unknown): { readonly allow: boolean; readonly filters?: unknown } {
  if (typeof decision === 'boolean') return { allow: decision }
  if (typeof decision === 'object' && decision !== null && !Array.isArray(decision)) {
    const { allow, filters } = decision as { allow?: unknown; filters?: unknown }
    if (allow === false) return { allow: false }
    if (allow === true) return filters === undefined ? { allow: true } : { allow: true, filters }
  }
  const message =
    'The authorize hook returned neither true, false nor { allow: boolean }, so the query is denied.' +
    ' Return a decision.'
  return fail('FORBIDDEN', 'AUTHORIZE_INVALID', [], message)
}

function defaultGroups(ctx: SecurityContext): string[] {
  const g = Object.hasOwn(ctx, 'groups') ? ctx.groups : undefined
  return Array.isArray(g) ? g.filter((x): x is string => typeof x === 'string') : typeof g === 'string' ? [g] : []
}
