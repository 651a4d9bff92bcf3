import { requireDriver } from '../connectors/load-driver.js'
import { describeName } from '../errors.js'
import { SheetTime, serialToWallMs, type RawValue } from './column-types.js'
import { fileError, type FileContext } from './file-errors.js'
import { formatTimeText } from './parse-time.js'
import type { TableSpec } from './options.js'
import { tooLarge, type ByteSource } from './sources.js'
import type { TableReader } from './table-reader.js'
import { checkZipExpansion } from './zip-limits.js'

// SheetJS is typed structurally (the few members used here), so the package's types are not needed to
// build against cortex-semantic/files.
interface SheetJs {
  read(data: Buffer, options: Record<string, unknown>): Workbook
  utils: { decode_range(ref: string): { s: { r: number; c: number }; e: { r: number; c: number } } }
  SSF: { is_date(format: string): boolean }
}
interface Workbook {
  readonly SheetNames: readonly string[]
  readonly Sheets: Readonly<Record<string, Sheet | undefined>>
  readonly Workbook?: { readonly WBProps?: { readonly date1904?: boolean } }
}
interface Sheet {
  readonly '!ref'?: string
  readonly '!fullref'?: string
  readonly '!data'?: readonly (readonly (Cell | null | undefined)[] | undefined)[]
}
interface Cell {
  readonly t: string
  readonly v?: unknown
  readonly z?: unknown
}

interface ParsedSheet {
  readonly header: readonly string[]
  /** Sheet column of each table column. */
  readonly columns: readonly number[]
  readonly headerRow: number
  readonly lastRow: number
  readonly data: NonNullable<Sheet['!data']>
  readonly date1904: boolean
  readonly isDate: (format: unknown) => boolean
}

/**
 * Excel and other spreadsheets through SheetJS (`@e965/xlsx`). One sheet is one table; its first row is
 * the header. Blank cells are NULL, cells holding an empty string are empty strings, numbers are
 * numbers, formulas give their cached values, error cells are NULL. Date cells (numbers with a date
 * format) are read from their serial number, to the millisecond, as wall-clock times. Rows with no value
 * at all are skipped; a column with neither a header nor values is left out.
 */
export function sheetReader(source: ByteSource, spec: TableSpec): TableReader {
  const at: FileContext = { table: spec.name, label: spec.label, lineWord: 'row' }
  let parsed: ParsedSheet | undefined
  return {
    kind: 'sheet',
    lineWord: 'row',
    async read(sink) {
      parsed ??= await parseSheet(source, spec, at)
      const { header, columns, data, date1904, isDate } = parsed
      sink.columns(header, parsed.headerRow + 1)
      const values: RawValue[] = new Array<RawValue>(columns.length).fill(null)
      for (let r = parsed.headerRow + 1; r <= parsed.lastRow; r++) {
        const row = data[r]
        if (!row) continue
        let any = false
        for (let i = 0; i < columns.length; i++) {
          const v = cellValue(row[columns[i]!], date1904, isDate)
          values[i] = v
          if (v !== null) any = true
        }
        if (any) sink.row(values, r + 1)
      }
    },
  }
}

