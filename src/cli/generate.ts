import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { generateModel } from '../index.js'
import type { CommandIo } from './commands.js'
import { connect, parseDb } from './connect.js'
import { formatIssue, redactUrl } from './output.js'

export interface GenerateFlags {
  readonly from: string
  readonly out: string
  readonly schema?: string
  readonly tables?: readonly string[]
  readonly force: boolean
}

/**
 * `cortex generate --from <url> --out <dir>`: a Cube YAML file per table. Nothing is written when any
 * target file exists (unless --force), so a run never leaves half a model behind.
 */
export async function generateCommand(flags: GenerateFlags, io: CommandIo): Promise<number> {
  const target = parseDb(flags.from, io.cwd)
  const out = resolve(io.cwd, flags.out)
  const connector = await connect(target)
  let result: Awaited<ReturnType<typeof generateModel>>
  try {
    const schema = flags.schema === undefined ? {} : { schema: flags.schema }
    result = await generateModel({ connector, ...schema, ...(flags.tables ? { tables: flags.tables } : {}) })
  } finally {
    await connector.close()
  }
  const shown = flags.out // as the user wrote it
  const existing = result.files.filter((f) => existsSync(join(out, f.path)))
  if (existing.length && !flags.force) {
    for (const f of existing) io.stderr.write(`error: ${join(shown, f.path)} already exists.\n`)
    const them = existing.length === 1 ? 'it' : 'them'
    io.stderr.write(`Nothing was written. Pass --force to overwrite ${them}, or choose another --out.\n`)
    return 1
  }
  await mkdir(out, { recursive: true })
  for (const f of result.files) await writeFile(join(out, f.path), f.content)
  for (const w of result.warnings) io.stderr.write(`warning: ${formatIssue(w)}\n`)
  const source = target.kind === 'sqlite' ? target.location : redactUrl(target.location)
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`
  const warned = result.warnings.length ? ` (${plural(result.warnings.length, 'warning')} above)` : ''
  io.stdout.write(`wrote ${plural(result.files.length, 'cube')} to ${shown} from ${source}${warned}\n`)
  for (const f of result.files) io.stdout.write(`  ${join(shown, f.path)}\n`)
  return 0
}
