/**
 * generateModel() on SQLite: the e-commerce dataset and tables whose names need quoting round-trip into
 * a model that loads from disk, compiles and answers like hand-written SQL; what cannot be modelled is
 * left out with a warning that says why.
 */
import Database from 'better-sqlite3'
import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { createEcommerceSqlite } from '../../examples/ecommerce/generate.mjs'
import { generateModel } from '../../src/introspect/generate-model.js'
import { sqliteKind } from '../../src/introspect/sqlite-introspector.js'
import { compileModel, createSemanticLayer, loadModel, type SemanticLayer } from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'
import { expectRoundTrip, insertQuotedSqlite, writeModel } from './generate-fixture.js'

let db: Database.Database
beforeAll(() => {
  db = new Database(':memory:')
  createEcommerceSqlite(db)
  insertQuotedSqlite(db)
})
afterAll(() => db.close())

describe('generateModel on SQLite', () => {
  let dir: string
  let layer: SemanticLayer
  let files: readonly { path: string; content: string }[]
  beforeAll(async () => {
    ;({ files } = await generateModel({ connector: sqlite({ database: db }) }))
    dir = writeModel(files)
    layer = createSemanticLayer({ model: await loadModel(dir), connectors: { default: sqlite({ database: db }) } })
  })
  afterAll(async () => {
    await layer.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('writes one file per table, and the folder loads and compiles', async () => {
    expect(files.map((f) => f.path)).toEqual([
      'Order_Notes.yml',
      'customers.yml',
      'line_items.yml',
      'order_items.yml',
      'orders.yml',
      'products.yml',
    ])
    const compiled = compileModel(await loadModel(dir))
    expect(Object.keys(compiled.cubes).sort()).toEqual([
      'Order_Notes',
      'customers',
      'line_items',
      'order_items',
      'orders',
      'products',
    ])
  })

  it('answers count, sums, joins, a time dimension and quoted names like hand-written SQL', async () => {
    await expectRoundTrip(layer, db)
  })

  it('maps keys, foreign keys, numbers, text, dates and booleans to the documented members', () => {
    const orders = parse(files.find((f) => f.path === 'orders.yml')!.content).cubes[0]
    expect(orders.sql_table).toBe('orders')
    expect(orders.joins).toEqual([
      { name: 'customers', relationship: 'many_to_one', sql: '{CUBE}.customer_id = {customers}.id' },
    ])
    expect(orders.dimensions.map((d: { name: string; type: string }) => `${d.name}:${d.type}`)).toEqual([
      'id:number',
      'customer_id:number',
      'status:string',
      'note:string',
      'created_at:time',
      'shipped_at:time',
    ])
    expect(orders.dimensions[0].primary_key).toBe(true)
    expect(orders.measures).toEqual([
      { name: 'count', type: 'count' },
      { name: 'amount', sql: 'amount', type: 'sum' },
      { name: 'discount', sql: 'discount', type: 'sum' },
    ])
  })

  it('quotes names that need it and keeps the original as the title', () => {
    const notes = parse(files.find((f) => f.path === 'Order_Notes.yml')!.content).cubes[0]
    expect(notes).toMatchObject({ name: 'Order_Notes', title: 'Order Notes', sql_table: '"Order Notes"' })
    expect(notes.dimensions).toContainEqual({
      name: 'select',
      sql: '{CUBE}."select"',
      type: 'number',
      primary_key: true,
    })
    expect(notes.dimensions).toContainEqual({ name: 'group', sql: '{CUBE}."group"', type: 'number', primary_key: true })
    expect(notes.dimensions).toContainEqual({
      name: 'weird_q_col',
      title: 'weird "q" col',
      sql: '{CUBE}."weird ""q"" col"',
      type: 'string',
    })
    expect(notes.dimensions).toContainEqual({ name: 'from', sql: '{CUBE}."from"', type: 'time' })
    const lines = parse(files.find((f) => f.path === 'line_items.yml')!.content).cubes[0]
    expect(lines.joins).toEqual([
      {
        name: 'Order_Notes',
        relationship: 'many_to_one',
        sql: '{CUBE}."Note Select" = {Order_Notes}."select" AND {CUBE}."Note Group" = {Order_Notes}."group"',
      },
    ])
  })

  it('names the schema in sql_table when one is asked for', async () => {
    const { files: main } = await generateModel({
      connector: sqlite({ database: db }),
      schema: 'main',
      tables: ['orders'],
    })
    expect(parse(main[0]!.content).cubes[0].sql_table).toBe('main.orders')
  })
})

describe('generateModel: what it leaves out, and why', () => {
  let odd: Database.Database
  beforeAll(() => {
    odd = new Database(':memory:')
    odd.exec(`
      CREATE TABLE people (id INTEGER PRIMARY KEY, manager_id INTEGER REFERENCES people (id), photo BLOB, is_admin BOOLEAN, born DATE, wake_up TIME, "a{b}c" TEXT, "count" INTEGER, "1st" TEXT);
      CREATE TABLE moves (id INTEGER PRIMARY KEY, from_id INTEGER REFERENCES people (id), to_id INTEGER REFERENCES people (id), distance REAL, external_id INTEGER);
      CREATE TABLE log (at TEXT, person_id INTEGER REFERENCES people (id), note TEXT);
      CREATE VIEW admins AS SELECT id, count(*) AS n FROM people GROUP BY id;
    `)
  })
  afterAll(() => odd.close())

  it('warns, with a reason and a fix, for every join or column it could not write', async () => {
    const { files, warnings } = await generateModel({ connector: sqlite({ database: odd }) })
    const codes = warnings.map((w) => `${w.path[0]}:${w.code}`)
    expect(codes).toEqual(
      expect.arrayContaining([
        'people.yml:COLUMN_SKIPPED', // photo BLOB
        'people.yml:NAME_NOT_REPRESENTABLE', // "a{b}c" would be read as a reference
        'people.yml:SELF_REFERENCE',
        'moves.yml:SECOND_JOIN_TO_CUBE',
        'log.yml:NO_PRIMARY_KEY',
        'log.yml:JOIN_WITHOUT_PRIMARY_KEY',
        'admins.yml:NO_PRIMARY_KEY',
      ]),
    )
    for (const w of warnings) expect(w.message).toMatch(/\.$/)
    const people = parse(files.find((f) => f.path === 'people.yml')!.content).cubes[0]
    const types = Object.fromEntries(people.dimensions.map((d: { name: string; type: string }) => [d.name, d.type]))
    // Booleans and dates by declared type; a time of day is text; a "count" column does not take the count measure's name.
    expect(types).toMatchObject({
      id: 'number',
      manager_id: 'number',
      is_admin: 'boolean',
      born: 'time',
      wake_up: 'string',
      _1st: 'string',
    })
    expect(people.measures.map((m: { name: string }) => m.name)).toEqual(['count', 'count_2'])
    const moves = parse(files.find((f) => f.path === 'moves.yml')!.content).cubes[0]
    expect(moves.joins).toEqual([{ name: 'people', relationship: 'many_to_one', sql: '{CUBE}.from_id = {people}.id' }])
    // An id-like column is a dimension, never summed.
    expect(moves.dimensions.map((d: { name: string }) => d.name)).toContain('external_id')
    expect(moves.measures.map((m: { name: string }) => m.name)).toEqual(['count', 'distance'])
    compileModel(await loadModel(files.map((f) => f.content)))
  })

  it('refuses a table that does not exist, suggesting the name with other case', async () => {
    const error = await generateModel({ connector: sqlite({ database: odd }), tables: ['People', 'nope'] }).catch(
      (e: unknown) => e,
    )
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' })
    const issues = (error as { issues: { code: string; path: unknown[]; message: string }[] }).issues
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ['TABLE_NOT_FOUND', ['tables', 0]],
      ['TABLE_NOT_FOUND', ['tables', 1]],
    ])
    expect(issues[0]!.message).toContain('did you mean "people"?')
  })

  it('generates only the tables asked for, and warns about joins to the others', async () => {
    const { files, warnings } = await generateModel({ connector: sqlite({ database: odd }), tables: ['moves'] })
    expect(files.map((f) => f.path)).toEqual(['moves.yml'])
    expect(warnings.map((w) => w.code)).toEqual(['JOIN_TARGET_NOT_GENERATED', 'JOIN_TARGET_NOT_GENERATED'])
  })

  it('refuses an empty schema and a missing source', async () => {
    const empty = new Database(':memory:')
    await expect(generateModel({ connector: sqlite({ database: empty }) })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      issues: [{ code: 'NO_TABLES' }],
    })
    empty.close()
    await expect(generateModel({})).rejects.toMatchObject({ code: 'CONFIG_INVALID', issues: [{ code: 'NO_SOURCE' }] })
  })
})

describe('SQLite column kinds', () => {
  it.each([
    ['INTEGER', 'n', 'number'],
    ['BIGINT', 'n', 'number'],
    ['REAL', 'n', 'number'],
    ['DECIMAL(10,2)', 'n', 'number'],
    ['NUMERIC', 'n', 'number'],
    ['TEXT', 'status', 'string'],
    ['VARCHAR(20)', 'city', 'string'],
    ['TEXT', 'created_at', 'time'],
    ['TEXT', 'createdAt', 'time'],
    ['TEXT', 'birth_date', 'time'],
    ['TEXT', 'updated', 'string'],
    ['DATETIME', 'x', 'time'],
    ['DATE', 'x', 'time'],
    ['TIMESTAMP', 'x', 'time'],
    ['TIME', 'x', 'string'],
    ['BOOLEAN', 'x', 'boolean'],
    ['BLOB', 'x', 'other'],
    ['', 'x', 'other'],
    ['JSON', 'x', 'other'],
  ])('%s %s → %s', (declared, column, kind) => {
    expect(sqliteKind(declared, column)).toBe(kind)
  })
})
