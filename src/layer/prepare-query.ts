/**
 * Preparing a query: parse → tenant → member-level policies → queryRewrite → authorize → row-level
 * policies → normalize → plan, with the compiled-query cache in front. What comes out is everything a
 * call needs to run: its tenant scope and the compiled query.
 */
import type { CompiledQueries, CompiledQuery } from '../compiled-queries.js'
import { describeName, fail, isSemanticLayerError, SemanticLayerError, toInternal } from '../errors.js'
import type { CompiledModel } from '../model/compiled.js'
import { invisibleMemberIssues } from '../query/member-names.js'
import { normalizeQuery } from '../query/normalize-query.js'
import { parseQuery, type CubeFilter, type CubeQuery } from '../query/parse-query.js'
import { buildPlan, type QueryPlan } from '../query/plan/build-plan.js'
import { treeCubes } from '../query/plan/join-tree.js'
import { checkQueryLimits, type QueryLimits } from '../query/query-limits.js'
import { PolicyEvaluator, queryMembers, readDecision } from '../security/authorize-query.js'
import { rewriteFilters } from '../security/rewrite-filters.js'
import type { CallContext } from '../security/security-context.js'
import type { Tenancy, TenantScope } from '../security/tenancy.js'
import type { LayerSettings } from './layer-options.js'
import type { ModelInput } from './layer-types.js'

/** Everything one call needs once it is authorized and planned. The caller releases `scope`. */
export interface Prepared {
  readonly scope: TenantScope
  readonly compiled: CompiledQuery
}

export interface PrepareDeps {
  readonly settings: LayerSettings
  readonly tenancy: Tenancy<ModelInput>
  readonly compiledQueries: CompiledQueries
  readonly queryLimits: QueryLimits
}

