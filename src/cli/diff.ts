import { readFile } from 'node:fs/promises'
import { relative, resolve } from 'node:path'
import { glob } from 'tinyglobby'
import { withoutTrailingSlashes } from '../util/paths.js'
import { createSemanticLayer, diffModels, isSemanticLayerError, loadModel } from '../index.js'
import type { ErrorIssue, ModelChange, ModelDefinition, ModelDiff } from '../index.js'
import type { SqlDialectName } from '../sql/dialects/registry.js'
import type { CommandIo } from './commands.js'
import { UsageError, formatIssue } from './output.js'

export interface DiffFlags {
  readonly queries: readonly string[]
  readonly dialect: SqlDialectName
  readonly json: boolean
  /** Fail on changes that may change results too, not only on breaking ones. */
  readonly strict: boolean
  /** The security context the saved queries compile under. */
  readonly context?: Record<string, unknown>
}

/** One saved query checked against the new model. */
interface QueryCheck {
  readonly file: string
  /** Its position, in a file that holds a list of queries. */
  readonly index?: number
  readonly ok: boolean
  /** It did not compile on the old model either (so this change did not break it). */
  readonly failedBefore?: boolean
  readonly error?: { readonly code: string; readonly issues: readonly ErrorIssue[] }
}

const LABELS: Record<ModelChange['severity'], string> = {
  breaking: 'breaking',
  'results-may-change': 'may change',
  compatible: 'ok',
}
const RANK: Record<ModelChange['severity'], number> = { breaking: 0, 'results-may-change': 1, compatible: 2 }
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/**
 * `cortex diff <old> <new> [--queries <glob>]...`: what changed between two model folders, each change
 * classified, and whether saved queries still compile against the new one. Exit 1 on a breaking change
 * (with --strict also on one that may change results) or on a saved query that no longer compiles.
 */
export async function diffCommand(oldDir: string, newDir: string, flags: DiffFlags, io: CommandIo): Promise<number> {
  const before = await loadModel(resolve(io.cwd, oldDir))
  const after = await loadModel(resolve(io.cwd, newDir))
  const diff = diffModels(before, after)
  const files = await queryFiles(flags.queries, io.cwd)
  const queries = files.length ? await checkQueries(files, before, after, flags, io.cwd) : []
  const failing = queries.filter((q) => !q.ok)
  const flagged = diff.changes.some((c) => c.breaking || (flags.strict && c.severity === 'results-may-change'))
  const code = flagged || failing.length ? 1 : 0
  if (flags.json) {
    io.stdout.write(`${JSON.stringify({ ...diff, queries, exitCode: code }, null, 2)}\n`)
    return code
  }
  printChanges(diff, io)
  if (files.length) {
    for (const q of failing) {
      const where = `${q.file}${q.index === undefined ? '' : `[${q.index}]`}`
      const before = q.failedBefore ? ' (failed on the old model too)' : ''
      for (const issue of q.error?.issues ?? []) io.stdout.write(`${where}: ${formatIssue(issue)}${before}\n`)
      if (!q.error?.issues.length) io.stdout.write(`${where}: ${q.error?.code ?? 'failed'}${before}\n`)
    }
    io.stdout.write(`queries: ${queries.length - failing.length} of ${queries.length} compile against the new model\n`)
  }
  return code
}

/** Breaking changes first, then those that may change results, then the rest (each group in path order). */
function printChanges(diff: ModelDiff, io: CommandIo): void {
  const width = Math.max(0, ...diff.changes.map((c) => LABELS[c.severity].length))
  for (const c of [...diff.changes].sort((x, y) => RANK[x.severity] - RANK[y.severity])) {
    const values = c.before !== undefined || c.after !== undefined ? ` (${c.before ?? '-'} → ${c.after ?? '-'})` : ''
    const label = LABELS[c.severity].padEnd(width)
    io.stdout.write(`${label}  ${c.object} ${c.name} ${c.action}: ${c.message}${values} [${c.code}]\n`)
  }
  const s = diff.summary
  const versions = `${diff.before.slice(0, 12)} → ${diff.after.slice(0, 12)}`
  if (diff.changes.length === 0) {
    io.stdout.write(`no changes (${versions})\n`)
    return
  }
  const compatible = diff.changes.length - s.breaking - s.resultsMayChange
  const counts = `${s.breaking} breaking, ${s.resultsMayChange} may change results, ${compatible} compatible`
  io.stdout.write(`${plural(diff.changes.length, 'change')}: ${counts} (${versions})\n`)
}

/**
 * The files of the patterns, expanded here (so a quoted glob works the same on every shell); a folder
 * means the .json files under it. A pattern that matches nothing is a usage error.
 */
async function queryFiles(patterns: readonly string[], cwd: string): Promise<string[]> {
  const out = new Set<string>()
  for (const pattern of patterns) {
    const options = { cwd, absolute: true, onlyFiles: true }
    let found = await glob(pattern, { ...options, expandDirectories: false })
    if (found.length === 0) found = await glob(`${withoutTrailingSlashes(pattern)}/**/*.json`, options)
    if (found.length === 0) throw new UsageError(`--queries ${pattern} matches no file.`)
    for (const f of found.sort()) out.add(f)
  }
  return [...out]
}

async function checkQueries(
  files: readonly string[],
  before: ModelDefinition,
  after: ModelDefinition,
  flags: DiffFlags,
  cwd: string,
): Promise<QueryCheck[]> {
  // Compile only: no connector, no cache.
  const oldLayer = createSemanticLayer({ model: before, connectors: {}, cache: false })
  const newLayer = createSemanticLayer({ model: after, connectors: {}, cache: false })
  const options = { dialect: flags.dialect, ...(flags.context ? { securityContext: flags.context } : {}) }
  const compiles = async (layer: typeof newLayer, query: unknown): Promise<QueryCheck['error']> => {
    try {
      await layer.sql(query as Record<string, unknown>, options)
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
        const issue = { code: 'INVALID_JSON', path: [], message: `${file} is not valid JSON.` }
        out.push({ file, ok: false, error: { code: 'QUERY_INVALID', issues: [issue] } })
        continue
      }
      const list = Array.isArray(parsed) ? parsed.map((q, index) => ({ q, index })) : [{ q: parsed, index: undefined }]
      for (const { q, index } of list) {
        const query = unwrap(q)
        const base = { file, ...(index === undefined ? {} : { index }) }
        const error = await compiles(newLayer, query)
        if (!error) out.push({ ...base, ok: true })
        else out.push({ ...base, ok: false, failedBefore: (await compiles(oldLayer, query)) !== undefined, error })
      }
    }
  } finally {
    await Promise.all([oldLayer.close(), newLayer.close()])
  }
  return out
}

/** The examples' form `{ "description": …, "query": { … } }` holds the query under `query`. */
function unwrap(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value
  const obj = value as Record<string, unknown>
  const inner = obj.query
  const isObject = typeof inner === 'object' && inner !== null && !Array.isArray(inner)
  return isObject && !('measures' in obj) && !('dimensions' in obj) ? inner : value
}
