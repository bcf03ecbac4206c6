// Runs the pair table's queries in the core: filter, search and sort over the column arrays,
// keeping the last few results (the matching pairs in order) so that scrolling asks only for a
// slice and next/previous on a pair page is a lookup.
import { ApiError } from '../../shared/contract'
import type { PairFacets, PairNeighbors, PairPage, VerdictOutcome } from '../../shared/domain'
import { queryKey, verdictOutcomes, type PairQuery } from '../../shared/pair-query'
import type { RunIndex } from '../run/run-index'
import { checkpointWindow, pairSummary } from '../run/run-views'
import { OUTCOME_CODE, PairColumns } from './pair-columns'
import { RecentResults } from './recent-results'
import { SearchStopped, TextSearch } from './text-search'

const CACHED_RESULTS = 8

/** Which pairs carry a human label (by pair id), and a number that changes whenever they do. */
export interface LabelledPairs {
  pairs(): ReadonlySet<string>
  version(): number
}

const NO_LABELS: LabelledPairs = { pairs: () => new Set(), version: () => 0 }

export class PairQueryEngine {
  readonly columns: PairColumns
  readonly search: TextSearch
  private readonly results = new RecentResults<Int32Array>(CACHED_RESULTS)
  /** Full orders per sort column and direction. */
  private readonly orders = new Map<string, Int32Array>()

  constructor(
    private readonly index: RunIndex,
    private readonly labelled: LabelledPairs = NO_LABELS
  ) {
    this.columns = new PairColumns(index)
    this.search = new TextSearch(index)
  }

  async page(query: PairQuery, offset: number, limit: number): Promise<PairPage> {
    const started = performance.now()
    const cached = this.results.has(this.cacheKey(query))
    const order = await this.matching(query)
    const items: PairPage['items'] = []
    const end = Math.min(order.length, offset + limit)
    for (let k = offset; k < end; k++) {
      const pair = this.index.pairs.get(order[k] as number)
      if (pair !== undefined) items.push(pairSummary(this.index, pair))
    }
    return {
      total: order.length,
      offset,
      items,
      runTotal: this.index.pairs.length,
      queryMs: cached ? 0 : Math.round((performance.now() - started) * 10) / 10,
    }
  }

  async neighbors(id: string, query: PairQuery): Promise<PairNeighbors> {
    const at = this.index.pairIndex(id)
    if (at === undefined) throw new ApiError('not-found', `no pair ${JSON.stringify(id)} in this run`)
    const order = await this.matching(query)
    const position = order.indexOf(at)
    const idAt = (k: number): string | null => {
      const i = order[k]
      return i === undefined ? null : this.columns.pairId(i)
    }
    return {
      position: position < 0 ? null : position,
      total: order.length,
      previous: position > 0 ? idAt(position - 1) : null,
      next: position >= 0 ? idAt(position + 1) : null,
    }
  }

