// Trains the scalar reward head on a run: frozen response embeddings (standardised with the
// training pairs' mean and spread), split by prompt, a Bradley–Terry MLP stepped with its
// train-step graph, early stopping on the validation loss; the held-out accuracy with its 95%
// bootstrap interval, and the head saved as an ONNX graph that takes raw embeddings.
import type { Estimate } from '../../shared/agreement'
import { BootstrapSums, itemKey, ratio } from '../../shared/poisson-bootstrap'
import type { TrainedHead, TrainingLabels } from '../../shared/training'
import { softplus } from './criterion-features'
import { fit, fitFields } from './fit'
import { HeadScorer, inferenceModel, RewardHeadTrainer, type Params } from './reward-head'
import { splitByPrompt } from './split'
import type { TrainOptions } from './train-criteria'
import { saveHead } from './trained-heads'

/** A labelled pair by its responses' ids: the preferred one, and the other. */
export interface RewardPair {
  pairId: string
  promptId: string
  chosen: string
  rejected: string
}

export interface RewardTrainingData {
  /** The model whose hidden states embed the responses. */
  source: string
  embedding: { kind: string; dim: number }
  pairs: RewardPair[]
  /** Each response's embedding, by id (every id the pairs name). */
  vector: (responseId: string) => Float32Array
}

/** Width of the head's hidden layer. */
export const HIDDEN = 64

/** Mean and spread per dimension over responses, each counted once. */
function standardiser(
  vectors: readonly Float32Array[],
  dim: number
): { mean: Float32Array; std: Float32Array } {
  const mean = new Float64Array(dim)
  const sq = new Float64Array(dim)
  for (const v of vectors)
    for (let d = 0; d < dim; d++) {
      const x = v[d] as number
      mean[d] = (mean[d] as number) + x
      sq[d] = (sq[d] as number) + x * x
    }
  const n = Math.max(1, vectors.length)
  const m = Float32Array.from(mean, (x) => x / n)
  // A constant dimension keeps a spread of 1 rather than dividing by zero.
  const std = Float32Array.from(sq, (x, d) => {
    const variance = x / n - (m[d] as number) ** 2
    return variance > 1e-12 ? Math.sqrt(variance) : 1
  })
  return { mean: m, std }
}

const responsesOf = (pairs: readonly RewardPair[]): string[] => [
  ...new Set(pairs.flatMap((p) => [p.chosen, p.rejected])),
]

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
  // Standardised once per response (pairs share responses), with the training responses' statistics.
  const scale = standardiser(responsesOf(train).map(data.vector), dim)
  const standard = new Map<string, Float32Array>()
  for (const id of responsesOf(data.pairs))
    standard.set(
      id,
      Float32Array.from(data.vector(id), (x, d) => (x - (scale.mean[d] as number)) / (scale.std[d] as number))
    )
  const vec = (id: string): Float32Array => standard.get(id) as Float32Array
  const size = { dim, hidden: HIDDEN, batch: options.batch }
  const trainer = await RewardHeadTrainer.create(size, options.seed, { device: options.device })
  const scorer = await HeadScorer.create({ dim, hidden: HIDDEN })
  const validResponses = responsesOf(valid)
  /** Newer-minus-older… chosen-minus-rejected score of each held-out pair, each response scored once. */
  const margins = async (): Promise<number[]> => {
    const scores = await scorer.scores(validResponses.map(vec), trainer.params)
    const of = new Map(validResponses.map((id, i) => [id, scores[i] as number]))
    return valid.map((p) => (of.get(p.chosen) as number) - (of.get(p.rejected) as number))
  }
  const accuracy = async (): Promise<Estimate> => {
    const m = await margins()
    const sums = new BootstrapSums(2)
    valid.forEach((p, i) => sums.add(itemKey(p.pairId), [1, (m[i] as number) > 0 ? 1 : 0]))
    return sums.estimate(ratio(1, 0), valid.length)
  }
  try {
    const fitted = await fit(
      train,
      {
        step: async (batch) => {
          const chosen = new Float32Array(batch.length * dim)
          const rejected = new Float32Array(batch.length * dim)
          batch.forEach((p, i) => {
            chosen.set(vec(p.chosen), i * dim)
            rejected.set(vec(p.rejected), i * dim)
          })
          return (await trainer.step(chosen, rejected, options.lr)).loss
        },
        evaluate: async () => {
          const m = await margins()
          let loss = 0
          let right = 0
          for (const x of m) {
            loss += softplus(-x)
            if (x > 0) right++
          }
          return {
            loss: m.length === 0 ? Number.NaN : loss / m.length,
            accuracy: m.length === 0 ? Number.NaN : right / m.length,
          }
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
        validAccuracy: await accuracy(),
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
    await scorer.release()
  }
}
