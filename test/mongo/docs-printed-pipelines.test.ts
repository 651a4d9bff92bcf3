/**
 * docs/mongodb-pipelines.md shows the pipelines the MongoDB backend prints for the ten bench queries
 * (bench/lib/queries.mjs), exactly as `layer.sql(q)` returns them; this test keeps the page true
 * (`CORTEX_WRITE_DOCS=1 npx vitest run test/mongo/docs-printed-pipelines.test.ts` rewrites it).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { compileModel, createSemanticLayer, loadModel } from '../../src/index.js'
import { mongodb, type MongoPipeline } from '../../src/mongodb.js'
import { MODEL_DIR } from '../integration/oracle/layer.js'
import { loadDataset } from './harness/dataset.js'
import { mingoDb } from './harness/mingo-db.js'

const { COMPILE_QUERIES } = (await import('../../bench/lib/queries.mjs' as string)) as {
  COMPILE_QUERIES: { name: string; query: unknown }[]
}
const PAGE = new URL('../../docs/mongodb-pipelines.md', import.meta.url)

it('docs/mongodb-pipelines.md shows the printed pipelines of the ten bench queries', async () => {
  const { db, collections } = loadDataset()
  const layer = createSemanticLayer({
    model: compileModel(await loadModel(MODEL_DIR)),
    connectors: { default: mongodb({ db: mingoDb(collections), id: 'docs' }) },
  })
  let text =
    '# The ten bench queries as printed pipelines\n\n' +
    'What the MongoDB backend (src/mongo/mongo-backend.ts) prints for bench/lib/queries.mjs, exactly as\n' +
    '`layer.sql(q)` returns it (test/mongo/docs-printed-pipelines.test.ts keeps this page true). docs/mongodb.md\n' +
    'explains the stages; test/mongo/oracle-mingo.test.ts checks the results against hand-written SQL.\n'
  for (const [i, { name, query }] of COMPILE_QUERIES.entries()) {
    const printed = (await layer.sql(query as never)) as unknown as MongoPipeline
    expect(JSON.stringify(printed.pipeline)).not.toMatch(/"\$(where|function|accumulator)":/)
    text += `\n## ${i + 1}. ${name}\n\n\`\`\`json\n${JSON.stringify({ query }, null, 1)}\n\`\`\`\n\n`
    text += `\`\`\`js\ndb.${printed.collection}.aggregate(${JSON.stringify(printed.pipeline, null, 1)})\n\`\`\`\n`
  }
  await layer.close()
  db.close()
  if (process.env.CORTEX_WRITE_DOCS === '1') writeFileSync(PAGE, text)
  expect(readFileSync(PAGE, 'utf8')).toBe(text)
})
