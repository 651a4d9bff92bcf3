/**
 * Load Cube-format data models (YAML/JSON files, folders, text or objects) into a validated, frozen
 * {@link ModelDefinition}. Only `node:fs` and `node:path` are used for I/O, so this module never
 * pulls in a database driver.
 */
import { readFile } from 'node:fs'
import type { Dirent } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { basename, extname, join } from 'node:path'
import { SemanticLayerError, describeName, type ErrorIssue } from '../errors.js'
import { deepFreeze } from '../util/objects.js'
import { brandDefinition } from './brand.js'
import type { CubeDefinition, ModelDefinition, ViewDefinition } from './definition.js'
import { validateModelContent } from './model-schema.js'
import { parseYaml, type Parsed } from './yaml-text.js'

/** A model written as a plain object, in Cube's YAML/JSON shape (snake_case or camelCase keys). */
export interface ModelSourceObject {
  cubes?: unknown[]
  views?: unknown[]
}

/**
 * Where a model comes from: a folder path (read recursively), a file path, YAML/JSON text (anything that
 * contains a newline or starts with `cubes:`, `views:` or `{`), a `{ cubes, views }` object, or a list of these.
 */
export type ModelSource = string | ModelSourceObject | readonly (string | ModelSourceObject)[]

/** One in-memory source for {@link parseModel}. */
export interface ModelSourceEntry {
  /** Used in error paths and set as `file` on every cube and view; `.json` selects the JSON parser. */
  file?: string
  content: string | object
}

const MODEL_EXTENSIONS = new Set(['.yml', '.yaml', '.json'])
const SCRIPT_EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'])
const HOW_TO_FIX_SOURCE =
  'Pass a folder of .yml/.yaml/.json model files, one such file, YAML/JSON text or a { cubes, views } object.'

/**
 * Load and validate a model. Every problem found in every file is reported at once.
 *
 * @throws SemanticLayerError `MODEL_LOAD_FAILED` when files cannot be found or read; `MODEL_INVALID`
 *   when their content is not a valid Cube data model.
 * @example
 * const model = await loadModel('./model')             // a folder of Cube YAML files
 * const inline = await loadModel('cubes:\n  - name: orders\n    sql_table: orders\n')
 */
export async function loadModel(source: ModelSource): Promise<ModelDefinition> {
  const items: readonly (string | ModelSourceObject)[] = isList(source) ? source : [source]
  const entries: ModelSourceEntry[] = []
  const loader = new Loader()
  for (const item of items) {
    if (typeof item !== 'string') entries.push({ content: item })
    else if (isSourceText(item)) entries.push({ content: item })
    else entries.push(...(await loader.readPath(item)))
  }
  if (loader.issues.length) {
    throw new SemanticLayerError(
      'MODEL_LOAD_FAILED',
      loader.issues,
      loader.cause === undefined ? undefined : { cause: loader.cause },
    )
  }
  return parseModel(entries)
}

/**
 * Parse and validate sources already in memory (synchronous). Strings are YAML, or JSON when `file`
 * ends with `.json` (or, without a file, when the text starts with `{`).
 *
 * @throws SemanticLayerError `MODEL_INVALID` with every syntax and shape issue.
 * @example
 * const model = parseModel([{ file: 'orders.yml', content: yamlText }])
 */
export function parseModel(sources: readonly ModelSourceEntry[]): ModelDefinition {
  const issues: ErrorIssue[] = []
  const cubes: CubeDefinition[] = []
  const views: ViewDefinition[] = []
  for (const { file, content } of sourceEntries(sources, issues)) {
    const parsed =
      typeof content === 'string' ? parseText(content, file, issues) : { ok: true as const, value: content }
    if (!parsed.ok) continue
    const result = validateModelContent(parsed.value, file)
    issues.push(...result.issues)
    for (const cube of result.cubes) cubes.push(file === undefined ? cube : { ...cube, file })
    for (const view of result.views) views.push(file === undefined ? view : { ...view, file })
  }
  if (issues.length) throw new SemanticLayerError('MODEL_INVALID', issues)
  return deepFreeze(brandDefinition({ cubes, views }))
}

/** What parseModel takes, for messages about an argument that is something else. */
const SOURCES_SHAPE =
  'parseModel takes a list of { file?, content } entries, content being YAML/JSON text or a' +
  ' { cubes, views } object'

