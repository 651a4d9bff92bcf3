import type { Connector } from '../connectors/connector.js'
import { sqliteName } from './identifiers.js'
import { SchemaCache, text, type ColumnInfo, type ColumnKind, type ForeignKeyInfo, type SourceIntrospector, type TableRef } from './introspector.js'

/**
 * SQLite's catalog: `sqlite_master` for tables and views, `pragma_table_info` for columns and the primary
 * key, `pragma_foreign_key_list` for foreign keys (one small query per table, read once).
 */
export function sqliteIntrospector(connector: Connector): SourceIntrospector {
  const run = (sql: string, params: readonly unknown[] = []) => connector.execute(sql, params)
  const tables = new SchemaCache(async (schema): Promise<readonly TableRef[]> => {
    const rows = await run(
      `SELECT name FROM ${sqliteName(schema)}.sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name`,
    )
    return rows.map((r) => ({ schema, name: text(r.name) }))
  })
  const info = new Map<string, Promise<{ columns: ColumnInfo[]; primaryKey: string[] }>>()
  const tableInfo = (table: TableRef): Promise<{ columns: ColumnInfo[]; primaryKey: string[] }> => {
    const key = `${table.schema ?? 'main'}\u0000${table.name}`
    let entry = info.get(key)
    if (!entry) {
      entry = run('SELECT name, type, "notnull" AS not_null, pk FROM pragma_table_info(?, ?) ORDER BY cid', [table.name, table.schema ?? 'main']).then((rows) => ({
        columns: rows.map((r) => ({ name: text(r.name), type: text(r.type), kind: sqliteKind(text(r.type), text(r.name)), nullable: Number(r.not_null) === 0 })),
        primaryKey: rows.filter((r) => Number(r.pk) > 0).sort((a, b) => Number(a.pk) - Number(b.pk)).map((r) => text(r.name)),
      }))
      entry.catch(() => info.delete(key))
      info.set(key, entry)
    }
    return entry
  }
  return {
    engine: 'sqlite',
    defaultSchema: async () => 'main',
    listTables: (schema) => tables.get(schema ?? 'main'),
    columns: async (table) => (await tableInfo(table)).columns,
    primaryKey: async (table) => (await tableInfo(table)).primaryKey,
    async foreignKeys(table) {
      const schema = table.schema ?? 'main'
      const rows = await run('SELECT id, seq, "table" AS ref_table, "from" AS col, "to" AS ref_col FROM pragma_foreign_key_list(?, ?) ORDER BY id, seq', [table.name, schema])
      const byId = new Map<number, { columns: string[]; table: string; refs: (string | undefined)[] }>()
      for (const r of rows) {
        const id = Number(r.id)
        const fk = byId.get(id) ?? { columns: [], table: text(r.ref_table), refs: [] }
        fk.columns.push(text(r.col))
        fk.refs.push(r.ref_col === null || r.ref_col === undefined ? undefined : text(r.ref_col))
        byId.set(id, fk)
      }
      const out: ForeignKeyInfo[] = []
      for (const fk of byId.values()) {
        const references = { schema, name: await canonicalTable(schema, fk.table) }
        // `REFERENCES parent` without columns means the parent's primary key.
        const referencedColumns = fk.refs.every((c) => c !== undefined) ? (fk.refs as string[]) : [...(await tableInfo(references)).primaryKey]
        out.push({ columns: fk.columns, references, referencedColumns })
      }
      return out
    },
    sqlName: sqliteName,
    // Dates as ISO text, as Cortex's SQLite dialect reads them (a number would be read as a Julian day).
    timeStoredAs: (kind) => kind === 'string',
  }

  /** SQLite table names are case-insensitive: `REFERENCES Customers` names the table `customers`. */
  async function canonicalTable(schema: string, name: string): Promise<string> {
    const list = await tables.get(schema)
    return list.find((t) => t.name === name)?.name ?? list.find((t) => t.name.toLowerCase() === name.toLowerCase())?.name ?? name
  }
}

/** Names that say a TEXT column holds dates: `created_at`, `createdAt`, `birth_date`, `start_time`, `date`. */
const TIME_NAME = /(^|_)(date|datetime|time|timestamp)$|_at$|[a-z0-9]At$|[a-z0-9](Date|Time)$/

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
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB') || t.includes('NUM') || t.includes('DEC')) return 'number'
  return 'other'
}
