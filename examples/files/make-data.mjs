// Writes the example's data files from the deterministic e-commerce dataset: orders as CSV, customers as
// the "Customers" sheet of an Excel workbook (with a second sheet, as a real CRM export would have).
// Run it again only if the generator changes: node examples/files/make-data.mjs (needs @e965/xlsx).
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { generateEcommerce } from '../ecommerce/generate.mjs'

const require = createRequire(import.meta.url)
const XLSX = require('@e965/xlsx')
const data = generateEcommerce()
const here = (p) => new URL(p, import.meta.url)

const quote = (v) =>
  v === null ? '' : /[",\r\n]/.test(String(v)) || v === '' ? `"${String(v).replace(/"/g, '""')}"` : String(v)
const orderColumns = ['id', 'customer_id', 'status', 'amount', 'discount', 'note', 'created_at', 'shipped_at']
writeFileSync(
  here('data/orders.csv'),
  [orderColumns.join(','), ...data.orders.map((o) => orderColumns.map((c) => quote(o[c])).join(','))].join('\n') + '\n',
)

// Dates as Excel stores them: a serial day number with a date format (here from UTC wall-clock text).
const serial = (utc) => Date.parse(`${utc.replace(' ', 'T')}Z`) / 86_400_000 + 25_569
const header = ['Customer ID', 'Name', 'Email', 'City', 'Country', 'Tier', 'Active', 'Customer since']
const rows = data.customers.map((c) => [
  { t: 'n', v: c.id },
  { t: 's', v: c.name },
  c.email === null ? null : { t: 's', v: c.email },
  c.city === null ? null : { t: 's', v: c.city },
  { t: 's', v: c.country },
  { t: 's', v: c.tier },
  { t: 'b', v: c.is_active === 1 },
  { t: 'n', v: serial(c.created_at), z: 'yyyy-mm-dd hh:mm' },
])
const sheet = {}
header.forEach((h, c) => (sheet[XLSX.utils.encode_cell({ r: 0, c })] = { t: 's', v: h }))
rows.forEach((row, r) => row.forEach((cell, c) => cell && (sheet[XLSX.utils.encode_cell({ r: r + 1, c })] = cell)))
sheet['!ref'] = XLSX.utils.encode_range({ s: { r: 0, c: 0 }, e: { r: rows.length, c: header.length - 1 } })
const book = XLSX.utils.book_new()
XLSX.utils.book_append_sheet(
  book,
  { '!ref': 'A1:B2', A1: { t: 's', v: 'Report' }, A2: { t: 's', v: 'CRM export' } },
  'About',
)
XLSX.utils.book_append_sheet(book, sheet, 'Customers')
writeFileSync(here('data/crm.xlsx'), XLSX.write(book, { type: 'buffer', bookType: 'xlsx', compression: true }))
