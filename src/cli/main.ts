#!/usr/bin/env node
/**
 * The `cortex` command. Exit codes: 0 ok, 1 model or query error (issues printed with file and path),
 * 2 usage error. `main()` is exported so it can run in-process (tests, scripts).
 */
import { readFileSync, realpathSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { metaCommand, queryCommand, sqlCommand, validateCommand, type CommandIo } from './commands.js'
import { UsageError, printError, type Writer } from './output.js'
import type { WatchModelOptions } from '../index.js'
import { serveCommand } from './serve.js'
import { lifecycleCommand } from './lifecycle.js'
import { typesCommand } from './types.js'
import { SQL_DIALECT_NAMES } from '../sql/dialects/registry.js'

export interface CliIo {
  readonly stdout: Writer
  readonly stderr: Writer
  /** Where `-` reads a query from. Default: process.stdin. */
  readonly stdin?: AsyncIterable<Uint8Array | string>
  /** Relative paths resolve against it. Default: process.cwd(). */
  readonly cwd?: string
  /** CORTEX_ADMIN_TOKEN is read from it. Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Stops `cortex serve`. Default: SIGINT or SIGTERM. */
  readonly signal?: AbortSignal
  /** The watcher options of `cortex serve --watch` (tests pass timers). Default: watchModel's. */
  readonly watchOptions?: WatchModelOptions
}

/** Every option, as node:util parseArgs reads it. */
export const OPTIONS = {
  model: { type: 'string', short: 'm' },
  dialect: { type: 'string', short: 'd' },
  db: { type: 'string' },
  json: { type: 'boolean' },
  timeout: { type: 'string' },
  port: { type: 'string', short: 'p' },
  'admin-token': { type: 'string' },
  cors: { type: 'string', multiple: true },
  watch: { type: 'boolean', short: 'w' },
  from: { type: 'string' },
  schema: { type: 'string' },
  tables: { type: 'string' },
  out: { type: 'string', short: 'o' },
  force: { type: 'boolean' },
  queries: { type: 'string', multiple: true },
  context: { type: 'string' },
  strict: { type: 'boolean' },
  against: { type: 'string' },
  name: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const

/** What `--help` says about each option (a test checks that the help lists every one). */
const OPTION_HELP: Readonly<Record<keyof typeof OPTIONS, { readonly arg?: string; readonly help: string }>> = {
  model: { arg: '<dir>', help: 'The model folder (validate also takes it as its argument)' },
  dialect: { arg: '<d>', help: `sql, diff: ${SQL_DIALECT_NAMES.join(', ')} (diff: for --queries; default postgres)` },
  db: { arg: '<url>', help: 'sqlite:<path>, postgres://user:pass@host:5432/db or mysql://user:pass@host:3306/db' },
  json: { help: "sql, query, meta, diff, check: print JSON (Cube's REST bodies, the diff, the report)" },
  timeout: { arg: '<ms>', help: 'query: stop the statement on the server after this many milliseconds' },
  port: { arg: '<n>', help: 'serve: the port on 127.0.0.1 (default 4000; 0 picks a free one)' },
  'admin-token': { arg: '<t>', help: 'serve: enable the admin API with this bearer token (or set CORTEX_ADMIN_TOKEN)' },
  cors: { arg: '<origin>', help: 'serve: let a browser app on this origin call the API (repeatable)' },
  watch: { help: 'serve: reload the model folder when its files change (an invalid change keeps the old model)' },
  from: { arg: '<url>', help: 'generate: the database to read tables from (same forms as --db)' },
  schema: { arg: '<s>', help: "generate: the schema (PostgreSQL) or database (MySQL); default the connection's" },
  tables: { arg: '<a,b>', help: 'generate: only these tables (comma-separated, exact names)' },
  out: { arg: '<path>', help: 'generate: the folder to write one YAML file per cube to; types: the .ts file' },
  force: { help: 'generate: overwrite files that exist (otherwise nothing is written)' },
  queries: { arg: '<glob>', help: 'diff: saved query files that must compile on the new model (quote it; repeatable)' },
  context: { arg: '<json>', help: 'diff: the security context --queries compile under (JSON object)' },
  strict: { help: 'diff: exit 1 on changes that may change results too, not only on breaking ones' },
  against: { arg: '<url>', help: 'check: the database to check the model against (same forms as --db)' },
  name: { arg: '<Type>', help: 'types: the name of the exported type (default CortexModel)' },
  help: { help: 'Print this help' },
  version: { help: 'Print the version of cortex-semantic' },
}

type OptionName = keyof typeof OPTIONS

/** Each command: its synopsis (printed with a usage error), what it does, and the options it takes. */
const COMMANDS: Readonly<
  Record<string, { readonly synopsis: string; readonly does: string; readonly options: readonly OptionName[] }>
> = {
  validate: {
    synopsis: 'cortex validate <model-dir>',
    does: 'Check a model folder; list every problem with file and path',
    options: ['model'],
  },
  sql: {
    synopsis: `cortex sql <query> --model <dir> (--dialect <${SQL_DIALECT_NAMES.join('|')}> | --db <url>) [--json]`,
    does: 'Print the SQL and parameters for a query (no connection)',
    options: ['model', 'dialect', 'db', 'json'],
  },
  query: {
    synopsis: 'cortex query <query> --model <dir> --db <url> [--json] [--timeout <ms>]',
    does: "Run a query and print a table (or Cube's JSON with --json)",
    options: ['model', 'db', 'json', 'timeout'],
  },
  meta: {
    synopsis: 'cortex meta --model <dir> [--json]',
    does: 'List the cubes, views and members',
    options: ['model', 'json'],
  },
  serve: {
    synopsis: 'cortex serve --model <dir> --db <url> [--port <n>] [--admin-token <t>] [--cors <origin>]... [--watch]',
    does: "Serve Cube's REST API on 127.0.0.1 for local development; one log line per request",
    options: ['model', 'db', 'port', 'admin-token', 'cors', 'watch'],
  },
  generate: {
    synopsis: 'cortex generate --from <url> --out <dir> [--schema <s>] [--tables <a,b>] [--force]',
    does: "Write a Cube YAML model (a file per table) from a database's tables, keys and foreign keys",
    options: ['from', 'out', 'schema', 'tables', 'force'],
  },
  diff: {
    synopsis:
      'cortex diff <old-dir> <new-dir> [--queries <glob>]... [--dialect <d>] [--context <json>] ' +
      '[--strict] [--json]',
    does: 'List what changed between two models, breaking or not; check that saved queries still compile',
    options: ['queries', 'dialect', 'context', 'strict', 'json'],
  },
  check: {
    synopsis: 'cortex check <model-dir> --against <url> [--json]',
    does: 'Report members whose tables or columns are gone or no longer fit in the database (drift)',
    options: ['model', 'against', 'json'],
  },
  types: {
    synopsis: 'cortex types <model-dir> [--out <file.d.ts>] [--name <Type>]',
    does: 'Write the model type for createSemanticLayer<Model>(): members per kind, value types, granularities',
    options: ['model', 'out', 'name'],
  },
}

const GLOBAL_OPTIONS: readonly OptionName[] = ['help', 'version']

export const USAGE = `Usage: cortex <command> [options]

Commands:
${Object.values(COMMANDS)
  .map((c) => `  ${c.synopsis}\n      ${c.does}`)
  .join('\n')}

Options:
${(Object.keys(OPTIONS) as OptionName[])
  .map((name) => {
    const short = 'short' in OPTIONS[name] ? (OPTIONS[name] as { short: string }).short : undefined
    const { arg, help } = OPTION_HELP[name]
    return `  ${`${short ? `-${short}, ` : '    '}--${name}${arg ? ` ${arg}` : ''}`.padEnd(26)}${help}`
  })
  .join('\n')}

A <query> is a JSON file, - (stdin) or inline JSON; { "query": {...} } files are unwrapped.
Exit codes: 0 ok, 1 model, query or database error (diff: a breaking change or a query that no
longer compiles; check: drift), 2 usage error.
`

const HELP_HINT = "Run 'cortex --help' to see every command and option."

/** Run the CLI with `argv` (without node and the script) and return the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const commandIo: CommandIo = {
    stdout: io.stdout,
    stderr: io.stderr,
    stdin: io.stdin ?? process.stdin,
    cwd: io.cwd ?? process.cwd(),
  }
  // For a usage error's synopsis line, even when the options cannot be parsed.
  let command: string | undefined = argv.find((a) => !a.startsWith('-'))
  try {
    const { values, positionals } = parse(argv)
    const rest = positionals.slice(1)
    command = positionals[0]
    if (values.version) {
      io.stdout.write(`${packageVersion()}\n`)
      return 0
    }
    if (values.help || command === 'help' || command === undefined) {
      ;(command === undefined && !values.help ? io.stderr : io.stdout).write(USAGE)
      return command === undefined && !values.help ? 2 : 0
    }
    const spec = COMMANDS[command]
    if (!spec) {
      const known = Object.keys(COMMANDS)
      command = undefined
      return usage(`Unknown command '${positionals[0]}'. The commands are ${known.join(', ')}.`)
    }
    for (const name of Object.keys(values) as OptionName[]) {
      if (!spec.options.includes(name) && !GLOBAL_OPTIONS.includes(name))
        usage(`cortex ${command} does not take --${name}.`)
    }
    const model = (): string => values.model ?? usage(`cortex ${command} needs --model <dir>.`)
    const one = (what: string): string => {
      if (rest.length !== 1) usage(`cortex ${command} takes exactly one ${what}.`)
      return rest[0]!
    }
    const none = (): void => {
      if (rest.length > 0) usage(`Unexpected argument '${rest[0]}'.`)
    }
    switch (command) {
      case 'validate':
        return await validateCommand(
          values.model !== undefined && rest.length === 0 ? values.model : one('model folder'),
          commandIo,
        )
      case 'sql':
        return await sqlCommand(
          one('query (file, - or JSON)'),
          {
            model: model(),
            json: values.json === true,
            ...(values.dialect === undefined ? {} : { dialect: values.dialect }),
            ...(values.db === undefined ? {} : { db: values.db }),
          },
          commandIo,
        )
      case 'query': {
        const input = one('query (file, - or JSON)')
        const timeoutMs = values.timeout === undefined ? undefined : positiveInt(values.timeout, '--timeout')
        return await queryCommand(
          input,
          {
            model: model(),
            db: values.db ?? usage('cortex query needs --db <url>.'),
            json: values.json === true,
            ...(timeoutMs === undefined ? {} : { timeoutMs }),
          },
          commandIo,
        )
      }
      case 'meta':
        none()
        return await metaCommand({ model: model(), json: values.json === true }, commandIo)
      case 'types':
        return await typesCommand(
          {
            model: values.model !== undefined && rest.length === 0 ? values.model : one('model folder'),
            ...(values.out === undefined ? {} : { out: values.out }),
            ...(values.name === undefined ? {} : { name: values.name }),
          },
          commandIo,
        )
      case 'generate':
      case 'diff':
      case 'check':
        return await lifecycleCommand(command, values, rest, commandIo, usage)
      default: {
        none()
        const port = values.port === undefined ? 4000 : positiveInt(values.port, '--port', true)
        const adminToken = values['admin-token'] ?? (io.env ?? process.env).CORTEX_ADMIN_TOKEN
        const flags = {
          model: model(),
          db: values.db ?? usage('cortex serve needs --db <url>.'),
          port,
          cors: values.cors ?? [],
          watch: values.watch === true,
          ...(adminToken ? { adminToken } : {}),
        }
        return await serveCommand(flags, commandIo, io.signal ?? stopSignal(), io.watchOptions)
      }
    }
  } catch (error) {
    if (error instanceof UsageError) {
      // The problem and its fix on two lines: the command's synopsis, or where to find the commands.
      const spec = command === undefined ? undefined : COMMANDS[command]
      io.stderr.write(`error: ${error.message}\n${spec ? `usage: ${spec.synopsis}` : HELP_HINT}\n`)
      return 2
    }
    printError(error, io.stderr)
    return 1
  }
}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true })
  } catch (error) {
    // Node's message goes on about positionals after '--'; its first sentence names the problem.
    const message = error instanceof Error ? error.message : String(error)
    throw new UsageError(/^.*?\.(?=\s|$)/.exec(message)?.[0] ?? message)
  }
}

function usage(message: string): never {
  throw new UsageError(message)
}

function positiveInt(value: string, flag: string, allowZero = false): number {
  const n = Number(value)
  if (
    !/^\d+$/.test(value) ||
    !Number.isSafeInteger(n) ||
    (n === 0 && !allowZero) ||
    n > (flag === '--port' ? 65535 : Number.MAX_SAFE_INTEGER)
  )
    usage(`${flag} must be a ${allowZero ? 'non-negative' : 'positive'} integer.`)
  return n
}

/** The version in cortex-semantic's package.json: the nearest one above this file (src/cli or dist). */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown }
      if (pkg.name === 'cortex-semantic' && typeof pkg.version === 'string') return pkg.version
    } catch {
      // No package.json here: look further up.
    }
    const up = dirname(dir)
    if (up === dir) return 'unknown'
    dir = up
  }
}

/** Aborts on the first SIGINT or SIGTERM. */
function stopSignal(): AbortSignal {
  const controller = new AbortController()
  const stop = (): void => {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
    controller.abort()
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  return controller.signal
}

/** Run only as the entry script (bin → dist/cli.js), never when imported (tests import main()). */
function isEntryPoint(): boolean {
  try {
    const script = process.argv[1]
    if (script === undefined) return false
    const real = realpathSync(script)
    // The CommonJS build's import.meta.url shim points at a shared chunk, so it is recognised by name.
    return real === realpathSync(fileURLToPath(import.meta.url)) || /[\\/]dist[\\/]cli\.cjs$/.test(real)
  } catch {
    return false
  }
}

if (isEntryPoint()) {
  // `cortex query … | head`: a closed pipe ends the output quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw error
  })
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
    (code) => {
      process.exitCode = code
    },
    (error: unknown) => {
      process.stderr.write(`cortex: ${error instanceof Error ? error.message : String(error)}\n`)
      process.exitCode = 1
    },
  )
}
