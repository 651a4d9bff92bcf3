/**
 * The `cortex` command, run in-process through its exported main(): output and exit codes of every
 * command (0 ok, 1 model/query error, 2 usage error). Query results are checked against hand-written
 * SQL over the same SQLite file.
 */
import Database from 'better-sqlite3'
import { execFile } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OPTIONS } from '../../src/cli/main.js'
import { MODEL_DIR, REPO, brokenModel, runCli, scratchDatabase } from './run-cli.js'

const MODEL = 'examples/ecommerce/model'
const PAID = JSON.stringify({
  measures: ['orders.count'],
  filters: [{ member: 'orders.status', operator: 'equals', values: ['paid'] }],
})
const BROKEN_COUNT = (text: string): string =>
  text.replace(
    '      - name: count\n        type: count\n',
    '      - name: count\n        type: count\n        sql: "{CUBE.nonexistent}"\n',
  )

let scratch: { dir: string; file: string }
let db: Database.Database
beforeAll(() => {
  scratch = scratchDatabase()
  db = new Database(scratch.file, { readonly: true })
})
afterAll(() => {
  db.close()
  rmSync(scratch.dir, { recursive: true, force: true })
})
const oracle = (sql: string): Record<string, unknown>[] => db.prepare(sql).all() as Record<string, unknown>[]

describe('cortex validate', () => {
  it('accepts the example model (exit 0) and says what it found', async () => {
    const run = await runCli(['validate', MODEL])
    expect(run).toMatchObject({ code: 0, stderr: '' })
    expect(run.stdout).toMatch(/^ok: 4 cubes, 2 views \(model version [0-9a-f]{12}\)\n$/)
  })

  it('names the file and the member of a broken reference (exit 1)', async () => {
    const dir = brokenModel('customers.yml', BROKEN_COUNT)
    const run = await runCli(['validate', dir])
    expect(run.code).toBe(1)
    expect(run.stderr.split('\n')[0]).toBe(
      "customers.yml: cubes.customers.measures.count.sql: Reference {CUBE.nonexistent}: cube 'customers' has no member 'nonexistent'. Check the spelling or define it. [UNKNOWN_REFERENCE]",
    )
    expect(run.stderr).toMatch(/^error: MODEL_INVALID \(\d+ problems in the model\)$/m)
    rmSync(dir, { recursive: true, force: true })
  })

  it('names the file of a YAML syntax error, and caps a flood of issues', async () => {
    const dir = brokenModel('orders.yml', (t) => t.replace('cubes:', 'cubes: [\n'))
    const run = await runCli(['validate', dir])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^orders\.yml: .*not valid YAML at line \d+/)
    expect(run.stderr.split('\n').length).toBeLessThanOrEqual(54)
    rmSync(dir, { recursive: true, force: true })
  })

  it('reports a missing folder as a model error (exit 1) and missing arguments as usage errors (exit 2)', async () => {
    const missing = await runCli(['validate', 'no/such/model'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/does not exist.*\[FILE_NOT_FOUND\]/)
    const usage = await runCli(['validate'])
    expect(usage.code).toBe(2)
    expect(usage.stderr).toBe(
      'error: cortex validate takes exactly one model folder.\nusage: cortex validate <model-dir>\n',
    )
  })
})

