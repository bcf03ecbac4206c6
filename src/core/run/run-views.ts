// Turns index records into the contract's summary and detail types. Summaries come from memory;
// details read their texts back from disk.
import type {
  Checkpoint,
  PairDetail,
  PairSummary,
  Prompt,
  PromptSummary,
  Response,
  ResponseSummary,
  Rubric,
  RubricSummary,
  RunCounts,
  RubricLineage,
  RunSummary,
  Verdict,
} from '../../shared/domain'
import { ApiError } from '../../shared/contract'
import { parseRubric, splitThinking } from '../../shared/rubric-format'
import type { PairRec, PromptRec, ResponseRec, RubricRec, RunIndex, VerdictRec } from './run-index'
import type { TextStore } from './text-store'

const PREVIEW_CHARS = 160

export function countRun(index: RunIndex): RunCounts {
  let rubricsFormatInvalid = 0
  for (let i = 0; i < index.rubrics.length; i++)
    if (!index.rubrics.field('formatValid', i)) rubricsFormatInvalid++
  let judgeParseFailures = 0
  for (let i = 0; i < index.verdicts.length; i++)
    if (index.verdicts.field('parseFailure', i)) judgeParseFailures++
  return {
    prompts: index.prompts.length,
    checkpoints: index.checkpoints.size,
    responses: index.responses.length,
    rubrics: index.rubrics.length,
    rubricsFormatInvalid,
    pairs: index.pairs.length,
    verdicts: index.verdicts.length,
    judgeParseFailures,
    errors: index.issueCount,
  }
}

export function summarizeRun(index: RunIndex, indexMs: number, workspace: string): RunSummary {
  return {
    path: index.location,
    name: index.name,
    format: index.format,
    workspace,
    sideNames: index.sideNames,
    counts: countRun(index),
    checkpoints: listCheckpoints(index),
    bytes: index.bytes,
    indexMs: Math.round(indexMs),
    annotationsProblem: null,
  }
}

export function listCheckpoints(index: RunIndex): Checkpoint[] {
  const responses = new Map<string, number>()
  const { responses: rs, rubrics: ks } = index
  for (let i = 0; i < rs.length; i++) {
    const phase = rs.field('phase', i)
    const step = rs.num('step', i)
    if (phase !== null && !Number.isNaN(step)) bump(responses, `${phase}-${step}`)
  }
  const rubrics = new Map<string, number>()
  for (let i = 0; i < ks.length; i++) {
    const step = ks.num('step', i)
    if (!Number.isNaN(step)) bump(rubrics, `rubric-${step}`)
  }
  return [...index.checkpoints.entries()]
    .map(([id, c]) => ({
      id,
      phase: c.phase,
      step: c.step,
      evidence: [...c.evidence],
      responses: c.phase === 'policy' ? (responses.get(id) ?? 0) : 0,
      rubrics: c.phase === 'rubric' ? (rubrics.get(id) ?? 0) : 0,
    }))
    .sort((a, b) => a.step - b.step || (a.phase < b.phase ? -1 : 1))
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1)
}

/**
 * The steps a checkpoint stands for: from just after the previous checkpoint of the same phase
 * up to its own step. Pairs are assigned by the newer response's step (policy checkpoints) or by
 * the step their rubric was written at (rubric checkpoints).
 */
export function checkpointWindow(
  index: RunIndex,
  checkpointId: string
): { phase: string; from: number; to: number } | null {
  const target = index.checkpoints.get(checkpointId)
  if (target === undefined) return null
  let from = Number.NEGATIVE_INFINITY
  for (const c of index.checkpoints.values()) {
    if (c.phase === target.phase && c.step < target.step && c.step > from) from = c.step
  }
  return { phase: target.phase, from, to: target.step }
}

export function pairSummary(index: RunIndex, pair: PairRec): PairSummary {
  const prompt = index.prompts[pair.prompt]
  const score = (v: number): number | null => {
    const s = index.verdictScore(v)
    return s === undefined || s === null || Number.isNaN(s) ? null : s
  }
  return {
    id: pair.id,
    promptId: prompt?.id ?? '',
    promptPreview: prompt === undefined ? '' : previewOf(prompt.text),
    taskType: prompt?.taskType ?? null,
    newerStep: index.responses.get(pair.newer)?.step ?? null,
    olderStep: index.responses.get(pair.older)?.step ?? null,
    gap: pair.gap,
    rubricId: index.rubrics.get(pair.rubric)?.id ?? null,
    newerScore: score(pair.newerVerdict),
    olderScore: score(pair.olderVerdict),
    outcome: index.outcome(pair),
    source: { file: index.files[pair.file]?.rel ?? '', line: pair.line },
  }
}

/** One line of a prompt, for lists: white space folded, cut at PREVIEW_CHARS. */
function previewOf(text: string): string {
  const flat = text
    .slice(0, PREVIEW_CHARS * 4)
    .replace(/\s+/g, ' ')
    .trim()
  return flat.length > PREVIEW_CHARS ? `${flat.slice(0, PREVIEW_CHARS - 1)}…` : flat
}

