/**
 * The PostgreSQL connector's uses of pg internals, each behind a version pin and a feature probe, each
 * with a documented-API path it falls back to (src/connectors/CONTEXT.md, "Driver internals"; ADR 8–10):
 *
 * - `mappedRows` (ADR 9): a subclass of pg's `Query` whose `handleRowDescription`/`handleDataRow` map
 *   each pg-protocol DataRow as it arrives. Fallback: `client.query({ rowMode: 'array' })` (pg's
 *   documented API), then each row mapped in place.
 * - `sessionPrefix` (ADR 10): session settings written ahead of every statement on a host's connection,
 *   through pg's `Connection.parse/bind/execute` and the submittable's row and completion handlers.
 *   Fallback: the statement inside `BEGIN` … `COMMIT` after a transaction-local `set_config()`, three
 *   round trips more, with the same guarantee (the host's session keeps its own settings).
 * - `knexDispose`: marking a broken connection borrowed from knex with knex's `__knex__disposed` flag.
 *   Fallback: ending the connection with pg's `end()`, after which knex discards it.
 */
import { createRequire } from 'node:module'
import { describeRange, inRange, installedVersion, resolvedPath, type VersionRange } from './driver-support.js'
import type { SessionStatement, SubmittableClass } from './postgres-session.js'

