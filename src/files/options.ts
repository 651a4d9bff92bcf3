import { createHash } from 'node:crypto'
import { extname, isAbsolute, resolve } from 'node:path'
import { describeName, type SemanticLayerError } from '../errors.js'
import { isValidTimeZone } from '../util/time-zone.js'
import { COLUMN_TYPES, type ColumnType } from './column-types.js'
import { configError, configIssue } from './file-errors.js'

export type FileFormat = 'csv' | 'excel' | 'json' | 'ndjson'

/** Options every kind of table source takes. */
export interface TableOptions {
  /**
   * Default: from the file extension (`.csv` `.tsv` `.txt`, `.xlsx` `.xlsm` `.xls` `.ods`, `.json`, `.ndjson`
   * `.jsonl`).
   */
  readonly format?: FileFormat
  /** Column types by header name, overriding inference (merged over files({ columns })). */
  readonly columns?: Readonly<Record<string, ColumnType>>
  /** IANA zone of time values written without an offset. Default: files({ timezone }), else UTC. */
  readonly timezone?: string
  /** CSV: one character. Default: sniffed from the first lines (`,` tab `;` `|`); tab for `.tsv`. */
  readonly delimiter?: string
  /** CSV: one character. Default `"`. */
  readonly quote?: string
  /** CSV: unquoted field texts that mean NULL. Default `['']` (an unquoted empty field). */
  readonly nullValues?: readonly string[]
  /** CSV: `nullValues` match quoted fields too (PostgreSQL's FORCE_NULL). Default false; true for Google Sheets. */
  readonly quotedNulls?: boolean
  /** Excel: the sheet by name or 0-based index. Default: the first sheet. */
  readonly sheet?: string | number
  /** Refuse a source with more rows than this (TOO_MANY_ROWS). Default: files({ maxRows }). */
  readonly maxRows?: number
  /** Refuse a source larger than this many bytes (FILE_TOO_LARGE). Default: files({ maxFileBytes }). */
  readonly maxFileBytes?: number
  /** Indexes built after each load, each a list of column names (e.g. `[['customer_id']]`). */
  readonly indexes?: readonly (readonly string[])[]
  /** Re-read the source this often (URLs, Google Sheets, or a local file where `watch` cannot see changes). */
  readonly refreshEveryMs?: number
}

export interface PathSource extends TableOptions {
  /** A local file; relative paths resolve against files({ baseDir }) (default: the working directory). */
  readonly path: string
}

export interface UrlSource extends TableOptions {
  /** An http(s) URL, fetched with the host's `fetch`. */
  readonly url: string
  /** Request headers (e.g. `authorization`), merged over files({ headers }). */
  readonly headers?: Readonly<Record<string, string>>
}

export interface GoogleSheetSource extends Omit<TableOptions, 'format' | 'sheet' | 'delimiter' | 'quote'> {
  /** A sheet read through Google's CSV export: by `gid` (the `#gid=` in its URL) or by `sheet` name. */
  readonly googleSheet: { readonly spreadsheetId: string; readonly sheet?: string; readonly gid?: string | number }
  readonly headers?: Readonly<Record<string, string>>
}

/** A table's source: a path (or an http(s) URL) as a string, or an object. */
export type TableSource = string | PathSource | UrlSource | GoogleSheetSource

/** The subset of the Fetch API the files connector calls (Node's global `fetch` fits). */
export type FetchLike = (
  url: string,
  init: { headers: Record<string, string>; signal: AbortSignal },
) => Promise<{
  readonly ok: boolean
  readonly status: number
  readonly headers: { get(name: string): string | null }
  readonly body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | null
}>

/** Timers and clock the connector uses for debouncing, refreshing and retrying (inject them in tests). */
export interface FilesTimers {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  now(): number
}

