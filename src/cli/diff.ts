import { readFile } from 'node:fs/promises'
import { relative, resolve } from 'node:path'
import { glob } from 'tinyglobby'
import { createSemanticLayer, diffModels, isSemanticLayerError, loadModel, type ModelChange, type ModelDefinition } from '../index.js'
import type { CommandIo } from './commands.js'
import { UsageError, formatIssue } from './output.js'

export interface DiffFlags {
  readonly queries: readonly string[]
  readonly dialect: 'sqlite' | 'postgres' | 'mysql'
  readonly json: boolean
  /** Fail on changes that may change results too, not only on breaking ones. */
  readonly strict: boolean
  /** The security context the saved queries compile under (JSON). */
  readonly context?: Record<string, unknown>
}

interface QueryCheck {
  readonly file: string
  /** Position in a file that holds a list of queries. */
  readonly index?: number
  readonly ok: boolean
  /** The query did not compile on the old model either. */
  readonly failedBefore?: boolean
  readonly error?: { readonly code: string; readonly issues: readonly { code: string; path: readonly (string | number)[]; message: string }[] }
}

const LABELS: Record<ModelChange['severity'], string> = { breaking: 'breaking', 'results-may-change': 'may change', compatible: 'ok' }

/**
 * `cortex diff <old> <new> [--queries <glob>]...`: what changed between two model folders, each change
 * classified, and whether saved queries still compile against the new one. Exit 1 on a breaking change
 * (with --strict also on a change that may change results) or a query that no longer compiles.
 */
export async function diffCommand(oldDir: string, newDir: string, flags: DiffFlags, io: CommandIo): Promise<number> {
  const [before, after] = [await loadModel(resolve(io.cwd, oldDir)), await loadModel(resolve(io.cwd, newDir))]
  const diff = diffModels(before, after)
  const files = await queryFiles(flags.queries, io.cwd)
  const queries = files.length ? await checkQueries(files, before, after, flags, io.cwd) : []
  const failing = queries.filter((q) => !q.ok)
  const flagged = diff.changes.filter((c) => c.breaking || (flags.strict && c.severity === 'results-may-change'))
  const code = flagged.length || failing.length ? 1 : 0
  if (flags.json) {
    io.stdout.write(`${JSON.stringify({ ...diff, queries, exitCode: code }, null, 2)}\n`)
    return code
  }
  const width = Math.max(0, ...diff.changes.map((c) => LABELS[c.severity].length))
  // Breaking changes first, then those that may change results, then the rest (each group in path order).
  const rank = (c: ModelChange): number => ['breaking', 'results-may-change', 'compatible'].indexOf(c.severity)
  for (const c of [...diff.changes].sort((x, y) => rank(x) - rank(y))) io.stdout.write(`${LABELS[c.severity].padEnd(width)}  ${c.object} ${c.name} ${c.action}: ${c.message}${c.before !== undefined || c.after !== undefined ? ` (${c.before ?? '-'} → ${c.after ?? '-'})` : ''} [${c.code}]\n`)
  const s = diff.summary
  const versions = `${diff.before.slice(0, 12)} → ${diff.after.slice(0, 12)}`
  io.stdout.write(diff.changes.length
    ? `${diff.changes.length} change${diff.changes.length === 1 ? '' : 's'}: ${s.breaking} breaking, ${s.resultsMayChange} may change results, ${diff.changes.length - s.breaking - s.resultsMayChange} compatible (${versions})\n`
    : `no changes (${versions})\n`)
  if (files.length) {
    for (const q of failing) {
      const where = `${q.file}${q.index === undefined ? '' : `[${q.index}]`}`
      for (const issue of q.error?.issues ?? []) io.stdout.write(`${where}: ${formatIssue(issue)}${q.failedBefore ? ' (failed on the old model too)' : ''}\n`)
      if (!q.error?.issues.length) io.stdout.write(`${where}: ${q.error?.code ?? 'failed'}\n`)
    }
    io.stdout.write(`queries: ${queries.length - failing.length} of ${queries.length} compile against the new model\n`)
  }
  return code
}

/** Expand the patterns (quoted globs are expanded here, the same on every shell); a pattern matching nothing is a usage error. */
async function queryFiles(patterns: readonly string[], cwd: string): Promise<string[]> {
  const out = new Set<string>()
  for (const pattern of patterns) {
    const matches = await glob(pattern, { cwd, absolute: true, onlyFiles: true, expandDirectories: false })
    const found = matches.length ? matches : await glob(`${pattern.replace(/\/+$/, '')}/**/*.json`, { cwd, absolute: true, onlyFiles: true })
    if (found.length === 0) throw new UsageError(`--queries ${pattern} matches no file.`)
    for (const f of found.sort()) out.add(f)
  }
  return [...out]
}

async function checkQueries(files: readonly string[], before: ModelDefinition, after: ModelDefinition, flags: DiffFlags, cwd: string): Promise<QueryCheck[]> {
  const layers = [createSemanticLayer({ model: before, connectors: {}, cache: false }), createSemanticLayer({ model: after, connectors: {}, cache: false })] as const
  const options = { dialect: flags.dialect, ...(flags.context ? { securityContext: flags.context } : {}) }
  const compiles = async (layerIndex: 0 | 1, query: unknown): Promise<QueryCheck['error'] | undefined> => {
    try {
      await layers[layerIndex].sql(query as Record<string, unknown>, options)
      return undefined
    } catch (error) {
      if (!isSemanticLayerError(error)) throw error
      return { code: error.code, issues: error.issues }
    }
  }
  const out: QueryCheck[] = []
  try {
    for (const path of files) {
      const file = relative(cwd, path) || path
      let parsed: unknown
      try {
        parsed = JSON.parse(await readFile(path, 'utf8'))
      } catch {
        out.push({ file, ok: false, error: { code: 'QUERY_INVALID', issues: [{ code: 'INVALID_JSON', path: [], message: `${file} is not valid JSON.` }] } })
        continue
      }
      const list = Array.isArray(parsed) ? parsed.map((q, index) => ({ q: unwrap(q), index })) : [{ q: unwrap(parsed), index: undefined }]
      for (const { q, index } of list) {
        const error = await compiles(1, q)
        const base = { file, ...(index === undefined ? {} : { index }) }
        out.push(error ? { ...base, ok: false, failedBefore: (await compiles(0, q)) !== undefined, error } : { ...base, ok: true })
      }
    }
  } finally {
    await Promise.all(layers.map((l) => l.close()))
  }
  return out
}

/** The examples' form `{ "description": …, "query": { … } }` holds the query under `query`. */
function unwrap(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value
  const obj = value as Record<string, unknown>
  const wrapped = typeof obj.query === 'object' && obj.query !== null && !Array.isArray(obj.query) && !('measures' in obj) && !('dimensions' in obj)
  return wrapped ? obj.query : value
}
