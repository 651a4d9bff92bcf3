/**
 * The hand-written pipelines (hand-pipelines.ts: the ten bench queries and oracle cases, fan-out and time
 * zones included) run through the connector on mingo over the e-commerce dataset, and must give the rows
 * of the hand-written SQL on SQLite (the oracle). A second check shows the comparison can fail: the
 * naive fan-out pipeline (`$lookup` + `$unwind` of the many side, then `$group`) double counts.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { mongodb } from '../../src/mongodb.js'
import { oracleCases } from '../integration/oracle/cases.js'
import { comparableRows, runOracle, type Row } from '../integration/oracle/helpers.js'
import { loadDataset } from './harness/dataset.js'
import { mingoDb } from './harness/mingo-db.js'
import { BENCH_PIPELINES, ORACLE_PIPELINES, type HandCase } from './hand-pipelines.js'

const { db: sqlite, collections } = loadDataset()
afterAll(() => sqlite.close())
const connector = mongodb({ db: mingoDb(collections), id: 'harness' })

/** `cube__member[__granularity]` fields → Cube keys (`cube.member.granularity` and `cube.member`). */
function toCubeRow(doc: Record<string, unknown>): Row {
  const row: Row = {}
  for (const [field, value] of Object.entries(doc)) {
    const [cube, member, granularity] = field.split('__')
    row[`${cube}.${member}`] = value
    if (granularity) row[`${cube}.${member}.${granularity}`] = value
  }
  return row
}

async function pipelineRows(c: HandCase): Promise<Row[]> {
  const docs = await connector.execute({ kind: 'mongo', collection: c.collection, pipeline: c.pipeline })
  return (docs as Record<string, unknown>[]).map(toCubeRow)
}

function expectedRows(c: HandCase): { rows: Row[]; ordered: boolean } {
  if (c.sql) return { rows: sqlite.prepare(c.sql).all() as Row[], ordered: c.ordered === true }
  const oracle = oracleCases.find((o) => o.name === c.oracleCase)
  if (!oracle) throw new Error(`no oracle case named ${c.oracleCase}`)
  return { rows: runOracle(sqlite, oracle), ordered: oracle.ordered === true || c.ordered === true }
}

describe('hand-written pipelines on mingo = hand-written SQL on SQLite', () => {
  it('covers the ten bench queries', () => {
    expect(BENCH_PIPELINES).toHaveLength(10)
  })

  for (const c of [...BENCH_PIPELINES, ...ORACLE_PIPELINES]) {
    it(c.name, async () => {
      const expected = expectedRows(c)
      const actual = await pipelineRows(c)
      const { actual: a, expected: e } = comparableRows(actual, expected.rows, expected.ordered)
      expect(a).toEqual(e)
    })
  }

  it('would catch a fan-out pipeline that joins the many side and groups (double counting)', async () => {
    const naive: HandCase = {
      name: 'naive fan-out',
      collection: 'customers',
      pipeline: [
        {
          $lookup: {
            from: 'orders',
            let: { k: '$id' },
            pipeline: [{ $match: { $expr: { $eq: ['$customer_id', '$$k'] } } }],
            as: 'o',
          },
        },
        { $unwind: { path: '$o', preserveNullAndEmptyArrays: true } },
        { $group: { _id: { tier: { $ifNull: ['$tier', null] } }, count: { $sum: 1 } } },
        { $project: { _id: 0, customers__tier: '$_id.tier', customers__count: '$count' } },
      ],
      sql: 'SELECT tier AS "customers.tier", count(*) AS "customers.count" FROM customers GROUP BY tier',
    }
    const { actual, expected } = comparableRows(await pipelineRows(naive), expectedRows(naive).rows)
    expect(actual).not.toEqual(expected)
  })

  it('would catch a group key without $ifNull: missing and null notes become two groups', async () => {
    const noIfNull: HandCase = {
      name: 'notes without $ifNull',
      collection: 'orders',
      pipeline: [
        { $group: { _id: { note: '$note' }, count: { $sum: 1 } } },
        { $project: { _id: 0, orders__note: { $ifNull: ['$_id.note', null] }, orders__count: '$count' } },
      ],
      sql: 'SELECT note AS "orders.note", count(*) AS "orders.count" FROM orders GROUP BY note',
    }
    const { actual, expected } = comparableRows(await pipelineRows(noIfNull), expectedRows(noIfNull).rows)
    expect(actual).not.toEqual(expected)
    expect(actual.length).toBe(expected.length + 1)
  })

  it('runs pipelines that select rows (every case but bench query 3, which selects none on this data)', async () => {
    for (const c of [...BENCH_PIPELINES, ...ORACLE_PIPELINES]) {
      if (c === BENCH_PIPELINES[2]) continue
      expect((await pipelineRows(c)).length, c.name).toBeGreaterThan(0)
    }
  })
})
