/**
 * Row policies whose filters pull further cubes into the query (issue 16.9). Cube i's row filter reads a
 * dimension of cube i + 1, so each policy joins the next cube, whose own policy then applies, down a
 * chain of 12 cubes. The layer used to stop expanding after 8 rounds and compile anyway, joining the
 * last cubes without their policies. Expected rows come from hand-written SQL over the same tables.
 */
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createSemanticLayer, parseModel, type SemanticLayer } from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'

const N = 12
const ctx = { tenant: 't1', region: 'eu' }

/** Cube i joins cube i + 1; its policy's filter reads cube i + 1's tenant. The last cube's policy is `last`. */
function model(last: string): string {
  const cubes = Array.from({ length: N }, (_, i) => {
    const next = i + 1 < N ? `c${i + 1}` : undefined
    const policy = next
      ? `
    access_policy:
      - group: '*'
        row_level: { filters: [{ member: next_tenant, operator: equals, values: ['{ securityContext.tenant }'] }] }`
      : last
    return `
  - name: c${i}
    sql_table: c${i}
    ${next ? `joins: [{ name: ${next}, relationship: many_to_one, sql: "{CUBE}.next_id = {${next}}.id" }]` : ''}
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: tenant, sql: tenant, type: string }
      - { name: region, sql: region, type: string }
      ${next ? `- { name: next_tenant, sql: "{${next}}.tenant", type: string }` : ''}
    measures:
      - { name: count, type: count }${policy}`
  })
  return `cubes:${cubes.join('')}\n`
}

/** The last cube admits only the admin group: a caller without it is refused when querying it directly. */
const FORBIDDEN_LAST = `
    access_policy:
      - group: admin`
/** The last cube filters on a column no other policy reads. */
const FILTERED_LAST = `
    access_policy:
      - group: '*'
        row_level: { filters: [{ member: region, operator: equals, values: ['{ securityContext.region }'] }] }`

let db: Database.Database
const layers: SemanticLayer[] = []
const layerFor = (last: string): SemanticLayer => {
  const layer = createSemanticLayer({
    model: parseModel([{ content: model(last) }]),
    connectors: { default: sqlite({ database: db }) },
  })
  layers.push(layer)
  return layer
}

beforeAll(() => {
  db = new Database(':memory:')
  for (let i = 0; i < N; i++) {
    db.exec(`CREATE TABLE c${i} (id INTEGER PRIMARY KEY, next_id INTEGER, tenant TEXT, region TEXT)`)
    // Every row is tenant t1 and region eu, except row 4 of the last table (another region).
    const insert = db.prepare(`INSERT INTO c${i} VALUES (?, ?, 't1', ?)`)
    for (let id = 1; id <= 4; id++) insert.run(id, id, i === N - 1 && id === 4 ? 'us' : 'eu')
  }
})
afterAll(async () => {
  for (const layer of layers) await layer.close()
  db.close()
})

describe(`a chain of ${N} cubes whose row policies each pull in the next cube`, () => {
  test('the last cube, forbidden when queried directly, is refused when the chain reaches it', async () => {
    const layer = layerFor(FORBIDDEN_LAST)
    const forbidden = { code: 'FORBIDDEN' }
    const last = `c${N - 1}.count`
    await expect(layer.query({ measures: [last] }, { securityContext: ctx })).rejects.toMatchObject(forbidden)
    await expect(layer.query({ measures: ['c0.count'] }, { securityContext: ctx })).rejects.toMatchObject(forbidden)
  })

  test("the last cube's row filter applies when the chain reaches it (hand-written SQL)", async () => {
    const layer = layerFor(FILTERED_LAST)
    const joins = Array.from({ length: N - 1 }, (_, i) => `LEFT JOIN c${i + 1} ON c${i}.next_id = c${i + 1}.id`)
    const policies = Array.from({ length: N - 1 }, (_, i) => `c${i + 1}.tenant = 't1'`).join(' AND ')
    const where = `${policies} AND c${N - 1}.region = 'eu'`
    const oracle = `SELECT count(DISTINCT c0.id) AS n FROM c0 ${joins.join(' ')} WHERE ${where}`
    const expected = db.prepare(oracle).get() as { n: number }
    expect(expected.n).toBe(3)
    const { data, sql } = await layer.query({ measures: ['c0.count'] }, { securityContext: ctx })
    expect(data).toEqual([{ 'c0.count': expected.n }])
    expect(sql.sql).toContain(`"c${N - 1}".region`)
  })
})
