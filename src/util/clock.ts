import { SemanticLayerError } from '../errors.js'

/**
 * Where the layer reads the time and schedules its waits: relative date ranges, and in the result cache
 * refresh-key buckets, entry ages and TTLs, lock deadlines, the pause after a cache failure, the
 * stale-if-slow wait, lock polling and cache-call timeouts. The default is the system clock; tests pass
 * one they move by hand, so no test has to sleep.
 *
 * @example
 * let ms = Date.UTC(2024, 5, 15)
 * const timers: { at: number; run: () => void }[] = []
 * const clock: Clock = {
 *   now: () => ms,
 *   setTimer: (run, delay) => {
 *     const t = { at: ms + delay, run }
 *     timers.push(t)
 *     return () => void timers.splice(timers.indexOf(t), 1)
 *   },
 * }
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number
  /** Call `callback` once, when `ms` milliseconds have passed on this clock. Returns a function that cancels it. */
  setTimer(callback: () => void, ms: number): () => void
}

/** Timers of the event loop. */
export function systemTimer(callback: () => void, ms: number): () => void {
  const timer = setTimeout(callback, ms)
  return () => clearTimeout(timer)
}

export const systemClock: Clock = { now: () => Date.now(), setTimer: systemTimer }

/**
 * The layer's clock from its options: `clock` as given, or `now` (a date function) with the event loop's
 * timers, or the system clock. Both together are refused: two clocks could disagree.
 */
export function resolveClock(options: { readonly now?: unknown; readonly clock?: unknown }): Clock {
  const { now, clock } = options
  if (clock !== undefined) {
    const c = clock as Partial<Clock> | null
    const shaped = typeof c?.now === 'function' && typeof c.setTimer === 'function'
    if (now !== undefined || !shaped) {
      const message = 'clock must be an object with now() and setTimer(callback, ms), and cannot be combined with now.'
      throw invalidOption('clock', `${message} Pass one of them.`)
    }
    return c as Clock
  }
  if (now === undefined) return systemClock
  if (typeof now !== 'function') {
    throw invalidOption('now', 'now must be a function returning the current Date.')
  }
  const read = now as () => Date
  return { now: () => read().getTime(), setTimer: systemTimer }
}

/** Resolve after `ms` on `clock`; reject with `onAbort()` as soon as `signal` aborts. */
export function sleepOn(
  clock: Clock,
  ms: number,
  signal: AbortSignal | undefined,
  onAbort: (reason: unknown) => Error,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(onAbort(signal.reason))
    const abort = (): void => {
      cancel()
      reject(onAbort(signal?.reason))
    }
    const cancel = clock.setTimer(() => {
      signal?.removeEventListener('abort', abort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', abort, { once: true })
  })
}

function invalidOption(option: string, message: string): SemanticLayerError {
  return new SemanticLayerError('CONFIG_INVALID', [{ code: 'INVALID_OPTION', path: [option], message }])
}
