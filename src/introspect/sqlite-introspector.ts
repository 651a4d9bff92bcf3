import { sqlStatement, type Connector } from '../connectors/connector.js'
import { sqliteName } from './identifiers.js'
import { SchemaCache, text } from './introspector.js'
import type { ColumnInfo, ColumnKind, ForeignKeyInfo, SourceIntrospector, TableRef } from './introspector.js'

const TABLES_SQL = (schema: string): string => `SELECT name FROM ${sqliteName(schema)}.sqlite_master
  WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name`
const COLUMNS_SQL = 'SELECT name, type, "notnull" AS not_null, pk FROM pragma_table_info(?, ?) ORDER BY cid'
const KEYS_SQL = `SELECT id, seq, "table" AS ref_table, "from" AS col, "to" AS ref_col
  FROM pragma_foreign_key_list(?, ?) ORDER BY id, seq`

interface TableInfo {
  readonly columns: readonly ColumnInfo[]
  readonly primaryKey: readonly string[]
}

/**
 * SQLite's catalog: `sqlite_master` for tables and views, `pragma_table_info` for columns and the primary
 * key, `pragma_foreign_key_list` for foreign keys (one small query per table, read once).
 */
export function sqliteIntrospector(connector: Connector): SourceIntrospector {
  const run = (sql: string, params: readonly unknown[] = []) => connector.execute(sqlStatement(sql, params))
  const tables = new SchemaCache(async (schema): Promise<readonly TableRef[]> => {
    const rows = await run(TABLES_SQL(schema))
    return rows.map((r) => ({ schema, name: text(r.name) }))
  })
  const infos = new SchemaCache(async (key): Promise<TableInfo> => {
    const [schema, name] = key.split('\u0000') as [string, string]
    const rows = await run(COLUMNS_SQL, [name, schema])
    return {
      columns: rows.map((r) => {
        const [column, type] = [text(r.name), text(r.type)]
        return { name: column, type, kind: sqliteKind(type, column), nullable: Number(r.not_null) === 0 }
      }),
      // pk is the column's position in the primary key (0: not in it).
      primaryKey: rows
        .filter((r) => Number(r.pk) > 0)
        .sort((a, b) => Number(a.pk) - Number(b.pk))
        .map((r) => text(r.name)),
    }
  })
  const info = (table: TableRef): Promise<TableInfo> => infos.get(`${table.schema ?? 'main'}\u0000${table.name}`)
  /** SQLite table names are case-insensitive: `REFERENCES Customers` names the table `customers`. */
  const canonical = async (schema: string, name: string): Promise<string> => {
    const list = await tables.get(schema)
    const found = list.find((t) => t.name === name) ?? list.find((t) => t.name.toLowerCase() === name.toLowerCase())
    return found?.name ?? name
  }
  return {
    engine: 'sqlite',
    defaultSchema: async () => 'main',
    listTables: (schema) => tables.get(schema ?? 'main'),
    columns: async (table) => (await info(table)).columns,
    primaryKey: async (table) => (await info(table)).primaryKey,
    async foreignKeys(table) {
      const schema = table.schema ?? 'main'
      const byId = new Map<number, { columns: string[]; table: string; refs: (string | undefined)[] }>()
      for (const r of await run(KEYS_SQL, [table.name, schema])) {
        const fk = byId.get(Number(r.id)) ?? { columns: [], table: text(r.ref_table), refs: [] }
        fk.columns.push(text(r.col))
        fk.refs.push(r.ref_col === null || r.ref_col === undefined ? undefined : text(r.ref_col))
        byId.set(Number(r.id), fk)
      }
      const out: ForeignKeyInfo[] = []
      for (const fk of byId.values()) {
        const references = { schema, name: await canonical(schema, fk.table) }
        // `REFERENCES parent` without columns means the parent's primary key.
        const named = fk.refs.every((c) => c !== undefined)
        const referencedColumns = named ? (fk.refs as string[]) : [...(await info(references)).primaryKey]
        out.push({ columns: fk.columns, references, referencedColumns })
      }
      return out
    },
    sqlName: sqliteName,
    // Dates as ISO text, as Cortex's SQLite dialect reads them (a number would be read as a Julian day).
    timeStoredAs: (kind) => kind === 'string',
  }
}

/** Names that say a TEXT column holds dates: `created_at`, `createdAt`, `birth_date`, `start_time`, `date`. */
const TIME_NAME = /(^|_)(date|datetime|time|timestamp)$|_at$|[a-z0-9]At$|[a-z0-9](Date|Time)$/
const NUMERIC = ['REAL', 'FLOA', 'DOUB', 'NUM', 'DEC']

/**
 * A declared type's kind, by SQLite's own affinity rules, with booleans and dates recognised by their
 * declared type first (`BOOLEAN`, `DATE`, `DATETIME`, `TIMESTAMP`). SQLite has no date type, so dates are
 * usually TEXT: a TEXT column is a time when its name says so (see TIME_NAME).
 */
export function sqliteKind(declared: string, column: string): ColumnKind {
  const t = declared.toUpperCase()
  if (t.includes('BOOL')) return 'boolean'
  if (t.includes('DATE') || t.includes('TIMESTAMP')) return 'time'
  if (/^\s*TIME\b/.test(t)) return 'string' // a time of day has no calendar granularity
  if (t.includes('INT')) return 'number'
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return TIME_NAME.test(column) ? 'time' : 'string'
  if (t.includes('BLOB') || t.trim() === '') return 'other'
  return NUMERIC.some((n) => t.includes(n)) ? 'number' : 'other'
}
