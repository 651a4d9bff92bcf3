/**
 * Helpers for the files() tests: temporary folders, workbooks written with SheetJS, a local HTTP server, fake timers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FilesTimers } from '../../src/files.js'

const require = createRequire(import.meta.url)

export interface TempDir {
  readonly path: string
  file(name: string, content: string | Uint8Array): string
  remove(): void
}

export function tempDir(): TempDir {
  const path = mkdtempSync(join(tmpdir(), 'cortex-files-'))
  return {
    path,
    file(name, content) {
      const file = join(path, name)
      writeFileSync(file, content)
      return file
    },
    remove: () => rmSync(path, { recursive: true, force: true }),
  }
}

/**
 * A SheetJS cell: `{ t: 'n', v: 1 }`, `{ t: 's', v: '' }`, `{ t: 'n', v: 45292.5, z: 'yyyy-mm-dd hh:mm' }`, null for
 * blank.
 */
export type Cell = { t: string; v?: unknown; z?: string; f?: string } | null

interface SheetJs {
  utils: {
    book_new(): { Workbook?: unknown }
    book_append_sheet(wb: object, ws: object, name: string): void
    encode_cell(c: { r: number; c: number }): string
    encode_range(r: object): string
  }
  write(wb: object, o: object): Buffer
}

/** An .xlsx workbook with these sheets, each given as rows of cells (the first row the header). */
export function xlsx(
  sheets: Record<string, readonly (readonly Cell[])[]>,
  options: { date1904?: boolean } = {},
): Buffer {
  const XLSX = require('@e965/xlsx') as SheetJs
  const wb = XLSX.utils.book_new()
  if (options.date1904) wb.Workbook = { WBProps: { date1904: true } }
  for (const [name, rows] of Object.entries(sheets)) {
    const ws: Record<string, unknown> = {}
    let width = 1
    rows.forEach((row, r) => {
      width = Math.max(width, row.length)
      row.forEach((cell, c) => {
        if (cell) ws[XLSX.utils.encode_cell({ r, c })] = cell
      })
    })
    ws['!ref'] = XLSX.utils.encode_range({ s: { r: 0, c: 0 }, e: { r: Math.max(0, rows.length - 1), c: width - 1 } })
    XLSX.utils.book_append_sheet(wb, ws, name)
  }
  return XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', compression: true })
}

export const s = (v: string): Cell => ({ t: 's', v })
export const n = (v: number): Cell => ({ t: 'n', v })
export const b = (v: boolean): Cell => ({ t: 'b', v })
/** A date cell: the exact serial of a UTC wall-clock text, with a date format. */
export const d = (utc: string, z = 'yyyy-mm-dd hh:mm:ss'): Cell => ({
  t: 'n',
  v: Date.parse(`${utc.replace(' ', 'T')}Z`) / 86_400_000 + 25_569,
  z,
})

export interface TestServer {
  readonly origin: string
  /** Requests received, in order. */
  readonly requests: IncomingMessage[]
  /** Path (with query) → what to answer. */
  readonly routes: Map<string, { status?: number; body: string | Uint8Array; type?: string }>
  close(): Promise<void>
}

export async function testServer(): Promise<TestServer> {
  const routes = new Map<string, { status?: number; body: string | Uint8Array; type?: string }>()
  const requests: IncomingMessage[] = []
  const server: Server = createServer((req, res) => {
    requests.push(req)
    const route = routes.get(req.url ?? '')
    if (!route) return void res.writeHead(404).end('not found')
    res.writeHead(route.status ?? 200, { 'content-type': route.type ?? 'text/csv; charset=utf-8' }).end(route.body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    routes,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Timers that run only when the test says so, and a clock the test moves. */
export interface FakeTimers extends FilesTimers {
  /** Pending callbacks with their delays. */
  readonly pending: { readonly ms: number; readonly run: () => void }[]
  /** Resolves when a callback is scheduled (after the call), e.g. by a file-change event. */
  next(): Promise<{ ms: number }>
  /** Run every pending callback (what elapsed time would have done). */
  fire(): void
  advance(ms: number): void
}

export function fakeTimers(): FakeTimers {
  let now = Date.UTC(2024, 5, 15, 12)
  const pending: { ms: number; run: () => void; handle: object }[] = []
  let waiters: ((v: { ms: number }) => void)[] = []
  return {
    pending,
    setTimeout(run, ms) {
      const handle = {}
      pending.push({ ms, run, handle })
      const w = waiters
      waiters = []
      for (const resolve of w) resolve({ ms })
      return handle
    },
    clearTimeout(handle) {
      const i = pending.findIndex((p) => p.handle === handle)
      if (i >= 0) pending.splice(i, 1)
    },
    now: () => now,
    next: () => new Promise((resolve) => waiters.push(resolve)),
    fire() {
      for (const p of pending.splice(0)) p.run()
    },
    advance(ms) {
      now += ms
    },
  }
}
