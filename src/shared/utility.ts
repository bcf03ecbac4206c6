// Discriminative utility of a rubric (EvoLM §1.3): how often the judge, scoring both sides of a
// temporal pair under the rubric, puts the newer response above the older one (1[s⁺ > s⁻]; ties
// give 0 and are counted apart), the mean margin s⁺ − s⁻, and the rubric's added value over the
// same judge without a rubric. Measured against the temporal label and, where people labelled the
// pairs, against the human label; the gap between the two is a finding of its own. Every rate has
// its n and a 95% bootstrap interval over pairs. Pure functions.
import { bootstrap, type Estimate } from './agreement'

export type HumanLabel = 'newer' | 'older' | 'tie'

/** Both sides of one pair as one judge scored them under one rubric (or none). */
export interface ScoredPair {
  pairId: string
  /** The rubric the scores were given under; null for a judge without a rubric. */
  rubricId: string | null
  /** Who scored: `stored` for the run's own verdicts, else a local or endpoint judge setting. */
  judge: string
  /** Null: no score (missing, or the judge's output did not parse). */
  newer: number | null
  older: number | null
  /** The same judge on the same pair without a rubric, where it ran. */
  baseline: { newer: number | null; older: number | null } | null
  /** The annotators' majority (ties and equal counts: `tie`); null when nobody labelled decisively. */
  human: HumanLabel | null
}

export interface UtilityRow {
  rubricId: string
  judge: string
  /** Pairs with both scores (the n of the temporal figures). */
  n: number
  /** Pairs whose score is missing on a side. */
  unscored: number
  ties: number
  /** Share of the n pairs scored newer above older, with its interval. */
  accuracy: Estimate
  tieRate: number | null
  /** Mean of newer − older over the n pairs. */
  margin: Estimate
  /** Share of pairs with a decisive human label where the judge prefers the side people chose. */
  humanAccuracy: Estimate
  /** humanAccuracy − accuracy, on the pairs people labelled (null without them). */
  humanGap: number | null
  /** Accuracy with the rubric − without, on the pairs where both were scored (null without a baseline). */
  addedValue: Estimate
}

const ROUNDS = 1000

function both(p: { newer: number | null; older: number | null }): boolean {
  return p.newer !== null && p.older !== null && Number.isFinite(p.newer) && Number.isFinite(p.older)
}

function share<T>(items: readonly T[], hit: (item: T) => boolean): number | null {
  return items.length === 0 ? null : items.filter(hit).length / items.length
}

const prefersNewer = (p: { newer: number; older: number }): boolean => p.newer > p.older

/** The judge agrees with people: it prefers (strictly) the side they chose. */
function agreesWithHuman(p: ScoredPair & { newer: number; older: number }): boolean {
  return (p.human === 'newer' && p.newer > p.older) || (p.human === 'older' && p.older > p.newer)
}

/** One row per (judge, rubric): utility against the temporal and the human label. */
export function rubricUtility(pairs: readonly ScoredPair[], seed = 1): UtilityRow[] {
  const groups = new Map<string, ScoredPair[]>()
  for (const p of pairs) {
    if (p.rubricId === null) continue
    const key = JSON.stringify([p.judge, p.rubricId])
    const list = groups.get(key) ?? []
    list.push(p)
    groups.set(key, list)
  }
  const rows: UtilityRow[] = []
  for (const list of groups.values()) {
    const first = list[0] as ScoredPair
    type Scored = ScoredPair & { newer: number; older: number }
    const scored = list.filter((p): p is Scored => both(p))
    const human = scored.filter((p) => p.human === 'newer' || p.human === 'older')
    const withBaseline = scored.filter((p) => p.baseline !== null && both(p.baseline)) as (Scored & {
      baseline: { newer: number; older: number }
    })[]
    const options = { rounds: ROUNDS, seed }
    const humanAccuracy = bootstrap(human, (s) => share(s, agreesWithHuman), options)
    const temporalOnHuman = share(human, prefersNewer)
    rows.push({
      rubricId: first.rubricId as string,
      judge: first.judge,
      n: scored.length,
      unscored: list.length - scored.length,
      ties: scored.filter((p) => p.newer === p.older).length,
      accuracy: bootstrap(scored, (s) => share(s, prefersNewer), options),
      tieRate: share(scored, (p) => p.newer === p.older),
      margin: bootstrap(
        scored,
        (s) => (s.length === 0 ? null : s.reduce((t, p) => t + p.newer - p.older, 0) / s.length),
        options
      ),
      humanAccuracy,
      humanGap:
        humanAccuracy.value === null || temporalOnHuman === null
          ? null
          : humanAccuracy.value - temporalOnHuman,
      addedValue: bootstrap(
        withBaseline,
        (s) => {
          const w = share(s, prefersNewer)
          const b = share(s, (p) => prefersNewer(p.baseline))
          return w === null || b === null ? null : w - b
        },
        options
      ),
    })
  }
  return rows.sort((a, b) => a.judge.localeCompare(b.judge) || a.rubricId.localeCompare(b.rubricId))
}

