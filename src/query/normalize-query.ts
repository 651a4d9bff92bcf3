import { SemanticLayerError, describeName, type ErrorIssue } from '../errors.js'
import type { CompiledModel } from '../model/compiled.js'
import type { DimensionType } from '../model/definition.js'
import { isValidTimeZone, timeZoneNames } from '../util/time-zone.js'
import { frozenCopy } from '../util/objects.js'
import { didYouMean } from '../util/suggest.js'
import {
  GRANULARITIES,
  clampToCalendar,
  inCalendar,
  localRangeStrings,
  parseDateRange,
  parseDateValue,
} from './date-range.js'
import type {
  Condition,
  FilterNode,
  FilterScalar,
  Granularity,
  NormalizedQuery,
  OrderItem,
  ResolvedMember,
  SelectedDimension,
} from './normalized-query.js'
import type { CubeFilter, CubeQuery, FilterValue } from './parse-query.js'
import { publicVisibility, unknownMemberIssue, type Visibility } from './member-names.js'

export interface NormalizeOptions {
  readonly defaultLimit: number
  readonly maxLimit: number
  /** The clock for relative date ranges, in epoch ms; a function is called only when a range is relative. */
  readonly nowMs: number | (() => number)
  /** What the caller may see: did-you-mean suggestions come only from it. Default: public members. */
  readonly visibility?: Visibility
  /** Answer members the caller may not see exactly as unknown ones (UNKNOWN_MEMBER, no hint that they exist). */
  readonly hideInvisible?: boolean
  /** Indexes of `query.filters` that are security filters (added or changed by queryRewrite): text compares exactly. */
  readonly securityFilters?: ReadonlySet<number>
}

type Path = (string | number)[]
const OUTSIDE_CALENDAR =
  'This instant is outside the years 0001-9999 in UTC, which every engine can compare. Use a' +
  ' date inside them (a range may reach past them: it covers everything up to the end).'
const granularityMessage = (given: string): string =>
  `Unknown granularity.${didYouMean(given, GRANULARITIES)} Use one of: ${GRANULARITIES.join(', ')}.`
const GRANULARITY_SET: ReadonlySet<string> = new Set(GRANULARITIES)

/**
 * Resolve members, dates, time zone, order and limits of a parsed query against a compiled model.
 * Collects every issue and throws one QUERY_INVALID error.
 */
export function normalizeQuery(
  query: CubeQuery,
  model: CompiledModel,
  options: NormalizeOptions,
  trustedFilters: readonly CubeFilter[] = [],
): NormalizedQuery {
  return new Normalizer(model, options).run(query, trustedFilters)
}

class Normalizer {
  private readonly issues: ErrorIssue[] = []
  private readonly visibility: Visibility
  private view: string | undefined
  private usesCubes = false
  /** Set while normalizing filters from access policies and hooks: they may name private and cube members in a view query. */
  private trusted = false

  constructor(
    private readonly model: CompiledModel,
    private readonly options: NormalizeOptions,
  ) {
    this.visibility = options.visibility ?? publicVisibility(model)
  }

  private issue(code: string, path: Path, message: string): undefined {
    this.issues.push({ code, path, message })
    return undefined
  }

