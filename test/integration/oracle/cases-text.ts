/**
 * Text operators fold case whatever the column's collation (issue 15): engines.test.ts runs these on a
 * MariaDB database created `COLLATE utf8mb4_bin` as well as on case-insensitive ones, where a plain LIKE
 * is case-sensitive. Values differ from the data in the case of ASCII letters only: SQLite's LIKE folds
 * ASCII alone (documented in docs/queries.md), so non-ASCII case is left out of cross-engine cases.
 *
 * The oracle compares lower() of both sides with instr()/substr(), as in cases-filters.ts; each
 * `wrongSql` is the case-sensitive match a collation-bound LIKE gives on `_bin`.
 */
import type { OracleCase } from './helpers.js'

const q = (s: string) => `'${s.replace(/'/g, "''")}'`
const contains = (col: string, v: string) => `instr(lower(${col}), lower(${q(v)})) > 0`
const startsWith = (col: string, v: string) => `substr(lower(${col}), 1, length(${q(v)})) = lower(${q(v)})`
const endsWith = (col: string, v: string) =>
  `(length(${col}) >= length(${q(v)}) AND substr(lower(${col}), length(${col}) - length(${q(v)}) + 1) = lower(${q(v)}))`
const sensitive = (col: string, v: string) => `instr(${col}, ${q(v)}) > 0`

const CUSTOMER_NAMES = (where: string) =>
  `SELECT name AS "customers.name", count(*) AS "customers.count" FROM customers WHERE ${where} GROUP BY name`
const NOTE_COUNTS = (where: string) =>
  `SELECT note AS "orders.note", count(*) AS "orders.count" FROM orders WHERE ${where} GROUP BY note`

export const textCases: OracleCase[] = [
  {
    kind: 'text',
    name: "contains O'BRIEN finds Seán O'Brien (case folded, quote literal)",
    query: {
      measures: ['customers.count'],
      dimensions: ['customers.name'],
      filters: [{ member: 'customers.name', operator: 'contains', values: ["O'BRIEN"] }],
    },
    oracleSql: CUSTOMER_NAMES(contains('name', "O'BRIEN")),
    wrongSql: [CUSTOMER_NAMES(sensitive('name', "O'BRIEN"))],
  },
  {
    kind: 'text',
    name: "startsWith 'SEá' and endsWith \"'bRIEN\" fold ASCII case around other characters",
    query: {
      measures: ['customers.count'],
      dimensions: ['customers.name'],
      filters: [
        { member: 'customers.name', operator: 'startsWith', values: ['SEá'] },
        { member: 'customers.name', operator: 'endsWith', values: ["'bRIEN"] },
      ],
    },
    oracleSql: CUSTOMER_NAMES(`${startsWith('name', 'SEá')} AND ${endsWith('name', "'bRIEN")}`),
    wrongSql: [CUSTOMER_NAMES(`substr(name, 1, 3) = 'SEá'`)],
  },
  {
    kind: 'text',
    name: "contains '100% NATURAL': case folded, % still literal",
    query: {
      measures: ['customers.count'],
      dimensions: ['customers.name'],
      filters: [{ member: 'customers.name', operator: 'contains', values: ['100% NATURAL', 'SNAKE_'] }],
    },
    oracleSql: CUSTOMER_NAMES(`${contains('name', '100% NATURAL')} OR ${contains('name', 'SNAKE_')}`),
    minRows: 2,
    wrongSql: [
      CUSTOMER_NAMES(`${sensitive('name', '100% NATURAL')} OR ${sensitive('name', 'SNAKE_')}`),
      CUSTOMER_NAMES(`lower(name) LIKE '%snake_%' OR lower(name) LIKE '%100% natural%'`),
    ],
  },
  {
    kind: 'text',
    name: "notStartsWith 'SNAKE' and notEndsWith ' co' exclude every case variant",
    query: {
      measures: ['customers.count'],
      dimensions: ['customers.name'],
      filters: [
        { member: 'customers.name', operator: 'notStartsWith', values: ['SNAKE'] },
        { member: 'customers.name', operator: 'notEndsWith', values: [' cO'] },
      ],
    },
    oracleSql: CUSTOMER_NAMES(`NOT (${startsWith('name', 'SNAKE')}) AND NOT (${endsWith('name', ' cO')})`),
    minRows: 40,
    wrongSql: [CUSTOMER_NAMES(`substr(name, 1, 5) <> 'SNAKE' AND NOT (${endsWith('name', ' cO')})`)],
  },
  {
    kind: 'text',
    name: "contains 'Fragile' and 'Leave AT' match FRAGILE, fragile glass and Leave at door",
    query: {
      measures: ['orders.count'],
      dimensions: ['orders.note'],
      filters: [{ member: 'orders.note', operator: 'contains', values: ['Fragile', 'Leave AT'] }],
    },
    oracleSql: NOTE_COUNTS(`${contains('note', 'Fragile')} OR ${contains('note', 'Leave AT')}`),
    minRows: 3,
    wrongSql: [NOTE_COUNTS(`${sensitive('note', 'Fragile')} OR ${sensitive('note', 'Leave AT')}`)],
  },
  {
    kind: 'text',
    name: "notContains '🚀' keeps '🎁 gift' (utf8mb4_general_ci holds every emoji equal to every other)",
    query: {
      measures: ['orders.count'],
      dimensions: ['orders.note'],
      filters: [{ member: 'orders.note', operator: 'notContains', values: ['🚀'] }],
    },
    oracleSql: NOTE_COUNTS(`NOT (${contains('note', '🚀')}) OR note IS NULL`),
    minRows: 10,
    wrongSql: [NOTE_COUNTS(`NOT (${contains('note', '🚀')} OR ${contains('note', '🎁')}) OR note IS NULL`)],
  },
  {
    kind: 'text',
    name: "contains '🎁 GIFT': the emoji exactly, the letters in any case",
    query: {
      measures: ['orders.count'],
      dimensions: ['orders.note'],
      filters: [{ member: 'orders.note', operator: 'contains', values: ['🎁 GIFT'] }],
    },
    oracleSql: NOTE_COUNTS(contains('note', '🎁 GIFT')),
    wrongSql: [NOTE_COUNTS(sensitive('note', '🎁 GIFT'))],
  },
  {
    kind: 'text',
    name: "notContains 'GIFT' is case-insensitive and keeps NULL notes",
    query: {
      measures: ['orders.count'],
      dimensions: ['orders.note'],
      filters: [{ member: 'orders.note', operator: 'notContains', values: ['GIFT'] }],
    },
    oracleSql: NOTE_COUNTS(`NOT (${contains('note', 'GIFT')}) OR note IS NULL`),
    minRows: 8,
    wrongSql: [NOTE_COUNTS(`NOT (${sensitive('note', 'GIFT')}) OR note IS NULL`)],
  },
]
