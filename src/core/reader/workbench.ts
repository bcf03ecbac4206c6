// Reader for the workbench's own run format (docs/run-format.md): run.json plus JSONL tables.
import { access, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Phase } from '../../shared/domain'
import { parseRubric } from '../../shared/rubric-format'
import { RunIndex } from '../run/run-index'
import { relPath, type ProgressSink } from './progress'
import { RowError, type Row } from './row'
import { scanFile } from './scan-file'

export const RUN_MANIFEST = 'run.json'
export const RUN_FORMAT_TAG = 'rubric-workbench-run'
export const RUN_FORMAT_VERSION = 1

const TABLES = ['prompts', 'checkpoints', 'responses', 'rubrics', 'verdicts', 'pairs'] as const
type Table = (typeof TABLES)[number]

interface Manifest {
  format: string
  version: number
  name?: string
  side_names?: { newer?: string; older?: string }
}

/** Read and check run.json; throws with a message naming what is wrong. */
export async function readManifest(root: string): Promise<Manifest> {
  const text = await readFile(join(root, RUN_MANIFEST), 'utf8')
  let manifest: unknown
  try {
    manifest = JSON.parse(text)
  } catch (error) {
    throw new Error(`${RUN_MANIFEST} is not valid JSON: ${(error as Error).message}`)
  }
  const m = manifest as Partial<Manifest> | null
  if (m?.format !== RUN_FORMAT_TAG) throw new Error(`${RUN_MANIFEST} has no "format": "${RUN_FORMAT_TAG}"`)
  if (typeof m.version !== 'number' || m.version > RUN_FORMAT_VERSION) {
    throw new Error(
      `${RUN_MANIFEST} has version ${String(m.version)}; this workbench reads up to ${RUN_FORMAT_VERSION}`
    )
  }
  return m as Manifest
}

export async function readWorkbenchRun(
  root: string,
  fallbackName: string,
  progress: ProgressSink
): Promise<RunIndex> {
  const manifest = await readManifest(root)
  const index = new RunIndex(root, 'workbench', manifest.name ?? fallbackName)
  index.sideNames = {
    newer: manifest.side_names?.newer ?? 'newer',
    older: manifest.side_names?.older ?? 'older',
  }
  const present: { table: Table; abs: string }[] = []
  for (const table of TABLES) {
    const abs = join(root, `${table}.jsonl`)
    try {
      await access(abs)
      present.push({ table, abs })
    } catch {
      // Every table is optional.
    }
  }
  await progress.plan(present.map((p) => p.abs))
  const verdictFor = new Map<string, number>()
  for (const { table, abs } of present) {
    const file = index.addFile(relPath(root, abs), abs)
    const handler = rowReaders[table]
    await scanFile(index, file, (row, lineNo) => handler(index, row, lineNo, verdictFor), {
      onProgress: progress.fileProgress(abs),
    })
  }
  return index
}

type RowReader = (index: RunIndex, row: Row, lineNo: number, verdictFor: Map<string, number>) => void

function lookup(kind: string, id: string | null, find: (id: string) => number | undefined): number {
  if (id === null) return -1
  const found = find(id)
  if (found === undefined) throw new RowError(`unknown ${kind} id ${JSON.stringify(id)}`)
  return found
}

function phaseOf(row: Row): Phase | null {
  const phase = row.string('phase')
  if (phase === null || phase === 'policy' || phase === 'rubric') return phase
  throw new RowError(`field phase: expected "policy" or "rubric", got ${JSON.stringify(phase)}`)
}

const rowReaders: Record<Table, RowReader> = {
  prompts(index, row) {
    const id = row.requiredString('id')
    const at = index.promptFor(row.requiredString('text'), id)
    index.aliasPrompt(id, at)
    const p = index.prompts[at]
    if (p === undefined) return
    p.taskType = row.string('task_type')
    p.reference =
      row.kind('reference_answer') === 'number'
        ? String(row.number('reference_answer'))
        : row.string('reference_answer')
  },
  checkpoints(index, row) {
    const phase = phaseOf(row)
    const step = row.integer('step')
    if (phase === null || step === null) throw new RowError('a checkpoint needs a phase and a step')
    index.noteCheckpoint(phase, step, row.string('path') ?? 'checkpoints.jsonl')
  },
  responses(index, row, lineNo) {
    const text = row.textRef('text')
    if (text === null) throw new RowError('field text is missing')
    index.addResponse({
      id: row.requiredString('id'),
      prompt: lookup('prompt', row.requiredString('prompt_id'), (id) => index.promptIndex(id)),
      phase: phaseOf(row),
      step: row.integer('step'),
      text,
      length: Math.max(0, text.end - text.start - 2),
      isError: row.startsWith('text', 'ERROR:'),
      file: row.file,
      line: lineNo,
    })
  },
  rubrics(index, row, lineNo) {
    const text = row.textRef('text', ['string', 'object'])
    if (text === null) throw new RowError('field text is missing')
    const value = row.value('text')
    const parsed = parseRubric(typeof value === 'string' ? value : JSON.stringify(value))
    index.addRubric({
      id: row.requiredString('id'),
      prompt: lookup('prompt', row.requiredString('prompt_id'), (id) => index.promptIndex(id)),
      step: row.integer('step'),
      text,
      criteria: parsed.criteria?.length ?? 0,
      formatValid: parsed.formatValid,
      file: row.file,
      line: lineNo,
    })
  },
  verdicts(index, row, lineNo, verdictFor) {
    const response = lookup('response', row.requiredString('response_id'), (id) => index.responseIndex(id))
    const rubric = lookup('rubric', row.string('rubric_id'), (id) => index.rubricIndex(id))
    const score = row.number('score')
    const parseFailure = score !== null && !Number.isFinite(score)
    const at = index.addVerdict({
      id: row.string('id') ?? `verdicts-L${lineNo}`,
      judge: row.string('judge') ?? 'stored',
      response,
      rubric,
      score: parseFailure ? null : score,
      parseFailure,
      reasoning: row.textRef('reasoning'),
    })
    verdictFor.set(`${response}|${rubric}`, at)
  },
  pairs(index, row, lineNo, verdictFor) {
    const newer = lookup('response', row.requiredString('newer_id'), (id) => index.responseIndex(id))
    const older = lookup('response', row.requiredString('older_id'), (id) => index.responseIndex(id))
    const rubric = lookup('rubric', row.string('rubric_id'), (id) => index.rubricIndex(id))
    const n = index.responses[newer]
    const o = index.responses[older]
    const stepGap = n?.step != null && o?.step != null ? n.step - o.step : null
    index.addPair({
      id: row.requiredString('id'),
      prompt: n?.prompt ?? -1,
      newer,
      older,
      rubric,
      gap: row.integer('gap') ?? stepGap,
      newerVerdict: verdictFor.get(`${newer}|${rubric}`) ?? -1,
      olderVerdict: verdictFor.get(`${older}|${rubric}`) ?? -1,
      file: row.file,
      line: lineNo,
    })
  },
}