  run(q: CubeQuery, trustedFilters: readonly CubeFilter[]): NormalizedQuery {
    const timezone = q.timezone ?? 'UTC'
    const tzValid = isValidTimeZone(timezone)
    if (!tzValid) {
      const fix = 'Use an IANA name such as "UTC" or "Europe/Berlin" (fixed offsets like "+02:00" are not accepted).'
      this.issue('INVALID_TIMEZONE', ['timezone'], `Unknown time zone.${didYouMean(timezone, timeZoneNames())} ${fix}`)
    }
    const tz = tzValid ? timezone : 'UTC'

    const measures: ResolvedMember[] = []
    const seenMeasures = new Set<string>()
    ;(q.measures ?? []).forEach((name, i) => {
      const m = this.resolve(name, 'measure', ['measures', i])
      if (m && !seenMeasures.has(m.key)) seenMeasures.add(m.key), measures.push(m)
    })

    const dimensions: SelectedDimension[] = []
    const byKey = new Map<string, SelectedDimension>()
    const addDimension = (d: SelectedDimension): void => {
      const existing = byKey.get(d.keys[0]!)
      if (existing) {
        // The same dimension and granularity asked twice (dimensions and timeDimensions): one column, all keys.
        const merged = { ...existing, keys: [...new Set([...existing.keys, ...d.keys])] }
        dimensions[dimensions.indexOf(existing)] = merged
        byKey.set(d.keys[0]!, merged)
        return
      }
      dimensions.push(d)
      byKey.set(d.keys[0]!, d)
    }
    ;(q.dimensions ?? []).forEach((name, i) => {
      const d = this.dimension(name, ['dimensions', i])
      if (d) addDimension(d)
    })

    const where: FilterNode[] = []
    const echoTime: Record<string, unknown>[] = []
    ;(q.timeDimensions ?? []).forEach((td, i) => {
      const path: Path = ['timeDimensions', i]
      const member = this.resolve(td.dimension, 'dimension', [...path, 'dimension'])
      if (!member) return
      const type = this.dimensionType(member)
      if (type !== 'time')
        return this.issue(
          'NOT_A_TIME_DIMENSION',
          [...path, 'dimension'],
          `${describeName(td.dimension)} is a ${type} dimension; timeDimensions need a dimension of type time.`,
        )
      const echo: Record<string, unknown> = { dimension: td.dimension }
      if (td.granularity !== undefined) {
        if (!GRANULARITY_SET.has(td.granularity)) {
          return this.issue('INVALID_GRANULARITY', [...path, 'granularity'], granularityMessage(td.granularity))
        }
        const g = td.granularity as Granularity
        // Cube also returns the value under the plain name, unless the plain dimension is selected itself.
        const plainTaken = dimensions.some((d) => d.granularity === undefined && d.keys.includes(member.key))
        addDimension({
          member,
          type,
          granularity: g,
          keys: plainTaken ? [`${member.key}.${g}`] : [`${member.key}.${g}`, member.key],
        })
        echo.granularity = g
      }
      if (td.dateRange !== undefined) {
        const range = parseDateRange(td.dateRange, tz, this.options.nowMs)
        if (!range.ok) return this.issue(range.code ?? 'INVALID_DATE', [...path, 'dateRange'], range.reason)
        const condition = { op: 'range', not: false, ...clampToCalendar(range.value) } as const
        where.push({ kind: 'condition', member, type, condition })
        echo.dateRange = localRangeStrings(range.value, tz)
      }
      echoTime.push(echo)
    })

    const having: FilterNode[] = []
    ;(q.filters ?? []).forEach((f, i) => {
      const node = this.filter(f, ['filters', i], tz, this.options.securityFilters?.has(i) === true)
      if (!node) return
      const kind = this.filterKind(node, ['filters', i])
      // An empty group is a condition too (an empty `or` matches nothing): never drop it.
      if (kind === 'measure') having.push(node)
      else where.push(node)
    })
    this.trusted = true
    trustedFilters.forEach((f, i) => {
      const node = this.filter(f, ['accessFilters', i], tz, true)
      if (!node) return
      if (this.filterKind(node, ['accessFilters', i]) === 'measure')
        this.issue(
          'INVALID_POLICY_FILTER',
          ['accessFilters', i],
          'Row-level filters from access policies and hooks must use dimensions.',
        )
      else where.push(node)
    })
    this.trusted = false

    const segments: ResolvedMember[] = []
    ;(q.segments ?? []).forEach((name, i) => {
      const s = this.resolve(name, 'segment', ['segments', i])
      if (s) segments.push(s)
    })

    const ungrouped = q.ungrouped === true
    if (ungrouped && having.length > 0)
      this.issue(
        'UNGROUPED_MEASURE_FILTER',
        ['filters'],
        'Measure filters need grouping; remove them or set ungrouped: false.',
      )

    const order = this.order(q, measures, dimensions)
    const limit = q.limit ?? this.options.defaultLimit
    if (limit > this.options.maxLimit) {
      this.issue(
        'LIMIT_EXCEEDED',
        ['limit'],
        `limit is above the maximum of ${this.options.maxLimit} rows configured for this layer. Ask for fewer rows and page with offset, or raise maxLimit.`,
      )
    }
    if (measures.length + dimensions.length === 0 && this.issues.length === 0) {
      this.issue(
        'EMPTY_QUERY',
        [],
        'The query selects nothing. Add at least one measure, dimension or time dimension with a granularity.',
      )
    }
    if (this.issues.length > 0) throw new SemanticLayerError('QUERY_INVALID', this.issues)

    const echo: Record<string, unknown> = {
      measures: measures.map((m) => m.key),
      dimensions: (q.dimensions ?? []).slice(),
      timeDimensions: echoTime,
      filters: q.filters ?? [],
      segments: segments.map((s) => s.key),
      order: order.map((o) => ({ id: o.key, desc: o.desc })),
      limit,
      timezone: tz,
      ...(q.offset === undefined ? {} : { offset: q.offset }),
      ...(q.total === undefined ? {} : { total: q.total }),
      ...(ungrouped ? { ungrouped: true } : {}),
      ...(q.renewQuery === undefined ? {} : { renewQuery: q.renewQuery }),
    }
    // Not frozen at run time (ADR 7): the normalized query stays inside the layer and is readonly by type.
    // `echo` is handed to callers as result.query and shared by cached calls, so it is frozen.
    return {
      measures,
      dimensions,
      where,
      having,
      segments,
      order,
      limit,
      explicitLimit: q.limit !== undefined,
      offset: q.offset ?? 0,
      total: q.total === true,
      ungrouped,
      timezone: tz,
      ...(this.view === undefined ? {} : { view: this.view }),
      echo: frozenCopy(echo),
    }
  }

