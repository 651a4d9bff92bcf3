/**
 * A streaming CSV tokenizer (RFC 4180) that tells quoted fields from unquoted ones, which the NULL
 * convention needs: an unquoted empty field is NULL, a quoted `""` is an empty string (PostgreSQL's CSV
 * format). papaparse gives both as `''`; csv-parse can tell them apart only through a per-field `cast`
 * hook that made it 55 times slower than papaparse on the 1M-row bench file (docs/files.md).
 *
 * - A quote opens a quoted field only at the start of a field; inside an unquoted field it is text.
 *   Inside a quoted field a doubled quote is one quote; after the closing quote only the delimiter, a
 *   line break or the end may follow.
 * - Records end at `\n`, `\r\n` or `\r` outside quotes; line breaks inside quotes are kept as they are.
 * - Text is pushed in chunks; a record cut by a chunk boundary is read again when the rest arrives.
 */

export interface CsvDialect {
  /** One character, not the quote, not a line break. */
  readonly delimiter: string
  /** One character. */
  readonly quote: string
  /** Unquoted field texts that mean NULL (default: the empty field). */
  readonly nullValues: ReadonlySet<string>
  /** Whether `nullValues` also match quoted fields. */
  readonly quotedNulls: boolean
}

export type CsvField = string | null

export interface CsvRecordHandler {
  /**
   * One record: `fields` is reused for the next record (copy what you keep); `line` is the 1-based line
   * where the record starts; `blank` marks a line with no characters at all.
   */
  (fields: readonly CsvField[], line: number, blank: boolean): void
}

