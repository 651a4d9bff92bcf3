/**
 * Every example error message in the error tables of docs/queries.md and docs/model.md is produced by
 * the code, as written: each table row is matched to an input that raises its code, and the documented
 * example must match the message the code gives (`...` and `…` in the docs stand for any text).
 * Regression: docs/queries.md showed messages the code no longer produced.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  compileModel,
  createSemanticLayer,
  isSemanticLayerError,
  loadModel,
  parseModel,
  type ErrorIssue,
} from '../../src/index.js'
import { sqlite } from '../../src/sqlite.js'
import { REPO } from '../cli/run-cli.js'
import type { QueryInput } from '../../src/index.js'

/** `| \`CODE\` | ... | \`example\` ... |` rows of the table under `heading`: code → example message. */
function examples(doc: string, heading: string): Map<string, string> {
  const text = readFileSync(join(REPO, 'docs', doc), 'utf8')
  const start = text.indexOf(heading)
  const section = text.slice(start, text.indexOf('\n## ', start + heading.length))
  const out = new Map<string, string>()
  for (const m of section.matchAll(/^\| `([A-Z_]+)` \|.*\| `(.+?)`(?: \(path [^)]*\))?(?: · `.+`)? \|$/gm))
    out.set(m[1]!, m[2]!)
  return out
}

