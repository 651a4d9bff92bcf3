// Figures 1 and 2: compile time of ten representative queries (query → SQL + params through
// layer.sql(), the public API), and the same queries compiled by Cube's schema compiler from the same
// YAML model, alternating between the two in the same process.
import Database from 'better-sqlite3'
import { compileModel, createSemanticLayer, loadModel } from '../../dist/index.js'
import { sqlite } from '../../dist/sqlite.js'
import { ensureCubeInstalled, prepareCube } from '../lib/cube.mjs'
import { MODEL_DIR, NOW, runFigure, settings } from '../lib/figure.mjs'
import { COMPILE_QUERIES } from '../lib/queries.mjs'
import { compare, fmtRatio, fmtTime, log, table } from '../lib/util.mjs'

const TARGET_P50_NS = 50_000
const TARGET_RATIO = 15
const DIALECT = 'postgres'

await runFigure('1-2', async () => {
  const loadStarted = performance.now()
  const definition = await loadModel(MODEL_DIR)
  const compiled = compileModel(definition)
  const ourModelMs = performance.now() - loadStarted
  void compiled
  // `layer` compiles every call (compiled-query cache off): the work for a query it has not seen.
  // `repeatLayer` has the default compiled-query cache: an identical repeat, as Cube's per-query SQL cache serves it.
  const layer = createSemanticLayer({
    model: definition,
    connectors: { default: sqlite({ database: new Database(':memory:') }) },
    now: NOW,
    cache: false,
    compiledQueries: 0,
  })
  const repeatLayer = createSemanticLayer({
    model: definition,
    connectors: { default: sqlite({ database: new Database(':memory:') }) },
    now: NOW,
    cache: false,
  })

  let cube
  let cubeUnavailable = ensureCubeInstalled()
  if (!cubeUnavailable) {
    try {
      cube = await prepareCube(MODEL_DIR, DIALECT)
    } catch (error) {
      cubeUnavailable = `Cube's compiler failed to compile the model: ${String(error?.message ?? error).split('\n')[0]}`
    }
  }
  if (cubeUnavailable) log(`figure 2: ${cubeUnavailable}`)

  // Figure 1: Cortex alone (no other compiler's garbage in the heap, so p99 is ours).
  const rows1 = []
  const alone = []
  for (const { name, query } of COMPILE_QUERIES) {
    log(`compile (Cortex alone): ${name}`)
    await layer.sql(query, { dialect: DIALECT }) // fails loudly if the query is wrong
    const stats = await compare(
      { cortex: () => layer.sql(query, { dialect: DIALECT }) },
      { rounds: 1, minSamples: 40, minTimeMs: settings.quick ? 300 : 1000, warmupMs: settings.quick ? 100 : 300 },
    )
    alone.push(stats.cortex)
    rows1.push([name, fmtTime(stats.cortex.p50), fmtTime(stats.cortex.p99), String(stats.cortex.n)])
  }

  // Figure 2: alternating with Cube.
  const rows2 = []
  const data = []
  for (const [index, { name, query }] of COMPILE_QUERIES.entries()) {
    log(`compile (Cortex vs Cube): ${name}`)
    let cubeError
    if (cube) {
      try {
        cube.compile(query)
      } catch (error) {
        cubeError = String(error?.message ?? error).split('\n')[0]
      }
    }
    const cases = {
      cortex: () => layer.sql(query, { dialect: DIALECT }),
      cortexRepeat: () => repeatLayer.sql(query, { dialect: DIALECT }),
    }
    if (cube && !cubeError) {
      cases.cube = () => cube.compile(query, { cold: true })
      cases.cubeRepeat = () => cube.compile(query, { cold: false })
    }
    const stats = await compare(cases, {
      rounds: 4,
      minSamples: 40,
      minTimeMs: settings.quick ? 400 : 1600,
      warmupMs: settings.quick ? 100 : 300,
    })
    const ratio = stats.cube ? stats.cube.p50 / stats.cortex.p50 : undefined
    const repeatRatio = stats.cubeRepeat ? stats.cubeRepeat.p50 / stats.cortexRepeat.p50 : undefined
    data.push({
      name,
      query,
      cortexAlone: alone[index],
      cortex: stats.cortex,
      cortexRepeat: stats.cortexRepeat,
      cube: stats.cube,
      cubeRepeat: stats.cubeRepeat,
      cubeError,
      ratio,
      repeatRatio,
    })
    rows2.push([
      name,
      fmtTime(stats.cortex.p50),
      stats.cube ? fmtTime(stats.cube.p50) : cubeError ? `error: ${cubeError}` : '—',
      stats.cube ? fmtTime(stats.cube.p99) : '—',
      fmtRatio(ratio, 1),
      fmtTime(stats.cortexRepeat.p50),
      stats.cubeRepeat ? fmtTime(stats.cubeRepeat.p50) : '—',
      fmtRatio(repeatRatio, 1),
    ])
  }

  const p50s = alone.map((s) => s.p50).sort((a, b) => a - b)
  const medianP50 = p50s[Math.floor((p50s.length - 1) / 2)]
  const typical = { cortex: alone[1] }
  const under = alone.filter((s) => s.p50 < TARGET_P50_NS).length
  const geo = (xs) => (xs.length ? Math.exp(xs.reduce((s, r) => s + Math.log(r), 0) / xs.length) : undefined)
  const ratios = data.map((d) => d.ratio).filter((r) => r !== undefined)
  const geomean = geo(ratios)
  const minRatio = ratios.length ? Math.min(...ratios) : undefined
  const repeatGeomean = geo(data.map((d) => d.repeatRatio).filter((r) => r !== undefined))

  const verdicts = [
    {
      figure: 1,
      target: 'Compile p50 under 50 µs for typical queries',
      met: typical.cortex.p50 < TARGET_P50_NS && medianP50 < TARGET_P50_NS,
      value: `typical query ${fmtTime(typical.cortex.p50)}; median of the ten ${fmtTime(medianP50)}; ${under}/10 under 50 µs (slowest ${fmtTime(p50s[p50s.length - 1])})`,
    },
    cube
      ? {
          figure: 2,
          target: "At least 15x faster than Cube's compiler",
          met: geomean !== undefined && geomean >= TARGET_RATIO,
          value: `geometric mean ${fmtRatio(geomean, 1)} on queries neither has seen (lowest ${fmtRatio(minRatio, 1)}, ${ratios.filter((r) => r >= TARGET_RATIO).length}/${ratios.length} at ≥ 15x); identical repeats, both from their caches: ${fmtRatio(repeatGeomean, 1)}`,
        }
      : {
          figure: 2,
          target: "At least 15x faster than Cube's compiler",
          met: null,
          value: `not measured: ${cubeUnavailable}`,
        },
  ]

  const markdown = [
    `**Figure 1.** Query → SQL and parameters through \`layer.sql(query, { dialect: '${DIALECT}' })\` with the compiled-query cache off (\`compiledQueries: 0\`), so every call parses, applies access policies, normalizes, plans and renders: the work for any query the layer has not seen. One call per sample, after a warm-up, Cortex alone in the process.`,
    '',
    table(['query', 'p50', 'p99', 'samples'], rows1),
    '',
    `**Figure 2.** The same queries compiled by Cube's schema compiler from the same YAML files, alternating with Cortex in the same process (4 rounds). ` +
      (cube
        ? `\`@cubejs-backend/schema-compiler\` ${cube.version}: \`new PostgresQuery(compilers, query).buildSqlAndParams()\` with its JavaScript planner (\`useNativeSqlPlanner: false\`). *New query*: Cube's per-query SQL cache cleared before each call (the work for any query it has not seen, e.g. another filter value); *identical repeat*: served from that cache. Ratio = Cube p50 / Cortex p50, both from the alternating rounds (Cortex is a little slower here than alone: the two share CPU caches and the heap). *Cortex p50 (identical repeat)*: the same call on a layer with the default compiled-query cache, which serves a query seen before under an equal security context; the last column compares the two caches.`
        : `Not measured: ${cubeUnavailable}.`),
    '',
    table(
      [
        'query',
        'Cortex p50',
        'Cube p50 (new query)',
        'Cube p99 (new query)',
        'Cube / Cortex',
        'Cortex p50 (identical repeat)',
        'Cube p50 (identical repeat)',
        'Cube / Cortex (repeat)',
      ],
      rows2,
    ),
    '',
    `Model load + compile of the e-commerce model (4 cubes, 2 views), once, cold process: Cortex ${ourModelMs.toFixed(1)} ms` +
      (cube ? `, Cube ${cube.modelMs.toFixed(0)} ms (YAML transpiled in worker threads).` : '.'),
  ].join('\n')

  return {
    title: 'Figures 1–2. Compile time per query, and against Cube',
    markdown,
    verdicts,
    data: {
      dialect: DIALECT,
      queries: data,
      medianP50,
      geomean,
      minRatio,
      repeatGeomean,
      ourModelMs,
      cubeModelMs: cube?.modelMs,
      cubeVersion: cube?.version,
      cubeUnavailable,
    },
  }
})