describe('cortex sql', () => {
  it('prints the SQL and its parameters for the chosen dialect, from inline JSON, a file or stdin', async () => {
    const pg = await runCli(['sql', PAID, '--model', MODEL, '--dialect', 'postgres'])
    expect(pg.code).toBe(0)
    expect(pg.stdout).toMatch(/^SELECT count\("orders"\.id\) .* = \$1\b.*\n-- params: \["paid",\d+\]\n$/)
    const file = await runCli([
      'sql',
      'examples/queries/02-fan-out-by-tier.json',
      '--model',
      MODEL,
      '--dialect',
      'mysql',
      '--json',
    ])
    expect(file.code).toBe(0)
    expect(JSON.parse(file.stdout)).toMatchObject({
      sql: expect.stringMatching(/^SELECT .*`customers`/),
      params: expect.any(Array),
    })
    const stdin = await runCli(['sql', '-', '--model', MODEL, '--dialect', 'sqlite'], { stdin: PAID })
    expect(stdin.code).toBe(0)
    // The printed SQLite statement really counts paid orders.
    const [sql, params] = [
      stdin.stdout.split('\n-- params: ')[0]!,
      JSON.parse(stdin.stdout.split('\n-- params: ')[1]!) as unknown[],
    ]
    expect(Object.values(db.prepare(sql).get(...params) as object)).toEqual([
      oracle(`SELECT count(*) AS n FROM orders WHERE status = 'paid'`)[0]!.n,
    ])
  })

  it('exits 1 with the issue path for a bad query, and 2 without a dialect or with an unknown one', async () => {
    const bad = await runCli(['sql', '{"measures":["orders.nope"]}', '--model', MODEL, '--dialect', 'postgres'])
    expect(bad.code).toBe(1)
    const issue =
      'measures[0]: "orders" has no member "nope". Did you mean "orders.note"?' + ' Check the name against meta().'
    expect(bad.stderr).toBe(`${issue} [UNKNOWN_MEMBER]\nerror: QUERY_INVALID (1 problem in the query)\n`)
    expect((await runCli(['sql', PAID, '--model', MODEL])).code).toBe(2)
    expect((await runCli(['sql', PAID, '--model', MODEL, '--dialect', 'oracle'])).code).toBe(2)
    const notJson = await runCli(['sql', '{nope', '--model', MODEL, '--dialect', 'sqlite'])
    expect(notJson).toMatchObject({ code: 1, stderr: expect.stringMatching(/not valid JSON/) })
    expect((await runCli(['sql', 'no-such-query.json', '--model', MODEL, '--dialect', 'sqlite'])).code).toBe(2)
  })
})

