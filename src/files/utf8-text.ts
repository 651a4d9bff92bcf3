import { fileError, type FileContext } from './file-errors.js'
import type { ByteSource } from './sources.js'

/**
 * The text of a source, chunk by chunk, as strict UTF-8: a byte-order mark is dropped, and any invalid
 * byte fails the load with ENCODING_INVALID naming its line (found by reading the source again, so the
 * common path counts nothing).
 */
export async function* utf8Chunks(source: ByteSource, at: FileContext): AsyncIterable<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let first = true
  for await (const chunk of source.chunks()) {
    if (first && chunk.byteLength > 0) {
      first = false
      if ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)) {
        throw fileError(
          'ENCODING_INVALID',
          at,
          'is UTF-16 (it starts with a UTF-16 byte-order mark). Save it as UTF-8.',
          { line: 1 },
        )
      }
    }
    let text: string
    try {
      text = decoder.decode(chunk, { stream: true })
    } catch (error) {
      throw await encodingError(source, at, error)
    }
    if (text.length > 0) yield text
  }
  let rest: string
  try {
    rest = decoder.decode()
  } catch (error) {
    throw await encodingError(source, at, error)
  }
  if (rest.length > 0) yield rest
}

async function encodingError(source: ByteSource, at: FileContext, cause: unknown): Promise<Error> {
  const line = await invalidUtf8Line(source)
  return fileError('ENCODING_INVALID', at, 'is not valid UTF-8. Save it as UTF-8 (in Excel: CSV UTF-8).', {
    ...(line === undefined ? {} : { line }),
    cause,
  })
}

/** The line of the first byte that is not valid UTF-8 (undefined if none is found on a second read). */
export async function invalidUtf8Line(source: ByteSource): Promise<number | undefined> {
  let line = 1
  let need = 0 // continuation bytes still expected
  let min = 0x80 // lowest valid second byte for the current lead (overlongs, surrogates)
  let max = 0xbf
  for await (const chunk of source.chunks()) {
    for (let i = 0; i < chunk.byteLength; i++) {
      const b = chunk[i]!
      if (need > 0) {
        if (b < min || b > max) return line
        min = 0x80
        max = 0xbf
        need--
        continue
      }
      if (b === 0x0a) line++
      if (b < 0x80) continue
      if (b >= 0xc2 && b <= 0xdf) need = 1
      else if (b >= 0xe0 && b <= 0xef) {
        need = 2
        if (b === 0xe0) min = 0xa0
        if (b === 0xed) max = 0x9f
      } else if (b >= 0xf0 && b <= 0xf4) {
        need = 3
        if (b === 0xf0) min = 0x90
        if (b === 0xf4) max = 0x8f
      } else return line
    }
  }
  return need > 0 ? line : undefined
}
