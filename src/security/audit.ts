import { parseQuery } from '../query/parse-query.js'
import { filterMembers, queryMembers, type SecurityContext } from './authorize-query.js'

/** One audit record per query, allowed or not. Filter values never appear: only which members were filtered. */
export interface AuditEvent {
  /** ISO time the query arrived. */
  readonly time: string
  readonly tenant?: string
  readonly user?: string
  /** Members the query named (as written), without granularities. */
  readonly members: readonly string[]
  /** Members the query filtered on, without their values. */
  readonly filterMembers: readonly string[]
  /** SHA-256 of the SQL text that ran (no parameters). */
  readonly sqlHash?: string
  readonly rows?: number
  readonly durationMs: number
  readonly outcome: 'allowed' | 'denied' | 'failed'
  /** The SemanticLayerError code of a denied or failed query. */
  readonly errorCode?: string
  /**
   * The model version (`layer.model.version`) the query compiled against, when it got that far; with
   * `layer.modelHistory()` it says which model answered (docs/model-lifecycle.md).
   */
  readonly modelVersion?: string
}

interface EmitInput {
  readonly input: unknown
  readonly ctx: SecurityContext | undefined
  readonly started: number
  readonly now: number
  readonly contextToUser: ((ctx: SecurityContext) => string | undefined) | undefined
  readonly tenantOf: (ctx: SecurityContext | undefined) => string | undefined
  readonly extra: Partial<AuditEvent>
}

/** Build and deliver an audit event; a failing sink never fails the query. */
export function emitAudit(sink: (event: AuditEvent) => void, e: EmitInput): void {
  try {
    let members: string[] = []
    let filtered: string[] = []
    try {
      const q = parseQuery(e.input)
      members = queryMembers(q)
      filtered = filterMembers(q)
    } catch {
      // A malformed query names no members we can trust.
    }
    const tenant = e.tenantOf(e.ctx)
    const user = e.ctx === undefined ? undefined : (e.contextToUser ?? defaultUser)(e.ctx)
    sink({
      time: new Date(e.started).toISOString(),
      ...(tenant === undefined ? {} : { tenant }),
      ...(user === undefined ? {} : { user }),
      members,
      filterMembers: filtered,
      durationMs: e.now - e.started,
      outcome: 'failed',
      ...e.extra,
    })
  } catch {
    // Audit sinks must not break queries.
  }
}

function defaultUser(ctx: SecurityContext): string | undefined {
  for (const key of ['sub', 'userId', 'user_id']) {
    const v = Object.hasOwn(ctx, key) ? ctx[key] : undefined
    if (typeof v === 'string' || typeof v === 'number') return String(v)
  }
  return undefined
}
