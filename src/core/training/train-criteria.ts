// Trains the criterion-weight learner on a run: split by prompt, batches of pairs, early stopping
// on the validation loss, then the held-out accuracy of the re-weighted rubrics against that of
// the generator's own weights (each with its 95% bootstrap interval), and the head saved in the
// workspace as an ONNX graph (criterion features → weight multiplier) beside its metadata.
import type { Estimate } from '../../shared/agreement'
import { criterionClusters } from '../../shared/analysis'
import type { JudgeDevice } from '../../shared/judge'
import { BootstrapSums, itemKey, ratio } from '../../shared/poisson-bootstrap'
import type { TrainedHead, TrainingLabels } from '../../shared/training'
import type { CriterionTrainingData } from '../analysis/analysis-engine'
import { FEATURE_NAMES, FEATURES, MAX_CRITERIA, softplus } from './criterion-features'
import { CriterionWeightLearner, type CriterionPair } from './criterion-weights'
import { fit, fitFields, type FitOptions } from './fit'
import { Graph } from './graph'
import { splitByPrompt } from './split'
import { saveHead } from './trained-heads'

export type TrainOptions = FitOptions & {
  lr: number
  validShare: number
  device: JudgeDevice
}

type Pair = CriterionTrainingData['pairs'][number]
type Features = Pair['criteria'][number]['features']

const margin = (p: Pair, multiplier: (f: Features) => number): number =>
  p.criteria.reduce((s, c) => s + multiplier(c.features) * c.features.weightShare * (c.newer - c.older), 0)

/** Share of pairs whose margin has the label's sign, with its interval over pairs. */
function accuracy(pairs: readonly Pair[], multiplier: (f: Features) => number): Estimate {
  const sums = new BootstrapSums(2)
  for (const p of pairs) sums.add(itemKey(p.pairId), [1, margin(p, multiplier) * p.label > 0 ? 1 : 0])
  return sums.estimate(ratio(1, 0), pairs.length)
}

/** The head, or null when `shouldStop` ended the training (nothing is saved then). */
export async function trainCriterionWeights(
  data: CriterionTrainingData,
  labels: TrainingLabels,
  options: TrainOptions,
  saveAs: string
): Promise<TrainedHead | null> {
  // A pair's criteria beyond the graph's width are left out everywhere, training and evaluation alike.
  const pairs = data.pairs.map((p) => ({ ...p, criteria: p.criteria.slice(0, MAX_CRITERIA) }))
  const { train, valid } = splitByPrompt(pairs, options.validShare, options.seed)
  if (train.length < options.batch)
    throw new Error(
      `${train.length} training pairs after the split by prompt; a batch needs ${options.batch} (label more pairs, or score more with criteria-logprob)`
    )
  // The learner scales each criterion's P(yes) difference by its generator weight share.
  const asPair = (p: Pair): CriterionPair => ({
    label: p.label,
    criteria: p.criteria.map((c) => ({
      features: c.features,
      newer: c.features.weightShare * c.newer,
      older: c.features.weightShare * c.older,
    })),
  })
  const criteria = pairs.reduce((most, p) => Math.max(most, p.criteria.length), 0)
  const learner = await CriterionWeightLearner.create(
    { batch: options.batch, criteria },
    { device: options.device }
  )
  try {
    const multiplier = (f: Features): number => learner.multiplier(f)
    const fitted = await fit(
      train,
      {
        step: async (batch) => (await learner.step(batch.map(asPair), options.lr)).loss,
        evaluate: () => {
          let sum = 0
          for (const p of valid) sum += softplus(-p.label * margin(p, multiplier))
          return Promise.resolve({
            loss: valid.length === 0 ? Number.NaN : sum / valid.length,
            accuracy: accuracy(valid, multiplier).value ?? Number.NaN,
          })
        },
        snapshot: () => Float32Array.from(learner.theta),
        restore: (theta) => (learner.theta = theta),
      },
      options
    )
    if (fitted.stopped) return null
    // Each cluster's multiplier, for a criterion of that cluster alone (no other feature).
    const multipliers = Object.fromEntries(
      criterionClusters.map((cluster) => [
        cluster,
        learner.multiplier({
          clusters: [cluster],
          dealbreaker: cluster === 'dealbreaker',
          statedAnswer: false,
          wrongAnswer: false,
          weightShare: 0,
        }),
      ])
    )
    return await saveHead(
      saveAs,
      multiplierModel(learner.theta),
      {
        head: 'criteria',
        labels,
        source: data.judge,
        ...fitFields(train, valid, options, fitted),
        validAccuracy: accuracy(valid, multiplier),
        baselineAccuracy: accuracy(valid, () => 1),
        device: learner.device,
        multipliers,
        embedding: null,
      },
      {
        features: FEATURE_NAMES,
        theta: [...learner.theta],
        options: { ...options, onEpoch: undefined, onStep: undefined, shouldStop: undefined },
      }
    )
  } finally {
    await learner.release()
  }
}

/** The learned head as an inference graph: one criterion's features [1, F] → its weight multiplier [1, 1]. */
export function multiplierModel(theta: Float32Array): Uint8Array {
  const g = new Graph()
  const x = g.input('features', [1, FEATURES])
  return g.build(
    { multiplier: g.softplus(g.matmul(x, g.constant(Float32Array.from(theta), [FEATURES, 1]))) },
    'criterion-weights'
  )
}
