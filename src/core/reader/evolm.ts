// Reader for an EvoLM output tree (see docs/run-format.md, "EvoLM output trees"):
//   generation_examples/*.jsonl                 logged policy and rubric examples
//   qualitative_eval/{policy,rubric}/step_N.jsonl  fixed-prompt generations per checkpoint
//   qualitative_eval/manifest.json              steps processed per type
//   …/policy/step_N/, …/rubric/step_N/          saved checkpoints (Hugging Face folders)
//   prompt_metadata.jsonl (optional)            task type and reference answer per question
import { readdir, readFile, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { Phase } from '../../shared/domain'
import { parseRubric } from '../../shared/rubric-format'
import { RunIndex, type TextRef } from '../run/run-index'
import { readPromptMetadata } from './prompt-metadata'
import type { Row } from './row'
import { RowError } from './row'
import { scanFile } from './scan-file'
import { relPath, type ProgressSink } from './progress'

const STEP_FILE = /^step_(\d+)\.jsonl$/
const STEP_DIR = /^step_(\d+)$/
/** Folders never searched for checkpoint folders: large, or not part of the run. */
const SKIP_DIRS = new Set([
  'node_modules',
  '.git',
  'generation_examples',
  'qualitative_eval',
  'onnx',
  '__pycache__',
])

export async function readEvolmRun(root: string, name: string, progress: ProgressSink): Promise<RunIndex> {
  const index = new RunIndex(root, 'evolm', name)
  const genFiles = await listJsonl(join(root, 'generation_examples'))
  const qualFiles: { phase: Phase; step: number; abs: string }[] = []
  for (const phase of ['policy', 'rubric'] as const) {
    for (const entry of await listDir(join(root, 'qualitative_eval', phase))) {
      const m = STEP_FILE.exec(entry)
      if (m?.[1] !== undefined)
        qualFiles.push({ phase, step: Number(m[1]), abs: join(root, 'qualitative_eval', phase, entry) })
    }
  }
  qualFiles.sort((a, b) => (a.phase === b.phase ? a.step - b.step : a.phase < b.phase ? -1 : 1))
  await progress.plan([...genFiles, ...qualFiles.map((f) => f.abs)])

  for (const abs of genFiles) {
    const file = index.addFile(relPath(root, abs), abs)
    const prefix = generationPrefix(abs)
    await scanFile(
      index,
      file,
      (row, lineNo) => readGenerationRow(index, row, `${prefix}${lineNo}`, lineNo),
      {
        onProgress: progress.fileProgress(abs),
      }
    )
  }
  for (const q of qualFiles) {
    const file = index.addFile(relPath(root, q.abs), q.abs)
    index.noteCheckpoint(q.phase, q.step, relPath(root, q.abs))
    const prefix = `qe-${q.phase}-${q.step}-L`
    await scanFile(
      index,
      file,
      (row, lineNo) => readQualitativeRow(index, row, q.phase, q.step, `${prefix}${lineNo}`, lineNo),
      {
        onProgress: progress.fileProgress(q.abs),
      }
    )
  }
  await readManifest(index, root)
  await findCheckpointFolders(index, root, root, 0)
  await readPromptMetadata(index, join(root, 'prompt_metadata.jsonl'))
  return index
}

function generationPrefix(abs: string): string {
  const base = basename(abs, '.jsonl')
  if (base === 'rubric_generations') return 'rg-L'
  if (base === 'policy_generations') return 'pg-L'
  return `${base.replace(/[^A-Za-z0-9]+/g, '_')}-L`
}

function readGenerationRow(index: RunIndex, row: Row, id: string, lineNo: number): void {
  const actor = row.string('actor_type')
  if (actor !== null && actor !== 'policy' && actor !== 'rubric') {
    throw new RowError(
      `field actor_type: expected "policy" or "rubric", got ${JSON.stringify(actor.slice(0, 40))}`
    )
  }
  const question = row.requiredString('question')
  const trainingStep = row.integer('training_step')
  // EvoLM's own writer puts 0 (not null) in pair fields of policy rows.
  const currentStep = row.integer('current_step') || trainingStep
  const rejectedStep = row.integer('rejected_step')
  const gapField = row.integer('step_gap')
  const newerText = row.textRef('policy_answer')
  const olderText = row.textRef('rejected_answer')
  const isPair =
    actor === 'rubric' || (actor === null && olderText !== null && !row.isEmptyString('rejected_answer'))
  if (isPair && (newerText === null || olderText === null)) {
    throw new RowError(`a rubric row needs both policy_answer and rejected_answer`)
  }
  const scores = {
    score: row.number('score'),
    accepted: row.number('accepted_score'),
    rejected: row.number('rejected_score'),
  }
  const prompt = index.promptFor(question)
  const rubric = readRubricField(index, row, prompt, trainingStep, `${id}-rubric`, lineNo)

  if (!isPair) {
    if (newerText === null) throw new RowError('field policy_answer is missing')
    const response = addResponse(index, row, prompt, 'policy', currentStep, newerText, id, lineNo)
    if (row.has('score'))
      addVerdict(index, `${id}-stored`, response, rubric, scores.score, row.textRef('accepted_reasoning'))
    return
  }
  // Rubric rows carry the temporal pair: the newer answer is the preferred one.
  const newer = addResponse(
    index,
    row,
    prompt,
    'policy',
    currentStep,
    newerText as TextRef,
    `${id}-newer`,
    lineNo
  )
  const older = addResponse(
    index,
    row,
    prompt,
    'policy',
    rejectedStep,
    olderText as TextRef,
    `${id}-older`,
    lineNo
  )
  const newerScore = row.has('accepted_score') ? scores.accepted : scores.score
  const newerVerdict =
    row.has('accepted_score') || row.has('score')
      ? addVerdict(index, `${id}-newer-stored`, newer, rubric, newerScore, row.textRef('accepted_reasoning'))
      : -1
  const olderVerdict = row.has('rejected_score')
    ? addVerdict(
        index,
        `${id}-older-stored`,
        older,
        rubric,
        scores.rejected,
        row.textRef('rejected_reasoning')
      )
    : -1
  const gap = gapField ?? (currentStep !== null && rejectedStep !== null ? currentStep - rejectedStep : null)
  index.addPair({
    id,
    prompt,
    newer,
    older,
    rubric,
    gap,
    newerVerdict,
    olderVerdict,
    file: row.file,
    line: lineNo,
  })
}

function readQualitativeRow(
  index: RunIndex,
  row: Row,
  phase: Phase,
  step: number,
  id: string,
  lineNo: number
): void {
  const question = row.requiredString('question')
  const prompt = index.promptFor(question)
  const generation = row.textRef('generation')
  if (generation === null) throw new RowError('field generation is missing')
  if (phase === 'policy') {
    addResponse(
      index,
      row,
      prompt,
      phase,
      step,
      generation,
      id,
      lineNo,
      row.startsWith('generation', 'ERROR:')
    )
    return
  }
  readRubricField(index, row, prompt, step, id, lineNo, 'generation')
}

function addResponse(
  index: RunIndex,
  row: Row,
  prompt: number,
  phase: Phase,
  step: number | null,
  text: TextRef,
  id: string,
  lineNo: number,
  isError = false
): number {
  // Encoded length approximates characters without decoding the text.
  const length = Math.max(0, text.end - text.start - 2)
  return index.addResponse({ id, prompt, phase, step, text, length, isError, file: row.file, line: lineNo })
}

function addVerdict(
  index: RunIndex,
  id: string,
  response: number,
  rubric: number,
  score: number | null,
  reasoning: TextRef | null
): number {
  const parseFailure = score !== null && !Number.isFinite(score)
  return index.addVerdict({
    id,
    judge: 'stored',
    response,
    rubric,
    score: parseFailure ? null : score,
    parseFailure,
    reasoning,
  })
}

/** Index the rubric a row carries (a string, or an object some writers store directly). */
function readRubricField(
  index: RunIndex,
  row: Row,
  prompt: number,
  step: number | null,
  id: string,
  lineNo: number,
  key = 'rubric'
): number {
  const kind = row.kind(key)
  if (kind === null || row.isEmptyString(key)) return -1
  const text = row.textRef(key, ['string', 'object'])
  const value = row.value(key)
  const raw = typeof value === 'string' ? value : JSON.stringify(value)
  const failed = kind === 'string' && raw.startsWith('ERROR:')
  const parsed = failed ? null : parseRubric(raw)
  return index.addRubric({
    id,
    prompt,
    step,
    text,
    criteria: parsed?.criteria?.length ?? 0,
    formatValid: parsed?.formatValid ?? false,
    file: row.file,
    line: lineNo,
  })
}

async function readManifest(index: RunIndex, root: string): Promise<void> {
  const rel = 'qualitative_eval/manifest.json'
  let text: string
  try {
    text = await readFile(join(root, rel), 'utf8')
  } catch {
    return
  }
  let manifest: unknown
  try {
    manifest = JSON.parse(text)
  } catch (error) {
    index.issue(rel, 1, `invalid JSON: ${(error as Error).message}`)
    return
  }
  const types = (manifest as { types_processed?: unknown } | null)?.types_processed
  if (typeof types !== 'object' || types === null) return
  for (const phase of ['policy', 'rubric'] as const) {
    const steps = (types as Record<string, unknown>)[phase]
    if (!Array.isArray(steps)) continue
    for (const step of steps) {
      const n = typeof step === 'number' ? step : Number(String(step).replace(/^step_/, ''))
      if (Number.isInteger(n)) index.noteCheckpoint(phase, n, rel)
    }
  }
}

async function findCheckpointFolders(
  index: RunIndex,
  root: string,
  dir: string,
  depth: number
): Promise<void> {
  if (depth > 4) return
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch {
    return
  }
  const parent = basename(dir)
  const phase = parent === 'policy' ? 'policy' : parent === 'rubric' ? 'rubric' : null
  for (const entry of entries) {
    if (!entry.isDirectory() || SKIP_DIRS.has(entry.name)) continue
    const abs = join(dir, entry.name)
    const m = STEP_DIR.exec(entry.name)
    if (phase !== null && m?.[1] !== undefined) {
      index.noteCheckpoint(phase, Number(m[1]), `${relPath(root, abs)}/`)
      continue
    }
    await findCheckpointFolders(index, root, abs, depth + 1)
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort()
  } catch {
    return []
  }
}

async function listJsonl(dir: string): Promise<string[]> {
  const names = (await listDir(dir)).filter((n) => n.endsWith('.jsonl'))
  const files: string[] = []
  for (const n of names) {
    const abs = join(dir, n)
    if ((await stat(abs)).isFile()) files.push(abs)
  }
  return files
}
