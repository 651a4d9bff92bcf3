import { createInflateRaw } from 'node:zlib'

/**
 * Refuse a zip (an .xlsx, .xlsm or .ods workbook) that expands to more than `limit` bytes, before SheetJS
 * expands it. SheetJS allocates each entry at the size its headers declare, and grows without bound an
 * entry whose local header declares 0 (a streamed zip), so both are checked: every size declared in the
 * central directory and local headers (ZIP64 fields included), and the real size of every entry,
 * inflated with node:zlib as a stream that stops as soon as the running total passes the limit.
 *
 * Returns undefined when the zip is within the limit, or the reason it is refused.
 */
export async function checkZipExpansion(zip: Buffer, limit: number): Promise<'too-large' | 'invalid' | undefined> {
  const entries = centralDirectory(zip)
  if (entries === undefined) return 'invalid'
  let total = 0
  for (const e of entries) {
    if (e.declared.some((size) => size > limit)) return 'too-large'
    const end = e.dataStart + e.compressedSize
    if (end > zip.length) return 'invalid'
    const data = zip.subarray(e.dataStart, end)
    if (e.method === 0) total += data.length
    else if (e.method === 8) {
      const size = await inflatedSize(data, limit - total)
      if (size === undefined) return 'too-large'
      total += size
    } else return 'invalid'
    if (total > limit) return 'too-large'
  }
  return undefined
}

interface ZipEntry {
  readonly method: number
  readonly compressedSize: number
  readonly dataStart: number
  /** Every uncompressed size the headers declare (central, local, ZIP64). */
  readonly declared: readonly number[]
}

const EOCD = 0x06054b50
const EOCD64 = 0x06064b50
const EOCD64_LOCATOR = 0x07064b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50
const MAX32 = 0xffffffff

function u64(buf: Buffer, at: number): number {
  return buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * 2 ** 32
}

function centralDirectory(zip: Buffer): ZipEntry[] | undefined {
  try {
    let eocd = -1
    for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
      if (zip.readUInt32LE(i) === EOCD) {
        eocd = i
        break
      }
    }
    if (eocd < 0) return undefined
    let count = zip.readUInt16LE(eocd + 10)
    let offset = zip.readUInt32LE(eocd + 16)
    if ((count === 0xffff || offset === MAX32) && eocd >= 20 && zip.readUInt32LE(eocd - 20) === EOCD64_LOCATOR) {
      const at = u64(zip, eocd - 12)
      if (zip.readUInt32LE(at) !== EOCD64) return undefined
      count = u64(zip, at + 32)
      offset = u64(zip, at + 48)
    }
    const entries: ZipEntry[] = []
    let p = offset
    for (let n = 0; n < count; n++) {
      if (zip.readUInt32LE(p) !== CENTRAL) return undefined
      const method = zip.readUInt16LE(p + 10)
      let compressed = zip.readUInt32LE(p + 20)
      let size = zip.readUInt32LE(p + 24)
      const nameLength = zip.readUInt16LE(p + 28)
      const extraLength = zip.readUInt16LE(p + 30)
      const commentLength = zip.readUInt16LE(p + 32)
      let local = zip.readUInt32LE(p + 42)
      const z64 = zip64Extra(zip.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength), [
        size === MAX32,
        compressed === MAX32,
        local === MAX32,
      ])
      size = z64[0] ?? size
      compressed = z64[1] ?? compressed
      local = z64[2] ?? local
      p += 46 + nameLength + extraLength + commentLength
      if (zip.readUInt32LE(local) !== LOCAL) return undefined
      const localSize = zip.readUInt32LE(local + 22)
      const localName = zip.readUInt16LE(local + 26)
      const localExtra = zip.readUInt16LE(local + 28)
      // SheetJS reads a local ZIP64 field whenever one is present, so read both of its sizes.
      const l64 = zip64Extra(zip.subarray(local + 30 + localName, local + 30 + localName + localExtra), [true, true])
      const declared = [size, localSize, ...l64.filter((v): v is number => v !== undefined)]
      entries.push({ method, compressedSize: compressed, dataStart: local + 30 + localName + localExtra, declared })
    }
    return entries
  } catch {
    return undefined // a read past the end: not a well-formed zip
  }
}

/** The 64-bit values of a ZIP64 extra field (id 1), in order, for the fields flagged as present. */
function zip64Extra(extra: Buffer, present: readonly boolean[]): (number | undefined)[] {
  const out: (number | undefined)[] = present.map(() => undefined)
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(p)
    const length = extra.readUInt16LE(p + 2)
    if (id === 1) {
      let q = p + 4
      present.forEach((isPresent, i) => {
        if (isPresent && q + 8 <= p + 4 + length) {
          out[i] = u64(extra, q)
          q += 8
        }
      })
    }
    p += 4 + length
  }
  return out
}

/** Bytes `data` inflates to, or undefined as soon as that passes `budget`. */
function inflatedSize(data: Buffer, budget: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const inflate = createInflateRaw()
    let size = 0
    let settled = false
    const settle = (v: number | undefined): void => {
      if (settled) return
      settled = true
      inflate.destroy()
      resolve(v)
    }
    inflate.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > budget) settle(undefined)
    })
    inflate.on('end', () => settle(size))
    // A corrupt stream: SheetJS reports it on reading; counting what inflated so far keeps the limit.
    inflate.on('error', () => settle(size))
    inflate.end(data)
  })
}
