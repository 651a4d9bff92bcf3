import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, relative, resolve } from 'node:path'
import { compileModel, loadModel, modelTypesSource } from '../index.js'
import type { CommandIo } from './commands.js'
import { UsageError } from './output.js'

export interface TypesFlags {
  readonly model: string
  /** The .ts/.d.ts file to write; without it the source goes to stdout. */
  readonly out?: string
  readonly name?: string
}

/**
 * `cortex types <model-dir> [--out <file>] [--name <Type>]`: the model's member types, for
 * `createSemanticLayer<CortexModel>(…)`. The model is compiled first, so an invalid one prints its issues
 * and writes nothing.
 */
export async function typesCommand(flags: TypesFlags, io: CommandIo): Promise<number> {
  if (flags.name !== undefined && !/^[A-Za-z_$][\w$]*$/.test(flags.name))
    throw new UsageError('--name must be a TypeScript identifier like CortexModel.')
  const model = compileModel(await loadModel(resolve(io.cwd, flags.model)))
  const source = relative(io.cwd, resolve(io.cwd, flags.model)).split('\\').join('/') || '.'
  const text = modelTypesSource(model, { source, ...(flags.name === undefined ? {} : { typeName: flags.name }) })
  if (flags.out === undefined) {
    io.stdout.write(text)
    return 0
  }
  const out = resolve(io.cwd, flags.out)
  await mkdir(dirname(out), { recursive: true })
  await writeFile(out, text)
  const n = (o: object): number => Object.keys(o).length
  const members = Object.values(model.cubes).reduce((s, c) => s + n(c.measures) + n(c.dimensions) + n(c.segments), 0)
  io.stdout.write(`wrote ${flags.out}: ${n(model.cubes)} cubes, ${n(model.views)} views, ${members} cube members\n`)
  return 0
}
