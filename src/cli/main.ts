#!/usr/bin/env node
/**
 * The `cortex` command. Exit codes: 0 ok, 1 model or query error (issues printed with file and path),
 * 2 usage error. `main()` is exported so it can run in-process (tests, scripts).
 */
import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { metaCommand, queryCommand, sqlCommand, validateCommand, type CommandIo } from './commands.js'
import { UsageError, printError, type Writer } from './output.js'
import { serveCommand } from './serve.js'

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
}

export const USAGE = `Usage: cortex <command> [options]

Commands:
  validate <model-dir>                        Check a model folder; list every problem with file and path
  sql <query.json|-> --model <dir> --dialect <sqlite|postgres|mysql>
                                              Print the SQL and parameters for a query (no connection)
  query <query.json|-> --model <dir> --db <url> [--json] [--timeout <ms>]
                                              Run a query and print a table (or Cube's JSON with --json)
  meta --model <dir> [--json]                 List the cubes, views and members
  serve --model <dir> --db <url> [--port 4000] [--admin-token <t>] [--cors <origin>]...
                                              Serve Cube's REST API on 127.0.0.1 for local development

  --db is sqlite:<path>, postgres://user:pass@host:5432/db or mysql://user:pass@host:3306/db.
  A query is a JSON file, - (stdin) or inline JSON; { "query": {...} } files are unwrapped.

Exit codes: 0 ok, 1 model or query error, 2 usage error.
`

const OPTIONS = {
  model: { type: 'string', short: 'm' },
  dialect: { type: 'string', short: 'd' },
  db: { type: 'string' },
  json: { type: 'boolean' },
  port: { type: 'string', short: 'p' },
  timeout: { type: 'string' },
  'admin-token': { type: 'string' },
  cors: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const

/** Run the CLI with `argv` (without node and the script) and return the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const commandIo: CommandIo = { stdout: io.stdout, stderr: io.stderr, stdin: io.stdin ?? process.stdin, cwd: io.cwd ?? process.cwd() }
  try {
    const { values, positionals } = parse(argv)
    const [command, ...rest] = positionals
    if (values.help || command === 'help' || command === undefined) {
      ;(command === undefined && !values.help ? io.stderr : io.stdout).write(USAGE)
      return command === undefined && !values.help ? 2 : 0
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
        return await validateCommand(values.model !== undefined && rest.length === 0 ? values.model : one('model folder'), commandIo)
      case 'sql':
        return await sqlCommand(one('query (file, - or JSON)'), { model: model(), json: values.json === true, ...(values.dialect === undefined ? {} : { dialect: values.dialect }), ...(values.db === undefined ? {} : { db: values.db }) }, commandIo)
      case 'query': {
        const input = one('query (file, - or JSON)')
        const timeoutMs = values.timeout === undefined ? undefined : positiveInt(values.timeout, '--timeout')
        return await queryCommand(input, { model: model(), db: values.db ?? usage('cortex query needs --db <url>.'), json: values.json === true, ...(timeoutMs === undefined ? {} : { timeoutMs }) }, commandIo)
      }
      case 'meta':
        none()
        return await metaCommand({ model: model(), json: values.json === true }, commandIo)
      case 'serve': {
        none()
        const port = values.port === undefined ? 4000 : positiveInt(values.port, '--port', true)
        const adminToken = values['admin-token'] ?? (io.env ?? process.env).CORTEX_ADMIN_TOKEN
        const flags = { model: model(), db: values.db ?? usage('cortex serve needs --db <url>.'), port, cors: values.cors ?? [], ...(adminToken ? { adminToken } : {}) }
        return await serveCommand(flags, commandIo, io.signal ?? stopSignal())
      }
      default:
        return usage(`Unknown command '${command}'.`)
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`error: ${error.message}\n\n${USAGE}`)
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
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
}

function usage(message: string): never {
  throw new UsageError(message)
}

function positiveInt(value: string, flag: string, allowZero = false): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || (n === 0 && !allowZero) || n > (flag === '--port' ? 65535 : Number.MAX_SAFE_INTEGER)) usage(`${flag} must be a ${allowZero ? 'non-negative' : 'positive'} integer.`)
  return n
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
