import { createHash } from 'node:crypto'
import { fileError, type FileContext } from './file-errors.js'
import { LoadSink } from './load-sink.js'
import type { FileFormat, TableSpec } from './options.js'
import { csvReader } from './read-csv.js'
import { jsonReader } from './read-json.js'
import { sheetReader } from './read-sheet.js'
import { openSource, tooLarge, type ByteSource, type SourceDeps } from './sources.js'
import type { TableReader } from './table-reader.js'
import type { StoreColumn, TableStore } from './table-store.js'

export interface LoadDeps {
  readonly store: TableStore
  readonly source: SourceDeps
  /** SHA-256 of the content loaded now, if any: a source with the same content swaps nothing in. */
  readonly currentContent: string | undefined
  /** Rows and bytes read so far (about every 65 000 rows). */
  readonly onProgress: (rows: number, bytes: number, totalBytes: number | undefined) => void
  /** True once the connector is closing: the load stops at the next chunk. */
  readonly closed: () => boolean
}

export interface LoadResult {
  /** False when the source had the content already loaded: nothing was swapped. */
  readonly changed: boolean
  /** SHA-256 of the source's bytes. */
  readonly content: string
  readonly rows: number
  readonly bytes: number
  readonly columns: readonly StoreColumn[]
}

/**
 * Read a table's source into a new version of the table and swap it in. Any failure leaves the table's
 * current version in place (the new version is dropped) and is thrown as a file error.
 */
export async function loadTable(spec: TableSpec, deps: LoadDeps): Promise<LoadResult> {
  const at: FileContext = { table: spec.name, label: spec.label }
  const raw = await openSource(spec, deps.source)
  if (raw.contentType !== undefined) {
    // A fetched body is in memory already: hashing it first makes an unchanged refresh cost no parsing.
    const content = await digestOf(raw)
    if (content === deps.currentContent) return { changed: false, content, rows: -1, bytes: raw.size ?? 0, columns: [] }
  }
  const format = spec.format === 'auto' ? formatOf(raw.contentType, at) : spec.format
  let rows = 0
  const meter = metered(raw, spec, at, deps, () => rows)
  const reader = readerFor(format, meter.source, spec)
  const pass = async (fixed: ConstructorParameters<typeof LoadSink>[4]) => {
    const sink = new LoadSink(spec, reader.kind, { ...at, lineWord: reader.lineWord }, deps.store, fixed, (n) => {
      rows = n
      deps.onProgress(n, meter.bytes, raw.size)
    })
    try {
      await reader.read(sink)
      rows = sink.rows
      return { sink, outcome: sink.finish() }
    } catch (error) {
      sink.abort()
      throw error
    }
  }
  let { sink, outcome } = await pass(undefined)
  const content = meter.digest()
  if ('secondPass' in outcome) {
    sink.abort()
    if (content === deps.currentContent) return { changed: false, content, rows, bytes: meter.bytes, columns: [] }
    ;({ sink, outcome } = await pass(outcome.secondPass))
    if (meter.digest() !== content) {
      sink.abort()
      throw fileError(
        'FILE_CHANGED',
        at,
        'changed while it was being read. It is read again on the next reload; write files atomically (to a ' +
          'temporary name, then rename) to avoid this.',
      )
    }
  }
  if (!('writer' in outcome)) throw new Error('unreachable: a second pass always ends with a writer')
  if (content === deps.currentContent) {
    sink.abort()
    return { changed: false, content, rows, bytes: meter.bytes, columns: outcome.columns }
  }
  try {
    await outcome.writer.commit(spec.indexes)
  } catch (error) {
    sink.abort()
    throw fileError('LOAD_FAILED', at, 'could not be stored in the in-memory database (see cause).', { cause: error })
  }
  deps.onProgress(rows, meter.bytes, raw.size)
  return { changed: true, content, rows, bytes: meter.bytes, columns: outcome.columns }
}

function readerFor(format: FileFormat, source: ByteSource, spec: TableSpec): TableReader {
  if (format === 'excel') return sheetReader(source, spec)
  if (format === 'csv') return csvReader(source, spec)
  return jsonReader(source, spec)
}

const CONTENT_TYPES: readonly (readonly [RegExp, FileFormat])[] = [
  [/^(text\/csv|text\/tab-separated-values|application\/csv)/i, 'csv'],
  [/^application\/(x-)?(nd|jsonl|json-seq)/i, 'ndjson'],
  [/^(application|text)\/json/i, 'json'],
  [
    /^application\/(vnd\.openxmlformats-officedocument\.spreadsheetml|vnd\.ms-excel|vnd\.oasis\.opendocument\.spr)/i,
    'excel',
  ],
]

function formatOf(contentType: string | undefined, at: FileContext): FileFormat {
  for (const [pattern, format] of CONTENT_TYPES)
    if (contentType !== undefined && pattern.test(contentType)) return format
  throw fileError(
    'FORMAT_UNKNOWN',
    at,
    'has no file extension and a Content-Type that names no known format. ' +
      "Set format: 'csv' | 'excel' | 'json' | 'ndjson'.",
  )
}

/** The source, counting bytes, hashing them, enforcing maxFileBytes and stopping when the connector closes. */
function metered(raw: ByteSource, spec: TableSpec, at: FileContext, deps: LoadDeps, rows: () => number) {
  let bytes = 0
  let hash = createHash('sha256')
  let digest = ''
  let sinceProgress = 0
  const source: ByteSource = {
    size: raw.size,
    contentType: raw.contentType,
    async *chunks() {
      bytes = 0
      hash = createHash('sha256')
      for await (const chunk of raw.chunks()) {
        if (deps.closed()) throw fileError('LOAD_FAILED', at, 'was being loaded when the connector closed.')
        bytes += chunk.byteLength
        if (bytes > spec.maxFileBytes) throw tooLarge(at, spec.maxFileBytes)
        hash.update(chunk)
        sinceProgress += chunk.byteLength
        if (sinceProgress >= 1 << 23) {
          sinceProgress = 0
          deps.onProgress(rows(), bytes, raw.size)
        }
        yield chunk
      }
      digest = hash.digest('hex')
    },
  }
  return {
    source,
    get bytes() {
      return bytes
    },
    digest: () => digest,
  }
}

async function digestOf(source: ByteSource): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of source.chunks()) hash.update(chunk)
  return hash.digest('hex')
}
