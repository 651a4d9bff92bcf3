/**
 * The worker-thread half of a CSV load (worker-load.ts is the other): UTF-8 decoding, tokenizing, type
 * inference and conversion run here, in the same LoadSink as a load on the main thread, while the main
 * thread reads the file and inserts the converted rows into SQLite. Built as its own entry
 * (dist/files-load-worker.js, .cjs), started with the spec and the fixed columns of the pass in
 * `workerData`.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { isSemanticLayerError } from '../errors.js'
import { LoadSink } from './load-sink.js'
import { csvReader } from './read-csv.js'
import type { ByteSource } from './sources.js'
import type { StoreColumn, TableStore, TableWriter } from './table-store.js'
import type { FromWorker, RowsMessage, ToWorker, WorkerInput } from './worker-load.js'

/** Values per `rows` message at most (a chunk's rows are sent when the next chunk is asked for). */
const MAX_BATCH_VALUES = 1 << 15

/** The source's bytes were needed a second time (the line of an invalid UTF-8 byte): the main thread reads them. */
class RereadNeeded extends Error {}

const port = parentPort
if (!port) throw new Error('load-worker.ts runs in a worker thread')
const input = workerData as WorkerInput
const post = (message: FromWorker): void => port.postMessage(message)

const queue: (Uint8Array | null)[] = []
let wake: (() => void) | undefined
port.on('message', (message: ToWorker) => {
  queue.push(message.t === 'chunk' ? message.bytes : null)
  wake?.()
  wake = undefined
})

let writerId = 0
let batchWriter = 0
/** Per value: 0 null, 1 number (in `nums`), 2 text (the next of `texts`). */
let capacity = MAX_BATCH_VALUES
let tags = new Uint8Array(capacity)
let nums = new Float64Array(capacity)
let texts: string[] = []
let count = 0
const flush = (): void => {
  if (count === 0) return
  const message: RowsMessage = { t: 'rows', id: batchWriter, count, tags, nums, texts }
  port.postMessage(message, [tags.buffer, nums.buffer])
  // The buffers were transferred (detached here): new ones for the next batch.
  tags = new Uint8Array(capacity)
  nums = new Float64Array(capacity)
  texts = []
  count = 0
}

/** A store whose writes go to the main thread, in order, as messages. */
const store: TableStore = {
  connector: undefined as never, // never queried here
  create(_table: string, columns: readonly StoreColumn[]): TableWriter {
    flush()
    const id = ++writerId
    const width = Math.max(1, columns.length)
    if (width > capacity) {
      capacity = width
      tags = new Uint8Array(capacity)
      nums = new Float64Array(capacity)
    }
    let rows = 0
    post({ t: 'create', id, columns: columns.map((c) => ({ name: c.name, type: c.type })) })
    return {
      get rows() {
        return rows
      },
      insert(values) {
        if (batchWriter !== id) {
          flush()
          batchWriter = id
        }
        if (count + width > capacity) flush()
        for (let i = 0; i < width; i++) {
          const v = values[i] ?? null
          if (v === null) tags[count] = 0
          else if (typeof v === 'number') {
            tags[count] = 1
            nums[count] = v
          } else {
            tags[count] = 2
            texts.push(v)
          }
          count++
        }
        rows++
      },
      commit() {
        throw new Error('unreachable: the main thread commits')
      },
      abort() {
        if (batchWriter === id) {
          texts = []
          count = 0
        }
        post({ t: 'abort', id })
      },
    }
  },
  lease: () => () => {},
  close: async () => {},
}

let read = false
const source: ByteSource = {
  size: input.size,
  contentType: undefined,
  async *chunks() {
    if (read) throw new RereadNeeded()
    read = true
    for (;;) {
      while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve))
      const chunk = queue.shift()!
      if (chunk === null) return
      yield chunk
      // The reader asks for the next chunk only once this one's records are all in the sink.
      flush()
      post({ t: 'consumed' })
    }
  },
}

async function run(): Promise<void> {
  const at = { table: input.spec.name, label: input.spec.label, lineWord: 'line' as const }
  const sink = new LoadSink(input.spec, 'csv', at, store, input.fixed, (rows) => {
    flush()
    post({ t: 'progress', rows })
  })
  try {
    await csvReader(source, input.spec).read(sink)
    const outcome = sink.finish()
    flush()
    post({
      t: 'done',
      rows: sink.rows,
      outcome: 'secondPass' in outcome ? { secondPass: outcome.secondPass } : { columns: outcome.columns },
    })
  } catch (error) {
    flush()
    post({ t: 'error', error: serialize(error) })
  }
  port!.close()
}

function serialize(error: unknown): Extract<FromWorker, { t: 'error' }>['error'] {
  if (error instanceof RereadNeeded) return { kind: 'encoding' }
  if (isSemanticLayerError(error)) {
    const cause = (error as { cause?: unknown }).cause
    return {
      kind: 'layer',
      code: error.code,
      issues: error.issues,
      ...(cause instanceof Error ? { cause } : {}),
    }
  }
  return { kind: 'other', error: error instanceof Error ? error : new Error(String(error)) }
}

void run()
