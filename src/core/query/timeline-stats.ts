// The timeline's per-checkpoint figures, computed from the run: how the stored judge ranks each
// checkpoint's temporal pairs, how long the responses are, and what the rubric generator writes.
// Rubric figures need the criteria, so the rubric texts are read once (in file order) and cached.
import { analyzeCriterion } from '../../shared/criterion-analysis'
import type { CheckpointStats, GapBin, TimelineStats } from '../../shared/domain'
import { parseRubric } from '../../shared/rubric-format'
import type { RunIndex } from '../run/run-index'
import { checkpointWindow, listCheckpoints } from '../run/run-views'
import type { TextStore } from '../run/text-store'
import { OUTCOME_CODE, type PairColumns } from './pair-columns'

/** Per rubric: criteria that are dealbreakers / state an answer (-1: not read). */
interface RubricCriteriaFlags {
  dealbreakers: Int32Array
  answerStating: Int32Array
  parsedCriteria: Int32Array
}

export class TimelineStatsBuilder {
  private rubricFlags: Promise<RubricCriteriaFlags> | null = null
  private result: Promise<TimelineStats> | null = null

  constructor(
    private readonly index: RunIndex,
    private readonly store: TextStore,
    private readonly columns: PairColumns
  ) {}

  stats(): Promise<TimelineStats> {
    this.result ??= this.compute()
    this.result.catch(() => (this.result = null))
    return this.result
  }

  private async compute(): Promise<TimelineStats> {
    const { index, columns: c } = this
    const flags = await this.readRubrics()
    const checkpoints = listCheckpoints(index).map((cp): CheckpointStats => {
      const window = checkpointWindow(index, cp.id)
      const inWindow = (step: number | null): boolean =>
        window !== null && step !== null && step > window.from && step <= window.to

      const steps = cp.phase === 'rubric' ? c.rubricStep : c.newerStep
      let pairs = 0
      let decided = 0
      let agrees = 0
      let ties = 0
      let withVerdicts = 0
      let parseFailures = 0
      for (let i = 0; i < c.length; i++) {
        const s = steps[i] as number
        if (window === null || !(s > window.from && s <= window.to)) continue
        pairs++
        const o = c.outcome[i] as number
        if (o === OUTCOME_CODE.none) continue
        withVerdicts++
        if (o === OUTCOME_CODE['parse-failure']) {
          parseFailures++
          continue
        }
        decided++
        if (o === OUTCOME_CODE.agrees) agrees++
        else if (o === OUTCOME_CODE.tie) ties++
      }

      let responses = 0
      let lengthSum = 0
      if (cp.phase === 'policy') {
        for (const r of index.responses) {
          if (r.phase === 'policy' && inWindow(r.step) && !r.isError) {
            responses++
            lengthSum += r.length
          }
        }
      }

      let rubrics = 0
      let criteria = 0
      let invalid = 0
      let parsedCriteria = 0
      let dealbreakers = 0
      let answerStating = 0
      if (cp.phase === 'rubric') {
        index.rubrics.forEach((r, at) => {
          if (!inWindow(r.step)) return
          rubrics++
          criteria += r.criteria
          if (!r.formatValid) invalid++
          const parsed = flags.parsedCriteria[at] as number
          if (parsed > 0) {
            parsedCriteria += parsed
            dealbreakers += flags.dealbreakers[at] as number
            answerStating += flags.answerStating[at] as number
          }
        })
      }

      const rate = (x: number, of: number): number | null => (of > 0 ? x / of : null)
      return {
        id: cp.id,
        phase: cp.phase,
        step: cp.step,
        pairs,
        winRate: rate(agrees, decided),
        tieRate: rate(ties, decided),
        parseFailureRate: rate(parseFailures, withVerdicts),
        responses,
        meanResponseLength: rate(lengthSum, responses),
        rubrics,
        meanCriteria: rate(criteria, rubrics),
        dealbreakerShare: rate(dealbreakers, parsedCriteria),
        answerStatingShare: rate(answerStating, parsedCriteria),
        formatInvalidShare: rate(invalid, rubrics),
      }
    })
    const { bins, missing } = gapHistogram(c.gap)
    return { checkpoints, gapHistogram: bins, pairsWithoutGap: missing }
  }

  /** Reads every rubric with a generator step once and classifies its criteria. */
  private readRubrics(): Promise<RubricCriteriaFlags> {
    this.rubricFlags ??= (async () => {
      const { index } = this
      const n = index.rubrics.length
      const flags: RubricCriteriaFlags = {
        dealbreakers: new Int32Array(n),
        answerStating: new Int32Array(n),
        parsedCriteria: new Int32Array(n),
      }
      const wanted = index.rubrics.flatMap((r, at) => (r.step === null || r.criteria === 0 ? [] : [at]))
      await this.store.forEachText(
        wanted.map((at) => (index.rubrics[at] as NonNullable<(typeof index.rubrics)[number]>).text),
        (k, raw) => {
          const at = wanted[k] as number
          const list = raw.startsWith('ERROR:') ? null : parseRubric(raw).criteria
          if (list === null || list.length === 0) return
          const total = list.reduce((sum, cr) => sum + (cr.weight ?? 0), 0)
          const rubric = index.rubrics[at]
          const reference = rubric === undefined ? null : (index.prompts[rubric.prompt]?.reference ?? null)
          let d = 0
          let a = 0
          for (const criterion of list) {
            const analysis = analyzeCriterion(criterion, { totalWeight: total, reference })
            if (analysis.dealbreaker) d++
            if (analysis.statedAnswer !== null) a++
          }
          flags.parsedCriteria[at] = list.length
          flags.dealbreakers[at] = d
          flags.answerStating[at] = a
        }
      )
      return flags
    })()
    return this.rubricFlags
  }
}

const TARGET_BINS = 20

/** Step gaps in about 20 bins of a round width (1, 2, 5, 10, 20, 25, 50…). */
export function gapHistogram(gaps: Float64Array): { bins: GapBin[]; missing: number } {
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  let missing = 0
  for (const g of gaps) {
    if (Number.isNaN(g)) {
      missing++
      continue
    }
    if (g < min) min = g
    if (g > max) max = g
  }
  if (!Number.isFinite(min)) return { bins: [], missing }
  const width = roundWidth((max - min + 1) / TARGET_BINS)
  const start = Math.floor(min / width) * width
  const count = Math.floor((max - start) / width) + 1
  const bins: GapBin[] = Array.from({ length: count }, (_, k) => ({
    from: start + k * width,
    to: start + (k + 1) * width - 1,
    count: 0,
  }))
  for (const g of gaps) {
    if (Number.isNaN(g)) continue
    const bin = bins[Math.min(count - 1, Math.floor((g - start) / width))]
    if (bin !== undefined) bin.count++
  }
  return { bins, missing }
}

function roundWidth(raw: number): number {
  if (raw <= 1) return 1
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  for (const step of [1, 2, 2.5, 5, 10]) {
    const width = step * magnitude
    if (width >= raw && Number.isInteger(width)) return width
  }
  return 10 * magnitude
}