  /** Resolve `cube.member` or `view.member` to the underlying cube member of the expected kind. */
  private resolve(name: string, expected: ResolvedMember['kind'] | 'any', path: Path): ResolvedMember | undefined {
    const parts = name.split('.')
    if (parts.length !== 2 || !parts[0] || !parts[1]) {
      return this.issue(
        'UNKNOWN_MEMBER',
        path,
        `${describeName(name)} is not a member name. Use "cube.member" (e.g. "orders.count").`,
      )
    }
    const [owner, member] = parts as [string, string]
    const cube = Object.hasOwn(this.model.cubes, owner) ? this.model.cubes[owner] : undefined
    const view = Object.hasOwn(this.model.views, owner) ? this.model.views[owner] : undefined
    let resolved: ResolvedMember | undefined
    let isPublic = true
    if (cube) {
      const kind = Object.hasOwn(cube.measures, member)
        ? 'measure'
        : Object.hasOwn(cube.dimensions, member)
          ? 'dimension'
          : Object.hasOwn(cube.segments, member)
            ? 'segment'
            : undefined
      if (kind) {
        resolved = { key: name, kind, cube: owner, name: member }
        const def =
          kind === 'measure'
            ? cube.measures[member]!
            : kind === 'dimension'
              ? cube.dimensions[member]!
              : cube.segments[member]!
        isPublic = cube.public && def.public
      }
    } else if (view) {
      const vm = Object.hasOwn(view.measures, member)
        ? view.measures[member]
        : Object.hasOwn(view.dimensions, member)
          ? view.dimensions[member]
          : Object.hasOwn(view.segments, member)
            ? view.segments[member]
            : undefined
      if (vm) {
        resolved = { key: name, kind: vm.kind, cube: vm.cube, name: vm.member, viewPath: vm.path }
        isPublic = view.public
      }
    }
    if (!resolved) return this.unknown(owner, member, cube !== undefined || view !== undefined, path)
    if (this.trusted) return resolved
    if (this.options.hideInvisible) {
      const ownerVisible = this.visibility.owner(owner)
      if (!ownerVisible || !this.visibility.member(name)) return this.unknown(owner, member, ownerVisible, path)
    }
    if (!isPublic) {
      const key = cube?.public === true && resolved.kind === 'dimension' && cube.dimensions[member]!.primaryKey
      const why = key
        ? 'is a primary key, and primary keys are hidden unless the model says public: true (as in Cube)'
        : 'is not public (public: false)'
      const fix = 'Query it through a view, or make it public in the model.'
      return this.issue('MEMBER_NOT_PUBLIC', path, `${describeName(name)} ${why}. ${fix}`)
    }
    if (expected !== 'any' && resolved.kind !== expected) {
      return this.issue(
        'WRONG_MEMBER_KIND',
        path,
        `${describeName(name)} is a ${resolved.kind}; this list takes ${expected}s.`,
      )
    }
    if (view) {
      if ((this.view !== undefined && this.view !== owner) || this.usesCubes)
        return this.issue(
          'MIXED_VIEW_QUERY',
          path,
          'A query may use members of one view only, and not mix them with cube members. Add the members you need to the view.',
        )
      this.view = owner
    } else {
      if (this.view !== undefined)
        return this.issue(
          'MIXED_VIEW_QUERY',
          path,
          'A query may use members of one view only, and not mix them with cube members. Add the members you need to the view.',
        )
      this.usesCubes = true
    }
    return resolved
  }

