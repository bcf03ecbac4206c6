// The pair table as columns of typed arrays, built once per opened run. Filtering and sorting
// 200,000 pairs is then a tight loop over numbers (a few milliseconds), with no objects made per
// pair until a page of summaries is returned.
import type { VerdictOutcome } from '../../shared/domain'
import { verdictOutcomes } from '../../shared/pair-query'
import type { RunIndex } from '../run/run-index'

export const OUTCOME_CODE: Record<VerdictOutcome, number> = Object.fromEntries(
  verdictOutcomes.map((o, i) => [o, i])
) as Record<VerdictOutcome, number>

export class PairColumns {
  readonly length: number
  /** NaN stands for "unknown" in every numeric column. */
  readonly gap: Float64Array
  readonly newerStep: Float64Array
  readonly olderStep: Float64Array
  /** Step the pair's rubric was written at. */
  readonly rubricStep: Float64Array
  readonly newerScore: Float64Array
  readonly olderScore: Float64Array
  readonly outcome: Uint8Array
  readonly prompt: Int32Array
  /** Index into `taskTypes`, -1 when the prompt has none. */
  readonly taskType: Int32Array
  readonly taskTypes: string[] = []
  private idRankCache: Int32Array | null = null
  private promptRankCache: Int32Array | null = null

  constructor(private readonly index: RunIndex) {
    const n = index.pairs.length
    this.length = n
    this.gap = new Float64Array(n)
    this.newerStep = new Float64Array(n)
    this.olderStep = new Float64Array(n)
    this.rubricStep = new Float64Array(n)
    this.newerScore = new Float64Array(n)
    this.olderScore = new Float64Array(n)
    this.outcome = new Uint8Array(n)
    this.prompt = new Int32Array(n)
    this.taskType = new Int32Array(n)
    const taskCodes = new Map<string, number>()
    const promptTask = index.prompts.map((p) => {
      if (p.taskType === null) return -1
      let code = taskCodes.get(p.taskType)
      if (code === undefined) {
        code = this.taskTypes.length
        this.taskTypes.push(p.taskType)
        taskCodes.set(p.taskType, code)
      }
      return code
    })
    const num = (v: number | null | undefined): number => (v === null || v === undefined ? Number.NaN : v)
    const { pairs, responses, rubrics } = index
    for (let i = 0; i < n; i++) {
      const newerVerdict = pairs.num('newerVerdict', i)
      const olderVerdict = pairs.num('olderVerdict', i)
      const prompt = pairs.num('prompt', i)
      this.gap[i] = pairs.num('gap', i)
      this.newerStep[i] = responses.num('step', pairs.num('newer', i))
      this.olderStep[i] = responses.num('step', pairs.num('older', i))
      this.rubricStep[i] = rubrics.num('step', pairs.num('rubric', i))
      this.newerScore[i] = num(index.verdictScore(newerVerdict))
      this.olderScore[i] = num(index.verdictScore(olderVerdict))
      this.outcome[i] = OUTCOME_CODE[index.outcome({ newerVerdict, olderVerdict })]
      this.prompt[i] = prompt
      this.taskType[i] = promptTask[prompt] ?? -1
    }
  }

  /** Rank of each pair's id in string order (computed on the first sort by id). */
  get idRank(): Int32Array {
    if (this.idRankCache === null) {
      // Built once: comparing ids read from the columns would build two strings per comparison.
      const ids = Array.from({ length: this.length }, (_, i) => this.pairId(i))
      this.idRankCache = rankBy(this.length, (a, b) => compareStrings(ids[a] as string, ids[b] as string))
    }
    return this.idRankCache
  }

  /** Rank of each pair's prompt in prompt-text order. */
  get promptRank(): Int32Array {
    if (this.promptRankCache === null) {
      const prompts = this.index.prompts
      const order = rankBy(prompts.length, (a, b) =>
        compareStrings(prompts[a]?.text ?? '', prompts[b]?.text ?? '')
      )
      const rank = new Int32Array(this.length)
      for (let i = 0; i < this.length; i++) rank[i] = order[this.prompt[i] as number] as number
      this.promptRankCache = rank
    }
    return this.promptRankCache
  }

  pairId(i: number): string {
    return i >= 0 && i < this.length ? this.index.pairs.field('id', i) : ''
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** rank[i] = position of item i when all items are sorted with `compare`. */
function rankBy(n: number, compare: (a: number, b: number) => number): Int32Array {
  const order = Array.from({ length: n }, (_, i) => i).sort(compare)
  const rank = new Int32Array(n)
  order.forEach((item, position) => (rank[item] = position))
  return rank
}
