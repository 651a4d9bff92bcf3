/** sqliteStore: rollup tables in a SQLite file attached to the source, readable by another connection. */
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { createEcommerceSqlite } from '../../examples/ecommerce/generate.mjs'
import { createSemanticLayer, isSemanticLayerError, loadModel, sqliteStore } from '../../src/index.js'
import type { ModelInput } from '../../src/index.js'
import { postgres } from '../../src/postgres.js'
import { sqlite } from '../../src/sqlite.js'
import { MODEL_DIR } from '../integration/oracle/layer.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

async function model(): Promise<unknown> {
  const base = await loadModel(MODEL_DIR)
  const rollup = { name: 'by_status', measures: ['count'], dimensions: ['status'] }
  return {
    cubes: base.cubes.map((c) => (c.name === 'orders' ? { ...c, pre_aggregations: [rollup] } : c)),
    views: base.views,
  }
}

it('keeps rollup tables in the attached file, not in the source database, and serves from them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cortex-rollups-'))
  dirs.push(dir)
  const filename = join(dir, 'rollups.db')
  const db = new Database(':memory:')
  createEcommerceSqlite(db)
  const layer = createSemanticLayer({
    model: (await model()) as ModelInput,
    connectors: { default: sqlite({ database: db }) },
    preAggregations: { store: sqliteStore({ filename }) },
  })
  const { built } = await layer.preAggregations.build()
  expect(built).toHaveLength(1)
  const table = built[0]!.table
  const result = await layer.query({ measures: ['orders.count'], dimensions: ['orders.status'] })
  expect(result.usedPreAggregations?.[0]?.tables).toEqual([table])
  expect(result.sql.sql).toContain(`"cortex_pre_aggregations"."${table}"`)
  const source = db.prepare(`SELECT count(*) AS n FROM main.sqlite_master WHERE name = ?`).get(table) as { n: number }
  expect(source.n).toBe(0)
  const other = new Database(filename, { readonly: true })
  const rows = other.prepare(`SELECT c0 AS status, c1 AS n FROM "${table}" ORDER BY 1`).all()
  expect(rows).toEqual(db.prepare(`SELECT status, count(*) AS n FROM orders GROUP BY 1 ORDER BY 1`).all())
  other.close()
  await layer.close()
  db.close()
})

it('refuses sqliteStore on a source that is not SQLite, and a store without a filename', async () => {
  expect(() => sqliteStore({ filename: '' })).toThrow(/filename/)
  const layer = createSemanticLayer({
    model: (await model()) as ModelInput,
    connectors: { default: postgres({ connection: { connectionString: 'postgres://127.0.0.1:1/none' } }) },
    preAggregations: { store: sqliteStore({ filename: 'x.db' }) },
  })
  const summary = await layer.preAggregations.build().catch((e: unknown) => e)
  expect(isSemanticLayerError(summary)).toBe(true)
  expect((summary as { code: string }).code).toBe('CONFIG_INVALID')
  await layer.close()
})
