/**
 * What a caller hears about member names: did-you-mean suggestions drawn only from what that caller may
 * see, primary keys hidden as in Cube, and `hideForbiddenMembers`, under which a hidden member and an
 * unknown one get the same answer (so members cannot be probed for existence).
 */
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createSemanticLayer,
  isSemanticLayerError,
  parseModel,
  type SemanticLayer,
  type SemanticLayerError,
} from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'
import type { QueryInput } from '../../src/index.js'

const MODEL = `
cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: status, sql: status, type: string }
      - { name: country, sql: country, type: string }
      - { name: cost_center, sql: cost_center, type: string }
      - { name: internal_note, sql: note, type: string, public: false }
    measures:
      - { name: count, type: count }
      - { name: cost, sql: cost, type: sum }
      - { name: total_amount, sql: amount, type: sum }
    access_policy:
      - group: staff
      - group: guest
        member_level: { includes: [count, status, country] }
  - name: customers
    sql_table: customers
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true, public: true }
      - { name: tier, sql: tier, type: string }
    measures:
      - { name: count, type: count }
  - name: ledger
    sql_table: orders
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
    measures:
      - { name: count, type: count }
    access_policy:
      - group: staff
views:
  - name: order_facts
    cubes:
      - { join_path: orders, includes: [id, status, count] }
`

let db: Database.Database
const layers: SemanticLayer[] = []
const open = (hideForbiddenMembers?: boolean): SemanticLayer => {
  const layer = createSemanticLayer({
    model: parseModel([{ content: MODEL }]),
    connectors: { default: sqlite({ database: db }) },
    ...(hideForbiddenMembers === undefined ? {} : { hideForbiddenMembers }),
  })
  layers.push(layer)
  return layer
}

beforeAll(() => {
  db = new Database(':memory:')
  db.exec(`CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT, country TEXT, cost_center TEXT, note TEXT,
      cost REAL, amount REAL);
    CREATE TABLE customers (id INTEGER PRIMARY KEY, tier TEXT);
    INSERT INTO orders VALUES (1, 'paid', 'DE', 'A', 'x', 1, 10), (2, 'shipped', 'FR', 'B', 'y', 2, 20),
      (3, 'paid', 'DE', 'A', NULL, 3, 30);
    INSERT INTO customers VALUES (1, 'gold'), (2, 'silver');`)
})
afterAll(async () => {
  for (const l of layers) await l.close()
  db.close()
})

async function failure(promise: Promise<unknown>): Promise<SemanticLayerError> {
  try {
    await promise
  } catch (error) {
    if (isSemanticLayerError(error)) return error
    throw error
  }
  throw new Error('expected the call to fail')
}

const staff = { securityContext: { groups: ['staff'] } }
const guest = { securityContext: { groups: ['guest'] } }

