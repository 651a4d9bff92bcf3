#!/usr/bin/env node
// The package as users get it (`npm run lint:package`; .ci/run runs it after the tests):
//
// 1. Packs a fresh copy of the repository's files (no dist/, as in a fresh clone), so `prepack` must build,
//    and checks the tarball holds every entry point in both formats with their types.
// 2. Lints the tarball: publint --strict, and attw in its strict profile (node10, node16 from CJS and
//    ESM, bundler; node10 needs `typesVersions` for the subpaths).
// 3. Installs it in a scratch CommonJS project and checks that:
//    - require() of every entry works with Node's CommonJS loader as it was before Node 20.19
//      (`--no-experimental-require-module`, the oldest behaviour `engines` admits), and a JWT verifies
//      there (jose is an ES module, loaded with import());
//    - import() of every entry works;
//    - TypeScript type-checks a CommonJS project (`module: node16`) and a `moduleResolution: node10`
//      project against it, without skipLibCheck;
//    - the `cortex` bin prints the package version.
// 4. Follows the README's Quick start literally in an `npm init -y` project: its files and commands are
//    taken from the README's marked code blocks (`<!-- quick-start: ... -->`), and what the commands print
//    must be what the README shows.
//
// Installs use the npm cache first (--prefer-offline). The Quick start's better-sqlite3 is linked from
// this repository's node_modules, already built, with install scripts off: installing it from the registry
// compiles it from source here (no prebuilt binary can be downloaded), about 90 s.
//
// Usage: node scripts/check-package.mjs [--keep]   (--keep leaves the scratch folder for inspection)
import { spawnSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO = fileURLToPath(new URL('..', import.meta.url))
const PKG = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'))
const ENTRIES = [
  'index',
  'sqlite',
  'postgres',
  'mysql',
  'http',
  'redis',
  'files',
  'mongodb',
  'bigquery',
  'snowflake',
  'duckdb',
]
const SUBPATHS = ENTRIES.filter((e) => e !== 'index')
const BIN = (name) => join(REPO, 'node_modules', '.bin', name)
const keep = process.argv.includes('--keep')
const started = performance.now()

const scratch = mkdtempSync(join(tmpdir(), 'cortex-pack-'))
let failed = false
try {
  const tarball = step('pack a fresh copy (prepack builds dist/)', () => packFreshCopy())
  step('tarball contents', () => checkContents(tarball))
  step('publint --strict', () => run(BIN('publint'), ['run', tarball, '--strict'], { cwd: REPO }))
  step('attw (strict profile: node10, node16 CJS/ESM, bundler)', () => run(BIN('attw'), [tarball], { cwd: REPO }))
  const app = step('install in a CommonJS project', () => installApp(tarball))
  step('require() with the pre-20.19 CommonJS loader', () => checkRequire(app))
  step('import()', () => checkImport(app))
  step('TypeScript: CommonJS project (module node16)', () => checkTypes(app, 'node16'))
  step('TypeScript: moduleResolution node10', () => checkTypes(app, 'node10'))
  step('cortex --version', () => checkBin(app))
  step('README Quick start, as written', () =>
    checkQuickStart(tarball, join(app, 'node_modules', PKG.name, 'README.md')),
  )
  console.log(`\nPackage checks passed in ${((performance.now() - started) / 1000).toFixed(1)} s.`)
} catch (error) {
  failed = true
  console.error(`\n!! ${error instanceof Error ? error.message : String(error)}`)
} finally {
  if (keep || failed) console.error(`scratch folder kept: ${scratch}`)
  else rmSync(scratch, { recursive: true, force: true })
}
process.exitCode = failed ? 1 : 0

function step(title, fn) {
  const t = performance.now()
  process.stdout.write(`-- ${title} ... `)
  try {
    const value = fn()
    console.log(`ok (${((performance.now() - t) / 1000).toFixed(1)} s)`)
    return value
  } catch (error) {
    console.log('FAILED')
    throw error
  }
}

/** Run a command; throw with its output when it fails. Returns stdout. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    ...options,
    env: { ...process.env, ...options.env },
  })
  if (result.status !== 0) {
    const shown = [command, ...args].join(' ')
    throw new Error(
      `${shown} exited with ${result.status ?? result.signal}\n${result.stdout ?? ''}${result.stderr ?? ''}`,
    )
  }
  return result.stdout
}

function npm(args, cwd) {
  return run('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd })
}

/** The files git would put in a fresh clone (tracked, plus new files not ignored), copied; node_modules linked. */
function packFreshCopy() {
  const copy = join(scratch, 'clone')
  const files = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO })
    .split('\0')
    .filter(Boolean)
  for (const file of files) {
    if (!existsSync(join(REPO, file))) continue // deleted in the working tree, not yet committed
    if (file === 'node_modules' || file.startsWith('node_modules/')) continue // a symlinked node_modules is not ignored by 'node_modules/'
    mkdirSync(dirname(join(copy, file)), { recursive: true })
    cpSync(join(REPO, file), join(copy, file))
  }
  if (existsSync(join(copy, 'dist'))) throw new Error('dist/ is tracked by git; a fresh clone must not have it')
  symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'), 'dir')
  const out = join(scratch, 'tarball')
  mkdirSync(out)
  run('npm', ['pack', '--pack-destination', out, '--loglevel=error'], { cwd: copy })
  const [name] = readdirSync(out).filter((f) => f.endsWith('.tgz'))
  if (!name) throw new Error('npm pack wrote no tarball')
  return join(out, name)
}

