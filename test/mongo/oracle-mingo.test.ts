/**
 * The oracle suite on MongoDB semantics: every oracle case (test/integration/oracle, fan-out, folded
 * branches and time zones included) through `createSemanticLayer` over a `mongodb({ db })` source whose
 * db is mingo over the dataset as documents (null stored both as null and as a missing field). Rows must
 * equal the hand-written SQL over SQLite. No MongoDB server can run here; see docs/mongodb.md.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { compileModel, createSemanticLayer, loadModel, type SemanticLayer } from '../../src/index.js'
import { mongodb, type MongoPipeline } from '../../src/mongodb.js'
import { oracleCases } from '../integration/oracle/cases.js'
import { comparableRows, runOracle, type OracleCase } from '../integration/oracle/helpers.js'
import { MODEL_DIR, NOW } from '../integration/oracle/layer.js'
import { loadDataset } from './harness/dataset.js'
import { mingoDb } from './harness/mingo-db.js'

const { db: sqlite, collections } = loadDataset()
const mingo = mingoDb(collections)
const layer: SemanticLayer = createSemanticLayer({
  model: compileModel(await loadModel(MODEL_DIR)),
  connectors: { default: mongodb({ db: mingo, id: 'harness' }) },
  now: () => new Date(NOW.getTime()),
})
afterAll(async () => {
  await layer.close()
  sqlite.close()
})

const KINDS = [...new Set(oracleCases.map((c) => c.kind))]

describe.each(KINDS)('oracle on mingo: %s', (kind) => {
  const cases = oracleCases.filter((c) => c.kind === kind)
  it.each(cases.map((c) => [c.name, c] as [string, OracleCase]))('%s', async (_name, c) => {
    const result = await layer.query(c.query as never)
    const rows = comparableRows(result.data, runOracle(sqlite, c), c.ordered)
    expect(rows.actual).toEqual(rows.expected)
  })
})

describe('the layer on a MongoDB source', () => {
  it('sql() returns the pipeline the query runs, { collection, pipeline }', async () => {
    const q = { measures: ['orders.count'], dimensions: ['orders.status'] }
    const printed = (await layer.sql(q)) as unknown as MongoPipeline
    expect(printed.collection).toBe('orders')
    expect(Object.keys(printed.pipeline.at(-1) ?? {})).toEqual(['$project'])
    const before = mingo.calls.length
    const result = await layer.query(q)
    expect(mingo.calls.at(-1)?.pipeline).toEqual(printed.pipeline)
    expect(mingo.calls.length).toBe(before + 1)
    expect(result.sql).toEqual(printed)
  })

  it('total counts the rows without limit and offset; limit and offset page them', async () => {
    const q = {
      measures: ['orders.count'],
      dimensions: ['customers.name'],
      order: { 'customers.name': 'asc' },
    } as const
    const all = await layer.query(q)
    const page = await layer.query({ ...q, limit: 5, offset: 3, total: true } as never)
    expect(page.total).toBe(all.data.length)
    expect(page.data).toEqual(all.data.slice(3, 8))
    expect(page.truncated).toBe(true)
  })

  it('ungrouped rows: one per document, counts 1', async () => {
    const q = {
      measures: ['orders.count'],
      dimensions: ['orders.id'],
      ungrouped: true,
      limit: 3,
      order: { 'orders.id': 'asc' },
    }
    const { data } = await layer.query(q as never)
    const ids = sqlite.prepare('SELECT id FROM orders ORDER BY id LIMIT 3').all() as { id: number }[]
    expect(data).toEqual(ids.map((r) => ({ 'orders.id': r.id, 'orders.count': 1 })))
  })

  it('stream() yields the same rows as query()', async () => {
    const q = { measures: ['orders.count'], dimensions: ['orders.status'], order: { 'orders.status': 'asc' } } as const
    const rows = []
    for await (const row of layer.stream(q)) rows.push(row)
    expect(rows).toEqual((await layer.query(q)).data)
  })
})
