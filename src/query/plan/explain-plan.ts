import type { SqlTemplate } from '../../model/compiled.js'
import type { FilterScalar } from '../normalized-query.js'
import type { PlanCondition, PlanFilter, QueryPlan } from './query-plan.js'

/**
 * A readable account of a plan, one decision per line: the strategy, the join tree, folded branches and
 * keys subqueries, filters, grouping, ordering and paging. Built from the plan alone, so it says what every
 * backend will do. Values of security filters (row policies, `authorize`, `queryRewrite`) are not shown,
 * only how many there are; member SQL is shown as the model wrote it, `{cube}` for cube references.
 */
export function explainPlan(plan: QueryPlan): string {
  const lines: string[] = []
  const add = (line: string): void => {
    lines.push(line)
  }
  const folded = new Map(plan.folds.map((f) => [f.cube, f]))
  add(`strategy: ${strategyText(plan)}`)
  add(`from: ${plan.tree.root}`)
  for (const j of plan.tree.joins) {
    const fold = folded.get(j.to)
    const how = fold
      ? `folded: aggregated per ${fold.parent} row, joined back on its primary key`
      : plan.foldedJoinsOnly.includes(j.to)
        ? 'joined only inside a folded branch'
        : 'LEFT JOIN'
    add(`  ${j.from} -> ${j.to} (${j.relationship}) on ${templateText(j.sql)}: ${how}`)
  }
  for (const f of plan.folds) {
    const source =
      f.source.kind === 'foreignKey'
        ? `${f.path[0]!.to} alone, grouped by its key ${templateText(f.source.column)}`
        : f.source.kind === 'parent'
          ? `${f.parent} joined down to ${f.cube}, grouped by the key of ${f.parent}`
          : `${f.source.cubes.join(', ')} joined down to ${f.cube} under the query's filters, grouped by the key of ${f.parent}`
    add(`branch ${f.cube}: measures ${f.measures.join(', ')} from ${source}`)
  }
  for (const [i, g] of plan.groups.entries()) {
    const members = plan.measures.filter((m) => m.group === i).map((m) => m.member)
    if (g.cube === undefined) {
      if (plan.strategy === 'multi') add(`group ${i}: ${members.join(', ')} over the joined rows`)
      continue
    }
    const rejoin = g.rejoinFilters
      ? `, re-read under ${g.rejoinFilters.where.length + g.rejoinFilters.segments.length} own filter(s)`
      : ''
    add(
      `group ${i}: ${members.join(', ')} over distinct ${g.cube} rows (keys subquery over ${(g.keysCubes ?? []).join(', ')}` +
        `, joined back on the primary key of ${g.cube}${rejoin})`,
    )
  }
  const calculated = plan.measures.filter((m) => m.calculated).map((m) => m.member)
  if (calculated.length > 0) add(`calculated: ${calculated.join(', ')}`)
  if (plan.multiplied.length > 0) add(`multiplied by the joins: ${plan.multiplied.join(', ')}`)
  if (plan.where.length > 0) add(`where: ${plan.where.map(filterText).join(' AND ')}`)
  for (const s of plan.segments) add(`segment: ${templateText(s)}`)
  if (plan.ungrouped) add('ungrouped: one row per row of the join tree')
  else if (plan.dimensions.length > 0) {
    const dims = plan.dimensions.map((d) => `${d.cube}.${d.name}${d.granularity ? ` by ${d.granularity}` : ''}`)
    add(`group by: ${dims.join(', ')}`)
  }
  if (plan.dimensions.some((d) => d.type === 'time')) add(`time zone: ${plan.timezone}`)
  if (plan.having.length > 0) add(`having: ${plan.having.map(filterText).join(' AND ')}`)
  add(`columns: ${plan.columns.map((c) => `${c.alias} (${c.type})`).join(', ')}`)
  if (plan.order.length > 0) add(`order: ${plan.order.map((o) => `${o.key} ${o.desc ? 'desc' : 'asc'}`).join(', ')}`)
  const paging = `limit ${plan.limit}${plan.explicitLimit ? '' : ' (default)'}`
  add(`${paging}${plan.offset > 0 ? `, offset ${plan.offset}` : ''}${plan.total ? ', with total' : ''}`)
  return lines.join('\n')
}

function strategyText(plan: QueryPlan): string {
  if (plan.strategy === 'single') return 'one aggregate over the join tree'
  return `${plan.groups.length} aggregate(s) joined on the dimensions (fan-out safe)`
}

/** Model SQL as written, with `{cube}` for cube references and `{cube.measure}` for measure references. */
function templateText(t: SqlTemplate): string {
  let out = ''
  for (const part of t) {
    if (typeof part === 'string') out += part
    else out += part.kind === 'cube' ? `{${part.cube}}` : `{${part.cube}.${part.name}}`
  }
  return out.trim()
}

function filterText(node: PlanFilter): string {
  if (node.kind !== 'condition') {
    if (node.children.length === 0) return node.kind === 'and' ? 'true' : 'false'
    return `(${node.children.map(filterText).join(node.kind === 'and' ? ' AND ' : ' OR ')})`
  }
  return conditionText(node)
}

function conditionText(node: PlanCondition): string {
  const c = node.condition
  const member = node.member
  const values = (vs: readonly FilterScalar[]): string =>
    node.exact ? `${vs.length} security value(s)` : vs.map(valueText).join(', ')
  switch (c.op) {
    case 'measureFilter':
      return `${member}'s own filters`
    case 'null':
      return `${member} is ${c.not ? 'set' : 'not set'}`
    case 'in':
      return `${member} ${c.not ? 'not in' : 'in'} [${values(c.values)}]${c.orNull ? ' or null' : ''}`
    case 'like':
      return `${member} ${c.not ? 'not ' : ''}${c.mode} [${values(c.values)}]${c.orNull ? ' or null' : ''}`
    case 'compare':
      return `${member} ${c.cmp} ${values([c.value])}`
    case 'range': {
      const range = `[${new Date(c.fromMs).toISOString()}, ${new Date(c.toExclusiveMs).toISOString()})`
      return `${member} ${c.not ? 'not in' : 'in'} ${range}`
    }
  }
}

function valueText(v: FilterScalar): string {
  if (typeof v === 'object') return new Date(v.instant).toISOString()
  return typeof v === 'string' ? JSON.stringify(v) : String(v)
}
