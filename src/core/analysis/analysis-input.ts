// What the analysis engine starts from, as plain data (it may be handed to a worker thread):
// the run's pairs, the stored judge's scores, every rubric's criteria with their kinds, the
// workspace's local verdicts and the annotators' labels.
import type { Annotation } from '../../shared/annotation'
import type { LocalVerdict } from '../../shared/judge'
import type { CriterionFacts } from './figures'

export interface AnalysisPairs {
  ids: string[]
  newer: string[]
  older: string[]
  /** The pair's own rubric; null when it has none. */
  rubric: (string | null)[]
  /** Characters, newer − older (NaN when unknown). */
  lengthDiff: number[]
}

/** The run's own verdicts, per pair; NaN where a side has no score. */
export interface StoredScores {
  /** 1 where the run holds a verdict on either side under the pair's rubric. */
  present: number[]
  newer: number[]
  older: number[]
  baseNewer: number[]
  baseOlder: number[]
  critNewer: (number[] | null)[]
  critOlder: (number[] | null)[]
}

export interface RubricFacts {
  reference: string | null
  criteria: CriterionFacts[]
}

export type VerdictInput = Pick<
  LocalVerdict,
  | 'judge'
  | 'protocol'
  | 'template'
  | 'templateVersion'
  | 'rubricId'
  | 'responseId'
  | 'otherResponseId'
  | 'score'
  | 'criterionScores'
  | 'error'
>

export type LabelInput = Pick<Annotation, 'pairId' | 'annotator' | 'label'>

export interface AnalysisInput {
  pairs: AnalysisPairs
  stored: StoredScores | null
  rubrics: Record<string, RubricFacts>
  verdicts: VerdictInput[]
  labels: LabelInput[]
}

export function verdictInput(v: LocalVerdict): VerdictInput {
  return {
    judge: v.judge,
    protocol: v.protocol,
    template: v.template,
    templateVersion: v.templateVersion,
    rubricId: v.rubricId,
    responseId: v.responseId,
    otherResponseId: v.otherResponseId,
    score: v.score,
    criterionScores: v.criterionScores,
    error: v.error,
  }
}
