/**
 * Shape validation of Cube's data model format (YAML/JSON, https://cube.dev/docs/reference/data-model)
 * into the types of `definition.ts`. Keys are normalized to snake_case first (Cube accepts both). Only
 * shape is checked here; references, duplicates and joins are compile-model's job.
 *
 * Keys Cube documents that we accept and DROP because they cannot change query results:
 * - members: `aliases`; dimensions: `suggest_filter_values`, `enable_suggestions`, `values_as_segments`,
 *   `field_type`; measures: `drill_filters` (only used to build drill-down queries).
 * - `shown` (all members, cubes, views) and `visible` (measures) become `public`; `public` wins.
 * Keys Cube documents that change results and Cortex does not implement produce UNSUPPORTED_FEATURE
 * (unless their value is `false`): see the `unsupported(...)` fields below.
 */
import { z } from 'zod'
import { describeName, formatPath, type ErrorIssue } from '../errors.js'
import { didYouMean } from '../util/suggest.js'
import type { CubeDefinition, DimensionType, MeasureType, Relationship, ViewDefinition } from './definition.js'

type Path = (string | number)[]
type Ctx = z.core.$RefinementCtx<unknown>

export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

/** The key names listed in an unknown-key message of {@link strict}. */
function acceptedKeys(message: string): string[] {
  return message.startsWith(ACCEPTED) ? message.slice(ACCEPTED.length, -1).split(', ') : []
}

function addIssue(ctx: Ctx, code: 'UNSUPPORTED_FEATURE' | 'WRONG_TYPE' | 'MISSING_KEY', message: string): void {
  ctx.addIssue({ code: 'custom', message, params: { code } })
}

const ACCEPTED = 'Accepted keys: '

/** A strict object whose unknown-key issue lists the accepted keys (read back by {@link acceptedKeys}). */
function strict<S extends z.core.$ZodLooseShape>(shape: S) {
  const accepted = `${ACCEPTED}${Object.keys(shape).join(', ')}.`
  return z.strictObject(shape, { error: (iss) => (iss.code === 'unrecognized_keys' ? accepted : undefined) })
}

/** A string from a fixed set, with aliases mapped and known-but-unsupported values reported as such. */
function choice<T extends string>(
  what: string,
  valid: readonly T[],
  aliases: Record<string, T>,
  unsupported: Record<string, string>,
) {
  const list = `Use one of: ${valid.join(', ')}.`
  return z.unknown().transform((value, ctx): T => {
    if (typeof value === 'string') {
      if ((valid as readonly string[]).includes(value)) return value as T
      if (Object.hasOwn(aliases, value)) return aliases[value] as T
      if (Object.hasOwn(unsupported, value)) addIssue(ctx, 'UNSUPPORTED_FEATURE', unsupported[value] ?? '')
      else addIssue(ctx, 'WRONG_TYPE', `is not a valid ${what}. ${list}`)
    } else if (value === undefined) addIssue(ctx, 'MISSING_KEY', `is required. ${list}`)
    else addIssue(ctx, 'WRONG_TYPE', `must be a ${what} written as a string. ${list}`)
    return z.NEVER
  })
}

/** A key Cube documents that changes results and Cortex does not implement; `false` is harmless. */
function unsupported(feature: string) {
  return z
    .unknown()
    .superRefine((value, ctx) => {
      if (value !== undefined && value !== false)
        addIssue(
          ctx,
          'UNSUPPORTED_FEATURE',
          `uses ${feature}, which Cortex does not implement yet (results would differ from Cube). Remove the key.`,
        )
    })
    .exactOptional()
}

const str = z.string()
const bool = z.boolean()
const name = z.string().regex(NAME_PATTERN)
const record = z.record(z.string(), z.unknown())
const list = <T extends z.ZodType>(item: T) => z.array(item).default([])
/**
 * A format name or mapping. Not a `z.union`: zod runs an absent optional key's schema too, and a failing
 * union builds a full message for each branch, which cost a third of validation on large models.
 */