describe('cortex query', () => {
  it('prints a table with the oracle values (fan-out across three cubes)', async () => {
    const run = await runCli([
      'query',
      'examples/queries/02-fan-out-by-tier.json',
      '--model',
      MODEL,
      '--db',
      `sqlite:${scratch.file}`,
    ])
    expect(run.code).toBe(0)
    const want = oracle(`WITH cu AS (SELECT tier, count(*) AS n FROM customers GROUP BY tier),
      od AS (SELECT c.tier, count(o.id) AS n FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.tier)
      SELECT cu.tier, cu.n AS customers, od.n AS orders FROM cu JOIN od ON od.tier = cu.tier ORDER BY cu.tier`)
    const lines = run.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe('customers.tier | customers.count | orders.count | order_items.revenue')
    const body = lines.slice(2, -1).map((l) => l.split('|').map((c) => c.trim()))
    expect(
      body.map(([tier, customers, orders]) => ({ tier, customers: Number(customers), orders: Number(orders) })),
    ).toEqual(want)
    expect(lines.at(-1)).toBe('(3 rows)')
  })

  it("prints Cube's JSON with --json, and says when the limit cut the result", async () => {
    const run = await runCli(['query', '-', '--model', MODEL, '--db', `sqlite:${scratch.file}`, '--json'], {
      stdin: PAID,
    })
    expect(run.code).toBe(0)
    const out = JSON.parse(run.stdout) as { data: unknown; truncated: boolean; query: unknown }
    expect(out.data).toEqual([
      { 'orders.count': oracle(`SELECT count(*) AS n FROM orders WHERE status = 'paid'`)[0]!.n },
    ])
    expect(out.truncated).toBe(false)
    const cut = await runCli([
      'query',
      '{"dimensions":["orders.status"],"limit":2,"total":true}',
      '--model',
      MODEL,
      '--db',
      `sqlite:${scratch.file}`,
    ])
    expect(cut.stdout.trimEnd().split('\n').at(-1)).toBe('(2 rows, cut by the limit (more rows matched), total 5)')
  })

  it('exits 2 for a bad --db or a missing SQLite file, and 1 when the server refuses, without printing the password', async () => {
    const bad = await runCli(['query', PAID, '--model', MODEL, '--db', 'oracle://x'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--db must be sqlite:<path>, postgres:\/\/… or mysql:\/\/…|--db must be sqlite:<path>/)
    expect((await runCli(['query', PAID, '--model', MODEL, '--db', 'sqlite:./no-such.db'])).code).toBe(2)
    expect((await runCli(['query', PAID, '--model', MODEL])).code).toBe(2)
    const refused = await runCli(['query', PAID, '--model', MODEL, '--db', 'postgres://u:hunter2@127.0.0.1:1/db'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/CONNECTOR_FAILED/)
    expect(refused.stderr).not.toContain('hunter2')
  })
})

describe('cortex meta and usage', () => {
  it('lists cubes and views with their members, or the /meta JSON', async () => {
    const text = await runCli(['meta', '--model', MODEL])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^orders \(cube\) {2}Orders$/m)
    expect(text.stdout).toMatch(/^sales \(view\) {2}Sales$/m)
    expect(text.stdout).toMatch(/^ {4}orders\.total_amount {2}number {2}"Orders Total amount"$/m)
    const json = await runCli(['meta', '--model', MODEL, '--json'])
    expect((JSON.parse(json.stdout) as { cubes: { name: string }[] }).cubes.map((c) => c.name)).toContain('order_items')
  })

  it('prints usage: --help exits 0; no command, an unknown command or option exits 2', async () => {
    expect(await runCli(['--help'])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^Usage: cortex <command>/),
    })
    expect((await runCli([])).code).toBe(2)
    expect(await runCli(['frobnicate'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^error: Unknown command 'frobnicate'/),
    })
    expect(await runCli(['meta', '--model', MODEL, '--verbose'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/Unknown option '--verbose'/),
    })
  })

  it('--help lists every option the parser accepts, with its short form', async () => {
    const help = (await runCli(['--help'])).stdout
    for (const [name, option] of Object.entries(OPTIONS)) {
      const short = 'short' in option ? `-${option.short}, ` : ''
      expect(help, `--${name}`).toMatch(new RegExp(`^ {2}${short.replace(/[-]/g, '\\-')}\\s*--${name}\\b.*\\S`, 'm'))
    }
    for (const command of ['validate', 'sql', 'query', 'meta', 'serve', 'generate', 'diff', 'check'])
      expect(help).toMatch(new RegExp(`^ {2}cortex ${command}\\b`, 'm'))
  })

  it('--version (and -v) prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' })
    expect(await runCli(['-v'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' })
  })

  it('a usage error prints the problem and the one-line fix, not the whole help', async () => {
    const cases: [string[], string][] = [
      [
        ['query', PAID, '--model', MODEL],
        'error: cortex query needs --db <url>.\nusage: cortex query <query> --model <dir> --db <url> [--json] [--timeout <ms>]\n',
      ],
      [
        ['meta', '--model', MODEL, '--db', 'sqlite:x.db'],
        'error: cortex meta does not take --db.\nusage: cortex meta --model <dir> [--json]\n',
      ],
      [
        ['meta', '--model', MODEL, '--verbose'],
        "error: Unknown option '--verbose'.\nusage: cortex meta --model <dir> [--json]\n",
      ],
      [
        ['frobnicate'],
        "error: Unknown command 'frobnicate'. The commands are validate, sql, query, meta, serve, generate, diff, check, types.\nRun 'cortex --help' to see every command and option.\n",
      ],
      [
        ['types', MODEL, '--name', 'cortex-model'],
        'error: --name must be a TypeScript identifier like CortexModel.\nusage: cortex types <model-dir> [--out <file.d.ts>] [--name <Type>]\n',
      ],
      [
        ['types', MODEL, '--db', 'sqlite:x.db'],
        'error: cortex types does not take --db.\nusage: cortex types <model-dir> [--out <file.d.ts>] [--name <Type>]\n',
      ],
      [
        ['serve', '--model', MODEL, '--db', 'sqlite:x.db', '--port', 'http'],
        'error: --port must be a non-negative integer.\nusage: cortex serve --model <dir> --db <url> [--port <n>] [--admin-token <t>] [--cors <origin>]... [--watch]\n',
      ],
    ]
    for (const [argv, stderr] of cases)
      expect(await runCli(argv), argv.join(' ')).toEqual({ code: 2, stdout: '', stderr })
  })
})

