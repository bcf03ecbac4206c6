// The timeline's per-checkpoint figures, computed from the run: how the stored judge ranks each
// checkpoint's temporal pairs, how long the responses are, and what the rubric generator writes.
// Rubric figures need the criteria, so the rubric texts are read once (in file order) and cached.
import { analyzeCriterion } from '../../shared/criterion-analysis'
import type { CheckpointStats, GapBin, TimelineStats } from '../../shared/domain'
import { parseRubric } from '../../shared/rubric-format'
import type { RunIndex } from '../run/run-index'
import { listCheckpoints } from '../run/run-views'
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
    const checkpoints = listCheckpoints(index)
    const windows = {
      policy: new StepWindows(checkpoints.filter((cp) => cp.phase === 'policy').map((cp) => cp.step)),
      rubric: new StepWindows(checkpoints.filter((cp) => cp.phase === 'rubric').map((cp) => cp.step)),
    }
    // One accumulator per checkpoint, filled in single passes over pairs, responses and rubrics
    // (each record's window found by binary search), so the cost does not grow with checkpoints.
    const acc = {
      policy: windows.policy.steps.map(() => new Tally()),
      rubric: windows.rubric.steps.map(() => new Tally()),
    }
    for (let i = 0; i < c.length; i++) {
      const outcome = c.outcome[i] as number
      acc.policy[windows.policy.find(c.newerStep[i] as number)]?.pair(outcome)
      acc.rubric[windows.rubric.find(c.rubricStep[i] as number)]?.pair(outcome)
    }
    const { responses, rubrics } = index
    for (let i = 0; i < responses.length; i++) {
      if (responses.field('phase', i) !== 'policy' || responses.field('isError', i)) continue
      const t = acc.policy[windows.policy.find(responses.num('step', i))]
      if (t !== undefined) {
        t.responses++
        t.lengthSum += responses.num('length', i)
      }
    }
    for (let i = 0; i < rubrics.length; i++) {
      const t = acc.rubric[windows.rubric.find(rubrics.num('step', i))]
      if (t === undefined) continue
      t.rubrics++
      t.criteria += rubrics.num('criteria', i)
      if (!rubrics.field('formatValid', i)) t.invalid++
      const parsed = flags.parsedCriteria[i] as number
      if (parsed > 0) {
        t.parsedCriteria += parsed
        t.dealbreakers += flags.dealbreakers[i] as number
        t.answerStating += flags.answerStating[i] as number
      }
    }

    const rate = (x: number, of: number): number | null => (of > 0 ? x / of : null)
    const stats = checkpoints.map((cp): CheckpointStats => {
      const t = acc[cp.phase][windows[cp.phase].steps.indexOf(cp.step)] ?? new Tally()
      return {
        id: cp.id,
        phase: cp.phase,
        step: cp.step,
        pairs: t.pairs,
        winRate: rate(t.agrees, t.decided),
        tieRate: rate(t.ties, t.decided),
        parseFailureRate: rate(t.parseFailures, t.withVerdicts),
        responses: t.responses,
        meanResponseLength: rate(t.lengthSum, t.responses),
        rubrics: t.rubrics,
        meanCriteria: rate(t.criteria, t.rubrics),
        dealbreakerShare: rate(t.dealbreakers, t.parsedCriteria),
        answerStatingShare: rate(t.answerStating, t.parsedCriteria),
        formatInvalidShare: rate(t.invalid, t.rubrics),
      }
    })
    const { bins, missing } = gapHistogram(c.gap)
    return { checkpoints: stats, gapHistogram: bins, pairsWithoutGap: missing }
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
      const { rubrics } = index
      const wanted: number[] = []
      for (let at = 0; at < n; at++)
        if (!Number.isNaN(rubrics.num('step', at)) && rubrics.num('criteria', at) > 0) wanted.push(at)
      await this.store.forEachText(
        wanted.map((at) => rubrics.field('text', at)),
        (k, raw) => {
          const at = wanted[k] as number
          const list = raw.startsWith('ERROR:') ? null : parseRubric(raw).criteria
          if (list === null || list.length === 0) return
          const total = list.reduce((sum, cr) => sum + (cr.weight ?? 0), 0)
          const reference = index.prompts[rubrics.num('prompt', at)]?.reference ?? null
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
    this.rubricFlags.catch(() => (this.rubricFlags = null))
    return this.rubricFlags
  }
}

/** A phase's checkpoint steps; each checkpoint stands for the steps since the one before it. */
export class StepWindows {
  readonly steps: number[]
  constructor(steps: number[]) {
    this.steps = [...new Set(steps)].sort((a, b) => a - b)
  }

  /** The checkpoint whose window holds `step` (-1 for none, or an unknown step). */
  find(step: number): number {
    if (Number.isNaN(step)) return -1
    let lo = 0
    let hi = this.steps.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((this.steps[mid] as number) < step) lo = mid + 1
      else hi = mid
    }
    return lo < this.steps.length ? lo : -1
  }
}

class Tally {
  pairs = 0
  decided = 0
  agrees = 0
  ties = 0
  withVerdicts = 0
  parseFailures = 0
  responses = 0
  lengthSum = 0
  rubrics = 0
  criteria = 0
  invalid = 0
  parsedCriteria = 0
  dealbreakers = 0
  answerStating = 0

  pair(outcome: number): void {
    this.pairs++
    if (outcome === OUTCOME_CODE.none) return
    this.withVerdicts++
    if (outcome === OUTCOME_CODE['parse-failure']) {
      this.parseFailures++
      return
    }
    this.decided++
    if (outcome === OUTCOME_CODE.agrees) this.agrees++
    else if (outcome === OUTCOME_CODE.tie) this.ties++
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