  facets(): PairFacets {
    const c = this.columns
    const taskCounts = new Map<number, number>()
    let gapMin = Number.POSITIVE_INFINITY
    let gapMax = Number.NEGATIVE_INFINITY
    const outcomes = Object.fromEntries(verdictOutcomes.map((o) => [o, 0])) as Record<VerdictOutcome, number>
    for (let i = 0; i < c.length; i++) {
      const t = c.taskType[i] as number
      if (t >= 0) taskCounts.set(t, (taskCounts.get(t) ?? 0) + 1)
      const g = c.gap[i] as number
      if (!Number.isNaN(g)) {
        if (g < gapMin) gapMin = g
        if (g > gapMax) gapMax = g
      }
      const o = verdictOutcomes[c.outcome[i] as number]
      if (o !== undefined) outcomes[o]++
    }
    return {
      taskTypes: [...taskCounts]
        .map(([code, count]) => ({ value: c.taskTypes[code] ?? '', count }))
        .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1)),
      gapMin: Number.isFinite(gapMin) ? gapMin : null,
      gapMax: Number.isFinite(gapMax) ? gapMax : null,
      outcomes,
      labelled: this.labelled.pairs().size,
    }
  }

  /** The matching pairs' indices, in the query's order (cached per query). */
  matching(query: PairQuery): Promise<Int32Array> {
    return this.results.get(this.cacheKey(query), () => this.compute(query))
  }

  /** A query that filters on labels is a different result after any label changes. */
  private cacheKey(query: PairQuery): string {
    const key = queryKey(query)
    return query.annotation === undefined ? key : `${key}#labels-${this.labelled.version()}`
  }

  private async compute(q: PairQuery): Promise<Int32Array> {
    const c = this.columns
    const tests: ((i: number) => boolean)[] = []

    if (q.checkpoint !== undefined) {
      const window = checkpointWindow(this.index, q.checkpoint)
      if (window === null)
        throw new ApiError('not-found', `no checkpoint ${JSON.stringify(q.checkpoint)} in this run`)
      const steps = window.phase === 'rubric' ? c.rubricStep : c.newerStep
      // NaN fails both comparisons, so pairs without a step drop out.
      tests.push((i) => (steps[i] as number) > window.from && (steps[i] as number) <= window.to)
    }
    if (q.promptId !== undefined) {
      const prompt = this.index.promptIndex(q.promptId) ?? -1
      tests.push((i) => c.prompt[i] === prompt)
    }
    if (q.gapMin !== undefined) {
      const min = q.gapMin
      tests.push((i) => (c.gap[i] as number) >= min)
    }
    if (q.gapMax !== undefined) {
      const max = q.gapMax
      tests.push((i) => (c.gap[i] as number) <= max)
    }
    if (q.taskType !== undefined) {
      const code = c.taskTypes.indexOf(q.taskType)
      // A task type the run does not have matches nothing (-1 also codes "no task type").
      tests.push(code < 0 ? () => false : (i) => c.taskType[i] === code)
    }
    if (q.outcomes !== undefined && q.outcomes.length > 0) {
      const allowed = new Uint8Array(verdictOutcomes.length)
      for (const o of q.outcomes) allowed[OUTCOME_CODE[o]] = 1
      tests.push((i) => allowed[c.outcome[i] as number] === 1)
    }
    if (q.annotation !== undefined) {
      const labelled = this.labelled.pairs()
      const want = q.annotation === 'labelled'
      tests.push((i) => labelled.has(c.pairId(i)) === want)
    }
    if (q.search !== undefined && q.search !== '') {
      let flags: Uint8Array
      try {
        flags = await this.search.flags(q.search, q.regex ?? false)
      } catch (error) {
        if (error instanceof SyntaxError || error instanceof SearchStopped)
          throw new ApiError('bad-request', error.message)
        throw error
      }
      tests.push((i) => flags[i] !== 0)
    }

    const match = (i: number): boolean => {
      for (const test of tests) if (!test(i)) return false
      return true
    }
    // With a sort, walk the column's full order (computed once per column and direction) and
    // keep the matches: no comparisons per query, and the result is stable.
    const walk = q.sort === undefined ? null : this.fullOrder(q.sort, q.desc ?? false)
    const out = new Int32Array(c.length)
    let n = 0
    for (let k = 0; k < c.length; k++) {
      const i = walk === null ? k : (walk[k] as number)
      if (match(i)) out[n++] = i
    }
    return out.slice(0, n)
  }

  /** Every pair in `key` order (unknown values last in both directions, ties in run order). */
  private fullOrder(key: NonNullable<PairQuery['sort']>, desc: boolean): Int32Array {
    const cacheKey = `${key}:${desc}`
    let order = this.orders.get(cacheKey)
    if (order === undefined) {
      order = sortedOrder(this.sortColumn(key), desc)
      this.orders.set(cacheKey, order)
    }
    return order
  }

  private sortColumn(key: NonNullable<PairQuery['sort']>): ArrayLike<number> {
    const c = this.columns
    switch (key) {
      case 'id':
        return c.idRank
      case 'prompt':
        return c.promptRank
      case 'margin': {
        const margin = new Float64Array(c.length)
        for (let i = 0; i < c.length; i++)
          margin[i] = (c.newerScore[i] as number) - (c.olderScore[i] as number)
        return margin
      }
      case 'outcome':
        return c.outcome
      default:
        return c[key]
    }
  }
}

/**
 * Positions 0…n-1 ordered by `values` (NaN last in both directions; equal values in position
 * order). A counting sort over each value's rank among the distinct values: one native sort of
 * the numbers and linear passes, several times faster than sorting positions with a comparator.
 */
export function sortedOrder(values: ArrayLike<number>, desc: boolean): Int32Array {
  const n = values.length
  const known: number[] = []
  for (let i = 0; i < n; i++) if (!Number.isNaN(values[i] as number)) known.push(values[i] as number)
  const distinct = Float64Array.from(known).sort()
  let u = 0
  for (let k = 0; k < distinct.length; k++)
    if (k === 0 || distinct[k] !== distinct[u - 1]) distinct[u++] = distinct[k] as number
  // Bucket per distinct value, plus one for NaN, which always comes last.
  const bucket = new Int32Array(n)
  const counts = new Int32Array(u + 2)
  for (let i = 0; i < n; i++) {
    const v = values[i] as number
    let b: number
    if (Number.isNaN(v)) b = u
    else {
      let lo = 0
      let hi = u - 1
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if ((distinct[mid] as number) < v) lo = mid + 1
        else hi = mid
      }
      b = desc ? u - 1 - lo : lo
    }
    bucket[i] = b
    counts[b + 1] = (counts[b + 1] as number) + 1
  }
  for (let b = 1; b < counts.length; b++) counts[b] = (counts[b] as number) + (counts[b - 1] as number)
  const order = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const b = bucket[i] as number
    const at = counts[b] as number
    order[at] = i
    counts[b] = at + 1
  }
  return order
}