/** All rubrics together, one row per judge (rubricId `*`): the judge's overall utility. */
export function overallUtility(pairs: readonly ScoredPair[], seed = 1): UtilityRow[] {
  return rubricUtility(
    pairs.map((p) => (p.rubricId === null ? p : { ...p, rubricId: '*' })),
    seed
  )
}

/** The annotators' majority on a pair: a side needs more votes than the other side and than tie (both-bad and skip do not count). */
export function humanMajority(labels: readonly string[]): HumanLabel | null {
  const newer = labels.filter((l) => l === 'newer').length
  const older = labels.filter((l) => l === 'older').length
  const tie = labels.filter((l) => l === 'tie').length
  if (newer + older + tie === 0) return null
  if (newer > older && newer > tie) return 'newer'
  if (older > newer && older > tie) return 'older'
  return 'tie'
}

/** One criterion's scores on both sides of a pair (P(yes) or a 0–1 level), with the human label. */
export interface CriterionPair {
  pairId: string
  newer: number | null
  older: number | null
  human: HumanLabel | null
}

export interface CriterionUtility {
  /** Pairs with the criterion scored on both sides. */
  n: number
  /** Share of newer responses that pass (score ≥ 0.5) minus the share of older ones. */
  passContrast: Estimate
  newerPassRate: number | null
  olderPassRate: number | null
  /** Passes (or fails) on at least 95% of all scored responses: it separates nothing. */
  saturation: 'always-passes' | 'always-fails' | null
  /**
   * AUROC of (newer − older) for telling the side people preferred: 1 ranks every pair right,
   * 0.5 is chance; over pairs labelled decisively.
   */
  auroc: Estimate
}

export const PASS = 0.5
const SATURATED = 0.95

/** Probability that a random positive outscores a random negative (ties count half). */
export function auroc(positives: readonly number[], negatives: readonly number[]): number | null {
  if (positives.length === 0 || negatives.length === 0) return null
  let wins = 0
  for (const p of positives) for (const q of negatives) wins += p > q ? 1 : p === q ? 0.5 : 0
  return wins / (positives.length * negatives.length)
}

export function criterionUtility(pairs: readonly CriterionPair[], seed = 1): CriterionUtility {
  const scored = pairs.filter(both) as (CriterionPair & { newer: number; older: number })[]
  const passRate = (xs: readonly number[]): number | null =>
    xs.length === 0 ? null : xs.filter((x) => x >= PASS).length / xs.length
  const newerPassRate = passRate(scored.map((p) => p.newer))
  const olderPassRate = passRate(scored.map((p) => p.older))
  const all = passRate(scored.flatMap((p) => [p.newer, p.older]))
  // For AUROC the pair is oriented by the human label: the difference "preferred − other" is a
  // positive example, "other − preferred" its mirror, so chance is 0.5 whatever the label mix.
  const labelled = scored.filter((p) => p.human === 'newer' || p.human === 'older')
  const options = { rounds: ROUNDS, seed }
  return {
    n: scored.length,
    passContrast: bootstrap(
      scored,
      (s) => {
        const a = passRate(s.map((p) => p.newer))
        const b = passRate(s.map((p) => p.older))
        return a === null || b === null ? null : a - b
      },
      options
    ),
    newerPassRate,
    olderPassRate,
    saturation:
      all === null ? null : all >= SATURATED ? 'always-passes' : all <= 1 - SATURATED ? 'always-fails' : null,
    auroc: bootstrap(
      labelled,
      (s) => {
        const diffs = s.map((p) => (p.human === 'newer' ? p.newer - p.older : p.older - p.newer))
        return auroc(
          diffs,
          diffs.map((d) => -d)
        )
      },
      options
    ),
  }
}
