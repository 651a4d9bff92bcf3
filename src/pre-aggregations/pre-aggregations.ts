/**
 * The layer's pre-aggregations: which rollup tables are built (in memory, per layer), building them
 * (`build()`, one at a time), serving a prepared query from them (`route()`), explaining the choice
 * (`explain()`), and the optional background refresher. See docs/pre-aggregations.md.
 */
import { bucketOf } from '../cache/refresh-key.js'
import { backendForDialect } from '../backend/backend-of.js'
import type { PrintedQuery } from '../backend/backend.js'
import { CompiledQuery, type UsedPreAggregation } from '../compiled-queries.js'
import type { Connector } from '../connectors/connector.js'
import { isSemanticLayerError, SemanticLayerError } from '../errors.js'
import type { Prepared } from '../layer/prepare-query.js'
import type { CompiledCube, CompiledModel, CompiledRollup } from '../model/compiled.js'
import type { NormalizedQuery } from '../query/normalized-query.js'
import { CALENDAR_END_MS, CALENDAR_START_MS } from '../query/date-range.js'
import { buildPlan } from '../query/plan/build-plan.js'
import { treeCubes } from '../query/plan/join-tree.js'
import type { RenderedSql } from '../sql/render-sql.js'
import type { Clock } from '../util/clock.js'
import { createHash } from 'node:crypto'
import { matchRollup } from './match-rollup.js'
import { instantOf, overlaps, partitionsBetween, type Partition, type PartitionRange } from './partitions.js'
import { rewriteOntoRollup } from './rewrite-query.js'
import { partitionQuery, rollupLayout, type RollupLayout } from './rollup-layout.js'
import { BoundStore, rollupDialect, sourceStore, type PreAggregationStore } from './rollup-store.js'

/** `createSemanticLayer({ preAggregations })`. */
export interface PreAggregationsOptions {
  /** Where rollup tables live. Default: the source database (`sourceStore()`). */
  readonly store?: PreAggregationStore
  /** Time zones rollups with time columns are built for (Cube's scheduled_refresh_time_zones). Default ['UTC']. */
  readonly timeZones?: readonly string[]
  /** Rebuild stale partitions in the background every `everyMs` (one build at a time). */
  readonly refresh?: { readonly everyMs: number }
  /** Progress of builds: one event per partition step. */
  readonly onEvent?: (event: BuildEvent) => void
}

interface EventBase {
  /** `cube.rollup` */
  readonly rollup: string
  readonly zone: string
  readonly partition: string
  readonly table: string
}
export type BuildEvent =
  | (EventBase & { readonly type: 'started' })
  | (EventBase & { readonly type: 'rows'; readonly rows: number })
  | (EventBase & { readonly type: 'finished'; readonly rows: number; readonly durationMs: number })
  | (EventBase & { readonly type: 'failed'; readonly durationMs: number; readonly error: unknown })

export interface BuildOptions {
  /** Only the rollups of these cubes. */
  readonly cubes?: readonly string[]
  /** Only these rollups (`cube.rollup` or the rollup's name). */
  readonly names?: readonly string[]
  /** Only these partition ids (e.g. `20240301`). */
  readonly partitions?: readonly string[]
  /** Rebuild even when the refresh key has not changed. */
  readonly force?: boolean
}

export interface PartitionStatus {
  readonly partition: string
  readonly range?: { readonly from: string; readonly to: string }
  readonly table: string
  readonly rows: number
  /** ISO time of the end of the build (the layer's clock). */
  readonly builtAt: string
  readonly durationMs: number
  /** The refresh key value the partition was built under. */
  readonly refreshKey: string
}

export interface RollupStatus {
  /** `cube.rollup` */
  readonly name: string
  readonly zone: string
  /** Content hash of the rollup's definition (part of its table names). */
  readonly hash: string
  readonly partitions: readonly PartitionStatus[]
}

export interface BuildSummary {
  readonly built: readonly (PartitionStatus & { readonly name: string; readonly zone: string })[]
  /** Partitions left as they were (fresh). */
  readonly skipped: number
  readonly failed: readonly {
    readonly name: string
    readonly zone: string
    readonly partition: string
    readonly error: unknown
  }[]
}

