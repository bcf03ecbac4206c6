// What the criterion-weight learner knows of a criterion, and what its θ does with it, apart from
// the runtime: the core applies learned weights to curated sets without loading onnxruntime.
import { criterionClusters, type CriterionCluster } from '../../shared/analysis'

/** What a criterion's learned weight depends on. */
export interface CriterionFeatures {
  clusters: CriterionCluster[]
  dealbreaker: boolean
  statedAnswer: boolean
  /** The stated answer differs from the reference. */
  wrongAnswer: boolean
  /** Its share of the rubric's weight (equal shares when the generator gave none). */
  weightShare: number
}

export const FEATURE_NAMES = [
  'bias',
  ...criterionClusters,
  'states an answer',
  'wrong answer',
  'weight share',
] as const
export const FEATURES = FEATURE_NAMES.length

/** Criteria per pair the learner's graph takes; a pair's criteria past this are left out everywhere. */
export const MAX_CRITERIA = 32

export function featureVector(f: CriterionFeatures): number[] {
  return [
    1,
    ...criterionClusters.map((c) => (f.clusters.includes(c) ? 1 : 0)),
    f.statedAnswer ? 1 : 0,
    f.wrongAnswer ? 1 : 0,
    f.weightShare,
  ]
}

/** softplus(features · θ): a criterion's multiplier of its generator weight. */
export function multiplierOf(theta: ArrayLike<number>, f: CriterionFeatures): number {
  const z = featureVector(f).reduce((s, x, i) => s + x * (theta[i] as number), 0)
  return softplus(z)
}

/** A rubric re-weighted: each weight (1 where none is written) times its multiplier, scaled back to the rubric's total. */
export function reweightRubric(
  theta: ArrayLike<number>,
  criteria: readonly { weight: number | null; features: CriterionFeatures }[]
): number[] {
  const base = criteria.map((c) => c.weight ?? 1)
  const raw = criteria.map((c, i) => (base[i] as number) * multiplierOf(theta, c.features))
  const total = base.reduce((a, b) => a + b, 0)
  const sum = raw.reduce((a, b) => a + b, 0)
  return raw.map((w) => (sum > 0 ? (w * total) / sum : w))
}

/** log(1 + eˣ) without overflow for large x. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))
}
