// The compile-time cost of typed queries: a generated model of N cubes (default 100), its type written by
// modelTypesSource (what `cortex types` writes), and the same 40 queries type-checked twice with the root's
// TypeScript: through createSemanticLayer<Model> (typed) and through the untyped layer. Prints tsc's
// "Check time" and memory for both, and their ratio. Needs `npm run build` (it imports dist/ to generate).
//
//   node bench/type-check-cost.mjs [cubes]
import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { compileModel, modelTypesSource, parseModel } from '../dist/index.js'

const CUBES = Number(process.argv[2] ?? 100)
const root = fileURLToPath(new URL('..', import.meta.url))
const dir = `${root}bench/results/type-cost`
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })

const cubes = []
for (let c = 0; c < CUBES; c++) {
  const measures = [{ name: 'count', type: 'count' }]
  for (let m = 0; m < 8; m++) measures.push({ name: `amount_${m}`, sql: `amount_${m}`, type: m % 2 ? 'avg' : 'sum' })
  const dimensions = [{ name: 'id', sql: 'id', type: 'number', primary_key: true }]
  for (let d = 0; d < 6; d++) dimensions.push({ name: `label_${d}`, sql: `label_${d}`, type: 'string' })
  dimensions.push(
    { name: 'created_at', sql: 'created_at', type: 'time' },
    { name: 'shipped_at', sql: 'shipped_at', type: 'time' },
  )
  dimensions.push({ name: 'size', sql: 'size', type: 'number' }, { name: 'flag', sql: 'flag', type: 'boolean' })
  const segments = [{ name: 'big', sql: '{CUBE}.size > 10' }]
  const joins =
    c > 0 ? [{ name: `cube_${c - 1}`, relationship: 'many_to_one', sql: `{CUBE}.parent_id = {cube_${c - 1}}.id` }] : []
  cubes.push({ name: `cube_${c}`, sql_table: `t_${c}`, joins, measures, dimensions, segments })
}
const model = compileModel(parseModel([{ content: { cubes } }]))
writeFileSync(`${dir}/model.d.ts`, modelTypesSource(model, { typeName: 'BigModel' }))

const queries = []
for (let i = 0; i < Number(process.env.QUERIES ?? 40); i++) {
  const c = `cube_${(i * 7) % CUBES}`
  queries.push(`  {
    const { data } = await layer.query({
      measures: ['${c}.count', '${c}.amount_${i % 8}'],
      dimensions: ['${c}.label_${i % 6}', '${c}.flag'],
      timeDimensions: [{ dimension: '${c}.created_at', granularity: 'month', dateRange: 'last 7 days' }],
      filters: [{ member: '${c}.label_${(i + 1) % 6}', operator: 'contains', values: ['x'] }, { or: [{ member: '${c}.size', operator: 'gt', values: [3] }] }],
      segments: ['${c}.big'],
      order: { '${c}.count': 'desc' },
    })
    out.push(data[0])
  }`)
}
const program = (typed) => `import { createSemanticLayer } from '../../../src/index.js'
${typed ? "import type { BigModel } from './model.js'\n" : ''}
export async function run(): Promise<unknown[]> {
  const layer = createSemanticLayer${typed ? '<BigModel>' : ''}({ model: { cubes: [] }, connectors: {} })
  const out: unknown[] = []
${queries.join('\n')}
  return out
}
`
writeFileSync(`${dir}/typed.ts`, program(true))
writeFileSync(`${dir}/untyped.ts`, program(false))
const tsconfig = (file) => ({
  extends: '../../../tsconfig.json',
  compilerOptions: { noEmit: true, declaration: false, incremental: false },
  include: [],
  files: [file],
})
writeFileSync(`${dir}/tsconfig.typed.json`, JSON.stringify(tsconfig('typed.ts')))
writeFileSync(`${dir}/tsconfig.untyped.json`, JSON.stringify(tsconfig('untyped.ts')))

const measure = (name) => {
  const out = execFileSync(
    process.execPath,
    [`${root}node_modules/typescript/bin/tsc`, '-p', `${dir}/tsconfig.${name}.json`, '--extendedDiagnostics'],
    { encoding: 'utf8' },
  )
  const read = (label) => Number(out.match(new RegExp(`${label}:\\s+([\\d.]+)`))?.[1])
  return { check: read('Check time'), memoryK: read('Memory used'), types: read('Types'), inst: read('Instantiations') }
}
const untyped = measure('untyped')
const typed = measure('typed')
console.log(
  `${CUBES} cubes, ${Object.values(model.cubes).reduce((n, c) => n + Object.keys(c.measures).length + Object.keys(c.dimensions).length, 0)} members, 40 queries`,
)
console.log(
  `untyped: check ${untyped.check}s, ${untyped.types} types, ${untyped.inst} instantiations, ${untyped.memoryK}K`,
)
console.log(`typed:   check ${typed.check}s, ${typed.types} types, ${typed.inst} instantiations, ${typed.memoryK}K`)
console.log(
  `typed/untyped check time: ${(typed.check / untyped.check).toFixed(2)}x; extra types ${typed.types - untyped.types}`,
)