async function parseSheet(source: ByteSource, spec: TableSpec, at: FileContext): Promise<ParsedSheet> {
  const parts: Uint8Array[] = []
  for await (const chunk of source.chunks()) parts.push(chunk)
  const bytes = Buffer.concat(parts)
  if (bytes.length === 0) throw fileError('FILE_EMPTY', at, 'is empty.')
  const isZip = bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50
  // Anything else SheetJS would read as text (CSV, HTML): a file named .xlsx holding text is a mistake.
  if (!isZip && !(bytes.length >= 8 && bytes.readUInt32BE(0) === 0xd0cf11e0 && bytes.readUInt32BE(4) === 0xa1b11ae1)) {
    throw fileError(
      'SHEET_INVALID',
      at,
      "is not a spreadsheet (an .xlsx, .xlsm, .ods or .xls file). For CSV text, use a .csv name or format: 'csv'.",
    )
  }
  if (isZip) {
    const refused = await checkZipExpansion(bytes, spec.maxFileBytes)
    if (refused === 'too-large') throw tooLarge({ ...at, label: `${at.label} (uncompressed)` }, spec.maxFileBytes)
    if (refused === 'invalid')
      throw fileError(
        'SHEET_INVALID',
        at,
        'is not a readable workbook (a damaged zip?). Save it again from the spreadsheet program.',
      )
  }
  const XLSX = loadSheetJs()
  let workbook: Workbook
  try {
    workbook = XLSX.read(bytes, {
      type: 'buffer',
      dense: true,
      cellNF: true,
      cellText: false,
      cellHTML: false,
      cellFormula: false,
      cellDates: false,
      cellStyles: false,
      sheets: spec.sheet ?? 0,
      ...(spec.maxRows === undefined ? {} : { sheetRows: spec.maxRows + 2 }),
    })
  } catch (error) {
    throw fileError(
      'SHEET_INVALID',
      at,
      'cannot be read as a workbook (damaged, password-protected, or not a spreadsheet).',
      { cause: error },
    )
  }
  const names = workbook.SheetNames
  const name = typeof spec.sheet === 'number' ? names[spec.sheet] : (spec.sheet ?? names[0])
  const sheet = name === undefined ? undefined : workbook.Sheets[name]
  if (!sheet) {
    const list =
      names
        .slice(0, 20)
        .map((n) => describeName(n))
        .join(', ') + (names.length > 20 ? ` and ${names.length - 20} more` : '')
    const wanted = typeof spec.sheet === 'number' ? `sheet index ${spec.sheet}` : `sheet ${describeName(spec.sheet)}`
    throw fileError('SHEET_NOT_FOUND', at, `has no ${wanted}. Its sheets: ${list || 'none'}.`)
  }
  const ref = sheet['!ref']
  const data = sheet['!data'] ?? []
  if (ref === undefined)
    throw fileError('FILE_EMPTY', at, `sheet ${describeName(name)} is empty. Its first row must be the header.`)
  if (spec.maxRows !== undefined && sheet['!fullref'] !== undefined && sheet['!fullref'] !== ref) {
    const full = XLSX.utils.decode_range(sheet['!fullref'])
    const shown = XLSX.utils.decode_range(ref)
    if (full.e.r > shown.e.r)
      throw fileError(
        'TOO_MANY_ROWS',
        at,
        `has more than maxRows (${spec.maxRows}) rows. Raise maxRows, or load the data into a database.`,
      )
  }
  const range = XLSX.utils.decode_range(ref)
  const formats = new Map<string, boolean>()
  const isDate = (format: unknown): boolean => {
    if (typeof format !== 'string' || format === 'General') return false
    let known = formats.get(format)
    if (known === undefined) formats.set(format, (known = XLSX.SSF.is_date(format)))
    return known
  }
  const date1904 = workbook.Workbook?.WBProps?.date1904 === true
  const headerRow = range.s.r
  const headerCells = data[headerRow] ?? []
  const header: string[] = []
  const columns: number[] = []
  for (let c = range.s.c; c <= range.e.c; c++) {
    const text = headerText(cellValue(headerCells[c], date1904, isDate))
    // A column with neither a name nor a value is only formatting: leave it out.
    if (
      text === '' &&
      !data.some((row, r) => r > headerRow && row !== undefined && cellValue(row[c], date1904, isDate) !== null)
    )
      continue
    header.push(text)
    columns.push(c)
  }
  if (header.length === 0)
    throw fileError('HEADER_MISSING', at, `sheet ${describeName(name)} has no header row (its first row is empty).`, {
      line: headerRow + 1,
    })
  return { header, columns, headerRow, lastRow: range.e.r, data, date1904, isDate }
}

function headerText(v: RawValue): string {
  if (v === null) return ''
  if (v instanceof SheetTime) return formatTimeText(v.wallMs)?.slice(0, 19) ?? ''
  return String(v)
}

function cellValue(cell: Cell | null | undefined, date1904: boolean, isDate: (format: unknown) => boolean): RawValue {
  if (!cell) return null
  const v = cell.v
  switch (cell.t) {
    case 's':
      return typeof v === 'string' ? v : v === undefined ? null : String(v)
    case 'n':
      if (typeof v !== 'number') return null
      return isDate(cell.z) ? new SheetTime(serialToWallMs(v, date1904)) : v
    case 'b':
      return v === true
    case 'd':
      // An ISO date cell: SheetJS built the Date from its local fields, so read them back as such.
      if (v instanceof Date)
        return new SheetTime(
          Date.UTC(
            v.getFullYear(),
            v.getMonth(),
            v.getDate(),
            v.getHours(),
            v.getMinutes(),
            v.getSeconds(),
            v.getMilliseconds(),
          ),
        )
      return typeof v === 'string' ? v : null
    default:
      return null // 'e' (an error such as #DIV/0!), 'z' (a styled blank)
  }
}

function loadSheetJs(): SheetJs {
  return requireDriver('@e965/xlsx', 'Reading spreadsheets needs SheetJS')
}
