/**
 * SheetJS is an optional peer dependency: files() loads it only for a spreadsheet, and says which
 * package to install when it is missing. The module loader is wrapped so that '@e965/xlsx' is missing.
 */
import { afterAll, describe, expect, it, vi } from 'vitest'
import { n, s, tempDir, xlsx } from './helpers.js'
import { sqlStatement } from '../../src/connectors/connector.js'

const requested: string[] = []
vi.mock('node:module', async (original) => {
  const actual = await original<typeof import('node:module')>()
  return {
    ...actual,
    createRequire: (url: string | URL) => {
      const real = actual.createRequire(url)
      // files() loads its drivers through the shared loader (src/connectors/load-driver.ts).
      const where = String(url)
      if (!where.includes('/src/files/') && !where.includes('/src/connectors/load-driver.')) return real
      return Object.assign((id: string) => {
        requested.push(id)
        if (id === '@e965/xlsx')
          throw Object.assign(new Error("Cannot find module '@e965/xlsx'"), { code: 'MODULE_NOT_FOUND' })
        return real(id)
      }, real)
    },
  }
})

const { files } = await import('../../src/files.js')
const dir = tempDir()
afterAll(() => dir.remove())

describe('SheetJS, an optional peer', () => {
  it('is not loaded for CSV', async () => {
    const c = files({ tables: { t: dir.file('a.csv', 'a\n1\n') } })
    expect(await c.execute(sqlStatement('SELECT a FROM t', []))).toEqual([{ a: 1 }])
    await c.close()
    expect(requested).toContain('better-sqlite3')
    expect(requested).not.toContain('@e965/xlsx')
  })

  it('is named with the install command when a spreadsheet needs it', async () => {
    const c = files({ tables: { t: dir.file('a.xlsx', Buffer.from('PK\u0003\u0004')) } })
    // Not a whole zip: refused as damaged before SheetJS is needed...
    await expect(c.load()).rejects.toMatchObject({ issues: [{ code: 'SHEET_INVALID' }] })
    await c.close()
    // ...a readable workbook needs it.
    const book = files({ tables: { t: dir.file('b.xlsx', xlsx({ S: [[s('a')], [n(1)]] })) } })
    await expect(book.load()).rejects.toMatchObject({
      code: 'DRIVER_MISSING',
      message: expect.stringContaining('npm install @e965/xlsx'),
    })
    await book.close()
  })
})
