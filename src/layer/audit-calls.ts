/**
 * Audit events of a layer's calls: one per query or stream, allowed, denied or failed. Nothing here can
 * fail a call: a throwing sink or tenant resolver is swallowed.
 */
import { isSemanticLayerError } from '../errors.js'
import { emitAudit, type AuditEvent } from '../security/audit.js'
import type { SecurityContext } from '../security/authorize-query.js'
import type { Tenancy } from '../security/tenancy.js'
import type { ModelInput, SemanticLayerOptions } from './layer-types.js'

const DENIALS = new Set(['UNAUTHENTICATED', 'UNAUTHORIZED', 'FORBIDDEN', 'FORBIDDEN_MEMBER'])

export interface Auditor {
  /** Whether anyone listens (the layer skips work done only for the event). */
  readonly enabled: boolean
  /** A call that ran: the hash of its SQL, its row count and model version. */
  allowed(input: unknown, ctx: SecurityContext | undefined, started: number, done: AllowedCall): void
  /** A call that threw `error` (denied when it is a denial, else failed). */
  failed(input: unknown, ctx: SecurityContext | undefined, started: number, error: unknown, modelVersion?: string): void
}

export interface AllowedCall {
  readonly sqlHash: string
  readonly rows: number
  readonly modelVersion: string
}

export function auditor(options: SemanticLayerOptions, tenancy: Tenancy<ModelInput>): Auditor {
  const sink = options.onAudit
  const emit = (input: unknown, ctx: SecurityContext | undefined, started: number, extra: Partial<AuditEvent>) => {
    if (!sink) return
    emitAudit(sink, {
      input,
      ctx,
      started,
      now: Date.now(),
      contextToUser: options.contextToUser,
      tenantOf: (c) => {
        try {
          return tenancy.tenantOf(c)
        } catch {
          return undefined
        }
      },
      extra,
    })
  }
  return {
    enabled: sink !== undefined,
    allowed: (input, ctx, started, done) => emit(input, ctx, started, { outcome: 'allowed', ...done }),
    failed(input, ctx, started, error, modelVersion) {
      const code = isSemanticLayerError(error) ? error.code : 'INTERNAL'
      const version = modelVersion === undefined ? {} : { modelVersion }
      emit(input, ctx, started, { outcome: DENIALS.has(code) ? 'denied' : 'failed', errorCode: code, ...version })
    },
  }
}