function checkContents(tarball) {
  const listed = new Set(
    run('tar', ['-tzf', tarball])
      .split('\n')
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, '')),
  )
  const expected = ['README.md', 'LICENSE', 'CHANGELOG.md', 'package.json', 'dist/cli.js', 'dist/cli.cjs']
  for (const entry of ENTRIES) for (const ext of ['js', 'cjs', 'd.ts', 'd.cts']) expected.push(`dist/${entry}.${ext}`)
  const missing = expected.filter((f) => !listed.has(f))
  if (missing.length) throw new Error(`the tarball lacks ${missing.join(', ')} (is prepack building dist/?)`)
  const stray = [...listed].filter((f) => /^(src|test|bench|examples|scripts)\//.test(f))
  if (stray.length) throw new Error(`the tarball ships development files: ${stray.slice(0, 5).join(', ')}`)
}

function installApp(tarball) {
  const app = join(scratch, 'cjs-app')
  mkdirSync(app)
  writeFileSync(
    join(app, 'package.json'),
    `${JSON.stringify({ name: 'cjs-app', version: '1.0.0', private: true, type: 'commonjs' }, null, 2)}\n`,
  )
  npm(['install', tarball], app)
  return app
}

/** Whether this Node has the flag (20.19+, 22.12+); older versions behave this way without it. */
function oldCjsLoaderFlags() {
  const probe = spawnSync(process.execPath, ['--no-experimental-require-module', '-e', '0'])
  return probe.status === 0 ? ['--no-experimental-require-module'] : []
}

function checkRequire(app) {
  const script = `
    const assert = require('node:assert/strict')
    const { createHmac } = require('node:crypto')
    const root = require('cortex-semantic')
    for (const name of ['createSemanticLayer', 'loadModel', 'parseModel', 'compileModel', 'createJwtAuth', 'defineConnector', 'memoryCache', 'isSemanticLayerError']) {
      assert.equal(typeof root[name], 'function', name)
    }
    const factories = { sqlite: 'sqlite', postgres: 'postgres', mysql: 'mysql', http: 'createFetchHandler', redis: 'redisCache', files: 'files', mongodb: 'mongodb', bigquery: 'bigquery', snowflake: 'snowflake', duckdb: 'duckdb' }
    for (const [subpath, name] of Object.entries(factories)) {
      assert.equal(typeof require('cortex-semantic/' + subpath)[name], 'function', subpath)
    }
    const model = root.compileModel(root.parseModel([{ content: { cubes: [{ name: 'o', sql_table: 'o', measures: [{ name: 'c', type: 'count' }] }] } }]))
    assert.deepEqual(Object.keys(model.cubes), ['o'])
    // A token verified through jose, which this CommonJS build loads with import().
    const secret = 'k'.repeat(32)
    const part = (o) => Buffer.from(JSON.stringify(o)).toString('base64url')
    const body = part({ alg: 'HS256', typ: 'JWT' }) + '.' + part({ sub: 'u1', exp: Math.floor(Date.now() / 1000) + 600 })
    const token = body + '.' + createHmac('sha256', secret).update(body).digest('base64url')
    root.createJwtAuth({ secret }).authenticate(token).then((ctx) => {
      assert.equal(ctx.sub, 'u1')
      console.log('required')
    }, (error) => { console.error(error); process.exit(1) })
  `
  const out = run(process.execPath, [...oldCjsLoaderFlags(), '-e', script], { cwd: app })
  if (out.trim() !== 'required') throw new Error(`unexpected output: ${out}`)
}

function checkImport(app) {
  const script = `
    const root = await import('cortex-semantic')
    if (typeof root.createSemanticLayer !== 'function') throw new Error('no createSemanticLayer')
    for (const s of ${JSON.stringify(SUBPATHS)}) await import('cortex-semantic/' + s)
    console.log('imported')
  `
  const out = run(process.execPath, ['--input-type=module', '-e', script], { cwd: app })
  if (out.trim() !== 'imported') throw new Error(`unexpected output: ${out}`)
}

