import type { ModelDiffSummary } from './diff-models.js'

/** One version of a model a layer (or a watcher) served, from `time` until the next entry. */
export interface ModelVersion {
  /** The compiled model's content hash (`layer.model.version`, and `modelVersion` on audit events). */
  readonly version: string
  /** ISO time it started to be served. */
  readonly time: string
  /** `initial` for the model the layer or watcher started with, `reload` for each change after it. */
  readonly reason: 'initial' | 'reload'
  /** What changed from the previous version (absent for the first). */
  readonly changes?: ModelDiffSummary
  /** The previous version's hash (absent for the first). */
  readonly previous?: string
}

/** The last `size` versions, oldest first. */
export class ModelHistory {
  private readonly entries: ModelVersion[] = []

  constructor(private readonly size: number) {}

  add(entry: ModelVersion): void {
    this.entries.push(Object.freeze({ ...entry }))
    if (this.entries.length > this.size) this.entries.splice(0, this.entries.length - this.size)
  }

  list(): readonly ModelVersion[] {
    return Object.freeze([...this.entries])
  }
}
