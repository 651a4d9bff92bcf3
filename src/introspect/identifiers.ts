/**
 * Writing database names into model SQL: bare when the engine reads them back unchanged, quoted
 * otherwise (spaces, quotes, leading digits, upper case on PostgreSQL, reserved words).
 */

/**
 * Words reserved (or reserved in some position) in SQL:2016, PostgreSQL, MySQL/MariaDB or SQLite. A name
 * in this list is always quoted: quoting a word that did not need it is harmless, missing one is not.
 */
const RESERVED = new Set(
  `
  abort action add all alter always analyze and any array as asc asymmetric attach authorization autoincrement before
  begin between bigint binary both by call cascade case cast change char character check collate column commit
  condition conflict constraint continue convert create cross cube current current_catalog current_date current_role
  current_schema current_time current_timestamp current_user cursor database databases date day deallocate dec
  decimal declare default deferrable deferred delete desc describe detach distinct div do double drop each else
  elseif enclosed end escape escaped except exclusive exec execute exists exit explain false fetch filter first float
  following for force foreign freeze from full fulltext function generated glob grant group grouping groups having
  hour if ignore ilike immediate in index indexed initially inner inout insert int integer intersect interval into is
  isnull iterate join key keys kill lateral leading leave left like limit lines load localtime localtimestamp lock long
  loop match materialized merge minute mod modifies month natural no not nothing notnull null nulls numeric of
  offset on only open option optionally or order others out outer over overlaps partition placing plan pragma
  preceding precision primary procedure purge raise range read reads real recursive references regexp reindex
  release rename repeat replace require restrict return returning revoke right rlike role rollback row rows
  savepoint schema schemas second select sensitive session_user set show similar smallint some spatial sql
  sqlexception sqlstate sqlwarning start straight_join symmetric system_user table tablesample temp temporary
  terminated then ties time timestamp to trailing transaction trigger true truncate undo union unique unlock
  unsigned update usage use user using vacuum value values varchar variadic varying verbose view virtual when
  where while window with within without write xor year zerofill
  `
    .trim()
    .split(/\s+/),
)

const PLAIN = /^[A-Za-z_][A-Za-z0-9_]*$/
const PLAIN_LOWER = /^[a-z_][a-z0-9_]*$/

export function isReserved(name: string): boolean {
  return RESERVED.has(name.toLowerCase())
}

/** PostgreSQL folds unquoted names to lower case, so only lower-case plain names stay bare. */
export function postgresName(name: string): string {
  return PLAIN_LOWER.test(name) && !isReserved(name) ? name : `"${name.replace(/"/g, '""')}"`
}

/** SQLite: names compare case-insensitively, so any plain non-reserved name stays bare. */
export function sqliteName(name: string): string {
  return PLAIN.test(name) && !isReserved(name) ? name : `"${name.replace(/"/g, '""')}"`
}

/** MySQL/MariaDB: backticks, whatever the sql_mode (ANSI_QUOTES may be off). */
export function mysqlName(name: string): string {
  return PLAIN.test(name) && !isReserved(name) ? name : `\`${name.replace(/`/g, '``')}\``
}

/** One name of a dotted path as written: `quoted` names keep their case, bare ones fold (engine-specific). */
export interface WrittenName {
  readonly name: string
  readonly quoted: boolean
}

/**
 * Split a `sql_table` value (or a column reference) into its names: `orders`, `shop.orders`,
 * `"My Schema"."Order Items"`, `` `shop`.`orders` ``. Undefined when it is not a plain dotted name (a
 * subquery, a function call, a table with an alias…).
 */
export function parseDottedName(text: string): WrittenName[] | undefined {
  const parts: WrittenName[] = []
  const s = text.trim()
  let i = 0
  while (i < s.length) {
    const c = s[i]!
    if (c === '"' || c === '`') {
      let j = i + 1
      let part = ''
      for (;;) {
        if (j >= s.length) return undefined
        if (s[j] === c) {
          if (s[j + 1] !== c) break
          part += c
          j += 2
          continue
        }
        part += s[j]
        j++
      }
      if (part === '') return undefined
      parts.push({ name: part, quoted: true })
      i = j + 1
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(s.slice(i))
      if (!m) return undefined
      parts.push({ name: m[0], quoted: false })
      i += m[0].length
    }
    if (i === s.length) break
    if (s[i] !== '.') return undefined
    i++
    if (i === s.length) return undefined
  }
  return parts.length === 0 ? undefined : parts
}

/**
 * A model member name for a database name: invalid characters become `_`, a leading digit gets a `_`
 * prefix, and the name is made unique against `taken` (`_2`, `_3`, …), which it is added to.
 */
export function memberName(name: string, taken: Set<string>): string {
  let base = name.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])_+$/g, '')
  if (base === '' || /^_*$/.test(base)) base = 'column'
  if (/^[0-9]/.test(base)) base = `_${base}`
  let candidate = base
  for (let n = 2; taken.has(candidate); n++) candidate = `${base}_${n}`
  taken.add(candidate)
  return candidate
}
