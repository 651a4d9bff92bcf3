/** docs/mongodb.md shows the ten bench pipelines exactly as test/mongo/hand-pipelines.ts has (and tests) them. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BENCH_PIPELINES } from './hand-pipelines.js'
import { pipelineText } from './harness/pipeline-text.js'

const DOC = readFileSync(join(import.meta.dirname, '../../docs/mongodb.md'), 'utf8')

describe('docs/mongodb.md', () => {
  for (const [i, c] of BENCH_PIPELINES.entries()) {
    it(`shows bench pipeline ${i + 1} (${c.name}) as tested`, () => {
      expect(DOC).toContain(`### ${i + 1}. ${c.name}\n\n\`\`\`js\n${pipelineText(c.collection, c.pipeline)}\n\`\`\``)
    })
  }
})