/** One rollup considered for a query, and why it was or was not used. */
export interface RollupConsideration {
  readonly name: string
  readonly zone: string
  readonly matched: boolean
  readonly reasons: readonly string[]
  readonly tables?: readonly string[]
}

export interface PreAggregationsApi {
  build(options?: BuildOptions): Promise<BuildSummary>
  status(): RollupStatus[]
}

interface Built extends PartitionStatus {
  readonly rangeMs?: PartitionRange
}

interface RollupState {
  readonly partitions: Map<string, Built>
  /** With an explicit build range: what the partitions cover; queries outside it go to the source. */
  covers?: PartitionRange
}

const DEFAULT_EVERY_MS = 3_600_000 // Cube's default refresh_key for rollups: every hour

export interface PreAggregationsDeps {
  readonly options: PreAggregationsOptions
  readonly clock: Clock
  /** The layer's shared model (pre-aggregations serve single-tenant layers). */
  model(): CompiledModel
  connector(dataSource: string): Connector
}

export class PreAggregations implements PreAggregationsApi {
  private readonly states = new Map<string, RollupState>()
  private readonly layouts = new WeakMap<CompiledModel, Map<string, RollupLayout | Error>>()
  private readonly routes = new WeakMap<CompiledQuery, { generation: number; routed: CompiledQuery | undefined }>()
  private readonly stores = new Map<Connector, BoundStore>()
  private readonly zones: readonly string[]
  private generation = 0
  private running: Promise<unknown> = Promise.resolve()
  private busy = false
  private refreshing = false
  private retired: { store: BoundStore; table: string }[] = []
  private stopTimer: (() => void) | undefined
  private closed = false
  private stamp = 0

  constructor(private readonly deps: PreAggregationsDeps) {
    this.zones = deps.options.timeZones && deps.options.timeZones.length > 0 ? deps.options.timeZones : ['UTC']
    const every = deps.options.refresh?.everyMs
    if (every !== undefined) this.schedule(every)
  }

  // ---- serving -------------------------------------------------------------------------------------

  /** The prepared query, served from a built rollup when one matches (else unchanged). */
  route(prepared: Prepared, connectorOf: () => Connector): Prepared {
    if (this.generation === 0) return prepared
    const { compiled } = prepared
    const cached = this.routes.get(compiled)
    if (cached && cached.generation === this.generation)
      return cached.routed ? { ...prepared, compiled: cached.routed } : prepared
    const routed = this.decide(prepared.scope.model, compiled, connectorOf).routed
    this.routes.set(compiled, { generation: this.generation, routed })
    return routed ? { ...prepared, compiled: routed } : prepared
  }

  /** Every rollup of the query's cubes, in order, with why it was used or not; `routed` is the first usable. */
  decide(
    model: CompiledModel,
    compiled: CompiledQuery,
    connectorOf: () => Connector,
  ): { routed?: CompiledQuery; considered: RollupConsideration[] } {
    const considered: RollupConsideration[] = []
    let routed: CompiledQuery | undefined
    const q = compiled.normalized
    for (const cubeName of treeCubes(compiled.plan.tree)) {
      const cube = model.cubes[cubeName]!
      for (const rollup of cube.preAggregations ?? []) {
        const name = `${rollup.cube}.${rollup.name}`
        const zone = this.zoneFor(model, rollup, q.timezone)
        const layout = this.layout(model, rollup, zone)
        if (layout instanceof Error) {
          considered.push({ name, zone, matched: false, reasons: [`the rollup cannot be built: ${layout.message}`] })
          continue
        }
        const match = matchRollup(model, layout, q, compiled.plan.tree)
        if (!match.ok) {
          considered.push({ name, zone, matched: false, reasons: match.reasons })
          continue
        }
        const state = this.states.get(stateKey(rollup, zone))
        const tables = state
          ? this.tablesFor(state, layout, match.range)
          : { reason: 'it is not built yet: run layer.preAggregations.build()' }
        if ('reason' in tables) {
          considered.push({ name, zone, matched: false, reasons: [tables.reason] })
          continue
        }
        if (routed) {
          considered.push({
            name,
            zone,
            matched: true,
            reasons: ['matches, but an earlier rollup is used'],
            tables: tables.list,
          })
          continue
        }
        const store = this.storeFor(connectorOf())
        const from =
          tables.list.length === 1
            ? store.table(tables.list[0]!)
            : `(${tables.list.map((t) => `SELECT * FROM ${store.table(t)}`).join(' UNION ALL ')})`
        const rewritten = rewriteOntoRollup(model, layout, q, from, (n) => store.q(n), cube.dataSource)
        const plan = buildPlan(rewritten.model, rewritten.normalized)
        const used: UsedPreAggregation[] = [{ name, tables: tables.list }]
        routed = compiled.derive(rewritten.model, rewritten.normalized, plan, used)
        considered.push({ name, zone, matched: true, reasons: [], tables: tables.list })
      }
    }
    return routed ? { routed, considered } : { considered }
  }

