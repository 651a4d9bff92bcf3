import type { RawValue } from './column-types.js'
import { fileError, type FileContext } from './file-errors.js'
import { JsonRecords, JsonSyntaxError } from './json-records.js'
import type { TableSpec } from './options.js'
import type { ByteSource } from './sources.js'
import type { TableReader } from './table-reader.js'
import { utf8Chunks } from './utf8-text.js'

/**
 * JSON: an array of objects or NDJSON (one object per line), told apart by the first character. Nested
 * objects are flattened to `a.b` columns; arrays load as their JSON text. Columns are the union of every
 * object's keys, in the order they first appear; a key an object lacks is NULL.
 */
export function jsonReader(source: ByteSource, spec: TableSpec): TableReader {
  const at: FileContext = { table: spec.name, label: spec.label }
  return {
    kind: 'json',
    lineWord: 'line',
    async read(sink) {
      const index = new Map<string, number>()
      const names: string[] = []
      const values: RawValue[] = []
      /** The record each column was last set in: a flattened name set twice in one object is ambiguous. */
      const setIn: number[] = []
      let records = 0
      const onRecord = (record: Record<string, unknown>, line: number): void => {
        records++
        values.fill(null)
        flatten(record, '', (name, value) => {
          let i = index.get(name)
          if (i === undefined) {
            i = names.length
            index.set(name, i)
            names.push(name)
            values.push(null)
            setIn.push(0)
            sink.columns(names, line)
          } else if (setIn[i] === records) {
            throw fileError(
              'JSON_INVALID',
              at,
              `gives column ${JSON.stringify(name.slice(0, 80))} twice (a dotted key and a nested object flatten ` +
                `to the same name). Rename one of them.`,
              { line },
            )
          }
          setIn[i] = records
          values[i] = value
        })
        sink.row(values, line)
      }
      const parser = new JsonRecords(onRecord)
      let any = false
      try {
        for await (const text of utf8Chunks(source, at)) {
          any = true
          parser.push(text)
        }
        if (!any)
          throw fileError('FILE_EMPTY', at, 'is empty. Write an array of objects, or one object per line (NDJSON).')
        parser.end()
      } catch (error) {
        if (error instanceof JsonSyntaxError) {
          const what =
            error.reason === 'not-object'
              ? 'holds a value that is not an object; every record must be an object of column name → value.'
              : error.reason === 'not-array-or-lines'
                ? 'is neither a JSON array of objects nor NDJSON (one object per line).'
                : 'is not valid JSON.'
          throw fileError('JSON_INVALID', at, what, { line: error.line })
        }
        throw error
      }
      if (names.length === 0)
        throw fileError('FILE_EMPTY', at, 'has no records with any key; there are no columns to load.')
    },
  }
}

/** Nested objects become `parent.child` names; arrays their JSON text; other values stay as they are. */
function flatten(record: Record<string, unknown>, prefix: string, emit: (name: string, value: RawValue) => void): void {
  for (const key of Object.keys(record)) {
    const value = record[key]
    const name = prefix + key
    if (value === null || value === undefined) emit(name, null)
    else if (Array.isArray(value)) emit(name, JSON.stringify(value))
    else if (typeof value === 'object') flatten(value as Record<string, unknown>, `${name}.`, emit)
    else emit(name, value as string | number | boolean)
  }
}
