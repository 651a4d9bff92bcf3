/**
 * Rollup pre-aggregations of a cube: member references resolved to full keys and checked against the
 * compiled cubes, refresh intervals parsed, and a content hash that names their tables (a change to the
 * rollup or to the SQL of anything it reads gives new tables, so an old table is never read).
 */
import { createHash } from 'node:crypto'
import { parseInterval } from '../cache/refresh-key.js'
import { describeName, isSemanticLayerError } from '../errors.js'
import type { CompiledCube, CompiledRollup } from './compiled.js'
import type { CubeDefinition, RollupDefinition } from './definition.js'

type Path = (string | number)[]
type Report = (code: string, path: Path, message: string) => void
type Kind = 'dimension' | 'measure' | 'segment'

const LISTS = { dimension: 'dimensions', measure: 'measures', segment: 'segments' } as const

/** Resolve `count`, `CUBE.count`, `{CUBE.count}`, `orders.count` or a join path `orders.customers.city` to a key. */
function resolveRef(ref: string, owner: string): { cube: string; member: string } | undefined {
  const body = ref
    .trim()
    .replace(/^\{(.*)\}$/, '$1')
    .trim()
  const parts = body.split('.')
  if (parts.some((p) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(p))) return undefined
  if (parts.length === 1) return { cube: owner, member: parts[0]! }
  const cube = parts[parts.length - 2]!
  return { cube: cube === 'CUBE' ? owner : cube, member: parts[parts.length - 1]! }
}

/** Compile the rollups of every cube; attaches them as `preAggregations` to the (not yet frozen) cubes. */
export function compileRollups(
  cubes: Record<string, CompiledCube>,
  definitions: Readonly<Record<string, CubeDefinition>>,
  cubePath: (cube: CubeDefinition) => Path,
  report: Report,
): void {
  for (const [name, def] of Object.entries(definitions)) {
    const cube = cubes[name]
    if (!cube || !def.pre_aggregations || def.pre_aggregations.length === 0) continue
    const seen = new Set<string>()
    const out: CompiledRollup[] = []
    for (const r of def.pre_aggregations) {
      const path = [...cubePath(def), 'pre_aggregations', r.name]
      if (seen.has(r.name)) {
        report(
          'DUPLICATE_NAME',
          path,
          `Pre-aggregation ${describeName(r.name)} is defined twice in this cube. Rename one.`,
        )
        continue
      }
      seen.add(r.name)
      const compiled = compileRollup(cubes, cube, r, path, report)
      if (compiled) out.push(compiled)
    }
    ;(cube as { preAggregations?: readonly CompiledRollup[] }).preAggregations = out
  }
}

