import { HttpError, jsonErrorHint, userError } from './responses.js'

function tooLarge(limit: number): HttpError {
  return new HttpError(
    413,
    {
      error: `The request body is larger than the limit of ${limit} bytes. Send a smaller query, or raise bodyLimitBytes.`,
    },
    'BODY_TOO_LARGE',
  )
}

/**
 * Read a request body as UTF-8 text, never holding more than `limit` bytes: a declared
 * `Content-Length` above the limit is refused before reading, and reading stops (the stream is
 * cancelled) as soon as the limit is passed.
 */
export async function readBodyText(request: Request, limit: number): Promise<string> {
  const declared = request.headers.get('content-length')
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > limit) {
    await request.body?.cancel().catch(() => {})
    throw tooLarge(limit)
  }
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => {})
      throw tooLarge(limit)
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
  } catch {
    throw userError('The request body is not valid UTF-8 text.', 'INVALID_BODY')
  }
}

/** Read a JSON object body. An empty body is `{}`; anything but a JSON object is a 400. */
export async function readJsonObject(request: Request, limit: number): Promise<Record<string, unknown>> {
  const text = await readBodyText(request, limit)
  if (text.trim() === '') return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw userError(
      `The request body is not valid JSON${jsonErrorHint(error)}. Send a JSON object such as {"query": {"measures": ["orders.count"]}}.`,
      'INVALID_JSON',
    )
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw userError(
      'The request body must be a JSON object such as {"query": {"measures": ["orders.count"]}}.',
      'INVALID_JSON',
    )
  }
  return value as Record<string, unknown>
}
