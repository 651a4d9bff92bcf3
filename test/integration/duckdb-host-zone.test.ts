/**
 * DuckDB's session TimeZone follows the host's: this file runs the whole oracle suite (time zone cases
 * included) with the process in America/Los_Angeles, and checks that the zone did reach DuckDB (a bare
 * connection reports it) while the connector's own connections run in UTC. A dialect or connector that
 * read the session zone anywhere would shift buckets and bounds here and fail against the SQLite oracle.
 */
process.env.TZ = 'America/Los_Angeles'

import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEcommerceSqlite } from '../../examples/ecommerce/generate.mjs'
import { sqlStatement } from '../../src/connectors/connector.js'
import { duckdb } from '../../src/duckdb.js'
import { createSemanticLayer, loadModel, type Connector, type SemanticLayer } from '../../src/index.js'
import { loadDuckDB } from './engines/duckdb-dataset.js'
import { oracleCases } from './oracle/cases.js'
import { comparableRows, runOracle, type OracleCase } from './oracle/helpers.js'
import { MODEL_DIR, NOW } from './oracle/layer.js'

const oracleDb = new Database(':memory:')
createEcommerceSqlite(oracleDb)
let instance: Awaited<ReturnType<typeof loadDuckDB>>
let connector: Connector
let layer: SemanticLayer

beforeAll(async () => {
  instance = await loadDuckDB()
  connector = duckdb({ instance })
  layer = createSemanticLayer({
    model: await loadModel(MODEL_DIR),
    connectors: { default: connector },
    now: () => new Date(NOW.getTime()),
  })
})
afterAll(async () => {
  await layer.close()
  instance.closeSync()
  oracleDb.close()
})

describe('oracle suite on DuckDB with the process in America/Los_Angeles', () => {
  it('the host zone reaches DuckDB, and the connector runs its connections in UTC', async () => {
    expect(new Date(Date.UTC(2024, 0, 1)).getHours()).toBe(16) // the process really is in Los Angeles
    const bare = await instance.connect()
    const reader = await bare.runAndReadAll("SELECT current_setting('TimeZone') AS tz")
    expect(reader.getRowObjectsJson()).toEqual([{ tz: 'America/Los_Angeles' }])
    bare.closeSync()
    expect(await connector.execute(sqlStatement("SELECT current_setting('TimeZone') AS tz"))).toEqual([{ tz: 'UTC' }])
  })

  it.each(oracleCases.map((c) => [`${c.kind}: ${c.name}`, c] as [string, OracleCase]))('%s', async (_name, c) => {
    const result = await layer.query(c.query)
    const rows = comparableRows(result.data, runOracle(oracleDb, c))
    expect(rows.actual).toEqual(rows.expected)
  })
})
