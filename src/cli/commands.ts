import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import {
  SemanticLayerError,
  compileModel,
  createSemanticLayer,
  loadModel,
  type Connector,
  type SemanticLayer,
} from '../index.js'
import { SQL_DIALECT_NAMES, sqlDialectNamed } from '../sql/dialects/registry.js'
import { connect, parseDb } from './connect.js'
import { UsageError, formatTable, type Writer } from './output.js'

export interface CommandIo {
  readonly stdout: Writer
  readonly stderr: Writer
  readonly stdin: AsyncIterable<Uint8Array | string>
  readonly cwd: string
}

/** `cortex validate <model>`: load and compile; every issue with its file and path. */
export async function validateCommand(modelDir: string, io: CommandIo): Promise<number> {
  const compiled = compileModel(await loadModel(resolve(io.cwd, modelDir)))
  const cubes = Object.keys(compiled.cubes).length
  const views = Object.keys(compiled.views).length
  io.stdout.write(
    `ok: ${cubes} cube${cubes === 1 ? '' : 's'}, ${views} view${views === 1 ? '' : 's'} (model version ${compiled.version.slice(0, 12)})\n`,
  )
  return 0
}

/** `cortex sql <query> --model <dir> (--dialect <d> | --db <url>)`: compile only, no connection. */
export async function sqlCommand(
  input: string,
  flags: { model: string; dialect?: string; db?: string; json: boolean },
  io: CommandIo,
): Promise<number> {
  let dialect = flags.dialect
  if (dialect === undefined && flags.db !== undefined) dialect = parseDb(flags.db, io.cwd).kind
  if (dialect === undefined)
    throw new UsageError(
      `cortex sql needs --dialect <${SQL_DIALECT_NAMES.join('|')}> (or --db to take the dialect from).`,
    )
  const named = sqlDialectNamed(dialect)
  if (!named) throw new UsageError(`Unknown dialect '${dialect}'. Use one of: ${SQL_DIALECT_NAMES.join(', ')}.`)
  const query = await readQuery(input, io)
  const layer = await openLayer(flags.model, {}, io)
  try {
    const rendered = await layer.sql(query, { dialect: named })
    if (flags.json) io.stdout.write(`${JSON.stringify({ sql: rendered.sql, params: rendered.params }, null, 2)}\n`)
    else io.stdout.write(`${rendered.sql}\n-- params: ${JSON.stringify(rendered.params)}\n`)
    return 0
  } finally {
    await layer.close()
  }
}

/** `cortex query <query> --model <dir> --db <url> [--json]`: run it and print a table (or Cube's JSON). */
export async function queryCommand(
  input: string,
  flags: { model: string; db: string; json: boolean; timeoutMs?: number },
  io: CommandIo,
): Promise<number> {
  const target = parseDb(flags.db, io.cwd)
  const query = await readQuery(input, io)
  const layer = await openLayer(flags.model, { default: await connect(target) }, io)
  try {
    const result = await layer.query(query, flags.timeoutMs === undefined ? {} : { timeoutMs: flags.timeoutMs })
    if (flags.json) {
      const { data, annotation, query: echo, total, truncated } = result
      io.stdout.write(
        `${JSON.stringify({ query: echo, data, annotation, ...(total === undefined ? {} : { total }), truncated }, null, 2)}\n`,
      )
      return 0
    }
    const columns = result.data[0] ? Object.keys(result.data[0]) : []
    if (columns.length) io.stdout.write(`${formatTable(result.data, columns)}\n`)
    const notes = [`${result.data.length} row${result.data.length === 1 ? '' : 's'}`]
    if (result.truncated) notes.push('cut by the limit (more rows matched)')
    if (result.total !== undefined) notes.push(`total ${result.total}`)
    io.stdout.write(`(${notes.join(', ')})\n`)
    return 0
  } finally {
    await layer.close()
  }
}

/** `cortex meta --model <dir> [--json]`: the cubes, views and members a caller can query. */
export async function metaCommand(flags: { model: string; json: boolean }, io: CommandIo): Promise<number> {
  const layer = await openLayer(flags.model, {}, io)
  try {
    const meta = await layer.meta()
    if (flags.json) {
      io.stdout.write(`${JSON.stringify(meta, null, 2)}\n`)
      return 0
    }
    for (const cube of meta.cubes) {
      io.stdout.write(`${cube.name} (${cube.type})${cube.title && cube.title !== cube.name ? `  ${cube.title}` : ''}\n`)
      for (const kind of ['measures', 'dimensions', 'segments'] as const) {
        const members = cube[kind]
        if (members.length === 0) continue
        io.stdout.write(`  ${kind}:\n`)
        for (const m of members)
          io.stdout.write(
            `    ${m.name}${kind === 'segments' ? '' : `  ${m.type}`}${m.title ? `  "${m.title}"` : ''}\n`,
          )
      }
    }
    return 0
  } finally {
    await layer.close()
  }
}

export async function openLayer(
  modelDir: string,
  connectors: Record<string, Connector>,
  io: CommandIo,
): Promise<SemanticLayer> {
  const model = await loadModel(resolve(io.cwd, modelDir))
  return createSemanticLayer({ model, connectors })
}

/**
 * The query argument: a JSON file, `-` for stdin, or inline JSON text. A file in the examples' form
 * `{ "description": …, "query": { … } }` is unwrapped.
 */
export async function readQuery(input: string, io: CommandIo): Promise<Record<string, unknown>> {
  let text: string
  if (input === '-') {
    text = ''
    for await (const chunk of io.stdin) text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
  } else if (input.trimStart().startsWith('{')) text = input
  else {
    try {
      text = await readFile(resolve(io.cwd, input), 'utf8')
    } catch {
      throw new UsageError(`Cannot read the query file ${input}. Pass a JSON file, - for stdin, or inline JSON.`)
    }
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new SemanticLayerError('QUERY_INVALID', [
      {
        code: 'INVALID_JSON',
        path: [],
        message: `The query${input === '-' || input.startsWith('{') ? '' : ` in ${input}`} is not valid JSON.`,
      },
    ])
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SemanticLayerError('QUERY_INVALID', [
      { code: 'WRONG_TYPE', path: [], message: 'A query must be a JSON object like { "measures": ["orders.count"] }.' },
    ])
  }
  const obj = value as Record<string, unknown>
  const wrapped =
    typeof obj.query === 'object' &&
    obj.query !== null &&
    !Array.isArray(obj.query) &&
    !('measures' in obj) &&
    !('dimensions' in obj)
  return wrapped ? (obj.query as Record<string, unknown>) : obj
}