const format = z.custom<string | Record<string, unknown>>(
  (value) =>
    typeof value === 'string' || (typeof value === 'object' && value !== null && record.safeParse(value).success),
  {
    error:
      'must be a format name (e.g. currency, percent, number) or a mapping such as { type: custom-numeric, value: ".2f" }.',
  },
)
const described = {
  title: str.exactOptional(),
  description: str.exactOptional(),
  meta: record.exactOptional(),
  public: bool.exactOptional(),
  shown: bool.exactOptional(),
}

/** The keys {@link tidy} drops: the given ones plus `shown` and `visible`. Built once per schema. */
function dropping<const K extends string>(...names: K[]): ReadonlySet<K | 'shown' | 'visible'> {
  return new Set<K | 'shown' | 'visible'>([...names, 'shown', 'visible'])
}

/** Drop accepted-but-ignored keys and fold Cube's `shown`/`visible` into `public` (copying, not deleting, keeps objects fast). */
function tidy<T extends { public?: boolean; shown?: boolean; visible?: boolean }, K extends string>(
  value: T,
  drop: ReadonlySet<K>,
): Omit<T, K> {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) if (!drop.has(key as K)) out[key] = (value as Record<string, unknown>)[key]
  const shown = value.shown ?? value.visible
  if (value.public === undefined && shown !== undefined) out['public'] = shown
  return out as Omit<T, K>
}

const DIMENSION_TYPES: readonly DimensionType[] = ['string', 'number', 'time', 'boolean']
const dimensionType = choice(
  'dimension type',
  DIMENSION_TYPES,
  {},
  {
    geo: 'uses dimension type geo, which Cortex does not support yet: model latitude and longitude as two number dimensions.',
    switch:
      'uses dimension type switch (multi-stage), which Cortex does not support yet: use a case dimension instead.',
  },
)
const MEASURE_TYPES: readonly MeasureType[] = [
  'count',
  'count_distinct',
  'count_distinct_approx',
  'sum',
  'avg',
  'min',
  'max',
  'number',
  'string',
  'time',
  'boolean',
]
const runningTotal =
  'uses measure type running_total, which Cortex does not support yet: use sum with a date range instead.'
const measureType = choice(
  'measure type',
  MEASURE_TYPES,
  { countDistinct: 'count_distinct', countDistinctApprox: 'count_distinct_approx' },
  {
    running_total: runningTotal,
    runningTotal,
    rank: 'uses measure type rank (multi-stage), which Cortex does not support yet: compute ranks in the application.',
    number_agg: 'uses measure type number_agg (multi-stage), which Cortex does not support yet: use type number.',
    numberAgg: 'uses measure type number_agg (multi-stage), which Cortex does not support yet: use type number.',
  },
)
const RELATIONSHIPS: readonly Relationship[] = ['one_to_one', 'one_to_many', 'many_to_one']
const relationship = choice(
  'relationship',
  RELATIONSHIPS,
  {
    has_one: 'one_to_one',
    hasOne: 'one_to_one',
    oneToOne: 'one_to_one',
    has_many: 'one_to_many',
    hasMany: 'one_to_many',
    oneToMany: 'one_to_many',
    belongs_to: 'many_to_one',
    belongsTo: 'many_to_one',
    manyToOne: 'many_to_one',
  },
  {},
)

const label = z.union([str, strict({ sql: str })], { error: 'must be a string or a mapping with sql' })
const caseSchema = strict({ when: z.array(strict({ sql: str, label })), else: strict({ label }).exactOptional() })

