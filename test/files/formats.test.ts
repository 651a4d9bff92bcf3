/**
 * files() end to end, format by format: what lands in the table (types, NULLs, times, names) for CSV,
 * Excel, JSON/NDJSON, URLs and Google Sheets, and loading (lazy, eager, progress, indexes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { files, type FilesConnector, type FilesOptions } from '../../src/files.js'
import { createSemanticLayer } from '../../src/index.js'
import { SAMPLE_ROWS } from '../../src/files/load-sink.js'
import { b, d, n, s, tempDir, testServer, xlsx, type TempDir, type TestServer } from './helpers.js'
import { sqlStatement } from '../../src/connectors/connector.js'
import type { QueryInput } from '../../src/index.js'

let dir: TempDir
let server: TestServer
const open: FilesConnector[] = []
beforeAll(async () => {
  dir = tempDir()
  server = await testServer()
})
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()))
  await server.close()
  dir.remove()
})

function connect(options: FilesOptions): FilesConnector {
  const c = files({ baseDir: dir.path, ...options })
  open.push(c)
  return c
}
async function rows(c: FilesConnector, sql: string, params: unknown[] = []) {
  return c.execute(sqlStatement(sql, params))
}
const types = (c: FilesConnector, table: string) =>
  Object.fromEntries(c.status()[table]!.columns.map((col) => [col.name, col.type]))

describe('CSV', () => {
  it('uses any header text as a column name, quoted safely', async () => {
    const hostile = ['a"; DROP TABLE t; --', 'select', 'with space', 'ünï cödé', '"', 'x.y']
    const header = hostile.map((h) => `"${h.replace(/"/g, '""')}"`).join(',')
    const c = connect({ tables: { t: dir.file('hostile.csv', `${header}\n1,2,3,4,5,6\n`) } })
    await c.load()
    expect(c.status().t!.columns.map((col) => col.name)).toEqual(hostile)
    const quoted = hostile.map((h) => `"${h.replace(/"/g, '""')}"`).join(', ')
    expect(await rows(c, `SELECT ${quoted} FROM t`)).toEqual([Object.fromEntries(hostile.map((h, i) => [h, i + 1]))])
    expect(await rows(c, 'SELECT count(*) AS n FROM t')).toEqual([{ n: 1 }])
  })

  it('reads an unquoted empty field as NULL, "" as an empty string, and nullValues as NULL', async () => {
    const c = connect({
      tables: {
        plain: dir.file('nulls.csv', 'id,note\n1,\n2,""\n3,NA\n'),
        na: { path: dir.file('nulls2.csv', 'id,note\n1,\n2,""\n3,NA\n4,"NA"\n'), nullValues: ['', 'NA'] },
        forced: { path: dir.file('nulls3.csv', 'id,note\n1,""\n2,x\n'), quotedNulls: true },
      },
    })
    expect(await rows(c, 'SELECT id, note FROM plain ORDER BY id')).toEqual([
      { id: 1, note: null },
      { id: 2, note: '' },
      { id: 3, note: 'NA' },
    ])
    expect(await rows(c, 'SELECT id, note FROM na ORDER BY id')).toEqual([
      { id: 1, note: null },
      { id: 2, note: '' },
      { id: 3, note: null },
      { id: 4, note: 'NA' },
    ])
    expect(await rows(c, 'SELECT id, note FROM forced ORDER BY id')).toEqual([
      { id: 1, note: null },
      { id: 2, note: 'x' },
    ])
  })

  it('drops a UTF-8 byte-order mark, sniffs the delimiter, and honours delimiter and quote options', async () => {
    const c = connect({
      tables: {
        bom: dir.file('bom.csv', '\uFEFFid;name\r\n1;"a;b"\r\n'),
        tsv: dir.file('tabs.tsv', 'id\tname\n1\ta,b\n'),
        custom: { path: dir.file('custom.txt', "id|name\n1|'x|y'\n"), delimiter: '|', quote: "'" },
      },
    })
    expect(await rows(c, 'SELECT id, name FROM bom')).toEqual([{ id: 1, name: 'a;b' }])
    expect(await rows(c, 'SELECT id, name FROM tsv')).toEqual([{ id: 1, name: 'a,b' }])
    expect(await rows(c, 'SELECT id, name FROM custom')).toEqual([{ id: 1, name: 'x|y' }])
  })

  it('infers integer, number, boolean, time and text per column; types given in columns win', async () => {
    const text =
      'id,amount,flag,at,code,big,empty,yes\n1,1.5,true,2024-01-01 ' +
      '10:00:00,007,12345678901234567890,,yes\n2,2,FALSE,2024-01-02,010,1,,no\n'
    const c = connect({
      tables: { t: dir.file('types.csv', text), o: dir.file('types2.csv', text) },
      columns: { o: { id: 'text', code: 'integer' } },
    })
    await c.load()
    expect(types(c, 't')).toEqual({
      id: 'integer',
      amount: 'number',
      flag: 'boolean',
      at: 'time',
      code: 'text',
      big: 'text',
      empty: 'text',
      yes: 'text',
    })
    expect(await rows(c, 'SELECT * FROM t ORDER BY id')).toEqual([
      {
        id: 1,
        amount: 1.5,
        flag: 1,
        at: '2024-01-01 10:00:00',
        code: '007',
        big: '12345678901234567890',
        empty: null,
        yes: 'yes',
      },
      { id: 2, amount: 2, flag: 0, at: '2024-01-02 00:00:00', code: '010', big: '1', empty: null, yes: 'no' },
    ])
    expect(types(c, 'o')).toMatchObject({ id: 'text', code: 'integer' })
    expect(await rows(c, 'SELECT id, code, typeof(amount) AS t FROM o ORDER BY id')).toEqual([
      { id: '1', code: 7, t: 'real' },
      { id: '2', code: 10, t: 'real' },
    ])
  })

  it(
    'infers over the whole file: a value after the first rows that widens a type, or fills an all-NULL ' + 'column',
    async () => {
      const lines = ['id,amount,late,tag']
      for (let i = 1; i <= SAMPLE_ROWS + 500; i++)
        lines.push(
          [
            i,
            i === SAMPLE_ROWS + 200 ? '2.5' : i,
            i > SAMPLE_ROWS + 100 ? i : '',
            i === SAMPLE_ROWS + 300 ? 'x' : 'true',
          ].join(','),
        )
      const c = connect({ tables: { t: dir.file('wide.csv', `${lines.join('\n')}\n`) } })
      await c.load()
      expect(types(c, 't')).toEqual({ id: 'integer', amount: 'number', late: 'integer', tag: 'text' })
      expect(
        await rows(c, "SELECT count(*) AS n, sum(amount) AS s, count(late) AS l, sum(tag = 'x') AS x FROM t"),
      ).toEqual([
        {
          n: SAMPLE_ROWS + 500,
          s: ((SAMPLE_ROWS + 500) * (SAMPLE_ROWS + 501)) / 2 - (SAMPLE_ROWS + 200) + 2.5,
          l: 400,
          x: 1,
        },
      ])
    },
  )

  it('reads times without an offset in the table zone (or files({ timezone })), with an offset as given', async () => {
    const text = 'at\n2024-01-15 23:30:00\n2024-07-15 23:30:00\n2024-07-15T23:30:00Z\n'
    const c = connect({
      tables: {
        berlin: { path: dir.file('tz1.csv', text), timezone: 'Europe/Berlin' },
        ny: dir.file('tz2.csv', text),
        utc: { path: dir.file('tz3.csv', text), timezone: 'UTC' },
      },
      timezone: 'America/New_York',
    })
    expect((await rows(c, 'SELECT at FROM berlin')).map((r) => r.at)).toEqual([
      '2024-01-15 22:30:00',
      '2024-07-15 21:30:00',
      '2024-07-15 23:30:00',
    ])
    expect((await rows(c, 'SELECT at FROM ny')).map((r) => r.at)).toEqual([
      '2024-01-16 04:30:00',
      '2024-07-16 03:30:00',
      '2024-07-15 23:30:00',
    ])
    expect((await rows(c, 'SELECT at FROM utc')).map((r) => r.at)).toEqual([
      '2024-01-15 23:30:00',
      '2024-07-15 23:30:00',
      '2024-07-15 23:30:00',
    ])
  })

  it('reads the same values whatever the process time zone is', async () => {
    const text = 'at,n\n2024-03-10 02:30:00,1\n2024-11-03 01:30:00.5,2\n'
    const load = async () => {
      const c = connect({
        tables: { t: { path: dir.file(`tz-${Math.random()}.csv`, text), timezone: 'America/New_York' } },
      })
      return rows(c, 'SELECT at, n FROM t')
    }
    const before = process.env.TZ
    try {
      process.env.TZ = 'Asia/Kolkata'
      const kolkata = await load()
      process.env.TZ = 'America/Los_Angeles'
      expect(await load()).toEqual(kolkata)
      expect(kolkata).toEqual([
        { at: '2024-03-10 07:30:00', n: 1 },
        { at: '2024-11-03 05:30:00.500', n: 2 },
      ])
    } finally {
      if (before === undefined) delete process.env.TZ
      else process.env.TZ = before
    }
  })
})

describe('Excel', () => {
  const book = () =>
    xlsx({
      Orders: [
        [s('id'), s('note'), s('at'), s('amount'), s('paid'), s('double'), s('error'), null],
        [
          n(1),
          s(''),
          d('2023-12-31 23:59:59'),
          n(10.5),
          b(true),
          { t: 'n', v: 21, f: 'D2*2' },
          { t: 'e', v: 7, f: '1/0' },
          null,
        ],
        [
          n(2),
          null,
          d('2024-02-29 12:00:00.123', 'yyyy-mm-dd hh:mm:ss'),
          n(3),
          b(false),
          { t: 'n', v: 6, f: 'D3*2' },
          null,
          null,
        ],
        [null, null, null, null, null, null, null, null],
        [n(3), s('x'), d('2024-01-01', 'm/d/yy'), n(-1), null, null, null, null],
      ],
      Other: [[s('a')], [n(1)]],
    })

  it(
    'reads a sheet by name or index: blank NULL, empty string kept, exact dates, cached formula values, errors ' +
      'NULL',
    async () => {
      const file = dir.file('book.xlsx', book())
      const c = connect({
        tables: { orders: { path: file, sheet: 'Orders' }, other: { path: file, sheet: 1 }, first: file },
      })
      await c.load()
      expect(types(c, 'orders')).toEqual({
        id: 'integer',
        note: 'text',
        at: 'time',
        amount: 'number',
        paid: 'boolean',
        double: 'integer',
        error: 'text',
      })
      expect(await rows(c, 'SELECT * FROM orders ORDER BY id')).toEqual([
        { id: 1, note: '', at: '2023-12-31 23:59:59', amount: 10.5, paid: 1, double: 21, error: null },
        { id: 2, note: null, at: '2024-02-29 12:00:00.123', amount: 3, paid: 0, double: 6, error: null },
        { id: 3, note: 'x', at: '2024-01-01 00:00:00', amount: -1, paid: null, double: null, error: null },
      ])
      expect(await rows(c, 'SELECT a FROM other')).toEqual([{ a: 1 }])
      expect(await rows(c, 'SELECT count(*) AS n FROM first')).toEqual([{ n: 3 }])
    },
  )

  it(
    'reads date cells as wall-clock times in the table zone, the same under any process time zone, in both date ' +
      'systems',
    async () => {
      const before = process.env.TZ
      const at = async (tz: string, options: { timezone?: string; date1904?: boolean } = {}) => {
        process.env.TZ = tz
        const c = connect({
          tables: {
            t: {
              path: dir.file(
                `dates-${Math.random()}.xlsx`,
                xlsx({ S: [[s('at')], [d('2024-07-01 00:30:00')]] }, options),
              ),
              ...(options.timezone ? { timezone: options.timezone } : {}),
            },
          },
        })
        return (await rows(c, 'SELECT at FROM t'))[0]!.at
      }
      try {
        expect(await at('America/New_York')).toBe('2024-07-01 00:30:00')
        expect(await at('Asia/Tokyo')).toBe('2024-07-01 00:30:00')
        expect(await at('Asia/Tokyo', { timezone: 'Europe/Berlin' })).toBe('2024-06-30 22:30:00')
      } finally {
        if (before === undefined) delete process.env.TZ
        else process.env.TZ = before
      }
      const c = connect({
        tables: {
          t: dir.file(
            'd1904.xlsx',
            xlsx({ S: [[s('at')], [{ t: 'n', v: 45292 - 1462, z: 'yyyy-mm-dd' }]] }, { date1904: true }),
          ),
        },
      })
      expect(await rows(c, 'SELECT at FROM t')).toEqual([{ at: '2024-01-01 00:00:00' }])
    },
  )
})

describe('JSON and NDJSON', () => {
  it('flattens nested objects to a.b, keeps arrays as JSON text, and takes the union of keys', async () => {
    const records = [
      { id: 1, user: { name: 'a', address: { city: 'x' } }, tags: ['p', 'q'] },
      { id: 2, user: { name: null }, extra: true },
      // biome-ignore lint/correctness/noPrecisionLoss: a JSON integer beyond 2^53, as a file would hold it
      { id: 12345678901234567890 },
    ]
    const c = connect({
      tables: {
        arr: dir.file(
          'data.json',
          JSON.stringify(records.slice(0, 2), null, 2).replace('"id": 1,', '"id": 1, "big": 12345678901234567890,'),
        ),
        lines: dir.file(
          'data.ndjson',
          `${records
            .slice(0, 2)
            .map((r) => JSON.stringify(r))
            .join('\n')}\n{"id": 12345678901234567890}\n`,
        ),
      },
    })
    await c.load()
    expect(types(c, 'arr')).toEqual({
      id: 'integer',
      big: 'text',
      'user.name': 'text',
      'user.address.city': 'text',
      tags: 'text',
      extra: 'boolean',
    })
    expect(await rows(c, 'SELECT * FROM arr ORDER BY id')).toEqual([
      {
        id: 1,
        big: '12345678901234567890',
        'user.name': 'a',
        'user.address.city': 'x',
        tags: '["p","q"]',
        extra: null,
      },
      { id: 2, big: null, 'user.name': null, 'user.address.city': null, tags: null, extra: 1 },
    ])
    expect(types(c, 'lines')).toMatchObject({ id: 'text' })
    expect((await rows(c, 'SELECT id FROM lines')).map((r) => r.id)).toEqual(['1', '2', '12345678901234567890'])
  })

  it('adds a key first seen after the first rows as a column (a second pass)', async () => {
    const lines = Array.from({ length: SAMPLE_ROWS + 10 }, (_, i) =>
      JSON.stringify(i === SAMPLE_ROWS + 5 ? { id: i, late: 'x' } : { id: i }),
    )
    const c = connect({ tables: { t: dir.file('late.jsonl', lines.join('\n')) } })
    expect(await rows(c, 'SELECT count(*) AS n, count(late) AS l FROM t')).toEqual([{ n: SAMPLE_ROWS + 10, l: 1 }])
  })
})

describe('URLs and Google Sheets', () => {
  it(
    "fetches a URL with the host's headers and fetch, and takes the format from the extension or " + 'Content-Type',
    async () => {
      server.routes.set('/data/t.csv', { body: 'a,b\n1,x\n' })
      server.routes.set('/api/export', { body: '[{"a": 2}]', type: 'application/json' })
      const seen: string[] = []
      const c = connect({
        tables: {
          t: { url: `${server.origin}/data/t.csv`, headers: { authorization: 'Bearer t0ken' } },
          j: `${server.origin}/api/export`,
        },
        headers: { 'x-app': 'test' },
        fetch: (url, init) => {
          seen.push(url)
          return fetch(url, init)
        },
      })
      expect(await rows(c, 'SELECT * FROM t')).toEqual([{ a: 1, b: 'x' }])
      expect(await rows(c, 'SELECT * FROM j')).toEqual([{ a: 2 }])
      const req = server.requests.find((r) => r.url === '/data/t.csv')!
      expect(req.headers.authorization).toBe('Bearer t0ken')
      expect(req.headers['x-app']).toBe('test')
      expect(seen.sort()).toEqual([`${server.origin}/api/export`, `${server.origin}/data/t.csv`])
    },
  )

  it('reads a Google Sheet through the CSV export path, by gid or by sheet name, empty cells as NULL', async () => {
    server.routes.set('/spreadsheets/d/abc_1/export?format=csv&gid=42', { body: 'k,v\n1,\n2,x\n' })
    server.routes.set('/spreadsheets/d/abc_1/gviz/tq?tqx=out:csv&headers=1&sheet=Q3%20Targets', {
      body: '"k","v"\n"1",""\n"2","y"\n',
    })
    const c = connect({
      tables: {
        byGid: { googleSheet: { spreadsheetId: 'abc_1', gid: 42 } },
        byName: {
          googleSheet: { spreadsheetId: 'abc_1', sheet: 'Q3 Targets' },
          headers: { authorization: 'Bearer g' },
        },
      },
      googleSheetsOrigin: server.origin,
    })
    expect(await rows(c, 'SELECT k, v FROM byGid ORDER BY k')).toEqual([
      { k: 1, v: null },
      { k: 2, v: 'x' },
    ])
    expect(await rows(c, 'SELECT k, v FROM byName ORDER BY k')).toEqual([
      { k: 1, v: null },
      { k: 2, v: 'y' },
    ])
    expect(server.requests.find((r) => r.url?.includes('gviz'))!.headers.authorization).toBe('Bearer g')
  })
})

describe('loading', () => {
  it('is lazy (the first query loads) or eager (load()), and reports progress in rows and bytes', async () => {
    const lines = ['id']
    for (let i = 0; i < 140_000; i++) lines.push(String(i))
    const file = dir.file('progress.csv', `${lines.join('\n')}\n`)
    const progress: { rows: number; bytes: number; totalBytes: number | undefined }[] = []
    const loads: string[] = []
    const c = connect({
      tables: { t: file },
      onProgress: (p) => progress.push(p),
      onLoad: (e) => loads.push(`${e.table}:${e.trigger}:${e.rows}`),
    })
    expect(c.status().t!.loaded).toBe(false)
    expect(await rows(c, 'SELECT count(*) AS n FROM t')).toEqual([{ n: 140_000 }])
    expect(loads).toEqual(['t:load:140000'])
    expect(progress.length).toBeGreaterThanOrEqual(3)
    expect(progress.at(-1)).toMatchObject({ rows: 140_000, bytes: Buffer.byteLength(`${lines.join('\n')}\n`) })
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]!.rows).toBeGreaterThanOrEqual(progress[i - 1]!.rows)
      expect(progress[i]!.bytes).toBeGreaterThanOrEqual(progress[i - 1]!.bytes)
    }
    const eager = connect({ tables: { t: file } })
    await eager.load()
    expect(eager.status().t).toMatchObject({ loaded: true, rows: 140_000 })
  })

  it('builds the indexes asked for', async () => {
    const c = connect({ tables: { t: { path: dir.file('ix.csv', 'a,b\n1,2\n'), indexes: [['a'], ['a', 'b']] } } })
    await c.load()
    const indexes = await rows(c, "SELECT count(*) AS n FROM sqlite_master WHERE type = 'index'")
    expect(indexes).toEqual([{ n: 2 }])
  })

  it('answers layer queries with the SQLite dialect, streams included', async () => {
    const c = connect({
      tables: {
        orders: dir.file(
          'orders.csv',
          'id,status,amount,created_at\n1,paid,10,2024-01-01 10:00:00\n2,paid,5,2024-02-01\n3,open,1,2024-02-02\n',
        ),
      },
    })
    const layer = createSemanticLayer({
      model: {
        cubes: [
          {
            name: 'orders',
            sql_table: 'orders',
            measures: [{ name: 'total', sql: 'amount', type: 'sum' }],
            dimensions: [
              { name: 'id', sql: 'id', type: 'number', primary_key: true },
              { name: 'status', sql: 'status', type: 'string' },
              { name: 'created_at', sql: 'created_at', type: 'time' },
            ],
          },
        ],
      },
      connectors: { default: c },
    })
    const q: QueryInput = {
      measures: ['orders.total'],
      dimensions: ['orders.status'],
      timeDimensions: [{ dimension: 'orders.created_at', granularity: 'month' }],
      order: { 'orders.created_at': 'asc' },
    }
    const expected = [
      {
        'orders.status': 'paid',
        'orders.created_at.month': '2024-01-01T00:00:00.000',
        'orders.created_at': '2024-01-01T00:00:00.000',
        'orders.total': 10,
      },
      {
        'orders.status': 'paid',
        'orders.created_at.month': '2024-02-01T00:00:00.000',
        'orders.created_at': '2024-02-01T00:00:00.000',
        'orders.total': 5,
      },
      {
        'orders.status': 'open',
        'orders.created_at.month': '2024-02-01T00:00:00.000',
        'orders.created_at': '2024-02-01T00:00:00.000',
        'orders.total': 1,
      },
    ]
    const sort = (r: Record<string, unknown>[]) =>
      [...r].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)))
    expect(sort((await layer.query(q)).data)).toEqual(sort(expected))
    const streamed: Record<string, unknown>[] = []
    for await (const row of layer.stream(q)) streamed.push(row)
    expect(sort(streamed)).toEqual(sort(expected))
    await layer.close()
  })
})
