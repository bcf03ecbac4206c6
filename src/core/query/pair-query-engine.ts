// Runs the pair table's queries in the core: filter, search and sort over the column arrays,
// keeping the last few results (the matching pairs in order) so that scrolling asks only for a
// slice and next/previous on a pair page is a lookup.
import { ApiError } from '../../shared/contract'
import type { PairFacets, PairNeighbors, PairPage, VerdictOutcome } from '../../shared/domain'
import { queryKey, verdictOutcomes, type PairQuery } from '../../shared/pair-query'
import type { RunIndex } from '../run/run-index'
import { checkpointWindow, pairSummary } from '../run/run-views'
import { OUTCOME_CODE, PairColumns } from './pair-columns'
import { TextSearch } from './text-search'
import type { TextStore } from '../run/text-store'

const CACHED_RESULTS = 8

/** Which pairs carry a human label; issue-free runs have none. */
export type LabelledPairs = () => ReadonlySet<string>

export class PairQueryEngine {
  readonly columns: PairColumns
  readonly search: TextSearch
  private readonly results = new Map<string, Promise<Int32Array>>()

  constructor(
    private readonly index: RunIndex,
    store: TextStore,
    private readonly labelled: LabelledPairs = () => new Set()
  ) {
    this.columns = new PairColumns(index)
    this.search = new TextSearch(index, store)
  }

  async page(query: PairQuery, offset: number, limit: number): Promise<PairPage> {
    const started = performance.now()
    const key = queryKey(query)
    const cached = this.results.has(key)
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
    }
  }

  /** The matching pairs' indices, in the query's order (cached per query). */
  matching(query: PairQuery): Promise<Int32Array> {
    const key = queryKey(query)
    const cached = this.results.get(key)
    if (cached !== undefined) {
      this.results.delete(key)
      this.results.set(key, cached)
      return cached
    }
    const result = this.compute(query)
    this.results.set(key, result)
    result.catch(() => this.results.delete(key))
    while (this.results.size > CACHED_RESULTS) {
      const oldest = this.results.keys().next().value
      if (oldest === undefined) break
      this.results.delete(oldest)
    }
    return result
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
      tests.push((i) => c.taskType[i] === code)
    }
    if (q.outcomes !== undefined && q.outcomes.length > 0) {
      const allowed = new Uint8Array(verdictOutcomes.length)
      for (const o of q.outcomes) allowed[OUTCOME_CODE[o]] = 1
      tests.push((i) => allowed[c.outcome[i] as number] === 1)
    }
    if (q.annotation !== undefined) {
      const labelled = this.labelled()
      const want = q.annotation === 'labelled'
      tests.push((i) => labelled.has(c.pairId(i)) === want)
    }
    if (q.search !== undefined && q.search !== '') {
      let flags: Uint8Array
      try {
        flags = await this.search.flags(q.search, q.regex ?? false)
      } catch (error) {
        if (error instanceof SyntaxError) throw new ApiError('bad-request', error.message)
        throw error
      }
      tests.push((i) => flags[i] !== 0)
    }

    const out = new Int32Array(c.length)
    let n = 0
    outer: for (let i = 0; i < c.length; i++) {
      for (const test of tests) if (!test(i)) continue outer
      out[n++] = i
    }
    const matches = out.slice(0, n)
    if (q.sort !== undefined) this.sort(matches, q.sort, q.desc ?? false)
    return matches
  }

  private sort(order: Int32Array, key: NonNullable<PairQuery['sort']>, desc: boolean): void {
    const c = this.columns
    let column: ArrayLike<number>
    switch (key) {
      case 'id':
        column = c.idRank
        break
      case 'prompt':
        column = c.promptRank
        break
      case 'margin': {
        const margin = new Float64Array(c.length)
        for (let i = 0; i < c.length; i++)
          margin[i] = (c.newerScore[i] as number) - (c.olderScore[i] as number)
        column = margin
        break
      }
      case 'outcome':
        column = c.outcome
        break
      default:
        column = c[key]
    }
    const sign = desc ? -1 : 1
    // Unknown values (NaN) go last in both directions; equal values keep run order (stable).
    order.sort((a, b) => {
      const x = column[a] as number
      const y = column[b] as number
      const xn = Number.isNaN(x)
      const yn = Number.isNaN(y)
      if (xn || yn) return xn === yn ? a - b : xn ? 1 : -1
      return x === y ? a - b : (x < y ? -1 : 1) * sign
    })
  }
}
