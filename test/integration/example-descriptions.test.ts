/**
 * The example queries say which fan-out strategy their SQL uses (their `description`, printed by
 * `npm run demo`, and the table in examples/README.md). Regression: query 03 was described as a keys
 * subquery and query 02 as count(DISTINCT primary key) long after both were folded per key.
 * Here each claim is checked against the SQL the layer renders for the query.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createSemanticLayer, loadModel } from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'
import { REPO } from '../cli/run-cli.js'

const QUERIES = join(REPO, 'examples/queries')
const files = readdirSync(QUERIES)
  .filter((f) => f.endsWith('.json'))
  .sort()
const table = readFileSync(join(REPO, 'examples/README.md'), 'utf8')
const layer = createSemanticLayer({
  model: await loadModel(join(REPO, 'examples/ecommerce/model')),
  connectors: { default: sqlite({ filename: ':memory:' }) },
})
afterAll(() => layer.close())

/** What a text claims, and how to see it in the SQL. */
const CLAIMS: readonly { readonly words: RegExp; readonly sql: RegExp }[] = [
  { words: /keys subquery/i, sql: /"cortex_keys"/ },
  { words: /count\(DISTINCT/i, sql: /count\(DISTINCT /i },
  { words: /pre-aggregated/i, sql: /JOIN \(SELECT [\s\S]*GROUP BY 1\) AS "\w+" ON "\w+"\."cortex_pk_0" = / },
]

describe('example query descriptions match the SQL they produce', () => {
  it('covers every example query, each listed in examples/README.md', () => {
    expect(files.length).toBeGreaterThanOrEqual(8)
    for (const file of files) expect(table).toContain(`| \`${file}\` |`)
  })

  for (const file of files) {
    it(file, async () => {
      const { description, query } = JSON.parse(readFileSync(join(QUERIES, file), 'utf8')) as {
        description: string
        query: Record<string, unknown>
      }
      const { sql } = await layer.sql(query)
      const row = table.split('\n').find((line) => line.startsWith(`| \`${file}\` |`))!
      for (const claim of CLAIMS) {
        // A strategy the SQL uses may go unmentioned, but one that is mentioned must be in the SQL.
        if (claim.words.test(description)) expect(sql, `${file} description: ${claim.words}`).toMatch(claim.sql)
        if (claim.words.test(row)) expect(sql, `${file} in examples/README.md: ${claim.words}`).toMatch(claim.sql)
      }
    })
  }
})
