import Database from 'better-sqlite3'
import { it } from 'vitest'
import { createSemanticLayer, loadModel, parseModel, compileModel, createJwtAuth, defineConnector, memoryCache, isSemanticLayerError } from '../src/index.js'
import { sqlite } from '../src/sqlite.js'
import { postgres } from '../src/postgres.js'
import { mysql } from '../src/mysql.js'
import { createFetchHandler, createNodeHandler } from '../src/http.js'
import { MINI_MODEL_YAML } from './fixtures/mini-model.js'

const model = parseModel([{ content: MINI_MODEL_YAML }])
const conn = () => sqlite({ database: new Database(':memory:') })
const cyclic: any = { a: 1 }; cyclic.self = cyclic
const throwing = Object.defineProperty({}, 'x', { enumerable: true, get() { throw new Error('getter') } })
const JUNK: unknown[] = [null, 5, 'str', [], [1], NaN, Infinity, -1, 1e308, true, cyclic, throwing, () => 1, Symbol('s'), 10n, new Date(), new Map()]

async function probe(name: string, fn: () => unknown) {
  try { const r = fn(); if (r && typeof (r as any).then === 'function') await r; if (r && typeof (r as any)[Symbol.asyncIterator] === 'function') { for await (const _ of r as any) break } }
  catch (e) { if (!isSemanticLayerError(e)) console.log('RAW', name, (e as Error)?.constructor?.name, String((e as Error)?.message).slice(0, 120)); else if (e.code === 'INTERNAL') console.log('INTERNAL', name, String((e as any).cause?.message).slice(0,100)) }
}

it('audit', async () => {
  const layer = createSemanticLayer({ model, connectors: { default: conn() } })
  for (const [i, j] of JUNK.entries()) {
    await probe(`createSemanticLayer(${i})`, () => createSemanticLayer(j as any))
    for (const key of ['model', 'connectors', 'defaultLimit', 'maxLimit', 'now', 'timeoutMs', 'decimals', 'cache', 'onCacheError', 'cacheOptions', 'compiledQueries', 'contextToTenant', 'contextToUser', 'onAudit', 'maxTenants', 'contextToGroups', 'queryRewrite', 'authorize']) {
      await probe(`createSemanticLayer.${key}=${i}`, async () => { const l = createSemanticLayer({ model, connectors: { default: conn() }, [key]: j } as any); await l.query({ measures: ['orders.count'] }, { securityContext: { tenant: 't1' } }).catch((e) => { if (!isSemanticLayerError(e)) throw e; if (e.code === 'INTERNAL') throw e }); await l.meta({ securityContext: {} }) })
    }
    await probe(`query(${i})`, () => layer.query(j as any))
    await probe(`query opts(${i})`, () => layer.query({ measures: ['orders.count'] }, j as any))
    await probe(`sql opts(${i})`, () => layer.sql({ measures: ['orders.count'] }, j as any))
    await probe(`meta opts(${i})`, () => layer.meta(j as any))
    await probe(`stream opts(${i})`, () => layer.stream({ measures: ['orders.count'] }, j as any))
    await probe(`invalidate(${i})`, () => layer.invalidate(j as any))
    for (const key of ['securityContext', 'signal', 'timeoutMs', 'cacheMode', 'dialect']) {
      await probe(`query opts.${key}=${i}`, () => layer.query({ measures: ['orders.count'] }, { [key]: j } as any))
      await probe(`sql opts.${key}=${i}`, () => layer.sql({ measures: ['orders.count'] }, { [key]: j } as any))
      await probe(`meta opts.${key}=${i}`, () => layer.meta({ [key]: j } as any))
    }
    await probe(`loadModel(${i})`, () => loadModel(j as any))
    await probe(`parseModel(${i})`, () => parseModel(j as any))
    await probe(`parseModel([${i}])`, () => parseModel([j] as any))
    await probe(`parseModel([{content:${i}}])`, () => parseModel([{ content: j }] as any))
    await probe(`parseModel([{file:${i}}])`, () => parseModel([{ file: j, content: 'cubes: []\n' }] as any))
    await probe(`compileModel(${i})`, () => compileModel(j as any))
    await probe(`compileModel({cubes:${i}})`, () => compileModel({ cubes: j, views: [] } as any))
    await probe(`compileModel({cubes:[${i}]})`, () => compileModel({ cubes: [j], views: [] } as any))
    await probe(`createJwtAuth(${i})`, () => createJwtAuth(j as any))
    await probe(`createJwtAuth.secret(${i})`, () => createJwtAuth({ secret: j } as any))
    await probe(`jwt.authenticate(${i})`, () => createJwtAuth({ secret: 'x'.repeat(40) }).authenticate(j as any))
    await probe(`defineConnector(${i})`, () => defineConnector(j as any))
    await probe(`memoryCache(${i})`, () => memoryCache(j as any))
    await probe(`sqlite(${i})`, () => sqlite(j as any))
    await probe(`sqlite.filename(${i})`, async () => { const c = sqlite({ filename: j } as any); await c.execute('select 1', []) })
    await probe(`postgres(${i})`, () => postgres(j as any))
    await probe(`mysql(${i})`, () => mysql(j as any))
    await probe(`createFetchHandler(${i})`, () => createFetchHandler(j as any))
    await probe(`createFetchHandler opts(${i})`, () => createFetchHandler(layer, j as any))
    await probe(`createNodeHandler opts(${i})`, () => createNodeHandler(layer, j as any))
  }
})