/** The layer's `prepare(input, call)`: one pass down the stages above, or a compiled query reused. */
export function queryPreparer(deps: PrepareDeps): (input: unknown, call: CallContext) => Promise<Prepared> {
  const { settings, tenancy, compiledQueries, queryLimits } = deps
  const { options, limits, clockMs } = settings
  const hasHooks = options.queryRewrite !== undefined || options.authorize !== undefined
  const hideForbidden = options.hideForbiddenMembers === true

  return async (input, call) => {
    // The call's snapshot of the context: what every check below, the hooks and the digest see.
    const ctx = call.context
    const digest = compiledQueries.enabled ? call.digest() : undefined
    // Without hooks, a query compiled before under an equal context (same tenant and model) is reused as is.
    const inputKey = hasHooks ? undefined : compiledQueries.keyOf(digest, input)
    if (compiledQueries.has(inputKey)) {
      const scope = await tenancy.resolve(ctx)
      const hit = compiledQueries.get(inputKey, scope.model, scope.tenant)
      if (hit) return { scope, compiled: hit }
      scope.release()
    }
    const parsed = guard('parse', () => parseQuery(input))
    checkQueryLimits(parsed, queryLimits)
    const scope = await tenancy.resolve(ctx)
    try {
      const model = scope.model
      const policies = new PolicyEvaluator(model, ctx, options.contextToGroups)
      const visibility = policies.visibility()
      // Members the caller may not see are refused before any hook sees the query.
      const checkMembers = (q: CubeQuery): void => {
        if (!hideForbidden) {
          policies.checkMembers(queryMembers(q))
          return
        }
        const issues = invisibleMemberIssues(q, model, visibility)
        if (issues.length > 0) throw new SemanticLayerError('QUERY_INVALID', issues)
      }
      checkMembers(parsed)
      let query = parsed
      // Filters queryRewrite adds or changes are security filters (exact text comparison).
      let securityFilters: ReadonlySet<number> | undefined
      const tenant = scope.tenant ? { tenant: scope.tenant } : {}
      if (options.queryRewrite) {
        let rewritten: unknown
        try {
          rewritten = await options.queryRewrite(structuredClone(parsed), { securityContext: ctx, model, ...tenant })
        } catch (error) {
          if (isSemanticLayerError(error)) throw error
          fail('FORBIDDEN', 'QUERY_REWRITE_DENIED', [], 'The query was denied by queryRewrite.', error)
        }
        query = guard('parse', () => parseQuery(rewritten))
        checkMembers(query)
        securityFilters = rewriteFilters(parsed.filters, query.filters)
      }
      const extra: CubeFilter[] = []
      if (options.authorize) {
        let answer: unknown
        try {
          const members = queryMembers(query)
          answer = await options.authorize({ query, securityContext: ctx, model, members, ...tenant })
        } catch (error) {
          if (isSemanticLayerError(error)) throw error
          fail('FORBIDDEN', 'AUTHORIZE_DENIED', [], 'The authorize hook threw: the query is denied (see cause).', error)
        }
        const decision = readDecision(answer)
        if (!decision.allow) fail('FORBIDDEN', 'AUTHORIZE_DENIED', [], 'The query was denied by the authorize hook.')
        const filters = decision.filters
        if (filters !== undefined) extra.push(...guard('parse', () => parseQuery({ filters }).filters ?? []))
      }
      // With hooks, the compiled form is keyed by what they made of the query (they ran for this call),
      // including which filters are security filters: the same query text renders differently otherwise.
      const hookKey = [query, extra, [...(securityFilters ?? [])]]
      const key = hasHooks ? compiledQueries.keyOf(digest, 'hooks', ...hookKey) : inputKey
      const hit = compiledQueries.get(key, model, scope.tenant)
      if (hit) return { scope, compiled: hit }
      // Relative date ranges read the clock: such a query compiles to different SQL over time, so it is not kept.
      let readClock = false
      const nowMs = (): number => {
        readClock = true
        return clockMs()
      }
      // Row-level rules of every cube and view the SQL will touch. Policy filters can pull further cubes
      // into the join tree, so repeat until the set of owners is stable. It only grows and holds names
      // of the model's cubes and views, so it is stable within that many rounds: never compile before.
      let owners = new Set(queryMembers(query).map((m) => m.split('.')[0]!))
      const rounds = Object.keys(model.cubes).length + Object.keys(model.views).length + 1
      for (let round = 0; ; round++) {
        const rowFilters = [...owners].map((o) => policies.rowFilter(o)).filter((f): f is CubeFilter => f !== undefined)
        const normalizeOptions = {
          ...limits,
          nowMs,
          visibility,
          hideInvisible: hideForbidden,
          ...(securityFilters ? { securityFilters } : {}),
        }
        const normalized = normalizeQuery(query, model, normalizeOptions, [...extra, ...rowFilters])
        const plan = buildPlan(model, normalized)
        const touched = new Set([...owners, ...treeCubes(plan.tree)])
        if (touched.size === owners.size) {
          const compiled = compiledQueries.create(model, scope.tenant, normalized, plan, dataSourceOf(model, plan))
          if (!readClock) compiledQueries.set(key, compiled)
          return { scope, compiled }
        }
        if (round >= rounds) throw policyExpansionUnstable()
        owners = touched
      }
    } catch (error) {
      scope.release()
      throw toInternal(error, 'query preparation')
    }
  }
}

/** The set of policy owners kept growing past the model's size: a bug, refused rather than compiled unchecked. */
function policyExpansionUnstable(): SemanticLayerError {
  const message =
    'Access policies kept pulling further cubes into the query past the number of cubes and views' +
    ' in the model; the query was refused rather than run with a cube unchecked.'
  return new SemanticLayerError('INTERNAL', [{ code: 'POLICY_EXPANSION_UNSTABLE', path: [], message }])
}

/** All cubes of one query must live in one data source (federation is not supported). */
function dataSourceOf(model: CompiledModel, plan: QueryPlan): string {
  const sources = new Map<string, string>()
  for (const cube of treeCubes(plan.tree)) {
    const source = model.cubes[cube]!.dataSource
    if (!sources.has(source)) sources.set(source, cube)
  }
  if (sources.size > 1) {
    const named = [...sources].map(([source, cube]) => `${describeName(cube)} (data_source ${describeName(source)})`)
    const list = named.join(' and ')
    const message = `This query joins cubes from different data sources: ${list}. Query each source separately.`
    throw new SemanticLayerError('QUERY_INVALID', [{ code: 'MULTIPLE_DATA_SOURCES', path: [], message }])
  }
  return [...sources.keys()][0]!
}

/** Run one stage; an error that is not a SemanticLayerError is a bug of that stage (INTERNAL). */
export function guard<T>(where: string, fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    throw toInternal(error, where)
  }
}
