/**
 * Where code cannot be generated (`node --disallow-code-generation-from-strings`, or a host that forbids
 * eval), RowShaper falls back to its loop. This runs the built package in a child process with and without
 * the flag, 700 rows (past the 512 rows from which generated code is used) through each row form, and
 * checks both against the rows the child inserted.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const REPO = fileURLToPath(new URL('../..', import.meta.url))
const CHILD = fileURLToPath(new URL('../fixtures/no-codegen-child.mjs', import.meta.url))
const BUILT = existsSync(new URL('../../dist/index.js', import.meta.url))
const ROWS = 700

/** Row i as the child inserted it, shaped as Cube returns it. */
function expectedRow(i: number): Record<string, unknown> {
  const day = `${new Date(Date.UTC(2024, 0, 1) + i * 7 * 3_600_000).toISOString().slice(0, 10)}T00:00:00.000`
  return {
    'items.id': i,
    'items.label': i % 9 === 0 ? null : `label ${i}`,
    'items.price': i * 1.5,
    'items.flag': i % 2 === 1,
    'items.at.day': day,
    'items.at': day,
  }
}

async function runChild(flags: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await promisify(execFile)(process.execPath, [...flags, CHILD, String(ROWS)], {
    cwd: REPO,
    maxBuffer: 64 * 2 ** 20,
  })
  return JSON.parse(stdout) as Record<string, unknown>
}

describe('row shaping without code generation', () => {
  if (!BUILT && process.env.CI === 'true') {
    it('needs the build (dist/) when CI=true', () => {
      throw new Error('dist/index.js is missing: .ci/run builds before it tests')
    })
    return
  }
  it.skipIf(!BUILT)(
    'returns the same rows on every row form with --disallow-code-generation-from-strings as with code generation (skipped without a build)',
    async () => {
      const expected = Array.from({ length: ROWS }, (_, i) => expectedRow(i + 1))
      const [withFlag, without] = await Promise.all([
        runChild(['--disallow-code-generation-from-strings']),
        runChild([]),
      ])
      // The premise: the flag took effect in one child and not in the other.
      expect([withFlag.codegen, without.codegen]).toEqual([false, true])
      for (const form of ['mapped', 'arrays', 'objects']) {
        expect(withFlag[form], `${form}, no code generation`).toStrictEqual(expected)
        expect(without[form], `${form}, code generation`).toStrictEqual(expected)
      }
    },
    30_000,
  )
})