/** A problem in the CSV text itself, with the line of the record it is in. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly reason: 'unterminated-quote' | 'text-after-quote',
    readonly line: number,
  ) {
    super(reason)
  }
}

const LF = 10
const CR = 13

export class CsvParser {
  private buf = ''
  private line = 1
  private readonly fields: CsvField[] = []
  private readonly d: number
  private readonly q: number
  private readonly quoteChar: string
  private readonly nullEmpty: boolean
  private readonly nullOthers: boolean

  constructor(
    private readonly dialect: CsvDialect,
    private readonly onRecord: CsvRecordHandler,
  ) {
    this.d = dialect.delimiter.charCodeAt(0)
    this.q = dialect.quote.charCodeAt(0)
    this.quoteChar = dialect.quote
    this.nullEmpty = dialect.nullValues.has('')
    this.nullOthers = dialect.nullValues.size > (this.nullEmpty ? 1 : 0)
  }

  /** Parse every complete record in the text so far. */
  push(text: string): void {
    this.buf = this.buf.length === 0 ? text : this.buf + text
    this.consume(false)
  }

  /** The input is complete: parse what is left (a last record without a line break). */
  end(): void {
    this.consume(true)
    this.buf = ''
  }

  private consume(final: boolean): void {
    const buf = this.buf
    const len = buf.length
    let p = 0
    while (p < len) {
      const next = this.record(buf, p, final)
      if (next < 0) break
      p = next
    }
    this.buf = p === 0 ? buf : buf.slice(p)
  }

  /** Read one record starting at `start`; returns where the next starts, or -1 if it is not complete yet. */
  private record(buf: string, start: number, final: boolean): number {
    const len = buf.length
    const fields = this.fields
    fields.length = 0
    const { d, q } = this
    let p = start
    let lines = 0
    for (;;) {
      if (p < len && buf.charCodeAt(p) === q) {
        // Quoted field: find the closing quote, joining doubled quotes.
        let value = ''
        let from = p + 1
        let close: number
        for (;;) {
          close = buf.indexOf(this.quoteChar, from)
          if (close < 0 || (close + 1 === len && !final)) {
            if (!final) return -1
            throw new CsvSyntaxError('unterminated-quote', this.line)
          }
          if (close + 1 < len && buf.charCodeAt(close + 1) === q) {
            value += buf.slice(from, close + 1)
            from = close + 2
            continue
          }
          break
        }
        value += buf.slice(from, close)
        lines += countLines(buf, p + 1, close)
        p = close + 1
        fields.push(this.dialect.quotedNulls && this.isNull(value) ? null : value)
        if (p >= len) {
          if (!final) return -1
          return this.emit(len, lines, false)
        }
        const c = buf.charCodeAt(p)
        if (c === d) {
          p++
          if (p >= len && !final) return -1
          if (p >= len) {
            fields.push(this.nullEmpty ? null : '')
            return this.emit(len, lines, false)
          }
          continue
        }
        if (c === LF || c === CR) return this.lineBreak(buf, p, final, lines, false)
        throw new CsvSyntaxError('text-after-quote', this.line + lines)
      }
      // Unquoted field: up to the delimiter or a line break.
      let j = p
      let c = 0
      for (; j < len; j++) {
        c = buf.charCodeAt(j)
        if (c === d || c === LF || c === CR) break
      }
      if (j >= len) {
        if (!final) return -1
        if (j === start && fields.length === 0) return len // nothing after the last line break
        fields.push(this.unquoted(buf, p, j))
        return this.emit(len, lines, false)
      }
      fields.push(this.unquoted(buf, p, j))
      if (c === d) {
        p = j + 1
        if (p >= len) {
          if (!final) return -1
          fields.push(this.nullEmpty ? null : '')
          return this.emit(len, lines, false)
        }
        continue
      }
      return this.lineBreak(buf, j, final, lines, j === start)
    }
  }

  private unquoted(buf: string, from: number, to: number): CsvField {
    if (from === to) return this.nullEmpty ? null : ''
    const text = buf.slice(from, to)
    return this.nullOthers && this.dialect.nullValues.has(text) ? null : text
  }

  private isNull(text: string): boolean {
    return this.dialect.nullValues.has(text)
  }

  /**
   * The record ends at the line break at `at`; returns the start of the next record, or -1 (a `\r` at the end may be
   * `\r\n`).
   */
  private lineBreak(buf: string, at: number, final: boolean, lines: number, blank: boolean): number {
    let next = at + 1
    if (buf.charCodeAt(at) === CR) {
      if (next >= buf.length && !final) return -1
      if (next < buf.length && buf.charCodeAt(next) === LF) next++
    }
    this.emit(next, lines, blank)
    this.line++
    return next
  }

  private emit(next: number, lines: number, blank: boolean): number {
    this.onRecord(this.fields, this.line, blank)
    this.line += lines
    return next
  }
}

/** Line breaks between `from` and `to` (`\r\n` counts once). */
function countLines(buf: string, from: number, to: number): number {
  let n = 0
  for (let i = from; i < to; i++) {
    const c = buf.charCodeAt(i)
    if (c === LF) n++
    else if (c === CR && (i + 1 >= to || buf.charCodeAt(i + 1) !== LF)) n++
  }
  return n
}

const CANDIDATES = [',', '\t', ';', '|'] as const

/**
 * Guess the delimiter from the start of a file: the candidate (`,` tab `;` `|`) that splits the first
 * records into the same number of fields, more than one; the most fields wins, then the order above.
 * `,` when none does (a one-column file).
 */
export function sniffDelimiter(sample: string, quote: string, complete: boolean): string {
  let best: { delimiter: string; fields: number } | undefined
  for (const delimiter of CANDIDATES) {
    const counts: number[] = []
    const parser = new CsvParser(
      { delimiter, quote, nullValues: new Set(['']), quotedNulls: false },
      (fields, _line, blank) => {
        if (!blank && counts.length < 50) counts.push(fields.length)
      },
    )
    try {
      parser.push(sample)
      if (complete) parser.end()
    } catch {
      continue
    }
    const first = counts[0]
    if (first === undefined || first < 2 || !counts.every((n) => n === first)) continue
    if (!best || first > best.fields) best = { delimiter, fields: first }
  }
  return best?.delimiter ?? ','
}
