// Reads every row of one JSONL run file into the index, turning each unusable line into a
// ReadIssue with its file and line number instead of stopping.
import type { RunIndex } from '../run/run-index'
import { readLines } from './jsonl-lines'
import { Row, RowError } from './row'
import { scanRow } from './row-scanner'

export type RowHandler = (row: Row, lineNo: number) => void

export interface ScanFileOptions {
  onProgress?: (bytesRead: number) => void
}

export async function scanFile(
  index: RunIndex,
  file: number,
  onRow: RowHandler,
  options: ScanFileOptions = {}
): Promise<number> {
  const meta = index.files[file]
  if (meta === undefined) throw new Error(`unknown run file #${file}`)
  const bytes = await readLines(
    meta.abs,
    (line, info) => {
      if (!info.utf8) {
        index.issue(meta.rel, info.lineNo, 'invalid UTF-8 bytes')
        return
      }
      const scanned = scanRow(line)
      if (!scanned.ok) {
        const message = info.terminated
          ? `invalid JSON: ${scanned.message} at byte ${scanned.offset + 1}`
          : `truncated last line: ${scanned.message} (no newline at the end of the file; the writer probably stopped mid-line)`
        index.issue(meta.rel, info.lineNo, message)
        return
      }
      try {
        onRow(new Row(line, scanned.fields, info.offset, file), info.lineNo)
      } catch (error) {
        if (!(error instanceof RowError)) throw error
        index.issue(meta.rel, info.lineNo, error.message)
      }
    },
    { onProgress: options.onProgress }
  )
  index.bytes += bytes
  return bytes
}
