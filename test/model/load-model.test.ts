import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { isSemanticLayerError, type ErrorIssue, type SemanticLayerError } from '../../src/errors.js'
import { loadModel, parseModel, type ModelSource } from '../../src/model/load-model.js'

const dirs: string[] = []
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

async function folder(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'cortex-load-model-'))
  dirs.push(root)
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true })
    await writeFile(join(root, path), content)
  }
  return root
}

async function loadError(source: ModelSource): Promise<SemanticLayerError> {
  const error: unknown = await loadModel(source).then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isSemanticLayerError(error)) throw new Error(`expected a SemanticLayerError, got ${String(error)}`)
  return error
}

function parseError(content: string | object, file?: string): SemanticLayerError {
  try {
    parseModel([file === undefined ? { content } : { file, content }])
  } catch (error) {
    if (isSemanticLayerError(error)) return error
    throw error
  }
  throw new Error('expected parseModel to throw')
}

function only(error: SemanticLayerError, code: string): ErrorIssue {
  const found = error.issues.filter((i) => i.code === code)
  expect(found, JSON.stringify(error.issues)).toHaveLength(1)
  return found[0] as ErrorIssue
}

const ORDERS_YAML = `cubes:
  - name: orders
    sql_table: public.orders
    joins:
      - name: users
        relationship: many_to_one
        sql: "{CUBE}.user_id = {users.id}"
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
    measures:
      - name: count
        type: count
`

