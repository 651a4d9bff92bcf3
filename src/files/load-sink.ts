import { describeName } from '../errors.js'
import {
  ALL_TYPES,
  FAIL,
  convert,
  fits,
  typeOf,
  type ColumnType,
  type RawValue,
  type SourceKind,
} from './column-types.js'
import { fileError, type FileContext } from './file-errors.js'
import type { TableSpec } from './options.js'
import type { RowSink } from './table-reader.js'
import type { StoreColumn, StoreValue, TableStore, TableWriter } from './table-store.js'

/** Rows read before the column types are chosen and inserting starts. */
export const SAMPLE_ROWS = 10_000

/** The columns and types a second pass must load (the first pass learned them over the whole source). */
export interface FixedColumns {
  readonly names: readonly string[]
  readonly types: readonly ColumnType[]
}

/**
 * Receives a reader's records and writes them to a new version of the table.
 *
 * Types are inferred over the whole source in one pass when the source is uniform, which is the common
 * case: the first SAMPLE_ROWS rows choose each column's type (the most specific one every value fits:
 * integer, number, boolean, time, else text), then every later value is converted on the way in. A value
 * that does not fit its column's type (or a new JSON key, or a value in a column that was all NULL in the
 * sample) means the sample was not representative: inserting stops, inference continues to the end, and
 * the loader reads the source a second time with the final types. Types given in `columns` are never
 * inferred: a value that does not fit one is an error naming its line and column.
 */
export class LoadSink implements RowSink {
  readonly names: string[] = []
  private readonly folded = new Map<string, number>()
  private readonly masks: number[] = []
  private readonly types: ColumnType[] = []
  /** Columns that were all NULL in the sample: typed text provisionally, inferred to the end. */
  private readonly provisional: boolean[] = []
  /** Columns whose type the host gave (`columns`). */
  private readonly declared: boolean[] = []
  private readonly sample: { values: RawValue[]; line: number }[] = []
  private readonly out: StoreValue[] = []
  private writer: TableWriter | undefined
  private mode: 'sample' | 'insert' | 'infer'
  /** Reader column → table column (second pass, where the table's columns are fixed). */
  private readonly map: number[] = []
  rows = 0
  private readonly kind: SourceKind
  private readonly tz: string | undefined

  constructor(
    private readonly spec: TableSpec,
    kind: SourceKind,
    private readonly at: FileContext,
    private readonly store: TableStore,
    private readonly fixed: FixedColumns | undefined,
    private readonly onRows: (rows: number) => void,
  ) {
    this.kind = kind
    this.tz = spec.timezone
    this.mode = fixed ? 'insert' : 'sample'
    if (fixed) {
      this.types.push(...fixed.types)
      this.writer = store.create(
        spec.name,
        fixed.names.map((name, i) => ({ name, type: fixed.types[i]! })),
      )
    }
  }

  columns(names: readonly string[], line: number): void {
    for (let i = this.names.length; i < names.length; i++) {
      const name = names[i]!
      if (name.length === 0)
        throw fileError(
          'HEADER_EMPTY_NAME',
          this.at,
          `column ${i + 1} has no name. Give every column a name in the header.`,
          { line },
        )
      if (name.includes('\0'))
        throw fileError('HEADER_EMPTY_NAME', this.at, `column ${i + 1} has a name with a NUL character. Rename it.`, {
          line,
        })
      const key = foldAscii(name)
      const twin = this.folded.get(key)
      if (twin !== undefined) {
        throw fileError(
          'HEADER_DUPLICATE',
          this.at,
          `columns ${twin + 1} and ${i + 1} are both named ${describeName(name)} (SQL compares names without ` +
            `case). Rename one.`,
          { line },
        )
      }
      this.folded.set(key, i)
      this.names.push(name)
      if (this.fixed) {
        const to = this.fixed.names.indexOf(name)
        if (to < 0) throw changed(this.at)
        this.map.push(to)
        continue
      }
      this.masks.push(ALL_TYPES)
      this.declared.push(this.spec.columns.has(name))
      this.types.push(this.spec.columns.get(name) ?? 'text')
      this.provisional.push(false)
      if (this.mode === 'insert') this.widen() // a new column after inserting began (JSON)
    }
  }

  row(values: readonly RawValue[], line: number): void {
    if (++this.rows > (this.spec.maxRows ?? Number.POSITIVE_INFINITY)) {
      throw fileError(
        'TOO_MANY_ROWS',
        this.at,
        `has more than maxRows (${this.spec.maxRows}) rows. Raise maxRows, or load the data into a database.`,
      )
    }
    if ((this.rows & 0xffff) === 0) this.onRows(this.rows)
    if (this.fixed) {
      this.insertFixed(values, line)
      return
    }
    if (this.mode === 'sample') {
      this.infer(values)
      this.sample.push({ values: values.slice(0, this.names.length), line })
      if (this.sample.length >= SAMPLE_ROWS) this.startInserting()
      return
    }
    if (this.mode === 'infer') {
      this.infer(values)
      return
    }
    const n = this.names.length
    const out = this.out
    for (let i = 0; i < n; i++) {
      const v = values[i] ?? null
      const declared = this.declared[i]!
      const stored = convert(v, this.types[i]!, this.kind, this.tz, declared)
      if (stored === FAIL) {
        if (declared) throw this.invalid(i, line)
        this.widen()
        this.infer(values)
        return
      }
      if (this.provisional[i]) this.masks[i]! &= fits(v, this.kind, this.tz)
      out[i] = stored
    }
    this.writer!.insert(out)
  }

