import type { ArrayRow, ObjectRow } from '../connectors/connector.js'
import { takeShaped, type FetchedRows } from '../cache/fetched-rows.js'
import { SemanticLayerError } from '../errors.js'
import type { CompiledModel } from '../model/compiled.js'
import type { NormalizedQuery } from '../query/normalized-query.js'
import type { OutputColumn } from '../sql/render-sql.js'

export type Row = Record<string, unknown>

/** How numeric text from drivers (PostgreSQL numeric/int8, MySQL DECIMAL) is returned. */
export type DecimalMode = 'number' | 'string'

type Converter = (v: unknown) => unknown
/** Shapes rows[0..n) into a new array of Cube rows. */
type ShapeAll<R> = (rows: readonly R[], n: number) => Row[]

/** Results with at least this many rows are shaped by a generated function (see {@link RowShaper}). */
const GENERATE_FROM_ROWS = 512

/**
 * Converts driver rows to Cube rows (keyed by member): numbers as numbers, booleans, local ISO time
 * text; a column selected under several names (a time dimension with its granularity) is written under
 * each. Driver rows come in one of two forms: objects keyed by column alias (`execute`), or arrays of
 * column values in SELECT-list order (`rows: 'arrays'`), which is the order of `columns` (render-sql's
 * SELECT list and ORDER BY positions follow it). Small results use a loop over the columns; large ones
 * a function generated once per shaper and form, which copies a template row (`{ ...template }`) and
 * stores each member under a fixed key: about twice as fast in V8 as filling `{}` key by key, and within
 * 10 % of an object literal in a loop that only shapes (ADR 9). Not an object literal: V8 tracks a literal's allocation site and, seeing nearly all of a large result survive,
 * allocates that site's objects straight in the old generation, where they stay as garbage until a full
 * collection (ADR 9). Names are embedded only as JSON string literals, and where code cannot be generated
 * (`--disallow-code-generation-from-strings`) the loop is used.
 */
export class RowShaper {
  private readonly converters: readonly Converter[]
  private generatedObjects: ShapeAll<ObjectRow> | undefined
  private generatedArrays: ShapeAll<ArrayRow> | undefined
  private generatedRow: ((raw: ArrayRow) => Row) | undefined

  constructor(
    private readonly columns: readonly OutputColumn[],
    decimals: DecimalMode = 'number',
  ) {
    this.converters = columns.map((c) =>
      c.type === 'number' && decimals === 'string' ? exactNumber : (CONVERT[c.type] ?? identity),
    )
  }

  /** Shape one row keyed by column alias. */
  readonly one = (raw: ObjectRow): Row => {
    const row: Row = {}
    const { columns, converters } = this
    for (let c = 0; c < columns.length; c++) {
      const col = columns[c]!
      const value = converters[c]!(raw[col.alias])
      const keys = col.keys
      for (let k = 0; k < keys.length; k++) row[keys[k]!] = value
    }
    return row
  }

  /** Shape one row given as column values in SELECT-list order. */
  readonly oneArray = (raw: ArrayRow): Row => {
    const row: Row = {}
    const { columns, converters } = this
    for (let c = 0; c < columns.length; c++) {
      const value = converters[c]!(raw[c])
      const keys = columns[c]!.keys
      for (let k = 0; k < keys.length; k++) row[keys[k]!] = value
    }
    return row
  }

  /**
   * One row given as column values in SELECT-list order, for a connector's `map` (called once per row as the
   * driver produces it): a generated function that copies the template row, like the generated
   * loop, or `oneArray` where code cannot be generated. A row of the wrong width fails (ROW_WIDTH_MISMATCH).
   */
  get fromArray(): (raw: ArrayRow) => Row {
    return (this.generatedRow ??=
      generateShapeRow(this.columns, this.converters) ?? checkedWidth(this.oneArray, this.columns.length))
  }

