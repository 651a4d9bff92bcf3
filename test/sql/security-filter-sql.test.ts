/**
 * Security filters (access-policy row filters, authorize filters, filters queryRewrite adds) compare
 * text exactly: the SQL per dialect side by side, as dialect-sql.test.ts does for the rest. The same
 * statements run on real engines in test/security/exact-security-filters.test.ts.
 */
import { describe, expect, test } from 'vitest'
import { createSemanticLayer, parseModel, type CubeQuery } from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'
import { MINI_MODEL_YAML } from '../fixtures/mini-model.js'
import type { QueryInput } from '../../src/index.js'

const POLICY = `    access_policy:
      - group: '*'
        row_level: { filters: [{ member: country, operator: equals, values: ['{ securityContext.country }'] }] }
`
const withPolicy = parseModel([
  {
    file: 'mini.yml',
    content: MINI_MODEL_YAML.replace(
      '      - { name: count, type: count }\n  - name: orders',
      `      - { name: count, type: count }\n${POLICY}  - name: orders`,
    ),
  },
])
const plain = parseModel([{ file: 'mini.yml', content: MINI_MODEL_YAML }])
const connectors = { default: sqlite({ filename: ':memory:' }) }

describe('security filters compare text exactly, per dialect', () => {
  test("a policy row filter with a context list: the column's own IN (index) AND the exact IN; the user's startsWith folds case", async () => {
    const layer = createSemanticLayer({ model: withPolicy, connectors })
    const q: QueryInput = {
      measures: ['customers.count'],
      filters: [{ member: 'customers.country', operator: 'startsWith', values: ['d'] }],
    }
    const ctx = { securityContext: { country: ['DE', 'AT'] } }
    const params = ['d%', 'DE', 'AT', 'DE', 'AT', 10001]
    expect(await layer.sql(q, { dialect: 'sqlite', ...ctx })).toEqual({
      sql: `SELECT count("customers".id) AS "customers__count" FROM customers AS "customers" WHERE ("customers".country LIKE ? ESCAPE '!') AND (("customers".country IN (?, ?) AND ("customers".country) COLLATE BINARY IN (?, ?))) LIMIT ?`,
      params,
    })
    expect(await layer.sql(q, { dialect: 'postgres', ...ctx })).toEqual({
      sql: `SELECT count("customers".id) AS "customers__count" FROM customers AS "customers" WHERE ("customers".country ILIKE $1 ESCAPE '!') AND (("customers".country IN ($2, $3) AND ("customers".country)::text COLLATE "C" IN ($4, $5))) LIMIT $6`,
      params,
    })
    expect(await layer.sql(q, { dialect: 'mysql', ...ctx })).toEqual({
      sql: "SELECT count(`customers`.id) AS `customers__count` FROM customers AS `customers` WHERE (LOWER(CONVERT((`customers`.country) USING utf8mb4)) COLLATE utf8mb4_bin LIKE LOWER(?) ESCAPE '!') AND ((`customers`.country IN (?, ?) AND CONVERT((`customers`.country) USING utf8mb4) IN (CAST(? AS BINARY), CAST(? AS BINARY)))) LIMIT ?",
      params,
    })
  })

  test('authorize filters: exact notEquals, a case-sensitive contains (GLOB on SQLite, wildcards literal) and code point order', async () => {
    const layer = createSemanticLayer({
      model: plain,
      connectors,
      authorize: () => ({
        allow: true,
        filters: [
          { member: 'orders.status', operator: 'notEquals', values: ['void'] },
          { member: 'orders.status', operator: 'contains', values: ['a*?[%_!'] },
          { member: 'orders.status', operator: 'gt', values: ['m'] },
        ],
      }),
    })
    const q: CubeQuery = { measures: ['orders.count'] }
    const where = (sql: string) => sql.slice(sql.indexOf('WHERE'), sql.indexOf(' LIMIT'))
    const sqliteSql = await layer.sql(q, { dialect: 'sqlite' })
    expect(where(sqliteSql.sql)).toBe(
      `WHERE (("orders".status) COLLATE BINARY <> ? OR "orders".status IS NULL) AND (("orders".status) GLOB ?) AND (("orders".status) COLLATE BINARY > ?)`,
    )
    expect(sqliteSql.params).toEqual(['void', '*a[*][?][[]%_!*', 'm', 10001])
    const pg = await layer.sql(q, { dialect: 'postgres' })
    expect(where(pg.sql)).toBe(
      `WHERE (("orders".status)::text COLLATE "C" <> $1 OR "orders".status IS NULL) AND (("orders".status)::text COLLATE "C" LIKE $2 ESCAPE '!') AND (("orders".status)::text COLLATE "C" > $3)`,
    )
    expect(pg.params).toEqual(['void', '%a*?[!%!_!!%', 'm', 10001])
    const my = await layer.sql(q, { dialect: 'mysql' })
    expect(where(my.sql)).toBe(
      "WHERE (CONVERT((`orders`.status) USING utf8mb4) <> CAST(? AS BINARY) OR `orders`.status IS NULL) AND (CONVERT((`orders`.status) USING utf8mb4) LIKE CAST(? AS BINARY) ESCAPE '!') AND (CONVERT((`orders`.status) USING utf8mb4) > CAST(? AS BINARY))",
    )
    expect(my.params).toEqual(pg.params)
  })

  test('numbers, booleans and times in security filters compare as before (exact by nature)', async () => {
    const layer = createSemanticLayer({
      model: plain,
      connectors,
      authorize: () => ({
        allow: true,
        filters: [
          { member: 'orders.customer_id', operator: 'equals', values: ['7'] },
          { member: 'orders.is_gift', operator: 'equals', values: ['true'] },
        ],
      }),
    })
    const { sql } = await layer.sql({ measures: ['orders.count'] }, { dialect: 'mysql' })
    expect(sql).toContain('WHERE (`orders`.customer_id = ?) AND (`orders`.is_gift = ?)')
  })

  test('queryRewrite: filters it keeps as the caller sent them stay user filters; added and changed ones are exact', async () => {
    const layer = createSemanticLayer({
      model: plain,
      connectors,
      queryRewrite: (q) => ({
        ...q,
        filters: [...(q.filters ?? []), { member: 'customers.country', operator: 'equals', values: ['DE'] }],
      }),
    })
    const { sql } = await layer.sql(
      {
        measures: ['orders.count'],
        filters: [
          { member: 'orders.status', operator: 'equals', values: ['paid'] },
          { member: 'items.sku', operator: 'equals', values: ['x'] },
        ],
      },
      { dialect: 'sqlite' },
    )
    expect(sql).toContain(
      `WHERE ("orders".status = ?) AND ("items".sku = ?) AND ("customers".country = ? AND ("customers".country) COLLATE BINARY = ?)`,
    )
    // The caller's filter changed by the hook (its values differ): exact.
    const changing = createSemanticLayer({
      model: plain,
      connectors,
      queryRewrite: (q) => ({ ...q, filters: [{ member: 'orders.status', operator: 'equals', values: ['PAID'] }] }),
    })
    expect(
      (
        await changing.sql(
          { measures: ['orders.count'], filters: [{ member: 'orders.status', operator: 'equals', values: ['paid'] }] },
          { dialect: 'sqlite' },
        )
      ).sql,
    ).toContain(`WHERE ("orders".status = ? AND ("orders".status) COLLATE BINARY = ?)`)
    // The same rewritten query from a caller who sent that filter themselves: a user filter (compiled separately).
    expect(
      (
        await changing.sql(
          { measures: ['orders.count'], filters: [{ member: 'orders.status', operator: 'equals', values: ['PAID'] }] },
          { dialect: 'sqlite' },
        )
      ).sql,
    ).toContain(`WHERE ("orders".status = ?)`)
  })

  test('a query in a fixed-offset zone binds the offset on MySQL (no zone tables needed), the name elsewhere', async () => {
    const layer = createSemanticLayer({ model: plain, connectors })
    const q = (timezone: string) => ({
      measures: ['orders.count'],
      timeDimensions: [{ dimension: 'orders.created_at', granularity: 'day' }],
      timezone,
    })
    expect((await layer.sql(q('Etc/GMT-5'), { dialect: 'mysql' })).params).toEqual(['+05:00', 10001])
    expect((await layer.sql(q('Etc/GMT+11'), { dialect: 'mysql' })).params).toEqual(['-11:00', 10001])
    expect((await layer.sql(q('Zulu'), { dialect: 'mysql' })).params).toEqual(['+00:00', 10001])
    expect((await layer.sql(q('Europe/Berlin'), { dialect: 'mysql' })).params).toEqual(['Europe/Berlin', 10001])
    expect((await layer.sql(q('Etc/GMT-5'), { dialect: 'postgres' })).params).toEqual(['Etc/GMT-5', 10001])
    expect((await layer.sql(q('Etc/GMT-5'), { dialect: 'sqlite' })).params).toEqual(['Etc/GMT-5', 10001])
  })
})