  /** The zone a rollup is read in for a query: the query's when built for it (or when it has no time columns). */
  private zoneFor(model: CompiledModel, rollup: CompiledRollup, zone: string): string {
    if (!hasTimeColumns(model, rollup)) return 'UTC'
    return this.zones.includes(zone) ? zone : this.zones[0]!
  }

  private tablesFor(
    state: RollupState,
    layout: RollupLayout,
    range: PartitionRange | undefined,
  ): { list: string[] } | { reason: string } {
    const parts = [...state.partitions.values()]
    if (parts.length === 0) return { reason: 'it is not built yet: run layer.preAggregations.build()' }
    if (!layout.rollup.partitionGranularity) return { list: [parts[0]!.table] }
    if (state.covers) {
      const r = range ?? { fromMs: CALENDAR_START_MS, toExclusiveMs: CALENDAR_END_MS }
      if (r.fromMs < state.covers.fromMs || r.toExclusiveMs > state.covers.toExclusiveMs)
        return {
          reason: `the query's date range reaches outside the rollup's build range (${iso(state.covers.fromMs)} to ${iso(state.covers.toExclusiveMs)})`,
        }
    }
    const list = parts
      .filter((p) => !range || !p.rangeMs || overlaps(p.rangeMs, range))
      .sort((a, b) => (a.rangeMs?.fromMs ?? 0) - (b.rangeMs?.fromMs ?? 0))
      .map((p) => p.table)
    if (list.length === 0) return { reason: "no built partition overlaps the query's date range" }
    return { list }
  }

  private layout(model: CompiledModel, rollup: CompiledRollup, zone: string): RollupLayout | Error {
    let byModel = this.layouts.get(model)
    if (!byModel) this.layouts.set(model, (byModel = new Map()))
    const key = `${rollup.cube}.${rollup.name}@${zone}`
    let layout = byModel.get(key)
    if (!layout) {
      try {
        layout = rollupLayout(model, rollup, zone)
      } catch (error) {
        if (!isSemanticLayerError(error)) throw error
        layout = new Error(error.issues.map((i) => i.message).join(' '))
      }
      byModel.set(key, layout)
    }
    return layout
  }

  private storeFor(connector: Connector): BoundStore {
    let store = this.stores.get(connector)
    if (!store) {
      store = new BoundStore(this.deps.options.store ?? sourceStore(), connector)
      this.stores.set(connector, store)
    }
    return store
  }

  // ---- status --------------------------------------------------------------------------------------

  status(): RollupStatus[] {
    const model = this.deps.model()
    const out: RollupStatus[] = []
    for (const cube of Object.values(model.cubes)) {
      for (const rollup of cube.preAggregations ?? []) {
        for (const zone of hasTimeColumns(model, rollup) ? this.zones : ['UTC']) {
          const state = this.states.get(stateKey(rollup, zone))
          const partitions = [...(state?.partitions.values() ?? [])].map(({ rangeMs: _r, ...p }) => p)
          out.push({ name: `${rollup.cube}.${rollup.name}`, zone, hash: rollup.hash, partitions })
        }
      }
    }
    return out
  }

  // ---- building ------------------------------------------------------------------------------------