const DIMENSION_DROPPED = dropping(
  'aliases',
  'suggest_filter_values',
  'enable_suggestions',
  'values_as_segments',
  'field_type',
  'time_shift',
  'multi_stage',
  'add_group_by',
  'latitude',
  'longitude',
  'values',
  'order',
)
const dimensionSchema = strict({
  name,
  type: dimensionType,
  sql: str.exactOptional(),
  case: caseSchema.exactOptional(),
  primary_key: bool.exactOptional(),
  format: format.exactOptional(),
  sub_query: bool.exactOptional(),
  propagate_filters_to_sub_query: bool.exactOptional(),
  granularities: z.array(z.unknown()).exactOptional(),
  ...described,
  aliases: z.array(str).exactOptional(),
  suggest_filter_values: bool.exactOptional(),
  enable_suggestions: bool.exactOptional(),
  values_as_segments: bool.exactOptional(),
  field_type: str.exactOptional(),
  time_shift: unsupported('calendar time shifts'),
  multi_stage: unsupported('multi-stage dimensions'),
  add_group_by: unsupported('multi-stage add_group_by'),
  latitude: unsupported('geo dimensions'),
  longitude: unsupported('geo dimensions'),
  values: unsupported('switch dimensions'),
  order: unsupported('a default sort order for the dimension'),
}).transform((d) => tidy(d, DIMENSION_DROPPED))

const MEASURE_DROPPED = dropping(
  'aliases',
  'drill_filters',
  'cumulative',
  'group_by',
  'reduce_by',
  'add_group_by',
  'time_shift',
  'order_by',
  'case',
)
const measureSchema = strict({
  name,
  type: measureType,
  sql: str.exactOptional(),
  filters: list(strict({ sql: str })),
  format: format.exactOptional(),
  drill_members: list(str),
  rolling_window: record.exactOptional(),
  multi_stage: bool.exactOptional(),
  ...described,
  visible: bool.exactOptional(),
  aliases: z.array(str).exactOptional(),
  drill_filters: z.array(z.unknown()).exactOptional(),
  cumulative: unsupported('cumulative measures'),
  group_by: unsupported('multi-stage group_by'),
  reduce_by: unsupported('multi-stage reduce_by'),
  add_group_by: unsupported('multi-stage add_group_by'),
  time_shift: unsupported('time-shift measures'),
  order_by: unsupported('multi-stage order_by'),
  case: unsupported('multi-stage case/switch measures'),
}).transform((m) => tidy(m, MEASURE_DROPPED))

const SEGMENT_DROPPED = dropping('aliases')
const segmentSchema = strict({ name, sql: str, ...described, aliases: z.array(str).exactOptional() }).transform((s) =>
  tidy(s, SEGMENT_DROPPED),
)
const hierarchySchema = strict({
  name,
  levels: z.array(str),
  title: str.exactOptional(),
  description: str.exactOptional(),
  meta: record.exactOptional(),
  public: bool.exactOptional(),
})
const joinSchema = strict({ name, relationship, sql: str })

const GRANULARITIES = ['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'] as const
const granularity = choice('granularity', GRANULARITIES, {}, {})
const laterRollup = (what: string): string =>
  `is a ${what} pre-aggregation, which Cortex does not build yet. Use type rollup (the default) or remove it.`
