// Messages between the workbench and its judge host process. Requests carry a sequence number;
// every reply names the request it answers (logs are not tied to one and carry 0).
import type { DeviceReport, JudgeDevice, ModelDtype } from '../../shared/judge'
import type { JudgeTemplate } from './judge-template'
import type { ItemResult, JudgeItem } from './protocols'

export type HostRequest =
  | { seq: number; type: 'load'; model: string; device: JudgeDevice; dtype: ModelDtype }
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
  /** Stops the run in progress after its current forward pass. */
  | { seq: number; type: 'cancel' }

export interface GenerateRequest {
  key: string
  messages: { role: 'system' | 'user'; content: string }[]
  chatOptions: Record<string, boolean>
  maxNewTokens: number
  temperature: number
  seed: number
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
  | { seq: number; type: 'progress'; done: number; total: number }
  | { seq: number; type: 'done'; cancelled: boolean; tokens: number; passes: number; seconds: number }
  | { seq: number; type: 'error'; message: string }
  | { seq: 0; type: 'log'; message: string }
