import { LRUCache } from 'lru-cache'
import { SemanticLayerError } from './errors.js'
import { canonical, statementDigest } from './cache/cache-key.js'
import type { CompiledCube, CompiledModel } from './model/compiled.js'
import type { NormalizedQuery } from './query/normalized-query.js'
import type { QueryPlan } from './query/plan/build-plan.js'
import { treeCubes } from './query/plan/join-tree.js'
import { RowShaper, buildAnnotation, type DecimalMode } from './result/shape-result.js'
import type { SqlDialect } from './sql/dialect.js'
import { renderSql, type RenderedQuery } from './sql/render-sql.js'
import { deepFreeze } from './util/objects.js'

/**
 * A query after authorization, normalization and planning, with what is derived from it computed once:
 * the SQL per dialect, its digest and the result annotation. Immutable; shared by every call that maps
 * to the same entry of the {@link CompiledQueries} cache.
 */
export class CompiledQuery {
  private readonly renders = new Map<string, RenderedStatements>()
  private annotationValue: Readonly<Record<string, Record<string, unknown>>> | undefined

  /** The cubes the SQL touches: the root of the join tree and every joined cube. */
  readonly cubes: readonly CompiledCube[]

  constructor(
    readonly model: CompiledModel,
    readonly tenant: string | undefined,
    readonly normalized: NormalizedQuery,
    readonly plan: QueryPlan,
    readonly dataSource: string,
    private readonly decimals: DecimalMode,
  ) {
    this.cubes = treeCubes(plan.tree).map((c) => model.cubes[c]!)
  }

  /** The statements for one dialect (`stream`: without the limit + 1 row that detects truncation). */
  render(dialect: SqlDialect, stream = false): RenderedStatements {
    const id = stream ? `${dialect.name}:stream` : dialect.name
    let out = this.renders.get(id)
    if (!out) {
      // Frozen: result.sql hands these to callers, and later calls run the same statements.
      const rendered = deepFreeze(renderSql(this.plan, this.model, dialect, stream ? { stream: true } : {}))
      out = new RenderedStatements(dialect.name, rendered, this.decimals)
      this.renders.set(id, out)
    }
    return out
  }

  /** Cube's annotation for the result, frozen: every result of this query shares it. */
  get annotation(): Readonly<Record<string, Record<string, unknown>>> {
    return (this.annotationValue ??= deepFreeze(buildAnnotation(this.model, this.normalized)))
  }
}

/** A compiled query's statements for one dialect, with what is derived from them made on first use. */
export class RenderedStatements {
  private digestValue: string | undefined
  private shaperValue: RowShaper | undefined

  constructor(private readonly dialect: string, readonly rendered: RenderedQuery, private readonly decimals: DecimalMode) {}

  /** SHA-256 of the dialect, SQL and parameters of every statement and of the row shape: stands for them in cache keys. */
  get digest(): string {
    return (this.digestValue ??= statementDigest(this.dialect, this.rendered.main, this.rendered.total, { columns: this.rendered.columns.map((c) => [c.keys, c.type]), decimals: this.decimals }))
  }

  /** Driver rows → Cube rows for these statements' columns. */
  get shaper(): RowShaper {
    return (this.shaperValue ??= new RowShaper(this.rendered.columns, this.decimals))
  }
}

/**
 * An LRU of compiled queries, keyed by everything their compilation depends on: the security context
 * (digested), the query text (after queryRewrite and authorize filters when the layer has those hooks),
 * and — checked on every hit — the tenant and the compiled model instance. Queries whose date ranges
 * read the clock ('today', 'last 7 days') are never stored. Hooks are never skipped: with queryRewrite or
 * authorize the lookup happens after they ran for this call.
 */
export class CompiledQueries {
  private readonly entries: LRUCache<string, CompiledQuery> | undefined

  constructor(maxEntries: number | false, private readonly decimals: DecimalMode) {
    if (maxEntries !== false && (!Number.isSafeInteger(maxEntries) || maxEntries < 0)) {
      throw new SemanticLayerError('CONFIG_INVALID', [{ code: 'INVALID_OPTION', path: ['compiledQueries'], message: 'compiledQueries must be a non-negative integer (0 or false turns the compiled-query cache off).' }])
    }
    this.entries = maxEntries === false || maxEntries === 0 ? undefined : new LRUCache<string, CompiledQuery>({ max: maxEntries })
  }

  get enabled(): boolean {
    return this.entries !== undefined
  }

  /** The key of a call, or undefined when the cache is off or the query is not plain data. `digest`: securityDigest() of the security context. */
  keyOf(digest: string | undefined, ...parts: readonly unknown[]): string | undefined {
    if (!this.entries || digest === undefined) return undefined
    try {
      return `${digest}\u0000${parts.map((p) => canonical(p)).join('\u0000')}`
    } catch {
      return undefined // never shared, never an error here: the normal path reports bad input
    }
  }

  /** Whether some tenant/model has an entry under `key` (cheap: no recency update). */
  has(key: string | undefined): boolean {
    return key !== undefined && this.entries !== undefined && this.entries.has(key)
  }

  /** The entry for `key` if it was compiled for this tenant and this model instance. */
  get(key: string | undefined, model: CompiledModel, tenant: string | undefined): CompiledQuery | undefined {
    if (key === undefined || !this.entries) return undefined
    const hit = this.entries.get(key)
    return hit !== undefined && hit.model === model && hit.tenant === tenant ? hit : undefined
  }

  /** A compiled query of this layer (kept only if passed to {@link set}). */
  create(model: CompiledModel, tenant: string | undefined, normalized: NormalizedQuery, plan: QueryPlan, dataSource: string): CompiledQuery {
    return new CompiledQuery(model, tenant, normalized, plan, dataSource, this.decimals)
  }

  set(key: string | undefined, compiled: CompiledQuery): void {
    if (key !== undefined) this.entries?.set(key, compiled)
  }
}
