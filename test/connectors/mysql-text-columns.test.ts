/**
 * Text comparisons on MySQL/MariaDB columns of every character set and collation a schema may use
 * (issue 15 and issue 16, item 7): `utf8mb4_bin`, `utf8mb4_general_ci` (PAD SPACE), `latin1`, and a
 * `VARBINARY` column holding UTF-8 text. User text operators fold case on all of them; security
 * filters (an authorize filter here) match only the exact value on all of them, also non-ASCII values
 * in the latin1 column. Expected ids come from JS over the inserted values.
 */
import { createConnection, type Connection } from 'mysql2/promise'
import { afterAll, beforeAll, describe, expect, it, test } from 'vitest'
import {
  createSemanticLayer,
  parseModel,
  type CubeFilter,
  type FilterOperator,
  type SemanticLayer,
} from '../../src/index.js'
import { mysql } from '../../src/mysql.js'

const url = process.env.CORTEX_TEST_MYSQL_URL
if (!url && process.env.CI === 'true') {
  test('mysql text columns: CORTEX_TEST_MYSQL_URL is required when CI=true', () => {
    throw new Error('CORTEX_TEST_MYSQL_URL is required when CI=true')
  })
}

const VALUES = [
  "Seán O'Brien",
  'ÉCOLE',
  'école',
  'ecole',
  '100% Natural',
  'snake_case',
  'SnakeXcase',
  'ACME',
  'acme',
  'ACME ',
  'Ünïcödé',
]
const COLUMNS = {
  bin: 'VARCHAR(60) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin',
  ci: 'VARCHAR(60) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci',
  latin: 'VARCHAR(60) CHARACTER SET latin1 COLLATE latin1_swedish_ci',
  bytes: 'VARBINARY(120)',
} as const
type Column = keyof typeof COLUMNS

const MODEL = `
cubes:
  - name: t
    sql_table: texts
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true, public: true }
${Object.keys(COLUMNS)
  .map((c) => `      - { name: ${c}, sql: ${c}, type: string }`)
  .join('\n')}
    measures: [{ name: count, type: count }]
`

const idsWhere = (keep: (v: string) => boolean) => VALUES.flatMap((v, i) => (keep(v) ? [i + 1] : []))

describe.skipIf(!url)(
  'MySQL text comparisons on bin, ci, latin1 and varbinary columns (set CORTEX_TEST_MYSQL_URL)',
  () => {
    const db = `cortex_text_${Math.random().toString(36).slice(2, 10)}`
    let admin: Connection
    let layer: SemanticLayer
    let securityFilter: CubeFilter | undefined
    const ids = async (query: Record<string, unknown>): Promise<number[]> =>
      (await layer.query({ measures: ['t.count'], dimensions: ['t.id'], ...query })).data
        .map((r) => Number(r['t.id']))
        .sort((a, b) => a - b)

    beforeAll(async () => {
      admin = await createConnection(url!)
      await admin.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4`)
      await admin.query(
        `CREATE TABLE \`${db}\`.texts (id INT PRIMARY KEY, ${Object.entries(COLUMNS)
          .map(([c, type]) => `${c} ${type}`)
          .join(', ')})`,
      )
      for (const [i, v] of VALUES.entries())
        await admin.query(`INSERT INTO \`${db}\`.texts VALUES (?, ?, ?, ?, ?)`, [
          i + 1,
          v,
          v,
          v,
          Buffer.from(v, 'utf8'),
        ])
      const u = new URL(url!)
      u.pathname = `/${db}`
      layer = createSemanticLayer({
        model: parseModel([{ content: MODEL }]),
        connectors: { default: mysql({ connection: u.toString(), pool: { max: 2 } }) },
        cache: false,
        compiledQueries: false,
        authorize: () => (securityFilter ? { allow: true, filters: [securityFilter] } : true),
      })
    })
    afterAll(async () => {
      await layer?.close()
      await admin?.query(`DROP DATABASE IF EXISTS \`${db}\``)
      await admin?.end()
    })

    it.each(Object.keys(COLUMNS) as Column[])(
      '%s: contains, startsWith and endsWith fold case (and only case), % and _ literal',
      async (column) => {
        securityFilter = undefined
        const member = `t.${column}`
        const cases: [string, string, (v: string) => boolean][] = [
          ['contains', "O'BRIEN", (v) => v.toLowerCase().includes("o'brien")],
          ['contains', 'École', (v) => v.toLowerCase().includes('école')],
          ['startsWith', 'SNAKE_', (v) => v.toLowerCase().startsWith('snake_')],
          ['endsWith', '% NATURAL', (v) => v.toLowerCase().endsWith('% natural')],
          ['notContains', 'ünï', (v) => !v.toLowerCase().includes('ünï')],
        ]
        for (const [operator, value, keep] of cases) {
          expect({ operator, value, ids: await ids({ filters: [{ member, operator, values: [value] }] }) }).toEqual({
            operator,
            value,
            ids: idsWhere(keep),
          })
        }
      },
    )

    it.each(Object.keys(COLUMNS) as Column[])(
      '%s: security filters match the exact value only (case, accents, trailing spaces)',
      async (column) => {
        const member = `t.${column}`
        const cases: [FilterOperator, string[], (v: string) => boolean][] = [
          ['equals', ['ACME'], (v) => v === 'ACME'],
          ['equals', ['école', 'ACME '], (v) => v === 'école' || v === 'ACME '],
          ['notEquals', ['ACME'], (v) => v !== 'ACME'],
          ['startsWith', ['É'], (v) => v.startsWith('É')],
          ['contains', ['cole'], (v) => v.includes('cole')],
        ]
        for (const [operator, values, keep] of cases) {
          securityFilter = { member, operator, values }
          expect({ operator, values, ids: await ids({}) }).toEqual({ operator, values, ids: idsWhere(keep) })
        }
        securityFilter = undefined
      },
    )
  },
)
