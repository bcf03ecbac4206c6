// Workbench-format rows as the index workers see them (see workbench.ts for how ids are resolved).
import type { Phase } from '../../shared/domain'
import type { TextRef } from '../run/run-index'
import { readReference } from './prompt-metadata-rows'
import { RowError, type Row } from './row'
import { extractRubric, type RubricExtract } from './rubric-extract'

/** The tables, in the order they are read: a row may refer only to tables before its own. */
export const TABLES = ['prompts', 'checkpoints', 'responses', 'rubrics', 'verdicts', 'pairs'] as const
export type Table = (typeof TABLES)[number]

export interface PromptExtract {
  id: string
  text: string
  taskType: string | null
  reference: string | null
}
export interface CheckpointExtract {
  phase: Phase
  step: number
  path: string | null
}
export interface ResponseExtract {
  id: string
  promptId: string
  phase: Phase | null
  step: number | null
  text: TextRef
  isError: boolean
}
export interface RubricRowExtract {
  id: string
  promptId: string
  step: number | null
  rubric: RubricExtract
}
export interface VerdictExtract {
  id: string | null
  judge: string | null
  responseId: string
  rubricId: string | null
  score: number | null
  reasoning: TextRef | null
  /** The judge's score per criterion, in the rubric's order: a JSON list, read on demand. */
  criterionScores: TextRef | null
}
export interface PairExtract {
  id: string
  newerId: string
  olderId: string
  rubricId: string | null
  gap: number | null
}

function phaseOf(row: Row): Phase | null {
  const phase = row.string('phase')
  if (phase === null || phase === 'policy' || phase === 'rubric') return phase
  throw new RowError(`field phase: expected "policy" or "rubric", got ${JSON.stringify(phase)}`)
}

export const workbenchExtractors: Record<`wb-${Table}`, (row: Row) => unknown> = {
  'wb-prompts': (row): PromptExtract => ({
    id: row.requiredString('id'),
    text: row.requiredString('text'),
    taskType: row.string('task_type'),
    reference: readReference(row, 'reference_answer'),
  }),
  'wb-checkpoints': (row): CheckpointExtract => {
    const phase = phaseOf(row)
    const step = row.integer('step')
    if (phase === null || step === null) throw new RowError('a checkpoint needs a phase and a step')
    return { phase, step, path: row.string('path') }
  },
  'wb-responses': (row): ResponseExtract => {
    const text = row.textRef('text')
    if (text === null) throw new RowError('field text is missing')
    return {
      id: row.requiredString('id'),
      promptId: row.requiredString('prompt_id'),
      phase: phaseOf(row),
      step: row.integer('step'),
      text,
      isError: row.startsWith('text', 'ERROR:'),
    }
  },
  'wb-rubrics': (row): RubricRowExtract => {
    const rubric = extractRubric(row, 'text')
    if (rubric === null) throw new RowError('field text is missing')
    return {
      id: row.requiredString('id'),
      promptId: row.requiredString('prompt_id'),
      step: row.integer('step'),
      rubric,
    }
  },
  'wb-verdicts': (row): VerdictExtract => ({
    id: row.string('id'),
    judge: row.string('judge'),
    responseId: row.requiredString('response_id'),
    rubricId: row.string('rubric_id'),
    score: row.number('score'),
    reasoning: row.textRef('reasoning'),
    criterionScores: row.textRef('criterion_scores', ['array']),
  }),
  'wb-pairs': (row): PairExtract => ({
    id: row.requiredString('id'),
    newerId: row.requiredString('newer_id'),
    olderId: row.requiredString('older_id'),
    rubricId: row.string('rubric_id'),
    gap: row.integer('gap'),
  }),
}
