/**
 * checkDrift() on PostgreSQL and MySQL/MariaDB: a model generated from a fresh schema fits it; after the
 * schema drifts (a table renamed, a column dropped, a column retyped) the check names each member that
 * broke. Probes only plan statements: on PostgreSQL a member calling nextval() leaves its sequence unused.
 */
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { checkDrift } from '../../src/introspect/check-drift.js'
import { generateModel } from '../../src/introspect/generate-model.js'
import { parseModel, type Connector, type ModelDefinition } from '../../src/index.js'
import { mysql } from '../../src/mysql.js'
import { postgres } from '../../src/postgres.js'
import { sqlStatement } from '../../src/connectors/connector.js'

const require = createRequire(import.meta.url)

interface Engine {
  readonly name: string
  readonly env: string
  readonly url: string | undefined
  /** Run statements as an administrator, in the test's schema/database. */
  admin(url: string, name: string): Promise<{ run(sql: string): Promise<unknown>; end(): Promise<void> }>
  readonly create: (name: string) => readonly string[]
  readonly drift: readonly string[]
  readonly drop: (name: string) => string
  connector(url: string): Connector
}

const ENGINES: Engine[] = [
  {
    name: 'PostgreSQL',
    env: 'CORTEX_TEST_PG_URL',
    url: process.env.CORTEX_TEST_PG_URL,
    async admin(url, schema) {
      const { Client } = require('pg') as typeof import('pg')
      const client = new Client({ connectionString: url })
      await client.connect()
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`)
      await client.query(`SET search_path TO "${schema}"`)
      return { run: (sql) => client.query(sql), end: () => client.end() }
    },
    create: () => [
      'CREATE TABLE customers (id integer PRIMARY KEY, name text)',
      'CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer REFERENCES customers (id), status text, amount numeric(10,2), created_at timestamp)',
      'CREATE SEQUENCE probe_seq',
      "INSERT INTO customers VALUES (1, 'a'), (2, 'b')",
      "INSERT INTO orders VALUES (1, 1, 'paid', 10, '2024-01-01'), (2, 2, 'open', 5, '2024-02-01')",
    ],
    drift: [
      'ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey',
      'ALTER TABLE customers RENAME TO clients',
      'ALTER TABLE orders DROP COLUMN status',
      'ALTER TABLE orders ALTER COLUMN amount TYPE text',
      'ALTER TABLE orders ALTER COLUMN created_at TYPE integer USING 0',
    ],
    drop: (schema) => `DROP SCHEMA IF EXISTS "${schema}" CASCADE`,
    connector: (url) => postgres({ connection: url, pool: { max: 2 } }),
  },
  {
    name: 'MySQL/MariaDB',
    env: 'CORTEX_TEST_MYSQL_URL',
    url: process.env.CORTEX_TEST_MYSQL_URL,
    async admin(url, database) {
      const driver = require('mysql2/promise') as typeof import('mysql2/promise')
      const conn = await driver.createConnection({ uri: url })
      await conn.query(`CREATE DATABASE IF NOT EXISTS \`${database}\``)
      await conn.query(`USE \`${database}\``)
      return { run: (sql) => conn.query(sql), end: () => conn.end() }
    },
    create: () => [
      'CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(50))',
      'CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT, status VARCHAR(20), amount DECIMAL(10,2), created_at DATETIME, CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id))',
      "INSERT INTO customers VALUES (1, 'a'), (2, 'b')",
      "INSERT INTO orders VALUES (1, 1, 'paid', 10, '2024-01-01'), (2, 2, 'open', 5, '2024-02-01')",
    ],
    drift: [
      'ALTER TABLE orders DROP FOREIGN KEY orders_customer',
      'RENAME TABLE customers TO clients',
      'ALTER TABLE orders DROP COLUMN status',
      'ALTER TABLE orders MODIFY amount VARCHAR(20)',
      'ALTER TABLE orders DROP COLUMN created_at, ADD COLUMN created_at INT',
    ],
    drop: (database) => `DROP DATABASE IF EXISTS \`${database}\``,
    connector: (url) => mysql({ connection: url, pool: { max: 2 } }),
  },
]

