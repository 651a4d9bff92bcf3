import { requireDriver } from '../connectors/load-driver.js'
import { sqlite, type SqliteDatabase, type SqliteStatement } from '../connectors/sqlite-connector.js'
import { doubleQuote } from '../sql/dialect.js'
import type { ColumnType } from './column-types.js'
import type { StoreValue, TableStore, TableWriter } from './table-store.js'

/** The slice of better-sqlite3 the store uses beyond what the SQLite connector needs. */
interface StoreDatabase extends SqliteDatabase {
  exec(sql: string): unknown
  unsafeMode(on: boolean): unknown
  prepare(sql: string): SqliteStatement & { run(...params: unknown[]): unknown }
}

const DECLARED: Readonly<Record<ColumnType, string>> = {
  integer: 'INTEGER',
  number: 'REAL',
  boolean: 'INTEGER',
  time: 'TEXT',
  text: 'TEXT',
}
/** SQLite's limit on bound parameters per statement (SQLITE_MAX_VARIABLE_NUMBER since 3.32). */
const MAX_PARAMS = 32_766
/** Rows per INSERT: one multi-row statement per 64 rows halved the load time of single-row inserts. */
const ROWS_PER_INSERT = 64
/** Full statements per transaction (4 096 rows of 8 columns). */
const STATEMENTS_PER_TRANSACTION = 64

/**
 * Tables in one in-memory SQLite database (better-sqlite3), queried through the SQLite connector.
 *
 * Each load writes a new physical table (`orders__v7`); the name the model uses (`orders`) is a view,
 * replaced in one transaction when the load commits. better-sqlite3 runs a statement to its end within
 * one call, so a statement sees one version whole. A stream iterates across awaits: it holds a lease,
 * and a table it may still read is emptied and dropped only when no lease from its time is left
 * (SQLite refuses DROP TABLE while any statement of the connection is running: SQLITE_LOCKED).
 * Writes while a stream iterates need better-sqlite3's unsafe mode, which only lifts its own check; the
 * writes never touch a table a running statement reads.
 */
export function sqliteTableStore(): TableStore {
  const Database = loadDriver()
  const db = new Database(':memory:')
  db.unsafeMode(true)
  const connector = sqlite({ database: db })
  let versions = 0
  let epoch = 0
  /** View name (lower case: SQLite folds ASCII case in names) → its physical table. */
  const current = new Map<string, string>()
  const leases = new Set<{ readonly epoch: number }>()
  /** Physical tables no longer behind a view; `lastEpoch`: the last epoch a statement could have started on it. */
  const retired: { readonly physical: string; readonly lastEpoch: number; emptied: boolean }[] = []

  const sweep = (): void => {
    let oldest = Number.POSITIVE_INFINITY
    for (const l of leases) oldest = Math.min(oldest, l.epoch)
    for (let i = retired.length - 1; i >= 0; i--) {
      const r = retired[i]!
      try {
        if (leases.size === 0) {
          db.exec(`DROP TABLE IF EXISTS ${doubleQuote(r.physical)}`)
          retired.splice(i, 1)
        } else if (!r.emptied && r.lastEpoch < oldest) {
          // No running stream can read it; its pages go back to the database's free list now.
          db.exec(`DELETE FROM ${doubleQuote(r.physical)}`)
          r.emptied = true
        }
      } catch {
        // A statement still running (SQLITE_LOCKED): the table stays retired and is tried again later.
      }
    }
  }

  const retire = (physical: string, lastEpoch: number): void => {
    retired.push({ physical, lastEpoch, emptied: false })
    sweep()
  }

  return {
    connector,
    create(table, columns) {
      const physical = `${table}__v${++versions}`
      const qPhysical = doubleQuote(physical)
      db.exec(
        `CREATE TABLE ${qPhysical} (${columns.map((c) => `${doubleQuote(c.name)} ${DECLARED[c.type]}`).join(', ')})`,
      )
      const width = Math.max(1, columns.length)
      const perInsert = Math.max(1, Math.min(ROWS_PER_INSERT, Math.floor(MAX_PARAMS / width)))
      const tuple = `(${Array.from({ length: width }, () => '?').join(', ')})`
      const insertOf = (n: number) =>
        db.prepare(`INSERT INTO ${qPhysical} VALUES ${Array.from({ length: n }, () => tuple).join(', ')}`)
      const full = insertOf(perInsert)
      // Rows wait in STATEMENTS_PER_TRANSACTION full statements' worth of parameters and are written in one
      // transaction: autocommitting each statement costs a transaction per 64 rows.
      const buffers: StoreValue[][] = Array.from({ length: STATEMENTS_PER_TRANSACTION }, () =>
        new Array<StoreValue>(perInsert * width).fill(null),
      )
      let filled = 0 // full statements waiting
      let pending = 0 // rows in buffers[filled]
      let rows = 0
      let done = false
      const write = (db as unknown as { transaction(fn: (n: number) => void): (n: number) => void }).transaction(
        (n: number) => {
          for (let i = 0; i < n; i++) full.run(buffers[i])
        },
      )
      const flush = (): void => {
        const last = buffers[filled]!
        if (filled > 0) write(filled)
        filled = 0
        if (pending === 0) return
        insertOf(pending).run(last.slice(0, pending * width))
        pending = 0
      }
      const writer: TableWriter = {
        get rows() {
          return rows
        },
        insert(values) {
          const buffer = buffers[filled]!
          const at = pending * width
          for (let i = 0; i < width; i++) buffer[at + i] = values[i] ?? null
          rows++
          if (++pending === perInsert) {
            pending = 0
            if (++filled === STATEMENTS_PER_TRANSACTION) {
              write(filled)
              filled = 0
            }
          }
        },
        commit(indexes = []) {
          if (done) return
          done = true
          flush()
          indexes.forEach((cols, i) => {
            db.exec(
              `CREATE INDEX ${doubleQuote(`${physical}_i${i}`)} ON ${qPhysical} (${cols.map(doubleQuote).join(', ')})`,
            )
          })
          const view = doubleQuote(table)
          const swap = (db as unknown as { transaction(fn: () => void): () => void }).transaction(() => {
            db.exec(`DROP VIEW IF EXISTS ${view}`)
            db.exec(`CREATE VIEW ${view} AS SELECT * FROM ${qPhysical}`)
          })
          swap()
          const key = table.toLowerCase()
          const previous = current.get(key)
          current.set(key, physical)
          const lastEpoch = epoch++
          if (previous !== undefined) retire(previous, lastEpoch)
        },
        abort() {
          if (done) return
          done = true
          pending = 0
          filled = 0
          // Never visible to any statement: it can be emptied at once and dropped when no stream runs.
          retire(physical, -1)
        },
      }
      return writer
    },
    lease() {
      const lease = { epoch }
      leases.add(lease)
      let released = false
      return () => {
        if (released) return
        released = true
        leases.delete(lease)
        if (db.open) sweep()
      }
    },
    async close() {
      await connector.close()
      if (db.open) db.close()
    },
  }
}

type StoreDatabaseConstructor = new (filename: string) => StoreDatabase

function loadDriver(): StoreDatabaseConstructor {
  return requireDriver(
    'better-sqlite3',
    'files() loads tables into an in-memory SQLite database and needs better-sqlite3',
  )
}