describe('issue codes', () => {
  it('UNKNOWN_KEY names the key, where it is and the accepted keys', () => {
    const issue = only(parseError('cubes:\n  - name: orders\n    sqltable: orders\n', 'orders.yml'), 'UNKNOWN_KEY')
    expect(issue.path).toEqual(['orders.yml', 'cubes', 'orders', 'sqltable'])
    expect(issue.message).toContain('Unknown key "sqltable" in cube "orders"')
    expect(issue.message).toContain('Accepted keys: name, sql_table,')
  })

  it('UNKNOWN_KEY suggests the closest accepted key: sql_tabel → sql_table', () => {
    const issue = only(parseError('cubes:\n  - name: orders\n    sql_tabel: orders\n', 'orders.yml'), 'UNKNOWN_KEY')
    expect(issue.message).toContain('Unknown key "sql_tabel" in cube "orders". Did you mean "sql_table"? Accepted')
    expect(issue.message).toMatch(/Fix the spelling or remove the key\.$/)
    const colour = 'cubes:\n  - name: orders\n    sql_table: orders\n    colour: red\n'
    const far = only(parseError(colour, 'orders.yml'), 'UNKNOWN_KEY')
    expect(far.message).not.toContain('Did you mean')
  })

  it('UNKNOWN_KEY shows the camelCase spelling the user wrote', () => {
    const issue = only(
      parseError({
        cubes: [
          { name: 'orders', sqlTable: 't', dimensions: [{ name: 'id', type: 'number', sql: 'id', primaryKy: true }] },
        ],
      }),
      'UNKNOWN_KEY',
    )
    expect(issue.path).toEqual(['cubes', 'orders', 'dimensions', 'id', 'primary_ky'])
    expect(issue.message).toContain('"primaryKy" (read as "primary_ky")')
    expect(issue.message).toContain('primary_key')
  })

  it('WRONG_TYPE lists the valid types and never echoes the bad value', () => {
    const error = parseError(
      'cubes:\n  - name: orders\n    sql_table: orders\n    dimensions:\n      - name: status\n        sql: status\n        type: numbr_secret\n',
      'orders.yml',
    )
    const issue = only(error, 'WRONG_TYPE')
    expect(issue.path).toEqual(['orders.yml', 'cubes', 'orders', 'dimensions', 'status', 'type'])
    expect(issue.message).toContain('Use one of: string, number, time, boolean')
    expect(error.message).not.toContain('numbr_secret')
  })

  it('WRONG_TYPE says which type a key needs', () => {
    const issue = only(
      parseError({ cubes: [{ name: 'orders', sql_table: 't', measures: [{ name: 'total', type: 'sum', sql: 5 }] }] }),
      'WRONG_TYPE',
    )
    expect(issue.path).toEqual(['cubes', 'orders', 'measures', 'total', 'sql'])
    expect(issue.message).toBe(
      'Key "sql" in measure "total" of cube "orders" must be a string, but is a number. Change the value.',
    )
  })

  it('WRONG_TYPE for a format that is neither a name nor a mapping, while mappings are accepted', () => {
    const error = parseError({
      cubes: [
        {
          name: 'orders',
          sql_table: 't',
          measures: [
            { name: 'total', type: 'sum', sql: 'x', format: 5 },
            { name: 'n', type: 'count', format: null },
          ],
        },
      ],
    })
    expect(error.issues.map((i) => [i.code, i.path.join('.')])).toEqual([
      ['WRONG_TYPE', 'cubes.orders.measures.total.format'],
      ['WRONG_TYPE', 'cubes.orders.measures.n.format'],
    ])
    expect(error.issues[0]?.message).toBe(
      'Key "format" in measure "total" of cube "orders" must be a format name (e.g. currency, percent, number) or a mapping such as { type: custom-numeric, value: ".2f" }.',
    )
    const model = parseModel([
      {
        content: {
          cubes: [
            {
              name: 'orders',
              sql_table: 't',
              measures: [{ name: 'n', type: 'count', format: { type: 'custom-numeric', value: '.2f' } }],
            },
          ],
        },
      },
    ])
    expect(model.cubes[0]?.measures[0]?.format).toEqual({ type: 'custom-numeric', value: '.2f' })
  })

  it('WRONG_TYPE for a top level that is not a mapping', () => {
    const issue = only(parseError('- name: orders\n', 'orders.yml'), 'WRONG_TYPE')
    expect(issue.path).toEqual(['orders.yml'])
    expect(issue.message).toContain('must be a mapping with cubes and/or views lists')
  })

  it('MISSING_KEY for a join without sql and a dimension without type', () => {
    const error = parseError({
      cubes: [
        {
          name: 'orders',
          sql_table: 't',
          joins: [{ name: 'users', relationship: 'belongs_to' }],
          dimensions: [{ name: 'id', sql: 'id' }],
        },
      ],
    })
    const missing = error.issues.filter((i) => i.code === 'MISSING_KEY')
    expect(missing.map((i) => i.path)).toEqual([
      ['cubes', 'orders', 'joins', 'users', 'sql'],
      ['cubes', 'orders', 'dimensions', 'id', 'type'],
    ])
    expect(missing[0]?.message).toContain('Add "sql"')
    expect(missing[1]?.message).toContain('Use one of: string, number, time, boolean')
  })

  it('MISSING_KEY for views without cubes and view cubes without join_path or includes', () => {
    const error = parseError(
      'views:\n  - name: empty\n  - name: sales\n    cubes:\n      - includes: "*"\n      - join_path: orders\n',
      'views.yml',
    )
    expect(error.issues.map((i) => [i.code, i.path.join('.')])).toEqual([
      ['MISSING_KEY', 'views.yml.views.empty.cubes'],
      ['MISSING_KEY', 'views.yml.views.sales.cubes.0.join_path'],
      ['MISSING_KEY', 'views.yml.views.sales.cubes.1.includes'],
    ])
    expect(error.issues[2]?.message).toBe(
      'Missing required key "includes" in cubes entry with join_path "orders" of view "sales". Add "includes" (\'*\' or a list of member names).',
    )
  })

  it('MISSING_KEY uses the index when the member has no name', () => {
    const issue = only(
      parseError({ cubes: [{ name: 'orders', sql_table: 't', measures: [{ type: 'count' }] }] }),
      'MISSING_KEY',
    )
    expect(issue.path).toEqual(['cubes', 'orders', 'measures', 0, 'name'])
    expect(issue.message).toContain('measure at index 0 of cube "orders"')
  })

  it('INVALID_NAME explains the allowed characters', () => {
    const issue = only(parseError({ cubes: [{ name: 'my-orders', sql_table: 't' }] }), 'INVALID_NAME')
    expect(issue.path).toEqual(['cubes', 'my-orders', 'name'])
    expect(issue.message).toContain('use only letters, digits and underscores')
  })

  it('UNSUPPORTED_FEATURE for geo dimensions and result-changing keys Cortex lacks', () => {
    const error = parseError({
      cubes: [
        {
          name: 'stores',
          sql_table: 't',
          dimensions: [{ name: 'location', type: 'geo', latitude: { sql: 'lat' }, longitude: { sql: 'lng' } }],
          measures: [
            { name: 'total', type: 'sum', sql: 'x', cumulative: true },
            {
              name: 'prior',
              type: 'sum',
              sql: 'x',
              multi_stage: true,
              timeShift: [{ interval: '1 year', type: 'prior' }],
            },
          ],
        },
      ],
    })
    const paths = error.issues.filter((i) => i.code === 'UNSUPPORTED_FEATURE').map((i) => i.path.join('.'))
    expect(paths).toEqual([
      'cubes.stores.dimensions.location.type',
      'cubes.stores.dimensions.location.latitude',
      'cubes.stores.dimensions.location.longitude',
      'cubes.stores.measures.total.cumulative',
      'cubes.stores.measures.prior.time_shift',
    ])
    expect(error.issues[0]?.message).toContain('model latitude and longitude as two number dimensions')
    expect(error.issues[3]?.message).toContain('Cortex does not implement yet')
    expect(error.issues[3]?.message).toContain('Remove the key')
  })

  it('UNSUPPORTED_FEATURE for Jinja templates', () => {
    const issue = only(
      parseError('cubes:\n{% for t in tables %}\n  - name: {{ t }}\n{% endfor %}\n', 'gen.yml'),
      'UNSUPPORTED_FEATURE',
    )
    expect(issue.path).toEqual(['gen.yml'])
    expect(issue.message).toContain('Jinja templates are not supported; render them first')
  })

  it('DUPLICATE_KEY when camelCase and snake_case spellings of one key are both given', () => {
    const issue = only(parseError({ cubes: [{ name: 'orders', sqlTable: 'a', sql_table: 'b' }] }), 'DUPLICATE_KEY')
    expect(issue.path).toEqual(['cubes', 'orders', 'sql_table'])
    expect(issue.message).toContain('Keep one')
  })

  it('YAML_SYNTAX reports the first error of a file with its line and column, and counts the rest', () => {
    const error = parseError(
      'cubes:\n  - name: orders\n    sql_table: ok\n   bad_indent: x\n  - name: "SECRET_TEXT\n',
      'bad.yml',
    )
    expect(error.code).toBe('MODEL_INVALID')
    const issue = only(error, 'YAML_SYNTAX')
    expect(issue.path).toEqual(['bad.yml'])
    expect(issue.message).toMatch(/^Model file "bad\.yml" is not valid YAML at line 4, column 4: .+\. Check the indent/)
    expect(issue.message).toMatch(/yaml reports \d+ more errors? after this one/)
    expect(error.message).not.toContain('SECRET_TEXT')
  })

  // The finding: one mis-indented line in an ordinary model file produced 77 YAML_SYNTAX issues.
  const ORDERS = [
    'cubes:',
    '  - name: orders',
    '    sql_table: orders',
    '',
    '    joins:',
    '      - name: customers',
    '        relationship: many_to_one',
    '        sql: "{CUBE}.customer_id = {customers.id}"',
    '',
    '    dimensions:',
    '      - name: id',
    '        sql: id',
    '        type: number',
    '        primary_key: true',
    '',
    '      - name: status',
    '        sql: status',
    '        type: string',
    '',
    '      - name: created_at',
    '        sql: created_at',
    '        type: time',
    '',
    '    measures:',
    '      - name: count',
    '        type: count',
    '',
    '      - name: total_amount',
    '        sql: amount',
    '        type: sum',
    '',
  ]
  const shifted = (line: number, by: number): string =>
    ORDERS.map((l, i) => {
      if (i !== line - 1) return l
      const indent = Math.max(0, l.length - l.trimStart().length + by)
      return `${' '.repeat(indent)}${l.trimStart()}`
    }).join('\n')

  it.each([
    // [line moved, by how many columns, line to report, column to report]
    [18, -1, 18, 8], // "type: string" one column left of its siblings
    [18, 1, 18, 10], // ... one column right: read as part of the value above it
    [16, -2, 16, 5], // a list item two columns left
    [11, -3, 11, 4], // the first dimension three columns left
    [28, -3, 28, 4], // the last measure
    [1, 3, 2, 3], // "cubes:" indented: the first line that no longer fits
  ])('one mis-indented line (line %i moved by %i): one issue at line %i column %i', async (line, by, at, col) => {
    expect(() => parseModel([{ file: 'ok.yml', content: ORDERS.join('\n') }])).not.toThrow()
    const error = await loadError(join(await folder({ 'model/orders.yml': shifted(line, by) }), 'model'))
    expect(error.code).toBe('MODEL_INVALID')
    expect(error.issues).toHaveLength(1)
    const [issue] = error.issues
    expect(issue!.code).toBe('YAML_SYNTAX')
    expect(issue!.path).toEqual(['orders.yml'])
    expect(issue!.message).toContain(`Model file "orders.yml" is not valid YAML at line ${at}, column ${col}: `)
    expect(issue!.message).toMatch(/Check the indentation of this line|Indent it like the key above/)
  })

  it('YAML_SYNTAX says how to fix a tab, a duplicate key and a bad escape', () => {
    const yamlIssue = (text: string): string => only(parseError(text, 'a.yml'), 'YAML_SYNTAX').message
    expect(yamlIssue('cubes:\n\t- name: a\n')).toMatch(/Indent with spaces|indentation/)
    const twice = 'cubes:\n  - name: a\n    name: b\n    sql_table: t\n'
    expect(yamlIssue(twice)).toContain('Remove or rename one of the two keys.')
    expect(yamlIssue('cubes:\n  - name: "a\\q"\n')).toContain('inside double quotes')
  })

  it('JSON_SYNTAX gives the line and column of the error', () => {
    const issue = only(parseError('{\n  "cubes": [\n    { "name": "orders", }\n  ]\n}\n', 'orders.json'), 'JSON_SYNTAX')
    expect(issue.path).toEqual(['orders.json'])
    expect(issue.message).toContain('at line 3, column 25')
    expect(issue.message).toContain('Fix the JSON syntax')
  })

  it('FILE_NOT_FOUND keeps the cause and says what to pass', async () => {
    const missing = join(tmpdir(), 'cortex-does-not-exist', 'model')
    const error = await loadError(missing)
    expect(error.code).toBe('MODEL_LOAD_FAILED')
    const issue = only(error, 'FILE_NOT_FOUND')
    expect(issue.path).toEqual([missing])
    expect(issue.message).toContain('Pass a folder of .yml/.yaml/.json model files')
    expect((error.cause as { code?: string }).code).toBe('ENOENT')
  })

  it('FILE_READ_FAILED when a path cannot be read', async () => {
    const root = await folder({})
    await symlink(join(root, 'loop'), join(root, 'loop'))
    const error = await loadError(join(root, 'loop'))
    expect(error.code).toBe('MODEL_LOAD_FAILED')
    const issue = only(error, 'FILE_READ_FAILED')
    expect(issue.path).toEqual([join(root, 'loop')])
    expect(issue.message).toContain('ELOOP')
    expect(error.cause).toBeInstanceOf(Error)
  })

  it('NO_MODEL_FILES for a folder without model files', async () => {
    const root = await folder({
      'README.md': '# model',
      'node_modules/x/orders.yml': ORDERS_YAML,
      '.hidden/orders.yml': ORDERS_YAML,
    })
    const error = await loadError(root)
    expect(error.code).toBe('MODEL_LOAD_FAILED')
    const issue = only(error, 'NO_MODEL_FILES')
    expect(issue.path).toEqual([root])
    expect(issue.message).toContain('Add Cube model files or pass the right folder')
  })

  it('UNSUPPORTED_FILE for Cube JavaScript models', async () => {
    const root = await folder({
      'orders.yml': ORDERS_YAML,
      'schema/users.js': 'cube(`users`, { sql_table: `users` })\n',
      'helpers.js': 'export const x = 1\n',
    })
    const error = await loadError(root)
    expect(error.code).toBe('MODEL_LOAD_FAILED')
    const issue = only(error, 'UNSUPPORTED_FILE')
    expect(issue.path).toEqual(['schema/users.js'])
    expect(issue.message).toContain('Convert it to YAML')
  })
})

