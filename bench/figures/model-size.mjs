// Figure 5: model load (read + parse + validate the YAML folder: loadModel) and compile (references,
// joins, views: compileModel) for generated models of 10, 100 and 1 000 cubes, and how each grows; plus
// one query compiled against each, to show query compile time does not grow with the model.
import Database from 'better-sqlite3'
import { compileModel, createSemanticLayer, loadModel } from '../../dist/index.js'
import { sqlite } from '../../dist/sqlite.js'
import { runFigure, settings } from '../lib/figure.mjs'
import { deepQuery, ensureModel } from '../lib/model-gen.mjs'
import { compare, fmtRatio, fmtTime, log, sample, summarize, table } from '../lib/util.mjs'

const COUNTS = [10, 100, 1000]
const TARGET_MS = 1000

await runFigure('5', async () => {
  const rows = []
  const data = []
  for (const cubes of COUNTS) {
    const dir = ensureModel(cubes)
    log(`model size: ${cubes} cubes`)
    // The first load in a fresh process, then steady state.
    const coldStarted = performance.now()
    const firstDefinition = await loadModel(dir)
    const coldLoadMs = performance.now() - coldStarted
    const coldCompileStarted = performance.now()
    compileModel(firstDefinition)
    const coldCompileMs = performance.now() - coldCompileStarted

    const effort = { minSamples: cubes >= 1000 ? 8 : 20, minTimeMs: settings.quick ? 500 : cubes >= 1000 ? 3000 : 1500 }
    let definition = firstDefinition
    const load = summarize(await sample(async () => (definition = await loadModel(dir)), effort))
    const compile = summarize(await sample(() => compileModel(definition), effort))
    const both = summarize(await sample(async () => compileModel(await loadModel(dir)), effort))

    const layer = createSemanticLayer({
      model: definition,
      connectors: { default: sqlite({ database: new Database(':memory:') }) },
      cache: false,
      compiledQueries: 0,
    })
    const q = deepQuery(cubes)
    const query = (
      await compare(
        { q: () => layer.sql(q) },
        { rounds: 1, minSamples: 40, minTimeMs: settings.quick ? 300 : 800, warmupMs: 200 },
      )
    ).q
    await layer.close()
    data.push({
      cubes,
      files: cubes + Math.floor((cubes - 1) / 10),
      coldLoadMs,
      coldCompileMs,
      load,
      compile,
      both,
      query,
    })
  }
  for (const [i, d] of data.entries()) {
    const prev = data[i - 1]
    const growth = prev ? d.both.p50 / prev.both.p50 : undefined
    d.growth = growth
    rows.push([
      String(d.cubes),
      String(d.files),
      fmtTime(d.load.p50),
      fmtTime(d.compile.p50),
      fmtTime(d.both.p50),
      fmtTime(d.both.p99),
      `${(d.coldLoadMs + d.coldCompileMs).toFixed(0)} ms`,
      fmtTime(d.both.p50 / d.cubes),
      prev ? `${fmtRatio(growth, 1)} for ${d.cubes / prev.cubes}x cubes` : '—',
      fmtTime(d.query.p50),
    ])
  }
  const last = data[data.length - 1]
  const coldTotal = last.coldLoadMs + last.coldCompileMs
  const perCube = data.map((d) => d.both.p50 / d.cubes)
  const linear = perCube[perCube.length - 1] <= perCube[1] * 1.5
  const verdicts = [
    {
      figure: 5,
      target: '1 000 cubes loaded and compiled in under 1 second, growing linearly',
      met: last.both.p50 / 1e6 < TARGET_MS && coldTotal < TARGET_MS && linear,
      value: `1 000 cubes: ${fmtTime(last.both.p50)} p50 steady, ${coldTotal.toFixed(0)} ms first load in a fresh process; per cube ${perCube.map((v) => fmtTime(v)).join(' → ')} (10 → 100 → 1 000)`,
    },
  ]
  const markdown = [
    'Generated models (one YAML file per cube; 8 dimensions, 8 measures, a segment and a many_to_one join per cube, a view per 10 cubes; `bench/lib/model-gen.mjs`). *load* = `loadModel(folder)` (read, parse, validate), *compile* = `compileModel()` (references, join graph, views). Steady state in one process; *first* = the first load + compile in a fresh process (cold JIT). The last column compiles the same 3-cube query against each model.',
    '',
    table(
      [
        'cubes',
        'files',
        'load p50',
        'compile p50',
        'load + compile p50',
        'load + compile p99',
        'first load + compile',
        'per cube',
        'growth',
        'query compile p50',
      ],
      rows,
    ),
  ].join('\n')
  return { title: 'Figure 5. Model load and compile time by model size', markdown, verdicts, data: { results: data } }
})
