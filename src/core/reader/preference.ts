// Runs without checkpoints: generic preference JSONL ({prompt, chosen, rejected}) and
// RewardBench-2 rows ({id, prompt, chosen: [..], rejected: [..], num_correct, subset}).
// The preferred side takes the "newer" slot of a pair so every view works unchanged; the UI
// names the sides chosen/rejected through RunIndex.sideNames.
import { basename } from 'node:path'
import type { RunFormat } from '../../shared/domain'
import { RunIndex, type TextRef } from '../run/run-index'
import { relPath, type ProgressSink } from './progress'
import { RowError, type Row } from './row'
import { scanFile } from './scan-file'

export async function readPreferenceRun(
  path: string,
  format: RunFormat,
  progress: ProgressSink
): Promise<RunIndex> {
  const root = path.slice(0, path.length - basename(path).length) || '.'
  const index = new RunIndex(root, format, basename(path))
  index.location = path
  index.sideNames = { newer: 'chosen', older: 'rejected' }
  await progress.plan([path])
  const file = index.addFile(relPath(root, path), path)
  await scanFile(
    index,
    file,
    (row, lineNo) =>
      format === 'rewardbench2'
        ? readRewardBenchRow(index, row, lineNo)
        : readPreferenceRow(index, row, lineNo),
    { onProgress: progress.fileProgress(path) }
  )
  return index
}

/** Prompts may be plain text or a chat message list; lists are flattened for display. */
function promptText(row: Row): string {
  const kind = row.kind('prompt')
  if (kind === 'string') return row.requiredString('prompt')
  if (kind === 'array') {
    const messages = row.value('prompt')
    if (Array.isArray(messages)) return messages.map(messageText).join('\n\n')
  }
  throw new RowError(
    kind === null ? 'field prompt is missing' : 'field prompt: expected a string or a message list'
  )
}

function messageText(m: unknown): string {
  if (typeof m === 'string') return m
  if (typeof m === 'object' && m !== null) {
    const { role, content } = m as { role?: unknown; content?: unknown }
    const text = typeof content === 'string' ? content : JSON.stringify(content)
    return typeof role === 'string' ? `**${role}:** ${text}` : text
  }
  return String(m)
}

const SAFE_ID = /[^A-Za-z0-9._:-]+/g

function readPreferenceRow(index: RunIndex, row: Row, lineNo: number): void {
  const prompt = index.promptFor(promptText(row))
  const chosen = requiredRef(row, 'chosen')
  const rejected = requiredRef(row, 'rejected')
  const id = row.kind('id') === 'string' ? row.requiredString('id').replace(SAFE_ID, '_') : `L${lineNo}`
  const newer = addResponse(index, row, prompt, `${id}-chosen`, lineNo, chosen)
  const older = addResponse(index, row, prompt, `${id}-rejected`, lineNo, rejected)
  addPair(index, row, prompt, id, lineNo, newer, older)
}

/** One chosen response against each rejected one (several chosen only in the Ties subset). */
function readRewardBenchRow(index: RunIndex, row: Row, lineNo: number): void {
  const prompt = index.promptFor(promptText(row))
  const subset = row.string('subset')
  const p = index.prompts[prompt]
  if (p !== undefined && subset !== null) p.taskType ??= subset
  const rowId =
    (row.kind('id') === 'number' ? String(row.number('id')) : row.string('id'))?.replace(SAFE_ID, '_') ??
    `L${lineNo}`
  const side = (key: 'chosen' | 'rejected'): number[] => {
    const ref = requiredRef(row, key)
    const isList = row.kind(key) === 'array'
    const n = listLength(row, key)
    const suffix = (i: number): string => (n > 1 ? `-${i}` : '')
    return Array.from({ length: n }, (_, i) =>
      addResponse(
        index,
        row,
        prompt,
        `${rowId}-${key}${suffix(i)}`,
        lineNo,
        isList ? { ...ref, pick: i } : ref
      )
    )
  }
  const chosen = side('chosen')
  const rejected = side('rejected')
  for (const [c, newer] of chosen.entries()) {
    for (const [r, older] of rejected.entries()) {
      const id = chosen.length * rejected.length === 1 ? rowId : `${rowId}-c${c}-r${r}`
      addPair(index, row, prompt, id, lineNo, newer, older)
    }
  }
}

function requiredRef(row: Row, key: string): TextRef {
  const ref = row.textRef(key, ['string', 'array'])
  if (ref === null) throw new RowError(`field ${key} is missing`)
  return ref
}

function listLength(row: Row, key: string): number {
  if (row.kind(key) === 'string') return 1
  const value = row.value(key)
  if (!Array.isArray(value) || value.length === 0)
    throw new RowError(`field ${key}: expected a non-empty list of responses`)
  return value.length
}

function addResponse(
  index: RunIndex,
  row: Row,
  prompt: number,
  id: string,
  lineNo: number,
  text: TextRef
): number {
  return index.addResponse({
    id,
    prompt,
    phase: null,
    step: null,
    text,
    length: Math.max(0, text.end - text.start - 2),
    isError: false,
    file: row.file,
    line: lineNo,
  })
}

function addPair(
  index: RunIndex,
  row: Row,
  prompt: number,
  id: string,
  lineNo: number,
  newer: number,
  older: number
): void {
  index.addPair({
    id,
    prompt,
    newer,
    older,
    rubric: -1,
    gap: null,
    newerVerdict: -1,
    olderVerdict: -1,
    file: row.file,
    line: lineNo,
  })
}
