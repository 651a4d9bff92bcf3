import type { RawValue, SourceKind } from './column-types.js'

/**
 * What a reader (CSV, JSON, spreadsheet) hands the loader, record by record, in the order of the source.
 * Readers throw file errors (file-errors.ts) for problems in the source; the loader checks names and
 * types.
 */
export interface RowSink {
  /**
   * The column names so far: once from a header (CSV, spreadsheet), or again with new names appended as
   * they first appear (JSON). `line` is where they were found.
   */
  columns(names: readonly string[], line: number): void
  /** One record; `values[i]` belongs to column i (missing trailing values are null). The array may be reused. */
  row(values: readonly RawValue[], line: number): void
}

export interface TableReader {
  readonly kind: SourceKind
  /** How messages name a position: `line` in text files, `row` in spreadsheets. */
  readonly lineWord: 'line' | 'row'
  /** Read the whole source into the sink. Called again for a second pass over the same source. */
  read(sink: RowSink): Promise<void>
}