/** The entries of parseModel's argument, checked: a list of `{ file?, content }` with a string file name. */
function sourceEntries(sources: unknown, issues: ErrorIssue[]): ModelSourceEntry[] {
  if (!Array.isArray(sources)) {
    issues.push({ code: 'WRONG_TYPE', path: [], message: `${SOURCES_SHAPE}.` })
    return []
  }
  const out: ModelSourceEntry[] = []
  sources.forEach((entry: unknown, i) => {
    const bad = (why: string): number =>
      issues.push({ code: 'WRONG_TYPE', path: [i], message: `Entry ${i} ${why}. ${SOURCES_SHAPE}.` })
    const isObject = typeof entry === 'object' && entry !== null && !Array.isArray(entry)
    const e = isObject ? (entry as Record<string, unknown>) : undefined
    let file: unknown
    let content: unknown
    try {
      ;[file, content] = [e?.file, e?.content]
    } catch {
      bad('could not be read (a getter threw)')
      return
    }
    if (e === undefined || content === undefined) bad('is not a source')
    else if (file !== undefined && (typeof file !== 'string' || file === '')) bad('has a file that is not a string')
    else out.push({ ...(file === undefined ? {} : { file: file as string }), content: content as string | object })
  })
  return out
}

function isList(source: ModelSource): source is readonly (string | ModelSourceObject)[] {
  return Array.isArray(source)
}

function isSourceText(text: string): boolean {
  const start = text.trimStart()
  return text.includes('\n') || start.startsWith('cubes:') || start.startsWith('views:') || start.startsWith('{')
}

function parseText(text: string, file: string | undefined, issues: ErrorIssue[]): Parsed {
  const at = file === undefined ? [] : [file]
  const name = file === undefined ? 'The model text' : `Model file ${describeName(file)}`
  if (text.includes('{%') || text.includes('{{')) {
    issues.push({
      code: 'UNSUPPORTED_FEATURE',
      path: at,
      message: `${name} contains Jinja templates ({% ... %} or {{ ... }}). Jinja templates are not supported; render them first (for example with Cube's CLI or a Jinja renderer) and load the rendered YAML.`,
    })
    return { ok: false }
  }
  const json = file === undefined ? text.trimStart().startsWith('{') : extname(file).toLowerCase() === '.json'
  return json ? parseJson(text, at, name, issues) : parseYaml(text, at, name, issues)
}

function parseJson(text: string, at: string[], name: string, issues: ErrorIssue[]): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch {
    const offset = jsonErrorOffset(text)
    const before = text.slice(0, offset).split('\n')
    const where = `line ${before.length}, column ${(before[before.length - 1]?.length ?? 0) + 1}`
    issues.push({
      code: 'JSON_SYNTAX',
      path: at,
      message: `${name} is not valid JSON: syntax error at ${where}. Fix the JSON syntax there (check commas, quotes and brackets).`,
    })
    return { ok: false }
  }
}

/** Where JSON.parse fails: the shortest prefix that fails for a reason other than ending early (its messages may quote the text, so they are never shown). */
function jsonErrorOffset(text: string): number {
  const fails = (n: number): boolean => {
    try {
      JSON.parse(text.slice(0, n))
      return false
    } catch (e) {
      const match = /position (\d+)/.exec(e instanceof Error ? e.message : '')
      return match === null ? !/end of JSON input/.test(String(e)) : Number(match[1]) < n
    }
  }
  let lo = 0
  let hi = text.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (fails(mid + 1)) hi = mid
    else lo = mid + 1
  }
  return lo
}

/** Reads paths, collecting MODEL_LOAD_FAILED issues instead of stopping at the first. */
class Loader {
  readonly issues: ErrorIssue[] = []
  cause: unknown

  private fail(code: string, path: string, message: string, cause?: unknown): void {
    this.issues.push({ code, path: [path], message })
    if (this.cause === undefined && cause !== undefined) this.cause = cause
  }

