/**
 * The admin API (behind `authenticateAdmin` only): model reload, cache invalidation, health, metrics.
 */
import { isSemanticLayerError, type SemanticLayer } from '../index.js'
import type { LayerSlot } from './layer-slot.js'
import type { HandlerMetrics } from './metrics.js'
import type { ResolvedOptions } from './options.js'
import { readJsonObject } from './read-body.js'
import { HttpError, jsonResponse } from './responses.js'

export type AdminRoute = 'reload' | 'invalidate' | 'health' | 'metrics'
export const ADMIN_METHODS: Readonly<Record<AdminRoute, string>> = {
  reload: 'POST',
  invalidate: 'POST',
  health: 'GET',
  metrics: 'GET',
}

export interface AdminContext {
  readonly slot: LayerSlot
  readonly metrics: HandlerMetrics
  readonly options: ResolvedOptions
  /** Reloads run one at a time: a second reload waits for the first. */
  serialize<T>(task: () => Promise<T>): Promise<T>
}

const MODEL_ERRORS = new Set(['MODEL_INVALID', 'MODEL_LOAD_FAILED', 'CONFIG_INVALID'])

export async function handleAdmin(route: AdminRoute, request: Request, ctx: AdminContext): Promise<Response> {
  switch (route) {
    case 'health': {
      const lease = ctx.slot.acquire()
      try {
        const health = await lease.layer.healthCheck()
        return jsonResponse(health.ok ? 200 : 503, { ...health, modelVersion: lease.layer.model?.version ?? null })
      } finally {
        lease.release()
      }
    }
    case 'metrics': {
      const accept = request.headers.get('accept') ?? ''
      if (/text\/plain/i.test(accept) && !/application\/json/i.test(accept)) {
        return new Response(ctx.metrics.prometheus(), {
          status: 200,
          headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' },
        })
      }
      return jsonResponse(200, ctx.metrics.snapshot())
    }
    case 'invalidate': {
      const invalidate = ctx.options.invalidate
      if (!invalidate) {
        throw new HttpError(
          501,
          { error: 'Cache invalidation is not configured. Pass invalidate(body) to the handler options.' },
          'NOT_CONFIGURED',
        )
      }
      const body = await readJsonObject(request, ctx.options.bodyLimitBytes)
      await invalidate(body)
      return jsonResponse(200, { invalidated: true })
    }
    case 'reload': {
      const reload = ctx.options.reload
      if (!reload) {
        throw new HttpError(
          501,
          { error: 'Model reload is not configured. Pass reload() (returning a new layer) to the handler options.' },
          'NOT_CONFIGURED',
        )
      }
      return ctx.serialize(async () => {
        let next: SemanticLayer
        try {
          next = await reload()
        } catch (error) {
          if (isSemanticLayerError(error) && MODEL_ERRORS.has(String(error.code))) {
            // Admins see the model's issues (paths into the model files and messages; never data).
            throw new HttpError(
              422,
              { error: 'Reload failed; the previous model is still served.', code: error.code, issues: error.issues },
              String(error.code),
            )
          }
          throw error
        }
        if (
          typeof next !== 'object' ||
          next === null ||
          typeof next.query !== 'function' ||
          typeof next.close !== 'function'
        ) {
          throw new TypeError('reload() must resolve to a semantic layer (createSemanticLayer(...)).')
        }
        ctx.slot.swap(next)
        ctx.metrics.reloaded()
        return jsonResponse(200, { reloaded: true, modelVersion: next.model?.version ?? null })
      })
    }
  }
}
