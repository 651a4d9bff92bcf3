/** A pipeline as text for docs/mongodb.md: one stage per line, dates as MongoDB extended JSON. */
import type { MongoDocument } from '../../../src/mongo/mongo-statement.js'

export function pipelineText(collection: string, pipeline: readonly MongoDocument[]): string {
  const stage = (s: MongoDocument) =>
    JSON.stringify(s, function (this: Record<string, unknown>, key: string, value: unknown) {
      const raw = this[key]
      return raw instanceof Date ? { $date: raw.toISOString() } : value
    })
  return [`db.${collection}.aggregate([`, ...pipeline.map((s) => `  ${stage(s)},`), '])'].join('\n')
}
