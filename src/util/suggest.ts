/**
 * "Did you mean …?" for misspelt names (members, cubes, model keys, options, operators): the closest
 * candidates by optimal string alignment distance (Levenshtein plus adjacent transpositions, so
 * `sql_tabel` is one edit from `sql_table`), compared case-insensitively. Callers pass only names the
 * caller may see: a hidden member must never be suggested.
 */

/** Names longer than this get no suggestion: the search costs time proportional to the length. */
const MAX_INPUT_LENGTH = 100
/** At most this many suggestions, all at the same (best) distance. */
const MAX_SUGGESTIONS = 3

/**
 * Optimal string alignment distance between `a` and `b`: insertions, deletions, substitutions and swaps
 * of two adjacent characters each cost 1. Stops early and returns `max + 1` once the distance must exceed
 * `max`.
 */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > max) return max + 1
  if (a === b) return 0
  let beforePrevious: number[] = []
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  let previousMin = 0
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, beforePrevious[j - 2]! + 1)
      current.push(d)
      if (d < rowMin) rowMin = d
    }
    // A later row can only go below this row's minimum through a swap from the row before (+1).
    if (rowMin > max && previousMin >= max) return max + 1
    previousMin = rowMin
    beforePrevious = previous
    previous = current
  }
  return Math.min(previous[b.length]!, max + 1)
}

/** How far a name of this length may be from a suggestion: 1 edit for 1–2 characters, 2 up to 5, then 3. */
function allowedDistance(length: number): number {
  return length <= 2 ? 1 : length <= 5 ? 2 : 3
}

/** Are the characters of `short` found in `long` in order (`cnt` in `count`)? */
function isSubsequence(short: string, long: string): boolean {
  let k = 0
  for (let i = 0; i < long.length && k < short.length; i++) if (long[i] === short[k]) k++
  return k === short.length
}

/**
 * The candidates closest to `input` (case-insensitive), best first; empty when none is close enough.
 * Among equally distant candidates, those that contain the input's letters in order (an abbreviation:
 * `cnt` → `count`) win.
 *
 * @example
 * closestNames('sql_tabel', ['sql', 'sql_table', 'title']) // ['sql_table']
 */
export function closestNames(input: string, candidates: Iterable<string>): string[] {
  if (input.length === 0 || input.length > MAX_INPUT_LENGTH) return []
  const needle = input.toLowerCase()
  const max = allowedDistance(needle.length)
  let best = Number.POSITIVE_INFINITY
  let found: string[] = []
  for (const candidate of new Set(candidates)) {
    if (candidate === input) continue
    const hay = candidate.toLowerCase()
    const distance = editDistance(needle, hay, max)
    if (distance > max || distance >= Math.max(needle.length, hay.length)) continue
    const score = distance - (isSubsequence(needle, hay) || isSubsequence(hay, needle) ? 0.5 : 0)
    if (score < best) (best = score), (found = [candidate])
    else if (score === best) found.push(candidate)
  }
  return found.sort().slice(0, MAX_SUGGESTIONS)
}

/**
 * ` Did you mean "orders.count"?` (with a leading space), or an empty string when no candidate is close.
 * For messages: `${message}${didYouMean(name, visibleNames)}`.
 */
export function didYouMean(input: unknown, candidates: Iterable<string>): string {
  return typeof input === 'string' ? formatSuggestions(closestNames(input, candidates)) : ''
}

/** ` Did you mean "a" or "b"?` for names already chosen (e.g. by {@link closestNames}); empty for none. */
export function formatSuggestions(names: readonly string[]): string {
  const quoted = names.map((n) => JSON.stringify(n))
  if (quoted.length === 0) return ''
  const list = quoted.length === 1 ? quoted[0]! : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]!}`
  return ` Did you mean ${list}?`
}
