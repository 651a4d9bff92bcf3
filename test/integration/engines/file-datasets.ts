/**
 * Writes the generated e-commerce dataset as files, so the oracle suite can run on files(): CSV files
 * (with a BOM, a sniffed `;` delimiter, booleans as true/false, NULL as an empty field and text that
 * needs quoting), one .xlsx workbook with a sheet per table (real date cells: serial numbers with a
 * date format, booleans as boolean cells, blank cells for NULL), and CSV text with ISO 8601 times
 * carrying UTC offsets (served over HTTP by the suite). Every value comes from the same generator as
 * the SQLite oracle.
 */
import { createRequire } from 'node:module'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateEcommerce, type EcommerceData } from '../../../examples/ecommerce/generate.mjs'

const require = createRequire(import.meta.url)

export const TABLES = ['customers', 'products', 'orders', 'order_items'] as const
export type TableName = (typeof TABLES)[number]
export const COLUMNS: Record<TableName, readonly string[]> = {
  customers: ['id', 'name', 'email', 'city', 'country', 'tier', 'is_active', 'created_at'],
  products: ['id', 'name', 'category', 'price'],
  orders: ['id', 'customer_id', 'status', 'amount', 'discount', 'note', 'created_at', 'shipped_at'],
  order_items: ['id', 'order_id', 'product_id', 'quantity', 'unit_price'],
}
const TIME_COLUMNS = new Set(['created_at', 'shipped_at'])

type Row = Record<string, unknown>

export function dataset(): EcommerceData {
  return generateEcommerce()
}

function csvField(value: unknown, delimiter: string): string {
  if (value === null || value === undefined) return ''
  const text = String(value)
  if (text === '' || text.includes(delimiter) || /["\r\n]/.test(text)) return `"${text.replace(/"/g, '""')}"`
  return text
}

/** One table as CSV text. `time` rewrites each 'YYYY-MM-DD HH:MM:SS' UTC value (e.g. with an offset). */
export function csvText(
  table: TableName,
  rows: readonly Row[],
  options: { delimiter?: string; bom?: boolean; time?: (utc: string) => string } = {},
): string {
  const d = options.delimiter ?? ','
  const cols = COLUMNS[table]
  const lines = [cols.join(d)]
  for (const row of rows) {
    lines.push(
      cols
        .map((c) => {
          let v = row[c]
          if (c === 'is_active') v = v === 1 ? 'true' : 'false'
          if (TIME_COLUMNS.has(c) && typeof v === 'string' && options.time) v = options.time(v)
          return csvField(v, d)
        })
        .join(d),
    )
  }
  return `${options.bom ? '\uFEFF' : ''}${lines.join('\r\n')}\r\n`
}

/** Write the four tables as CSV files into `dir`; customers with a BOM and `;` (sniffed). */
export function writeCsvDataset(dir: string, data: EcommerceData = dataset()): Record<TableName, string> {
  const out = {} as Record<TableName, string>
  for (const table of TABLES) {
    const file = join(dir, `${table}.csv`)
    const rows = data[table] as unknown as Row[]
    writeFileSync(
      file,
      table === 'customers' ? csvText(table, rows, { delimiter: ';', bom: true }) : csvText(table, rows),
    )
    out[table] = file
  }
  return out
}

/** '2024-01-31 23:30:00' (UTC) as ISO 8601 with the offset Europe/Berlin had then, e.g. '2024-02-01T00:30:00+01:00'. */
export function withBerlinOffset(utc: string): string {
  const ms = Date.parse(`${utc.replace(' ', 'T')}Z`)
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Berlin',
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(ms)
  const get = (t: string) => parts.find((p) => p.type === t)!.value
  const local = Date.UTC(+get('year'), +get('month') - 1, +get('day'), +get('hour'), +get('minute'), +get('second'))
  const offset = (local - ms) / 3_600_000
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}+0${offset}:00`
}

interface SheetJs {
  utils: {
    book_new(): object
    book_append_sheet(wb: object, ws: object, name: string): void
    encode_cell(c: { r: number; c: number }): string
    encode_range(r: object): string
  }
  write(wb: object, o: object): Buffer
}

/** Days since 1899-12-30 (Excel's 1900 date system) of a UTC wall-clock text: an exact date serial. */
export function excelSerial(utc: string): number {
  return Date.parse(`${utc.replace(' ', 'T')}Z`) / 86_400_000 + 25_569
}

/** One workbook, a sheet per table, with date cells (serials + date format) and boolean cells. */
export function writeXlsxDataset(file: string, data: EcommerceData = dataset()): void {
  const XLSX = require('@e965/xlsx') as SheetJs
  const wb = XLSX.utils.book_new()
  for (const table of TABLES) {
    const cols = COLUMNS[table]
    const rows = data[table] as unknown as Row[]
    const ws: Record<string, unknown> = {}
    cols.forEach((c, i) => (ws[XLSX.utils.encode_cell({ r: 0, c: i })] = { t: 's', v: c }))
    rows.forEach((row, r) => {
      cols.forEach((c, i) => {
        const v = row[c]
        if (v === null || v === undefined) return // a blank cell
        const ref = XLSX.utils.encode_cell({ r: r + 1, c: i })
        if (TIME_COLUMNS.has(c)) ws[ref] = { t: 'n', v: excelSerial(v as string), z: 'yyyy-mm-dd hh:mm:ss' }
        else if (c === 'is_active') ws[ref] = { t: 'b', v: v === 1 }
        else if (typeof v === 'number') ws[ref] = { t: 'n', v }
        else ws[ref] = { t: 's', v: String(v) }
      })
    })
    ws['!ref'] = XLSX.utils.encode_range({ s: { r: 0, c: 0 }, e: { r: rows.length, c: cols.length - 1 } })
    XLSX.utils.book_append_sheet(wb, ws, table)
  }
  writeFileSync(file, XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', compression: true }))
}