  /**
   * The source is read: the writer holding the rows, or the columns a second pass must load with. Checks
   * that every column named in `columns` and `indexes` exists.
   */
  finish(): { writer: TableWriter; columns: readonly StoreColumn[] } | { secondPass: FixedColumns } {
    if (this.mode === 'sample') this.startInserting()
    const known = new Set(this.fixed?.names ?? this.names)
    for (const name of this.spec.columns.keys()) {
      if (!known.has(name))
        throw fileError(
          'COLUMN_UNKNOWN',
          this.at,
          `has no column ${describeName(name)}, which columns gives a type for. Check the name against the header.`,
        )
    }
    for (const index of this.spec.indexes) {
      for (const name of index)
        if (!known.has(name))
          throw fileError('COLUMN_UNKNOWN', this.at, `has no column ${describeName(name)}, which indexes names.`)
    }
    if (this.fixed)
      return {
        writer: this.writer!,
        columns: this.fixed.names.map((name, i) => ({ name, type: this.fixed!.types[i]! })),
      }
    if (this.mode === 'insert' && this.provisional.some((p, i) => p && typeOf(this.masks[i]!) !== 'text')) this.widen()
    const types = this.names.map((name, i) => this.spec.columns.get(name) ?? typeOf(this.masks[i]!))
    if (this.mode === 'infer') return { secondPass: { names: [...this.names], types } }
    return { writer: this.writer!, columns: this.names.map((name, i) => ({ name, type: types[i]! })) }
  }

  /** Drop whatever was written (a failed load, or the first pass of two). */
  abort(): void {
    this.writer?.abort()
    this.writer = undefined
  }

  private infer(values: readonly RawValue[]): void {
    const n = this.names.length
    for (let i = 0; i < n; i++) {
      const v = values[i] ?? null
      if (v !== null) this.masks[i]! &= fits(v, this.kind, this.tz)
    }
  }

  private startInserting(): void {
    const n = this.names.length
    for (let i = 0; i < n; i++) {
      const name = this.names[i]!
      const declared = this.spec.columns.get(name)
      this.provisional[i] = declared === undefined && this.masks[i] === ALL_TYPES
      this.types[i] = declared ?? typeOf(this.masks[i]!)
    }
    this.writer = this.store.create(
      this.spec.name,
      this.names.map((name, i) => ({ name, type: this.types[i]! })),
    )
    this.mode = 'insert'
    for (const { values, line } of this.sample.splice(0)) this.insertSampled(values, line)
  }

  /** A sampled row: its values fit the inferred types by construction, so only declared types can fail. */
  private insertSampled(values: readonly RawValue[], line: number): void {
    const out = this.out
    for (let i = 0; i < this.names.length; i++) {
      const stored = convert(values[i] ?? null, this.types[i]!, this.kind, this.tz, this.declared[i]!)
      if (stored === FAIL) throw this.invalid(i, line)
      out[i] = stored
    }
    this.writer!.insert(out)
  }

  private insertFixed(values: readonly RawValue[], line: number): void {
    const out = this.out
    out.length = this.fixed!.names.length
    out.fill(null)
    for (let i = 0; i < this.map.length; i++) {
      const to = this.map[i]!
      const name = this.fixed!.names[to]!
      const declared = this.spec.columns.has(name)
      const stored = convert(values[i] ?? null, this.types[to]!, this.kind, this.tz, declared)
      if (stored === FAIL) throw declared ? this.invalid(i, line) : changed(this.at)
      out[to] = stored
    }
    this.writer!.insert(out)
  }

  /** The sample was not representative: stop inserting, keep inferring, and read the source again. */
  private widen(): void {
    this.mode = 'infer'
    this.writer?.abort()
    this.writer = undefined
  }

  private invalid(column: number, line: number): Error {
    const name = this.names[column]!
    const type = this.spec.columns.get(name) ?? this.types[column]!
    return fileError(
      'VALUE_INVALID',
      this.at,
      `holds a value that is not ${type === 'integer' ? 'an integer (within ±2^53)' : `a ${type}`}, the type ` +
        `columns gives this column. Fix the value, or declare the column 'text'.`,
      { line, column: name },
    )
  }
}

function changed(at: FileContext): Error {
  return fileError(
    'FILE_CHANGED',
    at,
    'changed while it was being read. It is read again on the next reload; write files atomically (to a temporary ' +
      'name, then rename) to avoid this.',
  )
}

/** SQLite folds ASCII letters only when it compares names. */
export function foldAscii(name: string): string {
  return name.replace(/[A-Z]+/g, (s) => s.toLowerCase())
}