/** Type-check a file that uses the public types of every entry, as a CommonJS project would. */
function checkTypes(app, resolution) {
  const source = `import { createJwtAuth, createSemanticLayer, isSemanticLayerError, loadModel } from 'cortex-semantic'
import type { JwtClaims, QueryResult, SemanticLayer } from 'cortex-semantic'
import { sqlite } from 'cortex-semantic/sqlite'
import { postgres } from 'cortex-semantic/postgres'
import { mysql } from 'cortex-semantic/mysql'
import { createNodeHandler } from 'cortex-semantic/http'
import { redisCache } from 'cortex-semantic/redis'
import { files } from 'cortex-semantic/files'
import { mongodb } from 'cortex-semantic/mongodb'
import { bigquery } from 'cortex-semantic/bigquery'
import { snowflake } from 'cortex-semantic/snowflake'
import { duckdb } from 'cortex-semantic/duckdb'

export async function main(): Promise<number> {
  const layer: SemanticLayer = createSemanticLayer({ model: await loadModel('./model'), connectors: { default: sqlite({ filename: 'shop.db' }) } })
  const result: QueryResult = await layer.query({ measures: ['orders.count'] })
  const auth = createJwtAuth({ secret: 'k'.repeat(32), resolveUser: (claims: JwtClaims) => ({ id: claims.sub }) })
  const makers = [postgres, mysql, createNodeHandler, redisCache, files, mongodb, bigquery, snowflake, duckdb, auth.authenticate, isSemanticLayerError]
  return result.data.length + makers.length
}
`
  writeFileSync(join(app, 'index.ts'), source)
  const node16 = { module: 'node16', moduleResolution: 'node16' }
  const node10 = { module: 'commonjs', moduleResolution: 'node10' }
  const compilerOptions = {
    ...(resolution === 'node16' ? node16 : node10),
    target: 'es2022',
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    typeRoots: [join(REPO, 'node_modules', '@types')],
    types: ['node'],
  }
  const config = join(app, `tsconfig.${resolution}.json`)
  writeFileSync(config, JSON.stringify({ compilerOptions, files: ['index.ts'] }, null, 2))
  run(BIN('tsc'), ['-p', config], { cwd: app })
}

function checkBin(app) {
  const out = run(process.execPath, [join(app, 'node_modules', 'cortex-semantic', PKG.bin.cortex), '--version'], {
    cwd: app,
  })
  if (out.trim() !== PKG.version)
    throw new Error(`cortex --version printed ${JSON.stringify(out)}, expected ${PKG.version}`)
}

/** The README's Quick start section, as marked blocks: install, files, commands to run, expected output. */
function quickStartBlocks(readme) {
  const start = readme.indexOf('## Quick start')
  if (start < 0) throw new Error('README.md has no "## Quick start" section')
  const end = readme.indexOf('\n## ', start + 1)
  const section = readme.slice(start, end < 0 ? undefined : end)
  const blocks = []
  for (const m of section.matchAll(
    /<!-- quick-start: (install|file (\S+)|run|output) -->\n```[^\n]*\n([\s\S]*?)```/g,
  )) {
    blocks.push({ kind: m[1].split(' ')[0], path: m[2], text: m[3] })
  }
  const count = (kind) => blocks.filter((b) => b.kind === kind).length
  if (count('install') !== 1 || count('run') < 1 || count('output') !== 1 || count('file') < 1) {
    throw new Error('README Quick start must mark one install block, files, run blocks and one output block')
  }
  return blocks
}

/** `readmeFile`: the README as packed, which is what npm shows. */
function checkQuickStart(tarball, readmeFile) {
  const app = join(scratch, 'readme-app')
  mkdirSync(app)
  run('npm', ['init', '-y'], { cwd: app })
  let printed = ''
  let expected = ''
  for (const block of quickStartBlocks(readFileSync(readmeFile, 'utf8'))) {
    // --ignore-scripts: better-sqlite3 from this repository is built already (its install script would
    // rebuild it in place); cortex-semantic has no install scripts.
    if (block.kind === 'install') npm(['install', '--ignore-scripts', ...installSpecs(block.text, tarball)], app)
    else if (block.kind === 'file') {
      mkdirSync(dirname(join(app, block.path)), { recursive: true })
      writeFileSync(join(app, block.path), block.text)
    } else if (block.kind === 'run') {
      for (const line of block.text.split('\n').filter((l) => l.trim()))
        printed += run('sh', ['-c', line], { cwd: app })
    } else expected = block.text
  }
  const squash = (text) => text.replace(/\s+/g, '')
  if (squash(printed) !== squash(expected))
    throw new Error(`the Quick start printed\n${printed}\nbut the README shows\n${expected}`)
}

/** `npm install cortex-semantic better-sqlite3` → the packed tarball and a better-sqlite3 to install. */
function installSpecs(text, tarball) {
  const lines = text.split('\n').filter((l) => l.trim())
  const m = lines.length === 1 ? /^npm install ((?:[a-z0-9@/.-]+ ?)+)$/.exec(lines[0].trim()) : null
  if (!m) throw new Error(`the Quick start's install block is not one 'npm install <packages>' line: ${text}`)
  return m[1]
    .trim()
    .split(/\s+/)
    .map((name) => {
      if (name === PKG.name) return tarball
      if (name === 'better-sqlite3') return join(REPO, 'node_modules', 'better-sqlite3')
      throw new Error(`the Quick start installs ${name}; teach scripts/check-package.mjs where to get it`)
    })
}
