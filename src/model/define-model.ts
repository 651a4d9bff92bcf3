/**
 * Models written in TypeScript: `defineModel({ cubes: [defineCube({ … })] })` validates exactly as a YAML
 * file would (the same `parseModel` path, the same MODEL_INVALID issues) and carries the model's member
 * types ({@link ModelTypes}), so `createSemanticLayer({ model })` checks queries with no generation step.
 */
import type { DimensionKind, ModelTypes } from '../query/typed-query.js'
import type { Granularity } from '../query/date-range.js'
import type { ModelDefinition } from './definition.js'
import { parseModel } from './load-model.js'

declare const modelTypes: unique symbol

/**
 * A validated model definition that also carries its member types. Only a type: nothing is added to the
 * object at run time, which is the frozen {@link ModelDefinition} `parseModel` returns.
 */
export type TypedModelDefinition<M extends ModelTypes> = ModelDefinition & { readonly [modelTypes]: M }

/** What a cube written in TypeScript has that the types read (any other Cube key is checked at run time). */
export interface CubeInput {
  readonly name: string
  readonly public?: boolean
  readonly shown?: boolean
  readonly extends?: string
  readonly measures?: readonly MemberInput[]
  readonly dimensions?: readonly MemberInput[]
  readonly segments?: readonly MemberInput[]
  readonly [key: string]: unknown
}

interface MemberInput {
  readonly name: string
  readonly type?: string
  readonly public?: boolean
  readonly shown?: boolean
  readonly visible?: boolean
  readonly primary_key?: boolean
  readonly primaryKey?: boolean
  readonly [key: string]: unknown
}

export interface ViewInput {
  readonly name: string
  readonly public?: boolean
  readonly shown?: boolean
  readonly cubes: readonly ViewCubeInput[]
  readonly [key: string]: unknown
}

interface ViewCubeInput {
  readonly join_path?: string
  readonly joinPath?: string
  readonly includes: '*' | readonly (string | { readonly name: string; readonly alias?: string })[]
  readonly excludes?: readonly string[]
  readonly prefix?: boolean
  readonly alias?: string
  readonly [key: string]: unknown
}

export interface ModelInputDefinition {
  readonly cubes?: readonly CubeInput[]
  readonly views?: readonly ViewInput[]
}

/**
 * A cube in Cube's format (snake_case or camelCase keys), kept literally so its member names and types
 * reach the model type. Nothing is checked here: {@link defineModel} checks the whole model at once.
 *
 * @example
 * const orders = defineCube({
 *   name: 'orders',
 *   sql_table: 'orders',
 *   measures: [{ name: 'count', type: 'count' }],
 *   dimensions: [{ name: 'status', sql: 'status', type: 'string' }],
 * })
 */
export function defineCube<const C extends CubeInput>(cube: C): C {
  return cube
}

/** A view in Cube's format, kept literally (see {@link defineCube}). */
export function defineView<const V extends ViewInput>(view: V): V {
  return view
}

/**
 * Validate a model written in TypeScript exactly as a YAML one (same checks, same MODEL_INVALID issues)
 * and infer its member types, so a layer made from it checks queries at compile time.
 *
 * @throws SemanticLayerError `MODEL_INVALID` with every issue, as `parseModel` does.
 * @example
 * const model = defineModel({ cubes: [orders] })
 * const layer = createSemanticLayer({ model, connectors })
 * await layer.query({ measures: ['orders.count'] }) // 'orders.cnt' would not compile
 */
export function defineModel<const D extends ModelInputDefinition>(
  definition: D,
): TypedModelDefinition<InferModelTypes<D>> {
  return parseModel([{ content: definition }]) as TypedModelDefinition<InferModelTypes<D>>
}

// ---- inference: the same member types `cortex types` writes from a compiled model -----------------------

type Items<L> = L extends readonly (infer E)[] ? E : never

/** `public`, else `shown`/`visible` (Cube's aliases), else true; a primary key only when said public. */
type IsPublic<X> = X extends { readonly public: infer P extends boolean }
  ? P
  : X extends { readonly shown: infer S extends boolean }
    ? S
    : X extends { readonly visible: infer S extends boolean }
      ? S
      : X extends { readonly primary_key: true } | { readonly primaryKey: true }
        ? false
        : true

type MeasureKindOf<T> = T extends 'count' | 'count_distinct' | 'count_distinct_approx' | 'countDistinct'
  ? 'count'
  : T extends 'string' | 'time' | 'boolean'
    ? T
    : 'number'
type DimensionKindOf<T> = T extends DimensionKind ? T : never

