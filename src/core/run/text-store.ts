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
    let value = await this.raw(ref)
    if (ref.pick !== undefined && Array.isArray(value)) value = value[ref.pick]
    return toText(value)
  }
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
