import { describe, expect, test } from 'vitest'
import * as root from '../../src/index.js'
import * as sqliteEntry from '../../src/sqlite.js'
import * as postgresEntry from '../../src/postgres.js'
import * as mysqlEntry from '../../src/mysql.js'
import * as redisEntry from '../../src/redis.js'
import * as filesEntry from '../../src/files.js'
import * as bigqueryEntry from '../../src/bigquery.js'
import * as snowflakeEntry from '../../src/snowflake.js'

// The public surface, listed so that any change to it shows up in review (STYLE.md rule 7).
describe('public exports', () => {
  test('cortex-semantic', () => {
    expect(Object.keys(root).sort()).toEqual([
      'SemanticLayerError',
      'checkDrift',
      'compileModel',
      'createJwtAuth',
      'createSemanticLayer',
      'defineConnector',
      'defineCube',
      'defineModel',
      'defineView',
      'diffModels',
      'generateModel',
      'isSemanticLayerError',
      'loadModel',
      'memoryCache',
      'modelTypesSource',
      'parseModel',
      'sourceStore',
      'sqliteStore',
      'watchModel',
    ])
  })

  test('cortex-semantic/sqlite', () => {
    expect(Object.keys(sqliteEntry).sort()).toEqual(['sqlite'])
  })

  test('driver subpaths export their factory only', () => {
    expect(Object.keys(postgresEntry).sort()).toEqual(['postgres'])
    expect(Object.keys(mysqlEntry).sort()).toEqual(['mysql'])
    expect(Object.keys(redisEntry).sort()).toEqual(['redisCache'])
    expect(Object.keys(filesEntry).sort()).toEqual(['files'])
    expect(Object.keys(bigqueryEntry).sort()).toEqual(['bigquery'])
    expect(Object.keys(snowflakeEntry).sort()).toEqual(['snowflake'])
  })
})
