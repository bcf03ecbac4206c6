// Reads texts back from run files by byte range: the detail half of "summary first, detail on
// demand". Each read opens, reads and closes, so no file handle outlives a request.
import { open } from 'node:fs/promises'
import { parseLenientJson } from '../reader/lenient-json'
import type { RunFile, RunIndex, TextRef } from './run-index'

/** Largest single value read back (a 16k-token response is well under 1 MB). */
const MAX_VALUE_BYTES = 64 << 20

export class TextStore {
  constructor(private readonly index: RunIndex) {}

  async raw(ref: TextRef): Promise<unknown> {
    const file = this.index.files[ref.file]
    if (file === undefined) throw new Error(`unknown run file #${ref.file}`)
    const length = ref.end - ref.start
    if (length > MAX_VALUE_BYTES)
      throw new Error(`${file.rel}: value of ${length} bytes is too large to show`)
    const handle = await open(file.abs, 'r')
    try {
      const buf = Buffer.alloc(length)
      const { bytesRead } = await handle.read(buf, 0, length, ref.start)
      if (bytesRead !== length)
        throw new Error(`${file.rel} changed on disk since it was indexed; reopen the run`)
      try {
        return parseLenientJson(buf.toString('utf8'))
      } catch (error) {
        throw new Error(
          `${file.rel}: the text at byte ${ref.start} is not valid JSON (${(error as Error).message})`
        )
      }
    } finally {
      await handle.close()
    }
  }

  /** The text a reference stands for: a string, an element of a list, or a chat's last reply. */
  async text(ref: TextRef): Promise<string> {
    return pickText(await this.raw(ref), ref.pick)
  }

  /** Many texts at once, in file order (see readTexts). */
  forEachText(
    refs: readonly TextRef[],
    visit: (at: number, text: string) => void,
    onProgress?: (done: number, total: number) => void
  ): Promise<void> {
    return readTexts(this.index.files, toColumns(refs), visit, onProgress)
  }
}

/** Text references as columns (pick -1: none): cheap to build and to hand to a worker thread. */
export interface TextRefColumns {
  file: Int32Array
  start: Float64Array
  end: Float64Array
  pick: Int32Array
}

export function toColumns(refs: readonly TextRef[]): TextRefColumns {
  const columns = emptyColumns(refs.length)
  refs.forEach((ref, i) => setRef(columns, i, ref))
  return columns
}

export function emptyColumns(length: number): TextRefColumns {
  return {
    file: new Int32Array(length),
    start: new Float64Array(length),
    end: new Float64Array(length),
    pick: new Int32Array(length),
  }
}

export function setRef(columns: TextRefColumns, i: number, ref: TextRef): void {
  columns.file[i] = ref.file
  columns.start[i] = ref.start
  columns.end[i] = ref.end
  columns.pick[i] = ref.pick ?? -1
}

/**
 * Many texts at once (search, statistics): references are grouped by file and read in file
 * order through large windows, so a million texts cost a sequential read, not a million opens.
 * `visit` gets each reference's position in `refs`; a value that does not decode is skipped, and
 * so is a value too large to read. Between windows the event loop gets a turn.
 */
export async function readTexts(
  files: readonly RunFile[],
  refs: TextRefColumns,
  visit: (at: number, text: string) => void,
  onProgress?: (done: number, total: number) => void
): Promise<void> {
  const total = refs.file.length
  const byFile = new Map<number, number[]>()
  for (let at = 0; at < total; at++) {
    const f = refs.file[at] as number
    const list = byFile.get(f)
    if (list === undefined) byFile.set(f, [at])
    else list.push(at)
  }
  const start = (at: number): number => refs.start[at] as number
  const end = (at: number): number => refs.end[at] as number
  let done = 0
  for (const [fileIndex, ats] of byFile) {
    const file = files[fileIndex]
    if (file === undefined) throw new Error(`unknown run file #${fileIndex}`)
    ats.sort((a, b) => start(a) - start(b))
    const handle = await open(file.abs, 'r')
    try {
      let i = 0
      while (i < ats.length) {
        const from = start(ats[i] as number)
        // Extend the window over the following references while it stays under the size cap.
        let j = i
        let to = end(ats[i] as number)
        while (j + 1 < ats.length) {
          const next = ats[j + 1] as number
          if (Math.max(to, end(next)) - from > WINDOW_BYTES) break
          to = Math.max(to, end(next))
          j++
        }
        const length = to - from
        if (length <= MAX_VALUE_BYTES) {
          const buf = Buffer.allocUnsafe(length)
          const { bytesRead } = await handle.read(buf, 0, length, from)
          if (bytesRead !== length)
            throw new Error(`${file.rel} changed on disk since it was indexed; reopen the run`)
          for (let k = i; k <= j; k++) {
            const at = ats[k] as number
            let value: unknown
            try {
              value = parseLenientJson(buf.toString('utf8', start(at) - from, end(at) - from))
            } catch {
              continue
            }
            const pick = refs.pick[at] as number
            visit(at, pickText(value, pick >= 0 ? pick : undefined))
          }
        }
        // else: one oversized value (only ever alone in its window) is skipped.
        done += j - i + 1
        onProgress?.(done, total)
        i = j + 1
      }
    } finally {
      await handle.close()
    }
  }
}

/** Bulk reads go through windows of about this size. */
const WINDOW_BYTES = 8 << 20

function pickText(raw: unknown, pick: number | undefined): string {
  const value = pick !== undefined && Array.isArray(raw) ? (raw as unknown[])[pick] : raw
  return toText(value)
}

function toText(value: unknown): string {
  if (typeof value === 'string') return value
  if (Array.isArray(value)) {
    // A chat transcript: the response is the last assistant turn.
    const turns = value as unknown[]
    for (let i = turns.length - 1; i >= 0; i--) {
      const turn = turns[i] as { role?: unknown; content?: unknown } | null
      if (turn !== null && typeof turn === 'object' && turn.role === 'assistant') return toText(turn.content)
    }
    const last = turns[turns.length - 1]
    return last === undefined ? '' : toText(last)
  }
  if (value === null || value === undefined) return ''
  if (typeof value === 'object') {
    const content = (value as { content?: unknown }).content
    if (content !== undefined) return toText(content)
  }
  return JSON.stringify(value, null, 2)
}
