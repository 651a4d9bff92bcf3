/**
 * `generate` round trip on PostgreSQL and MySQL/MariaDB: the e-commerce dataset is loaded into a random
 * schema/database with native types, given its foreign keys, plus two tables whose names need quoting
 * joined by a composite foreign key. The model generated from the catalog must load from disk, compile
 * and answer like hand-written SQL over the same data (SQLite oracle).
 */
import Database from 'better-sqlite3'
import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { createEcommerceSqlite } from '../../examples/ecommerce/generate.mjs'
import { generateModel, type GeneratedFile } from '../../src/introspect/generate-model.js'
import { createSemanticLayer, loadModel, type Connector, type SemanticLayer } from '../../src/index.js'
import { mysql } from '../../src/mysql.js'
import { postgres } from '../../src/postgres.js'
import {
  ECOMMERCE_FOREIGN_KEYS,
  LINES,
  NOTES,
  QUOTED_DDL,
  expectRoundTrip,
  insertQuotedSqlite,
  writeModel,
} from '../introspect/generate-fixture.js'
import { loadMysql, loadPostgres, withDatabase } from './engines/server-datasets.js'

const require = createRequire(import.meta.url)

interface Engine {
  readonly name: string
  readonly env: string
  readonly url: string | undefined
  /** Load the dataset with foreign keys and the quoted tables into `name`; returns the cleanup. */
  load(url: string, name: string): Promise<() => Promise<void>>
  connector(url: string, name: string): Connector
}

async function loadPostgresWithKeys(url: string, schema: string): Promise<() => Promise<void>> {
  const cleanup = await loadPostgres(url, schema)
  const { Client } = require('pg') as typeof import('pg')
  const client = new Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(`SET search_path TO "${schema}"`)
    for (const [table, column, target] of ECOMMERCE_FOREIGN_KEYS)
      await client.query(`ALTER TABLE ${table} ADD FOREIGN KEY (${column}) REFERENCES ${target} (id)`)
    for (const ddl of QUOTED_DDL.postgres) await client.query(ddl)
    for (const row of NOTES) await client.query('INSERT INTO "Order Notes" VALUES ($1, $2, $3, $4, $5)', [...row])
    for (const row of LINES) await client.query('INSERT INTO "line-items" VALUES ($1, $2, $3, $4)', [...row])
  } finally {
    await client.end()
  }
  return cleanup
}

async function loadMysqlWithKeys(url: string, database: string): Promise<() => Promise<void>> {
  const cleanup = await loadMysql(url, database)
  const driver = require('mysql2/promise') as typeof import('mysql2/promise')
  const conn = await driver.createConnection({ uri: withDatabase(url, database) })
  try {
    for (const [table, column, target] of ECOMMERCE_FOREIGN_KEYS)
      await conn.query(`ALTER TABLE ${table} ADD FOREIGN KEY (${column}) REFERENCES ${target} (id)`)
    for (const ddl of QUOTED_DDL.mysql) await conn.query(ddl)
    for (const row of NOTES) await conn.query('INSERT INTO `Order Notes` VALUES (?, ?, ?, ?, ?)', [...row])
    for (const row of LINES) await conn.query('INSERT INTO `line-items` VALUES (?, ?, ?, ?)', [...row])
  } finally {
    await conn.end()
  }
  return cleanup
}

const ENGINES: Engine[] = [
  {
    name: 'PostgreSQL',
    env: 'CORTEX_TEST_PG_URL',
    url: process.env.CORTEX_TEST_PG_URL,
    load: loadPostgresWithKeys,
    connector: (url) => postgres({ connection: url, pool: { max: 2 } }),
  },
  {
    name: 'MySQL/MariaDB',
    env: 'CORTEX_TEST_MYSQL_URL',
    url: process.env.CORTEX_TEST_MYSQL_URL,
    load: loadMysqlWithKeys,
    connector: (url) => mysql({ connection: url, pool: { max: 2 } }),
  },
]

const oracle = new Database(':memory:')
createEcommerceSqlite(oracle)
insertQuotedSqlite(oracle)
afterAll(() => oracle.close())

for (const engine of ENGINES) {
  if (!engine.url && process.env.CI === 'true') {
    it(`${engine.name}: ${engine.env} is required when CI=true`, () => {
      throw new Error(`${engine.env} is required when CI=true: .ci/run starts the server and sets it`)
    })
    continue
  }

  describe.skipIf(!engine.url)(`generate round trip on ${engine.name} (set ${engine.env})`, () => {
    const name = `cortex_gen_${randomBytes(4).toString('hex')}`
    let cleanup: (() => Promise<void>) | undefined
    let connector: Connector
    let files: readonly GeneratedFile[]
    let dir: string
    let layer: SemanticLayer

    beforeAll(async () => {
      cleanup = await engine.load(engine.url!, name)
      // The connection's default schema is another one: --schema must name every table.
      connector = engine.connector(engine.url!, name)
      ;({ files } = await generateModel({ connector, schema: name }))
      dir = writeModel(files)
      layer = createSemanticLayer({ model: await loadModel(dir), connectors: { default: connector } })
    })
    afterAll(async () => {
      await layer?.close()
      if (dir) rmSync(dir, { recursive: true, force: true })
      await cleanup?.()
    })

    it('generates a cube per table, qualified with the schema, joined along the foreign keys', () => {
      expect(files.map((f) => f.path)).toEqual([
        'Order_Notes.yml',
        'customers.yml',
        'line_items.yml',
        'order_items.yml',
        'orders.yml',
        'products.yml',
      ])
      const cube = (file: string) => parse(files.find((f) => f.path === file)!.content).cubes[0]
      expect(cube('orders.yml').sql_table).toBe(`${name}.orders`)
      expect(cube('order_items.yml').joins.map((j: { name: string }) => j.name)).toEqual(['orders', 'products'])
      expect(
        cube('Order_Notes.yml')
          .dimensions.filter((d: { primary_key?: boolean }) => d.primary_key)
          .map((d: { name: string }) => d.name),
      ).toEqual(['select', 'group'])
      // Native types: booleans and timestamps are recognised without name hints.
      const customers = cube('customers.yml')
      expect(customers.dimensions.find((d: { name: string }) => d.name === 'is_active')?.type).toBe('boolean')
      expect(customers.dimensions.find((d: { name: string }) => d.name === 'created_at')?.type).toBe('time')
    })

    it('answers count, sums, joins, a time dimension and quoted names like hand-written SQL', async () => {
      await expectRoundTrip(layer, oracle)
    })
  })
}
