import { sqlStatement, type Connector, type StatementOptions } from '../connectors/connector.js'
import { canonical, refreshValueKey } from './cache-key.js'
import { FAILED, type Failed, type GuardedAdapter } from './guarded-adapter.js'
import { bucketOf, type RefreshKeyCube, type RefreshRule } from './refresh-key.js'
import type { Flights } from './single-flight.js'

export interface RefreshContext {
  readonly adapter: GuardedAdapter
  /** Runs of refresh-key SQL in progress, so concurrent queries share one. */
  readonly flights: Flights<string | Failed>
}

interface RefreshRequest {
  readonly connector: Connector
  readonly exec: StatementOptions
  readonly modelVersion: string
  readonly source: string
  readonly securityDigest: string
  readonly tenant?: string | undefined
  readonly dialect: string
  readonly cubes: readonly RefreshKeyCube[]
}

/**
 * The current refresh-key value of every cube of a query, by cube name: the time bucket for `every`,
 * `immutable`, or the value of `refresh_key.sql`. SQL values are cached in the adapter for their
 * interval, per security context and tenant (the refresh query may see different data per tenant).
 * FAILED when a value could not be had (the query then runs uncached; the failure was reported).
 */
export async function refreshKeyValues(
  ctx: RefreshContext,
  req: RefreshRequest,
  rules: readonly RefreshRule[],
  nowMs: number,
): Promise<Record<string, string> | Failed> {
  const values = await Promise.all(
    rules.map((rule, i): Promise<string | Failed> | string => {
      if (rule.kind === 'immutable') return 'immutable'
      const bucket = bucketOf(nowMs, rule.everyMs)
      if (rule.kind === 'every') return String(bucket)
      return sqlValue(ctx, req, req.cubes[i]!.name, rule, bucket)
    }),
  )
  const out: Record<string, string> = {}
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    if (v === FAILED) return FAILED
    out[req.cubes[i]!.name] = v
  }
  return out
}

function sqlValue(
  ctx: RefreshContext,
  req: RefreshRequest,
  cube: string,
  rule: Extract<RefreshRule, { kind: 'sql' }>,
  bucket: number,
): Promise<string | Failed> {
  const { modelVersion, source, securityDigest, tenant, dialect } = req
  const key = refreshValueKey({ modelVersion, source, cube, sql: rule.sql, securityDigest, tenant, dialect, bucket })
  return ctx.flights.join(key, async () => {
    const cached = await ctx.adapter.call('get', (x) => x.get(key))
    // The cache is failing: the query runs uncached anyway, so the refresh query would be wasted.
    if (cached === FAILED) return FAILED
    if (typeof cached === 'string') return cached
    let value: string
    try {
      // Not the caller's signal: the value serves every query of this interval. Its timeout still applies.
      const exec = req.exec.timeoutMs === undefined ? {} : { timeoutMs: req.exec.timeoutMs }
      const rows = await req.connector.execute(sqlStatement(rule.sql), exec)
      value = displayValue(rows[0] === undefined ? null : Object.values(rows[0])[0])
    } catch (error) {
      ctx.adapter.report(error, 'refresh-key')
      return FAILED
    }
    await ctx.adapter.call('set', (x) => x.set(key, value, rule.everyMs))
    return value
  })
}

/** A readable text for a refresh-key value (Cube reports them in `refreshKeyValues`); exact for change detection. */
function displayValue(v: unknown): string {
  if (v === null || v === undefined) return 'null'
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v)
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString()
  return canonical(v)
}