export function promptSummary(p: PromptRec): PromptSummary {
  return {
    id: p.id,
    preview: previewOf(p.text),
    taskType: p.taskType,
    responses: p.responses,
    pairs: p.pairs,
    rubrics: p.rubrics,
  }
}

export function promptDetail(p: PromptRec): Prompt {
  return { id: p.id, text: p.text, taskType: p.taskType, reference: p.reference }
}

export function responseSummary(index: RunIndex, r: ResponseRec): ResponseSummary {
  return {
    id: r.id,
    promptId: index.prompts[r.prompt]?.id ?? '',
    phase: r.phase,
    step: r.step,
    length: r.length,
    source: { file: index.files[r.file]?.rel ?? '', line: r.line },
  }
}

export async function responseDetail(index: RunIndex, store: TextStore, r: ResponseRec): Promise<Response> {
  const text = await store.text(r.text)
  const { thinking, answer } = splitThinking(text)
  return { ...responseSummary(index, r), length: text.length, thinking, answer, isError: r.isError }
}

export function rubricSummary(index: RunIndex, r: RubricRec): RubricSummary {
  return {
    id: r.id,
    promptId: index.prompts[r.prompt]?.id ?? '',
    step: r.step,
    criteria: r.criteria,
    formatValid: r.formatValid,
    source: { file: index.files[r.file]?.rel ?? '', line: r.line },
  }
}

export async function rubricDetail(index: RunIndex, store: TextStore, r: RubricRec): Promise<Rubric> {
  const raw = await store.text(r.text)
  const failed = raw.startsWith('ERROR:')
  const parsed = failed ? null : parseRubric(raw)
  return {
    ...rubricSummary(index, r),
    raw,
    thinking: parsed?.thinking ?? null,
    criteriaList: parsed?.criteria ?? null,
    invalidReason: failed ? `the generation failed: ${raw.slice(0, 200)}` : (parsed?.invalidReason ?? null),
  }
}

export async function verdictDetail(index: RunIndex, store: TextStore, v: VerdictRec): Promise<Verdict> {
  return {
    id: v.id,
    judge: v.judge,
    responseId: index.responses.get(v.response)?.id ?? '',
    rubricId: index.rubrics.get(v.rubric)?.id ?? null,
    score: v.score,
    parseFailure: v.parseFailure,
    reasoning: v.reasoning === null ? null : await store.text(v.reasoning),
    criterionScores: v.criterionScores === null ? null : toScores(await store.raw(v.criterionScores)),
  }
}

/** A list of per-criterion scores as read from the run: numbers in place, anything else null. */
function toScores(value: unknown): (number | null)[] | null {
  if (!Array.isArray(value)) return null
  return value.map((x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : null))
}

export async function pairDetail(index: RunIndex, store: TextStore, pair: PairRec): Promise<PairDetail> {
  const prompt = index.prompts[pair.prompt]
  const newer = index.responses.get(pair.newer)
  const older = index.responses.get(pair.older)
  if (prompt === undefined || newer === undefined || older === undefined) {
    throw new Error(`pair ${pair.id} refers to records that are missing from the index`)
  }
  const rubric = index.rubrics.get(pair.rubric)
  // The pair's stored verdicts, and any other verdict on its two responses under the same rubric
  // or under none (a judge run without the rubric), for the with/without comparison.
  const verdicts = [
    ...index.verdicts.where('response', pair.newer),
    ...index.verdicts.where('response', pair.older),
  ].filter((v) => v.rubric === pair.rubric || v.rubric < 0)
  return {
    pair: pairSummary(index, pair),
    prompt: promptDetail(prompt),
    newer: await responseDetail(index, store, newer),
    older: await responseDetail(index, store, older),
    rubric: rubric === undefined ? null : await rubricDetail(index, store, rubric),
    verdicts: await Promise.all(verdicts.map((v) => verdictDetail(index, store, v))),
  }
}

/**
 * One prompt's rubrics across generator checkpoints: one rubric per step, oldest first. Where a
 * step has several (training rows write one per sample), the checkpoint's own evaluation rubric
 * is preferred, since it was written on the fixed evaluation prompt set for exactly this purpose.
 */
export async function rubricLineage(
  index: RunIndex,
  store: TextStore,
  promptId: string
): Promise<RubricLineage> {
  const at = index.promptIndex(promptId)
  if (at === undefined) throw new ApiError('not-found', `no prompt ${JSON.stringify(promptId)} in this run`)
  const byStep = new Map<number, RubricRec[]>()
  for (const r of index.rubrics.where('prompt', at)) {
    if (r.step === null) continue
    const list = byStep.get(r.step)
    if (list === undefined) byStep.set(r.step, [r])
    else list.push(r)
  }
  const isEval = (r: RubricRec): boolean => (index.files[r.file]?.rel ?? '').includes('qualitative_eval')
  const steps = [...byStep.keys()].sort((a, b) => a - b)
  const entries = await Promise.all(
    steps.map(async (step) => {
      const list = byStep.get(step) ?? []
      const chosen = list.find(isEval) ?? (list[0] as RubricRec)
      return { rubric: await rubricDetail(index, store, chosen), siblings: list.length - 1 }
    })
  )
  return { promptId: index.prompts[at]?.id ?? promptId, entries }
}