  /** Build what is missing or stale; one build runs at a time (later calls wait for it). */
  build(options: BuildOptions = {}): Promise<BuildSummary> {
    if (this.closed) return Promise.reject(closedError())
    const next = this.running.then(() => this.buildNow(options))
    this.running = next.catch(() => undefined)
    return next
  }

  private async buildNow(options: BuildOptions): Promise<BuildSummary> {
    this.busy = true
    try {
      await this.dropRetired()
      const model = this.deps.model()
      const summary = {
        built: [] as BuildSummary['built'][number][],
        skipped: 0,
        failed: [] as BuildSummary['failed'][number][],
      }
      for (const cube of Object.values(model.cubes)) {
        if (options.cubes && !options.cubes.includes(cube.name)) continue
        for (const rollup of cube.preAggregations ?? []) {
          const name = `${rollup.cube}.${rollup.name}`
          if (options.names && !options.names.includes(name) && !options.names.includes(rollup.name)) continue
          for (const zone of hasTimeColumns(model, rollup) ? this.zones : ['UTC']) {
            await this.buildRollup(model, cube, rollup, zone, options, summary)
          }
        }
      }
      return summary
    } finally {
      this.busy = false
    }
  }

  private async buildRollup(
    model: CompiledModel,
    cube: CompiledCube,
    rollup: CompiledRollup,
    zone: string,
    options: BuildOptions,
    summary: { built: BuildSummary['built'][number][]; skipped: number; failed: BuildSummary['failed'][number][] },
  ): Promise<void> {
    const name = `${rollup.cube}.${rollup.name}`
    const layout = this.layout(model, rollup, zone)
    if (layout instanceof Error) {
      summary.failed.push({ name, zone, partition: 'all', error: layout })
      return
    }
    const connector = this.deps.connector(cube.dataSource)
    const store = this.storeFor(connector)
    let partitions: Partition[]
    let refreshKey: string
    const key = stateKey(rollup, zone)
    let state = this.states.get(key)
    try {
      await store.prepare()
      partitions = await this.partitionsOf(model, layout, connector)
      refreshKey = await this.refreshKeyOf(rollup, connector)
    } catch (error) {
      summary.failed.push({ name, zone, partition: 'all', error })
      return
    }
    if (!state) this.states.set(key, (state = { partitions: new Map() }))
    if (rollup.partitionGranularity && (rollup.buildRangeStart || rollup.buildRangeEnd) && partitions.length > 0) {
      state.covers = {
        fromMs: partitions[0]!.range!.fromMs,
        toExclusiveMs: partitions[partitions.length - 1]!.range!.toExclusiveMs,
      }
    }
    const now = this.deps.clock.now()
    const last = partitions[partitions.length - 1]
    for (const p of partitions) {
      if (options.partitions && !options.partitions.includes(p.id)) continue
      const built = state.partitions.get(p.id)
      const { incremental, updateWindowMs } = rollup.refreshKey
      // Incremental: only partitions inside update_window (or the last one) follow the refresh key.
      const inWindow =
        !incremental ||
        p === last ||
        (updateWindowMs !== undefined && p.range !== undefined && p.range.toExclusiveMs > now - updateWindowMs)
      const stale = built === undefined || (inWindow && built.refreshKey !== refreshKey)
      if (!options.force && !stale) {
        summary.skipped++
        continue
      }
      const result = await this.buildPartition(layout, cube, store, connector, p, refreshKey)
      if ('error' in result) summary.failed.push({ name, zone, partition: p.id, error: result.error })
      else {
        // The swap: queries routed from now on read the new table; the old one is dropped at the next build.
        state.partitions.set(p.id, result.built)
        this.generation++
        if (built) this.retired.push({ store, table: built.table })
        const { rangeMs: _r, ...status } = result.built
        summary.built.push({ ...status, name, zone })
      }
    }
  }

