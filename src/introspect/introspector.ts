/**
 * What model generation and the drift check need to know about a data source, behind one small
 * interface: the tables of a schema, their columns with a Cube-level kind, primary keys and foreign keys.
 * The built-in SQL sources answer from their catalogs (`introspectorFor(connector)`); another source (a
 * files connector, say) implements the same four methods and its own identifier quoting.
 */
import { SemanticLayerError } from '../errors.js'
import { sqlDialectOf, type Connector } from '../connectors/connector.js'
import { mysqlIntrospector } from './mysql-introspector.js'
import { postgresIntrospector } from './postgres-introspector.js'
import { sqliteIntrospector } from './sqlite-introspector.js'

/** How a column can be modelled: a Cube member type, or `other` (JSON, binary, arrays…: left out). */
export type ColumnKind = 'number' | 'string' | 'boolean' | 'time' | 'other'

/** A table or view. `schema` is always set by an introspector (the connection's default when not asked for). */
export interface TableRef {
  readonly schema?: string
  readonly name: string
}

export interface ColumnInfo {
  readonly name: string
  /** The database's own type, e.g. `numeric(12,2)`, `varchar(200)`, `TEXT`. */
  readonly type: string
  readonly kind: ColumnKind
  readonly nullable: boolean
}

export interface ForeignKeyInfo {
  /** The referencing columns, in key order (several for a composite key). */
  readonly columns: readonly string[]
  readonly references: TableRef
  /** The referenced columns, in the same order. */
  readonly referencedColumns: readonly string[]
}

/**
 * A source's structure, read on demand. Implementations may read a whole schema's catalog at the first
 * call and answer later calls from it; `columns` of a table that does not exist is an empty list.
 */
export interface SourceIntrospector {
  /** Which SQL the names are written for: used in messages and by the type checks of the drift check. */
  readonly engine: string
  /** Where unqualified table names resolve: PostgreSQL's current_schema(), MySQL's database, SQLite's `main`. */
  defaultSchema(): Promise<string>
  listTables(schema?: string): Promise<readonly TableRef[]>
  columns(table: TableRef): Promise<readonly ColumnInfo[]>
  primaryKey(table: TableRef): Promise<readonly string[]>
  foreignKeys(table: TableRef): Promise<readonly ForeignKeyInfo[]>
  /** A name as it must be written in SQL for this source: bare when it can be, quoted otherwise. */
  sqlName(name: string): string
  /**
   * True when values of a time member may be stored in a column of this kind besides `time` (SQLite keeps
   * dates as ISO text).
   */
  timeStoredAs?(kind: ColumnKind): boolean
}

/**
 * The catalog reader for a built-in connector's engine. Queries go through the connector (`execute`), so
 * they use its pool, session settings and error handling; nothing is written.
 *
 * @throws SemanticLayerError `UNSUPPORTED` for a connector whose dialect has no catalog reader.
 */
export function introspectorFor(connector: Connector): SourceIntrospector {
  switch (sqlDialectOf(connector, 'Introspection').name) {
    case 'sqlite':
      return sqliteIntrospector(connector)
    case 'postgres':
      return postgresIntrospector(connector)
    case 'mysql':
      return mysqlIntrospector(connector)
    default: {
      const message =
        "This connector's dialect has no catalog reader. " +
        'Pass an introspector of your own (docs/model-lifecycle.md).'
      throw new SemanticLayerError('UNSUPPORTED', [{ code: 'NO_INTROSPECTOR', path: ['connector'], message }])
    }
  }
}

/** `schema.table` for messages (names only, no values). */
export function tableLabel(table: TableRef): string {
  return table.schema === undefined ? table.name : `${table.schema}.${table.name}`
}

/** Per-schema catalog snapshots, each read once (concurrent first calls share the read). */
export class SchemaCache<T> {
  private readonly entries = new Map<string, Promise<T>>()
  constructor(private readonly read: (schema: string) => Promise<T>) {}

  get(schema: string): Promise<T> {
    let entry = this.entries.get(schema)
    if (!entry) {
      entry = this.read(schema)
      entry.catch(() => this.entries.delete(schema))
      this.entries.set(schema, entry)
    }
    return entry
  }
}

/** A catalog of one schema: every table's columns, primary key and foreign keys. */
export interface SchemaCatalog {
  readonly tables: readonly TableRef[]
  readonly columns: ReadonlyMap<string, readonly ColumnInfo[]>
  readonly primaryKeys: ReadonlyMap<string, readonly string[]>
  readonly foreignKeys: ReadonlyMap<string, readonly ForeignKeyInfo[]>
}

/** An introspector over whole-schema catalog reads (PostgreSQL and MySQL read a schema in three queries). */
export function catalogIntrospector(
  engine: string,
  defaultSchema: () => Promise<string>,
  readCatalog: (schema: string) => Promise<SchemaCatalog>,
  sqlName: (name: string) => string,
): SourceIntrospector {
  let schemaPromise: Promise<string> | undefined
  const schemaOf = (schema: string | undefined): Promise<string> =>
    schema !== undefined ? Promise.resolve(schema) : (schemaPromise ??= defaultSchema())
  const catalogs = new SchemaCache(readCatalog)
  const catalogOf = async (table: TableRef): Promise<SchemaCatalog> => catalogs.get(await schemaOf(table.schema))
  return {
    engine,
    defaultSchema: () => schemaOf(undefined),
    listTables: async (schema) => (await catalogs.get(await schemaOf(schema))).tables,
    columns: async (table) => (await catalogOf(table)).columns.get(table.name) ?? [],
    primaryKey: async (table) => (await catalogOf(table)).primaryKeys.get(table.name) ?? [],
    foreignKeys: async (table) => (await catalogOf(table)).foreignKeys.get(table.name) ?? [],
    sqlName,
  }
}

/** Append to a list in a map of lists. */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

/** A catalog value as text (drivers may hand back Buffers for some information_schema columns). */
export function text(value: unknown): string {
  if (typeof value === 'string') return value
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8')
  return value === null || value === undefined ? '' : String(value)
}