const rollupType = choice(
  'pre-aggregation type',
  ['rollup'] as const,
  { rollUp: 'rollup' },
  {
    original_sql: laterRollup('original_sql'),
    originalSql: laterRollup('original_sql'),
    rollup_join: laterRollup('rollup_join'),
    rollupJoin: laterRollup('rollup_join'),
    rollup_lambda: laterRollup('rollup_lambda'),
    rollupLambda: laterRollup('rollup_lambda'),
  },
)
const rollupRefreshKey = strict({
  every: str.exactOptional(),
  sql: str.exactOptional(),
  incremental: bool.exactOptional(),
  update_window: str.exactOptional(),
})
const rollupIndex = strict({ name, columns: z.array(str), type: z.literal('regular').exactOptional() })
/** Cube's `type: rollup` pre-aggregation (docs/pre-aggregations.md); other types are refused. */
const rollupSchema = strict({
  name,
  type: rollupType.exactOptional(),
  measures: list(str),
  dimensions: list(str),
  segments: list(str),
  time_dimension: str.exactOptional(),
  granularity: granularity.exactOptional(),
  partition_granularity: granularity.exactOptional(),
  build_range_start: strict({ sql: str }).exactOptional(),
  build_range_end: strict({ sql: str }).exactOptional(),
  refresh_key: rollupRefreshKey.exactOptional(),
  indexes: list(rollupIndex),
  allow_non_strict_date_range_match: bool.exactOptional(),
  scheduled_refresh: bool.exactOptional(),
  external: bool.exactOptional(),
  union_with_source_data: unsupported('lambda pre-aggregations (union_with_source_data)'),
  use_original_sql_pre_aggregations: unsupported('original_sql pre-aggregations'),
  rollups: unsupported('rollup_join / rollup_lambda pre-aggregations'),
  time_dimensions: unsupported('several time dimensions in one pre-aggregation'),
  output_column_types: unsupported('output_column_types'),
}).transform(({ union_with_source_data: _u, use_original_sql_pre_aggregations: _o, rollups: _r, ...rest }) => {
  const { time_dimensions: _t, output_column_types: _c, external: _e, ...kept } = rest
  return kept
})

const CUBE_DROPPED = dropping('calendar', 'rewrite_queries')
export const cubeSchema = strict({
  name,
  sql_table: str.exactOptional(),
  sql: str.exactOptional(),
  data_source: str.exactOptional(),
  extends: str.exactOptional(),
  sql_alias: str.exactOptional(),
  ...described,
  joins: list(joinSchema),
  dimensions: list(dimensionSchema),
  measures: list(measureSchema),
  segments: list(segmentSchema),
  hierarchies: list(hierarchySchema),
  refresh_key: record.exactOptional(),
  pre_aggregations: z.array(rollupSchema).exactOptional(),
  access_policy: z.array(record).exactOptional(),
  calendar: unsupported('calendar cubes'),
  rewrite_queries: unsupported('rewrite_queries'),
}).transform((c) => tidy(c, CUBE_DROPPED))

const includeObject = strict({
  name,
  alias: name.exactOptional(),
  title: str.exactOptional(),
  description: str.exactOptional(),
  format: format.exactOptional(),
  meta: record.exactOptional(),
})
const includes = z.union(
  [
    z.literal('*'),
    z.array(
      z.union([str, includeObject], {
        error: 'must be a member name or a mapping { name, alias?, title?, description?, format?, meta? }',
      }),
    ),
  ],
  {
    error: "must be '*' or a list of member names",
  },
)
const viewCubeSchema = strict({
  join_path: str,
  includes,
  excludes: list(str),
  prefix: bool.exactOptional(),
  alias: str.exactOptional(),
  split: unsupported('split views'),
}).transform(({ split: _split, ...rest }) => rest)

const VIEW_DROPPED = dropping('extends', 'measures', 'dimensions', 'segments')
export const viewSchema = strict({
  name,
  ...described,
  cubes: z.array(viewCubeSchema),
  folders: z.array(z.unknown()).exactOptional(),
  access_policy: z.array(record).exactOptional(),
  extends: unsupported('view inheritance (extends)'),
  measures: unsupported('members defined directly in a view; include them from a cube instead'),
  dimensions: unsupported('members defined directly in a view; include them from a cube instead'),
  segments: unsupported('members defined directly in a view; include them from a cube instead'),
}).transform((v) => tidy(v, VIEW_DROPPED))

export const modelFileSchema = strict({ cubes: list(cubeSchema), views: list(viewSchema) })

// Compile-time proof that the schemas produce exactly the definition types.
type Assert<T extends U, U> = T
export type SchemaChecks = [
  Assert<z.output<typeof cubeSchema>, CubeDefinition>,
  Assert<z.output<typeof viewSchema>, ViewDefinition>,
]

// ---------------------------------------------------------------------------------------------------
// Key normalization

