// Reads texts back from run files by byte range: the detail half of "summary first, detail on
// demand". Each read opens, reads and closes, so no file handle outlives a request.
import { open } from 'node:fs/promises'
import { parseLenientJson } from '../reader/lenient-json'
import type { RunIndex, TextRef } from './run-index'

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
    return pickText(await this.raw(ref), ref)
  }

  /**
   * Many texts at once (search, statistics): references are grouped by file and read in file
   * order through large windows, so a million texts cost a sequential read, not a million opens.
   * `visit` gets each reference's position in `refs`; a value that does not decode is skipped.
   * Between windows the event loop gets a turn, so other requests are not starved.
   */
  async forEachText(
    refs: readonly TextRef[],
    visit: (at: number, text: string) => void,
    onProgress?: (done: number, total: number) => void
  ): Promise<void> {
    const byFile = new Map<number, number[]>()
    refs.forEach((ref, at) => {
      const list = byFile.get(ref.file)
      if (list === undefined) byFile.set(ref.file, [at])
      else list.push(at)
    })
    let done = 0
    for (const [fileIndex, ats] of byFile) {
      const file = this.index.files[fileIndex]
      if (file === undefined) throw new Error(`unknown run file #${fileIndex}`)
      ats.sort((a, b) => (refs[a] as TextRef).start - (refs[b] as TextRef).start)
      const handle = await open(file.abs, 'r')
      try {
        let i = 0
        while (i < ats.length) {
          const first = refs[ats[i] as number] as TextRef
          // Extend the window over the following references while it stays under the size cap.
          let j = i
          let end = first.end
          while (j + 1 < ats.length) {
            const next = refs[ats[j + 1] as number] as TextRef
            if (Math.max(end, next.end) - first.start > WINDOW_BYTES) break
            end = Math.max(end, next.end)
            j++
          }
          const length = end - first.start
          if (length > MAX_VALUE_BYTES) {
            // One oversized value (only ever alone in its window) is skipped, not fatal to the rest.
            done += j - i + 1
            i = j + 1
            continue
          }
          const buf = Buffer.allocUnsafe(length)
          const { bytesRead } = await handle.read(buf, 0, length, first.start)
          if (bytesRead !== length)
            throw new Error(`${file.rel} changed on disk since it was indexed; reopen the run`)
          for (let k = i; k <= j; k++) {
            const at = ats[k] as number
            const ref = refs[at] as TextRef
            const text = buf.toString('utf8', ref.start - first.start, ref.end - first.start)
            let value: unknown
            try {
              value = parseLenientJson(text)
            } catch {
              continue
            }
            visit(at, pickText(value, ref))
          }
          done += j - i + 1
          onProgress?.(done, refs.length)
          i = j + 1
        }
      } finally {
        await handle.close()
      }
    }
  }
}

/** Bulk reads go through windows of about this size. */
const WINDOW_BYTES = 8 << 20

function pickText(raw: unknown, ref: TextRef): string {
  const value = ref.pick !== undefined && Array.isArray(raw) ? (raw as unknown[])[ref.pick] : raw
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
