// Local judges: the protocols, devices and records shared by the engine, the jobs, the CLI and the
// views. Pure data and logic only.

import type { PairQuery } from './pair-query'

export const judgeProtocols = ['pointwise-json', 'criteria-logprob', 'pairwise-logprob'] as const
export type JudgeProtocol = (typeof judgeProtocols)[number]

export const judgeDevices = ['auto', 'cpu', 'webgpu', 'cuda'] as const
export type JudgeDevice = (typeof judgeDevices)[number]
export type ResolvedDevice = Exclude<JudgeDevice, 'auto'>

/** Weight variants of a model folder, by their Hugging Face file suffix (onnx/model<suffix>.onnx). */
export const modelDtypes = ['fp32', 'fp16', 'q8', 'q4'] as const
export type ModelDtype = (typeof modelDtypes)[number]
export const dtypeSuffix: Record<ModelDtype, string> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  q4: '_q4',
}

export function isJudgeProtocol(value: unknown): value is JudgeProtocol {
  return typeof value === 'string' && (judgeProtocols as readonly string[]).includes(value)
}

/** Which device runs a judge, and why a faster one does not. */
export interface DeviceReport {
  requested: JudgeDevice
  /** `endpoint`: the judge runs on an OpenAI-compatible server. */
  used: ResolvedDevice | 'endpoint'
  /** One line per faster device that was tried or ruled out, with the reason. */
  notes: string[]
}

/** One local judgement: a (rubric, response) score, or a pair's preference for pairwise protocols. */
export interface LocalVerdict {
  /** (judge, protocol, template@version, rubric, response): the job's resume key. */
  key: string
  judge: string
  protocol: JudgeProtocol
  template: string
  templateVersion: number
  /** Null when judged without a rubric. */
  rubricId: string | null
  /** The response judged; for pairwise protocols the newer response. */
  responseId: string
  /** Pairwise protocols only: the older response. */
  otherResponseId: string | null
  /**
   * Pointwise and criteria protocols: the score in [0, 1]. Pairwise: P(newer is better), averaged
   * over both presentation orders. Null when the item failed or the output did not parse.
   */
  score: number | null
  /** criteria-logprob: P(yes) per criterion, in the rubric's order. */
  criterionScores: number[] | null
  /** pairwise-logprob: P(first shown is better) in each order, [newer first, older first]. */
  orderScores: [number, number] | null
  parseFailure: boolean
  /** The judge's text (generated protocols), kept whole so failures can be read. */
  raw: string | null
  reasoning: string | null
  /** The input was cut to fit the judge's context. */
  truncated: boolean
  /** Why the item could not be judged; null when it was. */
  error: string | null
  tokens: number
  time: string
}

export function verdictKey(
  parts: Pick<
    LocalVerdict,
    'judge' | 'protocol' | 'template' | 'templateVersion' | 'rubricId' | 'responseId' | 'otherResponseId'
  >
): string {
  return JSON.stringify([
    parts.judge,
    parts.protocol,
    `${parts.template}@${parts.templateVersion}`,
    parts.rubricId ?? '-',
    parts.otherResponseId === null ? parts.responseId : `${parts.responseId}>${parts.otherResponseId}`,
  ])
}

/** Score under a rubric from per-criterion scores: the weight-normalized sum (missing weights count 1). */
export function weightedScore(scores: readonly number[], weights: readonly (number | null)[]): number | null {
  let total = 0
  let weightSum = 0
  scores.forEach((score, i) => {
    const w = weights[i] ?? 1
    const weight = Number.isFinite(w) && w > 0 ? w : 0
    total += weight * score
    weightSum += weight
  })
  return weightSum > 0 ? total / weightSum : null
}

/** P(first choice) from the log-probabilities of two competing answer tokens. */
export function choiceProbability(first: number, second: number): number {
  const m = Math.max(first, second)
  const a = Math.exp(first - m)
  const b = Math.exp(second - m)
  return a / (a + b)
}

export interface PointwiseParse {
  score: number | null
  reasoning: string | null
  /** Why the text did not give a score; null when it did. */
  problem: string | null
}

/**
 * Reads `{"reasoning": …, "score": x}` from a judge's text: a `<think>` block and code fences are
 * skipped, and the last JSON object holding a `score` wins (judges sometimes draft one first).
 */
export function parsePointwise(text: string): PointwiseParse {
  const visible = text.replace(/<think>[\s\S]*?(<\/think>|$)/g, ' ')
  const candidates: string[] = []
  for (let start = visible.indexOf('{'); start !== -1; start = visible.indexOf('{', start + 1)) {
    const end = matchingBrace(visible, start)
    if (end !== -1) candidates.push(visible.slice(start, end + 1))
  }
  for (const candidate of candidates.reverse()) {
    let value: unknown
    try {
      value = JSON.parse(candidate)
    } catch {
      continue
    }
    if (typeof value !== 'object' || value === null || !('score' in value)) continue
    const record = value as Record<string, unknown>
    const score = typeof record['score'] === 'string' ? Number(record['score']) : record['score']
    const reasoning = typeof record['reasoning'] === 'string' ? record['reasoning'] : null
    if (typeof score !== 'number' || !Number.isFinite(score))
      return { score: null, reasoning, problem: 'the "score" is not a number' }
    if (score < 0 || score > 1)
      return { score: null, reasoning, problem: `the score ${score} is outside [0, 1]` }
    return { score, reasoning, problem: null }
  }
  return { score: null, reasoning: null, problem: 'no JSON object with a "score" in the output' }
}

