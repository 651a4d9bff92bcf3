/** The layer's pre-aggregations from its options (undefined: `preAggregations: false`). */
import type { Connector } from '../connectors/connector.js'
import { SemanticLayerError } from '../errors.js'
import type { ModelInput, SemanticLayerOptions } from '../layer/layer-types.js'
import type { ConnectorsFactory } from '../security/tenancy.js'
import type { Tenancy } from '../security/tenancy.js'
import type { Clock } from '../util/clock.js'
import { isValidTimeZone } from '../util/time-zone.js'
import { PreAggregations, type PreAggregationsOptions } from './pre-aggregations.js'

const KEYS = new Set(['store', 'timeZones', 'refresh', 'onEvent'])

function invalid(path: (string | number)[], message: string): SemanticLayerError {
  return new SemanticLayerError('CONFIG_INVALID', [
    { code: 'INVALID_OPTION', path: ['preAggregations', ...path], message },
  ])
}

/** Check `preAggregations` options; refuse them with per-tenant models or connectors (tables are per source). */
function readOptions(given: unknown): PreAggregationsOptions {
  if (given === undefined) return {}
  if (typeof given !== 'object' || given === null || Array.isArray(given))
    throw invalid([], 'preAggregations must be an object ({ store?, timeZones?, refresh?, onEvent? }) or false.')
  const o = given as Record<string, unknown>
  for (const key of Object.keys(o))
    if (!KEYS.has(key)) throw invalid([key], `Unknown option. Use one of: ${[...KEYS].join(', ')}.`)
  const zones = o.timeZones
  if (zones !== undefined) {
    if (!Array.isArray(zones) || zones.some((z) => typeof z !== 'string' || !isValidTimeZone(z)))
      throw invalid(['timeZones'], "timeZones must be a list of IANA time zone names, e.g. ['UTC', 'Europe/Berlin'].")
  }
  const refresh = o.refresh as { everyMs?: unknown } | undefined
  if (refresh !== undefined) {
    const ms = refresh?.everyMs
    if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 1000)
      throw invalid(['refresh', 'everyMs'], 'refresh.everyMs must be a whole number of milliseconds, at least 1000.')
  }
  if (o.onEvent !== undefined && typeof o.onEvent !== 'function')
    throw invalid(['onEvent'], 'onEvent must be a function.')
  return o as PreAggregationsOptions
}

export function createPreAggregations(
  options: SemanticLayerOptions,
  clock: Clock,
  tenancy: Tenancy<ModelInput>,
  connectors: Readonly<Record<string, Connector>> | ConnectorsFactory,
): PreAggregations | undefined {
  if (options.preAggregations === false) return undefined
  const read = readOptions(options.preAggregations)
  const perTenant = typeof connectors === 'function' || typeof options.model === 'function'
  if (perTenant) {
    if (options.preAggregations !== undefined)
      throw invalid(
        [],
        'Pre-aggregations need one shared model and shared connectors; per-tenant factories are not supported yet.',
      )
    return undefined
  }
  return new PreAggregations({
    options: read,
    clock,
    model: () => tenancy.model!,
    connector: (dataSource) => {
      const c = Object.hasOwn(connectors, dataSource) ? connectors[dataSource] : undefined
      if (!c) {
        const message = `No connector for data source '${dataSource}': pass one in createSemanticLayer({ connectors }).`
        throw new SemanticLayerError('CONNECTOR_MISSING', [
          { code: 'CONNECTOR_MISSING', path: ['connectors', dataSource], message },
        ])
      }
      return c
    },
  })
}

/** `build()` on a layer created with `preAggregations: false` (or per-tenant factories). */
export function preAggregationsOff(): SemanticLayerError {
  return invalid(
    [],
    'This layer does not build pre-aggregations: it was created with preAggregations: false or per-tenant factories.',
  )
}
