import { SemanticLayerError } from '../errors.js'
import type { StatementOptions } from './connector.js'

/**
 * Run a statement that can be stopped on the server. When `options.signal` aborts or
 * `options.timeoutMs` passes, `cancel()` is called (e.g. pg_cancel_backend / KILL QUERY on a separate
 * connection) and the returned promise rejects with QUERY_CANCELLED or QUERY_TIMEOUT, whatever error
 * the driver then reports for the stopped statement (kept as `cause`).
 */
export async function runCancellable<T>(
  options: StatementOptions | undefined,
  run: () => Promise<T>,
  cancel: () => Promise<void>,
): Promise<T> {
  const signal = options?.signal
  const timeoutMs = options?.timeoutMs
  if (signal?.aborted) throw cancelledError(signal.reason)
  if (!signal && timeoutMs === undefined) return run()
  let stopped: 'timeout' | 'abort' | undefined
  let cancelling: Promise<void> | undefined
  const stop = (why: 'timeout' | 'abort'): void => {
    if (stopped) return
    stopped = why
    cancelling = cancel().catch(() => undefined)
  }
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => stop('timeout'), timeoutMs)
  const onAbort = (): void => stop('abort')
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    const result = await run()
    if (stopped) throw stopped === 'timeout' ? timeoutError(timeoutMs!) : cancelledError(signal?.reason)
    return result
  } catch (error) {
    if (stopped) {
      await cancelling
      throw stopped === 'timeout' ? timeoutError(timeoutMs!, error) : cancelledError(signal?.reason, error)
    }
    throw error
  } finally {
    if (timer) clearTimeout(timer)
    signal?.removeEventListener('abort', onAbort)
  }
}

export function timeoutError(timeoutMs: number, cause?: unknown): SemanticLayerError {
  return new SemanticLayerError(
    'QUERY_TIMEOUT',
    [
      {
        code: 'QUERY_TIMEOUT',
        path: [],
        message: `The query ran longer than ${timeoutMs} ms and was stopped on the server. Narrow the query or raise timeoutMs.`,
      },
    ],
    cause === undefined ? undefined : { cause },
  )
}

export function cancelledError(reason?: unknown, cause?: unknown): SemanticLayerError {
  return new SemanticLayerError(
    'QUERY_CANCELLED',
    [
      {
        code: 'QUERY_CANCELLED',
        path: [],
        message: 'The query was cancelled by its AbortSignal and stopped on the server.',
      },
    ],
    { cause: cause ?? reason },
  )
}

/** Transient errors worth retrying before a statement has started (never after). */
export function isTransientConnectError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return (
    typeof code === 'string' &&
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'EPIPE',
      'EAI_AGAIN',
      '57P03',
      '53300',
      'PROTOCOL_CONNECTION_LOST',
      'ER_CON_COUNT_ERROR',
    ].includes(code)
  )
}

/** Retry `connect` with exponential backoff on transient errors; the statement itself is never retried. */
export async function connectWithRetry<T>(connect: () => Promise<T>, attempts = 4, baseDelayMs = 50): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect()
    } catch (error) {
      if (attempt >= attempts || !isTransientConnectError(error)) throw error
      await new Promise((r) => setTimeout(r, baseDelayMs * 2 ** (attempt - 1)))
    }
  }
}
