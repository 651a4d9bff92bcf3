/**
 * examples/typed: the checked-in model type is what `cortex types` writes for the example model today,
 * the typed example runs and returns the numbers hand-written SQL gives, and the same example with one
 * misspelt member does not compile (checked with the TypeScript compiler, on a copy in memory).
 */
import Database from 'better-sqlite3'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { createEcommerceSqlite } from '../../examples/ecommerce/generate.mjs'
import { revenueByMonth } from '../../examples/typed/revenue-by-month.js'
import { compileModel, loadModel, modelTypesSource } from '../../src/index.js'
import { runCli } from '../cli/run-cli.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const EXAMPLE = `${ROOT}examples/typed/revenue-by-month.ts`
const TYPES = `${ROOT}examples/typed/cortex-model.d.ts`

describe('examples/typed', () => {
  it('the checked-in model type is up to date with the example model (regenerate with cortex types)', async () => {
    const model = compileModel(await loadModel(`${ROOT}examples/ecommerce/model`))
    expect(readFileSync(TYPES, 'utf8')).toBe(modelTypesSource(model, { source: 'examples/ecommerce/model' }))
    const cli = await runCli(['types', 'examples/ecommerce/model'])
    expect(cli.code).toBe(0)
    expect(cli.stdout).toBe(readFileSync(TYPES, 'utf8'))
  })

  it('cortex types --out writes the file (folders made as needed), --name renames the type', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cortex-types-'))
    try {
      const out = join(dir, 'nested', 'shop.d.ts')
      const cli = await runCli(['types', 'examples/ecommerce/model', '--out', out, '--name', 'Shop'])
      expect(cli).toMatchObject({ code: 0, stderr: '' })
      expect(cli.stdout).toContain(`wrote ${out}`)
      const text = readFileSync(out, 'utf8')
      expect(text).toContain('export type Shop = {')
      // The same file as the checked-in one but for the type's name.
      expect(text.replaceAll('Shop', 'CortexModel')).toBe(readFileSync(TYPES, 'utf8'))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('runs, with the numbers hand-written SQL gives', async () => {
    const db = new Database(':memory:')
    createEcommerceSqlite(db)
    try {
      const rows = await revenueByMonth(db)
      const oracle = db
        .prepare(
          `SELECT strftime('%Y-%m', created_at) AS month, count(*) AS n, sum(amount) AS total FROM orders
           WHERE status = 'paid' AND created_at >= '2024-01-01' AND created_at < '2025-01-01' GROUP BY 1 ORDER BY 1`,
        )
        .all() as { month: string; n: number; total: number }[]
      expect(oracle.length).toBeGreaterThan(6)
      expect(rows.map((r) => [r.month?.slice(0, 7), r.orders])).toEqual(oracle.map((r) => [r.month, r.n]))
      rows.forEach((r, i) => expect(r.revenue).toBeCloseTo(oracle[i]!.total, 6))
    } finally {
      db.close()
    }
  })

  it('compiles as written, and not with a misspelt member, operator or granularity', () => {
    const source = readFileSync(EXAMPLE, 'utf8')
    const variants = {
      asWritten: source,
      wrongMember: source.replace("'orders.total_amount']", "'orders.total_amont']"),
      wrongOperator: source.replace("operator: 'equals'", "operator: 'inDateRange'"),
      wrongGranularity: source.replace("granularity: 'month'", "granularity: 'fortnight'"),
    }
    const found = diagnostics(variants)
    expect(found.asWritten).toEqual([])
    for (const [name, expected] of [
      ['wrongMember', '"orders.total_amont"'],
      ['wrongOperator', '"inDateRange"'],
      ['wrongGranularity', '"fortnight"'],
    ] as const) {
      expect(variants[name]).not.toBe(source)
      expect(found[name]!.join('\n')).toContain(expected)
    }
  }, 60_000)
})

/**
 * Type-check each text as a copy of the example next to it (one program, so the library is read once),
 * with the repository's compiler options; the messages per copy.
 */
function diagnostics<K extends string>(texts: Record<K, string>): Record<K, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(
    `${ROOT}tsconfig.json`,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: () => undefined,
    },
  )!
  const names = Object.keys(texts) as K[]
  const fileOf = (k: K): string => EXAMPLE.replace(/\.ts$/, `.${k}.ts`)
  const byFile = new Map(names.map((k) => [fileOf(k), texts[k]]))
  const host = ts.createCompilerHost(config.options)
  const read = host.getSourceFile.bind(host)
  host.getSourceFile = (name, lang, ...rest) => {
    const text = byFile.get(name)
    return text === undefined ? read(name, lang, ...rest) : ts.createSourceFile(name, text, lang)
  }
  const exists = host.fileExists.bind(host)
  host.fileExists = (name) => byFile.has(name) || exists(name)
  const options = { ...config.options, noEmit: true }
  const program = ts.createProgram({ rootNames: [...byFile.keys()], options, host })
  const out = {} as Record<K, string[]>
  for (const k of names) {
    const file = program.getSourceFile(fileOf(k))!
    out[k] = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map((d) =>
      ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    )
  }
  return out
}