/** A documented example as a pattern: literal text, with `...`/`…` matching anything. */
function pattern(example: string): RegExp {
  const parts = example.split(/\.\.\.|…/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  return new RegExp(`^${parts.join('[^]*')}$`)
}

async function issuesOf(run: () => unknown): Promise<readonly ErrorIssue[]> {
  try {
    await run()
  } catch (error) {
    if (isSemanticLayerError(error)) return error.issues
    throw error
  }
  throw new Error('expected a SemanticLayerError')
}

const MODEL = await loadModel(join(REPO, 'examples/ecommerce/model'))
const layer = createSemanticLayer({ model: MODEL, connectors: { default: sqlite({ filename: ':memory:' }) } })
afterAll(() => layer.close())

/** Queries on the e-commerce example model that raise each documented query issue code. */
const QUERY_TRIGGERS: Record<string, () => Promise<unknown>> = {
  WRONG_TYPE: () => layer.sql({ measures: ['orders.count'], limit: -1 }),
  UNKNOWN_KEY: () => layer.sql({ measures: ['orders.count'], limits: 5 } as never),
  TOO_DEEP: () => {
    let filter: Record<string, unknown> = { member: 'orders.status', operator: 'set' }
    for (let i = 0; i < 25; i++) filter = { and: [filter] }
    return layer.sql({ measures: ['orders.count'], filters: [filter] } as never)
  },
  INVALID_OPERATOR: () =>
    layer.sql({
      measures: ['orders.count'],
      filters: [{ member: 'orders.status', operator: 'inDateRange', values: ['2024-01-01', '2024-02-01'] }],
    }),
  INVALID_ORDER: () => layer.sql({ measures: ['orders.count'], order: { 'orders.status': 'asc' } }),
  INVALID_TIMEZONE: () => layer.sql({ measures: ['orders.count'], timezone: 'Mars/Olympus' }),
  UNKNOWN_MEMBER: () => layer.sql({ measures: ['orders.cnt'] }),
  MEMBER_NOT_PUBLIC: () => layer.sql({ dimensions: ['orders.customer_id'] }),
  WRONG_MEMBER_KIND: () => layer.sql({ dimensions: ['orders.count'] }),
  MIXED_VIEW_QUERY: () => layer.sql({ measures: ['sales.count', 'orders.count'] }),
  NOT_A_TIME_DIMENSION: () =>
    layer.sql({ measures: ['orders.count'], timeDimensions: [{ dimension: 'orders.status', granularity: 'month' }] }),
  INVALID_GRANULARITY: () =>
    layer.sql({
      measures: ['orders.count'],
      timeDimensions: [{ dimension: 'orders.created_at', granularity: 'fortnight' }],
    }),
  INVALID_DATE: () =>
    layer.sql({
      measures: ['orders.count'],
      timeDimensions: [{ dimension: 'orders.created_at', dateRange: 'last fortnight' }],
    }),
  REVERSED_DATE_RANGE: () => {
    const dateRange: [string, string] = ['2024-12-31', '2024-01-01']
    const timeDimensions = [{ dimension: 'orders.created_at', dateRange }]
    return layer.sql({ measures: ['orders.count'], timeDimensions })
  },
  TOO_MANY_PARAMETERS: () => {
    const values = (k: number): number[] => Array.from({ length: 9_000 }, (_, i) => k * 9_000 + i)
    const or = [0, 1, 2, 3].map((k) => ({ member: 'orders.id', operator: 'equals', values: values(k) }))
    // More filter values than the default maxFilterValues, which a layer may raise.
    const connectors = { default: sqlite({ filename: ':memory:' }) }
    const roomy = createSemanticLayer({ model: MODEL, connectors, maxFilterValues: 50_000 })
    return roomy.sql({ measures: ['orders.count'], filters: [{ or }] } as QueryInput).finally(() => roomy.close())
  },
  INVALID_VALUES: () =>
    layer.sql({
      measures: ['orders.count'],
      filters: [{ member: 'orders.amount', operator: 'gt', values: ['1', '2'] }],
    }),
  INVALID_VALUE: () =>
    layer.sql({ measures: ['orders.count'], filters: [{ member: 'orders.amount', operator: 'gt', values: ['abc'] }] }),
  MIXED_FILTER: () =>
    layer.sql({
      measures: ['orders.count'],
      filters: [
        {
          or: [
            { member: 'orders.count', operator: 'gt', values: ['1'] },
            { member: 'orders.status', operator: 'set' },
          ],
        },
      ],
    }),
  UNGROUPED_MEASURE_FILTER: () =>
    layer.sql({
      dimensions: ['orders.status'],
      ungrouped: true,
      filters: [{ member: 'orders.count', operator: 'gt', values: ['1'] }],
    }),
  LIMIT_EXCEEDED: () => layer.sql({ measures: ['orders.count'], limit: 50_001 }),
  EMPTY_QUERY: () => layer.sql({}),
  JOIN_PATH_NOT_FOUND: async () => {
    const a = {
      name: 'a',
      sql_table: 'a',
      dimensions: [{ name: 'id', sql: 'id', type: 'number', primary_key: true }],
      measures: [{ name: 'count', type: 'count' }],
    }
    const lone = createSemanticLayer({
      model: { cubes: [a, { ...a, name: 'b', sql_table: 'b' }] },
      connectors: { default: sqlite({ filename: ':memory:' }) },
    })
    return lone.sql({ measures: ['a.count', 'b.count'] }).finally(() => lone.close())
  },
  JOIN_PATH_CONFLICT: async () => {
    const yaml = `cubes:
  - { name: x, sql_table: x, dimensions: [{ name: id, sql: id, type: number, primary_key: true }], measures: [{ name: count, type: count }] }
  - name: a
    sql_table: a
    joins: [{ name: x, relationship: many_to_one, sql: "{CUBE}.x_id = {x.id}" }, { name: b, relationship: many_to_one, sql: "{CUBE}.b_id = {b.id}" }]
    dimensions: [{ name: id, sql: id, type: number, primary_key: true }]
    measures: [{ name: count, type: count }]
  - name: b
    sql_table: b
    joins: [{ name: x, relationship: many_to_one, sql: "{CUBE}.x_id = {x.id}" }]
    dimensions: [{ name: id, sql: id, type: number, primary_key: true }]
views:
  - name: v
    cubes:
      - { join_path: a, includes: [count] }
      - { join_path: a.x, prefix: true, includes: [count] }
      - { join_path: a.b.x, prefix: true, alias: bx, includes: [id] }
`
    const two = createSemanticLayer({
      model: parseModel([{ file: 'v.yml', content: yaml }]),
      connectors: { default: sqlite({ filename: ':memory:' }) },
    })
    return two.sql({ measures: ['v.count', 'v.x_count'], dimensions: ['v.bx_id'] }).finally(() => two.close())
  },
  MULTIPLE_DATA_SOURCES: async () => {
    const a = {
      name: 'a',
      sql_table: 'a',
      joins: [{ name: 'b', relationship: 'many_to_one', sql: '{CUBE}.b_id = {b.id}' }],
      dimensions: [{ name: 'id', sql: 'id', type: 'number', primary_key: true }],
      measures: [{ name: 'count', type: 'count' }],
    }
    const b = {
      name: 'b',
      sql_table: 'b',
      data_source: 'other',
      dimensions: [
        { name: 'id', sql: 'id', type: 'number', primary_key: true },
        { name: 'x', sql: 'x', type: 'string' },
      ],
    }
    const split = createSemanticLayer({
      model: { cubes: [a, b] },
      connectors: { default: sqlite({ filename: ':memory:' }), other: sqlite({ filename: ':memory:' }) },
    })
    return split.sql({ measures: ['a.count'], dimensions: ['b.x'] }).finally(() => split.close())
  },
}

describe('docs/queries.md: query error examples', () => {
  const documented = examples('queries.md', '## Errors')
  it('the table lists every triggered code, and every code in the table has a trigger', () => {
    expect([...documented.keys()].sort()).toEqual(Object.keys(QUERY_TRIGGERS).sort())
  })
  for (const [code, example] of documented) {
    it(`${code}: ${example}`, async () => {
      const issues = await issuesOf(QUERY_TRIGGERS[code]!)
      const messages = issues.filter((i) => i.code === code).map((i) => i.message)
      expect(messages.length, `${code} raised: ${JSON.stringify(issues)}`).toBeGreaterThan(0)
      expect(
        messages.some((m) => pattern(example).test(m)),
        `documented: ${example}\nproduced: ${messages.join('\n')}`,
      ).toBe(true)
    })
  }
})

/** YAML text of one cube `orders` with `body` as its remaining keys (indented under the cube). */
const cube = (body: string, name = 'orders'): string => `cubes:\n  - name: ${name}\n${body.replace(/^/gm, '    ')}\n`
const parse = (file: string, content: string | object) => () => parseModel([{ file, content }])
const compile = (content: string) => () => compileModel(parseModel([{ file: 'orders.yml', content }]))
const KEY = 'dimensions:\n  - { name: id, sql: id, type: number, primary_key: true }'

/** Inputs that raise each documented model issue code. */
/** `null`: needs an unreadable file, which root (CI) can read anyway; test/model/load-model.test.ts covers it. */
const MODEL_TRIGGERS: Record<string, (() => unknown) | null> = {
  FILE_NOT_FOUND: () => loadModel('./modle'),
  FILE_READ_FAILED: null,
  NO_MODEL_FILES: async () => {
    // The message names the folder as given: load './model' from a folder that has an empty one.
    const dir = mkdtempSync(join(tmpdir(), 'cortex-docs-'))
    mkdirSync(join(dir, 'model'))
    const cwd = process.cwd()
    process.chdir(dir)
    try {
      return await loadModel('./model')
    } finally {
      process.chdir(cwd)
      rmSync(dir, { recursive: true, force: true })
    }
  },
  UNSUPPORTED_FILE: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cortex-docs-'))
    writeFileSync(join(dir, 'orders.js'), "cube('orders', { sql_table: 'orders' })\n")
    return loadModel(dir).finally(() => rmSync(dir, { recursive: true, force: true }))
  },
  // One mis-indented line: "type" one column left of its siblings.
  YAML_SYNTAX: parse(
    'orders.yml',
    [
      'cubes:',
      '  - name: orders',
      '    sql_table: orders',
      '    dimensions:',
      '      - name: status',
      '        sql: status',
      '       type: string',
      '',
    ].join('\n'),
  ),
  JSON_SYNTAX: parse('m.json', '{"cubes": [}'),
  UNKNOWN_KEY: parse('orders.yml', cube('sql_tabel: orders')),
  DUPLICATE_KEY: parse('orders.yml', cube('sql_table: orders\nsqlTable: orders')),
  MISSING_KEY: parse('m.yml', 'cubes:\n  - sql_table: orders\n'),
  WRONG_TYPE: parse('orders.yml', cube('sql_table: orders\nmeasures:\n  - { name: c, type: counter }')),
  INVALID_NAME: parse('m.yml', cube('sql_table: orders', 'order-items')),
  UNSUPPORTED_FEATURE: compile(
    cube(`sql_table: orders\nmeasures:\n  - { name: s, sql: amount, type: sum, rolling_window: { trailing: 7 day } }`),
  ),
  DUPLICATE_NAME: () =>
    compileModel(
      parseModel([
        { file: 'orders.yml', content: cube('sql_table: orders') },
        { file: 'more.yml', content: cube('sql_table: orders') },
      ]),
    ),
  EXTENDS_CYCLE: compile(
    `cubes:\n  - { name: a, extends: b, sql_table: a }\n  - { name: b, extends: a, sql_table: b }\n`,
  ),
  UNKNOWN_REFERENCE: compile(cube(`sql_table: orders\n${KEY}\n  - { name: x, sql: "{nope}", type: string }`)),
  SQL_AND_SQL_TABLE: compile(cube('sql_table: orders\nsql: SELECT 1')),
  MISSING_SQL: compile(cube('sql_table: orders\nmeasures:\n  - { name: s, type: sum }')),
  SQL_AND_CASE: compile(
    cube(
      `sql_table: orders\ndimensions:\n  - { name: x, sql: x, type: string, case: { when: [{ sql: "1 = 1", label: a }] } }`,
    ),
  ),
  UNKNOWN_JOIN_TARGET: compile(
    cube(
      'sql_table: orders\njoins:\n  - { name: custmers, relationship: many_to_one, sql: "{CUBE}.a = {custmers}.b" }',
    ) + '  - { name: customers, sql_table: customers }\n',
  ),
  REFERENCE_CYCLE: compile(
    cube(
      `sql_table: orders\n${KEY}\n  - { name: x, sql: "{y}", type: string }\n  - { name: y, sql: "{x}", type: string }`,
    ),
  ),
  MEASURE_REFERENCE: compile(
    cube(
      `sql_table: orders\n${KEY}\nmeasures:\n  - { name: count, type: count }\n  - { name: s, sql: "{count}", type: sum }`,
    ),
  ),
  MISSING_PRIMARY_KEY: compile(`cubes:
  - name: customers
    sql_table: customers
    joins: [{ name: orders, relationship: one_to_many, sql: "{CUBE}.id = {orders.customer_id}" }]
    dimensions: [{ name: id, sql: id, type: number, primary_key: true }]
    measures: [{ name: count, type: count }]
  - name: orders
    sql_table: orders
    dimensions: [{ name: customer_id, sql: customer_id, type: number }]
    measures: [{ name: count, type: count }]
`),
  INVALID_CUBE: () =>
    compileModel(
      parseModel([
        { file: 'orders.yml', content: cube('dimensions:\n  - { name: status, sql: status, type: string }') },
        {
          file: 'views.yml',
          content: 'views:\n  - name: sales\n    cubes: [{ join_path: orders, includes: [status] }]',
        },
      ]),
    ),
  INVALID_JOIN_PATH: compile(
    `${cube(`sql_table: orders\n${KEY}`)}  - { name: items, sql_table: items }\nviews:\n  - name: v\n    cubes:\n      - { join_path: orders.items, includes: "*" }\n`,
  ),
}

describe('docs/model.md: model error examples', () => {
  const documented = examples('model.md', '## Model errors')
  it('the table lists every triggered code, and every code in the table has a trigger', () => {
    expect([...documented.keys()].sort()).toEqual(Object.keys(MODEL_TRIGGERS).sort())
  })
  for (const [code, example] of documented) {
    const trigger = MODEL_TRIGGERS[code]
    it.skipIf(!trigger)(`${code}: ${example}`, async () => {
      const issues = await issuesOf(trigger!)
      const messages = issues.filter((i) => i.code === code).map((i) => i.message)
      expect(messages.length, `${code} raised: ${JSON.stringify(issues)}`).toBeGreaterThan(0)
      expect(
        messages.some((m) => pattern(example).test(m)),
        `documented: ${example}\nproduced: ${messages.join('\n')}`,
      ).toBe(true)
    })
  }
})
