// Reader for the workbench's own run format (docs/run-format.md): run.json plus JSONL tables.
import { access, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { RunIndex } from '../run/run-index'
import { encodedLength } from './evolm-rows'
import { runTasks, type Appliers, type PlannedFile, type ReadContext } from './indexer'
import { relPath } from './progress'
import { IdRegistry } from './id-registry'
import { RowError } from './row'
import {
  TABLES,
  type CheckpointExtract,
  type PairExtract,
  type PromptExtract,
  type ResponseExtract,
  type RubricRowExtract,
  type VerdictExtract,
} from './workbench-rows'

export const RUN_MANIFEST = 'run.json'
export const RUN_FORMAT_TAG = 'rubric-workbench-run'
export const RUN_FORMAT_VERSION = 1

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
  if (m.name !== undefined && typeof m.name !== 'string')
    throw new Error(`${RUN_MANIFEST}: "name" must be a string`)
  const sides = m.side_names
  if (
    sides !== undefined &&
    (typeof sides !== 'object' ||
      sides === null ||
      [sides.newer, sides.older].some((x) => x !== undefined && typeof x !== 'string'))
  ) {
    throw new Error(`${RUN_MANIFEST}: "side_names" must be {"newer": string, "older": string}`)
  }
  return m as Manifest
}

export async function readWorkbenchRun(
  root: string,
  fallbackName: string,
  ctx: ReadContext
): Promise<RunIndex> {
  const manifest = await readManifest(root)
  const index = new RunIndex(root, 'workbench', manifest.name ?? fallbackName)
  index.sideNames = {
    newer: manifest.side_names?.newer ?? 'newer',
    older: manifest.side_names?.older ?? 'older',
  }
  const files: PlannedFile[] = []
  for (const table of TABLES) {
    const abs = join(root, `${table}.jsonl`)
    try {
      await access(abs)
    } catch {
      continue // every table is optional
    }
    files.push({ file: index.addFile(relPath(root, abs), abs), abs, kind: `wb-${table}` })
  }
  await runTasks(index, files, workbenchAppliers(index), ctx)
  return index
}

function lookup(kind: string, id: string | null, find: (id: string) => number | undefined): number {
  if (id === null) return -1
  const found = find(id)
  if (found === undefined) throw new RowError(`unknown ${kind} id ${JSON.stringify(id)}`)
  return found
}

/** Ids are resolved here, in file order: a row may refer only to tables read before it. */
function workbenchAppliers(index: RunIndex): Appliers {
  const verdictFor = new Map<string, number>()
  const ids = {
    prompts: new IdRegistry('prompt'),
    responses: new IdRegistry('response'),
    rubrics: new IdRegistry('rubric'),
    verdicts: new IdRegistry('verdict'),
    pairs: new IdRegistry('pair'),
  }
  const promptOf = (id: string): number => lookup('prompt', id, (i) => index.promptIndex(i))
  return {
    'wb-prompts': (x, line) => {
      const p = x as PromptExtract
      ids.prompts.claim(p.id, line)
      const at = index.promptFor(p.text, p.id)
      index.aliasPrompt(p.id, at)
      const rec = index.prompts[at]
      if (rec === undefined) return
      rec.taskType = p.taskType
      rec.reference = p.reference
    },
    'wb-checkpoints': (x) => {
      const c = x as CheckpointExtract
      index.noteCheckpoint(c.phase, c.step, c.path ?? 'checkpoints.jsonl')
    },
    'wb-responses': (x, line, task) => {
      const r = x as ResponseExtract
      const prompt = promptOf(r.promptId)
      // Claimed only once its references resolve: a rejected row keeps no id.
      ids.responses.claim(r.id, line)
      index.addResponse({
        id: r.id,
        prompt,
        phase: r.phase,
        step: r.step,
        text: r.text,
        length: encodedLength(r.text),
        isError: r.isError,
        file: task.file,
        line,
      })
    },
    'wb-rubrics': (x, line, task) => {
      const r = x as RubricRowExtract
      const prompt = promptOf(r.promptId)
      ids.rubrics.claim(r.id, line)
      index.addRubric({
        id: r.id,
        prompt,
        step: r.step,
        text: r.rubric.text,
        criteria: r.rubric.criteria,
        formatValid: r.rubric.formatValid,
        file: task.file,
        line,
      })
    },
    'wb-verdicts': (x, line) => {
      const v = x as VerdictExtract
      const id = v.id ?? `verdicts-L${line}`
      const response = lookup('response', v.responseId, (i) => index.responseIndex(i))
      const rubric = lookup('rubric', v.rubricId, (i) => index.rubricIndex(i))
      ids.verdicts.claim(id, line)
      const parseFailure = v.score !== null && !Number.isFinite(v.score)
      const at = index.addVerdict({
        id,
        judge: v.judge ?? 'stored',
        response,
        rubric,
        score: parseFailure ? null : v.score,
        parseFailure,
        reasoning: v.reasoning,
        criterionScores: v.criterionScores,
      })
      verdictFor.set(`${response}|${rubric}`, at)
    },
    'wb-pairs': (x, line, task) => {
      const p = x as PairExtract
      const newer = lookup('response', p.newerId, (i) => index.responseIndex(i))
      const older = lookup('response', p.olderId, (i) => index.responseIndex(i))
      const rubric = lookup('rubric', p.rubricId, (i) => index.rubricIndex(i))
      ids.pairs.claim(p.id, line)
      const n = index.responses.get(newer)
      const o = index.responses.get(older)
      const stepGap = n?.step != null && o?.step != null ? n.step - o.step : null
      index.addPair({
        id: p.id,
        prompt: n?.prompt ?? -1,
        newer,
        older,
        rubric,
        gap: p.gap ?? stepGap,
        newerVerdict: verdictFor.get(`${newer}|${rubric}`) ?? -1,
        olderVerdict: verdictFor.get(`${older}|${rubric}`) ?? -1,
        file: task.file,
        line,
      })
    },
  }
}
