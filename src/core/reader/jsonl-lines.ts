// Streams a JSONL file line by line without ever holding more than one chunk (plus one line
// that spans chunks) in memory. Lines are handed out as views into the chunk: a handler that
// needs bytes after it returns must copy them, which indexing never does (it keeps offsets).
import { createReadStream } from 'node:fs'
import { isUtf8 } from 'node:buffer'

export interface LineInfo {
  /** 1-based line number. */
  lineNo: number
  /** Byte offset of the line's first byte in the file. */
  offset: number
  /** False for a final line that has no newline after it (a writer may have died mid-line). */
  terminated: boolean
  /** False when the line's bytes are not valid UTF-8. */
  utf8: boolean
}

export type LineHandler = (line: Buffer, info: LineInfo) => void

export interface ReadLinesOptions {
  chunkSize?: number
  onProgress?: (bytesRead: number) => void
}

const NEWLINE = 0x0a
const CR = 0x0d

/** Calls `handler` for every non-blank line; resolves with the number of bytes read. */
export async function readLines(
  path: string,
  handler: LineHandler,
  options: ReadLinesOptions = {}
): Promise<number> {
  const stream = createReadStream(path, { highWaterMark: options.chunkSize ?? 1 << 20 })
  let carry: Buffer | null = null
  let carryOffset = 0
  let offset = 0 // file offset of the next unread byte
  let lineNo = 0

  const emit = (
    buf: Buffer,
    start: number,
    end: number,
    fileOffset: number,
    terminated: boolean,
    utf8: boolean
  ): void => {
    lineNo++
    let stop = end
    if (stop > start && buf[stop - 1] === CR) stop--
    if (isBlank(buf, start, stop)) return
    const line = buf.subarray(start, stop)
    handler(line, { lineNo, offset: fileOffset, terminated, utf8: utf8 || isUtf8(line) })
  }

  for await (const value of stream) {
    const chunk = value as Buffer
    const chunkOffset = offset
    offset += chunk.length
    // Validating the whole chunk at once is far cheaper than per line; only a failing chunk is
    // re-checked line by line to name the bad lines.
    const chunkUtf8 = isUtf8(chunk)
    let pos = 0
    if (carry !== null) {
      const nl = chunk.indexOf(NEWLINE)
      if (nl < 0) {
        carry = Buffer.concat([carry, chunk])
        continue
      }
      const joined: Buffer = Buffer.concat([carry, chunk.subarray(0, nl)])
      emit(joined, 0, joined.length, carryOffset, true, false)
      carry = null
      pos = nl + 1
    }
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, pos)
      if (nl < 0) break
      emit(chunk, pos, nl, chunkOffset + pos, true, chunkUtf8)
      pos = nl + 1
    }
    if (pos < chunk.length) {
      carry = Buffer.from(chunk.subarray(pos))
      carryOffset = chunkOffset + pos
    }
    options.onProgress?.(offset)
  }
  if (carry !== null) emit(carry, 0, carry.length, carryOffset, false, false)
  return offset
}

function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = buf[i]
    if (b !== 0x20 && b !== 0x09 && b !== CR) return false
  }
  return true
}
