/** Every oracle case, in one list. Each case's `kind` says which table it came from. */
import { divisionCases } from './cases-division.js'
import { fanOutCases } from './cases-fanout.js'
import { featureCases, viewCases } from './cases-features.js'
import { filterCases } from './cases-filters.js'
import { foldBranchCases } from './cases-fold-branches.js'
import { textCases } from './cases-text.js'
import { timeCases } from './cases-time.js'
import { calendarEndCases, nullValueCases } from './cases-edges.js'
import type { OracleCase } from './helpers.js'

export const oracleCases: readonly OracleCase[] = [
  ...filterCases,
  ...timeCases,
  ...featureCases,
  ...viewCases,
  ...fanOutCases,
  ...foldBranchCases,
  ...textCases,
  ...divisionCases,
  ...calendarEndCases,
  ...nullValueCases,
]
