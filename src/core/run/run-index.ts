// The in-memory index of an opened run: small records with byte offsets into the run's files.
// Full texts are read back from disk on demand (see text-store.ts), so memory grows with the
// number of records, not with the size of the responses. The large tables (responses, rubrics,
// verdicts, pairs) are stored as columns (record-table.ts).
import { createHash } from 'node:crypto'
import type { Phase, ReadIssue, RunFormat, SideNames, VerdictOutcome } from '../../shared/domain'
import { RecordTable, type Schema } from './record-table'

/** Where a value lies in a run file: the raw JSON value's bytes. */
export interface TextRef {
  file: number
  start: number
  end: number
  /** Take this element when the value is a JSON array (RewardBench-2 response lists). */
  pick?: number
}

export interface RunFile {
  /** Relative to the run root, forward slashes. */
  rel: string
  abs: string
}

export interface PromptRec {
  id: string
  text: string
  taskType: string | null
  reference: string | null
  responses: number
  rubrics: number
  pairs: number
}

export interface ResponseRec {
  id: string
  prompt: number
  phase: Phase | null
  step: number | null
  text: TextRef
  length: number
  isError: boolean
  file: number
  line: number
}

export interface RubricRec {
  id: string
  prompt: number
  step: number | null
  text: TextRef
  criteria: number
  formatValid: boolean
  file: number
  line: number
}

export interface VerdictRec {
  id: string
  /** `stored` for verdicts read from the run. */
  judge: string
  response: number
  rubric: number
  score: number | null
  parseFailure: boolean
  reasoning: TextRef | null
  /** A JSON list of per-criterion scores, where the judge recorded them. */
  criterionScores: TextRef | null
}

export interface PairRec {
  id: string
  prompt: number
  newer: number
  older: number
  rubric: number
  gap: number | null
  newerVerdict: number
  olderVerdict: number
  file: number
  line: number
}

export interface CheckpointRec {
  phase: Phase
  step: number
  evidence: string[]
}

const RESPONSE_SCHEMA: Schema<ResponseRec> = {
  id: 'id',
  prompt: 'int',
  phase: 'sym',
  step: 'num',
  text: 'ref',
  length: 'int',
  isError: 'bool',
  file: 'int',
  line: 'int',
}
const RUBRIC_SCHEMA: Schema<RubricRec> = {
  id: 'id',
  prompt: 'int',
  step: 'num',
  text: 'ref',
  criteria: 'int',
  formatValid: 'bool',
  file: 'int',
  line: 'int',
}
const VERDICT_SCHEMA: Schema<VerdictRec> = {
  id: 'id',
  judge: 'sym',
  response: 'int',
  rubric: 'int',
  score: 'num',
  parseFailure: 'bool',
  reasoning: 'refn',
  criterionScores: 'refn',
}
const PAIR_SCHEMA: Schema<PairRec> = {
  id: 'id',
  prompt: 'int',
  newer: 'int',
  older: 'int',
  rubric: 'int',
  gap: 'num',
  newerVerdict: 'int',
  olderVerdict: 'int',
  file: 'int',
  line: 'int',
}

/** Read issues kept for listing; the count goes on past it. */
export const MAX_KEPT_ISSUES = 10_000

export class RunIndex {
  readonly files: RunFile[] = []
  readonly prompts: PromptRec[] = []
  readonly responses = new RecordTable<ResponseRec>(RESPONSE_SCHEMA)
  readonly rubrics = new RecordTable<RubricRec>(RUBRIC_SCHEMA)
  readonly pairs = new RecordTable<PairRec>(PAIR_SCHEMA)
  readonly verdicts = new RecordTable<VerdictRec>(VERDICT_SCHEMA)
  readonly issues: ReadIssue[] = []
  issueCount = 0
  readonly checkpoints = new Map<string, CheckpointRec>()
  sideNames: SideNames = { newer: 'newer', older: 'older' }
  bytes = 0
  /** What the user opened: the run folder, or the file for single-file runs. */
  location: string

  private readonly promptByText = new Map<string, number>()
  private readonly promptById = new Map<string, number>()

  constructor(
    readonly root: string,
    readonly format: RunFormat,
    readonly name: string
  ) {
    this.location = root
  }

  addFile(rel: string, abs: string): number {
    this.files.push({ rel, abs })
    return this.files.length - 1
  }

  issue(file: string, line: number, message: string): void {
    this.issueCount++
    if (this.issues.length < MAX_KEPT_ISSUES) this.issues.push({ file, line, message })
  }

  /** Prompts are deduplicated by exact text; the id is derived from the text, so it is stable. */
  promptFor(text: string, explicitId?: string): number {
    const known = this.promptByText.get(text)
    if (known !== undefined) return known
    const id = explicitId ?? `q-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`
    const index = this.prompts.length
    this.prompts.push({ id, text, taskType: null, reference: null, responses: 0, rubrics: 0, pairs: 0 })
    this.promptByText.set(text, index)
    this.promptById.set(id, index)
    return index
  }

  promptWithText(text: string): number | undefined {
    return this.promptByText.get(text)
  }

  /** Another id for a known prompt (a file that lists one text under two ids). */
  aliasPrompt(id: string, index: number): void {
    if (!this.promptById.has(id)) this.promptById.set(id, index)
  }

  promptIndex(id: string): number | undefined {
    return this.promptById.get(id)
  }

  addResponse(rec: ResponseRec): number {
    const p = this.prompts[rec.prompt]
    if (p) p.responses++
    return this.responses.push(rec)
  }

  addRubric(rec: RubricRec): number {
    const p = this.prompts[rec.prompt]
    if (p) p.rubrics++
    return this.rubrics.push(rec)
  }

  addVerdict(rec: VerdictRec): number {
    return this.verdicts.push(rec)
  }

  addPair(rec: PairRec): number {
    const p = this.prompts[rec.prompt]
    if (p) p.pairs++
    return this.pairs.push(rec)
  }

  /** Every record is in: give back the tables' spare capacity. */
  compact(): void {
    this.responses.compact()
    this.rubrics.compact()
    this.verdicts.compact()
    this.pairs.compact()
  }

  noteCheckpoint(phase: Phase, step: number, evidence: string): void {
    const key = `${phase}-${step}`
    const rec = this.checkpoints.get(key)
    if (rec === undefined) this.checkpoints.set(key, { phase, step, evidence: [evidence] })
    else if (!rec.evidence.includes(evidence)) rec.evidence.push(evidence)
  }

  responseIndex(id: string): number | undefined {
    return this.responses.indexOf(id)
  }

  rubricIndex(id: string): number | undefined {
    return this.rubrics.indexOf(id)
  }

  pairIndex(id: string): number | undefined {
    return this.pairs.indexOf(id)
  }

  verdictScore(index: number): number | null | undefined {
    if (!(index >= 0 && index < this.verdicts.length)) return undefined
    return this.verdicts.field('parseFailure', index) ? Number.NaN : this.verdicts.field('score', index)
  }

  /** Stored judge vs the temporal label: does it score the newer response higher? */
  outcome(pair: Pick<PairRec, 'newerVerdict' | 'olderVerdict'>): VerdictOutcome {
    const a = this.verdictScore(pair.newerVerdict)
    const b = this.verdictScore(pair.olderVerdict)
    if (a === undefined || b === undefined || a === null || b === null) return 'none'
    if (Number.isNaN(a) || Number.isNaN(b)) return 'parse-failure'
    return a > b ? 'agrees' : a < b ? 'disagrees' : 'tie'
  }
}
