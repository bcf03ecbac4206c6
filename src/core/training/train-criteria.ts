// Trains the criterion-weight learner on a run: split by prompt, batches of pairs, early stopping
// on the validation loss, then the held-out accuracy of the re-weighted rubrics against that of
// the generator's own weights (each with its 95% bootstrap interval), and the head saved in the
// workspace as an ONNX graph (criterion features → weight multiplier) beside its metadata.
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Estimate } from '../../shared/agreement'
import { criterionClusters } from '../../shared/analysis'
import { BootstrapSums, itemKey, ratio } from '../../shared/poisson-bootstrap'
import { mulberry32, shuffled } from '../../shared/seeded-random'
import type { CriterionTrainingData } from '../analysis/analysis-engine'
import { writeFileAtomic } from '../export/output-path'
import { CriterionWeightLearner, FEATURE_NAMES, FEATURES, type CriterionPair } from './criterion-weights'
import { Graph } from './graph'
import { splitByPrompt } from './split'

export interface CriteriaTrainingOptions {
  epochs: number
  seed: number
  lr: number
  validShare: number
  /** Epochs without a better validation loss before stopping. */
  patience: number
  batch: number
  onEpoch?: (e: { epoch: number; trainLoss: number; validLoss: number; validAccuracy: number }) => void
}

export interface CriteriaTrainingResult {
  head: 'criteria'
  judge: string
  labels: 'temporal' | 'human'
  pairs: { train: number; valid: number }
  prompts: { train: number; valid: number }
  epochs: number
  curve: { epoch: number; trainLoss: number; validLoss: number; validAccuracy: number }[]
  /** On the held-out pairs: the learned weights, and the generator's own. */
  validAccuracy: Estimate
  baselineAccuracy: Estimate
  multipliers: Record<string, number>
  theta: number[]
  model: string
  metadata: string
}

type Pair = CriterionTrainingData['pairs'][number]

/** Criteria per pair the learner's graph takes. */
const MAX_CRITERIA = 32

const margin = (p: Pair, multiplier: (f: Pair['criteria'][number]['features']) => number): number =>
  p.criteria.reduce((s, c) => s + multiplier(c.features) * c.features.weightShare * (c.newer - c.older), 0)

/** Share of pairs whose margin has the label's sign, with its interval over pairs. */
function accuracy(
  pairs: readonly Pair[],
  multiplier: (f: Pair['criteria'][number]['features']) => number
): Estimate {
  const sums = new BootstrapSums(2)
  for (const p of pairs) sums.add(itemKey(p.pairId), [1, margin(p, multiplier) * p.label > 0 ? 1 : 0])
  return sums.estimate(ratio(1, 0), pairs.length)
}

export async function trainCriterionWeights(
  data: CriterionTrainingData,
  labels: 'temporal' | 'human',
  options: CriteriaTrainingOptions,
  saveIn: string
): Promise<CriteriaTrainingResult> {
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
  const criteria = Math.max(...pairs.map((p) => p.criteria.length))
  const learner = await CriterionWeightLearner.create({ batch: options.batch, criteria })
  try {
    const random = mulberry32(options.seed)
    const curve: CriteriaTrainingResult['curve'] = []
    let best = { loss: Infinity, theta: Float32Array.from(learner.theta), epoch: 0 }
    const validLoss = (): number => {
      let sum = 0
      for (const p of valid) sum += Math.log1p(Math.exp(-p.label * margin(p, (f) => learner.multiplier(f))))
      return valid.length === 0 ? Number.NaN : sum / valid.length
    }
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const order = shuffled(train, random)
      let trainLoss = 0
      let steps = 0
      for (let b = 0; b + options.batch <= order.length; b += options.batch) {
        trainLoss += (await learner.step(order.slice(b, b + options.batch).map(asPair), options.lr)).loss
        steps++
      }
      const point = {
        epoch,
        trainLoss: trainLoss / steps,
        validLoss: validLoss(),
        validAccuracy: accuracy(valid, (f) => learner.multiplier(f)).value ?? Number.NaN,
      }
      curve.push(point)
      options.onEpoch?.(point)
      const score = Number.isNaN(point.validLoss) ? point.trainLoss : point.validLoss
      if (score < best.loss) best = { loss: score, theta: Float32Array.from(learner.theta), epoch }
      else if (epoch - best.epoch >= options.patience) break
    }
    learner.theta = best.theta
    const multiplier = (f: Pair['criteria'][number]['features']): number => learner.multiplier(f)
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
    const stamp = new Date().toISOString().replace(/[:.]/g, '-')
    await mkdir(saveIn, { recursive: true })
    const model = join(saveIn, `criteria-${stamp}.onnx`)
    const metadata = join(saveIn, `criteria-${stamp}.json`)
    await writeFileAtomic(model, multiplierModel(learner.theta))
    const result: CriteriaTrainingResult = {
      head: 'criteria',
      judge: data.judge,
      labels,
      pairs: { train: train.length, valid: valid.length },
      prompts: {
        train: new Set(train.map((p) => p.promptId)).size,
        valid: new Set(valid.map((p) => p.promptId)).size,
      },
      epochs: curve.length,
      curve,
      validAccuracy: accuracy(valid, multiplier),
      baselineAccuracy: accuracy(valid, () => 1),
      multipliers,
      theta: [...learner.theta],
      model,
      metadata,
    }
    await writeFileAtomic(
      metadata,
      `${JSON.stringify({ ...result, features: FEATURE_NAMES, options: { ...options, onEpoch: undefined }, split: 'by prompt' }, null, 1)}\n`
    )
    return result
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
