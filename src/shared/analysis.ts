// What the analyses report (EvoLM's open questions, domain.md §1.3 and §4): per-criterion
// utility and its leave-one-out ablation, criterion clusters, judge transfer, divergence from
// people and the length confound, and one agreement matrix. Every rate is an Estimate: value,
// its 95% bootstrap interval and the n it rests on. JSON-safe: it crosses IPC and the bridge.
import type { Estimate } from './agreement'
import type { UtilityRow } from './utility'

/**
 * Groups of criteria across rubrics, for ablating a kind of check at once: those stating an
 * expected answer, other concrete checks, holistic judgements, and dealbreakers (a criterion
 * can be a dealbreaker and one of the others).
 */
export const criterionClusters = ['states-answer', 'concrete', 'holistic', 'dealbreaker'] as const
export type CriterionCluster = (typeof criterionClusters)[number]

export const CLUSTER_LABELS: Record<CriterionCluster, string> = {
  'states-answer': 'states an expected answer',
  concrete: 'other concrete checks',
  holistic: 'holistic judgements',
  dealbreaker: 'dealbreakers',
}

/**
 * What leaving a criterion (or cluster) out does. Load-bearing: its removal flips at least
 * FLIP_SHARE of the verdicts, or lowers agreement with people. Harmful: its removal raises
 * agreement with people. Redundant: its removal flips nothing.
 */
export type AblationMark = 'load-bearing' | 'redundant' | 'harmful'
export const LOAD_BEARING_FLIP_SHARE = 0.1

export interface AnalysisJudge {
  /** `stored`, or the local/endpoint setting: `judge protocol template@version`. */
  id: string
  kind: 'stored' | 'local'
  /** The model behind it (repeated judging by one model measures stability). */
  model: string
  /** It scored criteria one by one, so per-criterion figures exist for it. */
  criteria: boolean
  /** Pair rows it scored (a pair under each rubric it was judged with). */
  rows: number
}

export interface CriterionRow {
  judge: string
  rubricId: string
  /** 0-based position in the rubric. */
  criterion: number
  text: string
  weight: number | null
  clusters: CriterionCluster[]
  statedAnswer: string | null
  /** The stated answer against the prompt's reference; null when either is missing. */
  matchesReference: boolean | null
  /** Pairs with this criterion scored on both sides. */
  n: number
  /** The criterion alone puts the newer response above the older (its P(yes) higher). */
  accuracy: Estimate
  /** Mean of its P(yes) on the newer − on the older response. */
  margin: Estimate
  /** The criterion alone prefers the side people chose, over pairs labelled decisively. */
  humanAccuracy: Estimate
  /** The rubric's accuracy (newer above older) with the criterion − without it. */
  addedValue: Estimate
  newerPassRate: number | null
  olderPassRate: number | null
  /** Newer pass rate − older pass rate (pass: P(yes) or level ≥ 0.5). */
  passContrast: Estimate
  saturation: 'always-passes' | 'always-fails' | null
  /** Of (newer − older) for telling the side people chose; 0.5 is chance. */
  auroc: Estimate
  /** Share of responses judged more than once by the same model whose pass/fail calls agree. */
  stability: Estimate
  /** Verdicts (newer vs older) that change side when the criterion is left out. */
  flips: number
  flipRate: Estimate
  /** Agreement with people without the criterion − with it, over labelled pairs. */
  humanDelta: Estimate
  mark: AblationMark | null
  /** Share of labelled pairs where people chose the newer response. */
  humanNewerShare: Estimate
  /** Its pass rate rises from older to newer responses while people do not prefer the newer. */
  divergent: boolean
}

export interface ClusterRow {
  judge: string
  cluster: CriterionCluster
  /** Criteria in the cluster, over the rubrics this judge scored criterion by criterion. */
  criteria: number
  /** Pairs whose rubric has a criterion in the cluster and whose sides were scored. */
  n: number
  flipRate: Estimate
  humanDelta: Estimate
  passContrast: Estimate
  humanNewerShare: Estimate
  mark: AblationMark | null
  divergent: boolean
}

