import { LRUCache } from 'lru-cache'
import { SemanticLayerError } from './errors.js'
import { canonical, statementDigest } from './cache/cache-key.js'
import type { CompiledCube, CompiledModel } from './model/compiled.js'
import type { NormalizedQuery } from './query/normalized-query.js'
import type { QueryPlan } from './query/plan/build-plan.js'
import { treeCubes } from './query/plan/join-tree.js'
import { RowShaper, buildAnnotation, type DecimalMode } from './result/shape-result.js'
import type { Backend, PrintedQuery } from './backend/backend.js'
import type { Statement } from './connectors/connector.js'
import { deepFreeze } from './util/objects.js'
import { MAX_LRU_ENTRIES } from './util/options.js'

/**
 * A query after authorization, normalization and planning, with what is derived from it computed once:
 * the SQL per dialect, its digest and the result annotation. Immutable; shared by every call that maps
 * to the same entry of the {@link CompiledQueries} cache.
 */
export class CompiledQuery {
  private readonly renders = new Map<string, RenderedStatements>()
  private annotationValue: Readonly<Record<string, Record<string, unknown>>> | undefined
  /** Estimated bytes this object keeps alive, its renders included (see {@link CompiledQueries}). */
  bytes = 0
  /** Called after a render made the object larger (the cache then accounts for it). */
  onGrow: (() => void) | undefined

  /** The cubes the SQL touches: the root of the join tree and every joined cube. */
  readonly cubes: readonly CompiledCube[]
  /** Set on a query served from rollups: the query it answers (its annotation is this one's). */
  source: CompiledQuery | undefined
  /** Set on a query served from rollups: which, and the tables read (result.usedPreAggregations). */
  usedPreAggregations: readonly UsedPreAggregation[] | undefined

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

  /** The statements for one backend (`stream`: without the limit + 1 row that detects truncation). */
  render(backend: Backend, stream = false): RenderedStatements {
    const id = stream ? `${backend.name}:stream` : backend.name
    let out = this.renders.get(id)
    if (!out) {
      // Frozen: result.sql hands these to callers, and later calls run the same statements.
      const rendered = deepFreeze(backend.print(this.plan, stream ? { stream: true } : {}))
      out = new RenderedStatements(backend, rendered, this.decimals)
      this.renders.set(id, out)
      this.bytes += statementBytes(rendered.main) + (rendered.total ? statementBytes(rendered.total) : 0)
      this.onGrow?.()
    }
    return out
  }

  /**
   * The same query answered by another model and plan (a rollup's: src/pre-aggregations/rewrite-query.ts),
   * with this one's annotation, tenant, data source and number handling.
   */
  derive(
    model: CompiledModel,
    normalized: NormalizedQuery,
    plan: QueryPlan,
    used: readonly UsedPreAggregation[],
  ): CompiledQuery {
    const derived = new CompiledQuery(model, this.tenant, normalized, plan, this.dataSource, this.decimals)
    derived.source = this
    derived.usedPreAggregations = used
    return derived
  }

  /** Cube's annotation for the result, frozen: every result of this query shares it. */
  get annotation(): Readonly<Record<string, Record<string, unknown>>> {
    if (this.source) return this.source.annotation
    return (this.annotationValue ??= deepFreeze(buildAnnotation(this.model, this.normalized)))
  }
}

/** A rollup a query was served from: `cube.rollup` and the tables (partitions) read. */
export interface UsedPreAggregation {
  readonly name: string
  readonly tables: readonly string[]
}

/** A compiled query's statements for one backend, with what is derived from them made on first use. */
export class RenderedStatements {
  private digestValue: string | undefined
  private shaperValue: RowShaper | undefined

  constructor(
    private readonly backend: Backend,
    readonly rendered: PrintedQuery<unknown>,
    private readonly decimals: DecimalMode,
  ) {}

  /** The main statement as the connector runs it. */
  get main(): Statement {
    return this.backend.statement(this.rendered.main, this.rendered.columns)
  }

  /** The total statement as the connector runs it (one row, one count column), when the query asked for a total. */
  get total(): Statement | undefined {
    const total = this.rendered.total
    return total === undefined ? undefined : this.backend.statement(total, [])
  }

  /** SHA-256 of the backend, statements (text, parameters, stages) and of the row shape: stands for them in cache keys. */
  get digest(): string {
    return (this.digestValue ??= statementDigest(this.backend.name, this.rendered.main, this.rendered.total, {
      columns: this.rendered.columns.map((c) => [c.keys, c.type]),
      decimals: this.decimals,
    }))
  }

  /** Driver rows → Cube rows for these statements' columns. */
  get shaper(): RowShaper {
    return (this.shaperValue ??= new RowShaper(this.rendered.columns, this.decimals))
  }
}

/** Bounds of the compiled-query cache (`createSemanticLayer({ compiledQueries })`). */
export interface CompiledQueriesOptions {
  /** Most entries kept. Default 1 000. */
  readonly maxEntries?: number
  /** Most estimated bytes kept, all entries together. Default 32 MiB. */
  readonly maxBytes?: number
  /** An entry estimated larger than this is never kept (such a query is compiled on every call). Default 256 KiB. */
  readonly maxEntryBytes?: number
}

const DEFAULTS = { maxEntries: 1_000, maxBytes: 32 * 2 ** 20, maxEntryBytes: 256 * 2 ** 10 } as const

