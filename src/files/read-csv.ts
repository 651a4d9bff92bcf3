import { CsvParser, CsvSyntaxError, sniffDelimiter, type CsvField } from './csv-parser.js'
import { fileError, type FileContext } from './file-errors.js'
import type { TableSpec } from './options.js'
import type { ByteSource } from './sources.js'
import type { TableReader } from './table-reader.js'
import { utf8Chunks } from './utf8-text.js'

/** Text read before the delimiter is guessed. */
const SNIFF_CHARS = 1 << 16

/**
 * CSV: the first record is the header; every other record must have as many fields. An empty line is
 * skipped when the table has more than one column (in a one-column file it is a NULL value).
 */
export function csvReader(source: ByteSource, spec: TableSpec): TableReader {
  const at: FileContext = { table: spec.name, label: spec.label }
  return {
    kind: 'csv',
    lineWord: 'line',
    async read(sink) {
      let width = -1
      const onRecord = (fields: readonly CsvField[], line: number, blank: boolean): void => {
        if (width < 0) {
          if (blank)
            throw fileError(
              'HEADER_MISSING',
              at,
              'the first line is empty; it must be the header (the column names).',
              { line },
            )
          width = fields.length
          sink.columns(
            fields.map((f) => f ?? ''),
            line,
          )
          return
        }
        if (blank && width > 1) return
        if (fields.length !== width) {
          throw fileError(
            'FIELD_COUNT',
            at,
            `has ${fields.length} field${fields.length === 1 ? '' : 's'} where the header has ${width}. Quote ` +
              `fields that contain the delimiter or a line break, or fix the row.`,
            { line },
          )
        }
        sink.row(fields, line)
      }
      let parser: CsvParser | undefined
      let head = ''
      const start = (complete: boolean): CsvParser => {
        const delimiter = spec.delimiter ?? sniffDelimiter(head, spec.quote, complete)
        return new CsvParser(
          { delimiter, quote: spec.quote, nullValues: spec.nullValues, quotedNulls: spec.quotedNulls },
          onRecord,
        )
      }
      try {
        for await (const text of utf8Chunks(source, at)) {
          if (parser) {
            parser.push(text)
            continue
          }
          head += text
          if (head.length >= SNIFF_CHARS) {
            parser = start(false)
            parser.push(head)
            head = ''
          }
        }
        if (!parser) {
          if (head.length === 0)
            throw fileError('FILE_EMPTY', at, 'is empty. It needs a header line (the column names).')
          parser = start(true)
          parser.push(head)
        }
        parser.end()
      } catch (error) {
        if (error instanceof CsvSyntaxError) {
          const what =
            error.reason === 'unterminated-quote'
              ? 'has a quoted field that is never closed. Close the quote, or double quotes inside quoted fields ("").'
              : 'has text after the closing quote of a field. Double quotes inside quoted fields (""), or quote ' +
                'the whole field.'
          throw fileError('CSV_MALFORMED', at, what, { line: error.line })
        }
        throw error
      }
      if (width < 0) throw fileError('HEADER_MISSING', at, 'has no header line (the column names).')
    },
  }
}