  /**
   * A mapper for one connector call with `map`: the loop for its first rows, {@link fromArray} from the
   * 512th on, as {@link all} chooses for a whole result. Generating code costs tens of microseconds once
   * per shaper, which a small result (or a layer compiling every call) should not pay.
   */
  rowMapper(): (raw: ArrayRow) => Row {
    let shape = checkedWidth(this.oneArray, this.columns.length)
    let seen = 0
    return (raw) => {
      if (++seen === GENERATE_FROM_ROWS) shape = this.fromArray
      return shape(raw)
    }
  }

  /**
   * Shape at most `limit` rows, in any form (rows already `shaped` are only cut); `truncated` says
   * whether the driver returned more (the SQL asks for limit + 1).
   */
  all(fetched: FetchedRows, limit: number): { data: Row[]; truncated: boolean } {
    const rows = fetched.rows
    const truncated = rows.length > limit
    const n = truncated ? limit : rows.length
    if (fetched.form === 'shaped') return { data: takeShaped(fetched, n), truncated }
    const large = n >= GENERATE_FROM_ROWS
    if (fetched.form === 'arrays') {
      const first = fetched.rows[0]
      if (first !== undefined && first.length !== this.columns.length)
        throw widthMismatch(first.length, this.columns.length)
      const shape = large
        ? (this.generatedArrays ??=
            generateShapeAll<ArrayRow>(this.columns, this.converters, 'arrays') ?? loop(this.oneArray))
        : loop(this.oneArray)
      return { data: shape(fetched.rows, n), truncated }
    }
    const shape = large
      ? (this.generatedObjects ??=
          generateShapeAll<ObjectRow>(this.columns, this.converters, 'objects') ?? loop(this.one))
      : loop(this.one)
    return { data: shape(fetched.rows, n), truncated }
  }
}

function checkedWidth(one: (raw: ArrayRow) => Row, width: number): (raw: ArrayRow) => Row {
  return (raw) => {
    if (raw.length !== width) throw widthMismatch(raw.length, width)
    return one(raw)
  }
}

/** {@link RowShaper.fromArray}'s generated function: one row, same template as {@link generateShapeAll}. */
function generateShapeRow(
  columns: readonly OutputColumn[],
  converters: readonly Converter[],
): ((raw: ArrayRow) => Row) | undefined {
  const { reads, stores } = rowTemplate(columns, 'arrays')
  return generate(
    converters,
    [
      ['mismatch', widthMismatch],
      ['template', templateRow(columns)],
    ],
    `function shapeRow(r) {\nif (r.length !== ${columns.length}) throw mismatch(r.length, ${columns.length})\n${reads}\nconst o = { ...template }\n${stores}\nreturn o\n}`,
  )
}

function loop<R>(one: (raw: R) => Row): ShapeAll<R> {
  return (rows, n) => {
    const data = new Array<Row>(n)
    for (let i = 0; i < n; i++) data[i] = one(rows[i]!)
    return data
  }
}

/**
 * The whole loop as one generated function: each row is a copy of the template row with the member
 * names as fixed keys, its values read by alias (`objects`) or by position (`arrays`) and converted by
 * the column's converter.
 */
function generateShapeAll<R>(
  columns: readonly OutputColumn[],
  converters: readonly Converter[],
  form: 'objects' | 'arrays',
): ShapeAll<R> | undefined {
  const { reads, stores } = rowTemplate(columns, form)
  return generate<ShapeAll<R>>(
    converters,
    [['template', templateRow(columns)]],
    `function shapeAll(rows, n) {\nconst data = new Array(n)\nfor (let i = 0; i < n; i++) {\nconst r = rows[i]\n${reads}\nconst o = { ...template }\n${stores}\ndata[i] = o\n}\nreturn data\n}`,
  )
}

