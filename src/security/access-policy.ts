/**
 * Cube's `access_policy`, compiled to plain data and evaluated per security context.
 *
 * Semantics (Cube's documentation): a policy applies when its group matches one of the caller's groups
 * (or is "*") and all its conditions hold. A cube or view with policies denies callers to whom none
 * applies. Member access is the union of what the applicable policies grant (a policy without
 * member_level grants every member). Row access is the OR of the applicable policies' row filters (a
 * policy without row_level, or with allow_all: true, allows every row); different cubes' row rules are
 * ANDed by the caller.
 */

type Path = (string | number)[]
type Report = (code: string, path: Path, message: string) => void

/** A reference into the security context, e.g. `{ securityContext.tenant_id }` → ['tenant_id']. */
export interface ContextRef {
  readonly context: readonly string[]
}
export type PolicyValue = string | number | boolean | ContextRef

export type PolicyCondition =
  | { readonly kind: 'truthy'; readonly ref: ContextRef; readonly negate: boolean }
  | {
      readonly kind: 'compare'
      readonly ref: ContextRef
      readonly op: '==' | '!=' | '>' | '>=' | '<' | '<='
      readonly value: string | number | boolean
    }

export type PolicyRowFilter =
  | { readonly member: string; readonly operator: string; readonly values?: readonly PolicyValue[] }
  | { readonly and: readonly PolicyRowFilter[] }
  | { readonly or: readonly PolicyRowFilter[] }

export interface CompiledPolicy {
  /** '*' for every caller, else the groups it applies to. */
  readonly groups: '*' | readonly string[]
  readonly conditions: readonly PolicyCondition[]
  /** Undefined: every member. */
  readonly members?: { readonly includes: '*' | readonly string[]; readonly excludes: '*' | readonly string[] }
  /** 'all' rows, 'none', or filters ANDed together. */
  readonly rows: 'all' | 'none' | readonly PolicyRowFilter[]
}

