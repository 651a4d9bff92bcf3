/**
 * A model folder kept up to date: reloaded when its files change (debounced), validated and compiled
 * before it replaces the current version, and never replaced by a version that does not compile. Used on
 * its own (`watchModel(dir)`) or by a layer (`layer.watchModel(dir)`), which swaps its model on each
 * `modelChanged` event.
 */
import { watch as fsWatch } from 'node:fs'
import { basename, extname } from 'node:path'
import { SemanticLayerError, toInternal, type ErrorIssue } from '../errors.js'
import type { CompiledModel } from './compiled.js'
import { compileModel } from './compile-model.js'
import type { ModelDefinition } from './definition.js'
import { diffModels, type ModelDiff } from './diff-models.js'
import { loadModel } from './load-model.js'
import { ModelHistory, type ModelVersion } from './model-history.js'

/** Timers for the debounce; tests pass their own so that nothing has to wait for real time. */
export interface WatchTimers {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** What reports changes under a folder: fs.watch by default. `onChange` may be called for any file. */
export type FolderWatch = (
  dir: string,
  onChange: (file: string | undefined) => void,
  onError: (error: unknown) => void,
) => { close(): void }

export interface WatchModelOptions {
  /** Reload this long after the last change, so an editor's burst of writes is one reload. Default 100. */
  readonly debounceMs?: number
  /** Default: the global setTimeout / clearTimeout. */
  readonly timers?: WatchTimers
  /** The clock for the times in events and history. Default: the system clock. */
  readonly now?: () => Date
  /** How many versions history() keeps. Default 100. */
  readonly historySize?: number
  /** Default: node:fs watch, recursive (Node 20 supports it on Linux, macOS and Windows). */
  readonly watch?: FolderWatch
}

export interface ModelChangedEvent {
  /** The new version's hash, and the one it replaced. */
  readonly version: string
  readonly previousVersion: string
  readonly time: string
  readonly diff: ModelDiff
  readonly model: ModelDefinition
  readonly compiled: CompiledModel
}

export interface ModelErrorEvent {
  /** MODEL_INVALID or MODEL_LOAD_FAILED, with every issue of the new files. */
  readonly error: SemanticLayerError
  readonly issues: readonly ErrorIssue[]
  /** The version still being served. */
  readonly version: string
  readonly time: string
}

/** What one reload did. */
export type ReloadOutcome =
  | { readonly status: 'changed'; readonly version: string; readonly diff: ModelDiff }
  | { readonly status: 'unchanged'; readonly version: string }
  | { readonly status: 'invalid'; readonly version: string; readonly error: SemanticLayerError }
  | { readonly status: 'closed'; readonly version: string }

export interface ModelWatcher {
  /** The current version: its definition, compiled form and hash. */
  readonly model: ModelDefinition
  readonly compiled: CompiledModel
  readonly version: string
  readonly closed: boolean
  /** Subscribe; returns the function that unsubscribes. Listeners run in order; one that throws is skipped. */
  on(event: 'modelChanged', listener: (event: ModelChangedEvent) => void): () => void
  on(event: 'modelError', listener: (event: ModelErrorEvent) => void): () => void
  /** Reload now (what a change does after the debounce); concurrent calls share one reload at a time. */
  reload(): Promise<ReloadOutcome>
  /** The versions served so far (the last `historySize`), oldest first. */
  history(): readonly ModelVersion[]
  /** Stop watching. A reload in progress finishes but emits nothing. */
  close(): Promise<void>
}

/**
 * Load a model folder and keep it current. Reloads happen after `debounceMs` without further changes;
 * a version that does not load or compile is reported with every issue (`modelError`) and the previous
 * version stays current. Only model files count: dot-files and editor backups (`~`, `.swp`) are ignored.
 *
 * @throws SemanticLayerError `MODEL_LOAD_FAILED` / `MODEL_INVALID` when the folder is not a valid model at the start.
 * @example
 * const watcher = await watchModel('./model')
 * watcher.on('modelChanged', (e) => console.log(`model ${e.version.slice(0, 12)}: ${e.diff.changes.length} changes`))
 * watcher.on('modelError', (e) => console.error(e.error.message))
 */
export async function watchModel(dir: string, options: WatchModelOptions = {}): Promise<ModelWatcher> {
  checkOptions(options)
  const now = options.now ?? (() => new Date())
  const initial = await loadModel(dir)
  return new Watcher(dir, initial, compileModel(initial), now, options)
}

const SYSTEM_TIMERS: WatchTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
}

type Listener = ((e: ModelChangedEvent) => void) | ((e: ModelErrorEvent) => void)

class Watcher implements ModelWatcher {
  private current: { model: ModelDefinition; compiled: CompiledModel }
  private readonly listeners = {
    modelChanged: [] as ((e: ModelChangedEvent) => void)[],
    modelError: [] as ((e: ModelErrorEvent) => void)[],
  }
  private readonly versions: ModelHistory
  private readonly timers: WatchTimers
  private readonly debounceMs: number
  private readonly source: { close(): void }
  private timer: unknown
  private timerSet = false
  private running: Promise<ReloadOutcome> | undefined
  private again = false
  closed = false

