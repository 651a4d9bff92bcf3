import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { closestNames, didYouMean, editDistance } from '../../src/util/suggest.js'

/** The textbook recursive definition of optimal string alignment distance, memoized: the reference. */
function referenceDistance(a: string, b: string): number {
  const memo = new Map<string, number>()
  const d = (i: number, j: number): number => {
    if (i === 0) return j
    if (j === 0) return i
    const key = `${i},${j}`
    const hit = memo.get(key)
    if (hit !== undefined) return hit
    let out = Math.min(d(i - 1, j) + 1, d(i, j - 1) + 1, d(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1))
    if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) out = Math.min(out, d(i - 2, j - 2) + 1)
    memo.set(key, out)
    return out
  }
  return d(a.length, b.length)
}

const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '_', 'd'), maxLength: 9 })

describe('editDistance', () => {
  it('counts one edit for each kind of typo', () => {
    expect(editDistance('sql_tabel', 'sql_table')).toBe(1) // adjacent swap
    expect(editDistance('defaultLimt', 'defaultLimit')).toBe(1) // missing letter
    expect(editDistance('cuont', 'count')).toBe(1)
    expect(editDistance('count', 'coumt')).toBe(1) // substitution
    expect(editDistance('counts', 'count')).toBe(1) // extra letter
    expect(editDistance('cnt', 'count')).toBe(2)
    expect(editDistance('', 'abc')).toBe(3)
    expect(editDistance('abc', 'abc')).toBe(0)
  })

  it('equals the recursive definition on random strings', () => {
    const same = fc.property(word, word, (a, b) => editDistance(a, b) === referenceDistance(a, b))
    fc.assert(same, { seed: 4242, numRuns: 500 })
  })

  it('is symmetric, zero only for equal strings, and bounded by the lengths', () => {
    fc.assert(
      fc.property(word, word, (a, b) => {
        const d = editDistance(a, b)
        expect(editDistance(b, a)).toBe(d)
        expect(d === 0).toBe(a === b)
        expect(d).toBeGreaterThanOrEqual(Math.abs(a.length - b.length))
        expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length))
      }),
      { seed: 7, numRuns: 300 },
    )
  })

  it('stops early: max + 1 whenever the true distance exceeds max, the exact value otherwise', () => {
    fc.assert(
      fc.property(word, word, fc.integer({ min: 0, max: 4 }), (a, b, max) => {
        const exact = referenceDistance(a, b)
        expect(editDistance(a, b, max)).toBe(exact > max ? max + 1 : exact)
      }),
      { seed: 99, numRuns: 500 },
    )
  })
})

describe('closestNames / didYouMean', () => {
  const members = ['count', 'cost', 'total_amount', 'status', 'created_at', 'id']

  it('suggests the intended name for the typos in the findings', () => {
    expect(closestNames('cnt', members)).toEqual(['count']) // an abbreviation beats "cost" at the same distance
    expect(closestNames('sql_tabel', ['sql', 'sql_table', 'sql_alias', 'title'])).toEqual(['sql_table'])
    expect(closestNames('defaultLimt', ['defaultLimit', 'maxLimit', 'timeoutMs'])).toEqual(['defaultLimit'])
    expect(closestNames('STATUS', members)).toEqual(['status'])
    expect(closestNames('totalAmount', members)).toEqual(['total_amount'])
  })

  it('suggests nothing for a name far from every candidate, or for very long input', () => {
    expect(closestNames('revenue', members)).toEqual([])
    expect(closestNames('x', members)).toEqual([])
    expect(closestNames('', members)).toEqual([])
    expect(closestNames('c'.repeat(101), ['c'.repeat(100)])).toEqual([])
  })

  it('lists several names at the same distance, sorted, at most three', () => {
    expect(closestNames('ab', ['aa', 'bb', 'ac', 'ax', 'zz'])).toEqual(['aa', 'ac', 'ax'])
  })

  it('only ever suggests a given candidate', () => {
    fc.assert(
      fc.property(word, fc.array(word, { maxLength: 8 }), (input, candidates) => {
        for (const s of closestNames(input, candidates)) expect(candidates).toContain(s)
      }),
      { seed: 3, numRuns: 300 },
    )
  })

  it('formats a sentence, or nothing', () => {
    expect(didYouMean('cnt', members)).toBe(' Did you mean "count"?')
    expect(didYouMean('ab', ['aa', 'ac'])).toBe(' Did you mean "aa" or "ac"?')
    expect(didYouMean('ab', ['aa', 'ac', 'ax'])).toBe(' Did you mean "aa", "ac" or "ax"?')
    expect(didYouMean('revenue', members)).toBe('')
    expect(didYouMean(42, members)).toBe('')
  })
})
