// Trained heads in the workspace's `training/` folder: `<id>.onnx` (the inference graph) beside
// `<id>.json` (what it was trained on, how, its curve and figures, and the numbers needed to use it
// again). Reloading a head reads both back; a metadata file that does not parse is reported, not
// fatal, so one damaged file never hides the others. Removing a head puts its files aside.
import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { TrainedHead } from '../../shared/training'
import { writeFileAtomic } from '../export/output-path'

/** The id names no saved head here (refused ids included). */
export class NoHeadError extends Error {
  constructor(id: string, dir: string) {
    super(`no trained head ${JSON.stringify(id)} in ${dir}`)
    this.name = 'NoHeadError'
  }
}

export type HeadFields = Omit<TrainedHead, 'id' | 'model' | 'metadata' | 'created'>

/** A saved head with what only its user needs (θ, the embedding model, the options). */
export interface SavedHead {
  head: TrainedHead
  extra: Record<string, unknown>
}

export async function saveHead(
  saveAs: string,
  onnx: Uint8Array,
  fields: HeadFields,
  extra: Record<string, unknown>
): Promise<TrainedHead> {
  await mkdir(dirname(saveAs), { recursive: true })
  const head: TrainedHead = {
    id: basename(saveAs),
    ...fields,
    model: `${saveAs}.onnx`,
    metadata: `${saveAs}.json`,
    created: new Date().toISOString(),
  }
  // The graph first: metadata names a model only once the model is whole on disk.
  await writeFileAtomic(head.model, onnx)
  await writeFileAtomic(
    head.metadata,
    `${JSON.stringify({ ...head, ...extra, split: 'by prompt' }, null, 1)}\n`
  )
  return head
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null
const isCount = (x: unknown): boolean =>
  isObject(x) && typeof x['train'] === 'number' && typeof x['valid'] === 'number'
const isEstimate = (x: unknown): boolean =>
  isObject(x) && (typeof x['value'] === 'number' || x['value'] === null) && typeof x['items'] === 'number'

/** Every field a view reads: one damaged file must be reported, not break the list. */
function isHead(x: unknown): x is TrainedHead {
  if (!isObject(x)) return false
  return (
    (x['head'] === 'criteria' || x['head'] === 'reward') &&
    typeof x['id'] === 'string' &&
    typeof x['source'] === 'string' &&
    typeof x['labels'] === 'string' &&
    typeof x['seed'] === 'number' &&
    typeof x['validShare'] === 'number' &&
    typeof x['epochs'] === 'number' &&
    typeof x['bestEpoch'] === 'number' &&
    typeof x['created'] === 'string' &&
    Array.isArray(x['curve']) &&
    x['curve'].every((p) => isObject(p) && typeof p['epoch'] === 'number') &&
    isCount(x['pairs']) &&
    isCount(x['prompts']) &&
    isEstimate(x['validAccuracy']) &&
    (x['baselineAccuracy'] === null || isEstimate(x['baselineAccuracy'])) &&
    isObject(x['device']) &&
    typeof x['device']['used'] === 'string' &&
    Array.isArray(x['device']['notes'])
  )
}

const headKeys: readonly (keyof TrainedHead)[] = [
  'id',
  'head',
  'labels',
  'source',
  'seed',
  'validShare',
  'pairs',
  'prompts',
  'epochs',
  'bestEpoch',
  'curve',
  'validAccuracy',
  'baselineAccuracy',
  'device',
  'multipliers',
  'embedding',
  'model',
  'metadata',
  'created',
]

/** One saved head, by id; the model's path is where it lies now (the workspace may have moved). */
export async function readHead(dir: string, id: string): Promise<SavedHead> {
  if (!/^[A-Za-z0-9._-]+$/.test(id) || id.startsWith('.')) throw new NoHeadError(id, dir)
  const metadata = join(dir, `${id}.json`)
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(metadata, 'utf8'))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NoHeadError(id, dir)
    throw new Error(`${metadata} is not a trained head's metadata: ${(error as Error).message}`)
  }
  if (!isHead(parsed)) throw new Error(`${metadata} is not a trained head's metadata (fields missing)`)
  const model = join(dir, `${id}.onnx`)
  await stat(model).catch(() => {
    throw new Error(`the trained head ${id} has lost its model file ${model}`)
  })
  const all = parsed as unknown as Record<string, unknown>
  const head = Object.fromEntries(headKeys.map((k) => [k, all[k] ?? null])) as unknown as TrainedHead
  const extra = Object.fromEntries(Object.entries(all).filter(([k]) => !(headKeys as string[]).includes(k)))
  return { head: { ...head, id, model, metadata }, extra }
}

/** Every readable head, newest first, and a line for each file that could not be read. */
export async function listHeads(dir: string): Promise<{ heads: TrainedHead[]; problems: string[] }> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return { heads: [], problems: [] }
  }
  const heads: TrainedHead[] = []
  const problems: string[] = []
  for (const name of names.filter((n) => n.endsWith('.json') && n !== 'jobs.json')) {
    try {
      heads.push((await readHead(dir, basename(name, '.json'))).head)
    } catch (error) {
      problems.push((error as Error).message)
    }
  }
  heads.sort((a, b) => (a.created < b.created ? 1 : -1))
  return { heads, problems }
}

/**
 * Puts a saved head aside in `removed/` (both files), out of the list and the comparison; moving
 * the two files back restores it.
 */
export async function removeHead(dir: string, id: string): Promise<TrainedHead> {
  const { head } = await readHead(dir, id)
  const aside = join(dir, 'removed')
  await mkdir(aside, { recursive: true })
  // Metadata first: a head whose model is gone is listed as damaged, never a model without metadata.
  await rename(head.metadata, join(aside, `${id}.json`))
  await rename(head.model, join(aside, `${id}.onnx`))
  return head
}
