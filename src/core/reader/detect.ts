// Works out what kind of run a path holds, so users can point at a folder or file without saying.
import { open, readdir, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { RunFormat } from '../../shared/domain'
import { decodeValue } from './lenient-json'
import { scanRow } from './row-scanner'
import { RUN_MANIFEST } from './workbench'

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

  if (await exists(join(path, RUN_MANIFEST))) return { format: 'workbench', path }
  const roots = await findEvolmRoots(path)
  if (roots.length === 1 && roots[0] !== undefined) return { format: 'evolm', path: roots[0] }
  if (roots.length > 1) {
    throw new NotARunError(`${path} holds several EvoLM runs; open one of them:\n  ${roots.join('\n  ')}`)
  }
  throw new NotARunError(
    `${path} is not a run: no ${RUN_MANIFEST}, and no EvoLM output (generation_examples/ or qualitative_eval/) ` +
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
  if (basename(path) === RUN_MANIFEST) return { format: 'workbench', path: parent }

  const line = await firstLine(path)
  const scanned = line === null ? null : scanRow(line)
  if (line === null || scanned === null || !scanned.ok) {
    throw new NotARunError(
      `${path} is not a run: its first line is not a JSON object. Preference files are JSONL with prompt, chosen and rejected on every line.`
    )
  }
  const fields = scanned.fields
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

function looksLikeStringList(line: Buffer, value: Parameters<typeof decodeValue>[1]): boolean {
  try {
    const list = decodeValue(line, value)
    return Array.isArray(list) && list.every((x) => typeof x === 'string')
  } catch {
    return false
  }
}

/** The first non-blank line, read in pieces so a huge first row is not a problem up to 64 MB. */
async function firstLine(path: string): Promise<Buffer | null> {
  const handle = await open(path, 'r')
  try {
    const parts: Buffer[] = []
    let position = 0
    for (let total = 0; total < 64 << 20;) {
      const buf = Buffer.alloc(1 << 20)
      const { bytesRead } = await handle.read(buf, 0, buf.length, position)
      if (bytesRead === 0) break
      position += bytesRead
      const piece = buf.subarray(0, bytesRead)
      const nl = piece.indexOf(0x0a)
      if (nl >= 0) {
        parts.push(piece.subarray(0, nl))
        const line = Buffer.concat(parts)
        if (line.toString('utf8').trim() !== '') return line
        parts.length = 0
        position = position - bytesRead + nl + 1
        continue
      }
      parts.push(piece)
      total += bytesRead
    }
    const rest = Buffer.concat(parts)
    return rest.toString('utf8').trim() === '' ? null : rest
  } finally {
    await handle.close()
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}
