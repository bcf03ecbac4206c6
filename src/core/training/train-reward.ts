// Trains the scalar reward head on a run: frozen response embeddings (standardised with the
// training pairs' mean and spread), split by prompt, a Bradley–Terry MLP stepped with its
// train-step graph, early stopping on the validation loss; the held-out accuracy with its 95%
// bootstrap interval, and the head saved as an ONNX graph that takes raw embeddings.
import type { Estimate } from '../../shared/agreement'
import { BootstrapSums, itemKey, ratio } from '../../shared/poisson-bootstrap'
import type { TrainedHead, TrainingLabels } from '../../shared/training'
import { fit, fitFields } from './fit'
import { inferenceModel, referenceScore, RewardHeadTrainer, type Params } from './reward-head'
import { splitByPrompt } from './split'
import type { TrainOptions } from './train-criteria'
import { saveHead } from './trained-heads'

export interface RewardPair {
  pairId: string
  promptId: string
  /** The preferred response's embedding, and the other's. */
  chosen: Float32Array
  rejected: Float32Array
}

export interface RewardTrainingData {
  /** The model whose hidden states embed the responses. */
  source: string
  embedding: { kind: string; dim: number }
  pairs: RewardPair[]
}

/** Width of the head's hidden layer. */
export const HIDDEN = 64

function standardiser(pairs: readonly RewardPair[], dim: number): { mean: Float32Array; std: Float32Array } {
  const mean = new Float64Array(dim)
  const sq = new Float64Array(dim)
  let n = 0
  for (const p of pairs)
    for (const v of [p.chosen, p.rejected]) {
      n++
      for (let d = 0; d < dim; d++) {
        const x = v[d] as number
        mean[d] = (mean[d] as number) + x
        sq[d] = (sq[d] as number) + x * x
      }
    }
  const m = Float32Array.from(mean, (x) => x / Math.max(1, n))
  // A constant dimension keeps a spread of 1 rather than dividing by zero.
  const std = Float32Array.from(sq, (x, d) => {
    const variance = x / Math.max(1, n) - (m[d] as number) ** 2
    return variance > 1e-12 ? Math.sqrt(variance) : 1
  })
  return { mean: m, std }
}

/** The head, or null when `shouldStop` ended the training (nothing is saved then). */
export async function trainRewardHead(
  data: RewardTrainingData,
  labels: TrainingLabels,
  options: TrainOptions,
  saveAs: string
): Promise<TrainedHead | null> {
  const { dim } = data.embedding
  const { train, valid } = splitByPrompt(data.pairs, options.validShare, options.seed)
  if (train.length < options.batch)
    throw new Error(
      `${train.length} training pairs after the split by prompt; a batch needs ${options.batch} (label more pairs, or use --labels temporal)`
    )
  const scale = standardiser(train, dim)
  const standard = (v: Float32Array): Float32Array =>
    Float32Array.from(v, (x, d) => (x - (scale.mean[d] as number)) / (scale.std[d] as number))
  const prepared = (pairs: readonly RewardPair[]): RewardPair[] =>
    pairs.map((p) => ({ ...p, chosen: standard(p.chosen), rejected: standard(p.rejected) }))
  const trainSet = prepared(train)
  const validSet = prepared(valid)
  const size = { dim, hidden: HIDDEN, batch: options.batch }
  const trainer = await RewardHeadTrainer.create(size, options.seed, { device: options.device })
  const margins = (pairs: readonly RewardPair[]): Float32Array => {
    const chosen = new Float32Array(pairs.length * dim)
    const rejected = new Float32Array(pairs.length * dim)
    pairs.forEach((p, i) => {
      chosen.set(p.chosen, i * dim)
      rejected.set(p.rejected, i * dim)
    })
    const a = referenceScore(size, trainer.params, chosen, pairs.length)
    const b = referenceScore(size, trainer.params, rejected, pairs.length)
    return a.map((x, i) => x - (b[i] as number))
  }
  const accuracy = (pairs: readonly RewardPair[]): Estimate => {
    const m = margins(pairs)
    const sums = new BootstrapSums(2)
    pairs.forEach((p, i) => sums.add(itemKey(p.pairId), [1, (m[i] as number) > 0 ? 1 : 0]))
    return sums.estimate(ratio(1, 0), pairs.length)
  }
  try {
    const fitted = await fit(
      trainSet,
      {
        step: async (batch) => {
          const chosen = new Float32Array(batch.length * dim)
          const rejected = new Float32Array(batch.length * dim)
          batch.forEach((p, i) => {
            chosen.set(p.chosen, i * dim)
            rejected.set(p.rejected, i * dim)
          })
          return (await trainer.step(chosen, rejected, options.lr)).loss
        },
        evaluate: () => {
          const m = margins(validSet)
          let loss = 0
          let right = 0
          for (const x of m) {
            loss += Math.log1p(Math.exp(-x))
            if (x > 0) right++
          }
          return Promise.resolve({
            loss: m.length === 0 ? Number.NaN : loss / m.length,
            accuracy: m.length === 0 ? Number.NaN : right / m.length,
          })
        },
        snapshot: (): Params =>
          Object.fromEntries(Object.entries(trainer.params).map(([n, a]) => [n, Float32Array.from(a)])),
        restore: (params) => (trainer.params = params),
      },
      options
    )
    if (fitted.stopped) return null
    return await saveHead(
      saveAs,
      inferenceModel({ dim, hidden: HIDDEN }, trainer.params, 1, scale),
      {
        head: 'reward',
        labels,
        source: data.source,
        ...fitFields(train, valid, options, fitted),
        validAccuracy: accuracy(validSet),
        baselineAccuracy: null,
        device: trainer.device,
        multipliers: null,
        embedding: data.embedding,
      },
      {
        hidden: HIDDEN,
        options: { ...options, onEpoch: undefined, onStep: undefined, shouldStop: undefined },
      }
    )
  } finally {
    await trainer.release()
  }
}
