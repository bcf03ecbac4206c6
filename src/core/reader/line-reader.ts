// Reads the lines of one byte range of a JSONL file, synchronously: it runs inside index
// workers (or on small runs), where blocking reads are the cheapest reads. Lines are handed out
// as views into a reused buffer; a handler keeps offsets, never the bytes.
import { isUtf8 } from 'node:buffer'
import { closeSync, openSync, readSync } from 'node:fs'

export interface LineInfo {
  /** 1-based line number within the range. */
  lineNo: number
  /** Byte offset of the line's first byte in the file. */
  offset: number
  /** False for a final line with no newline after it (a writer may have died mid-line). */
  terminated: boolean
  utf8: boolean
  /** The line is longer than MAX_LINE_BYTES; it is passed on empty. */
  tooLong: boolean
}

export type LineHandler = (line: Buffer, info: LineInfo) => void

const NEWLINE = 0x0a
const CR = 0x0d
const CHUNK = 1 << 20
/** Longer lines are reported, not read: no response is this long, a crash artifact can be. */
export const MAX_LINE_BYTES = 64 << 20
const BOM = Buffer.from([0xef, 0xbb, 0xbf])

/** Calls `handler` for every non-blank line in [start, end); returns how many lines there were. */
export function readLinesSync(path: string, start: number, end: number, handler: LineHandler): number {
  const fd = openSync(path, 'r')
  const buf = Buffer.allocUnsafe(CHUNK)
  // A line that spans reads is kept as pieces, joined once when it ends.
  let pieces: Buffer[] = []
  let carried = 0
  let carryOffset = 0
  let position = start
  let lineNo = 0

  const emit = (
    bytes: Buffer,
    from: number,
    to: number,
    offset: number,
    terminated: boolean,
    knownUtf8: boolean
  ): void => {
    lineNo++
    let stop = to
    if (stop > from && bytes[stop - 1] === CR) stop--
    if (isBlank(bytes, from, stop)) return
    const line = bytes.subarray(from, stop)
    handler(line, { lineNo, offset, terminated, utf8: knownUtf8 || isUtf8(line), tooLong: false })
  }
  const emitCarried = (tail: Buffer, terminated: boolean): void => {
    if (carried + tail.length > MAX_LINE_BYTES) {
      lineNo++
      handler(Buffer.alloc(0), { lineNo, offset: carryOffset, terminated, utf8: true, tooLong: true })
    } else {
      const joined = Buffer.concat([...pieces, tail])
      emit(joined, 0, joined.length, carryOffset, terminated, false)
    }
    pieces = []
    carried = 0
  }

  try {
    if (start === 0) {
      // A byte-order mark is not part of the first row.
      const head = Buffer.alloc(3)
      if (readSync(fd, head, 0, 3, 0) === 3 && head.equals(BOM)) position = 3
    }
    while (position < end) {
      const n = readSync(fd, buf, 0, Math.min(CHUNK, end - position), position)
      if (n === 0) break
      const chunk = buf.subarray(0, n)
      const chunkOffset = position
      position += n
      // One check of the whole chunk is far cheaper than one per line; only a failing chunk is
      // re-checked line by line to name the bad lines.
      const chunkUtf8 = isUtf8(chunk)
      let pos = 0
      if (carried > 0) {
        const nl = chunk.indexOf(NEWLINE)
        if (nl < 0) {
          // Past the limit the bytes are only counted; the buffer is reused by the next read.
          if (carried <= MAX_LINE_BYTES) pieces.push(Buffer.from(chunk))
          carried += n
          continue
        }
        emitCarried(chunk.subarray(0, nl), true)
        pos = nl + 1
      }
      for (;;) {
        const nl = chunk.indexOf(NEWLINE, pos)
        if (nl < 0) break
        emit(chunk, pos, nl, chunkOffset + pos, true, chunkUtf8)
        pos = nl + 1
      }
      if (pos < chunk.length) {
        pieces.push(Buffer.from(chunk.subarray(pos)))
        carried = chunk.length - pos
        carryOffset = chunkOffset + pos
      }
    }
    if (carried > 0) emitCarried(Buffer.alloc(0), false)
  } finally {
    closeSync(fd)
  }
  return lineNo
}

function isBlank(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const b = buf[i]
    if (b !== 0x20 && b !== 0x09 && b !== CR) return false
  }
  return true
}

/** Start of the first line at or after `at` (never past `limit`). */
export function nextLineStart(path: string, at: number, limit: number): number {
  const fd = openSync(path, 'r')
  try {
    const buf = Buffer.allocUnsafe(CHUNK)
    for (let position = at; position < limit;) {
      const n = readSync(fd, buf, 0, Math.min(CHUNK, limit - position), position)
      if (n === 0) break
      const nl = buf.subarray(0, n).indexOf(NEWLINE)
      if (nl >= 0) return position + nl + 1
      position += n
    }
    return limit
  } finally {
    closeSync(fd)
  }
}
