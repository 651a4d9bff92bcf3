/**
 * How model changes are classified: one rule per kind of change, with its severity and the message
 * callers see. docs/model-lifecycle.md ("How changes are classified") shows this table; change both.
 */

/**
 * - `breaking`: a query that worked may now fail, or return numbers computed differently (a removed,
 *   hidden or retyped member, a changed aggregation, a removed join, a changed join relationship).
 * - `results-may-change`: queries still compile, but the SQL behind them changed (a member's SQL, a
 *   join condition, a cube's table, a primary key, an access policy).
 * - `compatible`: nothing a caller relies on changes (added members, titles, descriptions, formats).
 */
export type ChangeSeverity = 'breaking' | 'results-may-change' | 'compatible'

const SHOWN = '(shown to people, not used in SQL)'
const NOT_READ =
  'A rollup serves a query only when its rows equal the source, so results do not change (a changed rollup gets new tables: build it again).'

/** Rule code → severity and message. */
export const RULES = {
  CUBE_REMOVED: ['breaking', 'The cube and all its members were removed: queries using them fail.'],
  CUBE_ADDED: ['compatible', 'A new cube.'],
  CUBE_HIDDEN: ['breaking', 'The cube is no longer public: queries using its members fail.'],
  CUBE_SHOWN: ['compatible', 'The cube is now public.'],
  CUBE_SOURCE_CHANGED: ['results-may-change', "The cube's sql_table or sql changed: its members read other rows."],
  DATA_SOURCE_CHANGED: ['breaking', 'The data source changed: queries joining it with cubes of its old source fail.'],
  PRIMARY_KEY_CHANGED: ['results-may-change', 'The primary key changed: measures across joins count rows by it.'],
  REFRESH_KEY_CHANGED: ['compatible', 'The refresh_key changed: cached results are refreshed on another rule.'],
  ACCESS_POLICY_CHANGED: ['results-may-change', 'The access policy changed: who sees which members and rows differs.'],
  VIEW_REMOVED: ['breaking', 'The view and all its members were removed: queries using them fail.'],
  VIEW_ADDED: ['compatible', 'A new view.'],
  VIEW_HIDDEN: ['breaking', 'The view is no longer public: queries using its members fail.'],
  VIEW_SHOWN: ['compatible', 'The view is now public.'],
  MEMBER_REMOVED: ['breaking', 'Removed: queries using it fail.'],
  MEMBER_ADDED: ['compatible', 'A new member.'],
  MEMBER_HIDDEN: ['breaking', 'No longer public: queries using it fail.'],
  MEMBER_SHOWN: ['compatible', 'Now public.'],
  MEMBER_KIND_CHANGED: ['breaking', 'It is another kind of member now: queries must list it under its new kind.'],
  MEMBER_TYPE_CHANGED: ['breaking', 'The type changed: values, filters and granularities may not fit.'],
  MEASURE_TYPE_CHANGED: ['breaking', 'The aggregation changed: its numbers change.'],
  SQL_CHANGED: ['results-may-change', 'Its SQL (or the SQL of a member it is built from) changed: results may change.'],
  MEASURE_FILTERS_CHANGED: ['results-may-change', 'Its filters changed: it counts other rows.'],
  VIEW_MEMBER_TARGET_CHANGED: ['results-may-change', 'It now stands for another cube member or join path.'],
  METADATA_CHANGED: ['compatible', `Title, description, format, meta or drill members changed ${SHOWN}.`],
  JOIN_REMOVED: ['breaking', 'Removed: queries across it fail or take another path.'],
  JOIN_ADDED: ['results-may-change', 'A new join: a query over these cubes may now take a shorter path through it.'],
  JOIN_RELATIONSHIP_CHANGED: ['breaking', 'The relationship changed: which side multiplies rows (fan-out) differs.'],
  JOIN_CONDITION_CHANGED: ['results-may-change', 'The join condition changed: rows match differently.'],
  HIERARCHY_ADDED: ['compatible', 'A new hierarchy.'],
  HIERARCHY_REMOVED: ['compatible', 'Removed (hierarchies only group members for people).'],
  HIERARCHY_CHANGED: ['compatible', 'Its levels, title or visibility changed (it only groups members for people).'],
  PRE_AGGREGATION_ADDED: ['compatible', `A new pre-aggregation. ${NOT_READ}`],
  PRE_AGGREGATION_REMOVED: ['compatible', `Removed. ${NOT_READ}`],
  PRE_AGGREGATION_CHANGED: ['compatible', `Changed. ${NOT_READ}`],
} as const satisfies Record<string, readonly [ChangeSeverity, string]>

export type ModelChangeCode = keyof typeof RULES

/** A change to something nobody may query directly (not public) affects callers only through what uses it. */
export const PRIVATE_NOTE = 'It is not public, so callers are affected only through the members built from it.'
