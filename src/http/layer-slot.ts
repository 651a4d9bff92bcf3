import type { SemanticLayer } from '../index.js'

interface Entry {
  readonly layer: SemanticLayer
  inFlight: number
  retired: boolean
  closing?: Promise<void>
  readonly idle: (() => void)[]
}

export interface Lease {
  readonly layer: SemanticLayer
  release(): void
}

/**
 * The layer a handler serves, swappable at runtime. Every request leases the layer that is current when
 * it starts and keeps it to the end; a swap makes new requests use the new layer at once, and the old one
 * is closed when its last lease is released (never under a running query).
 */
export class LayerSlot {
  private entry: Entry
  private closed = false

  constructor(
    layer: SemanticLayer,
    private readonly onCloseError: (error: unknown) => void,
  ) {
    this.entry = { layer, inFlight: 0, retired: false, idle: [] }
  }

  get current(): SemanticLayer {
    return this.entry.layer
  }

  acquire(): Lease {
    const entry = this.entry
    entry.inFlight++
    let released = false
    return {
      layer: entry.layer,
      release: () => {
        if (released) return
        released = true
        entry.inFlight--
        if (entry.inFlight > 0) return
        for (const wake of entry.idle.splice(0)) wake()
        if (entry.retired) void this.closeEntry(entry)
      },
    }
  }

  /** Serve `layer` from now on; the previous layer closes after its in-flight requests finish. */
  swap(layer: SemanticLayer): void {
    if (this.closed) {
      void layer.close().catch((error: unknown) => this.onCloseError(error))
      return
    }
    const old = this.entry
    this.entry = { layer, inFlight: 0, retired: false, idle: [] }
    old.retired = true
    if (old.inFlight === 0) void this.closeEntry(old)
  }

  /** Close the current layer (waits for its in-flight requests). */
  async close(): Promise<void> {
    this.closed = true
    const entry = this.entry
    entry.retired = true
    if (entry.inFlight > 0) await new Promise<void>((resolve) => entry.idle.push(resolve))
    await this.closeEntry(entry)
  }

  private closeEntry(entry: Entry): Promise<void> {
    entry.closing ??= entry.layer.close().catch((error: unknown) => this.onCloseError(error))
    return entry.closing
  }
}
