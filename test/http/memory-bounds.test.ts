/**
 * Memory exhaustion by one authenticated user (issue 16, finding 2): the compiled-query LRU was bounded by
 * count only and compile-only calls filled it; 500 unique ~0.9 MB `contains` queries to /v1/sql grew the
 * heap by ~2.6 MB each (1.3 GB at 500 requests; a default server died after about 445 of them).
 *
 * bench/memory-compile-only.mjs serves the built package over a loopback port and sends the requests; it
 * reports the heap after a full collection (--expose-gc) every 100 requests. The bounds asserted are
 * generous (the compiled-query cache alone may hold 32 MiB by its own estimate): what they catch is growth
 * with the number of requests, which before the fix was a megabyte or more per request.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const REPO = fileURLToPath(new URL('../..', import.meta.url))
const SCRIPT = fileURLToPath(new URL('../../bench/memory-compile-only.mjs', import.meta.url))
const BUILT = existsSync(new URL('../../dist/http.js', import.meta.url))

interface Report {
  readonly scenario: string
  readonly requests: number
  /** Heap used after a full collection, in MB: before the first request, then after every 100. */
  readonly heapMb: readonly number[]
  readonly statuses: Readonly<Record<string, number>>
}

async function measure(scenario: string): Promise<Report> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', SCRIPT, scenario], {
    cwd: REPO,
    maxBuffer: 2 ** 20,
    timeout: 120_000,
  })
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Report
}

describe('500 unique large compile-only requests through the HTTP handler keep the heap bounded', () => {
  if (!BUILT && process.env.CI === 'true') {
    it('needs the build (dist/) when CI=true', () => {
      throw new Error('dist/http.js is missing: .ci/run builds before it tests')
    })
    return
  }

  it.skipIf(!BUILT)(
    'regression: ~0.9 MB queries (one value each, value limit raised so they reach the caches) are not kept',
    { timeout: 180_000 },
    async () => {
      const [large, medium] = await Promise.all([measure('one-value'), measure('medium')])
      for (const r of [large, medium]) {
        expect(r.statuses).toEqual({ 200: 500 }) // the premise: every query was accepted and compiled
        expect(r.heapMb).toHaveLength(6)
        // Bounded: at most 64 MB more than before the first request (before the fix: ~1 300 MB for `large`)...
        expect(r.heapMb[5]! - r.heapMb[0]!).toBeLessThan(64)
        // ...and flat at the end: the last 200 requests add less than 6 MB (before: ~520 MB for `large`,
        // 13 MB for `medium`, whose 500 entries were all kept under the old count-only bound of 1 000; after:
        // under 1 MB for both).
        expect(r.heapMb[5]! - r.heapMb[3]!).toBeLessThan(6)
      }
    },
  )

  it.skipIf(!BUILT)(
    'with the default limits, ~0.9 MB of 10 000-character values per request is accepted and not kept',
    { timeout: 180_000 },
    async () => {
      const r = await measure('many-values')
      expect(r.statuses).toEqual({ 200: 500 })
      expect(r.heapMb[5]! - r.heapMb[0]!).toBeLessThan(64)
      expect(r.heapMb[5]! - r.heapMb[3]!).toBeLessThan(6)
    },
  )
})
