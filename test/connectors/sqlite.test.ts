/**
 * The SQLite connector's row forms: `execute` (objects keyed by column alias), `executeArrays`
 * (arrays in SELECT-list order, better-sqlite3's raw mode) and `executeMapped` (those arrays, each
 * replaced by what the caller's map returns), which share prepared statements per SQL text.
 */
import Database from 'better-sqlite3'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { isSemanticLayerError, type SemanticLayerError } from '../../src/errors.js'
import { sqlite } from '../../src/sqlite.js'
import { sqlStatement } from '../../src/connectors/connector.js'

const opened: Database.Database[] = []
afterEach(() => {
  for (const db of opened.splice(0)) db.close()
})

function database(): Database.Database {
  const db = new Database(':memory:')
  opened.push(db)
  db.exec(
    "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, amount REAL, at TEXT); INSERT INTO t VALUES (1, 'a', 1.5, '2024-01-01 00:00:00'), (2, NULL, 2, '2024-02-01 00:00:00'), (3, 'c', NULL, '2024-03-01 00:00:00')",
  )
  return db
}

async function rejection(promise: Promise<unknown>): Promise<SemanticLayerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isSemanticLayerError(error)) throw new Error(`expected a SemanticLayerError, got ${String(error)}`)
  return error
}

describe('sqlite connector: executeArrays', () => {
  it('returns the same values as execute, as arrays in SELECT-list order, and neither form leaks into the other', async () => {
    const c = sqlite({ database: database() })
    const sql = 'SELECT id, name, amount, at, ? AS tag FROM t WHERE id >= ? ORDER BY id'
    const objects = await c.execute(sqlStatement(sql, ['x', 1]))
    const arrays = await c.execute(sqlStatement(sql, ['x', 1]), { rows: 'arrays' })
    expect(arrays).toEqual([
      [1, 'a', 1.5, '2024-01-01 00:00:00', 'x'],
      [2, null, 2, '2024-02-01 00:00:00', 'x'],
      [3, 'c', null, '2024-03-01 00:00:00', 'x'],
    ])
    expect(arrays).toEqual(objects.map((row) => Object.values(row)))
    // The same SQL text again in both forms: raw mode is a property of a prepared statement.
    expect(await c.execute(sqlStatement(sql, ['x', 1]))).toEqual(objects)
    expect(await c.execute(sqlStatement(sql, ['x', 1]), { rows: 'arrays' })).toEqual(arrays)
    expect(await c.execute(sqlStatement('SELECT 1 AS a, 2 AS a', []), { rows: 'arrays' })).toEqual([[1, 2]])
    await c.close()
  })

  it('runs while a stream of the same statement is open', async () => {
    const c = sqlite({ database: database() })
    const sql = 'SELECT id FROM t ORDER BY id'
    const streamed: unknown[] = []
    for await (const row of c.stream(sqlStatement(sql, []))) {
      streamed.push(row)
      if (streamed.length === 1)
        expect(await c.execute(sqlStatement(sql, []), { rows: 'arrays' })).toEqual([[1], [2], [3]])
    }
    expect(streamed).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }])
    await c.close()
  })

  it('fails like execute: QUERY_CANCELLED before it starts, CONNECTOR_FAILED for bad SQL (no values in the message)', async () => {
    const c = sqlite({ database: database() })
    expect(
      (await rejection(c.execute(sqlStatement('SELECT 1', []), { ...{ signal: AbortSignal.abort() }, rows: 'arrays' })))
        .code,
    ).toBe('QUERY_CANCELLED')
    const secret = 'secret-value-7d1'
    const error = await rejection(
      c.execute(sqlStatement('SELECT nope FROM t WHERE name = ?', [secret]), { rows: 'arrays' }),
    )
    expect([error.code, error.issues[0]!.code]).toEqual(['CONNECTOR_FAILED', 'SQLITE_ERROR'])
    expect(error.message).toContain('no such column: nope')
    expect(JSON.stringify(error)).not.toContain(secret)
    // A statement that returns no data cannot be read as arrays: a typed error, not a crash.
    expect((await rejection(c.execute(sqlStatement('CREATE TABLE u (x)', []), { rows: 'arrays' }))).code).toBe(
      'CONNECTOR_FAILED',
    )
    await c.close()
  })
})

