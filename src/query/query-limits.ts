import { SemanticLayerError, type ErrorIssue } from '../errors.js'
import type { CubeFilter, CubeQuery } from './parse-query.js'

/** Per-query bounds on filter values (createSemanticLayer options of the same names). */
export interface QueryLimits {
  /** Longest filter value, in characters. */
  readonly maxFilterValueLength: number
  /** Most filter values in one query, all filters together. */
  readonly maxFilterValues: number
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxFilterValueLength: 10_000, maxFilterValues: 10_000 }

/** The limits from createSemanticLayer's options, checked (CONFIG_INVALID). */
export function resolveQueryLimits(options: Partial<Record<keyof QueryLimits, unknown>>): QueryLimits {
  const out = { ...DEFAULT_QUERY_LIMITS }
  for (const name of ['maxFilterValueLength', 'maxFilterValues'] as const) {
    const v = options[name]
    if (v === undefined) continue
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
      const issue = { code: 'INVALID_OPTION', path: [name], message: `${name} must be a positive integer.` }
      throw new SemanticLayerError('CONFIG_INVALID', [issue])
    }
    out[name] = v
  }
  return out
}

/**
 * Refuse a query whose filter values are larger than the layer allows, before anything is compiled or
 * cached: QUERY_INVALID with LIMIT_EXCEEDED issues that name the limit and the option, never the value.
 * Runs on the caller's query (hooks and policies add values of the host's own, which are not counted).
 */
export function checkQueryLimits(query: CubeQuery, limits: QueryLimits): void {
  const issues: ErrorIssue[] = []
  let count = 0
  const walk = (filters: readonly CubeFilter[], path: (string | number)[]): void => {
    filters.forEach((f, i) => {
      if ('and' in f) return walk(f.and, [...path, i, 'and'])
      if ('or' in f) return walk(f.or, [...path, i, 'or'])
      const values = f.values ?? []
      count += values.length
      values.forEach((v, j) => {
        if (typeof v === 'string' && v.length > limits.maxFilterValueLength && issues.length < 10) {
          issues.push({
            code: 'LIMIT_EXCEEDED',
            path: [...path, i, 'values', j],
            message:
              `This filter value is longer than the ${limits.maxFilterValueLength} characters allowed ` +
              '(maxFilterValueLength). Filter on a shorter value, or raise maxFilterValueLength.',
          })
        }
      })
    })
  }
  walk(query.filters ?? [], ['filters'])
  if (count > limits.maxFilterValues) {
    issues.push({
      code: 'LIMIT_EXCEEDED',
      path: ['filters'],
      message:
        `The query has ${count} filter values; at most ${limits.maxFilterValues} are allowed ` +
        '(maxFilterValues). Split it into several queries, or raise maxFilterValues.',
    })
  }
  if (issues.length > 0) throw new SemanticLayerError('QUERY_INVALID', issues)
}
