// One unit of indexing work: a byte range of one run file, scanned row by row into small
// "extracts" that the main thread then applies to the RunIndex in file order. Scanning is the
// heavy part and runs in workers; applying is cheap and needs the whole index, so it does not.
import type { Phase } from '../../shared/domain'
import { MAX_LINE_BYTES, readLinesSync } from './line-reader'
import { Row, RowError, SharedTexts } from './row'
import { scanRow } from './row-scanner'
import { extractors } from './extractors'

export type RowKind =
  | 'evolm-generation'
  | 'evolm-qualitative'
  | 'prompt-metadata'
  | 'preference'
  | 'rewardbench2'
  | 'wb-prompts'
  | 'wb-checkpoints'
  | 'wb-responses'
  | 'wb-rubrics'
  | 'wb-verdicts'
  | 'wb-pairs'

export interface ScanTask {
  /** Index of the file in RunIndex.files. */
  file: number
  abs: string
  start: number
  end: number
  kind: RowKind
  /** For qualitative-eval files: the checkpoint the file belongs to. */
  phase?: Phase
  step?: number
}

export interface TaskResult {
  /** One extract per usable row, and its 1-based line number within the range (kept apart: one
   *  object fewer per row to copy between threads). */
  extracts: unknown[]
  rowLines: number[]
  /** Texts the rows refer to by position (see SharedTexts). */
  texts: string[]
  issues: { line: number; message: string }[]
  /** Lines in the range, blank ones included: the next range of the file starts after them. */
  lines: number
}

export function scanTask(task: ScanTask): TaskResult {
  const extract = extractors[task.kind]
  const extracts: unknown[] = []
  const rowLines: number[] = []
  const issues: TaskResult['issues'] = []
  const texts = new SharedTexts()
  const lines = readLinesSync(task.abs, task.start, task.end, (line, info) => {
    if (info.tooLong) {
      issues.push({ line: info.lineNo, message: `line longer than ${MAX_LINE_BYTES >> 20} MB; not read` })
      return
    }
    if (!info.utf8) {
      issues.push({ line: info.lineNo, message: 'invalid UTF-8 bytes' })
      return
    }
    const scanned = scanRow(line)
    if (!scanned.ok) {
      const message = info.terminated
        ? `invalid JSON: ${scanned.message} at byte ${scanned.offset + 1}`
        : `truncated last line: ${scanned.message} (no newline at the end of the file; the writer probably stopped mid-line)`
      issues.push({ line: info.lineNo, message })
      return
    }
    try {
      extracts.push(extract(new Row(line, scanned.fields, info.offset, task.file, texts), task))
      rowLines.push(info.lineNo)
    } catch (error) {
      // A row the extractor cannot handle is that row's problem, never the whole run's.
      const message =
        error instanceof RowError ? error.message : `unreadable row: ${(error as Error).message}`
      issues.push({ line: info.lineNo, message })
    }
  })
  return { extracts, rowLines, texts: texts.list, issues, lines }
}
