// EvoLM rows as the index workers see them: each logged example or qualitative-eval row becomes
// a small extract with byte references to its texts (see evolm.ts for how they are applied).
import type { TextRef } from '../run/run-index'
import { RowError, type Row } from './row'
import { extractRubric, type RubricExtract } from './rubric-extract'
import type { ScanTask } from './scan-task'

export interface VerdictExtract {
  score: number | null
  reasoning: TextRef | null
}

export interface GenerationExtract {
  /** Position in the range's shared texts. */
  question: number
  /** Rubric rows carry a temporal pair; policy rows one scored response. */
  pair: boolean
  trainingStep: number | null
  newerStep: number | null
  olderStep: number | null
  gap: number | null
  newer: TextRef
  older: TextRef | null
  newerVerdict: VerdictExtract | null
  olderVerdict: VerdictExtract | null
  rubric: RubricExtract | null
}

export interface QualitativeExtract {
  /** Position in the range's shared texts. */
  question: number
  text: TextRef
  isError: boolean
  rubric: RubricExtract | null
}

export function extractGeneration(row: Row): GenerationExtract {
  const actor = row.string('actor_type')
  if (actor !== null && actor !== 'policy' && actor !== 'rubric') {
    throw new RowError(
      `field actor_type: expected "policy" or "rubric", got ${JSON.stringify(actor.slice(0, 40))}`
    )
  }
  const question = row.sharedString('question')
  const trainingStep = row.integer('training_step')
  // EvoLM's own writer puts 0 (not null) in the pair fields of policy rows.
  const currentStep = row.integer('current_step') || trainingStep
  const olderStep = row.integer('rejected_step')
  const gap = row.integer('step_gap')
  const newer = row.textRef('policy_answer')
  const older = row.isEmptyString('rejected_answer') ? null : row.textRef('rejected_answer')
  const pair = actor === 'rubric' || (actor === null && older !== null)
  if (newer === null) throw new RowError('field policy_answer is missing')
  if (pair && older === null) throw new RowError('a rubric row needs both policy_answer and rejected_answer')
  const verdict = (scoreKey: string, reasoningKey: string): VerdictExtract | null =>
    row.has(scoreKey) ? { score: row.number(scoreKey), reasoning: row.textRef(reasoningKey) } : null
  const newerVerdict =
    pair && row.has('accepted_score')
      ? verdict('accepted_score', 'accepted_reasoning')
      : verdict('score', 'accepted_reasoning')
  return {
    question,
    pair,
    trainingStep,
    newerStep: currentStep,
    olderStep: pair ? olderStep : null,
    gap: pair ? (gap ?? (currentStep !== null && olderStep !== null ? currentStep - olderStep : null)) : null,
    newer,
    older: pair ? older : null,
    newerVerdict,
    olderVerdict: pair ? verdict('rejected_score', 'rejected_reasoning') : null,
    rubric: extractRubric(row, 'rubric'),
  }
}

export function extractQualitative(row: Row, task: ScanTask): QualitativeExtract {
  const question = row.sharedString('question')
  const text = row.textRef('generation')
  if (text === null) throw new RowError('field generation is missing')
  return {
    question,
    text,
    isError: row.startsWith('generation', 'ERROR:'),
    rubric: task.phase === 'rubric' ? extractRubric(row, 'generation') : null,
  }
}

/** The encoded length approximates characters without decoding the text. */
export function encodedLength(text: TextRef): number {
  return Math.max(0, text.end - text.start - 2)
}