  private async buildPartition(
    layout: RollupLayout,
    cube: CompiledCube,
    store: BoundStore,
    connector: Connector,
    p: Partition,
    refreshKey: string,
  ): Promise<{ built: Built } | { error: unknown }> {
    const { rollup, zone } = layout
    const table = this.tableName(rollup, zone, p)
    const base = { rollup: `${rollup.cube}.${rollup.name}`, zone, partition: p.id, table }
    const started = this.deps.clock.now()
    this.emit({ type: 'started', ...base })
    let created = false
    try {
      const q = partitionQuery(layout, p.range)
      const plan = buildPlan(layout.buildModel, q)
      const compiled = new CompiledQuery(layout.buildModel, undefined, q, plan, cube.dataSource, 'number')
      const rendered = compiled.render(backendForDialect(store.dialect), true).rendered as PrintedQuery<RenderedSql>
      const cols = rendered.columns.map((c) => {
        const value = `${store.q('cortex_build')}.${store.q(c.alias)}`
        const stored = c.kind === 'dimension' && c.type === 'time' ? store.timeColumn(value) : value
        return `${stored} AS ${store.q(c.keys[0]!)}`
      })
      const sql = `CREATE TABLE ${store.table(table)} AS SELECT ${cols.join(', ')} FROM (${rendered.main.sql}) ${store.q('cortex_build')}`
      const options = rendered.timeZone === undefined ? {} : { timeZone: rendered.timeZone }
      await connector.execute({ kind: 'sql', sql, params: rendered.main.params }, options)
      created = true
      for (const [i, ix] of rollup.indexes.entries()) {
        const columns = ix.columns.map((key) =>
          key === layout.time?.key ? layout.time.column : layout.dimensions.find((d) => d.key === key)!.column,
        )
        await connector.execute(store.createIndex(table, `${table.slice(0, 54)}_i${i}`, columns))
      }
      const counted = (await connector.execute(store.count(table))) as Record<string, unknown>[]
      const rows = Number(Object.values(counted[0] ?? {})[0] ?? 0)
      this.emit({ type: 'rows', ...base, rows })
      const ended = this.deps.clock.now()
      const durationMs = Math.max(0, ended - started)
      this.emit({ type: 'finished', ...base, rows, durationMs })
      const built: Built = {
        partition: p.id,
        ...(p.range ? { range: { from: iso(p.range.fromMs), to: iso(p.range.toExclusiveMs) }, rangeMs: p.range } : {}),
        table,
        rows,
        builtAt: iso(ended),
        durationMs,
        refreshKey,
      }
      return { built }
    } catch (error) {
      if (created) await connector.execute(store.drop(table)).catch(() => undefined)
      this.emit({ type: 'failed', ...base, durationMs: Math.max(0, this.deps.clock.now() - started), error })
      return { error }
    }
  }

  /** Table name: cube, rollup, a hash of the definition and zone, the partition, and a build stamp (≤ 63 chars). */
  private tableName(rollup: CompiledRollup, zone: string, p: Partition): string {
    const hash = createHash('sha256').update(`${rollup.hash}:${zone}`).digest('hex').slice(0, 10)
    const stamp = `${this.deps.clock.now().toString(36)}${(this.stamp++).toString(36)}`
    const part = p.id === 'all' ? '' : `_${p.id}`
    return `${rollup.cube.slice(0, 14)}_${rollup.name.slice(0, 14)}_${hash}${part}_${stamp}`.toLowerCase()
  }