/**
 * The parts of a generated shaper that read one driver row `r` into `v0…` (by position for arrays, by
 * alias for objects) and store them into the Cube row `o`. Keys are member names (`cube.member`, always
 * dotted), so no key is ever '__proto__'; names and aliases appear only as JSON string literals.
 */
function rowTemplate(columns: readonly OutputColumn[], form: 'objects' | 'arrays'): { reads: string; stores: string } {
  const read = (c: OutputColumn, i: number): string =>
    form === 'objects' ? `r[${JSON.stringify(c.alias)}]` : `r[${i}]`
  return {
    reads: columns.map((c, i) => `const v${i} = c${i}(${read(c, i)});`).join('\n'),
    stores: columns.flatMap((c, i) => c.keys.map((k) => `o[${JSON.stringify(k)}] = v${i};`)).join('\n'),
  }
}

/** An object with every key of a Cube row, in row order, each null: the generated shapers copy it. */
function templateRow(columns: readonly OutputColumn[]): Row {
  const template: Row = {}
  for (const c of columns) for (const k of c.keys) template[k] = null
  return template
}

/** Compile `fn` (a fixed template) with the converters bound as `c0…` and `extra` as named values; undefined where code cannot be generated. */
function generate<F>(converters: readonly Converter[], extra: readonly [string, unknown][], fn: string): F | undefined {
  try {
    return new Function(
      ...extra.map(([name]) => name),
      ...converters.map((_, i) => `c${i}`),
      `'use strict'; return ${fn}`,
    )(...extra.map(([, value]) => value), ...converters) as F
  } catch {
    return undefined
  }
}

function widthMismatch(got: number, expected: number): SemanticLayerError {
  return new SemanticLayerError('CONNECTOR_FAILED', [
    {
      code: 'ROW_WIDTH_MISMATCH',
      path: [],
      message: `The connector's execute returned array rows of ${got} values for a statement that selects ${expected} columns. It must return one value per selected column, in SELECT-list order.`,
    },
  ])
}

/** Exact mode: integers that fit stay numbers; decimal and huge values keep the driver's exact text. */
function exactNumber(v: unknown): unknown {
  if (typeof v === 'string') {
    const n = Number(v)
    return Number.isSafeInteger(n) && /^-?\d+$/.test(v) ? n : v
  }
  return CONVERT.number!(v)
}

const identity = (v: unknown): unknown => (v === undefined ? null : v)

const POWERS_OF_TEN = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15]

/**
 * `Number(text)` for the plain decimals drivers send (`-?digits[.digits]`, at most 15 digits), about twice
 * as fast; undefined for anything else (the caller uses `Number`). Exact: the digits form an integer below
 * 2^53 and the power of ten is exact too, so one IEEE division rounds the decimal's exact value once,
 * as `Number` does (Clinger's fast path).
 */
export function parseShortDecimal(text: string): number | undefined {
  const n = text.length
  if (n === 0 || n > 17) return undefined
  let i = text.charCodeAt(0) === 45 ? 1 : 0 // '-'
  let mantissa = 0
  let digits = 0
  let scale = -1 // digits after the point; -1 before a point is seen
  for (; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48)
      digits++
      if (scale >= 0) scale++
    } else if (c === 46 && scale < 0) scale = 0
    else return undefined
  }
  if (digits === 0 || digits > 15) return undefined
  const value = scale > 0 ? mantissa / POWERS_OF_TEN[scale]! : mantissa
  return text.charCodeAt(0) === 45 ? -value : value
}

