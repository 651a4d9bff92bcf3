/**
 * The oracle suite on files(): the generated dataset is written as CSV files, as one .xlsx workbook
 * (a sheet per table), and as CSV with one table fetched over HTTP (ISO 8601 times with UTC offsets)
 * and one through the Google Sheets export path of a local server. Every oracle case runs through the
 * public API on each and its rows are compared with the hand-written SQL on the SQLite oracle over the
 * same data, time-zone cases included. CI runs this file again under TZ=America/New_York.
 */
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEcommerceSqlite } from '../../examples/ecommerce/generate.mjs'
import { files, type FilesConnector, type FilesOptions } from '../../src/files.js'
import { createSemanticLayer, loadModel, type SemanticLayer } from '../../src/index.js'
import {
  COLUMNS,
  TABLES,
  csvText,
  dataset,
  withBerlinOffset,
  writeCsvDataset,
  writeXlsxDataset,
} from './engines/file-datasets.js'
import { oracleCases } from './oracle/cases.js'
import { canonicalRows, runOracle, type OracleCase, type Row } from './oracle/helpers.js'
import { MODEL_DIR, NOW } from './oracle/layer.js'
import { sqlStatement } from '../../src/connectors/connector.js'

const data = dataset()
const oracleDb = new Database(':memory:')
createEcommerceSqlite(oracleDb, data)
const dir = mkdtempSync(join(tmpdir(), 'cortex-files-oracle-'))
const csv = writeCsvDataset(dir, data)
const workbook = join(dir, 'ecommerce.xlsx')
writeXlsxDataset(workbook, data)

let server: Server
let origin = ''
const served: Record<string, string> = {
  '/exports/orders': csvText('orders', data.orders as unknown as Row[], { time: withBerlinOffset }),
  '/spreadsheets/d/sheet-1/export?format=csv&gid=7': csvText('products', data.products as unknown as Row[]),
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const body = served[req.url ?? '']
    if (body === undefined) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  oracleDb.close()
  await new Promise((resolve) => server.close(resolve))
  rmSync(dir, { recursive: true, force: true })
})

interface FileEngine {
  readonly name: string
  readonly options: () => FilesOptions
}

const SOURCES: FileEngine[] = [
  { name: 'CSV files', options: () => ({ tables: { ...csv } }) },
  {
    name: 'one .xlsx workbook, a sheet per table',
    options: () => ({ tables: Object.fromEntries(TABLES.map((t) => [t, { path: workbook, sheet: t }])) }),
  },
  {
    name: 'CSV, orders over HTTP with UTC offsets, products from a Google Sheet export',
    options: () => ({
      tables: {
        customers: csv.customers,
        order_items: csv.order_items,
        orders: { url: `${origin}/exports/orders`, format: 'csv' },
        products: { googleSheet: { spreadsheetId: 'sheet-1', gid: 7 } },
      },
      googleSheetsOrigin: origin,
    }),
  },
]

// Every source on both engines: the same loader, SQLite (the default) and DuckDB (engine: 'duckdb').
const ENGINES: (FileEngine & { readonly engine: 'sqlite' | 'duckdb' })[] = SOURCES.flatMap((s) => [
  { ...s, engine: 'sqlite' as const },
  {
    name: `${s.name}, on DuckDB`,
    options: () => ({ ...s.options(), engine: 'duckdb' as const }),
    engine: 'duckdb' as const,
  },
])

/** DuckDB's BIGINT comes as bigint and BOOLEAN as boolean; the SQLite oracle has numbers and 0/1. */
const asOracle = (rows: readonly Record<string, unknown>[]) =>
  rows.map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => [
        k,
        typeof v === 'bigint' ? Number(v) : typeof v === 'boolean' ? Number(v) : v,
      ]),
    ),
  )

describe.each(ENGINES)('oracle suite on files(): $name', (engine) => {
  let layer: SemanticLayer
  let connector: FilesConnector

  beforeAll(async () => {
    connector = files(engine.options())
    layer = createSemanticLayer({
      model: await loadModel(MODEL_DIR),
      connectors: { default: connector },
      now: () => new Date(NOW.getTime()),
    })
  })
  afterAll(async () => {
    await layer?.close()
  })

  it('infers the column types of every table', async () => {
    await connector.load()
    const status = connector.status()
    const types = (table: string) => Object.fromEntries(status[table]!.columns.map((c) => [c.name, c.type]))
    expect(types('customers')).toEqual({
      id: 'integer',
      name: 'text',
      email: 'text',
      city: 'text',
      country: 'text',
      tier: 'text',
      is_active: 'boolean',
      created_at: 'time',
    })
    expect(types('orders')).toEqual({
      id: 'integer',
      customer_id: 'integer',
      status: 'text',
      amount: 'number',
      discount: 'number',
      note: 'text',
      created_at: 'time',
      shipped_at: 'time',
    })
    expect(types('order_items')).toEqual({
      id: 'integer',
      order_id: 'integer',
      product_id: 'integer',
      quantity: 'integer',
      unit_price: 'number',
    })
    for (const table of TABLES) {
      expect(status[table]!.rows).toBe((oracleDb.prepare(`SELECT count(*) AS n FROM ${table}`).get() as Row).n)
      expect(status[table]!.columns.map((c) => c.name)).toEqual(COLUMNS[table])
    }
  })

  it('holds the same values as the oracle, row by row', async () => {
    for (const table of TABLES) {
      const time = (c: string) =>
        engine.engine === 'duckdb' ? `strftime(${c}, '%Y-%m-%d %H:%M:%S')` : `strftime('%Y-%m-%d %H:%M:%S', ${c})`
      const cols = COLUMNS[table].map((c) => (c.endsWith('_at') ? `${time(c)} AS ${c}` : c)).join(', ')
      const sql = `SELECT ${cols} FROM ${table} ORDER BY id`
      const oracleCols = COLUMNS[table]
        .map((c) => (c.endsWith('_at') ? `strftime('%Y-%m-%d %H:%M:%S', ${c}) AS ${c}` : c))
        .join(', ')
      const expected = oracleDb.prepare(`SELECT ${oracleCols} FROM ${table} ORDER BY id`).all()
      expect(asOracle(await connector.execute(sqlStatement(sql, []))), table).toEqual(expected)
    }
  })

  it.each(oracleCases.map((c) => [`${c.kind}: ${c.name}`, c] as [string, OracleCase]))('%s', async (_name, c) => {
    const result = await layer.query(c.query)
    expect(canonicalRows(result.data, c.ordered)).toEqual(canonicalRows(runOracle(oracleDb, c), c.ordered))
  })
})
