import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { isSemanticLayerError } from '../errors.js'
import { fileError, type FileContext } from './file-errors.js'
import type { FetchLike, TableSpec } from './options.js'

/** The bytes of a table's source. `chunks()` can be called again: a second pass reads the same source. */
export interface ByteSource {
  /** Size in bytes when known before reading (a local file, an HTTP body). */
  readonly size: number | undefined
  /** The Content-Type of an HTTP response. */
  readonly contentType: string | undefined
  chunks(): AsyncIterable<Uint8Array>
}

export interface SourceDeps {
  readonly fetch: FetchLike
  readonly fetchTimeoutMs: number
}

const CHUNK_BYTES = 1 << 16

/**
 * Open a table's source. A local file is checked (exists, is a file, not over the limit) and streamed
 * from disk on each pass. A URL is fetched once and its body kept in memory for the passes of this load,
 * so a second pass reads the same bytes (up to `maxFileBytes`).
 */
export async function openSource(spec: TableSpec, deps: SourceDeps): Promise<ByteSource> {
  const at: FileContext = { table: spec.name, label: spec.label }
  if (spec.origin.kind === 'path') {
    const path = spec.origin.path
    let size: number
    try {
      const info = await stat(path)
      if (!info.isFile()) throw fileError('FILE_UNREADABLE', at, 'is not a file. Point path at a file.')
      size = info.size
    } catch (error) {
      throw readError(error, at)
    }
    if (size > spec.maxFileBytes) throw tooLarge(at, spec.maxFileBytes)
    return {
      size,
      contentType: undefined,
      async *chunks() {
        const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES })
        try {
          for await (const chunk of stream) yield chunk as Uint8Array
        } catch (error) {
          throw readError(error, at)
        } finally {
          stream.destroy()
        }
      },
    }
  }
  const { url, headers } = spec.origin
  let response: Awaited<ReturnType<FetchLike>>
  const signal = AbortSignal.timeout(deps.fetchTimeoutMs)
  try {
    response = await deps.fetch(url, { headers: { ...headers }, signal })
  } catch (error) {
    throw fileError(
      'FETCH_FAILED',
      at,
      `could not be fetched (${describeFetchError(error)}). Check the URL and that this host can reach it.`,
      { cause: error },
    )
  }
  if (!response.ok) {
    const hint =
      response.status === 401 || response.status === 403
        ? ' Pass credentials in headers (e.g. authorization), or share the file with the account whose token you send.'
        : response.status === 404
          ? ' Check the URL (for a Google Sheet: the id and the gid or sheet name).'
          : ''
    throw fileError('HTTP_STATUS', at, `answered HTTP ${response.status}.${hint}`)
  }
  const contentType = response.headers.get('content-type') ?? undefined
  if (contentType?.toLowerCase().startsWith('text/html') && spec.format !== 'excel') {
    throw fileError(
      'FETCH_FAILED',
      at,
      'answered with an HTML page, not data (a sign-in page?). Share the file or pass credentials in headers.',
    )
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN)
  if (declared > spec.maxFileBytes) throw tooLarge(at, spec.maxFileBytes)
  const parts: Uint8Array[] = []
  let total = 0
  try {
    for await (const chunk of bodyChunks(response.body)) {
      total += chunk.byteLength
      if (total > spec.maxFileBytes) throw tooLarge(at, spec.maxFileBytes)
      parts.push(chunk)
    }
  } catch (error) {
    if (isSemanticLayerError(error)) throw error
    throw fileError('FETCH_FAILED', at, `failed while downloading (${describeFetchError(error)}).`, { cause: error })
  }
  return {
    size: total,
    contentType,
    async *chunks() {
      for (const part of parts) {
        for (let i = 0; i < part.byteLength; i += CHUNK_BYTES)
          yield part.subarray(i, Math.min(part.byteLength, i + CHUNK_BYTES))
      }
    },
  }
}

async function* bodyChunks(
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | null,
): AsyncIterable<Uint8Array> {
  if (body === null) return
  if (Symbol.asyncIterator in body) {
    yield* body as AsyncIterable<Uint8Array>
    return
  }
  const reader = (body as ReadableStream<Uint8Array>).getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      yield value
    }
  } finally {
    reader.releaseLock()
  }
}

export function tooLarge(at: FileContext, limit: number): ReturnType<typeof fileError> {
  return fileError(
    'FILE_TOO_LARGE',
    at,
    `is larger than maxFileBytes (${limit} bytes). Raise maxFileBytes for this table, or load the data into a ` +
      `database.`,
  )
}

function readError(error: unknown, at: FileContext): unknown {
  if (isSemanticLayerError(error)) return error
  const code = (error as { code?: unknown }).code
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return fileError(
      'FILE_NOT_FOUND',
      at,
      'does not exist. Check the path (relative paths resolve against baseDir, default the working directory).',
      { cause: error },
    )
  if (code === 'EACCES' || code === 'EPERM')
    return fileError('FILE_UNREADABLE', at, 'cannot be read: permission denied.', { cause: error })
  if (code === 'EISDIR')
    return fileError('FILE_UNREADABLE', at, 'is a folder, not a file. Point path at a file.', { cause: error })
  return fileError('FILE_UNREADABLE', at, `cannot be read (${typeof code === 'string' ? code : 'read error'}).`, {
    cause: error,
  })
}

/** A fetch failure's kind (timeout, refused, DNS), never its URL. */
function describeFetchError(error: unknown): string {
  const e = error as { name?: unknown; cause?: { code?: unknown } }
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timed out'
  if (typeof e.cause?.code === 'string') return e.cause.code
  return typeof e.name === 'string' ? e.name : 'network error'
}
