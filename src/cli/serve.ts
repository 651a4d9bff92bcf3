import { timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import { createNodeHandler, type HandlerOptions } from '../http.js'
import { createSemanticLayer, loadModel, type SemanticLayer, type WatchModelOptions } from '../index.js'
import type { CommandIo } from './commands.js'
import { connect, parseDb } from './connect.js'
import { formatIssue, redactUrl } from './output.js'

export interface ServeFlags {
  readonly model: string
  readonly db: string
  readonly port: number
  /** Enables the admin API (Bearer token). */
  readonly adminToken?: string
  /** Browser origins allowed to call the API (e.g. a dev server on http://localhost:5173). */
  readonly cors: readonly string[]
  /** Reload the model folder when its files change. */
  readonly watch?: boolean
}

/** Only loopback: `cortex serve` is for local development, not for exposing a database. */
const HOST = '127.0.0.1'

/**
 * `cortex serve`: the REST API on 127.0.0.1 for local development. Runs until `signal` aborts (the CLI
 * passes SIGINT/SIGTERM), then closes the server and the layer.
 */
export async function serveCommand(
  flags: ServeFlags,
  io: CommandIo,
  signal: AbortSignal,
  watchOptions?: WatchModelOptions,
): Promise<number> {
  const target = parseDb(flags.db, io.cwd)
  const modelDir = resolve(io.cwd, flags.model)
  const build = async (): Promise<SemanticLayer> => {
    const model = await loadModel(modelDir)
    const layer = createSemanticLayer({ model, connectors: { default: await connect(target) } })
    if (flags.watch) await watchAndLog(layer, modelDir, io, watchOptions)
    return layer
  }
  const layer = await build()
  const options: HandlerOptions = {
    dbType: () => target.kind,
    reload: build,
    ...(flags.cors.length ? { cors: { origin: flags.cors } } : {}),
    onError: (error, info) => {
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
      const issues =
        typeof error === 'object' && error !== null && Array.isArray((error as { issues?: unknown }).issues)
          ? (error as { issues: Parameters<typeof formatIssue>[0][] }).issues.map(formatIssue)
          : []
      io.stderr.write(`[${info.requestId}] ${info.route}: ${[detail, ...issues].join('\n  ')}\n`)
    },
    ...(flags.adminToken
      ? {
          authenticateAdmin: (_req: Request, { token }: { token: string | undefined }) =>
            sameSecret(token, flags.adminToken!),
        }
      : {}),
  }
  const handler = createNodeHandler(layer, options)
  const server = createServer((req, res) => {
    const started = performance.now()
    res.once('close', () => io.stdout.write(`${requestLine(req, res, performance.now() - started)}\n`))
    handler(req, res)
  })
  try {
    await new Promise<void>((ok, fail) => {
      server.once('error', fail)
      server.listen(flags.port, HOST, () => {
        server.off('error', fail)
        ok()
      })
    })
  } catch (error) {
    await handler.close()
    const code = (error as { code?: string }).code
    io.stderr.write(
      `error: cannot listen on ${HOST}:${flags.port}${code === 'EADDRINUSE' ? ' (the port is in use; pass --port)' : ''}\n`,
    )
    return 1
  }
  const { port } = server.address() as AddressInfo
  const origin = `http://${HOST}:${port}`
  io.stdout.write(`Cortex REST API on ${origin}/cubejs-api/v1\n`)
  io.stdout.write(
    `  model ${modelDir}\n  db    ${target.kind === 'sqlite' ? target.location : redactUrl(target.location)}\n`,
  )
  if (flags.cors.length) io.stdout.write(`  cors  ${flags.cors.join(', ')}\n`)
  if (flags.watch) io.stdout.write('  watch the model folder: changes are served as soon as they validate\n')
  io.stdout.write(
    flags.adminToken
      ? `  admin ${origin}/admin (Authorization: Bearer <admin token>)\n`
      : '  admin API disabled (pass --admin-token or set CORTEX_ADMIN_TOKEN)\n',
  )
  io.stdout.write('Press Ctrl+C to stop.\n')
  if (!signal.aborted) await new Promise<void>((done) => signal.addEventListener('abort', () => done(), { once: true }))
  await new Promise<void>((done) => {
    server.close(() => done())
    server.closeAllConnections()
  })
  await handler.close()
  io.stdout.write('Stopped.\n')
  return 0
}

/**
 * `--watch`: serve each valid version of the folder as it is saved. A change is logged with its
 * breaking/compatible counts; an invalid one with every issue, while the previous version stays served.
 */
async function watchAndLog(layer: SemanticLayer, dir: string, io: CommandIo, options?: WatchModelOptions) {
  const watcher = await layer.watchModel(dir, options)
  watcher.on('modelChanged', (e) => {
    const s = e.diff.summary
    const n = e.diff.changes.length
    const counts = `${n} change${n === 1 ? '' : 's'}: ${s.breaking} breaking, ${s.resultsMayChange} may change results`
    io.stdout.write(`model reloaded: ${e.version.slice(0, 12)} (${counts})\n`)
    for (const c of e.diff.changes) {
      if (c.severity === 'compatible') continue
      io.stdout.write(`  ${c.severity} ${c.object} ${c.name}: ${c.message} [${c.code}]\n`)
    }
  })
  watcher.on('modelError', (e) => {
    io.stderr.write(`model not reloaded, still serving ${e.version.slice(0, 12)}:\n`)
    for (const issue of e.issues.slice(0, 50)) io.stderr.write(`  ${formatIssue(issue)}\n`)
  })
}

/**
 * One log line per request: `GET /cubejs-api/v1/load 200 12ms <request id>`. The path only: the query
 * string (which carries the query and its filter values) and the headers (tokens) are never logged.
 */
export function requestLine(req: IncomingMessage, res: ServerResponse, ms: number): string {
  let path = '/'
  try {
    path = new URL(req.url ?? '/', 'http://localhost').pathname
  } catch {
    path = '(unparsable path)'
  }
  // Printable ASCII only, and not too long: a log line is one line, whatever the client sent.
  path = path.replace(/[^\x21-\x7e]/g, '?')
  if (path.length > 200) path = `${path.slice(0, 200)}…`
  const method = /^[A-Z]{1,16}$/.test(req.method ?? '') ? req.method : '?'
  const status = res.writableFinished ? String(res.statusCode) : `${res.statusCode} (aborted)`
  const id = res.getHeader('x-request-id')
  return `${method} ${path} ${status} ${Math.round(ms)}ms ${typeof id === 'string' ? id : '-'}`
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}
