/**
 * watchModel(): debounced reloads driven by injected timers (no test waits for time), the real fs.watch
 * picking up a write, invalid versions reported with every issue while the last good one stays current,
 * recovery, history and close().
 */
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  watchModel,
  type ModelChangedEvent,
  type ModelErrorEvent,
  type ModelWatcher,
} from '../../src/model/watch-model.js'
import { fakeFolder, fakeTimers, modelFolder, next, ordersCube } from '../fixtures/watch-helpers.js'

const NOW = new Date('2026-01-02T03:04:05.000Z')
const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

async function open(files: Record<string, string>, withFakeFolder = true) {
  const dir = modelFolder(files)
  const timers = fakeTimers()
  const folder = fakeFolder()
  const watcher = await watchModel(dir, {
    timers: timers.timers,
    now: () => NOW,
    ...(withFakeFolder ? { watch: folder.watch } : {}),
  })
  cleanups.push(
    () => watcher.close(),
    () => rmSync(dir, { recursive: true, force: true }),
  )
  const changed = (): Promise<ModelChangedEvent> => next((l) => watcher.on('modelChanged', l))
  const failed = (): Promise<ModelErrorEvent> => next((l) => watcher.on('modelError', l))
  return { dir, timers, folder, watcher, changed, failed }
}

