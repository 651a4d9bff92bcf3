import { SemanticLayerError } from '../errors.js'

/**
 * Local single-flight: callers asking for the same key while a run is in progress share that run.
 * Each caller may bring its own AbortSignal: an aborted caller stops waiting at once (QUERY_CANCELLED),
 * and the shared run is aborted only when every caller waiting on it has gone, so one caller's cancel
 * never fails the others. A `background` run (a refresh nobody waits for) is never aborted that way.
 */
export interface Flights<T> {
  /**
   * Join the run for `key`, starting it with `start` when there is none. `start` gets a signal only when
   * the run can be aborted: when the caller that starts it waits in the foreground with a signal of its
   * own. A run started without one has a caller that never leaves (or is a background refresh), so
   * nothing could ever abort it; not creating an AbortController for it saves about 3 µs per call, a
   * tenth of a result-cache hit.
   */
  join(
    key: string,
    start: (signal: AbortSignal | undefined) => Promise<T>,
    options?: { signal?: AbortSignal | undefined; background?: boolean },
  ): Promise<T>
  /** Runs in progress (for tests and close()). */
  readonly size: number
  /** Settles when every run in progress has settled. */
  drain(): Promise<void>
}

interface Flight<T> {
  readonly promise: Promise<T>
  readonly controller: AbortController | undefined
  waiters: number
  background: boolean
}

/**
 * `onShared(value)` runs when a run that more than one caller waits on succeeds, before any of them
 * resumes (it is the first reaction registered on the run), so the value can be marked as shared.
 */
export function createFlights<T>(onShared?: (value: T) => void): Flights<T> {
  const flights = new Map<string, Flight<T>>()

  return {
    get size() {
      return flights.size
    },
    async drain() {
      await Promise.allSettled([...flights.values()].map((f) => f.promise))
    },
    join(key, start, options = {}) {
      const signal = options.signal
      if (signal?.aborted) return Promise.reject(cancelled(signal.reason))
      let flight = flights.get(key)
      if (!flight) {
        const controller = signal !== undefined && options.background !== true ? new AbortController() : undefined
        let promise: Promise<T>
        try {
          promise = start(controller?.signal)
        } catch (error) {
          promise = Promise.reject(error)
        }
        const created: Flight<T> = { promise, controller, waiters: 0, background: options.background === true }
        flights.set(key, created)
        const forget = (): void => {
          if (flights.get(key) === created) flights.delete(key)
        }
        promise.then((value) => {
          forget()
          if (onShared && created.waiters > 1) onShared(value)
        }, forget)
        flight = created
      }
      if (options.background === true) {
        // A background refresh must finish (to fill the cache) even if every foreground caller leaves.
        flight.background = true
        return flight.promise
      }
      const joined = flight
      joined.waiters++
      if (!signal) return joined.promise.finally(() => void joined.waiters--)
      return new Promise<T>((resolve, reject) => {
        const onAbort = (): void => {
          joined.waiters--
          if (joined.waiters === 0 && !joined.background) joined.controller?.abort(signal.reason)
          reject(cancelled(signal.reason))
        }
        signal.addEventListener('abort', onAbort, { once: true })
        joined.promise.then(
          (value) => {
            signal.removeEventListener('abort', onAbort)
            joined.waiters--
            resolve(value)
          },
          (error: unknown) => {
            signal.removeEventListener('abort', onAbort)
            joined.waiters--
            reject(error)
          },
        )
      })
    },
  }
}

/** The same error a connector raises for an aborted statement. */
export function cancelled(reason?: unknown): SemanticLayerError {
  return new SemanticLayerError(
    'QUERY_CANCELLED',
    [
      {
        code: 'QUERY_CANCELLED',
        path: [],
        message: 'The query was cancelled by its AbortSignal and stopped on the server.',
      },
    ],
    reason === undefined ? undefined : { cause: reason },
  )
}
