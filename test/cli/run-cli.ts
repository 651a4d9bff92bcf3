/** Run the CLI in-process and capture what it prints. */
import Database from 'better-sqlite3'
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createEcommerceSqlite } from '../../examples/ecommerce/generate.mjs'
import { main } from '../../src/cli/main.js'
import type { WatchModelOptions } from '../../src/index.js'

export const REPO = fileURLToPath(new URL('../..', import.meta.url))
export const MODEL_DIR = join(REPO, 'examples/ecommerce/model')

export interface CliRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export interface CliCall {
  readonly stdin?: string
  readonly signal?: AbortSignal
  readonly env?: Record<string, string | undefined>
  /** Called with everything printed so far, after each write to stdout. */
  readonly onStdout?: (text: string) => void
  /** The same for stderr. */
  readonly onStderr?: (text: string) => void
  /** `cortex serve --watch`'s watcher options (timers). */
  readonly watchOptions?: WatchModelOptions
}

export async function runCli(argv: string[], call: CliCall = {}): Promise<CliRun> {
  let stdout = ''
  let stderr = ''
  const code = await main(argv, {
    stdout: { write: (s: string) => ((stdout += s), call.onStdout?.(stdout)) },
    stderr: { write: (s: string) => ((stderr += s), call.onStderr?.(stderr)) },
    stdin: (async function* () {
      if (call.stdin !== undefined) yield call.stdin
    })(),
    cwd: REPO,
    env: call.env ?? {},
    ...(call.signal ? { signal: call.signal } : {}),
    ...(call.watchOptions ? { watchOptions: call.watchOptions } : {}),
  })
  return { code, stdout, stderr }
}

/** A scratch folder with the e-commerce SQLite database in it. */
export function scratchDatabase(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cortex-cli-'))
  const file = join(dir, 'shop.db')
  const db = new Database(file)
  createEcommerceSqlite(db)
  db.close()
  return { dir, file }
}

/** A copy of the example model with `edit(text)` applied to one file. */
export function brokenModel(file: string, edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cortex-model-'))
  cpSync(MODEL_DIR, dir, { recursive: true })
  writeFileSync(join(dir, file), edit(readFileSync(join(dir, file), 'utf8')))
  return dir
}
