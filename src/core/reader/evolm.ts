// Reader for an EvoLM output tree (see docs/run-format.md, "EvoLM output trees"):
//   generation_examples/*.jsonl                    logged policy and rubric examples
//   qualitative_eval/{policy,rubric}/step_N.jsonl  fixed-prompt generations per checkpoint
//   qualitative_eval/manifest.json                 steps processed per type
//   …/policy/step_N/, …/rubric/step_N/             saved checkpoints (Hugging Face folders)
//   prompt_metadata.jsonl (optional)               task type and reference answer per question
import { readdir, readFile, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { Phase } from '../../shared/domain'
import { RunIndex, type TextRef } from '../run/run-index'
import { runTasks, type Appliers, type PlannedFile, type ReadContext } from './indexer'
import { promptMetadataFile } from './prompt-metadata'
import { relPath } from './progress'
import {
  encodedLength,
  type GenerationExtract,
  type QualitativeExtract,
  type VerdictExtract,
} from './evolm-rows'
import type { RubricExtract } from './rubric-extract'
import type { ScanTask } from './scan-task'

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

function applyGeneration(
  index: RunIndex,
  x: GenerationExtract,
  line: number,
  task: ScanTask,
  texts: readonly string[],
  idPrefix: string
): void {
  const id = `${idPrefix}${line}`
  const prompt = index.promptFor(texts[x.question] ?? '')
  const rubric =
    x.rubric === null ? -1 : addRubric(index, x.rubric, prompt, x.trainingStep, `${id}-rubric`, line)
  const response = (suffix: string, text: TextRef, step: number | null): number =>
    index.addResponse({
      id: `${id}${suffix}`,
      prompt,
      phase: 'policy',
      step,
      text,
      length: encodedLength(text),
      isError: false,
      file: task.file,
      line,
    })
  const verdict = (suffix: string, responseIndex: number, v: VerdictExtract | null): number => {
    if (v === null) return -1
    const parseFailure = v.score !== null && !Number.isFinite(v.score)
    return index.addVerdict({
      id: `${id}${suffix}`,
      judge: 'stored',
      response: responseIndex,
      rubric,
      score: parseFailure ? null : v.score,
      parseFailure,
      reasoning: v.reasoning,
      criterionScores: null,
    })
  }
  if (!x.pair || x.older === null) {
    verdict('-stored', response('', x.newer, x.newerStep), x.newerVerdict)
    return
  }
  const newer = response('-newer', x.newer, x.newerStep)
  const older = response('-older', x.older, x.olderStep)
  index.addPair({
    id,
    prompt,
    newer,
    older,
    rubric,
    gap: x.gap,
    newerVerdict: verdict('-newer-stored', newer, x.newerVerdict),
    olderVerdict: verdict('-older-stored', older, x.olderVerdict),
    file: task.file,
    line,
  })
}

function applyQualitative(
  index: RunIndex,
  x: QualitativeExtract,
  line: number,
  task: ScanTask,
  texts: readonly string[],
  idPrefix: string
): void {
  const phase = task.phase ?? 'policy'
  const step = task.step ?? null
  const id = `${idPrefix}${line}`
  const prompt = index.promptFor(texts[x.question] ?? '')
  if (phase === 'rubric') {
    const rubric = x.rubric ?? { text: x.text, criteria: 0, formatValid: false }
    addRubric(index, rubric, prompt, step, id, line)
    return
  }
  index.addResponse({
    id,
    prompt,
    phase,
    step,
    text: x.text,
    length: encodedLength(x.text),
    isError: x.isError,
    file: task.file,
    line,
  })
}

function addRubric(
  index: RunIndex,
  r: RubricExtract,
  prompt: number,
  step: number | null,
  id: string,
  line: number
): number {
  return index.addRubric({
    id,
    prompt,
    step,
    text: r.text,
    criteria: r.criteria,
    formatValid: r.formatValid,
    file: r.text.file,
    line,
  })
}

export async function readEvolmRun(root: string, name: string, ctx: ReadContext): Promise<RunIndex> {
  const index = new RunIndex(root, 'evolm', name)
  const files: PlannedFile[] = []
  const prefixes = new Map<number, string>()
  const usedPrefixes = new Set<string>()
  for (const abs of await listJsonl(join(root, 'generation_examples'))) {
    const file = index.addFile(relPath(root, abs), abs)
    prefixes.set(file, uniquePrefix(usedPrefixes, generationPrefix(abs)))
    files.push({ file, abs, kind: 'evolm-generation' })
  }
  const qualitative: { phase: Phase; step: number; abs: string }[] = []
  for (const phase of ['policy', 'rubric'] as const) {
    for (const entry of await listDir(join(root, 'qualitative_eval', phase))) {
      const m = STEP_FILE.exec(entry)
      if (m?.[1] !== undefined)
        qualitative.push({ phase, step: Number(m[1]), abs: join(root, 'qualitative_eval', phase, entry) })
    }
  }
  qualitative.sort((a, b) => (a.phase === b.phase ? a.step - b.step : a.phase < b.phase ? -1 : 1))
  for (const q of qualitative) {
    const rel = relPath(root, q.abs)
    index.noteCheckpoint(q.phase, q.step, rel)
    const file = index.addFile(rel, q.abs)
    // step_25 and step_025 name one checkpoint; their rows still need distinct ids.
    prefixes.set(file, uniquePrefix(usedPrefixes, `qe-${q.phase}-${q.step}-L`))
    files.push({
      file,
      abs: q.abs,
      kind: 'evolm-qualitative',
      phase: q.phase,
      step: q.step,
    })
  }
  const metadata = await promptMetadataFile(index, join(root, 'prompt_metadata.jsonl'))
  if (metadata !== null) files.push(metadata.planned)

  const appliers: Appliers = {
    'evolm-generation': (x, line, task, texts) =>
      applyGeneration(index, x as GenerationExtract, line, task, texts, prefixes.get(task.file) ?? 'L'),
    'evolm-qualitative': (x, line, task, texts) =>
      applyQualitative(index, x as QualitativeExtract, line, task, texts, prefixes.get(task.file) ?? 'L'),
    'prompt-metadata': (x, _line, _task, texts) => metadata?.apply(x, texts),
  }
  await runTasks(index, files, appliers, ctx)
  await readManifest(index, root)
  await findCheckpointFolders(index, root, root, 0)
  return index
}

/** A prefix no other file uses: `extra-run` and `extra_run` must not share ids. */
function uniquePrefix(used: Set<string>, wanted: string): string {
  let prefix = wanted
  for (let n = 2; used.has(prefix); n++) prefix = wanted.replace(/-L$/, `~${n}-L`)
  used.add(prefix)
  return prefix
}

function generationPrefix(abs: string): string {
  const base = basename(abs, '.jsonl')
  if (base === 'rubric_generations') return 'rg-L'
  if (base === 'policy_generations') return 'pg-L'
  return `${base.replace(/[^A-Za-z0-9]+/g, '_')}-L`
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
  const files: string[] = []
  for (const name of (await listDir(dir)).filter((n) => n.endsWith('.jsonl'))) {
    const abs = join(dir, name)
    if ((await stat(abs)).isFile()) files.push(abs)
  }
  return files
}