function compileRollup(
  cubes: Record<string, CompiledCube>,
  cube: CompiledCube,
  r: RollupDefinition,
  path: Path,
  report: Report,
): CompiledRollup | undefined {
  let ok = true
  const fail = (at: Path, message: string, code = 'INVALID_PRE_AGGREGATION'): void => {
    ok = false
    report(code, at, message)
  }
  const member = (ref: string, kind: Kind, at: Path): string | undefined => {
    const found = resolveRef(ref, cube.name)
    const target = found ? cubes[found.cube] : undefined
    const record = target?.[LISTS[kind]] as Readonly<Record<string, unknown>> | undefined
    if (!found || !target || !record || !Object.hasOwn(record, found.member)) {
      fail(
        at,
        `${describeName(ref)} is not a ${kind} of the model. Write CUBE.member or cube.member.`,
        'UNKNOWN_MEMBER',
      )
      return undefined
    }
    return `${found.cube}.${found.member}`
  }
  const list = (refs: readonly string[], kind: Kind): string[] =>
    refs.flatMap((ref, i) => member(ref, kind, [...path, LISTS[kind], i]) ?? [])
  const measures = list(r.measures, 'measure')
  const dimensions = list(r.dimensions, 'dimension')
  const segments = list(r.segments, 'segment')
  for (const key of measures) {
    const [c, m] = key.split('.') as [string, string]
    if (cubes[c]!.measures[m]!.calculated)
      fail(
        [...path, 'measures'],
        `${describeName(key)} is calculated from other measures; list the measures it uses instead (a rollup holding them serves it).`,
      )
  }
  let timeDimension: string | undefined
  if (r.time_dimension !== undefined) {
    timeDimension = member(r.time_dimension, 'dimension', [...path, 'time_dimension'])
    const [c, m] = (timeDimension ?? '.').split('.') as [string, string]
    if (timeDimension && cubes[c]!.dimensions[m]!.type !== 'time')
      fail([...path, 'time_dimension'], `${describeName(timeDimension)} is not a time dimension.`)
    if (r.granularity === undefined)
      fail([...path, 'granularity'], 'A rollup with time_dimension needs granularity (e.g. day).', 'MISSING_KEY')
  } else if (r.granularity !== undefined) {
    fail([...path, 'time_dimension'], 'granularity needs time_dimension: name the time dimension to group by.')
  }
  if (r.partition_granularity !== undefined && timeDimension === undefined)
    fail([...path, 'partition_granularity'], 'partition_granularity needs time_dimension and granularity.')
  if (r.measures.length === 0 && r.dimensions.length === 0 && r.time_dimension === undefined)
    fail(path, 'A rollup needs at least one measure or dimension.')
  const rk = r.refresh_key ?? {}
  const interval = (text: string | undefined, key: string): number | undefined => {
    if (text === undefined) return undefined
    try {
      return parseInterval(text, [...path, 'refresh_key', key])
    } catch (error) {
      if (!isSemanticLayerError(error)) throw error
      for (const issue of error.issues)
        fail([...path, 'refresh_key', key], issue.message.replace('refresh_key.every', `refresh_key.${key}`))
      return undefined
    }
  }
  const everyMs = interval(rk.every, 'every')
  const updateWindowMs = interval(rk.update_window, 'update_window')
  if (rk.incremental === true && r.partition_granularity === undefined)
    fail([...path, 'refresh_key', 'incremental'], 'incremental refresh needs partition_granularity.')
  if (rk.update_window !== undefined && rk.incremental !== true)
    fail([...path, 'refresh_key', 'update_window'], 'update_window only applies with incremental: true.')
  const columns = new Set([...dimensions, ...(timeDimension ? [timeDimension] : [])])
  const indexes = r.indexes.map((ix, i) => {
    const cols = ix.columns.flatMap((ref, j) => member(ref, 'dimension', [...path, 'indexes', i, 'columns', j]) ?? [])
    for (const col of cols)
      if (!columns.has(col))
        fail([...path, 'indexes', i], `Index column ${describeName(col)} is not a dimension of this rollup.`)
    return { name: ix.name, columns: cols }
  })
  if (!ok) return undefined
  const body = {
    cube: cube.name,
    name: r.name,
    measures,
    dimensions,
    segments,
    ...(timeDimension === undefined ? {} : { timeDimension }),
    ...(r.granularity === undefined ? {} : { granularity: r.granularity }),
    ...(r.partition_granularity === undefined ? {} : { partitionGranularity: r.partition_granularity }),
    ...(r.build_range_start === undefined ? {} : { buildRangeStart: r.build_range_start.sql }),
    ...(r.build_range_end === undefined ? {} : { buildRangeEnd: r.build_range_end.sql }),
    refreshKey: {
      ...(everyMs === undefined ? {} : { everyMs }),
      ...(rk.sql === undefined ? {} : { sql: rk.sql }),
      incremental: rk.incremental === true,
      ...(updateWindowMs === undefined ? {} : { updateWindowMs }),
    },
    indexes,
    allowNonStrictDateRangeMatch: r.allow_non_strict_date_range_match !== false,
    scheduledRefresh: r.scheduled_refresh !== false,
  }
  // What the table's rows depend on: the rollup, and the SQL of the cubes and members it reads (joins too).
  const read = new Set([cube.name, ...[...measures, ...dimensions, ...segments].map((k) => k.split('.')[0]!)])
  const sources = [...read].sort().map((c) => {
    const x = cubes[c]!
    return [c, x.from, x.joins, x.dimensions, x.measures, x.segments]
  })
  const hash = createHash('sha256')
    .update(JSON.stringify([body, sources]))
    .digest('hex')
    .slice(0, 12)
  return { ...body, hash }
}
