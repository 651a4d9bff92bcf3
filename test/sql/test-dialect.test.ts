/**
 * A dialect added without touching the planner or the printer (issue 17): the DuckDB-flavoured test dialect
 * (duckdb-test-dialect.ts) compiles every bench query through the public `layer.sql(q, { dialect })`.
 */
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
// @ts-expect-error: a plain .mjs module shared with the benchmarks, without type declarations
import { COMPILE_QUERIES } from '../../bench/lib/queries.mjs'
import { createSemanticLayer, loadModel } from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'
import { duckdbTestDialect } from './duckdb-test-dialect.js'

const queries = COMPILE_QUERIES as { name: string; query: Record<string, unknown> }[]

async function exampleLayer() {
  const model = await loadModel(new URL('../../examples/ecommerce/model', import.meta.url).pathname)
  return createSemanticLayer({
    model,
    connectors: { default: sqlite({ database: new Database(':memory:') }) },
    now: () => new Date('2025-06-15T12:00:00Z'),
    cache: false,
  })
}

describe('a compile-only dialect defined in test/', () => {
  it('compiles the ten bench queries: one typed placeholder per parameter, in order', async () => {
    const layer = await exampleLayer()
    for (const { name, query } of queries) {
      const { sql, params } = await layer.sql(query, { dialect: duckdbTestDialect })
      const numbers = [...sql.matchAll(/\$(\d+)(?:::([A-Z]+))?/g)].map((m) => Number(m[1]))
      expect(numbers, name).toEqual(params.map((_, i) => i + 1))
      // The limit (+1 row to detect truncation) is the last or second-to-last parameter, cast to an integer.
      expect(sql, name).toMatch(/LIMIT \$\d+::BIGINT/)
      expect(sql, name).not.toContain('?')
    }
    await layer.close()
  })

  it('prints text filters with its own escape character and time buckets with its own functions', async () => {
    const layer = await exampleLayer()
    const { sql, params } = await layer.sql(
      {
        measures: ['orders.count'],
        timeDimensions: [{ dimension: 'orders.created_at', granularity: 'week' }],
        filters: [{ member: 'orders.note', operator: 'contains', values: ['50%_off\\'] }],
        timezone: 'America/New_York',
        limit: 10,
      },
      { dialect: duckdbTestDialect },
    )
    expect(sql).toBe(
      `SELECT strftime(date_trunc('week', timezone($1::VARCHAR, ("orders".created_at)::TIMESTAMPTZ)), ` +
        `'%Y-%m-%dT%H:%M:%S.%g') AS "orders__created_at_week", count("orders".id) AS "orders__count" ` +
        `FROM orders AS "orders" WHERE ("orders".note ILIKE $2::VARCHAR ESCAPE '\\') GROUP BY 1 ` +
        `ORDER BY 1 ASC LIMIT $3::BIGINT`,
    )
    // '%', '_' and the escape character itself are escaped with a backslash, not the default '!'.
    expect(params).toEqual(['America/New_York', '%50\\%\\_off\\\\%', 11])
    await layer.close()
  })

  it('is refused by name: only built-in dialects are known by name', async () => {
    const layer = await exampleLayer()
    await expect(layer.sql({ measures: ['orders.count'] }, { dialect: 'duckdb-test' as never })).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      issues: [{ code: 'UNKNOWN_DIALECT' }],
    })
    await layer.close()
  })
})