const CONVERT: Record<string, (v: unknown) => unknown> = {
  number(v) {
    if (v === null || v === undefined) return null
    if (typeof v === 'number') return v
    if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()
    if (typeof v === 'string') {
      const fast = parseShortDecimal(v)
      if (fast !== undefined) return fast
      const n = Number(v)
      // Keep exact text when a number would lose digits (large decimals, bigints beyond 2^53).
      return Number.isFinite(n) && (Number.isSafeInteger(n) || v.length < 16 || !/^-?\d{16,}$/.test(v)) ? n : v
    }
    if (typeof v === 'boolean') return v ? 1 : 0
    return v
  },
  boolean(v) {
    if (v === null || v === undefined) return null
    if (typeof v === 'boolean') return v
    if (typeof v === 'number' || typeof v === 'bigint') return Number(v) !== 0
    if (typeof v === 'string') return v === 't' || v === 'true' || v === '1'
    return Boolean(v)
  },
  string(v) {
    if (v === null || v === undefined) return null
    return typeof v === 'string' ? v : typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : String(v)
  },
  time(v) {
    if (v === null || v === undefined) return null
    if (v instanceof Date) return v.toISOString().slice(0, 23)
    return String(v)
  },
}

interface GranularityInfo {
  name: string
  title: string
  interval: string
}

const GRANULARITY_TITLES: Record<string, string> = {
  second: 'Second',
  minute: 'Minute',
  hour: 'Hour',
  day: 'Day',
  week: 'Week',
  month: 'Month',
  quarter: 'Quarter',
  year: 'Year',
}

/** Cube's `annotation`: titles, types and formats for every member in the result. */
export function buildAnnotation(model: CompiledModel, q: NormalizedQuery): Record<string, Record<string, unknown>> {
  const measures: Record<string, unknown> = {}
  const dimensions: Record<string, unknown> = {}
  const timeDimensions: Record<string, unknown> = {}
  const segments: Record<string, unknown> = {}
  const describe = (
    key: string,
    cube: string,
    kind: 'measures' | 'dimensions' | 'segments',
    name: string,
  ): Record<string, unknown> => {
    const c = model.cubes[cube]!
    const member = c[kind][name]!
    const [owner, alias] = key.split('.') as [string, string]
    const view = q.view ? model.views[owner] : undefined
    const viewMember = view ? view[kind][alias] : undefined
    const shortTitle = viewMember?.title ?? member.shortTitle
    const out: Record<string, unknown> = {
      title: view ? `${view.title} ${shortTitle}` : member.title,
      shortTitle,
    }
    const description = viewMember?.description ?? member.description
    if (description !== undefined) out.description = description
    const format = viewMember?.format ?? member.format
    if (format !== undefined) out.format = format
    const meta = viewMember?.meta ?? member.meta
    if (meta !== undefined) out.meta = meta
    return out
  }
  for (const m of q.measures) {
    const def = model.cubes[m.cube]!.measures[m.name]!
    measures[m.key] = {
      ...describe(m.key, m.cube, 'measures', m.name),
      type: def.type === 'string' || def.type === 'time' || def.type === 'boolean' ? def.type : 'number',
      drillMembers: def.drillMembers,
      drillMembersGrouped: {
        measures: def.drillMembers.filter((k) => isMeasure(model, k)),
        dimensions: def.drillMembers.filter((k) => !isMeasure(model, k)),
      },
    }
  }
  for (const d of q.dimensions) {
    const base: Record<string, unknown> = {
      ...describe(d.member.key, d.member.cube, 'dimensions', d.member.name),
      type: d.type,
    }
    if (d.granularity === undefined) {
      dimensions[d.keys[0]!] = base
      continue
    }
    const granularity: GranularityInfo = {
      name: d.granularity,
      title: GRANULARITY_TITLES[d.granularity]!,
      interval: `1 ${d.granularity}`,
    }
    for (const key of d.keys) {
      timeDimensions[key] = { ...base, title: `${base.title as string} ${granularity.title}`, granularity }
    }
  }
  for (const s of q.segments) segments[s.key] = describe(s.key, s.cube, 'segments', s.name)
  return { measures, dimensions, segments, timeDimensions }
}

function isMeasure(model: CompiledModel, key: string): boolean {
  const [c, n] = key.split('.') as [string, string]
  return Object.hasOwn(model.cubes[c]?.measures ?? {}, n)
}
