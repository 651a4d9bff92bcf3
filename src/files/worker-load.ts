import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { SemanticLayerError, type ErrorCode, type ErrorIssue } from '../errors.js'
import type { FileContext } from './file-errors.js'
import type { FixedColumns, SinkSpec } from './load-sink.js'
import type { CsvSpec } from './read-csv.js'
import type { ByteSource } from './sources.js'
import type { StoreColumn, StoreValue, TableStore, TableWriter } from './table-store.js'
import { encodingError } from './utf8-text.js'

/**
 * A CSV load split over two threads: a worker thread (load-worker.ts) decodes, tokenizes, infers and
 * converts, the same LoadSink as on one thread, while this thread reads the source (counting, hashing and
 * checking it as before) and inserts the converted rows into the store. SQLite inserts and parsing take
 * about the same time, so the two overlap instead of adding up.
 *
 * Bounded memory: at most WINDOW chunks of CHUNK_BYTES are sent and not yet consumed by the worker; the
 * worker sends the rows of a chunk before it takes the next one. Errors cross as data: a file error is
 * rebuilt here with its code and issues; a bad UTF-8 byte is located here, by reading the source again.
 */

/** Sources from this size up are loaded with a worker (smaller ones load faster than a thread starts). */
const WORKER_MIN_BYTES = 8 << 20
/** Bytes per message to the worker. */
const CHUNK_BYTES = 1 << 18
/** Chunks sent to the worker and not yet consumed, at most. */
const WINDOW = 4

export type WorkerSpec = SinkSpec & CsvSpec

export interface WorkerInput {
  readonly spec: WorkerSpec
  readonly fixed: FixedColumns | undefined
  readonly size: number | undefined
}

export type ToWorker = { readonly t: 'chunk'; readonly bytes: Uint8Array } | { readonly t: 'end' }

/**
 * Converted rows, compact: a tag per value (0 NULL, 1 number, 2 text), the numbers in `nums` (transferred,
 * not copied), the texts in order in `texts`. (Joining the texts into one string and slicing it here
 * cost twice as much as cloning the array.)
 */
export interface RowsMessage {
  readonly t: 'rows'
  readonly id: number
  readonly count: number
  readonly tags: Uint8Array
  readonly nums: Float64Array
  readonly texts: readonly string[]
}

export type FromWorker =
  | { readonly t: 'create'; readonly id: number; readonly columns: readonly StoreColumn[] }
  | RowsMessage
  | { readonly t: 'abort'; readonly id: number }
  | { readonly t: 'progress'; readonly rows: number }
  | { readonly t: 'consumed' }
  | {
      readonly t: 'done'
      readonly rows: number
      readonly outcome: { readonly columns: readonly StoreColumn[] } | { readonly secondPass: FixedColumns }
    }
  | {
      readonly t: 'error'
      readonly error:
        | { readonly kind: 'layer'; readonly code: ErrorCode; readonly issues: readonly ErrorIssue[]; cause?: Error }
        | { readonly kind: 'encoding' }
        | { readonly kind: 'other'; readonly error: Error }
    }

/** What one pass gives load-table.ts: the same shape as a LoadSink's. */
export interface WorkerPass {
  readonly rows: number
  readonly outcome: { writer: TableWriter; columns: readonly StoreColumn[] } | { secondPass: FixedColumns }
  abort(): void
}

let override: { url: URL | undefined; minBytes: number } | undefined

/** Tests: load with the worker at `url` (a bundle of load-worker.ts) from `minBytes` up, or restore the default. */
export function setLoadWorker(next: { url: URL | undefined; minBytes: number } | undefined): void {
  override = next
}

let builtWorker: URL | null | undefined

/** The worker script next to this module in dist/ (none when running from the TypeScript sources). */
function workerUrl(): URL | undefined {
  if (override) return override.url
  if (builtWorker === undefined) {
    const url = new URL(`./files-load-worker.${import.meta.url.endsWith('.cjs') ? 'cjs' : 'js'}`, import.meta.url)
    builtWorker = url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : null
  }
  return builtWorker ?? undefined
}

/** The worker to load a CSV source of `size` bytes with, if it is worth one. */
export function csvWorkerFor(size: number | undefined): URL | undefined {
  const min = override?.minBytes ?? WORKER_MIN_BYTES
  if (size === undefined || size < min) return undefined
  return workerUrl()
}

