import { describe, expect, test } from 'vitest'
import * as root from '../../src/index.js'
import * as sqliteEntry from '../../src/sqlite.js'

// The public surface, listed so that any change to it shows up in review (STYLE.md rule 7).
describe('public exports', () => {
  test('cortex-semantic', () => {
    expect(Object.keys(root).sort()).toEqual([
      'SemanticLayerError',
      'compileModel',
      'createJwtAuth',
      'createSemanticLayer',
      'defineConnector',
      'isSemanticLayerError',
      'loadModel',
      'parseModel',
    ])
  })

  test('cortex-semantic/sqlite', () => {
    expect(Object.keys(sqliteEntry).sort()).toEqual(['sqlite'])
  })
})