export interface LoadEvent {
  readonly table: string
  /** What started the load: the first query or load(), reload(), a file change, a refresh timer. */
  readonly trigger: LoadTrigger
  readonly rows: number
  readonly bytes: number
  readonly durationMs: number
  /** Content version (changes with the data and the table's options). */
  readonly version: string
  /** False when the source had the same content as the data already loaded (nothing was swapped). */
  readonly changed: boolean
  readonly columns: readonly { readonly name: string; readonly type: ColumnType }[]
}

export interface LoadProgress {
  readonly table: string
  readonly rows: number
  readonly bytes: number
  /** Size of the source when known (local files, HTTP with Content-Length). */
  readonly totalBytes: number | undefined
}

export type LoadTrigger = 'load' | 'reload' | 'watch' | 'refresh'

export interface FilesOptions {
  /** Table name (what cubes use in `sql_table`) → its source. */
  readonly tables: Readonly<Record<string, TableSource>>
  /**
   * The in-process engine tables load into and queries run on: `'sqlite'` (default; better-sqlite3) or
   * `'duckdb'` (@duckdb/node-api: columnar, for large files; docs/duckdb.md says when to pick which).
   * Loading, types and errors are the same on both.
   */
  readonly engine?: 'sqlite' | 'duckdb'
  /** Column type overrides per table: `{ orders: { created_at: 'time', amount: 'number' } }`. */
  readonly columns?: Readonly<Record<string, Readonly<Record<string, ColumnType>>>>
  /** Reload local files when they change (fs.watch on their folders, debounced). Default false. */
  readonly watch?: boolean
  /** Quiet time after the last change before a watched file is reloaded. Default 300 ms. */
  readonly watchDebounceMs?: number
  /** Default `refreshEveryMs` of every table. Default: none. */
  readonly refreshEveryMs?: number
  /** Zone of time values without an offset. Default UTC. */
  readonly timezone?: string
  /** Default 500 MB. For spreadsheets also the limit of the uncompressed workbook. */
  readonly maxFileBytes?: number
  /** Default: no limit. */
  readonly maxRows?: number
  /** Base of relative paths. Default: process.cwd() when files() is called. */
  readonly baseDir?: string
  /** Fetch for URL and Google Sheet sources. Default: the global fetch. */
  readonly fetch?: FetchLike
  /** Headers of every URL and Google Sheet request (a table's own `headers` win). */
  readonly headers?: Readonly<Record<string, string>>
  /** Abort a request that has not finished after this long. Default 60 000 ms. */
  readonly fetchTimeoutMs?: number
  /** Origin of Google's export URLs. Default `https://docs.google.com` (tests point it at a local server). */
  readonly googleSheetsOrigin?: string
  /** A load or reload failed; the table keeps its previous data. Default: a process warning. */
  readonly onError?: (
    error: SemanticLayerError,
    info: { readonly table: string; readonly trigger: LoadTrigger },
  ) => void
  /** A load or reload finished. */
  readonly onLoad?: (event: LoadEvent) => void
  /** Rows and bytes read so far, during long loads (about every 50 000 rows). */
  readonly onProgress?: (progress: LoadProgress) => void
  /** Clock and timers (tests inject them). Default: the global ones. */
  readonly timers?: FilesTimers
  /**
   * Names this connector's data in result-cache keys (Connector.id). Default: `files:` and a digest of
   * every table's name, source and options. The content of the tables is in every key as well
   * (`dataVersion`), so connectors over the same content share entries.
   */
  readonly id?: string
}

export type TableOrigin =
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'url'; readonly url: string; readonly headers: Readonly<Record<string, string>> }

