import { LRUCache } from 'lru-cache'
import { fail, isSemanticLayerError, SemanticLayerError } from '../errors.js'
import { connectorRecord, type Connector } from '../connectors/connector.js'
import type { CompiledModel } from '../model/compiled.js'
import type { SecurityContext } from './authorize-query.js'

export interface TenantInfo {
  readonly tenant: string
  readonly securityContext: SecurityContext
}

/** A model for one tenant: what loadModel()/parseModel() return, or Cube-format objects. */
export type ModelFactory<M> = (info: TenantInfo) => M | Promise<M>
export type ConnectorsFactory = (
  info: TenantInfo,
) => Readonly<Record<string, Connector>> | Promise<Readonly<Record<string, Connector>>>

/** What one query runs against: the tenant's model and connectors. `release()` when the query is done. */
export interface TenantScope {
  readonly tenant?: string
  readonly model: CompiledModel
  readonly connectors: Readonly<Record<string, Connector>>
  release(): void
}

/** Tenant ids become cache namespaces, schema names and audit fields: keep them to a safe alphabet. */
const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/

export function validTenantId(id: unknown): id is string {
  return typeof id === 'string' && TENANT_ID.test(id)
}

interface ConnectorEntry {
  readonly connectors: Readonly<Record<string, Connector>>
  inFlight: number
  evicted: boolean
}

export interface TenancyOptions<M> {
  readonly model: M | ModelFactory<M>
  readonly connectors: Readonly<Record<string, Connector>> | ConnectorsFactory
  readonly contextToTenant?: (securityContext: SecurityContext) => string | undefined
  /** Tenants whose models and connectors stay loaded (least recently used are dropped; their connectors closed). Default 100. */
  readonly maxTenants?: number
  readonly compile: (model: M) => CompiledModel
  readonly isFactory: (model: M | ModelFactory<M>) => model is ModelFactory<M>
}

/**
 * Resolves the tenant of a call and what it runs against. Static models and connectors are shared;
 * factories are called once per tenant (concurrent first calls share one promise) and cached in a
 * bounded LRU. A layer with factories, or with contextToTenant, is multi-tenant and fails closed:
 * a call without a tenant is UNAUTHORIZED.
 */
export class Tenancy<M> {
  private staticModel: CompiledModel | undefined
  private readonly models: LRUCache<string, Promise<CompiledModel>>
  private readonly connectorSets: LRUCache<string, Promise<ConnectorEntry>>
  readonly multiTenant: boolean

  constructor(private readonly options: TenancyOptions<M>) {
    const modelIsFactory = options.isFactory(options.model)
    const connectorsIsFactory = typeof options.connectors === 'function'
    this.multiTenant = modelIsFactory || connectorsIsFactory || options.contextToTenant !== undefined
    if ((modelIsFactory || connectorsIsFactory) && !options.contextToTenant) {
      throw new SemanticLayerError('CONFIG_INVALID', [
        {
          code: 'TENANT_RESOLVER_REQUIRED',
          path: ['contextToTenant'],
          message:
            'Per-tenant models or connectors need contextToTenant(securityContext) to say which tenant a call belongs to.',
        },
      ])
    }
    this.staticModel = modelIsFactory ? undefined : options.compile(options.model as M)
    const max = options.maxTenants ?? 100
    this.models = new LRUCache({ max })
    this.connectorSets = new LRUCache({
      max,
      dispose: (entry) => {
        void entry.then(
          (e) => {
            e.evicted = true
            if (e.inFlight === 0) void closeAll(e.connectors)
          },
          () => undefined,
        )
      },
    })
  }

  /** The shared model, when there is one (no model factory). */
  get model(): CompiledModel | undefined {
    return this.staticModel
  }

  /**
   * Serve `model` to calls that start from now on (a watched folder's new version). Calls in flight keep
   * the scope, and so the model, they started with. Only for layers with a shared model.
   */
  replaceModel(model: CompiledModel): void {
    if (this.staticModel === undefined) {
      throw new SemanticLayerError('INTERNAL', [
        { code: 'INTERNAL', path: [], message: 'replaceModel needs a shared model.' },
      ])
    }
    this.staticModel = model
  }