describe('normalization', () => {
  it('camelCase and snake_case models produce identical definitions', () => {
    const snake = parseModel([
      {
        content: {
          cubes: [
            {
              name: 'orders',
              sql_table: 'orders',
              data_source: 'main',
              sql_alias: 'o',
              refresh_key: { every: '1 hour' },
              pre_aggregations: [{ name: 'main', type: 'rollup', time_dimension: 'created_at' }],
              dimensions: [
                {
                  name: 'id',
                  type: 'number',
                  sql: 'id',
                  primary_key: true,
                  sub_query: false,
                  propagate_filters_to_sub_query: false,
                },
              ],
              measures: [
                {
                  name: 'n',
                  type: 'count_distinct',
                  sql: 'id',
                  drill_members: ['id'],
                  rolling_window: { trailing: '7 day' },
                },
              ],
            },
          ],
          views: [{ name: 'v', cubes: [{ join_path: 'orders', includes: '*', excludes: ['n'] }] }],
        },
      },
    ])
    const camel = parseModel([
      {
        content: {
          cubes: [
            {
              name: 'orders',
              sqlTable: 'orders',
              dataSource: 'main',
              sqlAlias: 'o',
              refreshKey: { every: '1 hour' },
              preAggregations: [{ name: 'main', type: 'rollup', timeDimension: 'created_at' }],
              dimensions: [
                {
                  name: 'id',
                  type: 'number',
                  sql: 'id',
                  primaryKey: true,
                  subQuery: false,
                  propagateFiltersToSubQuery: false,
                },
              ],
              measures: [
                {
                  name: 'n',
                  type: 'countDistinct',
                  sql: 'id',
                  drillMembers: ['id'],
                  rollingWindow: { trailing: '7 day' },
                },
              ],
            },
          ],
          views: [{ name: 'v', cubes: [{ joinPath: 'orders', includes: '*', excludes: ['n'] }] }],
        },
      },
    ])
    expect(camel).toEqual(snake)
    expect(snake.cubes[0]?.sql_table).toBe('orders')
    expect(snake.cubes[0]?.measures[0]?.type).toBe('count_distinct')
  })

  it('maps relationship aliases to canonical names', () => {
    const aliases = [
      'has_one',
      'hasOne',
      'oneToOne',
      'one_to_one',
      'has_many',
      'hasMany',
      'oneToMany',
      'one_to_many',
      'belongs_to',
      'belongsTo',
      'manyToOne',
      'many_to_one',
    ]
    const model = parseModel([
      {
        content: {
          cubes: [
            {
              name: 'a',
              sql_table: 'a',
              joins: aliases.map((relationship) => ({ name: 'b', relationship, sql: '1 = 1' })),
            },
          ],
        },
      },
    ])
    expect(model.cubes[0]?.joins.map((j) => j.relationship)).toEqual([
      ...Array<string>(4).fill('one_to_one'),
      ...Array<string>(4).fill('one_to_many'),
      ...Array<string>(4).fill('many_to_one'),
    ])
  })

  it('maps shown to public, fills list defaults and drops keys that cannot change results', () => {
    const model = parseModel([
      {
        content: ORDERS_YAML.replace(
          'primary_key: true',
          'primary_key: true\n        shown: false\n        suggest_filter_values: false',
        ),
      },
    ])
    const cube = model.cubes[0]
    expect(cube?.dimensions[0]).toEqual({ name: 'id', sql: 'id', type: 'number', primary_key: true, public: false })
    expect(cube?.segments).toEqual([])
    expect(cube?.hierarchies).toEqual([])
    expect(cube?.measures[0]).toEqual({ name: 'count', type: 'count', filters: [], drill_members: [] })
  })

  it('keeps meta keys verbatim (camelCase preserved) and converts keys around them', () => {
    const model = parseModel([
      {
        content: {
          cubes: [{ name: 'orders', sqlTable: 't', meta: { ownerTeam: 'x', nested: { someKey: [{ innerKey: 1 }] } } }],
        },
      },
    ])
    expect(model.cubes[0]?.meta).toEqual({ ownerTeam: 'x', nested: { someKey: [{ innerKey: 1 }] } })
  })

  it('__proto__ keys are reported and do not pollute Object.prototype', () => {
    const text =
      '{"cubes": [{"name": "orders", "sql_table": "t", "__proto__": {"polluted": true}, "meta": {"__proto__": {"polluted2": true}}}]}'
    const error = parseError(text)
    expect(error.issues.map((i) => [i.code, i.path.join('.')])).toEqual([
      ['UNKNOWN_KEY', 'cubes.orders.__proto__'],
      ['UNKNOWN_KEY', 'cubes.orders.meta.__proto__'],
    ])
    const yamlError = parseError('cubes:\n  - name: orders\n    sql_table: t\n    __proto__:\n      polluted3: true\n')
    expect(yamlError.issues.map((i) => [i.code, i.path.join('.')])).toEqual([['UNKNOWN_KEY', 'cubes.orders.__proto__']])
    expect(yamlError.issues[0]?.message).toContain('Remove it')
    const probe: Record<string, unknown> = {}
    expect(probe['polluted']).toBeUndefined()
    expect(probe['polluted2']).toBeUndefined()
    expect(probe['polluted3']).toBeUndefined()
  })

  it('never changes name values', () => {
    const model = parseModel([
      {
        content: {
          cubes: [{ name: 'lineItems', sqlTable: 't', dimensions: [{ name: 'productId', type: 'string', sql: 'x' }] }],
        },
      },
    ])
    expect(model.cubes[0]?.name).toBe('lineItems')
    expect(model.cubes[0]?.dimensions[0]?.name).toBe('productId')
  })
})