describe('did you mean', () => {
  it('suggests the closest member of the cube: orders.cnt → orders.count', async () => {
    const e = await failure(open().query({ measures: ['orders.cnt'] }, staff))
    expect(e.code).toBe('QUERY_INVALID')
    const message = '"orders" has no member "cnt". Did you mean "orders.count"? Check the name against meta().'
    expect(e.issues).toEqual([{ code: 'UNKNOWN_MEMBER', path: ['measures', 0], message }])
  })

  it('suggests the closest cube or view, with the member when that one has it', async () => {
    const layer = open()
    const message = async (query: Record<string, string[]>, options = staff): Promise<string> =>
      (await failure(layer.query(query, options))).issues[0]!.message
    const notOwner = (name: string, hint: string): string =>
      `"${name}" is not a cube or view in this model.${hint} Check the name against meta().`
    expect(await message({ measures: ['ordres.count'] })).toBe(notOwner('ordres', ' Did you mean "orders.count"?'))
    expect(await message({ dimensions: ['custmers.name'] })).toBe(notOwner('custmers', ' Did you mean "customers"?'))
    expect(await message({ dimensions: ['zzz.status'] })).toBe(notOwner('zzz', ''))
  })

  it('suggests in filters, segments, time dimensions and order, each at its own path', async () => {
    const e = await failure(
      open().query(
        {
          measures: ['orders.count'],
          dimensions: ['orders.status'],
          filters: [{ or: [{ member: 'orders.countyr', operator: 'equals', values: ['DE'] }] }],
          order: { 'orders.count': 'desc' },
        },
        staff,
      ),
    )
    const message = '"orders" has no member "countyr". Did you mean "orders.country"? Check the name against meta().'
    expect(e.issues).toEqual([{ code: 'UNKNOWN_MEMBER', path: ['filters', 0, 'or', 0, 'member'], message }])
  })

  it('never suggests a member the caller may not see (public: false, hidden key, withheld by policy)', async () => {
    const layer = open()
    const message = async (query: Record<string, string[]>, options = staff): Promise<string> =>
      (await failure(layer.query(query, options))).issues[0]!.message
    // internal_not → internal_note exists but is public: false.
    expect(await message({ dimensions: ['orders.internal_not'] })).not.toContain('Did you mean')
    // ix → id exists but is a primary key without public: true.
    expect(await message({ dimensions: ['orders.ix'] })).not.toContain('Did you mean')
    // The guest policy grants count, status and country only: "costs" is closest to "cost", which guests do not get.
    const guestError = await failure(layer.query({ measures: ['orders.costs'] }, guest))
    expect(guestError.issues[0]!.message).toBe('"orders" has no member "costs". Check the name against meta().')
    const staffError = await failure(layer.query({ measures: ['orders.costs'] }, staff))
    expect(staffError.issues[0]!.message).toContain('Did you mean "orders.cost"?')
    // A cube the caller may not query is never suggested either (ledger: staff only).
    expect(await message({ measures: ['ledgr.count'] }, guest)).not.toContain('ledger')
    expect(await message({ measures: ['ledgr.count'] }, staff)).toContain('Did you mean "ledger.count"?')
  })
})

describe('primary keys are hidden unless public: true (as in Cube)', () => {
  it('leaves them out of meta() and refuses them in queries, saying how to expose them', async () => {
    const layer = open()
    const meta = await layer.meta(staff)
    const orders = meta.cubes.find((c) => c.name === 'orders')!
    expect(orders.dimensions.map((d) => d.name)).not.toContain('orders.id')
    const customers = meta.cubes.find((c) => c.name === 'customers')!
    const key = customers.dimensions.find((d) => d.name === 'customers.id')
    expect(key).toMatchObject({ primaryKey: true, public: true })
    const e = await failure(layer.query({ dimensions: ['orders.id'] }, staff))
    const message =
      '"orders.id" is a primary key, and primary keys are hidden unless the model says public: true' +
      ' (as in Cube). Query it through a view, or make it public in the model.'
    expect(e.issues).toEqual([{ code: 'MEMBER_NOT_PUBLIC', path: ['dimensions', 0], message }])
  })

  it('answers a primary key with public: true, and one included in a view', async () => {
    const layer = open()
    const ids = await layer.query({ dimensions: ['customers.id'], order: { 'customers.id': 'asc' } })
    expect(ids.data).toEqual([{ 'customers.id': 1 }, { 'customers.id': 2 }])
    const viewQuery: QueryInput = {
      dimensions: ['order_facts.id'],
      measures: ['order_facts.count'],
      order: { 'order_facts.id': 'asc' },
    }
    const { data } = await layer.query(viewQuery, staff)
    expect(data.map((r) => r['order_facts.id'])).toEqual([1, 2, 3])
  })
})

