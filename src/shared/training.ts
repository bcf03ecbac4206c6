// Local training: the two heads a run can train, their jobs and what they leave in the workspace.
// A criteria head learns which criteria predict the labels (a multiplier on each criterion's
// weight, from its features); a reward head is a scalar Bradley–Terry model on response
// embeddings from a judge model. Both split pairs by prompt and are saved as ONNX with metadata.
import type { Estimate } from './agreement'
import type { DeviceReport, JobState, JudgeDevice, ModelDtype } from './judge'

export const trainingHeads = ['criteria', 'reward'] as const
export type TrainingHead = (typeof trainingHeads)[number]
export const trainingLabels = ['temporal', 'human'] as const
export type TrainingLabels = (typeof trainingLabels)[number]

export interface TrainingSpec {
  head: TrainingHead
  labels: TrainingLabels
  /** Criteria head: the judge setting whose per-criterion verdicts it learns from (null: the first). */
  judge: string | null
  /** Reward head: the model folder whose hidden states embed responses (null: the smoke-test judge). */
  model: string | null
  dtype: ModelDtype
  device: JudgeDevice
  epochs: number
  seed: number
  lr: number
  /** Share of prompts held out for validation (and for the comparison table). */
  validShare: number
  /** Epochs without a better validation loss before stopping. */
  patience: number
  batch: number
}

export const defaultTrainingSpec = {
  criteria: { lr: 0.05, batch: 16, epochs: 30 },
  reward: { lr: 0.003, batch: 32, epochs: 40 },
  validShare: 0.2,
  patience: 5,
  seed: 0,
} as const

export interface CurvePoint {
  epoch: number
  /** Null when the loss was not finite (the training diverged). */
  trainLoss: number | null
  /** Null when no pair is held out (a run too small for the share). */
  validLoss: number | null
  /** Share of held-out pairs the head orders as the labels do. */
  validAccuracy: number | null
}

/** What a finished (or stopped) training left. */
export interface TrainedHead {
  id: string
  head: TrainingHead
  labels: TrainingLabels
  /** The judge setting (criteria head) or the embedding model (reward head). */
  source: string
  seed: number
  validShare: number
  pairs: { train: number; valid: number }
  prompts: { train: number; valid: number }
  epochs: number
  bestEpoch: number
  curve: CurvePoint[]
  /** Held-out accuracy of the head, and of what it is compared with (the generator's weights for a criteria head). */
  validAccuracy: Estimate
  baselineAccuracy: Estimate | null
  device: DeviceReport
  /** Criteria head: each criterion cluster's weight multiplier. */
  multipliers: Record<string, number> | null
  /** Reward head: how responses were embedded (`hidden-mean` or `logprob-sketch`) and the width. */
  embedding: { kind: string; dim: number } | null
  /** The ONNX inference graph and its metadata, in the workspace. */
  model: string
  metadata: string
  created: string
}

export interface TrainingJob {
  id: string
  spec: TrainingSpec
  state: JobState
  /** What a running job is doing: embedding responses, or stepping through epochs. */
  phase: 'loading' | 'embedding' | 'training' | null
  progress: { done: number; total: number }
  curve: CurvePoint[]
  device: DeviceReport | null
  /** The saved head once the job is done. */
  result: TrainedHead | null
  message: string | null
  created: string
  updated: string
}

/** One row of the comparison table: a way of ordering pairs, on the held-out human-labelled pairs. */
export interface ComparisonRow {
  kind: 'rubric judge' | 'no-rubric judge' | 'scalar head' | 're-weighted rubric'
  /** The judge setting or the saved head. */
  source: string
  /** On every held-out labelled pair it orders. */
  accuracy: Estimate
  /** On the pairs every row with any pair orders (null for a row with none). */
  common: Estimate | null
  /** Its agreement minus the reference rubric judge's, on the pairs both order (null for the reference). */
  versusReference: Estimate | null
}

export interface TrainingComparison {
  seed: number
  validShare: number
  /** Held-out prompts with a human label on at least one pair. */
  prompts: number
  pairs: number
  /** Held-out labelled pairs that every row with any pair orders. */
  commonPairs: number
  rows: ComparisonRow[]
  /** The rubric judge the other rows are set against (the first with held-out pairs). */
  reference: string | null
  /** Why a row is missing (no head trained with this seed yet, no judge without a rubric). */
  missing: string[]
}
