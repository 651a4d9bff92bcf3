/**
 * docs/connectors.md against the code: the options in each connector's table are the options its type
 * declares (no more, no fewer), and every error and issue code the page lists is one the code raises.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO } from '../cli/run-cli.js'

const DOC = readFileSync(join(REPO, 'docs/connectors.md'), 'utf8')
const source = (file: string): string => readFileSync(join(REPO, 'src/connectors', file), 'utf8')

/** Option names in the first table of the section under `heading`. */
function documentedOptions(heading: string): string[] {
  const start = DOC.indexOf(`\n## ${heading}\n`)
  const section = DOC.slice(start, DOC.indexOf('\n## ', start + 4))
  const table = section.slice(section.indexOf('| option |'))
  return [...table.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]!).sort()
}

/** Property names declared in the body of `declaration` (an interface or a type literal) in `file`. */
function declaredOptions(file: string, declaration: RegExp): string[] {
  const text = source(file)
  const start = text.search(declaration)
  expect(start, String(declaration)).toBeGreaterThan(-1)
  let depth = 0
  let end = start
  for (let i = text.indexOf('{', start); i < text.length; i++) {
    if (text[i] === '{') depth++
    else if (text[i] === '}' && --depth === 0) {
      end = i
      break
    }
  }
  // Top-level members only: `name?:` or `readonly name?:` at the first indentation of the body.
  const body = text.slice(start, end)
  const indent = /\n( +)(?:readonly )?\w+\??:/.exec(body)![1]!
  return [...body.matchAll(new RegExp(`\\n${indent}(?:readonly )?(\\w+)\\??:`, 'g'))].map((m) => m[1]!).sort()
}

describe('docs/connectors.md matches the connectors', () => {
  it('SQLite: every option of SqliteOptions, and only those', () => {
    const common = declaredOptions('sqlite-connector.ts', /export interface SqliteCommonOptions \{/)
    const declared = [
      ...new Set([...declaredOptions('sqlite-connector.ts', /export type SqliteOptions =/), ...common, 'database']),
    ].sort()
    expect(documentedOptions('SQLite')).toEqual(declared)
  })

  it('DuckDB: every option of DuckDBOptions, and only those', () => {
    const common = declaredOptions('duckdb-connector.ts', /export interface DuckDBCommonOptions \{/)
    const declared = [
      ...new Set([
        ...declaredOptions('duckdb-connector.ts', /export type DuckDBOptions =/),
        ...common,
        'instance',
        'connection',
      ]),
    ].sort()
    expect(documentedOptions('DuckDB')).toEqual(declared)
  })

  it('PostgreSQL: every option of PostgresOptions, and only those', () => {
    expect(documentedOptions('PostgreSQL')).toEqual(
      declaredOptions('postgres-connector.ts', /export type PostgresOptions = \{/),
    )
  })

  it('MySQL: every option of MysqlOptions, and only those', () => {
    expect(documentedOptions('MySQL and MariaDB')).toEqual(
      declaredOptions('mysql-connector.ts', /export interface MysqlOptions \{/),
    )
  })

  it('lists exactly the CONFIG_INVALID issue codes postgres() raises', () => {
    const raised = [
      ...new Set([...source('postgres-connector.ts').matchAll(/add\(\s*'(POSTGRES_[A-Z_]+)'/g)].map((m) => m[1]!)),
    ].sort()
    const listed = [...new Set([...DOC.matchAll(/`(POSTGRES_(?!ERROR)[A-Z_]+)`/g)].map((m) => m[1]!))].sort()
    expect(listed).toEqual(raised)
  })

  it('every issue code in the Errors table is raised somewhere in src/', () => {
    const start = DOC.indexOf('\n## Errors\n')
    const table = DOC.slice(start, DOC.indexOf('\n### ', start))
    const codes = [...table.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!)
    expect(codes.length).toBeGreaterThan(15)
    const src =
      [
        'sqlite-connector.ts',
        'postgres-connector.ts',
        'mysql-connector.ts',
        'duckdb-connector.ts',
        'connector.ts',
        'cancellation.ts',
      ]
        .map(source)
        .join('\n') +
      ['create-semantic-layer.ts', 'layer/execute-query.ts', 'layer/prepare-query.ts']
        .map((f) => readFileSync(join(REPO, 'src', f), 'utf8'))
        .join('\n') +
      readFileSync(join(REPO, 'src/errors.ts'), 'utf8') +
      readFileSync(join(REPO, 'src/util/options.ts'), 'utf8') // every options object is read through it
    for (const code of new Set(codes)) expect(src, code).toMatch(new RegExp(`['"]${code}['"]`))
  })
})
