import { sqlStatement, type Connector } from '../connectors/connector.js'
import { postgresName } from './identifiers.js'
import { catalogIntrospector, pushTo, text } from './introspector.js'
import type { ColumnInfo, ColumnKind, ForeignKeyInfo, SchemaCatalog } from './introspector.js'
import type { SourceIntrospector, TableRef } from './introspector.js'

/** Tables, partitioned tables, views, materialized views and foreign tables; partitions are left out. */
const RELATIONS = `c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition`

const TABLES_SQL = `SELECT c.relname AS name FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND ${RELATIONS} ORDER BY c.relname`

/** Domains are read as their base type. */
const COLUMNS_SQL = `SELECT c.relname AS table_name, a.attname AS column_name,
  pg_catalog.format_type(a.atttypid, a.atttypmod) AS data_type,
  COALESCE(bt.typcategory, t.typcategory) AS category, COALESCE(bt.typname, t.typname) AS type_name,
  NOT a.attnotnull AS nullable
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
WHERE n.nspname = $1 AND ${RELATIONS} AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum`

/** Key columns as JSON text (in key order), so no array type parser is needed. */
const keyColumns = (keys: string, rel: string): string => `(SELECT json_agg(a.attname ORDER BY k.n)::text
    FROM unnest(con.${keys}) WITH ORDINALITY AS k(attnum, n)
    JOIN pg_catalog.pg_attribute a ON a.attrelid = con.${rel} AND a.attnum = k.attnum)`

const CONSTRAINTS_SQL = `SELECT con.contype AS type, c.relname AS table_name,
  ${keyColumns('conkey', 'conrelid')} AS columns,
  fn.nspname AS ref_schema, fc.relname AS ref_table,
  ${keyColumns('confkey', 'confrelid')} AS ref_columns
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
WHERE n.nspname = $1 AND con.contype IN ('p', 'f')
ORDER BY c.relname, con.conname`

/** PostgreSQL's catalog (pg_catalog): one query each for tables, columns and key constraints per schema. */
export function postgresIntrospector(connector: Connector): SourceIntrospector {
  const run = (sql: string, params: readonly unknown[] = []) => connector.execute(sqlStatement(sql, params))
  return catalogIntrospector(
    'postgres',
    async () => text((await run('SELECT current_schema() AS s'))[0]?.s) || 'public',
    async (schema): Promise<SchemaCatalog> => {
      const read = (sql: string) => run(sql, [schema])
      const [tableRows, columnRows, constraintRows] = await Promise.all([
        read(TABLES_SQL),
        read(COLUMNS_SQL),
        read(CONSTRAINTS_SQL),
      ])
      const tables: TableRef[] = tableRows.map((r) => ({ schema, name: text(r.name) }))
      const columns = new Map<string, ColumnInfo[]>()
      for (const r of columnRows) {
        pushTo(columns, text(r.table_name), {
          name: text(r.column_name),
          type: text(r.data_type),
          kind: postgresKind(text(r.category), text(r.type_name)),
          nullable: r.nullable === true || r.nullable === 't',
        })
      }
      const primaryKeys = new Map<string, string[]>()
      const foreignKeys = new Map<string, ForeignKeyInfo[]>()
      for (const r of constraintRows) {
        const cols = JSON.parse(text(r.columns) || '[]') as string[]
        if (text(r.type) === 'p') primaryKeys.set(text(r.table_name), cols)
        else {
          const referencedColumns = JSON.parse(text(r.ref_columns) || '[]') as string[]
          const references = { schema: text(r.ref_schema), name: text(r.ref_table) }
          pushTo(foreignKeys, text(r.table_name), { columns: cols, references, referencedColumns })
        }
      }
      return { tables, columns, primaryKeys, foreignKeys }
    },
    postgresName,
  )
}

/** A column's kind from its type category (pg_type.typcategory) and name. */
export function postgresKind(category: string, typeName: string): ColumnKind {
  switch (category) {
    case 'N':
      return typeName === 'oid' || typeName.startsWith('reg') ? 'other' : 'number'
    case 'B':
      return 'boolean'
    case 'D':
      // date, timestamp, timestamptz; a time of day (time, timetz) has no calendar granularity.
      return typeName === 'time' || typeName === 'timetz' ? 'string' : 'time'
    case 'S':
    case 'E':
    case 'I':
    case 'T':
      return 'string'
    case 'U':
      return typeName === 'uuid' ? 'string' : 'other'
    default:
      return 'other'
  }
}
