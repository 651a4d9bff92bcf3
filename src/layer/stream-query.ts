/**
 * Streaming a query: prepare it, open a cursor on its connector, and yield Cube rows one at a time, with
 * one audit event when the stream ends (allowed with its row count, or denied/failed).
 */
import { isSemanticLayerError, SemanticLayerError } from '../errors.js'
import type { Row } from '../result/shape-result.js'
import { callContext, type CallContext } from '../security/security-context.js'
import type { Auditor } from './audit-calls.js'
import { backendOf } from '../backend/backend-of.js'
import { connectorFor, renderFor, statementHash, withZone } from './execute-query.js'
import { queryOptions, statementOptions } from './layer-options.js'
import type { SemanticLayerOptions } from './layer-types.js'
import type { Prepared } from './prepare-query.js'
import type { QueryObserver } from '../observe/query-observer.js'

export interface StreamDeps {
  readonly options: SemanticLayerOptions
  readonly prepare: (input: unknown, call: CallContext) => Promise<Prepared>
  readonly audit: Auditor
  readonly observer: QueryObserver
}

/** The layer's `stream(input, options)`. Nothing runs until the caller starts iterating. */
export function queryStreamer(deps: StreamDeps): (input: unknown, given: unknown) => AsyncIterable<Row> {
  const { options, prepare, audit, observer } = deps
  return (input, given) => ({
    async *[Symbol.asyncIterator]() {
      const started = Date.now()
      const callOptions = queryOptions(given, 'stream options')
      const call = callContext(callOptions.securityContext)
      const ctx = call.context
      const observe = observer.start('stream')
      let prepared: Prepared
      try {
        prepared = await observe.compile(() => prepare(input, call))
      } catch (error) {
        observe.failed(error)
        throw error
      }
      let rows = 0
      try {
        const connector = connectorFor(prepared.scope, prepared.compiled.dataSource)
        const backend = backendOf(connector)
        const statements = renderFor(prepared.compiled, backend, true)
        const { rendered, shaper } = statements
        // Streams stay on object rows: a cursor yields a row at a time with an await per row, which
        // costs more than the second object does, and every connector answers objects.
        const shape = shaper.one
        try {
          const exec = withZone(statementOptions(callOptions, options), rendered)
          const cursor = connector.stream(statements.main, exec)
          const system = connector.dialect?.name ?? backend.name
          for await (const raw of observe.enabled ? observe.stream(system, cursor) : cursor) {
            rows++
            yield shape(raw)
          }
        } catch (error) {
          if (isSemanticLayerError(error)) throw error
          const message = 'The data source failed while streaming; see cause.'
          throw new SemanticLayerError('CONNECTOR_FAILED', [{ code: 'CONNECTOR_FAILED', path: [], message }], {
            cause: error,
          })
        }
        const modelVersion = prepared.scope.model.version
        observe.succeeded({ rows, cacheHit: false, sql: rendered.main })
        audit.allowed(input, ctx, started, { sqlHash: statementHash(rendered.main), rows, modelVersion })
      } catch (error) {
        observe.failed(error)
        audit.failed(input, ctx, started, error)
        throw error
      } finally {
        prepared.scope.release()
      }
    },
  })
}
