// Types for answer.mjs (plain JavaScript), so TypeScript tests can import it.
import type { SemanticLayer } from 'cortex-semantic'
import type { FilesConnector } from 'cortex-semantic/files'

export const QUESTIONS: Record<string, Record<string, unknown>>
export function createLayer(options?: { watch?: boolean }): Promise<{ layer: SemanticLayer; connector: FilesConnector }>
export function answer(): Promise<Record<string, Record<string, unknown>[]>>
