// Generated models of N cubes for figure 5: one YAML file per cube, as a real project keeps them.
// Cube i has 8 dimensions, 8 measures (every aggregation type, a filtered one, a calculated one), a
// segment, and a many_to_one join to cube floor((i-1)/2) (a binary tree, so joins grow with N and
// every join path is unique). One view per 10 cubes exposes a cube with its parent.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DATA_DIR } from './datasets.mjs'

const GENERATOR_VERSION = 1

const name = (i) => `cube_${String(i).padStart(4, '0')}`

function cubeYaml(i) {
  const parent = i === 0 ? undefined : Math.floor((i - 1) / 2)
  const joins =
    parent === undefined
      ? ''
      : `
    joins:
      - name: ${name(parent)}
        relationship: many_to_one
        sql: "{CUBE}.parent_id = {${name(parent)}.id}"
`
  return `cubes:
  - name: ${name(i)}
    sql_table: t_${i}
    title: Cube ${i}
    description: Generated cube ${i} of a benchmark model.
${joins}
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
        public: true
      - name: parent_id
        sql: parent_id
        type: number
        public: false
      - name: name
        sql: name
        type: string
      - name: category
        sql: "{CUBE}.category"
        type: string
      - name: amount
        sql: amount
        type: number
        format: currency
      - name: is_active
        sql: is_active
        type: boolean
      - name: created_at
        sql: created_at
        type: time
      - name: size_bucket
        type: string
        case:
          when:
            - sql: "{CUBE}.amount > 100"
              label: large
          else:
            label: small

    measures:
      - name: count
        type: count
      - name: total_amount
        sql: amount
        type: sum
      - name: avg_amount
        sql: amount
        type: avg
      - name: min_amount
        sql: amount
        type: min
      - name: max_amount
        sql: amount
        type: max
      - name: distinct_names
        sql: name
        type: count_distinct
      - name: active_count
        type: count
        filters:
          - sql: "{CUBE}.is_active"
      - name: amount_per_row
        sql: "{total_amount} / NULLIF({count}, 0)"
        type: number

    segments:
      - name: active
        sql: "{CUBE}.is_active"
`
}

function viewYaml(i) {
  const parent = Math.floor((i - 1) / 2)
  return `views:
  - name: view_${String(i).padStart(4, '0')}
    cubes:
      - join_path: ${name(i)}
        includes:
          - name
          - count
          - total_amount
      - join_path: ${name(i)}.${name(parent)}
        prefix: true
        includes:
          - category
          - count
`
}

/** Write the model of `cubes` cubes to a folder (reused when already there). Returns the folder. */
export function ensureModel(cubes) {
  const dir = join(DATA_DIR, `model-v${GENERATOR_VERSION}-${cubes}`)
  const expected = cubes + Math.floor((cubes - 1) / 10)
  if (existsSync(dir) && readdirSync(dir).length === expected) return dir
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  for (let i = 0; i < cubes; i++) writeFileSync(join(dir, `${name(i)}.yml`), cubeYaml(i))
  for (let i = 10; i < cubes; i += 10) writeFileSync(join(dir, `view_${String(i).padStart(4, '0')}.yml`), viewYaml(i))
  return dir
}

/** A query touching three cubes of the generated model (a leaf, its parent and grandparent). */
export function deepQuery(cubes) {
  const leaf = Math.min(cubes - 1, 6)
  const parent = Math.floor((leaf - 1) / 2)
  const grand = Math.floor((parent - 1) / 2)
  return {
    measures: [`${name(leaf)}.count`, `${name(leaf)}.total_amount`, `${name(grand)}.count`],
    dimensions: [`${name(parent)}.category`],
    filters: [{ member: `${name(leaf)}.amount`, operator: 'gt', values: ['10'] }],
  }
}
