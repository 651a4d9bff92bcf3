/**
 * The session settings every statement of the PostgreSQL connector depends on, and how each statement
 * gets them (docs/security.md, "Shared pools"; src/connectors/CONTEXT.md).
 *
 * - TimeZone 'UTC': `timestamp` columns are cast to timestamptz in the session's zone, and timestamptz
 *   values come back as text in it.
 * - DateStyle 'ISO': timestamps come back as PostgreSQL's text (time measures are returned as is).
 * - search_path, when the connector has `searchPath`: unqualified table names resolve in it.
 *
 * A pool the connector created is its own: the settings are sent once on each new connection. On a
 * connection the host owns (`existingPool`, `knex`) anyone may have changed them since Cortex last used
 * it (another tenant's connector, the host's own code), so every statement carries them: a
 * transaction-local `set_config()` written in the same round trip, ahead of the statement, so that it
 * is in force when the statement is parsed and ends with it, leaving the host's session as it was.
 */

/** One statement to run with its bound values. */
export interface SessionStatement {
  readonly text: string
  readonly values: readonly string[]
}

export interface SessionSettings {
  /** Sent once on each new connection of a pool the connector owns (simple protocol). */
  readonly once: string
  /** Sent ahead of every statement on a connection the host owns (transaction-local). */
  readonly perStatement: SessionStatement
}

/** The settings for a connector with this search path (schema names, quoted here as identifiers). */
export function sessionSettings(searchPath: readonly string[] | undefined): SessionSettings {
  const path = searchPath?.map(quoteIdentifier).join(', ')
  const once = `SET TIME ZONE 'UTC'; SET DateStyle = 'ISO'${path === undefined ? '' : `; SET search_path TO ${path}`}`
  const calls = ["set_config('TimeZone', 'UTC', true)", "set_config('DateStyle', 'ISO', true)"]
  if (path !== undefined) calls.push("set_config('search_path', $1, true)")
  return { once, perStatement: { text: `SELECT ${calls.join(', ')}`, values: path === undefined ? [] : [path] } }
}

/** A PostgreSQL identifier, always quoted: embedded quotes doubled, so any name is one identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

/** The slice of pg's `Connection` that pg's own Query and pg-cursor use to send extended-protocol messages. */
interface ProtocolConnection {
  parse(message: { text: string }): void
  bind(message: { values: readonly unknown[] }): void
  execute(message: object): void
  readonly stream: { cork?(): void; uncork?(): void }
}

/** What pg's Client calls on a submitted query (pg's `Query`, pg-cursor's `Cursor`). */
export interface Submittable {
  submit(connection: never): Error | null | undefined
  handleDataRow(message: never): void
  handleCommandComplete(message: never, connection: never): void
}
/** A mixin's base: TypeScript requires a constructor taking `any[]` (TS2545), so `any` stays here. */
// biome-ignore lint/suspicious/noExplicitAny: a mixin constructor must take any[] (TypeScript's rule, TS2545)
export type SubmittableClass = abstract new (...args: any[]) => Submittable

/**
 * `Base` (pg's Query or pg-cursor's Cursor) with `prefix` written ahead of it, in the same write and the
 * same round trip: Parse, Bind and Execute of the prefix (no Sync, so it runs in the statement's
 * implicit transaction), then the statement's own messages. The prefix's row and command-complete
 * messages are consumed here; everything after them is the statement's. An error in the prefix fails
 * the statement, as pg reports any error.
 *
 * The statement is always sent with the extended protocol (a simple-protocol Query message after an
 * unsynced Execute would not be one round trip of the same transaction). pg refuses a statement without
 * text or with values that are not an array before writing anything; such a statement is handed to pg
 * as it is, so it is refused the same way and nothing is left unsynced on the connection.
 */
export function withSessionPrefix<T extends SubmittableClass>(Base: T, prefix: SessionStatement): T {
  abstract class Prefixed extends Base {
    /** Prefix statements whose CommandComplete has not arrived: rows and completions until then are theirs. */
    #pending = 0

    override submit(connection: never): Error | null | undefined {
      const self = this as unknown as { text?: unknown; values?: unknown; name?: unknown }
      const refused = typeof self.text !== 'string' || (self.values != null && !Array.isArray(self.values)) || self.name
      if (refused) return super.submit(connection)
      const con = connection as ProtocolConnection
      // Fail closed if pg's connection ever lacks these (ADR 10): never run the statement without its settings.
      if (typeof con.parse !== 'function' || typeof con.bind !== 'function' || typeof con.execute !== 'function') {
        return new Error('This pg version cannot send session settings ahead of a statement; see ADR 10.')
      }
      con.stream.cork?.()
      try {
        con.parse({ text: prefix.text })
        con.bind({ values: prefix.values })
        con.execute({})
        this.#pending = 1
        return super.submit(connection)
      } finally {
        con.stream.uncork?.()
      }
    }

    /** pg's Query sends statements without values with the simple protocol; the prefix needs the extended one. */
    requiresPreparation(): boolean {
      return true
    }

    override handleDataRow(message: never): void {
      if (this.#pending === 0) super.handleDataRow(message)
    }

    override handleCommandComplete(message: never, connection: never): void {
      if (this.#pending > 0) this.#pending--
      else super.handleCommandComplete(message, connection)
    }
  }
  return Prefixed as unknown as T
}