/** A table's source and options, checked and with every default applied. */
export interface TableSpec {
  readonly name: string
  readonly origin: TableOrigin
  /** 'auto': decided from the response's Content-Type (URLs without a known extension). */
  readonly format: FileFormat | 'auto'
  /** How messages name the source: the path as configured, a URL without its query, a Google Sheet. */
  readonly label: string
  readonly columns: ReadonlyMap<string, ColumnType>
  readonly timezone: string | undefined
  readonly delimiter: string | undefined
  readonly quote: string
  readonly nullValues: ReadonlySet<string>
  readonly quotedNulls: boolean
  readonly sheet: string | number | undefined
  readonly maxRows: number | undefined
  readonly maxFileBytes: number
  readonly indexes: readonly (readonly string[])[]
  readonly refreshEveryMs: number | undefined
  /** Digest of everything above that changes what gets loaded (part of the data version). */
  readonly optionsDigest: string
}

export const DEFAULT_MAX_FILE_BYTES = 500 * 1024 * 1024

const EXTENSIONS: Readonly<Record<string, FileFormat>> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.txt': 'csv',
  '.xlsx': 'excel',
  '.xlsm': 'excel',
  '.xls': 'excel',
  '.ods': 'excel',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
}
const FORMATS: readonly FileFormat[] = ['csv', 'excel', 'json', 'ndjson']
const TABLE_KEYS = [
  'path',
  'url',
  'googleSheet',
  'headers',
  'format',
  'columns',
  'timezone',
  'delimiter',
  'quote',
  'nullValues',
  'quotedNulls',
  'sheet',
  'maxRows',
  'maxFileBytes',
  'indexes',
  'refreshEveryMs',
]
const TOP_KEYS = [
  'id',
  'engine',
  'tables',
  'columns',
  'watch',
  'watchDebounceMs',
  'refreshEveryMs',
  'timezone',
  'maxFileBytes',
  'maxRows',
  'baseDir',
  'fetch',
  'headers',
  'fetchTimeoutMs',
  'googleSheetsOrigin',
  'onError',
  'onLoad',
  'onProgress',
  'timers',
]

type Issue = ReturnType<typeof configIssue>