/** Two judges on the same pairs under the same rubric. */
export interface TransferRow {
  a: string
  b: string
  /** Pairs both scored on both sides. */
  pairs: number
  /** Cohen's κ on which side each prefers (newer, older, tie). */
  preference: Estimate
  preferenceAgreement: number | null
  /** Cohen's κ on pass/fail, pooled over every criterion of every response both scored. */
  criteria: Estimate
  criteriaAgreement: number | null
  /** Criteria that one judge passes on most responses and the other fails on most. */
  onlyA: number
  onlyB: number
}

export interface TransferCriterionRow {
  rubricId: string
  criterion: number
  text: string
  /** Responses both judges scored on this criterion. */
  n: number
  kappa: Estimate
  agreement: number | null
  passA: number | null
  passB: number | null
  /** Which judge alone rewards it (passes it on at least half the responses); null for neither or both. */
  onlyOne: 'a' | 'b' | null
}

export type RaterKind = 'human' | 'judge'

export interface AgreementCell {
  a: string
  b: string
  kind: 'human-human' | 'human-judge' | 'judge-judge'
  /** Cohen's κ over the pairs both labelled (newer, older, tie). */
  kappa: Estimate
  agreement: number | null
}

export interface LengthBiasRow {
  rater: string
  kind: RaterKind
  /** Pearson correlation of the preference (score margin, or ±1 for people) with the length difference, newer − older. */
  correlation: Estimate
}

export interface WrongAnswerRow {
  rubricId: string
  criterion: number
  text: string
  statedAnswer: string
  reference: string
}

export interface AnalysisSummary {
  judges: AnalysisJudge[]
  /** Each judge over all its rubrics (rubricId `*`). */
  overall: UtilityRow[]
  clusters: ClusterRow[]
  transfer: TransferRow[]
  agreement: {
    raters: { id: string; kind: RaterKind }[]
    cells: AgreementCell[]
    /** Krippendorff's α among annotators, over pairs two or more labelled. */
    humanAlpha: Estimate
  }
  lengthBias: LengthBiasRow[]
  counts: {
    pairs: number
    labelledPairs: number
    annotators: number
    rubricRows: number
    criterionRows: number
    divergent: number
    wrongAnswers: number
  }
  /** No judge has per-criterion verdicts: the criteria-logprob protocol would give them. */
  criteriaMissing: boolean
  /**
   * How long the figures took: reading the run and workspace, handing that to the worker thread,
   * building the engine there, and this summary.
   */
  timings: { inputMs: number; handoffMs: number; buildMs: number; summaryMs: number }
}

export const analysisTables = ['rubrics', 'criteria', 'transfer', 'wrong-answers'] as const
export type AnalysisTable = (typeof analysisTables)[number]

export const criterionFilters = [
  'divergent',
  'load-bearing',
  'redundant',
  'harmful',
  'saturated',
  'wrong-answer',
] as const
export type CriterionFilter = (typeof criterionFilters)[number]

export interface AnalysisRowsQuery {
  table: AnalysisTable
  /** rubrics, criteria: one judge's rows; transfer: judge a. */
  judge?: string | undefined
  /** transfer: judge b. */
  other?: string | undefined
  rubricId?: string | undefined
  filter?: CriterionFilter | undefined
  /** A field of the row; numbers sort by their value (null last). */
  sort?: string | undefined
  desc?: boolean | undefined
  offset?: number | undefined
  limit?: number | undefined
}

export type AnalysisRow = UtilityRow | CriterionRow | TransferCriterionRow | WrongAnswerRow

export interface AnalysisRows<T = AnalysisRow> {
  total: number
  rows: T[]
}

/** The figures beside one rubric in the rubric view. */
export interface RubricAnalysis {
  utility: UtilityRow[]
  criteria: CriterionRow[]
}