describe('loading', () => {
  it('loads a folder recursively in sorted order and sets file on every cube and view', async () => {
    const cube = (name: string): string => `cubes:\n  - name: ${name}\n    sql_table: ${name}\n`
    const root = await folder({
      'b.yml': cube('b_cube'),
      'a/z.yaml': cube('az_cube'),
      'a/b/c.json': JSON.stringify({ cubes: [{ name: 'abc_cube', sql_table: 'x' }] }),
      'views/all.yml': 'views:\n  - name: everything\n    cubes:\n      - join_path: b_cube\n        includes: "*"\n',
      'notes.txt': 'ignored',
      'node_modules/pkg/bad.yml': 'not: [valid',
      '.git/bad.yml': 'not: [valid',
    })
    const model = await loadModel(root)
    expect(model.cubes.map((c) => [c.file, c.name])).toEqual([
      ['a/b/c.json', 'abc_cube'],
      ['a/z.yaml', 'az_cube'],
      ['b.yml', 'b_cube'],
    ])
    expect(model.views.map((v) => [v.file, v.name])).toEqual([['views/all.yml', 'everything']])
    expect(await loadModel(root)).toEqual(model)
  })

  it('treats an empty YAML file as an empty model but rejects a missing source object', async () => {
    const root = await folder({ 'empty.yml': '# nothing yet\n', 'orders.yml': ORDERS_YAML })
    expect((await loadModel(root)).cubes.map((c) => c.name)).toEqual(['orders'])
    const error = parseError(null as unknown as object)
    expect(error.issues.map((i) => [i.code, i.path])).toEqual([['WRONG_TYPE', []]])
  })

  it('accepts a single file, YAML text, objects and arrays mixing them', async () => {
    const root = await folder({ 'orders.yml': ORDERS_YAML })
    const model = await loadModel([
      join(root, 'orders.yml'),
      'cubes:\n  - name: users\n    sql_table: users\n',
      { cubes: [{ name: 'items', sql_table: 'items' }] },
    ])
    expect(model.cubes.map((c) => [c.name, c.file])).toEqual([
      ['orders', 'orders.yml'],
      ['users', undefined],
      ['items', undefined],
    ])
    expect(model.cubes[0]?.joins[0]).toEqual({
      name: 'users',
      relationship: 'many_to_one',
      sql: '{CUBE}.user_id = {users.id}',
    })
  })

  it('reports issues from several files at once', async () => {
    const root = await folder({
      'a.yml': 'cubes:\n  - name: a\n    sqlTabel: a\n',
      'b.yml':
        'cubes:\n  - name: b\n    sql_table: b\n    measures:\n      - name: m\n        type: summ\n        sql: x\n',
      'c.json': '{"cubes": [}',
    })
    const error = await loadError(root)
    expect(error.code).toBe('MODEL_INVALID')
    expect(error.issues.map((i) => [i.code, i.path[0]])).toEqual([
      ['UNKNOWN_KEY', 'a.yml'],
      ['WRONG_TYPE', 'b.yml'],
      ['JSON_SYNTAX', 'c.json'],
    ])
    expect(error.issues[1]?.path).toEqual(['b.yml', 'cubes', 'b', 'measures', 'm', 'type'])
  })

  it('reports issues in file order although files are read in parallel', async () => {
    const name = (i: number): string => `c${String(i).padStart(2, '0')}`
    const files: Record<string, string> = {}
    for (let i = 0; i < 40; i++) files[`${name(i)}.yml`] = `cubes:\n  - name: ${name(i)}\n    sql_table: t\n`
    // The first bad file is the largest, so its read is likely to finish last.
    files['c03.yml'] = `cubes:\n  - name: c03\n    sqlTabel: t\n    description: ${'x'.repeat(2_000_000)}\n`
    files['c17.json'] = '{"cubes": [}'
    files['c35.yml'] = 'cubes:\n  - name: c35\n    sqlTabel: t\n'
    const error = await loadError(await folder(files))
    expect(error.issues.map((i) => [i.code, i.path[0]])).toEqual([
      ['UNKNOWN_KEY', 'c03.yml'],
      ['JSON_SYNTAX', 'c17.json'],
      ['UNKNOWN_KEY', 'c35.yml'],
    ])
  })

  it('returns deep-frozen data', async () => {
    const model = await loadModel(ORDERS_YAML)
    expect(Object.isFrozen(model)).toBe(true)
    expect(Object.isFrozen(model.cubes)).toBe(true)
    expect(Object.isFrozen(model.cubes[0]?.dimensions[0])).toBe(true)
    expect(Object.isFrozen(model.cubes[0]?.joins)).toBe(true)
  })

  it('does not freeze or keep references to objects passed in', () => {
    const meta = { owner: 'x' }
    const input = { cubes: [{ name: 'orders', sql_table: 't', meta }] }
    const model = parseModel([{ content: input }])
    expect(Object.isFrozen(meta)).toBe(false)
    expect(model.cubes[0]?.meta).not.toBe(meta)
  })
})