  async readPath(path: string): Promise<ModelSourceEntry[]> {
    let isFolder: boolean
    try {
      isFolder = (await stat(path)).isDirectory()
    } catch (error) {
      if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') {
        this.fail(
          'FILE_NOT_FOUND',
          path,
          `Model path ${describeName(path)} does not exist. ${HOW_TO_FIX_SOURCE} YAML text must contain a newline or start with "cubes:" or "views:".`,
          error,
        )
      } else {
        this.fail(
          'FILE_READ_FAILED',
          path,
          `Model path ${describeName(path)} could not be read (${errorCode(error) ?? 'unknown error'}). Check that it exists and is readable.`,
          error,
        )
      }
      return []
    }
    if (isFolder) return this.readFolder(path)
    const file = basename(path)
    const ext = extname(file).toLowerCase()
    if (!MODEL_EXTENSIONS.has(ext)) {
      this.fail(
        'UNSUPPORTED_FILE',
        file,
        `Model file ${describeName(file)} is not a .yml, .yaml or .json file. ${SCRIPT_EXTENSIONS.has(ext) ? 'Cube JavaScript models are not supported: convert the model to YAML.' : HOW_TO_FIX_SOURCE}`,
      )
      return []
    }
    const content = this.textOf(await readText(path), file)
    return content === undefined ? [] : [{ file, content }]
  }

  private async readFolder(root: string): Promise<ModelSourceEntry[]> {
    const before = this.issues.length
    const files = (await this.list(root, ''))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .filter(
        (file) =>
          MODEL_EXTENSIONS.has(extname(file).toLowerCase()) || SCRIPT_EXTENSIONS.has(extname(file).toLowerCase()),
      )
    const reads = await mapBounded(files, READ_CONCURRENCY, (file) => readText(join(root, file)))
    const entries: ModelSourceEntry[] = []
    let scripts = 0
    // Issues are added in file order, whatever order the reads finished in.
    for (const [i, file] of files.entries()) {
      const content = this.textOf(reads[i] ?? { error: undefined }, file)
      if (content === undefined) continue
      if (MODEL_EXTENSIONS.has(extname(file).toLowerCase())) entries.push({ file, content })
      else if (/\b(cube|view)\s*\(/.test(content) && !file.endsWith('.d.ts')) {
        scripts++
        this.fail(
          'UNSUPPORTED_FILE',
          file,
          `Model file ${describeName(file)} is a Cube JavaScript model (cube(...) or view(...)), which Cortex does not support. Convert it to YAML (cubes:/views: lists) in a .yml file.`,
        )
      }
    }
    if (entries.length === 0 && scripts === 0 && this.issues.length === before) {
      this.fail(
        'NO_MODEL_FILES',
        root,
        `Model folder ${describeName(root)} contains no .yml, .yaml or .json files. Add Cube model files or pass the right folder.`,
      )
    }
    return entries
  }

  /** Relative paths with forward slashes, skipping dot-entries, node_modules and symlinked folders. */
  private async list(root: string, rel: string): Promise<string[]> {
    let dirents: Dirent[]
    try {
      dirents = await readdir(join(root, rel), { withFileTypes: true })
    } catch (error) {
      this.fail(
        'FILE_READ_FAILED',
        rel || root,
        `Model folder ${describeName(rel || root)} could not be read (${errorCode(error) ?? 'unknown error'}). Check its permissions.`,
        error,
      )
      return []
    }
    const out: string[] = []
    for (const d of dirents) {
      if (d.name.startsWith('.') || d.name === 'node_modules') continue
      const path = rel ? `${rel}/${d.name}` : d.name
      if (d.isDirectory()) out.push(...(await this.list(root, path)))
      else if (d.isFile()) out.push(path)
      else if (d.isSymbolicLink()) {
        const info = await stat(join(root, path)).catch(() => undefined)
        if (info?.isFile()) out.push(path)
      }
    }
    return out
  }

  private textOf(read: ReadResult, file: string): string | undefined {
    if ('text' in read) return read.text
    this.fail(
      'FILE_READ_FAILED',
      file,
      `Model file ${describeName(file)} could not be read (${errorCode(read.error) ?? 'unknown error'}). Check that it exists and is readable.`,
      read.error,
    )
    return undefined
  }
}

type ReadResult = { text: string } | { error: unknown }

/** Enough reads in flight to keep libuv's thread pool busy on a folder of many small files. */
const READ_CONCURRENCY = 32

/** The callback `readFile` takes about half the time of `fs/promises`' on many small files (Node 20). */
function readText(path: string): Promise<ReadResult> {
  return new Promise((resolve) => {
    readFile(path, 'utf8', (error, text) => resolve(error === null ? { text } : { error }))
  })
}

/** `Promise.all(items.map(fn))` with at most `limit` calls pending at once; results keep the order of `items`. */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

function errorCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined
  return typeof code === 'string' ? code : undefined
}
