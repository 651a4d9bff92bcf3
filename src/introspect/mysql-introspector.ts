import { sqlStatement, type Connector } from '../connectors/connector.js'
import { mysqlName } from './identifiers.js'
import { catalogIntrospector, pushTo, text } from './introspector.js'
import type { ColumnInfo, ColumnKind, ForeignKeyInfo, SchemaCatalog } from './introspector.js'
import type { SourceIntrospector, TableRef } from './introspector.js'

const TABLES_SQL = `SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME`

const COLUMNS_SQL = `SELECT TABLE_NAME AS table_name, COLUMN_NAME AS column_name, DATA_TYPE AS data_type,
  COLUMN_TYPE AS column_type, IS_NULLABLE AS is_nullable
FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`

const KEYS_SQL = `SELECT k.TABLE_NAME AS table_name, k.CONSTRAINT_NAME AS constraint_name, tc.CONSTRAINT_TYPE AS type,
  k.COLUMN_NAME AS column_name, k.REFERENCED_TABLE_SCHEMA AS ref_schema, k.REFERENCED_TABLE_NAME AS ref_table,
  k.REFERENCED_COLUMN_NAME AS ref_column
FROM information_schema.KEY_COLUMN_USAGE k
JOIN information_schema.TABLE_CONSTRAINTS tc ON tc.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA
  AND tc.TABLE_NAME = k.TABLE_NAME AND tc.CONSTRAINT_NAME = k.CONSTRAINT_NAME
WHERE k.TABLE_SCHEMA = ? AND tc.CONSTRAINT_TYPE IN ('PRIMARY KEY', 'FOREIGN KEY')
ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`

/** MySQL/MariaDB's information_schema: one query each for tables, columns and key constraints per database. */
export function mysqlIntrospector(connector: Connector): SourceIntrospector {
  const run = (sql: string, params: readonly unknown[] = []) => connector.execute(sqlStatement(sql, params))
  return catalogIntrospector(
    'mysql',
    async () => text((await run('SELECT DATABASE() AS s'))[0]?.s),
    async (schema): Promise<SchemaCatalog> => {
      const read = (sql: string) => run(sql, [schema])
      const [tableRows, columnRows, keyRows] = await Promise.all([read(TABLES_SQL), read(COLUMNS_SQL), read(KEYS_SQL)])
      const tables: TableRef[] = tableRows.map((r) => ({ schema, name: text(r.name) }))
      const columns = new Map<string, ColumnInfo[]>()
      for (const r of columnRows) {
        pushTo(columns, text(r.table_name), {
          name: text(r.column_name),
          type: text(r.column_type),
          kind: mysqlKind(text(r.data_type), text(r.column_type)),
          nullable: text(r.is_nullable) === 'YES',
        })
      }
      const primaryKeys = new Map<string, string[]>()
      const foreignKeys = new Map<string, ForeignKeyInfo[]>()
      const pending = new Map<string, { table: string; columns: string[]; ref: TableRef; refColumns: string[] }>()
      for (const r of keyRows) {
        const table = text(r.table_name)
        if (text(r.type) === 'PRIMARY KEY') pushTo(primaryKeys, table, text(r.column_name))
        else {
          const key = `${table}\u0000${text(r.constraint_name)}`
          const ref = { schema: text(r.ref_schema), name: text(r.ref_table) }
          const fk = pending.get(key) ?? { table, columns: [], ref, refColumns: [] }
          fk.columns.push(text(r.column_name))
          fk.refColumns.push(text(r.ref_column))
          pending.set(key, fk)
        }
      }
      for (const fk of pending.values()) {
        pushTo(foreignKeys, fk.table, { columns: fk.columns, references: fk.ref, referencedColumns: fk.refColumns })
      }
      return { tables, columns, primaryKeys, foreignKeys }
    },
    mysqlName,
  )
}

const NUMBER_TYPES = new Set([
  'tinyint',
  'smallint',
  'mediumint',
  'int',
  'integer',
  'bigint',
  'decimal',
  'numeric',
  'float',
  'double',
  'real',
])
const STRING_TYPES = new Set([
  'char',
  'varchar',
  'tinytext',
  'text',
  'mediumtext',
  'longtext',
  'enum',
  'set',
  'uuid',
  'inet4',
  'inet6',
  'time',
  'year',
])
const TIME_TYPES = new Set(['date', 'datetime', 'timestamp'])

/**
 * A column's kind: `tinyint(1)` and `bit(1)` are booleans (MySQL's BOOLEAN); a time of day and YEAR are
 * strings (no calendar granularity fits them).
 */
export function mysqlKind(dataType: string, columnType: string): ColumnKind {
  const t = dataType.toLowerCase()
  const full = columnType.toLowerCase()
  if (full.startsWith('tinyint(1)') || full === 'bit(1)') return 'boolean'
  if (NUMBER_TYPES.has(t)) return 'number'
  if (TIME_TYPES.has(t)) return 'time'
  if (STRING_TYPES.has(t)) return 'string'
  return 'other'
}
