// Types for answer.mjs (plain JavaScript), so TypeScript tests can import it.
import type { SemanticLayer } from '../../src/index.js'
import type { FilesConnector } from '../../src/files.js'

export const QUESTIONS: Record<string, Record<string, unknown>>
export function createLayer(options?: { watch?: boolean }): Promise<{ layer: SemanticLayer; connector: FilesConnector }>
export function answer(): Promise<Record<string, Record<string, unknown>[]>>