type Entry<K extends string, V> = { readonly key: K; readonly value: V }
type FromEntries<E extends Entry<string, unknown>> = { [X in E as X['key']]: X['value'] }

/** A cube's own members and, through `extends`, those of the cube it extends (by name, in the same model). */
type MemberList<C, All, Kind extends 'measures' | 'dimensions' | 'segments', Depth extends unknown[] = []> =
  | (C extends { readonly [P in Kind]: infer L } ? Items<L> : never)
  | (Depth['length'] extends 8
      ? never
      : C extends { readonly extends: infer B extends string }
        ? MemberList<Extract<All, { readonly name: B }>, All, Kind, [...Depth, unknown]>
        : never)

type CubeEntries<C, All, Kind extends 'measures' | 'dimensions' | 'segments'> = C extends {
  readonly name: infer N extends string
}
  ? IsPublic<C> extends false
    ? never
    : MemberList<C, All, Kind> extends infer X
      ? X extends { readonly name: infer Name extends string }
        ? IsPublic<X> extends false
          ? never
          : Entry<
              `${N}.${Name}`,
              Kind extends 'measures'
                ? MeasureKindOf<X extends { readonly type: infer T } ? T : never>
                : Kind extends 'dimensions'
                  ? DimensionKindOf<X extends { readonly type: infer T } ? T : never>
                  : true
            >
        : never
      : never
  : never

type LastSegment<P extends string> = P extends `${string}.${infer Rest}` ? LastSegment<Rest> : P
type JoinPath<E> = E extends { readonly join_path: infer P extends string }
  ? P
  : E extends { readonly joinPath: infer P extends string }
    ? P
    : never

/** One `cubes` entry of a view: the members it includes, renamed as the view names them. */
type ViewEntryMembers<
  View extends string,
  E,
  All,
  Kind extends 'measures' | 'dimensions' | 'segments',
> = E extends unknown ? ViewEntryOf<View, E, All, Kind> : never

type ViewEntryOf<View extends string, E, All, Kind extends 'measures' | 'dimensions' | 'segments'> =
  Extract<All, { readonly name: LastSegment<JoinPath<E>> }> extends infer Target
    ? MemberList<Target, All, Kind> extends infer X
      ? X extends { readonly name: infer Name extends string }
        ? Name extends (E extends { readonly excludes: infer Ex } ? Items<Ex> : never)
          ? never
          : Picked<E, Name> extends infer Alias
            ? [Alias] extends [never]
              ? never
              : Entry<
                  `${View}.${Alias & string}`,
                  Kind extends 'measures'
                    ? MeasureKindOf<X extends { readonly type: infer T } ? T : never>
                    : Kind extends 'dimensions'
                      ? DimensionKindOf<X extends { readonly type: infer T } ? T : never>
                      : true
                >
            : never
        : never
      : never
    : never

type Prefix<E> = E extends { readonly prefix: true }
  ? `${E extends { readonly alias: infer A extends string } ? A : LastSegment<JoinPath<E>>}_`
  : ''

/** The name a member gets in the view, or never when `includes` leaves it out. */
type Picked<E, Name extends string> = E extends { readonly includes: '*' }
  ? `${Prefix<E>}${Name}`
  : E extends { readonly includes: infer L }
    ? Items<L> extends infer I
      ? I extends Name
        ? `${Prefix<E>}${Name}`
        : I extends { readonly name: Name; readonly alias: infer A extends string }
          ? A
          : I extends { readonly name: Name }
            ? `${Prefix<E>}${Name}`
            : never
      : never
    : never

type ViewEntries<V, All, Kind extends 'measures' | 'dimensions' | 'segments'> = V extends {
  readonly name: infer N extends string
  readonly cubes: infer L
}
  ? IsPublic<V> extends false
    ? never
    : ViewEntryMembers<N, Items<L>, All, Kind>
  : never

type AllEntries<D extends ModelInputDefinition, Kind extends 'measures' | 'dimensions' | 'segments'> =
  | CubeEntries<Items<D['cubes']>, Items<D['cubes']>, Kind>
  | ViewEntries<Items<D['views']>, Items<D['cubes']>, Kind>

type TimeDimensions<Dims> = { [K in keyof Dims as Dims[K] extends 'time' ? K : never]: Granularity }

/** The member types of a model written with {@link defineModel}. */
export type InferModelTypes<D extends ModelInputDefinition> = {
  readonly measures: FromEntries<AllEntries<D, 'measures'>>
  readonly dimensions: FromEntries<AllEntries<D, 'dimensions'>>
  readonly timeDimensions: TimeDimensions<FromEntries<AllEntries<D, 'dimensions'>>>
  readonly segments: AllEntries<D, 'segments'>['key']
}
