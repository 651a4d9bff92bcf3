import { randomUUID } from 'node:crypto'
import { SemanticLayerError, describeName } from '../errors.js'
import type { Connector } from './connector.js'

/**
 * The identity of each connector of one layer in result-cache keys (see Connector.id). A connector
 * without an `id` is told apart from the others by an id of this layer's own, which is safe only while
 * the cache is the layer's own: with a cache passed in (possibly shared with other layers or deployments)
 * such a connector is refused, because two of them over different databases would share entries.
 */
export class ConnectorSources {
  private readonly anonymous = new WeakMap<Connector, string>()

  constructor(private readonly sharedCache: boolean) {}

  of(connector: Connector, dataSource: string): string {
    const id = connector.id
    if (typeof id === 'string' && id !== '') return id
    if (id !== undefined) {
      const message = `The id of connector ${describeName(dataSource)} must be a non-empty string naming its database.`
      throw invalid('INVALID_CONNECTOR', dataSource, message)
    }
    if (this.sharedCache) {
      const message =
        `Connector ${describeName(dataSource)} has no id, and this layer was given a cache that other layers may ` +
        'share: their results could be served for another database. Give the connector an id naming its database ' +
        '(defineConnector({ id, ... }), or the id option of sqlite()/postgres()/mysql() when Cortex cannot ' +
        "read the pool's target)."
      throw invalid('CONNECTOR_ID_REQUIRED', dataSource, message)
    }
    let own = this.anonymous.get(connector)
    if (own === undefined) this.anonymous.set(connector, (own = `layer:${randomUUID()}`))
    return own
  }
}

function invalid(code: string, dataSource: string, message: string): SemanticLayerError {
  return new SemanticLayerError('CONFIG_INVALID', [{ code, path: ['connectors', dataSource, 'id'], message }])
}
