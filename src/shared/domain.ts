// The workbench's vocabulary. Every type here is JSON-safe (plain objects, arrays, strings,
// numbers, booleans, null) because it crosses Electron's structured clone and the serve bridge's JSON.

export type RunFormat = 'evolm' | 'workbench' | 'preference' | 'rewardbench2'
export type Phase = 'policy' | 'rubric'

/** Where a record came from: path relative to the run root (forward slashes) and 1-based line. */
export interface SourceRef {
  file: string
  line: number
}

/** A line (or file) the reader could not use; the rest of the run still loads. */
export interface ReadIssue {
  file: string
  line: number
  message: string
}

export interface Checkpoint {
  /** `policy-25`, `rubric-100`: stable, usable in URLs. */
  id: string
  phase: Phase
  step: number
  /** What evidences the checkpoint: a qualitative-eval file, a model folder, a manifest entry. */
  evidence: string[]
  responses: number
  rubrics: number
}

/** The names the UI gives a pair's two sides; preference files have no time axis. */
export interface SideNames {
  newer: string
  older: string
}

export interface RunCounts {
  prompts: number
  checkpoints: number
  responses: number
  rubrics: number
  rubricsFormatInvalid: number
  pairs: number
  verdicts: number
  judgeParseFailures: number
  errors: number
}

export interface RunSummary {
  path: string
  name: string
  format: RunFormat
  workspace: string
  sideNames: SideNames
  counts: RunCounts
  checkpoints: Checkpoint[]
  /** Bytes read while indexing and how long it took, for the status bar. */
  bytes: number
  indexMs: number
  /** Why the workspace's annotations could not be opened (a damaged file, say); null when fine. */
  annotationsProblem: string | null
}

export interface PromptSummary {
  id: string
  preview: string
  taskType: string | null
  responses: number
  pairs: number
  rubrics: number
}

export interface Prompt {
  id: string
  text: string
  taskType: string | null
  /** A checkable reference answer, where the run has one. */
  reference: string | null
}

export interface ResponseSummary {
  id: string
  promptId: string
  phase: Phase | null
  step: number | null
  /** Approximate length in characters of the stored text (thinking included). */
  length: number
  source: SourceRef
}

export interface Response extends ResponseSummary {
  /** The `<think>…</think>` block, kept apart from the answer; null when there was none. */
  thinking: string | null
  answer: string
  /** The generation failed (`ERROR: …` in qualitative eval files). */
  isError: boolean
}

export interface Criterion {
  text: string
  /** Null when the generator gave no numeric weight. */
  weight: number | null
  /** Level label (e.g. "1.0") → description, in file order. */
  scoringLevels: { level: string; description: string }[]
}

export interface RubricSummary {
  id: string
  promptId: string
  /** Generator checkpoint step, where known. */
  step: number | null
  criteria: number
  formatValid: boolean
  source: SourceRef
}

export interface Rubric extends RubricSummary {
  raw: string
  /** The generator's `<think>` block, if any. */
  thinking: string | null
  /** Parsed criteria, or null when the text holds no readable checklist. */
  criteriaList: Criterion[] | null
  /** Why the rubric fails the EvoLM format rule; null when it passes. */
  invalidReason: string | null
}

export type VerdictOutcome = 'agrees' | 'disagrees' | 'tie' | 'parse-failure' | 'none'

export interface Verdict {
  id: string
  /** `stored` for verdicts read from the run; later, local or endpoint judges. */
  judge: string
  responseId: string
  rubricId: string | null
  /** Null when the judge's output did not parse (stored as NaN in EvoLM files). */
  score: number | null
  parseFailure: boolean
  reasoning: string | null
  /** Score per criterion, in the rubric's order (null: not scored); null when not recorded. */
  criterionScores: (number | null)[] | null
}

export interface PairSummary {
  id: string
  promptId: string
  /** The prompt's first words, for tables. */
  promptPreview: string
  taskType: string | null
  newerStep: number | null
  olderStep: number | null
  gap: number | null
  rubricId: string | null
  newerScore: number | null
  olderScore: number | null
  /** Stored judge vs the temporal label (newer is better). */
  outcome: VerdictOutcome
  source: SourceRef
}

export interface PairDetail {
  pair: PairSummary
  prompt: Prompt
  newer: Response
  older: Response
  rubric: Rubric | null
  verdicts: Verdict[]
}

export interface RubricDetail {
  rubric: Rubric
  prompt: Prompt
}

export interface PromptDetail {
  prompt: Prompt
  responses: ResponseSummary[]
  rubrics: RubricSummary[]
  pairs: PairSummary[]
}

export interface Page<T> {
  total: number
  offset: number
  items: T[]
}

/** A page of the pair table: the pairs that match a query, in its order. */
export interface PairPage extends Page<PairSummary> {
  /** Every pair in the run, before filtering. */
  runTotal: number
  /** Time the core spent filtering and sorting (0 when the result was cached). */
  queryMs: number
}

/** Where a pair sits in a query's order, for next/previous. */
export interface PairNeighbors {
  /** 0-based position, or null when the pair does not match the query. */
  position: number | null
  total: number
  previous: string | null
  next: string | null
}

/** What the pair table's filters can choose from. */
export interface PairFacets {
  taskTypes: { value: string; count: number }[]
  gapMin: number | null
  gapMax: number | null
  outcomes: Record<VerdictOutcome, number>
  /** Pairs with a human label in this workspace. */
  labelled: number
}

/** Per-checkpoint figures for the timeline, computed from the run. */
export interface CheckpointStats {
  id: string
  phase: Phase
  step: number
  /** Pairs in the checkpoint's window (by the newer response's step, or the rubric's step). */
  pairs: number
  /** Among pairs with two parsed scores: newer scored above older / equal. Null without such pairs. */
  winRate: number | null
  tieRate: number | null
  /** Among pairs with stored verdicts: one of the two scores failed to parse. */
  parseFailureRate: number | null
  /** Responses written in the window and their mean length in characters. */
  responses: number
  meanResponseLength: number | null
  /** Rubric checkpoints: rubrics written in the window. */
  rubrics: number
  meanCriteria: number | null
  /** Shares of criteria (over all the window's rubrics) that are dealbreakers / state an answer. */
  dealbreakerShare: number | null
  answerStatingShare: number | null
  /** Share of the window's rubrics that fail the format rule. */
  formatInvalidShare: number | null
}

export interface GapBin {
  /** Inclusive bounds. */
  from: number
  to: number
  count: number
}

export interface TimelineStats {
  checkpoints: CheckpointStats[]
  gapHistogram: GapBin[]
  /** Pairs with no step gap (preference files), left out of the histogram. */
  pairsWithoutGap: number
}

/** One prompt's rubrics across generator checkpoints, one per step, oldest first. */
export interface RubricLineage {
  promptId: string
  entries: {
    rubric: Rubric
    /** Other rubrics written for this prompt at the same step (training rows), not shown. */
    siblings: number
  }[]
}