interface Normalized {
  value: unknown
  issues: ErrorIssue[]
  reported: Set<string>
  originals: WeakMap<object, Map<string, string>>
}

/** `sqlTable` → `sql_table`. Only keys that look like camelCase change; anything else is kept for the unknown-key message. */
export function toSnakeCase(key: string): string {
  return hasUpperCase(key) && /^[a-z][a-zA-Z0-9]*$/.test(key)
    ? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
    : key
}

/** Most keys are already snake_case; this check is cheaper than the regular expressions above. */
function hasUpperCase(key: string): boolean {
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i)
    if (c >= 65 && c <= 90) return true
  }
  return false
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

const UNREADABLE: readonly string[] = Object.freeze([])

/** Object.keys, or {@link UNREADABLE} when a proxy throws. */
function ownKeys(value: object): readonly string[] {
  try {
    return Object.keys(value)
  } catch {
    return UNREADABLE
  }
}

/** Copy input into fresh plain data with snake_case keys (not inside `meta`), never assigning dangerous keys. */
function normalize(input: unknown): Normalized {
  const out: Normalized = { value: undefined, issues: [], reported: new Set(), originals: new WeakMap() }
  const stack = new Set<object>()
  const path: Path = [] // where walk is; copied only when an issue is reported
  const bad = (at: Path, code: string, message: string): void => {
    out.issues.push({ code, path: at, message })
    out.reported.add(JSON.stringify(at))
  }
  const walkObject = (value: object, inMeta: boolean): Record<string, unknown> => {
    const copy: Record<string, unknown> = {}
    const renamed = new Map<string, string>()
    const keys = ownKeys(value)
    if (keys === UNREADABLE) bad([...path], 'WRONG_TYPE', 'could not be read (a proxy refused to list its keys).')
    for (const key of keys) {
      if (FORBIDDEN_KEYS.has(key)) {
        bad([...path, key], 'UNKNOWN_KEY', 'is not allowed as a key (it could modify object prototypes). Remove it.')
        continue
      }
      let item: unknown
      try {
        item = (value as Record<string, unknown>)[key]
      } catch {
        bad([...path, key], 'WRONG_TYPE', 'could not be read (its getter threw); the model must be plain data.')
        continue
      }
      if (item === undefined) continue
      const k = inMeta ? key : toSnakeCase(key)
      if (Object.hasOwn(copy, k)) {
        bad(
          [...path, k],
          'DUPLICATE_KEY',
          `is given twice (as ${describeName(renamed.get(k) ?? k)} and ${describeName(key)}); Cube treats camelCase and snake_case keys as the same key. Keep one.`,
        )
        continue
      }
      if (k !== key) renamed.set(k, key)
      path.push(k)
      copy[k] = walk(item, inMeta || k === 'meta')
      path.pop()
    }
    if (renamed.size) out.originals.set(copy, renamed)
    return copy
  }
  const walkArray = (value: readonly unknown[], inMeta: boolean): unknown[] => {
    const copy = new Array<unknown>(value.length)
    for (let i = 0; i < value.length; i++) {
      path.push(i)
      copy[i] = walk(value[i], inMeta)
      path.pop()
    }
    return copy
  }
  const walk = (value: unknown, inMeta: boolean): unknown => {
    if (typeof value === 'function')
      return (
        bad(
          [...path],
          'WRONG_TYPE',
          "is a JavaScript function. Cortex reads Cube's YAML/JSON format: write SQL and references as strings.",
        ),
        value
      )
    if (typeof value === 'bigint' || typeof value === 'symbol')
      return (bad([...path], 'WRONG_TYPE', `is a ${typeof value}; use a string, number or boolean.`), undefined)
    if (value === null || typeof value !== 'object') return value
    if (stack.has(value))
      return (bad([...path], 'WRONG_TYPE', 'contains a circular reference; the model must be plain data.'), null)
    if (!Array.isArray(value) && !isPlainObject(value))
      return (
        bad(
          [...path],
          'WRONG_TYPE',
          'must be plain data (string, number, boolean, null, list or mapping), not a class instance such as a Date.',
        ),
        value
      )
    stack.add(value)
    try {
      return Array.isArray(value) ? walkArray(value, inMeta) : walkObject(value, inMeta)
    } finally {
      stack.delete(value)
    }
  }
  out.value = walk(input, false)
  return out
}

