import type { DuckDBConnectionLike, DuckDBInstanceLike } from '../connectors/duckdb-connector.js'
import { duckdb, loadDriver } from '../connectors/duckdb-connector.js'
import type { Connector, ExecuteOptions } from '../connectors/connector.js'
import { doubleQuote } from '../sql/dialect.js'
import type { ColumnType } from './column-types.js'
import type { StoreValue, TableStore, TableWriter } from './table-store.js'

const DECLARED: Readonly<Record<ColumnType, string>> = {
  integer: 'BIGINT',
  number: 'DOUBLE',
  boolean: 'BOOLEAN',
  // Stored time text is UTC wall-clock time ('YYYY-MM-DD HH:MM:SS[.SSS]'): a TIMESTAMP, as the dialect expects.
  time: 'TIMESTAMP',
  text: 'VARCHAR',
}

/** The slice of @duckdb/node-api's DuckDBAppender the store uses. */
interface Appender {
  appendDouble(value: number): void
  appendBoolean(value: boolean): void
  appendVarchar(value: string): void
  appendNull(): void
  endRow(): void
  flushSync(): void
  closeSync(): void
}

interface AdminConnection extends DuckDBConnectionLike {
  run(sql: string): Promise<unknown>
  createAppender(table: string): Promise<Appender>
}

type Append = (appender: Appender, value: StoreValue) => void

const APPEND: Readonly<Record<ColumnType, Append>> = {
  integer: (a, v) => a.appendDouble(Number(v)),
  number: (a, v) => a.appendDouble(Number(v)),
  boolean: (a, v) => a.appendBoolean(v === 1 || v === '1'),
  time: (a, v) => a.appendVarchar(String(v)),
  text: (a, v) => a.appendVarchar(String(v)),
}

/**
 * Tables in one in-memory DuckDB database (@duckdb/node-api), queried through the DuckDB connector: the
 * same loader as SQLite's (readers, inference, conversion, errors), rows appended with DuckDB's appender
 * into typed columns (BIGINT, DOUBLE, BOOLEAN, TIMESTAMP, VARCHAR).
 *
 * Each load writes a new physical table (`orders__v7`) on a connection of its own; the name the model
 * uses is a view, replaced by one `CREATE OR REPLACE VIEW` when the load commits, so a statement sees one
 * version whole (DuckDB's catalog is transactional). DDL is asynchronous: rows that arrive before the
 * physical table exists wait in a buffer (a chunk or two of the source). A replaced table is dropped once
 * no statement or stream that started before the swap is still running (every statement holds a lease).
 */
export function duckdbTableStore(): TableStore {
  const driver = loadDriver()
  const opened = driver.DuckDBInstance.create(':memory:')
  // An unhandled rejection must not escape before the first statement awaits it.
  opened.catch(() => undefined)
  const instance: DuckDBInstanceLike = { connect: async () => (await opened).connect() }
  const inner = duckdb({ instance })
  let versions = 0
  let epoch = 0
  let closed = false
  const current = new Map<string, string>()
  const leases = new Set<{ readonly epoch: number }>()
  const retired: { readonly physical: string; readonly lastEpoch: number }[] = []
  let dropping = false

  const admin = async (): Promise<AdminConnection> => (await (await opened).connect()) as AdminConnection
  const sweep = (): void => {
    if (dropping || closed) return
    let oldest = Number.POSITIVE_INFINITY
    for (const l of leases) oldest = Math.min(oldest, l.epoch)
    const ready = retired.filter((r) => r.lastEpoch < oldest)
    if (ready.length === 0) return
    dropping = true
    for (const r of ready) retired.splice(retired.indexOf(r), 1)
    void (async () => {
      const conn = await admin()
      try {
        for (const r of ready) await conn.run(`DROP TABLE IF EXISTS ${doubleQuote(r.physical)}`)
      } finally {
        conn.closeSync?.()
      }
    })()
      .catch(() => undefined)
      .finally(() => {
        dropping = false
      })
  }
  const lease = (): (() => void) => {
    const l = { epoch }
    leases.add(l)
    let released = false
    return () => {
      if (released) return
      released = true
      leases.delete(l)
      sweep()
    }
  }

  // Every statement holds a lease while it runs: a table it may read is dropped only after it ends.
  const connector: Connector = {
    ...inner,
    async execute(statement: Parameters<Connector['execute']>[0], options?: ExecuteOptions) {
      const release = lease()
      try {
        return await inner.execute(statement, options)
      } finally {
        release()
      }
    },
  } as Connector

  return {
    connector,
    create(table, columns) {
      const physical = `${table}__v${++versions}`
      const qPhysical = doubleQuote(physical)
      const appends = columns.map((c) => APPEND[c.type])
      const width = columns.length
      let appender: Appender | undefined
      let conn: AdminConnection | undefined
      let buffered: StoreValue[][] | undefined = []
      let rows = 0
      let done = false
      const appendRow = (a: Appender, values: readonly StoreValue[]): void => {
        for (let i = 0; i < width; i++) {
          const v = values[i]
          if (v === null || v === undefined) a.appendNull()
          else appends[i]!(a, v)
        }
        a.endRow()
      }
      const ready = (async () => {
        conn = await admin()
        const ddl = columns.map((c) => `${doubleQuote(c.name)} ${DECLARED[c.type]}`).join(', ')
        await conn.run(`CREATE TABLE ${qPhysical} (${ddl})`)
        const a = await conn.createAppender(physical)
        for (const values of buffered!) appendRow(a, values)
        buffered = undefined
        appender = a
      })()
      ready.catch(() => undefined)
      const finish = (): void => {
        try {
          appender?.closeSync()
        } catch {
          // already closed or failed: nothing more to write
        }
        appender = undefined
        conn?.closeSync?.()
      }
      const writer: TableWriter = {
        get rows() {
          return rows
        },
        insert(values) {
          rows++
          if (appender) appendRow(appender, values)
          else buffered?.push(values.slice(0, width))
        },
        async commit(indexes = []) {
          if (done) return
          done = true
          try {
            await ready
            appender!.flushSync()
            appender!.closeSync()
            appender = undefined
            for (const [i, cols] of indexes.entries()) {
              await conn!.run(
                `CREATE INDEX ${doubleQuote(`${physical}_i${i}`)} ON ${qPhysical} (${cols.map(doubleQuote).join(', ')})`,
              )
            }
            await conn!.run(`CREATE OR REPLACE VIEW ${doubleQuote(table)} AS SELECT * FROM ${qPhysical}`)
          } catch (error) {
            finish()
            retired.push({ physical, lastEpoch: -1 })
            sweep()
            throw error
          }
          finish()
          const key = table.toLowerCase()
          const previous = current.get(key)
          current.set(key, physical)
          const lastEpoch = epoch++
          if (previous !== undefined) retired.push({ physical: previous, lastEpoch })
          sweep()
        },
        abort() {
          if (done) return
          done = true
          buffered = undefined
          void ready.then(finish, finish)
          // Never visible to any statement: dropped when the sweep next runs.
          retired.push({ physical, lastEpoch: -1 })
          void ready.then(sweep, sweep)
        },
      }
      return writer
    },
    lease,
    async close() {
      closed = true
      await inner.close()
      const db = await opened.catch(() => undefined)
      db?.closeSync?.()
    },
  }
}