describe('sqlite connector: executeMapped', () => {
  it('maps every row in order, leaves later executeArrays results intact, and fails like executeArrays', async () => {
    const c = sqlite({ database: database() })
    const sql = 'SELECT id, name, amount, at, ? AS tag FROM t WHERE id >= ? ORDER BY id'
    const arrays = await c.execute(sqlStatement(sql, ['x', 1]), { rows: 'arrays' })
    const indexes: number[] = []
    const mapped = await c.execute(sqlStatement(sql, ['x', 1]), {
      map: (row) => (indexes.push(row[0] as number), { id: row[0], rest: row.slice(1) }),
    })
    expect(mapped).toEqual(arrays.map((row) => ({ id: row[0], rest: row.slice(1) })))
    expect(indexes).toEqual([1, 2, 3])
    // The arrays executeArrays returned are not the ones executeMapped replaced.
    expect(await c.execute(sqlStatement(sql, ['x', 1]), { rows: 'arrays' })).toEqual(arrays)
    expect(
      (
        await rejection(
          c.execute(sqlStatement('SELECT 1', []), { signal: AbortSignal.abort(), map: (row: unknown) => row }),
        )
      ).code,
    ).toBe('QUERY_CANCELLED')
    const secret = 'secret-value-9c2'
    const error = await rejection(
      c.execute(sqlStatement('SELECT nope FROM t WHERE name = ?', [secret]), { map: (row) => row }),
    )
    expect([error.code, error.issues[0]!.code]).toEqual(['CONNECTOR_FAILED', 'SQLITE_ERROR'])
    expect(JSON.stringify(error)).not.toContain(secret)
    // A map that throws on a row's value: typed, the value only in the cause.
    const failing = await rejection(
      c.execute(sqlStatement('SELECT id, ? AS v FROM t', [secret]), {
        map: (row) => {
          throw new Error(`bad ${String(row[1])}`)
        },
      }),
    )
    expect([failing.code, failing.issues[0]!.code]).toEqual(['CONNECTOR_FAILED', 'ROW_MAP_FAILED'])
    expect(failing.message).not.toContain(secret)
    expect((failing.cause as Error).message).toBe(`bad ${secret}`)
    await c.close()
  })
})

describe('sqlite connector: opening a file', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })
  const scratchDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'cortex-sqlite-'))
    dirs.push(dir)
    return dir
  }

  it('refuses a file that does not exist, naming it, and does not create it (read-write and read-only)', async () => {
    const file = join(scratchDir(), 'shop.db')
    for (const options of [{ filename: file }, { filename: file, readonly: true }]) {
      const c = sqlite(options)
      const error = await rejection(c.execute(sqlStatement('SELECT 1 AS x', [])))
      expect(error.code).toBe('CONNECTOR_FAILED')
      expect(error.issues).toEqual([
        {
          code: 'SQLITE_FILE_NOT_FOUND',
          path: ['filename'],
          message: expect.stringContaining(`No SQLite database at ${file}.`),
        },
      ])
      expect(error.issues[0]!.message).toMatch(/pass create: true/)
      expect(existsSync(file)).toBe(false)
      expect(await c.healthCheck!()).toMatchObject({ ok: false, error: expect.stringContaining(file) })
      await c.close()
    }
  })

  it('resolves a relative filename against the current directory in the message', async () => {
    const error = await rejection(
      sqlite({ filename: 'no-such-dir/no-such.db' }).execute(sqlStatement('SELECT 1 AS x', [])),
    )
    expect(error.issues[0]!.message).toContain(
      `No SQLite database at ${join(process.cwd(), 'no-such-dir/no-such.db')}.`,
    )
  })

  it('creates an empty database with create: true, and opens an existing file without it', async () => {
    const file = join(scratchDir(), 'new.db')
    const created = sqlite({ filename: file, create: true })
    expect(await created.execute(sqlStatement('SELECT 1 AS x', []))).toEqual([{ x: 1 }])
    await created.close()
    expect(existsSync(file)).toBe(true)
    const reopened = sqlite({ filename: file, readonly: true })
    expect(
      await reopened.execute(sqlStatement("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'", [])),
    ).toEqual([{ n: 0 }])
    await reopened.close()
  })

  it("keeps ':memory:' and '' (a private temporary database) working without create", async () => {
    for (const filename of [':memory:', '']) {
      const c = sqlite({ filename })
      expect(await c.execute(sqlStatement('SELECT 2 AS x', []))).toEqual([{ x: 2 }])
      await c.close()
    }
  })

  it('names a file that exists but cannot be opened (a folder) as SQLITE_OPEN_FAILED', async () => {
    const dir = scratchDir()
    const error = await rejection(sqlite({ filename: dir }).execute(sqlStatement('SELECT 1 AS x', [])))
    expect(error.issues).toEqual([
      {
        code: 'SQLITE_OPEN_FAILED',
        path: ['filename'],
        message: expect.stringContaining(`Could not open the SQLite database ${dir}: `),
      },
    ])
  })

  it('rejects contradictory or mistyped options when the connector is made', () => {
    const config = (options: unknown): SemanticLayerError => {
      try {
        sqlite(options as Parameters<typeof sqlite>[0])
      } catch (error) {
        if (isSemanticLayerError(error)) return error
      }
      throw new Error('expected CONFIG_INVALID')
    }
    expect(config({ filename: 'x.db', create: true, readonly: true }).issues.map((i) => i.path)).toEqual([['create']])
    expect(config({ filename: 42 }).issues.map((i) => i.path)).toEqual([['filename']])
    expect(config({ filename: 'x.db', create: 'yes', timeoutMs: -1 }).issues.map((i) => i.path)).toEqual([
      ['create'],
      ['timeoutMs'],
    ])
  })
})