/** One pass over a CSV source, parsed in the worker at `url`, inserted into `store` here. */
export async function workerPass(
  url: URL,
  spec: WorkerSpec,
  at: FileContext,
  source: ByteSource,
  store: TableStore,
  fixed: FixedColumns | undefined,
  onRows: (rows: number) => void,
): Promise<WorkerPass> {
  const input: WorkerInput = {
    spec: {
      name: spec.name,
      label: spec.label,
      columns: spec.columns,
      timezone: spec.timezone,
      maxRows: spec.maxRows,
      indexes: spec.indexes,
      delimiter: spec.delimiter,
      quote: spec.quote,
      nullValues: spec.nullValues,
      quotedNulls: spec.quotedNulls,
    },
    fixed,
    size: source.size,
  }
  const worker = new Worker(url, { workerData: input })
  let writer: TableWriter | undefined
  let writerId = 0
  let width = 0
  let row: StoreValue[] = []
  let inFlight = 0
  let wake: (() => void) | undefined
  let failure: { error: unknown } | undefined
  let result: Extract<FromWorker, { t: 'done' }> | undefined
  let settle: () => void = () => {}
  const settled = new Promise<void>((resolve) => (settle = resolve))
  const stop = (): void => {
    settle()
    wake?.()
    void worker.terminate()
  }
  const fail = (error: unknown): void => {
    if (failure || result) return
    failure = { error }
    stop()
  }
  const abortWriter = (): void => {
    writer?.abort()
    writer = undefined
  }

  worker.on('message', (message: FromWorker) => {
    if (failure) return
    try {
      switch (message.t) {
        case 'create':
          abortWriter()
          writer = store.create(spec.name, message.columns)
          writerId = message.id
          width = Math.max(1, message.columns.length)
          row = new Array<StoreValue>(width).fill(null)
          break
        case 'rows': {
          if (message.id !== writerId || !writer) break
          const { count, tags, nums, texts } = message
          let next = 0
          for (let k = 0; k < count; ) {
            for (let i = 0; i < width; i++, k++) {
              const tag = tags[k]
              row[i] = tag === 0 ? null : tag === 1 ? nums[k]! : texts[next++]!
            }
            writer.insert(row)
          }
          break
        }
        case 'abort':
          if (message.id === writerId) abortWriter()
          break
        case 'progress':
          onRows(message.rows)
          break
        case 'consumed':
          inFlight--
          wake?.()
          break
        case 'done':
          result = message
          stop()
          break
        case 'error':
          fail(message.error.kind === 'encoding' ? 'encoding' : rebuild(message.error))
          break
      }
    } catch (error) {
      fail(error)
    }
  })
  worker.on('error', fail)
  worker.on('exit', (code) => fail(new Error(`the CSV load worker exited (code ${code})`)))

  try {
    let parts: Uint8Array[] = []
    let bytes = 0
    const send = async (): Promise<void> => {
      if (parts.length === 0) return
      const chunk = parts.length === 1 ? parts[0]! : Buffer.concat(parts, bytes)
      parts = []
      bytes = 0
      // A copy the worker owns: the read stream may reuse its buffers.
      const owned = new Uint8Array(chunk)
      worker.postMessage({ t: 'chunk', bytes: owned } satisfies ToWorker, [owned.buffer])
      inFlight++
      while (inFlight >= WINDOW && !failure && !result) await new Promise<void>((resolve) => (wake = resolve))
    }
    for await (const chunk of source.chunks()) {
      if (failure || result) break
      parts.push(chunk)
      bytes += chunk.byteLength
      if (bytes >= CHUNK_BYTES) await send()
    }
    if (!failure && !result) {
      await send()
      worker.postMessage({ t: 'end' } satisfies ToWorker)
    }
  } catch (error) {
    fail(error)
  }
  await settled

  if (failure) {
    abortWriter()
    if (failure.error === 'encoding') throw await encodingError(source, at, undefined)
    throw failure.error
  }
  const done = result!
  if ('secondPass' in done.outcome) {
    abortWriter()
    return { rows: done.rows, outcome: { secondPass: done.outcome.secondPass }, abort: () => {} }
  }
  const kept = writer
  if (!kept) throw new Error('unreachable: a load that ends with columns has a writer')
  return {
    rows: done.rows,
    outcome: { writer: kept, columns: done.outcome.columns },
    abort: () => kept.abort(),
  }
}

function rebuild(error: Exclude<Extract<FromWorker, { t: 'error' }>['error'], { kind: 'encoding' }>): unknown {
  if (error.kind === 'other') return error.error
  return new SemanticLayerError(
    error.code,
    error.issues,
    error.cause === undefined ? undefined : { cause: error.cause },
  )
}