  /** The partitions to build: from build_range_start/end (SQL) or the time dimension's first and last value. */
  private async partitionsOf(model: CompiledModel, layout: RollupLayout, connector: Connector): Promise<Partition[]> {
    const { rollup } = layout
    if (!rollup.partitionGranularity || !layout.time) return [{ id: 'all' }]
    const one = async (sql: string): Promise<unknown> => {
      const rows = (await connector.execute({ kind: 'sql', sql, params: [] }, { rows: 'arrays' })) as unknown[][]
      return rows[0]?.[0]
    }
    let start: unknown
    let end: unknown
    if (!rollup.buildRangeStart || !rollup.buildRangeEnd) {
      const [c, d] = layout.time.key.split('.') as [string, string]
      const cube = model.cubes[c]!
      const dim = cube.dimensions[d]!
      const dialect = rollupDialect(connector)
      const column = dim.sql.map((p) => (typeof p === 'string' ? p : dialect.quoteIdentifier(c))).join('')
      const from = cube.from.map((p) => (typeof p === 'string' ? p : dialect.quoteIdentifier(p.cube))).join('')
      const rows = (await connector.execute(
        {
          kind: 'sql',
          sql: `SELECT min(${column}), max(${column}) FROM ${from} ${dialect.quoteIdentifier(c)}`,
          params: [],
        },
        { rows: 'arrays' },
      )) as unknown[][]
      start = rows[0]?.[0]
      end = rows[0]?.[1]
    }
    if (rollup.buildRangeStart) start = await one(rollup.buildRangeStart)
    if (rollup.buildRangeEnd) end = await one(rollup.buildRangeEnd)
    if (start === null || start === undefined || end === null || end === undefined) return []
    const startMs = instantOf(start)
    const endMs = instantOf(end)
    if (startMs === undefined || endMs === undefined)
      throw buildError(`${rollup.cube}.${rollup.name}`, 'its build range did not come back as times')
    const list = partitionsBetween(startMs, endMs, rollup.partitionGranularity, layout.zone)
    if (!list)
      throw buildError(
        `${rollup.cube}.${rollup.name}`,
        'its build range needs too many partitions; use a coarser partition_granularity',
      )
    return list
  }

  /** The refresh key's current value: the `sql` result, else the `every` bucket (default one hour, as in Cube). */
  private async refreshKeyOf(rollup: CompiledRollup, connector: Connector): Promise<string> {
    const { sql, everyMs } = rollup.refreshKey
    if (sql !== undefined) {
      const rows = (await connector.execute({ kind: 'sql', sql, params: [] }, { rows: 'arrays' })) as unknown[][]
      return `sql:${JSON.stringify(rows[0] ?? null, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`
    }
    const every = everyMs ?? DEFAULT_EVERY_MS
    return `every:${bucketOf(this.deps.clock.now(), every)}`
  }

  private emit(event: BuildEvent): void {
    try {
      this.deps.options.onEvent?.(event)
    } catch {
      // A listener's failure must not fail a build.
    }
  }

  private async dropRetired(): Promise<void> {
    const retired = this.retired
    this.retired = []
    for (const { store, table } of retired) await store.connector.execute(store.drop(table)).catch(() => undefined)
  }

  // ---- background refresh --------------------------------------------------------------------------

  private schedule(everyMs: number): void {
    this.stopTimer = this.deps.clock.setTimer(() => {
      if (this.closed) return
      // Single flight: a tick while a build (the refresher's or a caller's) runs is skipped.
      if (!this.busy && !this.refreshing) {
        this.refreshing = true
        void this.build()
          .catch(() => undefined)
          .finally(() => {
            this.refreshing = false
          })
      }
      this.schedule(everyMs)
    }, everyMs)
  }

  /** Stop the refresher and wait for a running build. Tables stay (they are reused by the next layer). */
  async close(): Promise<void> {
    this.closed = true
    this.stopTimer?.()
    await this.running
  }
}

function stateKey(rollup: CompiledRollup, zone: string): string {
  return `${rollup.cube}.${rollup.name}@${zone}#${rollup.hash}`
}

function hasTimeColumns(model: CompiledModel, rollup: CompiledRollup): boolean {
  if (rollup.timeDimension) return true
  return rollup.dimensions.some((k) => {
    const [c, d] = k.split('.') as [string, string]
    return model.cubes[c]!.dimensions[d]!.type === 'time'
  })
}

const iso = (ms: number): string => new Date(ms).toISOString()

function buildError(name: string, why: string): SemanticLayerError {
  return new SemanticLayerError('MODEL_INVALID', [
    {
      code: 'PRE_AGGREGATION_FAILED',
      path: ['pre_aggregations', name],
      message: `Pre-aggregation ${name} could not be built: ${why}.`,
    },
  ])
}

function closedError(): SemanticLayerError {
  const message = 'This semantic layer was closed. Create a new one.'
  return new SemanticLayerError('LAYER_CLOSED', [{ code: 'LAYER_CLOSED', path: [], message }])
}

export type { NormalizedQuery }
