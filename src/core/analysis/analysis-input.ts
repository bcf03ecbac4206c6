// What the analysis engine starts from, as plain data (it may be handed to a worker thread):
// the run's pairs, the stored judge's scores, every rubric's criteria with their kinds, the
// workspace's local verdicts and the annotators' labels.
import type { Annotation } from '../../shared/annotation'
import type { LocalVerdict } from '../../shared/judge'
import type { CriterionFacts } from './figures'

export interface AnalysisPairs {
  ids: string[]
  /** The prompt each pair answers (a train/validation split goes by prompt). */
  prompt: string[]
  newer: string[]
  older: string[]
  /** The pair's own rubric; null when it has none. */
  rubric: (string | null)[]
  /** Characters, newer − older (NaN when unknown). */
  lengthDiff: Float64Array
}

/** The run's own verdicts, per pair; NaN where a side has no score. Typed arrays: handing 200,000 pairs to the worker is a copy of bytes. */
export interface StoredScores {
  /** 1 where the run holds a verdict on either side under the pair's rubric. */
  present: Uint8Array
  newer: Float64Array
  older: Float64Array
  baseNewer: Float64Array
  baseOlder: Float64Array
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
  rubrics: Map<string, RubricFacts>
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

/**
 * The input as it crosses to the worker thread. Copying 800,000 small strings one by one takes
 * seconds; one long string per column copies as bytes and splits again in milliseconds. Rubrics
 * whose criteria are the same objects (one text logged for many rows) cross once.
 */
export interface PackedInput {
  ids: string
  prompt: string
  newer: string
  older: string
  rubric: string
  lengthDiff: Float64Array
  stored: StoredScores | null
  rubricIds: string
  rubricFacts: Int32Array
  facts: RubricFacts[]
  verdicts: VerdictInput[]
  labels: LabelInput[]
}

// Ids never hold control characters: one separates, another stands for "no rubric".
const SEP = '\u0000'
const NONE = '\u0001'

export function packInput(input: AnalysisInput): PackedInput {
  const { pairs } = input
  const facts: RubricFacts[] = []
  const slot = new Map<RubricFacts['criteria'], number>()
  const rubricFacts = new Int32Array(input.rubrics.size)
  let i = 0
  for (const f of input.rubrics.values()) {
    let at = slot.get(f.criteria)
    if (at === undefined) {
      at = facts.push(f) - 1
      slot.set(f.criteria, at)
    }
    rubricFacts[i++] = at
  }
  return {
    ids: pairs.ids.join(SEP),
    prompt: pairs.prompt.join(SEP),
    newer: pairs.newer.join(SEP),
    older: pairs.older.join(SEP),
    rubric: pairs.rubric.map((r) => r ?? NONE).join(SEP),
    lengthDiff: pairs.lengthDiff,
    stored: input.stored,
    rubricIds: [...input.rubrics.keys()].join(SEP),
    rubricFacts,
    facts,
    verdicts: input.verdicts,
    labels: input.labels,
  }
}

export function unpackInput(p: PackedInput): AnalysisInput {
  const split = (s: string): string[] => (s === '' ? [] : s.split(SEP))
  const rubricIds = split(p.rubricIds)
  return {
    pairs: {
      ids: split(p.ids),
      prompt: split(p.prompt),
      newer: split(p.newer),
      older: split(p.older),
      rubric: split(p.rubric).map((r) => (r === NONE ? null : r)),
      lengthDiff: p.lengthDiff,
    },
    stored: p.stored,
    rubrics: new Map(rubricIds.map((id, i) => [id, p.facts[p.rubricFacts[i] as number] as RubricFacts])),
    verdicts: p.verdicts,
    labels: p.labels,
  }
}
