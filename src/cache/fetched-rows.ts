/**
 * The rows of one run of a query's main statement, in the form the connector gave them, and who may
 * hand them out. The result cache stores and serves them; connectors know nothing of this.
 */
import type { ArrayRow, ObjectRow } from '../connectors/connector.js'

type Row = Record<string, unknown>

export type FetchedRows =
  | { readonly form: 'objects'; readonly rows: readonly ObjectRow[] }
  | { readonly form: 'arrays'; readonly rows: readonly ArrayRow[] }
  /**
   * Rows already shaped by the layer as they arrived (a connector's `map`): Cube rows keyed by member.
   * `claim()` is true for the first caller only, who may hand these rows out; any other caller copies
   * them. A run that several callers wait on calls `share()` before any of them resumes, and then every
   * caller copies, so result.data is never shared and no caller can change another's rows.
   */
  | {
      readonly form: 'shaped'
      readonly rows: readonly Row[]
      readonly claim: () => boolean
      readonly share: () => void
    }

/** Rows shaped as they arrived, as {@link FetchedRows}: the first `claim()` owns them, unless `share()` came first. */
export function shapedRows(rows: readonly Row[]): FetchedRows {
  let claimed = false
  return {
    form: 'shaped',
    rows,
    claim: () => (claimed ? false : (claimed = true)),
    share: () => void (claimed = true),
  }
}

/** Mark rows that several callers will receive as shared (single-flight calls it before any resumes). */
export function shareRows(rows: FetchedRows): void {
  if (rows.form === 'shaped') rows.share()
}

/**
 * The first `n` shaped rows for one caller: the rows themselves when this caller owns them (the only
 * caller of the run), else copies of each.
 */
export function takeShaped(fetched: Extract<FetchedRows, { form: 'shaped' }>, n: number): Row[] {
  if (!fetched.claim()) return fetched.rows.slice(0, n).map((row) => ({ ...row }))
  return n < fetched.rows.length ? fetched.rows.slice(0, n) : (fetched.rows as Row[])
}
