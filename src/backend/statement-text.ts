/**
 * The text of a printed statement, for hashes and debug logs: SQL's text (placeholders, never the values),
 * or the JSON of another backend's statement (a MongoDB `{ collection, pipeline }`, whose values are
 * literals in the pipeline: log it only where SQL text may go, at debug).
 */
export function statementText(printed: unknown): string {
  const sql = (printed as { readonly sql?: unknown }).sql
  return typeof sql === 'string' ? sql : JSON.stringify(printed)
}