// ---------------------------------------------------------------------------------------------------
// Issue mapping

const MEMBER_LISTS: Record<string, string> = {
  measures: 'measure',
  dimensions: 'dimension',
  segments: 'segment',
  joins: 'join',
  hierarchies: 'hierarchy',
}

function child(value: unknown, seg: string | number): unknown {
  if (Array.isArray(value) && typeof seg === 'number') return value[seg]
  if (value !== null && typeof value === 'object' && typeof seg === 'string' && Object.hasOwn(value, seg))
    return (value as Record<string, unknown>)[seg]
  return undefined
}

function nameOf(value: unknown): string | undefined {
  const n = child(value, 'name')
  return typeof n === 'string' && n !== '' ? n : undefined
}

interface Located {
  path: Path
  owner: string
  key: string
  subject: string
}

/** Replace list indexes with member names where the item has one, and describe where the path points. */
function locate(raw: Path, root: unknown, file: string | undefined): Located {
  const path: Path = []
  const owners: string[] = []
  let rest = 0
  let cur = root
  for (let i = 0; i < raw.length; i++) {
    const seg = raw[i] as string | number
    const parent = raw[i - 1]
    const kind =
      i === 1 && (parent === 'cubes' || parent === 'views')
        ? parent === 'cubes'
          ? 'cube'
          : 'view'
        : i === 3 && raw[0] === 'cubes' && typeof parent === 'string' && Object.hasOwn(MEMBER_LISTS, parent)
          ? MEMBER_LISTS[parent]
          : i === 3 && raw[0] === 'views' && parent === 'cubes'
            ? 'cubes entry'
            : undefined
    cur = child(cur, seg)
    const n = kind === undefined || kind === 'cubes entry' ? undefined : nameOf(cur)
    path.push(kind !== undefined && n !== undefined ? n : seg)
    if (kind !== undefined && typeof seg === 'number') {
      const joinPath = kind === 'cubes entry' ? child(cur, 'join_path') : undefined
      owners.unshift(
        n !== undefined
          ? `${kind} ${describeName(n)}`
          : typeof joinPath === 'string'
            ? `cubes entry with join_path ${describeName(joinPath)}`
            : `${kind} at index ${seg}`,
      )
      rest = i + 1
    }
  }
  const owner = owners.length ? owners.join(' of ') : 'the model file'
  const key = formatPath(raw.slice(rest))
  const subject = key ? `Key ${describeName(key)} in ${owner}` : owner.charAt(0).toUpperCase() + owner.slice(1)
  return { path: file === undefined ? path : [file, ...path], owner, key, subject }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'function') return 'a function'
  return typeof value === 'boolean' ? 'a boolean' : `a ${typeof value}`
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  boolean: 'true or false',
  number: 'a number',
  array: 'a list',
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
}

const FIX_NAME = 'use only letters, digits and underscores, and do not start with a digit (for example order_items).'