describe('hideForbiddenMembers', () => {
  // Each probe: a query naming a member the guest may not see, and the model without that member.
  const probes = [
    ['a member the policy withholds', { measures: ['orders.cost'] }, '      - { name: cost, sql: cost, type: sum }\n'],
    [
      'a member with public: false',
      { dimensions: ['orders.internal_note'] },
      '      - { name: internal_note, sql: note, type: string, public: false }\n',
    ],
    [
      'a hidden primary key',
      { dimensions: ['orders.id'] },
      '      - { name: id, sql: id, type: number, primary_key: true }\n      - { name: status',
    ],
  ] as const
  const without = (line: string, hideForbiddenMembers: boolean): SemanticLayer => {
    expect(MODEL).toContain(line)
    // Without the primary key, the view cannot include it either.
    const model = MODEL.replace(line, line.endsWith('status') ? '      - { name: status' : '').replace(
      line.includes('name: id') ? 'includes: [id, ' : '\u0000',
      'includes: [',
    )
    const connectors = { default: sqlite({ database: db }) }
    const layer = createSemanticLayer({ model: parseModel([{ content: model }]), connectors, hideForbiddenMembers })
    layers.push(layer)
    return layer
  }

  it.each(probes)('by default, %s answers unlike the same name in a model without it', async (_what, query, line) => {
    const hidden = await failure(open().query(query, guest))
    const absent = await failure(without(line, false).query(query, guest))
    expect(absent.issues.map((i) => i.code)).toEqual(['UNKNOWN_MEMBER'])
    expect(hidden.issues.map((i) => i.code)).not.toEqual(['UNKNOWN_MEMBER'])
  })

  it.each(probes)('with it, %s answers exactly as the same name in a model without it', async (_what, query, line) => {
    const hidden = await failure(open(true).query(query, guest))
    const absent = await failure(without(line, true).query(query, guest))
    expect(hidden.code).toBe('QUERY_INVALID')
    expect(hidden.issues.map((i) => i.code)).toEqual(['UNKNOWN_MEMBER'])
    expect(hidden.toJSON()).toEqual(absent.toJSON())
  })

  it('answers a cube the caller may not query exactly like a cube that does not exist', async () => {
    const layer = open(true)
    const h = await failure(layer.query({ measures: ['ledger.count'] }, guest))
    const u = await failure(layer.query({ measures: ['ledgex.count'] }, guest))
    const renamed = (text: string): string => text.replace('ledgex', 'ledger')
    const issues = [{ ...u.issues[0]!, message: renamed(u.issues[0]!.message) }]
    expect(h.toJSON()).toEqual({ ...u.toJSON(), message: renamed(u.message), issues })
    // Without a security context, a cube with policies is unknown too (not UNAUTHORIZED).
    expect((await failure(layer.query({ measures: ['ledger.count'] }))).issues[0]!.code).toBe('UNKNOWN_MEMBER')
  })

  it('refuses hidden members before queryRewrite sees the query, as unknown ones', async () => {
    let rewrites = 0
    const layer = createSemanticLayer({
      model: parseModel([{ content: MODEL }]),
      connectors: { default: sqlite({ database: db }) },
      hideForbiddenMembers: true,
      queryRewrite: (q) => (rewrites++, { ...q, measures: ['orders.count'] }),
    })
    layers.push(layer)
    for (const measure of ['orders.cost', 'orders.nope']) {
      const e = await failure(layer.query({ measures: [measure] }, guest))
      expect(e.issues[0]!.code).toBe('UNKNOWN_MEMBER')
    }
    expect(rewrites).toBe(0)
    expect((await layer.query({ measures: ['orders.count'] }, guest)).data).toEqual([{ 'orders.count': 3 }])
  })

  it('still answers what the caller may see, and still reports the other problems of a query', async () => {
    const layer = open(true)
    const byStatus = { measures: ['orders.count'], dimensions: ['orders.status'] }
    expect((await layer.query({ ...byStatus, order: { 'orders.status': 'asc' } }, guest)).data).toEqual([
      { 'orders.status': 'paid', 'orders.count': 2 },
      { 'orders.status': 'shipped', 'orders.count': 1 },
    ])
    const e = await failure(layer.query({ ...byStatus, limit: 10 ** 9 }, guest))
    expect(e.issues.map((i) => i.code)).toEqual(['LIMIT_EXCEEDED'])
  })
})
