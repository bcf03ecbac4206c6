// Which pairs an audit queue holds. Every strategy is seeded: the same run, strategy, size and
// seed give the same queue, so an audit can be described and repeated.
import type { QueueStrategy } from '../../shared/annotation'
import { mulberry32, shuffled, type Rng } from '../../shared/seeded-random'
import { OUTCOME_CODE, type PairColumns } from '../query/pair-columns'
import { gapHistogram, StepWindows } from '../query/timeline-stats'
import type { RunIndex } from '../run/run-index'
import { listCheckpoints } from '../run/run-views'

/** Pair positions (into the run's pairs) for a queue. */
export function samplePairs(
  index: RunIndex,
  columns: PairColumns,
  strategy: QueueStrategy,
  size: number,
  seed: number,
  /** Pairs the annotators labelled differently (for an adjudication queue). */
  disagreements: readonly number[] = []
): number[] {
  const random = mulberry32(seed)
  const all = Array.from({ length: columns.length }, (_, i) => i)
  switch (strategy) {
    case 'all':
      return all.slice(0, size)
    case 'random':
      return shuffled(all, random).slice(0, size)
    case 'judge-disagrees':
      return shuffled(
        all.filter((i) => columns.outcome[i] === OUTCOME_CODE.disagrees),
        random
      ).slice(0, size)
    case 'margin-near-zero': {
      // Smallest |newer − older| first; ties in a seeded order; pairs without two scores excluded.
      const withMargin = shuffled(
        all.filter((i) => !Number.isNaN(margin(columns, i))),
        random
      )
      return withMargin
        .sort((a, b) => Math.abs(margin(columns, a)) - Math.abs(margin(columns, b)))
        .slice(0, size)
    }
    case 'stratified-gap': {
      const bins = gapHistogram(columns.gap).bins
      return stratified(all, size, random, (i) => {
        const g = columns.gap[i] as number
        return Number.isNaN(g) ? 'no gap' : String(bins.findIndex((b) => g >= b.from && g <= b.to))
      })
    }
    case 'stratified-checkpoint': {
      const steps = listCheckpoints(index)
        .filter((c) => c.phase === 'policy')
        .map((c) => c.step)
      const windows = new StepWindows(steps)
      return stratified(all, size, random, (i) => String(windows.find(columns.newerStep[i] as number)))
    }
    case 'stratified-task':
      return stratified(all, size, random, (i) => String(columns.taskType[i]))
    case 'annotators-disagree':
      return shuffled(disagreements, random).slice(0, size)
  }
}

function margin(columns: PairColumns, i: number): number {
  return (columns.newerScore[i] as number) - (columns.olderScore[i] as number)
}

/**
 * Equal shares from every stratum: each stratum is shuffled, then strata give one pair in turn
 * until the size is reached (small strata run out and the others fill in).
 */
function stratified(all: number[], size: number, random: Rng, stratum: (i: number) => string): number[] {
  const groups = new Map<string, number[]>()
  for (const i of all) {
    const key = stratum(i)
    const group = groups.get(key)
    if (group === undefined) groups.set(key, [i])
    else group.push(i)
  }
  const queues = [...groups.keys()].sort().map((key) => shuffled(groups.get(key) ?? [], random))
  const out: number[] = []
  for (let round = 0; out.length < size; round++) {
    let took = false
    for (const q of queues) {
      const next = q[round]
      if (next === undefined) continue
      out.push(next)
      took = true
      if (out.length === size) break
    }
    if (!took) break
  }
  return out
}