function mapIssue(
  iss: z.core.$ZodIssue,
  prefix: Path,
  norm: Normalized,
  file: string | undefined,
  out: ErrorIssue[],
): void {
  const raw: Path = [...prefix, ...(iss.path as Path)]
  const root = norm.value
  const push = (code: string, path: Path, message: (where: Located) => string): void => {
    if (norm.reported.has(JSON.stringify(path))) return
    const where = locate(path, root, file)
    out.push({ code, path: where.path, message: message(where) })
  }
  const parent = raw.slice(0, -1).reduce<unknown>((v, s) => child(v, s), root)
  const key = raw[raw.length - 1]
  const absent =
    typeof key === 'string' &&
    parent !== null &&
    typeof parent === 'object' &&
    !Array.isArray(parent) &&
    !Object.hasOwn(parent, key)
  const missing = (expected: string): void =>
    push(
      'MISSING_KEY',
      raw,
      (w) =>
        `Missing required key ${describeName(key)} in ${raw.length > 1 && w.key !== key ? `${describeName(w.key.slice(0, -String(key).length - 1))} of ` : ''}${w.owner}. Add ${describeName(key)} (${expected}).`,
    )
  if (iss.code === 'unrecognized_keys') {
    const originals = norm.originals.get(raw.reduce<unknown>((v, s) => child(v, s), root) as object)
    const at = locate(raw, root, file)
    const inside = at.key ? `${describeName(at.key)} of ${at.owner}` : at.owner
    const accepted = acceptedKeys(iss.message)
    for (const key of iss.keys) {
      const shown = originals?.get(key)
      const hint = didYouMean(key, accepted)
      const written = `${describeName(shown ?? key)}${shown ? ` (read as ${describeName(key)})` : ''}`
      const fix = `${hint ? 'Fix' : 'Check'} the spelling or remove the key.`
      push('UNKNOWN_KEY', [...raw, key], () => `Unknown key ${written} in ${inside}.${hint} ${iss.message} ${fix}`)
    }
  } else if (iss.code === 'invalid_union') {
    const matching = iss.errors.filter(
      (branch) => !branch.some((e) => e.path.length === 0 && (e.code === 'invalid_type' || e.code === 'invalid_value')),
    )
    if (matching.length === 1) for (const e of matching[0] ?? []) mapIssue(e, raw, norm, file, out)
    else if (absent) missing(iss.message.replace(/^must be /, ''))
    else push('WRONG_TYPE', raw, (w) => `${w.subject} ${iss.message}.`)
  } else if (iss.code === 'invalid_format') {
    push('INVALID_NAME', raw, (w) => `${w.subject} is not a valid name: ${FIX_NAME}`)
  } else if (iss.code === 'custom') {
    const code = typeof iss.params?.['code'] === 'string' ? (iss.params['code'] as string) : 'WRONG_TYPE'
    push(code, raw, (w) => `${w.subject} ${iss.message}`)
  } else if (iss.code === 'invalid_type') {
    const expected = EXPECTED[iss.expected] ?? iss.expected
    if (absent) missing(expected)
    else {
      const actual = kindOf(raw.reduce<unknown>((v, s) => child(v, s), root))
      push('WRONG_TYPE', raw, (w) =>
        raw.length === 0
          ? `The top level of a model file must be a mapping with cubes and/or views lists, but is ${actual}.`
          : `${w.subject} must be ${expected}, but is ${actual}. Change the value.`,
      )
    }
  } else {
    push('WRONG_TYPE', raw, (w) => `${w.subject} is invalid: ${iss.message}.`)
  }
}

/**
 * Validate the parsed content of one model file (or a `{ cubes, views }` object). Returns the
 * definitions (without `file`) and every issue found; the definitions are only meaningful when there
 * are no issues.
 */
export function validateModelContent(
  content: unknown,
  file?: string,
): { cubes: CubeDefinition[]; views: ViewDefinition[]; issues: ErrorIssue[] } {
  const norm = normalize(content)
  const issues = norm.issues.map((i) => {
    const where = locate([...i.path], norm.value, file)
    return { code: i.code, path: where.path, message: `${where.subject} ${i.message}` }
  })
  const result = modelFileSchema.safeParse(norm.value)
  if (!result.success) for (const iss of result.error.issues) mapIssue(iss, [], norm, file, issues)
  if (!result.success || issues.length) return { cubes: [], views: [], issues }
  return { cubes: result.data.cubes, views: result.data.views, issues }
}
