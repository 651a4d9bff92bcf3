/**
 * The layer under test, built only from the public API, over an in-memory copy of the e-commerce
 * dataset. The clock is fixed so relative date ranges are reproducible.
 */
import Database from 'better-sqlite3'
import { fileURLToPath } from 'node:url'
import { createEcommerceSqlite } from '../../../examples/ecommerce/generate.mjs'
import { createSemanticLayer, loadModel } from '../../../src/index.js'
import { sqlite } from '../../../src/sqlite.js'
import type { CubeQuery, Row } from './helpers.js'

export const NOW = new Date('2024-06-15T12:00:00Z')
export const MODEL_DIR = fileURLToPath(new URL('../../../examples/ecommerce/model', import.meta.url))

export interface AnnotationEntry {
  readonly title?: unknown
  readonly shortTitle?: unknown
  readonly type?: unknown
  readonly format?: unknown
}

/** The result shape the suite asserts against (structural, so it does not depend on the library's own types). */
export interface QueryResult {
  readonly data: Row[]
  readonly annotation: {
    readonly measures: Readonly<Record<string, AnnotationEntry>>
    readonly dimensions: Readonly<Record<string, AnnotationEntry>>
    readonly segments: Readonly<Record<string, AnnotationEntry>>
    readonly timeDimensions: Readonly<Record<string, AnnotationEntry>>
  }
  readonly query: unknown
  readonly sql: { readonly sql: string; readonly params: readonly unknown[] }
  readonly total?: number
  readonly truncated: boolean
}

export interface LayerUnderTest {
  query(query: unknown): Promise<QueryResult>
  close(): Promise<void>
}

export interface Fixture {
  readonly db: Database.Database
  readonly layer: LayerUnderTest
  close(): Promise<void>
}

export async function openFixture(): Promise<Fixture> {
  const db = new Database(':memory:')
  createEcommerceSqlite(db)
  const options = {
    model: await loadModel(MODEL_DIR),
    connectors: { default: sqlite({ database: db }) },
    now: () => new Date(NOW.getTime()),
  }
  const layer = createSemanticLayer(options) as unknown as LayerUnderTest
  return {
    db,
    layer,
    async close() {
      await layer.close()
      db.close()
    },
  }
}

export type { CubeQuery }
