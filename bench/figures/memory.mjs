// Figure 7: memory. Heap per tenant with 1 000 tenants on per-tenant models, and peak RSS while streaming
// every order of the 1M dataset through layer.stream(), against the raw driver iterating the same
// statement. Each measurement runs in a fresh child process (heap and peak RSS are per process).
import { execFileSync } from 'node:child_process'
import { ensureSqlite } from '../lib/datasets.mjs'
import { MODEL_DIR, runFigure, settings } from '../lib/figure.mjs'
import { benchPath, fmtBytes, fmtRatio, log, table } from '../lib/util.mjs'

const TENANTS = 1000

function child(args, nodeFlags = []) {
  const out = execFileSync(process.execPath, [...nodeFlags, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  })
  return JSON.parse(out.trim().split('\n').pop())
}

await runFigure('7', async () => {
  log(`memory: ${TENANTS} tenants`)
  const tenants = child([benchPath('children/tenants.mjs'), String(TENANTS), MODEL_DIR], ['--expose-gc'])

  const size = settings.quick ? '100k' : '1M'
  const { file } = ensureSqlite(size)
  const modes = ['raw-iterate', 'layer-stream', 'layer-query']
  const runs = {}
  for (const mode of modes) {
    log(`memory: ${mode} over the ${size} dataset`)
    runs[mode] = child([benchPath('children/stream.mjs'), file, mode])
  }
  const raw = runs['raw-iterate']
  const ours = runs['layer-stream']
  const growth = (r) => r.peak - r.baseline
  const describe = {
    'raw-iterate': 'raw better-sqlite3 `stmt.iterate()`, same statement',
    'layer-stream': '`for await (const row of layer.stream(q))`',
    'layer-query': '`layer.query()` in pages of 50 000 (offset), for contrast',
  }
  const streamRows = modes.map((m) => [
    describe[m],
    runs[m].rows.toLocaleString('en'),
    fmtBytes(runs[m].baseline),
    fmtBytes(runs[m].peak),
    fmtBytes(growth(runs[m])),
    `${(runs[m].ms / 1000).toFixed(2)} s`,
  ])

  const verdicts = [
    {
      figure: 7,
      target: 'Heap per tenant with 1 000 tenants on per-tenant models (reported)',
      met: null,
      value: `${fmtBytes(tenants.perTenant)} per tenant (${fmtBytes(tenants.after - tenants.before)} for ${TENANTS})`,
    },
    {
      figure: 7,
      target: 'layer.stream() memory stays bounded (reported; peak RSS growth vs the raw driver)',
      met: null,
      value: `peak RSS ${fmtBytes(ours.peak)} (+${fmtBytes(growth(ours))} while streaming ${ours.rows.toLocaleString('en')} rows) vs raw iterate +${fmtBytes(growth(raw))}; ${fmtRatio(growth(ours) / Math.max(1, growth(raw)), 1)} the raw growth`,
    },
  ]
  const markdown = [
    `**Heap per tenant.** ${TENANTS} tenants, \`model: () => definition\` (one parsed definition; the layer compiles it per tenant and keeps it in its LRU, \`maxTenants: ${TENANTS}\`), one \`layer.sql()\` per tenant. Heap used after full GCs, before and after, divided by ${TENANTS}.`,
    '',
    table(
      [
        'tenants',
        'heap before',
        'heap after',
        'per tenant',
        'first call per tenant (compiles its model)',
        'later calls, round robin (p50; the same query, from the compiled-query cache)',
      ],
      [
        [
          String(TENANTS),
          fmtBytes(tenants.before),
          fmtBytes(tenants.after),
          fmtBytes(tenants.perTenant),
          `${tenants.firstQueryMs.toFixed(2)} ms`,
          `${(tenants.residentQueryMs * 1000).toFixed(0)} µs`,
        ],
      ],
    ),
    '',
    `**Peak RSS while reading every order** of the ${size} dataset (\`${JSON.stringify({ dimensions: ['orders.id', 'orders.status', 'orders.amount', 'orders.created_at'], ungrouped: true })}\`), one fresh process per row; baseline = RSS after opening the database and the layer.`,
    '',
    table(['reader', 'rows', 'RSS before', 'peak RSS', 'growth', 'time'], streamRows),
  ].join('\n')
  return { title: 'Figure 7. Memory', markdown, verdicts, data: { tenants, stream: runs, size } }
})
