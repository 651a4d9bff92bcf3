// Questions over a CSV file and an Excel workbook, with no database: files() loads them into an
// in-memory SQLite database on the first query. Run: npm run build && node examples/files/answer.mjs
import { fileURLToPath } from 'node:url'
import { createSemanticLayer, loadModel } from 'cortex-semantic'
import { files } from 'cortex-semantic/files'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))

/** The questions, as Cube REST queries. */
export const QUESTIONS = {
  'Revenue by customer tier': {
    measures: ['orders.revenue', 'orders.count'],
    dimensions: ['customers.tier'],
    order: { 'orders.revenue': 'desc' },
  },
  'Paid orders per month of 2024, in Berlin time': {
    measures: ['orders.count'],
    timeDimensions: [{ dimension: 'orders.created_at', granularity: 'month', dateRange: ['2024-01-01', '2024-12-31'] }],
    filters: [{ member: 'orders.status', operator: 'equals', values: ['paid'] }],
    timezone: 'Europe/Berlin',
  },
  'Top 3 countries by revenue from active customers': {
    measures: ['orders.revenue'],
    dimensions: ['customers.country'],
    filters: [{ member: 'customers.active', operator: 'equals', values: ['true'] }],
    order: { 'orders.revenue': 'desc' },
    limit: 3,
  },
}

/** A layer over the two files. `watch: true` reloads them when they change. */
export async function createLayer({ watch = false } = {}) {
  const connector = files({
    tables: {
      orders: here('data/orders.csv'),
      customers: { path: here('data/crm.xlsx'), sheet: 'Customers' },
    },
    watch,
  })
  const layer = createSemanticLayer({ model: await loadModel(here('model')), connectors: { default: connector } })
  return { layer, connector }
}

/** Every question's rows. */
export async function answer() {
  const { layer } = await createLayer()
  try {
    const answers = {}
    for (const [question, query] of Object.entries(QUESTIONS)) answers[question] = (await layer.query(query)).data
    return answers
  } finally {
    await layer.close()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [question, rows] of Object.entries(await answer())) {
    console.log(`\n${question}`)
    console.table(rows)
  }
}
