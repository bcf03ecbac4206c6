// Messages between the workbench and its judge host process. Requests carry a sequence number;
// every reply names the request it answers (logs are not tied to one and carry 0).
import type { DeviceReport, JudgeDevice, ModelDtype } from '../../shared/judge'
import type { CurvePoint, TrainedHead, TrainingLabels } from '../../shared/training'
import type { CriterionTrainingData } from '../analysis/analysis-engine'
import type { TrainOptions } from '../training/train-criteria'
import type { RewardTrainingData } from '../training/train-reward'
import type { EmbeddingKind } from './judge-engine'
import type { JudgeTemplate } from './judge-template'
import type { ItemResult, JudgeItem } from './protocols'

export type HostRequest =
  | {
      seq: number
      type: 'load'
      model: string
      device: JudgeDevice
      dtype: ModelDtype
      /** Load a copy whose graph also outputs the final hidden states, kept in this folder (embedding). */
      hiddenStatesIn?: string
    }
  | {
      seq: number
      type: 'run'
      template: JudgeTemplate
      items: JudgeItem[]
      /** Null: the device's default. */
      batch: number | null
      prefixReuse: boolean
      seed: number
    }
  /** Free text for each request (rubric generation), sampled with its seed. */
  | { seq: number; type: 'generate'; requests: GenerateRequest[] }
  /** One embedding per response (the reward head's inputs), streamed as each batch is done. */
  | { seq: number; type: 'embed'; items: EmbedItem[]; batch: number | null }
  /** Trains a head and saves it; needs no model loaded. */
  | { seq: number; type: 'train'; task: TrainingTask }
  /** Runs a saved head (one input row [1, width] → one value) over rows; needs no model loaded. */
  | { seq: number; type: 'score'; model: string; input: string; output: string; rows: Float32Array[] }
  /** Stops the run in progress after its current forward pass (or training step). */
  | { seq: number; type: 'cancel' }

export interface GenerateRequest {
  key: string
  messages: { role: 'system' | 'user'; content: string }[]
  chatOptions: Record<string, boolean>
  maxNewTokens: number
  temperature: number
  seed: number
}

export interface EmbedItem {
  key: string
  prompt: string
  response: string
}

export interface Embedded {
  key: string
  vector: Float32Array | null
  kind: EmbeddingKind
  error: string | null
}

type TaskOptions = Omit<TrainOptions, 'shouldStop' | 'onEpoch' | 'onStep'>

export type TrainingTask =
  | {
      head: 'criteria'
      data: CriterionTrainingData
      labels: TrainingLabels
      options: TaskOptions
      saveAs: string
    }
  | {
      head: 'reward'
      /** The pairs by response ids; the host reads their vectors from the embedding cache in `cacheDir`. */
      data: Omit<RewardTrainingData, 'vector'> & { cacheDir: string }
      labels: TrainingLabels
      options: TaskOptions
      saveAs: string
    }

export interface Generated {
  key: string
  text: string | null
  tokens: number
  error: string | null
}

export interface LoadedJudge {
  judge: string
  device: DeviceReport
  contextLength: number
  smokeTest: boolean
}

export type HostReply =
  | { seq: number; type: 'loaded'; loaded: LoadedJudge }
  | { seq: number; type: 'result'; result: ItemResult }
  | { seq: number; type: 'generated'; generated: Generated }
  | { seq: number; type: 'embedded'; embedded: Embedded }
  | { seq: number; type: 'epoch'; point: CurvePoint }
  /** The saved head; null when the training was cancelled. */
  | { seq: number; type: 'trained'; head: TrainedHead | null }
  | { seq: number; type: 'scored'; values: number[] }
  | { seq: number; type: 'progress'; done: number; total: number }
  | { seq: number; type: 'done'; cancelled: boolean; tokens: number; passes: number; seconds: number }
  | { seq: number; type: 'error'; message: string }
  | { seq: 0; type: 'log'; message: string }
