// Discriminative utility of a rubric (EvoLM §1.3): how often the judge, scoring both sides of a
// temporal pair under the rubric, puts the newer response above the older one (1[s⁺ > s⁻]; ties
// give 0 and are counted apart), the mean margin s⁺ − s⁻, and the rubric's added value over the
// same judge without a rubric. Measured against the temporal label and, where people labelled the
// pairs, against the human label; the gap between the two is a finding of its own. The figures
// are worked out in core/analysis; these are their shapes and the rules the views share.
import type { Estimate } from './agreement'

export type HumanLabel = 'newer' | 'older' | 'tie'

/** A criterion passes on a response when its P(yes) (or 0–1 level) is at least this. */
export const PASS = 0.5

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
