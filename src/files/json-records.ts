/**
 * JSON sources without holding the whole document: a top-level array is cut into its elements as the
 * text streams in, and each element (or NDJSON line) is parsed on its own. Integers beyond 2^53 are
 * turned into strings before JSON.parse would round them, so their digits stay exact (they load as text).
 */

/** A problem in the JSON text, with the line where the element or line starts. */
export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: 'syntax' | 'not-object' | 'not-array-or-lines',
    readonly line: number,
  ) {
    super(reason)
  }
}

export type JsonRecordHandler = (record: Record<string, unknown>, line: number) => void

/** Splits a JSON array (`[ {...}, {...} ]`) or NDJSON text into objects, chunk by chunk. */
export class JsonRecords {
  private buf = ''
  private mode: 'start' | 'array' | 'lines' | 'done' = 'start'
  /** Line of `buf[0]`. */
  private line = 1
  // Array state, kept across chunks: where scanning resumes in buf, nesting depth (1 = inside the top
  // array), inside a string, after a backslash, start of the element being read, a comma awaits an element.
  private pos = 0
  private depth = 0
  private inString = false
  private escaped = false
  private elementStart = -1
  private elementLine = 1
  private afterComma = false
  /** Line of `buf[pos]`. */
  private scanLine = 1

  constructor(private readonly onRecord: JsonRecordHandler) {}

  push(text: string): void {
    this.buf += text
    this.consume(false)
  }

  end(): void {
    this.consume(true)
    if (this.mode === 'array') throw new JsonSyntaxError('syntax', this.line)
    if (this.mode === 'start') throw new JsonSyntaxError('not-array-or-lines', this.line)
  }

  private consume(final: boolean): void {
    if (this.mode === 'start') {
      const i = firstNonSpace(this.buf, 0)
      if (i < 0) return
      this.line += countLf(this.buf, 0, i)
      this.buf = this.buf.slice(i)
      const c = this.buf.charCodeAt(0)
      if (c === 91) {
        this.mode = 'array'
        this.pos = 1
        this.depth = 1
        this.scanLine = this.line
      } else if (c === 123) this.mode = 'lines'
      else throw new JsonSyntaxError('not-array-or-lines', this.line)
    }
    if (this.mode === 'lines') this.lines(final)
    else if (this.mode === 'array') this.array()
    if (this.mode === 'done' && firstNonSpace(this.buf, 0) >= 0) throw new JsonSyntaxError('syntax', this.line)
  }

  private lines(final: boolean): void {
    const buf = this.buf
    let start = 0
    for (;;) {
      const nl = buf.indexOf('\n', start)
      if (nl < 0) break
      this.line += this.lineRecord(buf.slice(start, nl))
      start = nl + 1
    }
    this.buf = buf.slice(start)
    if (final) {
      this.lineRecord(this.buf)
      this.buf = ''
      this.mode = 'done'
    }
  }

  /** One NDJSON line (blank lines are skipped); returns 1, the line it used. */
  private lineRecord(text: string): number {
    if (firstNonSpace(text, 0) >= 0) this.record(text, this.line)
    return 1
  }

  private array(): void {
    const buf = this.buf
    const len = buf.length
    let i = this.pos
    for (; i < len; i++) {
      const c = buf.charCodeAt(i)
      if (this.inString) {
        if (this.escaped) this.escaped = false
        else if (c === 92) this.escaped = true
        else if (c === 34) this.inString = false
        continue
      }
      // JSON strings cannot hold a raw line break: every one is outside strings and counted here.
      if (c === 10) this.scanLine++
      if (c === 32 || c === 9 || c === 10 || c === 13) continue
      if (this.depth === 1) {
        if (c === 44) {
          if (this.elementStart < 0) throw new JsonSyntaxError('syntax', this.scanLine)
          this.finish(buf, i)
          this.afterComma = true
          continue
        }
        if (c === 93) {
          if (this.elementStart >= 0) this.finish(buf, i)
          else if (this.afterComma) throw new JsonSyntaxError('syntax', this.scanLine)
          this.line = this.scanLine
          this.buf = buf.slice(i + 1)
          this.pos = 0
          this.mode = 'done'
          return
        }
        if (this.elementStart < 0) {
          this.elementStart = i
          this.elementLine = this.scanLine
        }
      }
      if (c === 34) this.inString = true
      else if (c === 123 || c === 91) this.depth++
      else if (c === 125 || c === 93) {
        this.depth--
        if (this.depth < 1) throw new JsonSyntaxError('syntax', this.scanLine)
      }
    }
    // Keep only the element in progress.
    const keep = this.elementStart >= 0 ? this.elementStart : len
    this.buf = buf.slice(keep)
    this.pos = len - keep
    this.line = this.scanLine
    if (this.elementStart >= 0) this.elementStart = 0
  }

  private finish(buf: string, end: number): void {
    this.record(buf.slice(this.elementStart, end), this.elementLine)
    this.elementStart = -1
    this.afterComma = false
  }

  private record(text: string, line: number): void {
    let value: unknown
    try {
      value = JSON.parse(/\d{16}/.test(text) ? quoteBigIntegers(text) : text)
    } catch {
      throw new JsonSyntaxError('syntax', line)
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new JsonSyntaxError('not-object', line)
    this.onRecord(value as Record<string, unknown>, line)
  }
}

function firstNonSpace(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 0xfeff) return i
  }
  return -1
}

function countLf(s: string, from: number, to: number): number {
  let n = 0
  for (let i = s.indexOf('\n', from); i >= 0 && i < to; i = s.indexOf('\n', i + 1)) n++
  return n
}

/** Put quotes around integer literals (outside strings) that a double cannot hold exactly. */
export function quoteBigIntegers(text: string): string {
  let out = ''
  let last = 0
  let inString = false
  let escaped = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (escaped) escaped = false
      else if (c === 92) escaped = true
      else if (c === 34) inString = false
      continue
    }
    if (c === 34) {
      inString = true
      continue
    }
    if (c === 45 || (c >= 48 && c <= 57)) {
      let j = i + 1
      while (j < text.length) {
        const d = text.charCodeAt(j)
        if ((d >= 48 && d <= 57) || d === 46 || d === 101 || d === 69 || d === 43 || d === 45) j++
        else break
      }
      const token = text.slice(i, j)
      if (/^-?\d+$/.test(token) && !Number.isSafeInteger(Number(token))) {
        out += `${text.slice(last, i)}"${token}"`
        last = j
      }
      i = j - 1
    }
  }
  return last === 0 ? text : out + text.slice(last)
}