describe('watchModel', () => {
  it('coalesces a burst of changes into one reload after the folder is quiet', async () => {
    const { dir, timers, folder, watcher, changed } = await open({ 'orders.yml': ordersCube() })
    const first = watcher.version
    for (let i = 0; i < 5; i++) folder.change('orders.yml')
    // Each change restarted the wait: one timer pending, four cleared.
    expect([timers.setCalls(), timers.clearCalls(), timers.pending()]).toEqual([5, 4, 1])
    writeFileSync(join(dir, 'orders.yml'), ordersCube('amount * 2'))
    const event = changed()
    timers.fire()
    const e = await event
    expect(e).toMatchObject({ previousVersion: first, version: watcher.version, time: NOW.toISOString() })
    expect(e.diff.changes.map((c) => `${c.code} ${c.name}`)).toEqual(['SQL_CHANGED orders.total'])
    expect(watcher.history().map((h) => h.reason)).toEqual(['initial', 'reload'])
    expect(timers.pending()).toBe(0)
  })

  it('ignores dot-files, editor backups and files that are not models', async () => {
    const { timers, folder } = await open({ 'orders.yml': ordersCube() })
    for (const file of ['.orders.yml.swp', 'orders.yml~', 'notes.txt', '.git/index', 'node_modules/x/a.json'])
      folder.change(file)
    expect(timers.setCalls()).toBe(0)
    for (const file of ['sub/orders.yaml', 'views.json', 'newfolder', undefined]) folder.change(file)
    expect(timers.setCalls()).toBe(4)
  })

  it('picks up a write through the real fs.watch', async () => {
    const { dir, timers, watcher, changed } = await open({ 'orders.yml': ordersCube() }, false)
    writeFileSync(join(dir, 'orders.yml'), ordersCube('amount', '      - { name: biggest, sql: amount, type: max }\n'))
    await timers.scheduled() // the fs event arrived and started the debounce
    const event = changed()
    timers.fire()
    const e = await event
    expect(e.diff.changes.map((c) => `${c.code} ${c.name} ${c.severity}`)).toEqual([
      'MEMBER_ADDED orders.biggest compatible',
    ])
    expect(Object.keys(watcher.compiled.cubes.orders!.measures)).toContain('biggest')
  })

  it('keeps the last good version when a change is invalid, reports every issue, and recovers when it is fixed', async () => {
    const { dir, watcher, failed, changed } = await open({
      'orders.yml': ordersCube(),
      'customers.yml': 'cubes:\n  - name: customers\n    sql_table: customers\n    dimensions: []\n',
    })
    const good = watcher.version
    writeFileSync(join(dir, 'orders.yml'), ordersCube('{CUBE.nope}'))
    writeFileSync(join(dir, 'customers.yml'), 'cubes:\n  - name: customers\n    dimensions: []\n')
    const error = failed()
    const outcome = await watcher.reload()
    const e = await error
    expect(outcome).toMatchObject({ status: 'invalid', version: good })
    expect(e.version).toBe(good)
    expect(e.error.code).toBe('MODEL_INVALID')
    expect(e.issues.map((i) => `${i.path.slice(0, 3).join('.')} ${i.code}`)).toEqual([
      'customers.yml.cubes.customers MISSING_SQL',
      'orders.yml.cubes.orders UNKNOWN_REFERENCE',
    ])
    expect(watcher.version).toBe(good)
    expect(watcher.history()).toHaveLength(1)

    writeFileSync(
      join(dir, 'customers.yml'),
      'cubes:\n  - name: customers\n    sql_table: customers\n    dimensions: []\n',
    )
    writeFileSync(join(dir, 'orders.yml'), ordersCube('amount - discount'))
    const fixed = changed()
    expect(await watcher.reload()).toMatchObject({ status: 'changed' })
    expect((await fixed).previousVersion).toBe(good)
    expect(watcher.version).not.toBe(good)
  })

  it('reports a folder that can no longer be read as MODEL_LOAD_FAILED and keeps serving', async () => {
    const { dir, watcher } = await open({ 'orders.yml': ordersCube() })
    const version = watcher.version
    rmSync(dir, { recursive: true, force: true })
    const outcome = await watcher.reload()
    expect(outcome).toMatchObject({ status: 'invalid', error: { code: 'MODEL_LOAD_FAILED' } })
    expect(watcher.version).toBe(version)
  })

  it('does not emit when the files changed but the model did not', async () => {
    const { dir, watcher } = await open({ 'orders.yml': ordersCube() })
    let events = 0
    watcher.on('modelChanged', () => events++)
    writeFileSync(join(dir, 'orders.yml'), `# a comment\n${ordersCube()}`)
    expect(await watcher.reload()).toMatchObject({ status: 'unchanged' })
    expect(events).toBe(0)
  })

  it('shares one reload between concurrent calls, and a throwing listener does not stop the others', async () => {
    const { dir, watcher } = await open({ 'orders.yml': ordersCube() })
    const seen: string[] = []
    watcher.on('modelChanged', () => {
      throw new Error('listener bug')
    })
    const off = watcher.on('modelChanged', (e) => seen.push(e.version))
    writeFileSync(join(dir, 'orders.yml'), ordersCube('amount * 3'))
    const a = watcher.reload()
    expect(watcher.reload()).toBe(a)
    await a
    expect(seen).toEqual([watcher.version])
    off()
    writeFileSync(join(dir, 'orders.yml'), ordersCube('amount * 4'))
    await watcher.reload()
    expect(seen).toHaveLength(1)
  })

  it('close() stops watching: the folder watch is closed and changes schedule nothing', async () => {
    const { timers, folder, watcher } = await open({ 'orders.yml': ordersCube() })
    folder.change('orders.yml')
    expect(timers.pending()).toBe(1)
    await watcher.close()
    expect([watcher.closed, folder.closed(), timers.pending()]).toEqual([true, true, 0])
    folder.change('orders.yml')
    expect(timers.setCalls()).toBe(1)
    expect(await watcher.reload()).toMatchObject({ status: 'closed' })
  })

  it('refuses a folder that is not a valid model at the start, and bad options', async () => {
    const dir = modelFolder({ 'orders.yml': ordersCube('{CUBE.nope}') })
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    await expect(watchModel(dir)).rejects.toMatchObject({ code: 'MODEL_INVALID' })
    await expect(watchModel(dir, { debounceMs: -1, historySize: 0 })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      issues: [{ path: ['debounceMs'] }, { path: ['historySize'] }],
    })
  })

  it('keeps the last historySize versions', async () => {
    const dir = modelFolder({ 'orders.yml': ordersCube() })
    const watcher: ModelWatcher = await watchModel(dir, { historySize: 2, watch: fakeFolder().watch })
    cleanups.push(
      () => watcher.close(),
      () => rmSync(dir, { recursive: true, force: true }),
    )
    for (const sql of ['amount * 2', 'amount * 3', 'amount * 4']) {
      writeFileSync(join(dir, 'orders.yml'), ordersCube(sql))
      await watcher.reload()
    }
    const history = watcher.history()
    expect(history).toHaveLength(2)
    expect(history[1]).toMatchObject({
      version: watcher.version,
      reason: 'reload',
      previous: history[0]!.version,
      changes: { resultsMayChange: 1, breaking: 0 },
    })
  })
})