  /** The tenant of a call, validated; undefined for single-tenant layers. */
  tenantOf(securityContext: SecurityContext | undefined): string | undefined {
    if (!this.multiTenant) return undefined
    if (securityContext === undefined) {
      throw new SemanticLayerError('UNAUTHORIZED', [
        {
          code: 'TENANT_REQUIRED',
          path: [],
          message: 'This layer is multi-tenant: every call needs a securityContext that identifies its tenant.',
        },
      ])
    }
    let tenant: unknown
    try {
      tenant = this.options.contextToTenant!(securityContext)
    } catch (error) {
      // Fail closed: a resolver that throws identifies no tenant.
      if (isSemanticLayerError(error)) throw error
      const message = 'contextToTenant threw: no tenant for the call (see cause).'
      fail('UNAUTHORIZED', 'TENANT_RESOLVER_FAILED', [], message, error)
    }
    if (!validTenantId(tenant)) {
      throw new SemanticLayerError('UNAUTHORIZED', [
        {
          code: 'INVALID_TENANT',
          path: [],
          message:
            'The security context does not identify a valid tenant (1-64 characters: letters, digits, _ . -, starting with a letter or digit).',
        },
      ])
    }
    return tenant
  }

  async resolve(securityContext: SecurityContext | undefined): Promise<TenantScope> {
    const tenant = this.tenantOf(securityContext)
    const info = tenant === undefined ? undefined : { tenant, securityContext: securityContext! }
    const model = this.staticModel ?? (await this.tenantModel(info!))
    if (typeof this.options.connectors !== 'function') {
      return {
        ...(tenant === undefined ? {} : { tenant }),
        model,
        connectors: this.options.connectors,
        release: () => undefined,
      }
    }
    const entry = await this.tenantConnectors(info!)
    entry.inFlight++
    let released = false
    return {
      tenant: info!.tenant,
      model,
      connectors: entry.connectors,
      release: () => {
        if (released) return
        released = true
        entry.inFlight--
        if (entry.evicted && entry.inFlight === 0) void closeAll(entry.connectors)
      },
    }
  }

  private tenantModel(info: TenantInfo): Promise<CompiledModel> {
    let pending = this.models.get(info.tenant)
    if (!pending) {
      const factory = this.options.model as ModelFactory<M>
      pending = Promise.resolve()
        .then(() => factory(info))
        .then(
          (m) => this.options.compile(m),
          (error: unknown) => {
            if (isSemanticLayerError(error)) throw error
            const message = "The model factory failed for this call's tenant; see cause."
            fail('MODEL_LOAD_FAILED', 'MODEL_FACTORY_FAILED', ['model'], message, error)
          },
        )
      pending.catch(() => this.models.delete(info.tenant))
      this.models.set(info.tenant, pending)
    }
    return pending
  }

  private tenantConnectors(info: TenantInfo): Promise<ConnectorEntry> {
    let pending = this.connectorSets.get(info.tenant)
    if (!pending) {
      const factory = this.options.connectors as ConnectorsFactory
      pending = Promise.resolve()
        .then(() => factory(info))
        .then(
          (given) => {
            return { connectors: connectorRecord(given, 'The connectors factory result'), inFlight: 0, evicted: false }
          },
          (error: unknown) => {
            if (isSemanticLayerError(error)) throw error
            const message = "The connectors factory failed for this call's tenant; see cause."
            fail('CONNECTOR_FAILED', 'CONNECTORS_FACTORY_FAILED', ['connectors'], message, error)
          },
        )
      pending.catch(() => this.connectorSets.delete(info.tenant))
      this.connectorSets.set(info.tenant, pending)
    }
    return pending
  }

  /** Close every connector: the static ones and each tenant's. */
  async close(): Promise<void> {
    const sets: Readonly<Record<string, Connector>>[] = []
    if (typeof this.options.connectors !== 'function') sets.push(this.options.connectors)
    for (const pending of this.connectorSets.values()) {
      try {
        sets.push((await pending).connectors)
      } catch {
        // A factory that failed opened nothing we own.
      }
    }
    this.models.clear()
    const results = await Promise.allSettled(sets.map((s) => closeAll(s)))
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed)
      throw new SemanticLayerError(
        'CONNECTOR_FAILED',
        [{ code: 'CLOSE_FAILED', path: [], message: 'A connector failed to close.' }],
        { cause: failed.reason },
      )
  }
}

async function closeAll(connectors: Readonly<Record<string, Connector>>): Promise<void> {
  const results = await Promise.allSettled(Object.values(connectors).map((c) => c.close()))
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) throw failed.reason
}