/**
 * Estimated size of a text kept alive: two bytes a character (V8 keeps Latin-1 text in one, so this is an
 * upper bound for the usual ASCII), plus a header.
 */
const textBytes = (text: string): number => 16 + 2 * text.length
/** Fixed cost of the objects of an entry (normalized query, plan, annotation) besides its text. */
const ENTRY_OVERHEAD = 4 * 2 ** 10

function statementBytes(printed: unknown): number {
  const statement = printed as { readonly sql?: unknown; readonly params?: readonly unknown[] }
  if (typeof statement.sql !== 'string' || !Array.isArray(statement.params)) return textBytes(JSON.stringify(printed))
  let bytes = textBytes(statement.sql) + 16 + 8 * statement.params.length
  for (const p of statement.params) if (typeof p === 'string') bytes += textBytes(p)
  return bytes
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
  private readonly maxKeyChars: number

  constructor(
    settings: Settings,
    private readonly decimals: DecimalMode,
  ) {
    const o = resolveSettings(settings)
    this.maxKeyChars = Math.floor(o.maxEntryBytes / 4)
    this.entries =
      o.maxEntries === 0
        ? undefined
        : new LRUCache<string, CompiledQuery>({
            max: o.maxEntries,
            maxSize: o.maxBytes,
            maxEntrySize: o.maxEntryBytes,
            sizeCalculation: (compiled) => Math.max(1, compiled.bytes),
          })
  }

  get enabled(): boolean {
    return this.entries !== undefined
  }

  /** Entries and their estimated bytes (for tests and operators). */
  get usage(): { readonly entries: number; readonly bytes: number } {
    return { entries: this.entries?.size ?? 0, bytes: this.entries?.calculatedSize ?? 0 }
  }

  /**
   * The key of a call, or undefined when the cache is off, the query is not plain data, or the query is
   * so large that its entry could not be kept (its key alone, and the query's own text which the entry
   * keeps too, would pass `maxEntryBytes`): such a query is never stored, so no key is made for it.
   */
  keyOf(digest: string | undefined, ...parts: readonly unknown[]): string | undefined {
    if (!this.entries || digest === undefined) return undefined
    try {
      const key = `${digest}\u0000${parts.map((p) => canonical(p)).join('\u0000')}`
      return key.length > this.maxKeyChars ? undefined : key
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
  create(
    model: CompiledModel,
    tenant: string | undefined,
    normalized: NormalizedQuery,
    plan: QueryPlan,
    dataSource: string,
  ): CompiledQuery {
    return new CompiledQuery(model, tenant, normalized, plan, dataSource, this.decimals)
  }

  /**
   * Keep `compiled` under `key`. Its estimated size: the key's text twice (the key, and the query's own
   * strings, which the normalized query and plan keep and the key spells out) plus a fixed overhead, and
   * later each statement rendered from it (SQL text and string parameters), accounted when it is rendered.
   */
  set(key: string | undefined, compiled: CompiledQuery): void {
    const entries = this.entries
    if (key === undefined || !entries) return
    compiled.bytes = 2 * textBytes(key) + ENTRY_OVERHEAD
    compiled.onGrow = () => {
      // lru-cache sizes an entry when it is set: set it again (or drop it, if it no longer fits).
      if (entries.peek(key) !== compiled) return
      entries.delete(key)
      entries.set(key, compiled)
    }
    entries.set(key, compiled)
  }
}

type Settings = number | false | CompiledQueriesOptions | undefined

function resolveSettings(settings: Settings): Required<CompiledQueriesOptions> {
  const bad = (message: string): never => {
    throw new SemanticLayerError('CONFIG_INVALID', [{ code: 'INVALID_OPTION', path: ['compiledQueries'], message }])
  }
  if (settings === false) return { ...DEFAULTS, maxEntries: 0 }
  if (settings === undefined) return { ...DEFAULTS }
  if (typeof settings === 'number') {
    if (!Number.isSafeInteger(settings) || settings < 0 || settings > MAX_LRU_ENTRIES) {
      bad(
        `compiledQueries must be an integer from 0 to ${MAX_LRU_ENTRIES} (0 or false turns the compiled-query cache` +
          ' off), or { maxEntries, maxBytes, maxEntryBytes }.',
      )
    }
    return { ...DEFAULTS, maxEntries: settings }
  }
  if (typeof settings !== 'object' || settings === null) {
    return bad('compiledQueries must be a number of entries, false, or { maxEntries, maxBytes, maxEntryBytes }.')
  }
  const out = { ...DEFAULTS, ...settings }
  for (const name of ['maxEntries', 'maxBytes', 'maxEntryBytes'] as const) {
    const v = out[name]
    const least = name === 'maxEntries' ? 0 : 1
    if (!Number.isSafeInteger(v) || v < least) bad(`compiledQueries.${name} must be an integer ≥ ${least}.`)
  }
  // lru-cache allocates for maxEntries up front.
  if (out.maxEntries > MAX_LRU_ENTRIES) bad(`compiledQueries.maxEntries must be at most ${MAX_LRU_ENTRIES}.`)
  if (out.maxEntryBytes > out.maxBytes) bad('compiledQueries.maxEntryBytes must not exceed maxBytes.')
  return out
}