describe('cortex serve', () => {
  it('serves the REST API on 127.0.0.1 (CORS from --cors, admin API behind --admin-token) until stopped', async () => {
    const stop = new AbortController()
    let announce!: (url: string) => void
    const announced = new Promise<string>((resolve) => (announce = resolve))
    const exited = runCli(
      [
        'serve',
        '--model',
        MODEL,
        '--db',
        `sqlite:${scratch.file}`,
        '--port',
        '0',
        '--admin-token',
        'tok',
        '--cors',
        'http://localhost:5173',
      ],
      {
        signal: stop.signal,
        onStdout: (text) => {
          const m = /Cortex REST API on (http:\/\/127\.0\.0\.1:\d+\/cubejs-api\/v1)\n/.exec(text)
          if (m) announce(m[1]!)
        },
      },
    )
    const url = await Promise.race([
      announced,
      exited.then((run) => Promise.reject(new Error(`serve exited early: ${run.stderr}`))),
    ])
    const load = await fetch(`${url}/load?query=${encodeURIComponent(PAID)}`, {
      headers: { origin: 'http://localhost:5173' },
    })
    expect(load.status).toBe(200)
    expect(load.headers.get('access-control-allow-origin')).toBe('http://localhost:5173')
    expect(((await load.json()) as { data: unknown }).data).toEqual([
      { 'orders.count': oracle(`SELECT count(*) AS n FROM orders WHERE status = 'paid'`)[0]!.n },
    ])
    const origin = new URL(url).origin
    expect((await fetch(`${origin}/admin/metrics`)).status).toBe(403)
    expect((await fetch(`${origin}/admin/metrics`, { headers: { authorization: 'Bearer tok' } })).status).toBe(200)
    expect(
      (await fetch(`${origin}/admin/reload`, { method: 'POST', headers: { authorization: 'Bearer tok' } })).status,
    ).toBe(200)
    stop.abort()
    const run = await exited
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/Stopped\.\n$/)
    // One line per request: method, path (never the query string), status, duration and request id.
    const logged = run.stdout.split('\n').filter((line) => /^[A-Z]+ \//.test(line))
    expect(logged.map((line) => line.replace(/ \d+ms /, ' <ms> ').replace(/ [\w-]{8,}$/, ' <id>'))).toEqual([
      'GET /cubejs-api/v1/load 200 <ms> <id>',
      'GET /admin/metrics 403 <ms> <id>',
      'GET /admin/metrics 200 <ms> <id>',
      'POST /admin/reload 200 <ms> <id>',
    ])
    expect(logged[0]!.split(' ').at(-1)).toBe(load.headers.get('x-request-id'))
    expect(run.stdout).not.toContain('paid')
    expect(run.stdout).not.toContain('tok\n')
  })
})

describe('the built command', () => {
  const built = join(REPO, 'dist/cli.js')
  it.skipIf(!existsSync(built))(
    'runs dist/cli.js: validate exits 0, a broken model exits 1 naming the file (skipped without a build)',
    async () => {
      const run = promisify(execFile)
      const ok = await run(process.execPath, [built, 'validate', MODEL_DIR])
      expect(ok.stdout).toMatch(/^ok: 4 cubes/)
      const dir = brokenModel('customers.yml', BROKEN_COUNT)
      const failed = await run(process.execPath, [built, 'validate', dir]).catch(
        (e: { code: number; stderr: string }) => e,
      )
      expect(failed).toMatchObject({
        code: 1,
        stderr: expect.stringMatching(/^customers\.yml: cubes\.customers\.measures\.count\.sql: /),
      })
      rmSync(dir, { recursive: true, force: true })
    },
  )
})
