// One server-sorted, paged analysis table (per rubric, per criterion, two judges' criteria, wrong
// stated answers): the query the page asks the core for, kept as state so headers, filters and
// the pager change it. Rows come sorted and with their intervals for the page shown only.
import type { AnalysisTable, CriterionFilter } from '../../../shared/analysis'
import type { MethodArgs } from '../../../shared/contract'

export const ANALYSIS_PAGE = 50

export class AnalysisTableState {
  judge = $state<string | undefined>(undefined)
  other = $state<string | undefined>(undefined)
  filter = $state<CriterionFilter | undefined>(undefined)
  sort = $state<string | undefined>(undefined)
  desc = $state(true)
  offset = $state(0)

  constructor(
    readonly table: AnalysisTable,
    sort: string
  ) {
    this.sort = sort
  }

  get args(): MethodArgs<'analysis.rows'> {
    return {
      table: this.table,
      judge: this.judge,
      other: this.other,
      filter: this.filter,
      sort: this.sort,
      desc: this.desc,
      offset: this.offset,
      limit: ANALYSIS_PAGE,
    }
  }

  /** A header click: the same column flips the order; another starts descending (text ascending). */
  sortBy(key: string, text = false): void {
    if (this.sort === key) this.desc = !this.desc
    else {
      this.sort = key
      this.desc = !text
    }
    this.offset = 0
  }
}
