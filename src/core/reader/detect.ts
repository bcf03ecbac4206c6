// Works out what kind of run a path holds, so users can point at a folder or file without saying.
import { readdir, readFile, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { RunFormat } from '../../shared/domain'
import { decodeValue } from './lenient-json'
import { scanRow, type ScannedValue } from './row-scanner'
import { readLinesSync } from './line-reader'
import { RUN_FORMAT_TAG, RUN_MANIFEST } from './workbench'

export interface DetectedRun {
  format: RunFormat
  /** The run root (a folder) or, for preference files, the file itself. */
  path: string
}

export class NotARunError extends Error {}

const EVOLM_MARKERS = ['generation_examples', 'qualitative_eval']
const MAX_DEPTH = 3
const SKIP = new Set(['node_modules', '.git'])

export async function detectRun(path: string): Promise<DetectedRun> {
  let info
  try {
    info = await stat(path)
  } catch {
    throw new NotARunError(`${path}: no such file or folder`)
  }
  if (info.isFile()) return detectFile(path)
  if (!info.isDirectory()) throw new NotARunError(`${path}: not a file or folder`)

  if (await isWorkbenchManifest(path)) return { format: 'workbench', path }
  const roots = await findEvolmRoots(path)
  if (roots.length === 1 && roots[0] !== undefined) return { format: 'evolm', path: roots[0] }
  if (roots.length > 1) {
    throw new NotARunError(`${path} holds several EvoLM runs; open one of them:\n  ${roots.join('\n  ')}`)
  }
  throw new NotARunError(
    `${path} is not a run: no workbench ${RUN_MANIFEST}, and no EvoLM output (generation_examples/ or qualitative_eval/) ` +
      `up to ${MAX_DEPTH} folders deep. Open an EvoLM output folder, a workbench run folder, or a preference JSONL file.`
  )
}

/** EvoLM roots, breadth first: the shallowest level that has any wins. */
async function findEvolmRoots(start: string): Promise<string[]> {
  let level = [start]
  for (let depth = 0; depth <= MAX_DEPTH && level.length > 0; depth++) {
    const found: string[] = []
    const next: string[] = []
    for (const dir of level) {
      let entries
      try {
        entries = await readdir(dir, { withFileTypes: true })
      } catch {
        continue
      }
      const dirs = entries.filter((e) => e.isDirectory() && !SKIP.has(e.name)).map((e) => e.name)
      if (dirs.some((d) => EVOLM_MARKERS.includes(d))) found.push(dir)
      else next.push(...dirs.sort().map((d) => join(dir, d)))
    }
    if (found.length > 0) return found.sort()
    level = next
  }
  return []
}

async function detectFile(path: string): Promise<DetectedRun> {
  // A file inside an EvoLM tree opens the whole tree.
  const parent = dirname(path)
  if (EVOLM_MARKERS.includes(basename(parent))) return { format: 'evolm', path: dirname(parent) }
  if (basename(parent) === 'policy' || basename(parent) === 'rubric') {
    const grand = dirname(parent)
    if (basename(grand) === 'qualitative_eval') return { format: 'evolm', path: dirname(grand) }
  }
  if (basename(path) === RUN_MANIFEST && (await isWorkbenchManifest(parent)))
    return { format: 'workbench', path: parent }

  // Judge by the first row that reads: a damaged first line must not hide a good file.
  const row = firstReadableRow(path)
  if (row === null) {
    throw new NotARunError(
      `${path} is not a run: none of its first ${SNIFF_LINES} lines is a JSON object. ` +
        'Preference files are JSONL with prompt, chosen and rejected on every line.'
    )
  }
  const { line, fields } = row
  const has = (k: string): boolean => fields.has(k)
  if (has('chosen') && has('rejected') && has('prompt')) {
    const chosen = fields.get('chosen')
    const isRewardBench =
      (has('num_correct') || has('subset')) && chosen !== undefined && chosen.kind === 'array'
    if (isRewardBench && looksLikeStringList(line, chosen)) return { format: 'rewardbench2', path }
    return { format: 'preference', path }
  }
  const keys = [...fields.keys()].slice(0, 8).join(', ')
  throw new NotARunError(
    `${path} is not a run: its rows have no prompt/chosen/rejected fields (found: ${keys}). ` +
      `Open an EvoLM output folder, a workbench run folder, or a preference JSONL file.`
  )
}

function looksLikeStringList(line: Buffer, value: ScannedValue): boolean {
  try {
    const list = decodeValue(line, value)
    return Array.isArray(list) && list.every((x) => typeof x === 'string')
  } catch {
    return false
  }
}

const SNIFF_LINES = 20

class StopReading extends Error {}

/** The first of the file's first lines that scans as a JSON object (a copy of it). */
function firstReadableRow(path: string): { line: Buffer; fields: Map<string, ScannedValue> } | null {
  let found: { line: Buffer; fields: Map<string, ScannedValue> } | null = null
  let seen = 0
  try {
    readLinesSync(path, 0, Number.MAX_SAFE_INTEGER, (line, info) => {
      if (++seen > SNIFF_LINES) throw new StopReading()
      if (!info.utf8 || info.tooLong) return
      const copy = Buffer.from(line)
      const scanned = scanRow(copy)
      if (scanned.ok) {
        found = { line: copy, fields: scanned.fields }
        throw new StopReading()
      }
    })
  } catch (error) {
    if (!(error instanceof StopReading)) throw error
  }
  return found
}

/** A run.json is the workbench's only when it carries the format tag (other tools write one too). */
async function isWorkbenchManifest(dir: string): Promise<boolean> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, RUN_MANIFEST), 'utf8')) as { format?: unknown }
    return manifest.format === RUN_FORMAT_TAG
  } catch {
    return false
  }
}