/** Check files() options and resolve every table; all problems are reported at once (CONFIG_INVALID). */
export function tableSpecs(options: FilesOptions): TableSpec[] {
  const issues: Issue[] = []
  const fail = (path: readonly (string | number)[], message: string): undefined =>
    void issues.push(configIssue(path, message))
  if (typeof options !== 'object' || options === null)
    throw configError([
      configIssue([], "files() takes an options object: files({ tables: { orders: './orders.csv' } })."),
    ])
  for (const key of Object.keys(options))
    if (!TOP_KEYS.includes(key)) fail([key], `Unknown option ${describeName(key)}. Options: ${TOP_KEYS.join(', ')}.`)
  const tables = options.tables
  if (typeof tables !== 'object' || tables === null || Object.keys(tables).length === 0) {
    throw configError([
      ...issues,
      configIssue(['tables'], "files() needs `tables`: table name → source, e.g. { orders: './orders.csv' }."),
    ])
  }
  const maxFileBytes = positive(options.maxFileBytes, ['maxFileBytes'], fail) ?? DEFAULT_MAX_FILE_BYTES
  const maxRows = positive(options.maxRows, ['maxRows'], fail)
  positive(options.watchDebounceMs, ['watchDebounceMs'], fail, true)
  positive(options.fetchTimeoutMs, ['fetchTimeoutMs'], fail)
  const refreshEveryMs = positive(options.refreshEveryMs, ['refreshEveryMs'], fail)
  const timezone = zone(options.timezone, ['timezone'], fail)
  if (options.engine !== undefined && options.engine !== 'sqlite' && options.engine !== 'duckdb') {
    fail(['engine'], "engine must be 'sqlite' (the default) or 'duckdb'.")
  }
  if (options.id !== undefined && (typeof options.id !== 'string' || options.id === '')) {
    fail(['id'], 'id must be a non-empty string naming the data of this connector.')
  }
  const baseDir = options.baseDir ?? process.cwd()
  if (typeof baseDir !== 'string') fail(['baseDir'], 'baseDir must be a folder path.')
  const origin = options.googleSheetsOrigin ?? 'https://docs.google.com'
  if (!/^https?:\/\/[^/?#]+$/.test(origin))
    fail(
      ['googleSheetsOrigin'],
      'googleSheetsOrigin must be an origin such as https://docs.google.com (scheme and host, no path).',
    )
  checkHeaders(options.headers, ['headers'], fail)
  for (const fn of ['fetch', 'onError', 'onLoad', 'onProgress'] as const) {
    if (options[fn] !== undefined && typeof options[fn] !== 'function') fail([fn], `${fn} must be a function.`)
  }
  const globalColumns = options.columns ?? {}
  for (const table of Object.keys(globalColumns)) {
    if (!Object.hasOwn(tables, table))
      fail(['columns', table], `columns has types for ${describeName(table)}, which is not in tables.`)
  }

  const seen = new Map<string, string>()
  const specs: TableSpec[] = []
  for (const [name, source] of Object.entries(tables)) {
    const path = ['tables', name]
    const lower = name.replace(/[A-Z]+/g, (c) => c.toLowerCase())
    if (name.length === 0 || name.includes('\0'))
      fail(path, 'A table name must be non-empty text without NUL characters.')
    else if (/__v\d+$/i.test(name))
      fail(
        path,
        `Table names ending in __v<number> are reserved for the loaded versions of tables; rename ` +
          `${describeName(name)}.`,
      )
    else if (lower.startsWith('sqlite_')) fail(path, 'Table names starting with sqlite_ are reserved by SQLite.')
    else if (seen.has(lower))
      fail(
        path,
        `Table ${describeName(name)} and ${describeName(seen.get(lower))} differ only in case; SQL names are not ` +
          `case-sensitive. Rename one.`,
      )
    seen.set(lower, name)
    const spec = tableSpec(
      name,
      source,
      {
        path,
        baseDir,
        origin,
        maxFileBytes,
        maxRows,
        refreshEveryMs,
        timezone,
        headers: options.headers ?? {},
        columns: globalColumns[name] ?? {},
      },
      fail,
    )
    if (spec) specs.push(spec)
  }
  if (issues.length > 0) throw configError(issues)
  return specs
}

interface Defaults {
  readonly path: readonly string[]
  readonly baseDir: string
  readonly origin: string
  readonly maxFileBytes: number
  readonly maxRows: number | undefined
  readonly refreshEveryMs: number | undefined
  readonly timezone: string | undefined
  readonly headers: Readonly<Record<string, string>>
  readonly columns: Readonly<Record<string, ColumnType>>
}

function tableSpec(
  name: string,
  source: TableSource,
  d: Defaults,
  fail: (path: readonly (string | number)[], message: string) => undefined,
): TableSpec | undefined {
  const path = d.path
  const o = (
    typeof source === 'string' ? (/^https?:\/\//i.test(source) ? { url: source } : { path: source }) : source
  ) as Partial<PathSource & UrlSource & GoogleSheetSource>
  if (typeof o !== 'object' || o === null)
    return fail(path, 'A table source is a path, a URL, or { path | url | googleSheet, ...options }.')
  for (const key of Object.keys(o))
    if (!TABLE_KEYS.includes(key))
      fail([...path, key], `Unknown table option ${describeName(key)}. Options: ${TABLE_KEYS.join(', ')}.`)
  const kinds = (['path', 'url', 'googleSheet'] as const).filter((k) => o[k] !== undefined)
  if (kinds.length !== 1) return fail(path, 'A table source needs exactly one of path, url or googleSheet.')
  const headers = { ...d.headers, ...(o.headers ?? {}) }
  checkHeaders(o.headers, [...path, 'headers'], fail)

  let origin: TableOrigin
  let label: string
  let ext = ''
  let quotedNullsDefault = false
  if (o.path !== undefined) {
    if (typeof o.path !== 'string' || o.path.length === 0) return fail([...path, 'path'], 'path must be a file path.')
    if (o.headers !== undefined) fail([...path, 'headers'], 'headers apply to url and googleSheet sources only.')
    origin = { kind: 'path', path: isAbsolute(o.path) ? o.path : resolve(d.baseDir, o.path) }
    label = o.path
    ext = extname(o.path).toLowerCase()
  } else if (o.url !== undefined) {
    let url: URL
    try {
      url = new URL(String(o.url))
    } catch {
      return fail([...path, 'url'], 'url must be an absolute http(s) URL.')
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return fail([...path, 'url'], 'url must use http or https.')
    origin = { kind: 'url', url: url.toString(), headers }
    label = `${url.origin}${url.pathname}`
    ext = extname(url.pathname).toLowerCase()
  } else {
    const g = o.googleSheet as GoogleSheetSource['googleSheet']
    const id = typeof g === 'object' && g !== null ? g.spreadsheetId : undefined
    if (typeof id !== 'string' || !/^[A-Za-z0-9_-]+$/.test(id))
      return fail(
        [...path, 'googleSheet', 'spreadsheetId'],
        "googleSheet.spreadsheetId must be the id from the sheet's URL (letters, digits, - and _).",
      )
    if ((g.sheet === undefined) === (g.gid === undefined))
      return fail(
        [...path, 'googleSheet'],
        "googleSheet needs exactly one of sheet (the tab's name) or gid (the number after #gid= in its URL).",
      )
    if (g.gid !== undefined && !/^\d+$/.test(String(g.gid)))
      return fail([...path, 'googleSheet', 'gid'], "googleSheet.gid must be the number after #gid= in the sheet's URL.")
    if (g.sheet !== undefined && (typeof g.sheet !== 'string' || g.sheet.length === 0))
      return fail([...path, 'googleSheet', 'sheet'], 'googleSheet.sheet must be the name of a tab.')
    const base = `${d.origin}/spreadsheets/d/${id}`
    const url =
      g.gid !== undefined
        ? `${base}/export?format=csv&gid=${encodeURIComponent(String(g.gid))}`
        : `${base}/gviz/tq?tqx=out:csv&headers=1&sheet=${encodeURIComponent(g.sheet!)}`
    origin = { kind: 'url', url, headers }
    label = `Google Sheet ${id} (${g.gid !== undefined ? `gid ${String(g.gid)}` : `sheet ${describeName(g.sheet)}`})`
    ext = '.csv'
    // Google's export cannot tell an empty cell from an empty string (its gviz CSV quotes both): both are NULL.
    quotedNullsDefault = true
    for (const k of ['format', 'sheet', 'delimiter', 'quote'] as const)
      if (o[k] !== undefined) fail([...path, k], `${k} does not apply to a Google Sheet (it is read as CSV).`)
  }

  const format: FileFormat | 'auto' | undefined =
    o.format ?? EXTENSIONS[ext] ?? (origin.kind === 'url' ? 'auto' : undefined)
  if (o.format !== undefined && !FORMATS.includes(o.format))
    fail([...path, 'format'], `format must be one of ${FORMATS.join(', ')}.`)
  if (format === undefined)
    fail(
      [...path, 'format'],
      `The format of ${describeName(label)} cannot be told from its extension; set format: ` +
        `${FORMATS.map((f) => `'${f}'`).join(' | ')}.`,
    )
  const oneChar = (key: 'delimiter' | 'quote', v: unknown): string | undefined => {
    if (v === undefined) return undefined
    if (typeof v !== 'string' || [...v].length !== 1 || v === '\n' || v === '\r')
      return fail([...path, key], `${key} must be one character (not a line break).`)
    return v
  }
  const delimiter = oneChar('delimiter', o.delimiter) ?? (ext === '.tsv' ? '\t' : undefined)
  const quote = oneChar('quote', o.quote) ?? '"'
  if (delimiter !== undefined && delimiter === quote) fail([...path, 'delimiter'], 'delimiter and quote must differ.')
  if (o.nullValues !== undefined && (!Array.isArray(o.nullValues) || o.nullValues.some((v) => typeof v !== 'string')))
    fail([...path, 'nullValues'], "nullValues must be an array of strings, e.g. ['', 'NULL', 'NA'].")
  if (o.quotedNulls !== undefined && typeof o.quotedNulls !== 'boolean')
    fail([...path, 'quotedNulls'], 'quotedNulls must be true or false.')
  if (o.sheet !== undefined && !(typeof o.sheet === 'string' || (Number.isInteger(o.sheet) && o.sheet >= 0)))
    fail([...path, 'sheet'], 'sheet must be a sheet name or a 0-based index.')
  const columns = new Map<string, ColumnType>()
  for (const [col, type] of Object.entries({ ...d.columns, ...(o.columns ?? {}) })) {
    if (!COLUMN_TYPES.includes(type))
      fail(
        [...path, 'columns', col],
        `The type of column ${describeName(col)} must be one of ${COLUMN_TYPES.join(', ')}.`,
      )
    else columns.set(col, type)
  }
  const indexes = o.indexes ?? []
  if (
    !Array.isArray(indexes) ||
    indexes.some((ix) => !Array.isArray(ix) || ix.length === 0 || ix.some((c) => typeof c !== 'string'))
  ) {
    fail(
      [...path, 'indexes'],
      "indexes must be a list of column-name lists, e.g. [['customer_id'], ['status', 'created_at']].",
    )
  }
  const timezone = o.timezone === undefined ? d.timezone : zone(o.timezone, [...path, 'timezone'], fail)
  const spec = {
    name,
    origin,
    format: format ?? 'csv',
    label,
    columns,
    timezone: timezone === 'UTC' || timezone === 'Etc/UTC' ? undefined : timezone,
    delimiter,
    quote,
    nullValues: new Set(o.nullValues ?? ['']),
    quotedNulls: o.quotedNulls ?? quotedNullsDefault,
    sheet: o.sheet,
    maxRows: positive(o.maxRows, [...path, 'maxRows'], fail) ?? d.maxRows,
    maxFileBytes: positive(o.maxFileBytes, [...path, 'maxFileBytes'], fail) ?? d.maxFileBytes,
    indexes,
    refreshEveryMs: positive(o.refreshEveryMs, [...path, 'refreshEveryMs'], fail) ?? d.refreshEveryMs,
  }
  const optionsDigest = createHash('sha256')
    .update(
      JSON.stringify([
        spec.format,
        [...columns].sort(),
        spec.timezone ?? null,
        delimiter ?? null,
        quote,
        [...spec.nullValues].sort(),
        spec.quotedNulls,
        spec.sheet ?? null,
        indexes,
      ]),
    )
    .digest('hex')
  return { ...spec, optionsDigest }
}

function positive(
  v: unknown,
  path: readonly string[],
  fail: (path: readonly string[], message: string) => undefined,
  zeroOk = false,
): number | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < (zeroOk ? 0 : 1))
    return fail(path, `${path.join('.')} must be a ${zeroOk ? 'non-negative' : 'positive'} integer.`)
  return v
}

function zone(
  v: unknown,
  path: readonly string[],
  fail: (path: readonly string[], message: string) => undefined,
): string | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'string' || !isValidTimeZone(v))
    return fail(path, "timezone must be an IANA time zone name such as 'UTC' or 'Europe/Berlin'.")
  return v
}

function checkHeaders(
  v: unknown,
  path: readonly string[],
  fail: (path: readonly string[], message: string) => undefined,
): void {
  if (v === undefined) return
  if (typeof v !== 'object' || v === null || Object.values(v).some((h) => typeof h !== 'string'))
    fail(path, 'headers must be an object of header name → string value.')
}