/** pg's `Query` (a submittable); the mapped rows extend it and overrides the two handlers that receive rows. */
export interface PgQueryLike {
  on(event: 'end', listener: (result: { rows: unknown[] }) => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
  /** pg-protocol's RowDescription: one entry per column, with its type oid and format. */
  handleRowDescription(message: { fields: readonly { dataTypeID: number; format?: string }[] }): void
  /** pg-protocol's DataRow: one new array per row, each value a column's text (null for NULL). */
  handleDataRow(message: { fields: unknown[] }): void
}
export type PgQueryConfig = { text: string; values?: unknown[]; types?: unknown; rowMode?: 'array' }
export type PgQueryConstructor = new (config: PgQueryConfig) => PgQueryLike & InstanceType<SubmittableClass>
export type TypeParsers = { getTypeParser(oid: number, format?: string): (value: string) => unknown }

/** pg versions the internals were tested with (8.23.1) and are used on. */
export const PG_TESTED: VersionRange = { min: '8.11.0', below: '9.0.0' }
/** pg-protocol (pg's own dependency) versions whose message shapes the mapped rows read (tested: 1.16.1). */
export const PG_PROTOCOL_TESTED: VersionRange = { min: '1.6.0', below: '2.0.0' }
/** knex versions whose `__knex__disposed` flag is set (tested: 3.3.0). */
export const KNEX_TESTED: VersionRange = { min: '3.0.0', below: '4.0.0' }

export interface PgVersions {
  readonly pg: string | undefined
  readonly pgProtocol: string | undefined
  readonly knex: string | undefined
}

/** The installed versions as this package resolves them (pg-protocol as pg resolves it). */
export function installedPgVersions(): PgVersions {
  const pgPath = resolvedPath('pg')
  return {
    pg: installedVersion('pg'),
    pgProtocol: pgPath === undefined ? undefined : installedVersion('pg-protocol', pgPath),
    knex: installedVersion('knex'),
  }
}

export interface PgFastPaths {
  readonly mappedRows: boolean
  readonly sessionPrefix: boolean
  readonly knexDispose: boolean
}

/** The slice of the pg module the probes read. */
interface PgModuleLike {
  readonly Query?: { readonly prototype?: Record<string, unknown> }
  readonly Connection?: { readonly prototype?: Record<string, unknown> }
}

/**
 * Which internals this connector uses: none with `enabled: false` (the connector's `fastPaths` option);
 * else each one whose versions are pinned and whose probe passes.
 */
export function pgFastPaths(pg: PgModuleLike, versions: PgVersions, enabled: boolean): PgFastPaths {
  const pinned = enabled && inRange(versions.pg, PG_TESTED) && inRange(versions.pgProtocol, PG_PROTOCOL_TESTED)
  const query = pg.Query?.prototype
  const connection = pg.Connection?.prototype
  const fn = (o: Record<string, unknown> | undefined, names: readonly string[]): boolean =>
    o !== undefined && names.every((n) => typeof o[n] === 'function')
  const rowHandlers = pinned && fn(query, ['handleRowDescription', 'handleDataRow']) && protocolShapesHold()
  return {
    mappedRows: rowHandlers,
    sessionPrefix:
      rowHandlers && fn(query, ['submit', 'handleCommandComplete']) && fn(connection, ['parse', 'bind', 'execute']),
    knexDispose: enabled && inRange(versions.knex, KNEX_TESTED),
  }
}

/** Why internals are off, for docs and tests: the pins as text. */
export const PG_PINS = `pg ${describeRange(PG_TESTED)}, pg-protocol ${describeRange(PG_PROTOCOL_TESTED)}`

/**
 * pg-protocol (as pg resolves it) builds the messages the mapped rows read in the shapes they read:
 * RowDescription with `fields` of `dataTypeID` and `format`, DataRow with a `fields` array of text.
 */
function protocolShapesHold(): boolean {
  try {
    const pgPath = resolvedPath('pg')
    const messagesPath = pgPath && resolvedPath('pg-protocol/dist/messages', pgPath)
    if (!messagesPath) return false
    // Loaded from pg's own location, as pg loads it.
    const messages = createRequire(import.meta.url)(messagesPath) as {
      Field: new (...args: unknown[]) => { dataTypeID?: unknown; format?: unknown }
      RowDescriptionMessage: new (length: number, count: number) => { fields?: unknown }
      DataRowMessage: new (length: number, fields: unknown[]) => { fields?: unknown }
    }
    const field = new messages.Field('a', 0, 0, 23, 4, -1, 'text')
    const description = new messages.RowDescriptionMessage(0, 1)
    const fields = ['1']
    const row = new messages.DataRowMessage(0, fields)
    return (
      field.dataTypeID === 23 && field.format === 'text' && Array.isArray(description.fields) && row.fields === fields
    )
  } catch {
    return false
  }
}

/** The slice of a pg client the transaction fallback uses (documented API only). */
interface QueryClient {
  query(config: { text: string; values?: unknown[] }): Promise<unknown>
}

/** Whether a host's client (possibly another copy of pg) has the connection methods the prefix writes with. */
export function prefixable(client: object): boolean {
  const con = (client as { connection?: Record<string, unknown> }).connection
  return typeof con?.parse === 'function' && typeof con.bind === 'function' && typeof con.execute === 'function'
}

/** The fallback's start: a transaction whose settings are `settings`, transaction-local. */
export async function beginSession(client: QueryClient, settings: SessionStatement): Promise<void> {
  await client.query({ text: 'BEGIN' })
  await client.query({ text: settings.text, values: [...settings.values] })
}

/** The fallback's end: COMMIT after success, else ROLLBACK; false when the connection could not end it. */
export async function endSession(client: QueryClient, ok: boolean): Promise<boolean> {
  try {
    await client.query({ text: ok ? 'COMMIT' : 'ROLLBACK' })
    return true
  } catch {
    return false
  }
}

/**
 * pg's `Query` with its row handling replaced, for `execute` with `map`. pg would parse each row into an
 * array of its own and emit it as a 'row' event; here the DataRow message's array (pg-protocol builds
 * a new one per row and keeps no reference) has its values parsed in place with the same type parsers
 * and goes straight to `map`, so each row costs one array fewer and no event. Everything else (sending
 * the statement, errors, the end of the result) is pg's. A throwing parser or map is remembered and
 * later rows are skipped, but the statement is read to its end, so the connection stays in step with
 * the server.
 */
export function mappedQueryClass(Query: PgQueryConstructor) {
  // Private (#) fields: pg's Query keeps its own state in plain properties (`rows`, `types`, ...), which
  // fields of the same name would overwrite.
  return class MappedQuery extends Query {
    readonly #types: TypeParsers
    readonly #map: (row: unknown[]) => unknown
    readonly #rows: unknown[] = []
    #parsers: ((text: string) => unknown)[] = []
    #failure: { error: unknown; parsing: boolean } | undefined

    constructor(config: PgQueryConfig, types: TypeParsers, map: (row: unknown[]) => unknown) {
      super(config)
      this.#types = types
      this.#map = map
    }

    /** After 'end': the mapped rows, or the first parser or map failure. */
    outcome():
      | { rows: unknown[]; failure?: undefined }
      | { rows?: undefined; failure: { error: unknown; parsing: boolean } } {
      return this.#failure ? { failure: this.#failure } : { rows: this.#rows }
    }

    override handleRowDescription(message: Parameters<PgQueryLike['handleRowDescription']>[0]): void {
      super.handleRowDescription(message)
      this.#parsers = message.fields.map((field) => this.#types.getTypeParser(field.dataTypeID, field.format || 'text'))
    }

    override handleDataRow(message: Parameters<PgQueryLike['handleDataRow']>[0]): void {
      if (this.#failure) return
      const values = message.fields
      const parsers = this.#parsers
      try {
        for (let i = 0; i < values.length; i++) {
          const text = values[i]
          if (text !== null) values[i] = parsers[i]!(text as string)
        }
      } catch (error) {
        this.#failure = { error, parsing: true }
        return
      }
      try {
        this.#rows.push(this.#map(values))
      } catch (error) {
        this.#failure = { error, parsing: false }
      }
    }
  }
}