  private unknown(owner: string, member: string, ownerKnown: boolean, path: Path): undefined {
    // Hidden owners are unknown to a caller who may not learn that they exist.
    const known = ownerKnown && (!this.options.hideInvisible || this.visibility.owner(owner))
    this.issues.push(unknownMemberIssue(this.model, this.visibility, owner, member, known, path))
    return undefined
  }

  private dimensionType(m: ResolvedMember): DimensionType {
    return this.model.cubes[m.cube]!.dimensions[m.name]!.type
  }

  private memberType(m: ResolvedMember): DimensionType {
    if (m.kind === 'dimension') return this.dimensionType(m)
    const t = this.model.cubes[m.cube]!.measures[m.name]!.type
    return t === 'string' || t === 'time' || t === 'boolean' ? t : 'number'
  }

  /** `cube.dim` or `cube.dim.granularity` in the dimensions list. */
  private dimension(name: string, path: Path): SelectedDimension | undefined {
    const parts = name.split('.')
    if (parts.length === 3) {
      const [c, d, g] = parts as [string, string, string]
      const member = this.resolve(`${c}.${d}`, 'dimension', path)
      if (!member) return undefined
      const type = this.dimensionType(member)
      if (type !== 'time')
        return this.issue(
          'NOT_A_TIME_DIMENSION',
          path,
          `Only time dimensions take a granularity; ${describeName(`${c}.${d}`)} is a ${type} dimension.`,
        )
      if (!GRANULARITY_SET.has(g)) return this.issue('INVALID_GRANULARITY', path, granularityMessage(g))
      return { member: { ...member, key: `${c}.${d}` }, type, granularity: g as Granularity, keys: [name] }
    }
    const member = this.resolve(name, 'dimension', path)
    if (!member) return undefined
    return { member, type: this.dimensionType(member), keys: [name] }
  }

  /** `exact`: a security filter, whose text comparisons are exact (see FilterNode). */
  private filter(f: CubeFilter, path: Path, tz: string, exact: boolean): FilterNode | undefined {
    if ('and' in f || 'or' in f) {
      const kind = 'and' in f ? 'and' : 'or'
      const list = 'and' in f ? f.and : f.or
      const children: FilterNode[] = []
      list.forEach((c, i) => {
        const node = this.filter(c, [...path, kind, i], tz, exact)
        if (node) children.push(node)
      })
      return { kind, children }
    }
    const member = this.resolve(f.member, 'any', [...path, 'member'])
    if (!member) return undefined
    if (member.kind === 'segment')
      return this.issue(
        'WRONG_MEMBER_KIND',
        [...path, 'member'],
        `${describeName(f.member)} is a segment; put it in segments, not filters.`,
      )
    const type = this.memberType(member)
    const condition = this.condition(f.operator, f.values ?? [], member, type, path, tz)
    if (!condition) return undefined
    const node = { kind: 'condition', member, type, condition } as const
    return exact ? { ...node, exact } : node
  }

