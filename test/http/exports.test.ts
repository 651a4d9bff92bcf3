import { expect, test } from 'vitest'
import * as http from '../../src/http.js'

// The public surface of cortex-semantic/http, listed so that any change to it shows up in review.
test('cortex-semantic/http exports the two handler factories only', () => {
  expect(Object.keys(http).sort()).toEqual(['createFetchHandler', 'createNodeHandler'])
})
