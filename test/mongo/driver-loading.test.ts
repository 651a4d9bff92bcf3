/**
 * The `mongodb` driver is an optional peer: `cortex-semantic/mongodb` exports its factory only and loads the
 * driver only when a `{ url }` connector first runs. `node:module` is mocked here so that `mongodb` looks
 * uninstalled, as it is for hosts that never use MongoDB, or that pass their own client or db.
 */
import { describe, expect, it, vi } from 'vitest'
import { isSemanticLayerError, type SemanticLayerError } from '../../src/errors.js'
import * as entry from '../../src/mongodb.js'
import { mingoDb } from './harness/mingo-db.js'

vi.mock('node:module', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:module')>()
  const createRequire = (from: string | URL) => {
    const real = actual.createRequire(from)
    return Object.assign((id: string) => {
      if (id === 'mongodb') throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' })
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

const count = { kind: 'mongo', collection: 'orders', pipeline: [{ $count: 'n' }] } as const

describe('cortex-semantic/mongodb without the driver installed', () => {
  it('exports the factory and the pipeline printer only', () => {
    expect(Object.keys(entry).sort()).toEqual(['mongoBackend', 'mongodb'])
  })

  it('creates a url connector without loading the driver, and says what to install on first use', async () => {
    const connector = entry.mongodb({ url: 'mongodb://127.0.0.1:1/shop' })
    const error = await rejection(connector.execute(count))
    expect(error.code).toBe('DRIVER_MISSING')
    expect(error.message).toContain('npm install mongodb')
    expect((error.cause as { code?: string }).code).toBe('MODULE_NOT_FOUND')
    expect((await connector.healthCheck()).error).toContain('npm install mongodb')
  })

  it('runs a { db } without the driver', async () => {
    const connector = entry.mongodb({ db: mingoDb({ orders: [{ a: 1 }, { a: 2 }] }) })
    expect(await connector.execute(count)).toEqual([{ n: 2 }])
  })
})