  private condition(
    op: string,
    values: readonly FilterValue[],
    member: ResolvedMember,
    type: DimensionType,
    path: Path,
    tz: string,
  ): Condition | undefined {
    const vpath = [...path, 'values']
    const needValues = (min: number, max = Infinity): boolean => {
      if (values.length < min || values.length > max) {
        this.issue(
          'INVALID_VALUES',
          vpath,
          `Operator ${op} takes ${max === min ? `exactly ${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`} value${min === 1 && max === 1 ? '' : 's'}.`,
        )
        return false
      }
      return true
    }
    const nonNull = values.filter((v): v is string | number | boolean => v !== null)
    const nul = nonNull.findIndex((v) => typeof v === 'string' && v.includes('\u0000'))
    if (nul !== -1)
      return this.issue(
        'INVALID_VALUE',
        [...vpath, values.indexOf(nonNull[nul]!)],
        'Filter values cannot contain NUL characters (\\u0000); no SQL engine here compares them reliably.',
      )
    const hasNull = nonNull.length !== values.length
    switch (op) {
      case 'equals':
      case 'notEquals': {
        if (!needValues(1)) return undefined
        if (nonNull.length === 0) return { op: 'null', not: op === 'notEquals' }
        const scalars = this.scalars(nonNull, type, vpath, tz)
        // Cube: `x <> v` also keeps NULL rows; a null among the values flips that.
        return (
          scalars && {
            op: 'in',
            not: op === 'notEquals',
            values: scalars,
            orNull: op === 'equals' ? hasNull : !hasNull,
          }
        )
      }
      case 'contains':
      case 'notContains':
      case 'startsWith':
      case 'notStartsWith':
      case 'endsWith':
      case 'notEndsWith': {
        if (!needValues(1)) return undefined
        if (type !== 'string')
          return this.issue(
            'INVALID_OPERATOR',
            [...path, 'operator'],
            `Operator ${op} works on string members; this member is of type ${type}.`,
          )
        const not = op.startsWith('not')
        // Only null: like equals/notEquals, `contains [null]` is IS NULL and `notContains [null]` IS NOT NULL.
        if (nonNull.length === 0) return { op: 'null', not }
        const mode = op.toLowerCase().includes('contains')
          ? 'contains'
          : op.toLowerCase().includes('starts')
            ? 'starts'
            : 'ends'
        return { op: 'like', not, mode, values: nonNull.map(String), orNull: not ? !hasNull : hasNull }
      }
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte': {
        if (values.length !== 1 || nonNull.length !== 1)
          return this.issue('INVALID_VALUES', vpath, `Operator ${op} takes exactly one non-null value.`)
        const scalars = this.scalars(nonNull, type, vpath, tz)
        const cmp = op === 'gt' ? '>' : op === 'gte' ? '>=' : op === 'lt' ? '<' : '<='
        return scalars && { op: 'compare', cmp, value: scalars[0]! }
      }
      case 'set':
      case 'notSet':
        return { op: 'null', not: op === 'set' }
      case 'inDateRange':
      case 'notInDateRange': {
        if (type !== 'time')
          return this.issue(
            'INVALID_OPERATOR',
            [...path, 'operator'],
            `Operator ${op} works on time members; this member is of type ${type}.`,
          )
        if (!needValues(1, 2)) return undefined
        const strings = this.dateStrings(values, vpath)
        if (!strings) return undefined
        const range = parseDateRange(
          strings.length === 1 ? strings[0]! : [strings[0]!, strings[1]!],
          tz,
          this.options.nowMs,
        )
        if (!range.ok) return this.issue(range.code ?? 'INVALID_DATE', vpath, range.reason)
        return { op: 'range', not: op === 'notInDateRange', ...clampToCalendar(range.value) }
      }
      case 'beforeDate':
      case 'beforeOrOnDate':
      case 'afterDate':
      case 'afterOrOnDate': {
        if (type !== 'time')
          return this.issue(
            'INVALID_OPERATOR',
            [...path, 'operator'],
            `Operator ${op} works on time members; this member is of type ${type}.`,
          )
        if (!needValues(1, 1)) return undefined
        const strings = this.dateStrings(values, vpath)
        if (!strings) return undefined
        const parsed = parseDateValue(strings[0]!, tz)
        if (!parsed.ok) return this.issue('INVALID_DATE', [...vpath, 0], parsed.reason)
        if (!inCalendar(parsed.value.fromMs)) return this.issue('INVALID_DATE', [...vpath, 0], OUTSIDE_CALENDAR)
        // Cube compares with the start of the given value for all four operators.
        const cmp = op === 'beforeDate' ? '<' : op === 'beforeOrOnDate' ? '<=' : op === 'afterDate' ? '>' : '>='
        return { op: 'compare', cmp, value: { instant: parsed.value.fromMs } }
      }
      case 'measureFilter':
        if (member.kind !== 'measure')
          return this.issue('INVALID_OPERATOR', [...path, 'operator'], 'measureFilter applies to measures only.')
        return { op: 'measureFilter' }
      default:
        return this.issue('INVALID_OPERATOR', [...path, 'operator'], 'Unknown filter operator.')
    }
  }

