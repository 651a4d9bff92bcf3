/**
 * No regular expression in src/ takes super-linear time on any input (issue 16, finding 5: the router's
 * `/\/+$/` was quadratic in a run of slashes and ran before authentication). Every regex literal in src/ is
 * read from the source with TypeScript's parser and checked with scslre (the analysis behind
 * eslint-plugin-regexp's no-super-linear-* rules), which finds patterns that backtrack or restart
 * super-linearly on some repeated character. Patterns built at run time must be listed here and checked
 * too. No timing: the test checks the patterns, and the router's fix by what it answers.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { analyse } from 'scslre'
import ts from 'typescript'
import { describe, expect, test } from 'vitest'
import { createFetchHandler } from '../../src/http.js'
import { withoutTrailingSlashes } from '../../src/util/paths.js'
import { createSemanticLayer } from '../../src/index.js'

const SRC = fileURLToPath(new URL('../../src', import.meta.url))

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
}

interface Found {
  readonly where: string
  readonly regex?: RegExp
  readonly dynamic?: string
}

/** Every regex literal and every `new RegExp(...)` / `RegExp(...)` call in src/. */
function findRegexes(): Found[] {
  const out: Found[] = []
  for (const file of sourceFiles(SRC)) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
    const visit = (node: ts.Node): void => {
      const where = `${relative(SRC, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`
      if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const text = node.getText()
        const end = text.lastIndexOf('/')
        out.push({ where, regex: new RegExp(text.slice(1, end), text.slice(end + 1)) })
      } else if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && node.expression.getText() === 'RegExp') {
        out.push({ where, dynamic: node.getText() })
      }
      ts.forEachChild(node, visit)
    }
    visit(source)
  }
  return out
}

/** Patterns built at run time, by where they are built, with the pattern itself. */
const DYNAMIC: Readonly<Record<string, RegExp>> = {
  // None since model YAML is read by js-yaml (src/model/yaml-text.ts uses literals only).
}

const problems = (regex: RegExp): string[] =>
  analyse(regex).reports.map((r) => `${r.type}${r.exponential ? ' (exponential)' : ' (polynomial)'}`)

describe('regular expressions in src/', () => {
  const found = findRegexes()

  test('the scan finds the patterns (premise), including the one that used to be quadratic', () => {
    expect(found.filter((f) => f.regex).length).toBeGreaterThan(40)
    expect(problems(/\/+$/)).toEqual(['Move (polynomial)']) // the checker sees the old router pattern
    expect(problems(/^\{\s*(?:(==)\s*(.+))?$/)).not.toEqual([]) // and a quantifier trade
  })

  test('no literal can take super-linear time', () => {
    const bad = found
      .filter((f) => f.regex && problems(f.regex).length > 0)
      .map((f) => `${f.where} ${String(f.regex)}: ${problems(f.regex!).join(', ')}`)
    expect(bad).toEqual([])
  })

  test('patterns built at run time are known and checked', () => {
    const dynamic = found.filter((f) => f.dynamic !== undefined).map((f) => f.where.replace(/:\d+$/, ''))
    expect(dynamic.sort()).toEqual(Object.keys(DYNAMIC).sort())
    for (const [where, regex] of Object.entries(DYNAMIC)) expect(problems(regex), where).toEqual([])
  })
})

describe('routing: trailing slashes are trimmed in one scan (regression: 15 000 slashes took seconds)', () => {
  test('withoutTrailingSlashes', () => {
    expect(withoutTrailingSlashes('/healthz///')).toBe('/healthz')
    expect(withoutTrailingSlashes('/')).toBe('/')
    expect(withoutTrailingSlashes('//')).toBe('/')
    expect(withoutTrailingSlashes('/a/b')).toBe('/a/b')
    expect(withoutTrailingSlashes('')).toBe('')
    const long = `/cubejs-api/v1/meta${'/'.repeat(1_500_000)}`
    expect(withoutTrailingSlashes(long)).toBe('/cubejs-api/v1/meta')
  })

  test('a path of 1.5 million slashes is answered (404), and /healthz/// still routes', async () => {
    const layer = createSemanticLayer({ model: { cubes: [] }, connectors: {} })
    const handle = createFetchHandler(layer)
    expect((await handle(new Request(`http://localhost/${'/'.repeat(1_500_000)}x`))).status).toBe(404)
    expect((await handle(new Request(`http://localhost/healthz${'/'.repeat(150_000)}`))).status).toBe(200)
    await handle.close()
  })
})
