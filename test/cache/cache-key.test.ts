import fc from 'fast-check'
import { createHash } from 'node:crypto'
import { isDeepStrictEqual } from 'node:util'
import { describe, expect, test } from 'vitest'
import {
  canonical,
  resultKey,
  resultKeyText,
  scopesOf,
  securityDigest,
  sha256,
  statementDigest,
} from '../../src/cache/cache-key.js'
import { decodeEntry, decodeValue, encodeEntry, encodeValue, type CacheEntry } from '../../src/cache/row-codec.js'
import { shapedRows } from '../../src/cache/fetched-rows.js'

/** The same object with its keys inserted in reverse order, recursively. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys)
  if (typeof value !== 'object' || value === null) return value
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value).reverse())
    Object.defineProperty(out, key, {
      value: reversedKeys((value as Record<string, unknown>)[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  return out
}

// Contexts as JSON gives them (a null-prototype copy is the same data, and gets the same digest).
const context = fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 6, noNullPrototype: true })

describe('sha256', () => {
  test("is SHA-256 of the text's UTF-8 bytes, as hex (FIPS 180-2 vector, and createHash on any string)", () => {
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        (text) => sha256(text) === createHash('sha256').update(text, 'utf8').digest('hex'),
      ),
    )
  })
})

describe('securityDigest', () => {
  test('is a SHA-256 hex digest that ignores key order at every depth', () => {
    fc.assert(
      fc.property(context, (ctx) => {
        const digest = securityDigest(ctx)
        expect(digest).toMatch(/^[0-9a-f]{64}$/)
        expect(securityDigest(reversedKeys(ctx))).toBe(digest)
      }),
    )
  })

  test('two contexts that differ as data never share a digest', () => {
    fc.assert(
      fc.property(context, context, (a, b) => {
        fc.pre(!isDeepStrictEqual(a, b))
        expect(securityDigest(a)).not.toBe(securityDigest(b))
      }),
      { numRuns: 500 },
    )
  })

  test('values that JSON would confuse get different digests', () => {
    const pairs: [unknown, unknown][] = [
      [{ id: 1 }, { id: '1' }],
      [{ id: 1n }, { id: '1' }],
      [{ at: new Date(0) }, { at: '1970-01-01T00:00:00.000Z' }],
      [{ a: null }, {}],
      [{ a: [undefined] }, { a: [null] }],
      [{ tag: { $bigint: '1' } }, { tag: 1n }],
      [null, {}],
      [{ 'a":"b': 1 }, { a: 'b', '': 1 }],
    ]
    for (const [a, b] of pairs)
      expect(securityDigest(a), JSON.stringify([String(a), String(b)])).not.toBe(securityDigest(b))
    expect(securityDigest(undefined)).toBe(securityDigest(null))
  })

  test('refuses what it cannot encode faithfully, naming where', () => {
    class User {
      constructor(readonly id: string) {}
    }
    expect(() => securityDigest({ user: new User('u1') })).toThrow(
      expect.objectContaining({
        code: 'QUERY_INVALID',
        issues: [expect.objectContaining({ code: 'NOT_PLAIN_DATA', path: ['securityContext', 'user'] })],
      }),
    )
    expect(() => securityDigest({ roles: new Set(['a']) })).toThrow(/plain object/)
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(() => securityDigest(cyclic)).toThrow(/cycle/)
    expect(() => securityDigest({ f: () => 1 })).toThrow(/function/)
    // A cycle deeper down is named by its path; one object reached twice without a cycle is plain data.
    const deep: unknown[] = []
    deep.push({ back: deep })
    expect(() => securityDigest({ a: deep })).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: ['securityContext', 'a', 0, 'back'] })] }),
    )
    const shared = { role: 'x' }
    expect(securityDigest({ a: shared, b: [shared, shared] })).toBe(
      securityDigest({ a: { role: 'x' }, b: [{ role: 'x' }, { role: 'x' }] }),
    )
  })
})

describe('result keys', () => {
  const OUTPUT = { columns: [[['orders.count'], 'number']], decimals: 'number' }
  const base = {
    modelVersion: 'm1',
    source: 'sqlite:file:/data/a.db',
    securityDigest: securityDigest({ tenantId: 'a' }),
    tenant: 'a' as string | undefined,
    statements: statementDigest('sqlite', { sql: 'SELECT 1 WHERE x = ?', params: [1] }, undefined, OUTPUT),
    scopes: scopesOf(['orders'], 'a'),
    generations: [0, 0, 0, 0],
  }
  test('change with every input that defines the result', () => {
    const key = resultKey(base)
    expect(key).toMatch(/^r:[0-9a-f]{64}$/)
    const variants = [
      { ...base, modelVersion: 'm2' },
      { ...base, source: 'sqlite:file:/data/b.db' },
      { ...base, securityDigest: securityDigest({ tenantId: 'b' }) },
      { ...base, tenant: 'b' },
      { ...base, tenant: undefined },
      {
        ...base,
        statements: statementDigest('postgres', { sql: 'SELECT 1 WHERE x = ?', params: [1] }, undefined, OUTPUT),
      },
      {
        ...base,
        statements: statementDigest('sqlite', { sql: 'SELECT 1 WHERE x = ?', params: ['1'] }, undefined, OUTPUT),
      },
      {
        ...base,
        statements: statementDigest('sqlite', { sql: 'SELECT 2 WHERE x = ?', params: [1] }, undefined, OUTPUT),
      },
      {
        ...base,
        statements: statementDigest(
          'sqlite',
          { sql: 'SELECT 1 WHERE x = ?', params: [1] },
          { sql: 'SELECT count(*)', params: [] },
          OUTPUT,
        ),
      },
      // The same SQL shaped into other rows: another member key (a view member), another type, exact decimals.
      {
        ...base,
        statements: statementDigest('sqlite', { sql: 'SELECT 1 WHERE x = ?', params: [1] }, undefined, {
          ...OUTPUT,
          columns: [[['sales.count'], 'number']],
        }),
      },
      {
        ...base,
        statements: statementDigest('sqlite', { sql: 'SELECT 1 WHERE x = ?', params: [1] }, undefined, {
          ...OUTPUT,
          columns: [[['orders.count'], 'string']],
        }),
      },
      {
        ...base,
        statements: statementDigest('sqlite', { sql: 'SELECT 1 WHERE x = ?', params: [1] }, undefined, {
          ...OUTPUT,
          decimals: 'string',
        }),
      },
      { ...base, generations: [0, 1, 0, 0] },
    ]
    const keys = new Set(variants.map(resultKey))
    expect(keys.size).toBe(variants.length)
    expect(keys.has(key)).toBe(false)
    expect(resultKey({ ...base })).toBe(key)
  })

  test('differ from the keys of earlier versions, so entries stored as object rows without a form are never looked up', () => {
    // Version 2 keys led to entries of object rows (row-codec v1); version 3 hashed canonical() text;
    // version 4 had no connector identity.
    const { source: _, ...v4 } = base
    expect(resultKey(base)).not.toBe(
      `r:${sha256(JSON.stringify([4, v4.modelVersion, v4.securityDigest, v4.tenant, v4.statements, v4.scopes, v4.generations]))}`,
    )
    for (const v of [2, 3])
      expect(resultKey(base)).not.toBe(`r:${sha256(canonical({ v, ...base, tenant: base.tenant ?? null }))}`)
  })

  test('the hashed text decodes back to its input, so distinct inputs never share a key (up to SHA-256)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 12 })
    const input = fc.record({
      modelVersion: text,
      source: text,
      securityDigest: text,
      tenant: fc.option(text, { nil: undefined }),
      statements: text,
      scopes: fc.array(text, { maxLength: 4 }),
      generations: fc.array(fc.nat(), { maxLength: 4 }),
    })
    fc.assert(
      fc.property(input, (x) => {
        const [version, ...parts] = JSON.parse(resultKeyText(x)) as unknown[]
        expect(version).toBe(5)
        expect(parts).toEqual([
          x.modelVersion,
          x.source,
          x.securityDigest,
          x.tenant ?? null,
          x.statements,
          x.scopes,
          x.generations,
        ])
        expect(resultKey(x)).toBe(`r:${sha256(resultKeyText(x))}`)
      }),
      { numRuns: 1000 },
    )
  })

  test('scopes: every cube, the tenant and each cube of the tenant; tenants cannot spell another scope', () => {
    expect(scopesOf(['orders', 'customers'], undefined)).toEqual(['all', 'c:orders', 'c:customers'])
    expect(scopesOf(['orders'], 'acme')).toEqual(['all', 'c:orders', 't:acme', 'ct:orders:acme'])
    expect(scopesOf(['orders'], 'a:b')).toEqual(['all', 'c:orders', 't:a%3Ab', 'ct:orders:a%3Ab'])
  })

  test('canonical text is injective on mixed values', () => {
    const value = fc.oneof(
      fc.jsonValue(),
      fc.bigInt(),
      fc.date({ noInvalidDate: false }),
      fc.constant(undefined),
      fc.double(),
    )
    fc.assert(
      fc.property(fc.array(value, { maxLength: 4 }), fc.array(value, { maxLength: 4 }), (a, b) => {
        fc.pre(!isDeepStrictEqual(a, b))
        expect(canonical(a)).not.toBe(canonical(b))
      }),
      { numRuns: 500 },
    )
  })
})

describe('row codec', () => {
  const cell = fc.oneof(
    fc.constant(null),
    fc.constant(undefined),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    fc.bigInt(),
    fc.date({ noInvalidDate: false }),
    fc.string({ unit: 'binary' }),
    fc.string({ unit: 'grapheme' }),
    fc.uint8Array({ maxLength: 16 }).map((a) => Buffer.from(a)),
    fc.jsonValue(),
    fc.dictionary(fc.constantFrom('$bigint', '$date', '$object', '$', 'a', '__proto__'), fc.jsonValue(), {
      maxKeys: 3,
      noNullPrototype: true,
    }),
  )
  const rows = fc.array(fc.dictionary(fc.string(), cell, { maxKeys: 5, noNullPrototype: true }), { maxLength: 5 })
  const arrayRows = fc.array(fc.array(cell, { maxLength: 5 }), { maxLength: 5 })

  test('rows survive encode → JSON text → decode exactly (numbers, -0, NaN, nulls, undefined, dates, bigints, bytes, unicode, $-keys)', () => {
    fc.assert(
      fc.property(rows, (rs) => {
        const entry: CacheEntry = {
          id: 'x',
          createdAt: 1,
          refreshKeys: { orders: '1' },
          main: { form: 'objects', rows: rs },
        }
        const back = decodeEntry(encodeEntry(entry))
        expect(back.main).toStrictEqual({ form: 'objects', rows: rs })
        for (let i = 0; i < rs.length; i++) expect(Object.keys(back.main.rows[i]!)).toEqual(Object.keys(rs[i]!))
      }),
      { numRuns: 300 },
    )
  })

  test('array rows (executeArrays) survive encode → JSON text → decode exactly, and stay arrays', () => {
    fc.assert(
      fc.property(arrayRows, (rs) => {
        const entry: CacheEntry = {
          id: 'x',
          createdAt: 1,
          refreshKeys: {},
          main: { form: 'arrays', rows: rs },
          totalRows: [{ total: 3n }],
        }
        const back = decodeEntry(encodeEntry(entry))
        expect(back).toStrictEqual(entry)
        for (const row of back.main.rows) expect(Array.isArray(row)).toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  test('refuses an entry whose rows are not of its stored form (they would shape to rows of nulls)', () => {
    const arrays = encodeEntry({ id: 'x', createdAt: 1, refreshKeys: {}, main: { form: 'arrays', rows: [[1, 'a']] } })
    const objects = encodeEntry({ id: 'x', createdAt: 1, refreshKeys: {}, main: { form: 'objects', rows: [{ a: 1 }] } })
    expect(decodeEntry(arrays).main.form).toBe('arrays')
    expect(decodeEntry(objects).main.form).toBe('objects')
    expect(() => decodeEntry(arrays.replace('"form":"arrays"', '"form":"objects"'))).toThrow(/form/)
    expect(() => decodeEntry(objects.replace('"form":"objects"', '"form":"arrays"'))).toThrow(/form/)
    expect(() => decodeEntry(objects.replace('"form":"objects"', '"form":"rows"'))).toThrow()
  })

  test('refuses entries of earlier versions (object rows without a form; no shaped form)', () => {
    const v1 = JSON.stringify({ v: 1, id: 'x', createdAt: 1, refreshKeys: {}, rows: [{ orders__status: 'paid' }] })
    expect(() => decodeEntry(v1)).toThrow()
    expect(() =>
      decodeEntry(
        JSON.stringify({
          v: 2,
          id: 'x',
          createdAt: 1,
          refreshKeys: {},
          form: 'objects',
          rows: [{ orders__status: 'paid' }],
        }),
      ),
    ).toThrow()
    // The same entry as this version writes it is read: the refusals above are about the version.
    expect(
      decodeEntry(
        JSON.stringify({
          v: 3,
          id: 'x',
          createdAt: 1,
          refreshKeys: {},
          form: 'objects',
          rows: [{ orders__status: 'paid' }],
        }),
      ).main.rows,
    ).toEqual([{ orders__status: 'paid' }])
  })

  test('shaped rows round-trip, and each read hands its rows to one caller only', () => {
    const rows = [
      { 'orders.status': 'paid', 'orders.count': 2 },
      { 'orders.status': 'new', 'orders.count': 1 },
    ]
    const entry = decodeEntry(encodeEntry({ id: 'x', createdAt: 1, refreshKeys: {}, main: shapedRows(rows) }))
    expect(entry.main.form).toBe('shaped')
    expect(entry.main.rows).toEqual(rows)
    if (entry.main.form !== 'shaped') throw new Error('unreachable')
    expect(entry.main.claim()).toBe(true)
    expect(entry.main.claim()).toBe(false)
    // A shaped row is an object: an array in a shaped entry is refused like any row of the wrong form.
    expect(() =>
      decodeEntry(
        JSON.stringify({ v: 3, id: 'x', createdAt: 1, refreshKeys: {}, form: 'shaped', rows: [['paid', 2]] }),
      ),
    ).toThrow(/form/)
  })

  test('keeps the exact cases by name', () => {
    const row = {
      big: 2n ** 70n,
      neg: -0,
      nan: Number.NaN,
      inf: -Infinity,
      at: new Date('2024-03-10T02:30:00.123Z'),
      bad: new Date(Number.NaN),
      nul: null,
      und: undefined,
      s: 'Zoë 🚀 \u0000 \ud800 中文',
      tag: { $bigint: '5' },
    }
    const back = decodeValue(JSON.parse(JSON.stringify(encodeValue(row)))) as typeof row
    expect(back).toStrictEqual(row)
    expect(typeof back.big).toBe('bigint')
    expect(Object.is(back.neg, -0)).toBe(true)
    expect('und' in back).toBe(true)
    expect(back.tag).toEqual({ $bigint: '5' })
  })

  test('a __proto__ column stays a column', () => {
    const row = JSON.parse('{"__proto__": {"polluted": 1}, "a": 1}') as Record<string, unknown>
    const back = decodeValue(JSON.parse(JSON.stringify(encodeValue(row)))) as Record<string, unknown>
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype)
    expect(Object.keys(back)).toEqual(['__proto__', 'a'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  test('refuses text that is not an entry', () => {
    expect(() => decodeEntry('{"v":2}')).toThrow()
    expect(() => decodeEntry('not json')).toThrow()
  })
})