  private dateStrings(values: readonly FilterValue[], path: Path): string[] | undefined {
    if (values.some((v) => typeof v !== 'string'))
      return this.issue('INVALID_DATE', path, 'Date values must be strings like "2024-01-31" or "2024-01-31T12:00:00".')
    return values as string[]
  }

  /** Convert filter values to the member's type so comparisons are typed on every engine. */
  private scalars(
    values: readonly (string | number | boolean)[],
    type: DimensionType,
    path: Path,
    tz: string,
  ): FilterScalar[] | undefined {
    const out: FilterScalar[] = []
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!
      if (type === 'number') {
        const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN
        if (!Number.isFinite(n))
          return this.issue(
            'INVALID_VALUE',
            [...path, i],
            'This member is a number; give a numeric value such as "200".',
          )
        out.push(n)
      } else if (type === 'boolean') {
        const b =
          v === true || v === 'true' || v === '1' || v === 1
            ? true
            : v === false || v === 'false' || v === '0' || v === 0
              ? false
              : undefined
        if (b === undefined)
          return this.issue('INVALID_VALUE', [...path, i], 'This member is a boolean; give "true" or "false".')
        out.push(b)
      } else if (type === 'time') {
        if (typeof v !== 'string')
          return this.issue(
            'INVALID_DATE',
            [...path, i],
            'This member is a time; give a date string such as "2024-01-31T00:00:00.000".',
          )
        const parsed = parseDateValue(v, tz)
        if (!parsed.ok) return this.issue('INVALID_DATE', [...path, i], parsed.reason)
        if (!inCalendar(parsed.value.fromMs)) return this.issue('INVALID_DATE', [...path, i], OUTSIDE_CALENDAR)
        out.push({ instant: parsed.value.fromMs })
      } else {
        if (typeof v === 'string' && v.length > 10_000)
          return this.issue('INVALID_VALUE', [...path, i], 'Filter values are limited to 10000 characters.')
        out.push(String(v))
      }
    }
    return out
  }

  /** A filter tree must be all-dimension (WHERE) or all-measure (HAVING). */
  private filterKind(node: FilterNode, path: Path): 'dimension' | 'measure' | 'mixed' | 'empty' {
    if (node.kind === 'condition')
      return node.member.kind === 'measure' && node.condition.op !== 'measureFilter' ? 'measure' : 'dimension'
    const kinds = new Set(node.children.map((c) => this.filterKind(c, path)).filter((k) => k !== 'empty'))
    if (kinds.has('mixed') || kinds.size > 1) {
      if (!kinds.has('mixed'))
        this.issue(
          'MIXED_FILTER',
          path,
          'An and/or group mixes measure and dimension filters. Put measure filters and dimension filters in separate top-level filters.',
        )
      return 'mixed'
    }
    return kinds.size === 0 ? 'empty' : [...kinds][0]!
  }

  private order(
    q: CubeQuery,
    measures: readonly ResolvedMember[],
    dimensions: readonly SelectedDimension[],
  ): OrderItem[] {
    const selectable = new Map<string, string>()
    for (const m of measures) selectable.set(m.key, m.key)
    for (const d of dimensions) for (const k of d.keys) if (!selectable.has(k)) selectable.set(k, d.keys[0]!)
    if (q.order === undefined) {
      const td = dimensions.find((d) => d.granularity !== undefined)
      if (td) return [{ key: td.keys[0]!, desc: false }]
      if (measures.length > 0 && dimensions.length > 0) return [{ key: measures[0]!.key, desc: true }]
      if (dimensions.length > 0) return [{ key: dimensions[0]!.keys[0]!, desc: false }]
      return []
    }
    const entries = Array.isArray(q.order) ? q.order : Object.entries(q.order)
    const out: OrderItem[] = []
    const used = new Set<string>()
    entries.forEach(([key, dir], i) => {
      if (dir === 'none') return
      const target = selectable.get(key)
      if (!target) {
        const message =
          `Cannot order by ${describeName(key)}: order by a measure or dimension that the query selects.` +
          didYouMean(key, selectable.keys())
        this.issue('INVALID_ORDER', Array.isArray(q.order) ? ['order', i] : ['order', key], message)
        return
      }
      if (used.has(target)) return
      used.add(target)
      out.push({ key: target, desc: dir === 'desc' })
    })
    return out
  }
}