  constructor(
    private readonly dir: string,
    model: ModelDefinition,
    compiled: CompiledModel,
    private readonly now: () => Date,
    options: WatchModelOptions,
  ) {
    this.current = { model, compiled }
    this.versions = new ModelHistory(options.historySize ?? 100)
    this.versions.add({ version: compiled.version, time: now().toISOString(), reason: 'initial' })
    this.timers = options.timers ?? SYSTEM_TIMERS
    this.debounceMs = options.debounceMs ?? 100
    const onChange = (file: string | undefined): void => {
      if (isModelChange(file)) this.schedule()
    }
    this.source = (options.watch ?? watchFolder)(dir, onChange, (error) => this.emitError(watchFailed(dir, error)))
  }

  get model(): ModelDefinition {
    return this.current.model
  }

  get compiled(): CompiledModel {
    return this.current.compiled
  }

  get version(): string {
    return this.current.compiled.version
  }

  on(event: 'modelChanged' | 'modelError', listener: Listener): () => void {
    const list = this.listeners[event] as unknown[]
    list.push(listener)
    return () => {
      const i = list.indexOf(listener)
      if (i >= 0) list.splice(i, 1)
    }
  }

  history(): readonly ModelVersion[] {
    return this.versions.list()
  }

  /** Debounce: every change restarts the wait; the reload runs once the folder has been quiet for debounceMs. */
  private schedule(): void {
    if (this.closed) return
    if (this.timerSet) this.timers.clearTimeout(this.timer)
    this.timerSet = true
    this.timer = this.timers.setTimeout(() => {
      this.timerSet = false
      void this.reload()
    }, this.debounceMs)
  }

  reload(): Promise<ReloadOutcome> {
    if (this.closed) return Promise.resolve({ status: 'closed', version: this.version })
    if (this.running) {
      // A change during a reload may have been missed by it: run once more after it.
      this.again = true
      return this.running
    }
    const run = this.reloadNow().finally(() => {
      this.running = undefined
      if (this.again && !this.closed) {
        this.again = false
        void this.reload()
      }
    })
    this.running = run
    return run
  }

  private async reloadNow(): Promise<ReloadOutcome> {
    this.again = false
    let next: { model: ModelDefinition; compiled: CompiledModel }
    try {
      const model = await loadModel(this.dir)
      next = { model, compiled: compileModel(model) }
    } catch (error) {
      if (this.closed) return { status: 'closed', version: this.version }
      const coded = toInternal(error, 'model reload')
      this.emitError(coded)
      return { status: 'invalid', version: this.version, error: coded }
    }
    if (this.closed) return { status: 'closed', version: this.version }
    const previous = this.current
    if (next.compiled.version === previous.compiled.version) return { status: 'unchanged', version: this.version }
    const diff = diffModels(previous.model, next.model)
    const time = this.now().toISOString()
    this.current = next
    const version = next.compiled.version
    const previousVersion = previous.compiled.version
    this.versions.add({ version, time, reason: 'reload', changes: diff.summary, previous: previousVersion })
    const event: ModelChangedEvent = { version, previousVersion, time, diff, ...next }
    for (const listener of [...this.listeners.modelChanged]) call(listener, event)
    return { status: 'changed', version: next.compiled.version, diff }
  }

  private emitError(error: SemanticLayerError): void {
    const time = this.now().toISOString()
    const event: ModelErrorEvent = { error, issues: error.issues, version: this.version, time }
    for (const listener of [...this.listeners.modelError]) call(listener, event)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.timerSet) this.timers.clearTimeout(this.timer)
    this.timerSet = false
    this.source.close()
    await this.running?.catch(() => undefined)
  }
}

function watchFailed(dir: string, cause: unknown): SemanticLayerError {
  const message =
    'Watching the model folder failed; changes are no longer picked up. ' +
    'Check that the folder still exists, then watch it again.'
  return new SemanticLayerError('MODEL_LOAD_FAILED', [{ code: 'WATCH_FAILED', path: [dir], message }], { cause })
}

function call<E>(listener: (e: E) => void, event: E): void {
  try {
    listener(event)
  } catch {
    // A failing listener must not stop the others or the watcher.
  }
}

const MODEL_EXTENSIONS = new Set(['.yml', '.yaml', '.json'])

/** Model files, and names without an extension (folders: a new folder of model files). */
function isModelChange(file: string | undefined): boolean {
  if (file === undefined) return true
  const parts = file.split(/[\\/]/)
  if (parts.some((p) => p.startsWith('.') || p === 'node_modules')) return false
  const name = basename(file)
  if (name.endsWith('~')) return false
  const ext = extname(name).toLowerCase()
  return ext === '' || MODEL_EXTENSIONS.has(ext)
}

const watchFolder: FolderWatch = (dir, onChange, onError) => {
  const watcher = fsWatch(dir, { recursive: true }, (_event, file) => onChange(file ?? undefined))
  watcher.on('error', onError)
  return { close: () => watcher.close() }
}

function checkOptions(options: WatchModelOptions): void {
  const issues: ErrorIssue[] = []
  if (options.debounceMs !== undefined && (!Number.isFinite(options.debounceMs) || options.debounceMs < 0)) {
    const message = 'debounceMs must be a non-negative number of milliseconds.'
    issues.push({ code: 'INVALID_OPTION', path: ['debounceMs'], message })
  }
  if (options.historySize !== undefined && (!Number.isSafeInteger(options.historySize) || options.historySize < 1)) {
    issues.push({ code: 'INVALID_OPTION', path: ['historySize'], message: 'historySize must be a positive integer.' })
  }
  if (issues.length) throw new SemanticLayerError('CONFIG_INVALID', issues)
}
