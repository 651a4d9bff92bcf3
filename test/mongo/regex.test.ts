/** Request text in regular expressions: escaped so that it matches itself on mingo (and PCRE) and nothing else. */
import { Aggregator } from 'mingo'
import { describe, expect, it } from 'vitest'
import { escapeRegex, textPattern, type TextMatch } from '../../src/mongo/regex.js'

const HOSTILE = [
  '.*',
  'a+b',
  '(x)',
  '[ab]',
  '{2}',
  '^$',
  'a|b',
  '50%',
  'snake_',
  'back\\slash',
  'q?',
  '-/#',
  'nul\u0000',
  'new\nline',
]
const docs = [...HOSTILE, 'abc', 'aab', 'x', 'a', 'ab', 'line\n', 'A.*B', 'xx.*yy', 'SNAKE_case', 'snakeXcase'].map(
  (s, i) => ({ i, s }),
)

function matching(values: string[], mode: TextMatch, not = false): string[] {
  const regex = { $regex: textPattern(values, mode), $options: 'i' }
  const match = not ? { s: { $not: regex } } : { s: regex }
  return new Aggregator([{ $match: match }, { $sort: { i: 1 } }], {}).run(docs).map((d) => d.s as string)
}

/** What SQL's LIKE (ASCII case-insensitive) would select, computed directly. */
function expected(values: string[], mode: TextMatch): string[] {
  const fold = (s: string) => s.toLowerCase()
  const hit = (s: string, v: string) =>
    mode === 'contains'
      ? fold(s).includes(fold(v))
      : mode === 'starts'
        ? fold(s).startsWith(fold(v))
        : fold(s).endsWith(fold(v))
  return docs.map((d) => d.s).filter((s) => values.some((v) => hit(s, v)))
}

describe('escapeRegex / textPattern', () => {
  it('matches every hostile value as its own characters, in every mode', () => {
    for (const value of HOSTILE) {
      for (const mode of ['contains', 'starts', 'ends'] as const) {
        expect(matching([value], mode), `${JSON.stringify(value)} ${mode}`).toEqual(expected([value], mode))
      }
    }
  })

  it('ORs several values, case-insensitively; the negation keeps the rest', () => {
    expect(matching(['A.*', 'snake_'], 'starts')).toEqual(expected(['A.*', 'snake_'], 'starts'))
    const all = docs.map((d) => d.s)
    const hit = matching(['.*', 'x'], 'contains')
    expect(matching(['.*', 'x'], 'contains', true)).toEqual(all.filter((s) => !hit.includes(s)))
  })

  it('ends at the end of the text, not before a final newline', () => {
    expect(matching(['line'], 'ends')).toEqual(['new\nline'])
    expect(/line$/.test('line\n')).toBe(false) // JavaScript's $; PCRE's $ would match here
  })

  it('writes control characters as \\xHH, never raw (MongoDB refuses a NUL in a pattern)', () => {
    expect(escapeRegex('a\u0000b\n')).toBe('a\\x00b\\x0a')
    expect(escapeRegex('$where')).toBe('\\$where')
  })
})