const POLICY_KEYS = new Set(['group', 'groups', 'role', 'roles', 'conditions', 'member_level', 'row_level'])
const REF =
  /^\{\s*(?:securityContext|security_context|userAttributes|user_attributes)((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*\}$/
// The literal starts at its first non-space (`\s*(\S.*)`, not `\s*(.+)`): two quantifiers that can both
// take the same spaces make a failing match quadratic.
const CONDITION =
  /^\{\s*(not\s+)?(?:securityContext|security_context|userAttributes|user_attributes)((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*\}\s*(?:(==|!=|>=|<=|>|<)\s*(\S.*))?$/

/** Compile one access_policy list (already shape-checked as a list of mappings). */
export function compilePolicies(raw: readonly unknown[], path: Path, report: Report): CompiledPolicy[] {
  const out: CompiledPolicy[] = []
  raw.forEach((entry, i) => {
    const p = [...path, 'access_policy', i]
    const policy = entry as Record<string, unknown>
    let ok = true
    const bad = (sub: Path, message: string, code = 'INVALID_POLICY'): void => {
      ok = false
      report(code, [...p, ...sub], message)
    }
    for (const key of Object.keys(policy)) {
      if (key === 'member_masking')
        bad(
          [key],
          'member_masking is not supported by Cortex yet. Remove it, or exclude the member with member_level.',
          'UNSUPPORTED_FEATURE',
        )
      else if (!POLICY_KEYS.has(key))
        bad(
          [key],
          `Unknown access_policy key '${key}'. Use group/groups, conditions, member_level and row_level.`,
          'UNKNOWN_KEY',
        )
    }
    const groups = readGroups(policy, bad)
    const conditions: PolicyCondition[] = []
    const conds = policy.conditions
    if (conds !== undefined) {
      if (!Array.isArray(conds)) bad(['conditions'], 'conditions must be a list of { if: "{ securityContext.x }" }.')
      else
        conds.forEach((c, j) => {
          const text = typeof c === 'object' && c !== null ? (c as Record<string, unknown>).if : undefined
          const parsed = typeof text === 'string' ? parseCondition(text) : undefined
          if (!parsed)
            bad(
              ['conditions', j, 'if'],
              'A condition must be "{ securityContext.path }", optionally negated with "not" or compared (==, !=, >, >=, <, <=) with a number, true/false or a quoted string.',
            )
          else conditions.push(parsed)
        })
    }
    const members = readMemberLevel(policy.member_level, bad)
    const rows = readRowLevel(policy.row_level, bad)
    if (ok && groups !== undefined) out.push({ groups, conditions, ...(members ? { members } : {}), rows })
  })
  return out
}

function readGroups(
  policy: Record<string, unknown>,
  bad: (sub: Path, message: string) => void,
): CompiledPolicy['groups'] | undefined {
  const single = policy.group ?? policy.role
  const many = policy.groups ?? policy.roles
  if ((single === undefined) === (many === undefined)) {
    bad([], 'An access policy needs exactly one of group (a name or "*") and groups (a list of names).')
    return undefined
  }
  if (single !== undefined) {
    if (typeof single !== 'string' || single === '') return void bad(['group'], 'group must be a group name or "*".')
    return single === '*' ? '*' : [single]
  }
  if (!Array.isArray(many) || many.some((g) => typeof g !== 'string'))
    return void bad(['groups'], 'groups must be a list of group names.')
  return many.includes('*') ? '*' : (many as string[])
}

function readList(value: unknown): '*' | string[] | undefined {
  if (value === '*') return '*'
  if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
    return value.map((v) => (v as string).replace(/^.*\./, ''))
  return undefined
}

function readMemberLevel(value: unknown, bad: (sub: Path, message: string) => void): CompiledPolicy['members'] {
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null)
    return void bad(['member_level'], 'member_level must be a mapping with includes and/or excludes.')
  const v = value as Record<string, unknown>
  const includes = v.includes === undefined ? '*' : readList(v.includes)
  const excludes = v.excludes === undefined ? [] : readList(v.excludes)
  if (includes === undefined) bad(['member_level', 'includes'], 'includes must be "*" or a list of member names.')
  if (excludes === undefined) bad(['member_level', 'excludes'], 'excludes must be "*" or a list of member names.')
  return includes && excludes ? { includes, excludes } : undefined
}

function readRowLevel(value: unknown, bad: (sub: Path, message: string) => void): CompiledPolicy['rows'] {
  if (value === undefined) return 'all'
  if (typeof value !== 'object' || value === null) {
    bad(['row_level'], 'row_level must be a mapping with filters or allow_all.')
    return 'none'
  }
  const v = value as Record<string, unknown>
  if (v.allow_all === true) return 'all'
  if (v.filters === undefined) {
    if (v.allow_all === false) return 'none'
    bad(['row_level'], 'row_level needs filters (or allow_all: true / false).')
    return 'none'
  }
  if (!Array.isArray(v.filters)) {
    bad(['row_level', 'filters'], 'filters must be a list of { member, operator, values }.')
    return 'none'
  }
  const filters: PolicyRowFilter[] = []
  v.filters.forEach((f, i) => {
    const out = readRowFilter(f, ['row_level', 'filters', i], bad)
    if (out) filters.push(out)
  })
  return filters
}

function readRowFilter(f: unknown, path: Path, bad: (sub: Path, message: string) => void): PolicyRowFilter | undefined {
  if (typeof f !== 'object' || f === null)
    return void bad(path, 'A row filter must be { member, operator, values } or { and: [...] } / { or: [...] }.')
  const o = f as Record<string, unknown>
  for (const logical of ['and', 'or'] as const) {
    if (o[logical] !== undefined) {
      const list = o[logical]
      if (!Array.isArray(list)) return void bad([...path, logical], `${logical} must be a list of filters.`)
      const children = list
        .map((c, i) => readRowFilter(c, [...path, logical, i], bad))
        .filter((c): c is PolicyRowFilter => c !== undefined)
      return logical === 'and' ? { and: children } : { or: children }
    }
  }
  const member = o.member ?? o.dimension
  if (typeof member !== 'string' || typeof o.operator !== 'string')
    return void bad(path, 'A row filter needs member and operator.')
  if (o.values === undefined) return { member, operator: o.operator }
  const raw = Array.isArray(o.values) ? o.values : [o.values]
  const values: PolicyValue[] = []
  for (const v of raw) {
    if (typeof v === 'string') {
      const m = REF.exec(v.trim())
      values.push(m ? { context: m[1]!.slice(1).split('.') } : v)
    } else if (typeof v === 'number' || typeof v === 'boolean') values.push(v)
    else
      return void bad(
        [...path, 'values'],
        'Row filter values must be strings, numbers, booleans or "{ securityContext.x }" references.',
      )
  }
  return { member, operator: o.operator, values }
}

function parseCondition(text: string): PolicyCondition | undefined {
  const m = CONDITION.exec(text.trim())
  if (!m) return undefined
  const ref = { context: m[2]!.slice(1).split('.') }
  if (!m[3]) return { kind: 'truthy', ref, negate: Boolean(m[1]) }
  if (m[1]) return undefined
  const literal = m[4]!.trim()
  let value: string | number | boolean
  if (literal === 'true' || literal === 'false') value = literal === 'true'
  else if (/^-?\d+(\.\d+)?$/.test(literal)) value = Number(literal)
  else if (/^'[^']*'$|^"[^"]*"$/.test(literal)) value = literal.slice(1, -1)
  else return undefined
  return { kind: 'compare', ref, op: m[3] as PolicyCondition extends { op: infer O } ? O : never, value }
}

/** Read a path from the security context; own properties only, so nothing is read from prototypes. */
export function readContext(ctx: unknown, path: readonly string[]): unknown {
  let at: unknown = ctx
  for (const key of path) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, key)) return undefined
    at = (at as Record<string, unknown>)[key]
  }
  return at
}

