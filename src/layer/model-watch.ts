/**
 * A layer's model over time: the version it started with, a watched folder's later versions swapped in
 * atomically, and the history of what it served. Calls read the model once when they start (tenancy
 * hands each call its scope), so a call in flight finishes on the version it started with.
 */
import { SemanticLayerError } from '../errors.js'
import type { CompiledModel } from '../model/compiled.js'
import { diffModels, type ModelDiffSummary } from '../model/diff-models.js'
import { ModelHistory, type ModelVersion } from '../model/model-history.js'
import { watchModel, type ModelWatcher, type WatchModelOptions } from '../model/watch-model.js'

/** Where the layer keeps its shared model (Tenancy). */
export interface ModelSlot {
  readonly model: CompiledModel | undefined
  replaceModel(model: CompiledModel): void
}

export class LayerModels {
  private readonly versions: ModelHistory
  private watcher: ModelWatcher | undefined
  private closed = false

  constructor(
    private readonly slot: ModelSlot,
    private readonly now: () => Date,
    historySize = 100,
  ) {
    this.versions = new ModelHistory(historySize)
    if (slot.model) this.versions.add({ version: slot.model.version, time: now().toISOString(), reason: 'initial' })
  }

  history(): readonly ModelVersion[] {
    return this.versions.list()
  }

  /** Watch `dir` and serve each valid version; a later call replaces (and closes) the previous watcher. */
  async watch(dir: string, options: WatchModelOptions = {}): Promise<ModelWatcher> {
    this.assertWatchable()
    const watcher = await watchModel(dir, { now: this.now, ...options })
    if (this.closed) {
      await watcher.close()
      this.assertWatchable()
    }
    const previous = this.watcher
    this.watcher = watcher
    await previous?.close()
    const current = this.slot.model!
    if (watcher.version !== current.version) {
      this.swap(watcher.compiled, current.version, diffModels(current, watcher.model).summary)
    }
    watcher.on('modelChanged', (e) => {
      if (this.watcher === watcher && !this.closed) this.swap(e.compiled, e.previousVersion, e.diff.summary)
    })
    return watcher
  }

  private swap(compiled: CompiledModel, previous: string, changes: ModelDiffSummary): void {
    this.slot.replaceModel(compiled)
    const time = this.now().toISOString()
    this.versions.add({ version: compiled.version, time, reason: 'reload', changes, previous })
  }

  private assertWatchable(): void {
    if (this.closed) {
      const message = 'This semantic layer was closed. Create a new one.'
      throw new SemanticLayerError('LAYER_CLOSED', [{ code: 'LAYER_CLOSED', path: [], message }])
    }
    if (!this.slot.model) {
      const message =
        'Only a layer with one shared model can watch a folder; this layer builds a model per tenant ' +
        '(a model factory). Reload inside the factory instead.'
      throw new SemanticLayerError('CONFIG_INVALID', [{ code: 'MODEL_NOT_WATCHABLE', path: ['model'], message }])
    }
  }

  async close(): Promise<void> {
    this.closed = true
    const watcher = this.watcher
    this.watcher = undefined
    await watcher?.close()
  }
}