function matchingBrace(text: string, start: number): number {
  let depth = 0
  let inString = false
  for (let i = start; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === '{') depth++
    else if (c === '}' && --depth === 0) return i
  }
  return -1
}

/**
 * Sequences per forward pass when the user does not say. On CPU one at a time is fastest: a
 * bigger batch spills the attention scores out of the caches and buys no parallelism the
 * runtime's threads do not already have. A GPU needs batches to be busy.
 */
export function defaultBatch(device: ResolvedDevice | 'endpoint'): number {
  return device === 'cpu' ? 1 : 8
}

/** Job selections: which pairs a judge job covers. */
export type JudgeSelection =
  { kind: 'run' } | { kind: 'query'; query: PairQuery } | { kind: 'queue'; id: string }

/** An OpenAI-compatible server that serves the judge (vLLM, SGLang, llama.cpp). */
export interface JudgeEndpoint {
  /** The API base, e.g. http://gpu-box:8000/v1 */
  url: string
  modelName: string
  /** The environment variable holding the API key (never the key itself). */
  apiKeyEnv: string | null
  /** Requests in flight at once. */
  concurrency: number
  timeoutS: number
  /** Tries after the first on 429, 5xx, timeouts and dropped connections. */
  retries: number
}

export interface JudgeJobSpec {
  /** A model folder; the smoke-test judge when omitted (and no endpoint is given). */
  model: string | null
  /** Judge on a server instead of a local model folder. */
  endpoint: JudgeEndpoint | null
  dtype: ModelDtype
  protocol: JudgeProtocol
  /** A template file; the protocol's bundled template when omitted. */
  template: string | null
  rubric: boolean
  /** Judge under rubrics the workbench generated (`rubrics generate`) instead of the run's own. */
  rubricSet: { generator: string; template: string } | null
  device: JudgeDevice
  /** Sequences per forward pass; null picks by device (see defaultBatch). */
  batch: number | null
  prefixCache: boolean
  limit: number | null
  seed: number
  selection: JudgeSelection
}

export const jobStates = [
  'queued',
  'loading',
  'running',
  'done',
  'cancelled',
  'failed',
  'interrupted',
] as const
export type JobState = (typeof jobStates)[number]

export interface JudgeJob {
  id: string
  spec: JudgeJobSpec
  state: JobState
  /** Judge label, set once the model loaded. */
  judge: string | null
  device: DeviceReport | null
  total: number
  scored: number
  skipped: number
  failed: number
  /** Items per second over the current attempt. */
  rate: number | null
  /** Seconds left at that rate. */
  remainingS: number | null
  /** Why the job failed or stopped, in one sentence. */
  message: string | null
  created: string
  updated: string
}

export function isActive(state: JobState): boolean {
  return state === 'queued' || state === 'loading' || state === 'running'
}

/** Local verdicts on one pair, grouped per judge setting, newer beside older. */
export interface PairJudgement {
  judge: string
  /** A generated rubric's id when the verdicts used one; null for the run's rubric or none. */
  generatedRubric: string | null
  protocol: JudgeProtocol
  template: string
  templateVersion: number
  withRubric: boolean
  newer: LocalVerdict | null
  older: LocalVerdict | null
  /** pairwise protocols: the pair's verdict. */
  pair: LocalVerdict | null
  /** P(newer better) or newer − older score; null when either side is missing. */
  margin: number | null
}

export interface PairJudgements {
  groups: PairJudgement[]
  /** The rubric's effect per (judge, protocol): margin with the rubric minus margin without. */
  effects: {
    judge: string
    protocol: JudgeProtocol
    withRubric: number
    withoutRubric: number
    effect: number
  }[]
}

export function pairMargin(group: Pick<PairJudgement, 'newer' | 'older' | 'pair'>): number | null {
  if (group.pair !== null) return group.pair.score === null ? null : group.pair.score - 0.5
  if (group.newer?.score == null || group.older?.score == null) return null
  return group.newer.score - group.older.score
}

/** Local verdicts given under one rubric, per judge setting. */
export interface RubricJudgements {
  settings: {
    judge: string
    protocol: JudgeProtocol
    template: string
    templateVersion: number
    verdicts: LocalVerdict[]
  }[]
}

export interface JudgeModelOption {
  path: string
  name: string
  dtypes: ModelDtype[]
  smokeTest: boolean
  contextLength: number | null
  /** Why the folder cannot be used; null when it can. */
  problem: string | null
}

export interface JudgeTemplateOption {
  path: string
  name: string
  version: number
  protocol: JudgeProtocol
  withoutRubric: boolean
}

export interface JudgeDeviceOption {
  device: JudgeDevice
  /** What to expect: present, tried at start, or missing and how to get it. */
  note: string
}

/** A line of the workspace's verdict files that could not be read (skipped; judged again if needed). */
export interface VerdictFileIssue {
  file: string
  line: number
  problem: string
}

export interface JudgeSetup {
  models: JudgeModelOption[]
  templates: JudgeTemplateOption[]
  devices: JudgeDeviceOption[]
  /** Unreadable verdict lines: how many, and the first few. */
  verdictIssues: { count: number; first: VerdictFileIssue[] }
}
