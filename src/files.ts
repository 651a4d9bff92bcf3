/**
 * `cortex-semantic/files`: CSV, Excel, JSON/NDJSON and Google Sheets as tables, loaded into an in-memory
 * SQLite database (better-sqlite3). Spreadsheets need SheetJS (`@e965/xlsx`), an optional peer dependency.
 */
export { files } from './files/files-connector.js'
export type { FilesConnector, TableStatus } from './files/files-connector.js'
export type { ColumnType } from './files/column-types.js'
export type {
  FetchLike,
  FileFormat,
  FilesOptions,
  FilesTimers,
  GoogleSheetSource,
  LoadEvent,
  LoadProgress,
  LoadTrigger,
  PathSource,
  TableOptions,
  TableSource,
  UrlSource,
} from './files/options.js'