/** The generated model with two hand-written members: one over a column that will be dropped, one calling nextval(). */
function withExtraMembers(
  files: readonly { path: string; content: string }[],
  schema: string,
  engine: string,
): ModelDefinition {
  return parseModel(
    files.map((f) => {
      const doc = parse(f.content)
      const cube = doc.cubes[0]
      if (cube.name === 'orders') {
        cube.dimensions.push({ name: 'status_upper', sql: 'upper({CUBE}.status)', type: 'string' })
        if (engine === 'PostgreSQL')
          cube.dimensions.push({
            name: 'numbered',
            sql: `{CUBE}.id + 0 * nextval('${schema}.probe_seq')`,
            type: 'number',
          })
      }
      return { file: f.path, content: stringify(doc) }
    }),
  )
}

for (const engine of ENGINES) {
  if (!engine.url && process.env.CI === 'true') {
    it(`${engine.name}: ${engine.env} is required when CI=true`, () => {
      throw new Error(`${engine.env} is required when CI=true: .ci/run starts the server and sets it`)
    })
    continue
  }

  describe.skipIf(!engine.url)(`checkDrift on ${engine.name} (set ${engine.env})`, () => {
    const name = `cortex_drift_${randomBytes(4).toString('hex')}`
    let admin: Awaited<ReturnType<Engine['admin']>>
    let connector: Connector
    let model: ModelDefinition
    beforeAll(async () => {
      admin = await engine.admin(engine.url!, name)
      for (const sql of engine.create(name)) await admin.run(sql)
      connector = engine.connector(engine.url!)
      const { files } = await generateModel({ connector, schema: name })
      model = withExtraMembers(files, name, engine.name)
    })
    afterAll(async () => {
      await connector?.close()
      await admin?.run(engine.drop(name))
      await admin?.end()
    })

    it('finds that a model generated from the schema fits it, and plans without running', async () => {
      const report = await checkDrift({ model, connectors: { default: connector } })
      expect(report.issues).toEqual([])
      expect(report.checked.tables).toBe(2)
      expect(report.checked.probes).toBeGreaterThanOrEqual(2)
      // Regression: the check used to close the connectors it was given.
      expect(await connector.execute(sqlStatement('SELECT 1 AS one', []))).toEqual([{ one: 1 }])
      if (engine.name === 'PostgreSQL') {
        const [{ is_called }] = (
          (await admin.run(`SELECT is_called FROM "${name}".probe_seq`)) as { rows: { is_called: boolean }[] }
        ).rows as [{ is_called: boolean }]
        expect(is_called).toBe(false)
      }
    })

    it('names every member the drifted schema broke', async () => {
      const fresh = engine.connector(engine.url!) // a new catalog read
      try {
        for (const sql of engine.drift) await admin.run(sql)
        const report = await checkDrift({ model, connectors: { default: fresh } })
        expect(report.issues.map((i) => `${i.code} ${i.cube}${i.member ? `.${i.member}` : ''}`)).toEqual([
          'TABLE_MISSING customers',
          'COLUMN_MISSING orders.status',
          'COLUMN_TYPE_MISMATCH orders.created_at',
          'PROBE_FAILED orders.status_upper',
          'COLUMN_TYPE_MISMATCH orders.amount',
        ])
        const amount = report.issues.find((i) => i.member === 'amount')!
        expect(amount).toMatchObject({
          expected: 'number',
          actual: engine.name === 'PostgreSQL' ? 'text' : 'varchar(20)',
        })
        expect(report.issues.find((i) => i.member === 'status_upper')!.message).toMatch(/status/)
      } finally {
        await fresh.close()
      }
    })
  })
}
