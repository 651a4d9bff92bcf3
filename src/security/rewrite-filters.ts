import type { CubeFilter } from '../query/parse-query.js'

/**
 * The top-level filters of a query after `queryRewrite` that are security filters: the ones the hook
 * added or changed. A filter equal to one of the caller's own (each of those matched once) keeps the
 * semantics of a user filter; every other one compares text exactly, like a policy's row filter.
 * Both lists come out of `parseQuery`, which builds filters with a fixed key order, so JSON text
 * identifies a filter.
 */
export function rewriteFilters(
  before: readonly CubeFilter[] | undefined,
  after: readonly CubeFilter[] | undefined,
): ReadonlySet<number> {
  const callers = new Map<string, number>()
  for (const f of before ?? []) {
    const key = JSON.stringify(f)
    callers.set(key, (callers.get(key) ?? 0) + 1)
  }
  const added = new Set<number>()
  ;(after ?? []).forEach((f, i) => {
    const key = JSON.stringify(f)
    const left = callers.get(key) ?? 0
    if (left > 0) callers.set(key, left - 1)
    else added.add(i)
  })
  return added
}
