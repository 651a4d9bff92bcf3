// Cube's schema compiler, driven offline for figure 2. It lives in bench/cube/ with its own package.json
// and lockfile, installed on demand with `npm ci --ignore-scripts`: it is never a dependency of
// cortex-semantic, and @cubejs-backend/native's install script (which downloads a prebuilt Rust binary)
// never runs.
//
// What works without the native binary (checked against @cubejs-backend/schema-compiler 1.7.43):
// - Model compilation: YAML is transpiled in JavaScript (worker threads) unless CUBEJS_TRANSPILATION_NATIVE
//   is set; the only native call on that path is YamlCompiler.initFromPythonContext() creating a Jinja
//   engine, which prepareCompiler() takes from `options.nativeInstance`. We pass a stub that refuses
//   Jinja and Python (the ecommerce model uses neither).
// - SQL generation: BaseQuery's JavaScript planner, selected per query with `useNativeSqlPlanner: false`.
//   Cube 1.7's default planner (Tesseract, Rust) lives in the native binary and cannot be measured here.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { benchPath, log } from './util.mjs'

const CUBE_DIR = benchPath('cube')
const PACKAGE = '@cubejs-backend/schema-compiler'

/** Install bench/cube/ from its lockfile when missing or out of date. Returns undefined or the reason it is unavailable. */
export function ensureCubeInstalled() {
  if (process.env.BENCH_SKIP_CUBE === '1') return 'skipped (BENCH_SKIP_CUBE=1)'
  const wanted = JSON.parse(readFileSync(join(CUBE_DIR, 'package.json'), 'utf8')).dependencies[PACKAGE]
  const installed = join(CUBE_DIR, 'node_modules', PACKAGE, 'package.json')
  if (existsSync(installed) && JSON.parse(readFileSync(installed, 'utf8')).version === wanted) return undefined
  const lock = existsSync(join(CUBE_DIR, 'package-lock.json'))
  const args = [lock ? 'ci' : 'install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', CUBE_DIR]
  log(`installing Cube's schema compiler: npm ${args.join(' ')} …`)
  try {
    execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { stdio: ['ignore', 'inherit', 'inherit'] })
  } catch (error) {
    return `npm ${args[0]} in bench/cube failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`
  }
  return existsSync(installed) ? undefined : `${PACKAGE} is missing after npm ${args[0]}`
}

/** The installed version of Cube's schema compiler. */
export function cubeVersion() {
  return JSON.parse(readFileSync(join(CUBE_DIR, 'node_modules', PACKAGE, 'package.json'), 'utf8')).version
}

/** Stands in for @cubejs-backend/native's NativeInstance: only the Jinja/Python entry points exist there. */
const NO_NATIVE = {
  newJinjaEngine: () => ({
    loadTemplate() {
      throw new Error('Jinja templates need @cubejs-backend/native (not installed for the benchmark)')
    },
    renderTemplate() {
      throw new Error('Jinja templates need @cubejs-backend/native (not installed for the benchmark)')
    },
  }),
  loadPythonContext() {
    throw new Error('Python needs @cubejs-backend/native (not installed for the benchmark)')
  },
}

/**
 * Compile the YAML model in `dir` with Cube's compiler; return a function that compiles one REST query to
 * [sql, params] for `dialect` ('postgres' | 'mysql' | 'sqlite') with the JavaScript planner.
 */
export async function prepareCube(dir, dialect = 'postgres') {
  const require = createRequire(join(CUBE_DIR, 'package.json'))
  const compilerModule = require(PACKAGE)
  const adapters = {
    postgres: compilerModule.PostgresQuery,
    mysql: compilerModule.MysqlQuery,
    sqlite: require(`${PACKAGE}/dist/src/adapter/SqliteQuery.js`).SqliteQuery,
  }
  const QueryClass = adapters[dialect]
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((fileName) => ({ fileName, content: readFileSync(join(dir, fileName), 'utf8') }))
  const repository = { localPath: () => dir, dataSchemaFiles: async () => files }
  const started = performance.now()
  const compilers = compilerModule.prepareCompiler(repository, { nativeInstance: NO_NATIVE })
  await compilers.compiler.compile()
  const modelMs = performance.now() - started
  // Cube keeps the SQL of every query it compiled in an LRU keyed by the whole query (members, filter
  // values, time zone, limit …): an identical repeat is a lookup. `cold` clears that LRU first, so the
  // planner does its work as for any query it has not seen (its model-level memos stay warm).
  const queryCache = compilers.compilerCache.queryCache
  const compile = (query, { cold = true } = {}) => {
    if (cold) queryCache.clear()
    return new QueryClass(compilers, toCubeQuery(query)).buildSqlAndParams()
  }
  return { compile, modelMs, version: cubeVersion() }
}

/**
 * Cube's API gateway normalizes REST queries before they reach the compiler; the compiler itself wants
 * `order` as [member, direction] pairs and a time zone. Only that part of the normalization is done here.
 */
function toCubeQuery(query) {
  const order = query.order === undefined || Array.isArray(query.order) ? query.order : Object.entries(query.order)
  return {
    ...query,
    ...(order === undefined ? {} : { order }),
    timezone: query.timezone ?? 'UTC',
    useNativeSqlPlanner: false,
  }
}
