/**
 * The PostgreSQL connector's configuration and driver loading: no server needed. `node:module` is
 * mocked so that `pg` and `pg-cursor` look uninstalled, as they are for hosts that never use them.
 */
import { describe, expect, it, vi } from 'vitest'
import { isSemanticLayerError, type SemanticLayerError } from '../../src/errors.js'
import { driverMissingError, postgres, type PgPoolLike } from '../../src/connectors/postgres-connector.js'
import { sqlStatement } from '../../src/connectors/connector.js'

vi.mock('node:module', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:module')>()
  const createRequire = (from: string | URL) => {
    const real = actual.createRequire(from)
    return Object.assign((id: string) => {
      if (id === 'pg' || id === 'pg-cursor')
        throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' })
      return real(id)
    }, real)
  }
  return { ...actual, createRequire, default: { ...actual, createRequire } }
})

async function rejection(promise: Promise<unknown>): Promise<SemanticLayerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isSemanticLayerError(error)) throw new Error(`expected a SemanticLayerError, got ${String(error)}`)
  return error
}
function thrown(fn: () => unknown): SemanticLayerError {
  try {
    fn()
  } catch (error) {
    if (isSemanticLayerError(error)) return error
    throw error
  }
  throw new Error('expected a throw')
}

const fakePool: PgPoolLike = { connect: () => Promise.reject(new Error('unused')) }

describe('postgres() options', () => {
  it('rejects no source at all with CONFIG_INVALID', () => {
    const error = thrown(() => postgres({}))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.issues[0]!.message).toMatch(/exactly one of connection, existingPool or knex/)
  })

  it('rejects two sources at once, naming them', () => {
    const error = thrown(() => postgres({ connection: 'postgres://x@127.0.0.1/db', existingPool: fakePool }))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.issues[0]!.message).toContain('connection, existingPool')
  })

  it('rejects pool sizing for a pool it does not create, and bad sizes, all at once', () => {
    const error = thrown(() => postgres({ existingPool: fakePool, pool: { max: 0, min: -1 } }))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.issues.map((i) => i.path.join('.'))).toEqual(['pool', 'pool.min', 'pool.max'])
  })

  it('rejects a knex instance that is not a pg knex', () => {
    const knex = {
      client: { acquireConnection: async () => ({}), releaseConnection: async () => undefined, driverName: 'mysql2' },
    }
    expect(thrown(() => postgres({ knex })).issues[0]!.code).toBe('POSTGRES_KNEX')
  })

  it('does not load pg when the connector is created, only when it is first used', async () => {
    const connector = postgres({ connection: 'postgres://x@127.0.0.1:1/db' })
    const error = await rejection(connector.execute(sqlStatement('SELECT 1', [])))
    expect(error.code).toBe('DRIVER_MISSING')
    expect(error.message).toContain('npm install pg')
    expect((error.cause as { code?: string }).code).toBe('MODULE_NOT_FOUND')
    await connector.close()
  })

  it('says to install pg-cursor when streaming without it', async () => {
    const connector = postgres({ existingPool: fakePool })
    const error = await rejection(
      (async () => {
        for await (const _ of connector.stream(sqlStatement('SELECT 1', []))) void _
      })(),
    )
    expect(error.code).toBe('DRIVER_MISSING')
    expect(error.message).toContain('npm install pg-cursor')
  })

  it('builds the DRIVER_MISSING message with the package to install', () => {
    expect(driverMissingError('pg').message).toBe(
      'DRIVER_MISSING: The PostgreSQL connector needs pg. Install it: npm install pg',
    )
    expect(driverMissingError('pg-cursor').issues[0]!.message).toContain('npm install pg-cursor')
  })

  it('reports an unhealthy check instead of throwing when the driver is missing', async () => {
    const report = await postgres({ connection: 'postgres://x@127.0.0.1:1/db' }).healthCheck()
    expect(report.ok).toBe(false)
    expect(report.error).toContain('npm install pg')
  })
})