function holds(c: PolicyCondition, ctx: unknown): boolean {
  const v = readContext(ctx, c.ref.context)
  if (c.kind === 'truthy') return c.negate ? !v : Boolean(v)
  switch (c.op) {
    case '==':
      return v === c.value
    case '!=':
      return v !== c.value
    default: {
      if (typeof v !== typeof c.value || typeof v === 'boolean') return false
      const [a, b] = [v as number | string, c.value as number | string]
      return c.op === '>' ? a > b : c.op === '>=' ? a >= b : c.op === '<' ? a < b : a <= b
    }
  }
}

/** The policies that apply to a caller with these groups and this context. */
export function applicablePolicies(
  policies: readonly CompiledPolicy[],
  groups: ReadonlySet<string>,
  ctx: unknown,
): CompiledPolicy[] {
  return policies.filter(
    (p) => (p.groups === '*' || p.groups.some((g) => groups.has(g))) && p.conditions.every((c) => holds(c, ctx)),
  )
}

/** Does any applicable policy grant this member (its name within the cube or view)? */
export function memberAllowed(applicable: readonly CompiledPolicy[], name: string): boolean {
  return applicable.some((p) => {
    if (!p.members) return true
    const { includes, excludes } = p.members
    const included = includes === '*' || includes.includes(name)
    const excluded = excludes === '*' || excludes.includes(name)
    return included && !excluded
  })
}

/**
 * Row filters name members relative to their cube or view (`country`) or in full (`orders.country`).
 * Make them full keys and check that each is a dimension of that cube or view.
 */
export function qualifyRowFilters(
  policies: readonly CompiledPolicy[],
  owner: string,
  isDimension: (name: string) => boolean,
  path: Path,
  report: (code: string, path: Path, message: string) => void,
): CompiledPolicy[] {
  const qualify = (f: PolicyRowFilter, at: Path): PolicyRowFilter => {
    if ('and' in f) return { and: f.and.map((c, i) => qualify(c, [...at, 'and', i])) }
    if ('or' in f) return { or: f.or.map((c, i) => qualify(c, [...at, 'or', i])) }
    const parts = f.member.split('.')
    const name =
      parts.length === 2 && (parts[0] === owner || parts[0] === 'CUBE')
        ? parts[1]!
        : parts.length === 1
          ? parts[0]!
          : undefined
    if (!name || !isDimension(name)) {
      report(
        'UNKNOWN_REFERENCE',
        [...at, 'member'],
        `Row filter member '${f.member}' is not a dimension of '${owner}'. Row-level filters use the cube's (or view's) own dimensions.`,
      )
      return f
    }
    return { ...f, member: `${owner}.${name}` }
  }
  return policies.map((p, i) =>
    Array.isArray(p.rows)
      ? { ...p, rows: (p.rows as PolicyRowFilter[]).map((f, j) => qualify(f, [...path, i, 'row_level', 'filters', j])) }
      : p,
  )
}
