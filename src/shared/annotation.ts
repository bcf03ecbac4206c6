// A human's judgement of a temporal pair: which response is better, made blind or not, by a named
// annotator, with the time it took. Shared by the core, the CLI and the renderer.

/** Keys 1–5 in the labeling view, in this order. */
export const labelValues = ['newer', 'older', 'tie', 'both-bad', 'skip'] as const
export type LabelValue = (typeof labelValues)[number]

export function isLabelValue(value: unknown): value is LabelValue {
  return typeof value === 'string' && (labelValues as readonly string[]).includes(value)
}

/** What an annotator can say about one criterion of the pair's rubric (keys a s d f g). */
export const criterionFlags = ['useful', 'vague', 'wrong', 'leaks-answer', 'redundant'] as const
export type CriterionFlag = (typeof criterionFlags)[number]

export interface Annotation {
  pairId: string
  label: LabelValue
  annotator: string
  /** When the label was committed (ISO 8601). */
  time: string
  note: string | null
  /** Whether the annotator saw the pair blind (sides shuffled, steps and scores hidden). */
  blind: boolean
  /** The audit queue the label was made in, if any. */
  queue: string | null
  /** Time spent on the pair before committing, in milliseconds, where measured. */
  ms: number | null
  /** Flags on the rubric's criteria, by criterion position (0-based, as a string key). */
  criterionFlags: Record<string, CriterionFlag>
}

export const MAX_ANNOTATOR_CHARS = 100

/** Why an annotator name cannot be used, or null when it can. */
export function annotatorProblem(name: string): string | null {
  if (name.trim() === '') return 'an annotator name cannot be empty'
  if (name.length > MAX_ANNOTATOR_CHARS)
    return `an annotator name has at most ${MAX_ANNOTATOR_CHARS} characters`
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'an annotator name cannot contain control characters'
  return null
}

/** How an audit queue picks its pairs. */
export const queueStrategies = [
  'all',
  'random',
  'stratified-gap',
  'stratified-checkpoint',
  'stratified-task',
  'judge-disagrees',
  'margin-near-zero',
  'annotators-disagree',
] as const
export type QueueStrategy = (typeof queueStrategies)[number]

export const QUEUE_STRATEGY_LABELS: Record<QueueStrategy, string> = {
  all: 'all pairs, in run order',
  random: 'a random sample',
  'stratified-gap': 'stratified by step gap',
  'stratified-checkpoint': 'stratified by checkpoint',
  'stratified-task': 'stratified by task type',
  'judge-disagrees': 'the stored judge disagrees with the temporal label',
  'margin-near-zero': 'the judge margin is near zero',
  'annotators-disagree': 'annotators disagree (adjudication)',
}

export interface AuditQueueSummary {
  id: string
  name: string
  strategy: QueueStrategy
  /** Pairs in the queue (at most the size asked for). */
  size: number
  seed: number
  created: string
}

export interface AuditQueue extends AuditQueueSummary {
  pairIds: string[]
}

/** A share with its 95% bootstrap interval and the labels it rests on. */
export interface ShareEstimate {
  value: number | null
  low: number | null
  high: number | null
  n: number
}

/** How often the newer response was judged better, in one slice of the labels. */
export interface TemporalSlice {
  /** What the slice is: "all", a step-gap range, a checkpoint id, a task type. */
  key: string
  /** Labels other than skip. */
  labels: number
  newer: number
  older: number
  tie: number
  bothBad: number
  /** newer / (all labels but skip), with its interval. */
  pNewer: ShareEstimate
  /** newer / (newer + older): the temporal assumption where the human made a choice. */
  pNewerDecisive: ShareEstimate
}

export interface PairwiseAgreement {
  a: string
  b: string
  items: number
  percent: number | null
  kappa: ShareEstimate
}

export interface AuditReport {
  annotators: string[]
  /** Of the labels counted, how many were made blind (imports are not). */
  blindLabels: number
  overall: TemporalSlice
  byGap: TemporalSlice[]
  byCheckpoint: TemporalSlice[]
  byTask: TemporalSlice[]
  /** The stored judge against the humans, on labelled pairs where the judge ordered the pair. */
  judge: { items: number; percent: number | null; kappa: ShareEstimate }
  /** Human–human agreement. */
  pairwise: PairwiseAgreement[]
  fleiss: ShareEstimate & { raters: number }
  krippendorff: ShareEstimate
  /**
   * Pairs on which annotators gave different labels (skips aside) and no adjudication label yet.
   * Labels made in adjudication queues settle a pair; they are left out of the agreement figures.
   */
  disagreements: string[]
}

/** Per criterion position (as a string key): how many labels put each flag on it. */
export type CriterionFlagCounts = Record<string, Partial<Record<CriterionFlag, number>>>
