// A validating scanner for one JSONL row that records where each top-level value lies instead of
// decoding it. Indexing a run needs a handful of small fields per row, while most bytes sit in
// long response strings; skipping those strings with Buffer#indexOf (memchr speed) is what lets
// the index keep pace with a plain read of the file. Long values are decoded later, on demand.
//
// Accepted beyond strict JSON: the bare tokens NaN, Infinity and -Infinity that Python's json
// module writes for non-finite floats. Keys, numbers and nested values are checked in full; the
// contents of strings are checked when they are decoded (see checkNested for why).
import { parseLenientJson } from './lenient-json'

export type ValueKind = 'string' | 'number' | 'literal' | 'object' | 'array'

export interface ScannedValue {
  kind: ValueKind
  /** Byte offsets within the scanned line, end exclusive, quotes included for strings. */
  start: number
  end: number
}

export type ScanResult =
  { ok: true; fields: Map<string, ScannedValue> } | { ok: false; message: string; offset: number }

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const COLON = 0x3a
const COMMA = 0x2c

class ScanError extends Error {
  constructor(
    message: string,
    readonly offset: number
  ) {
    super(message)
  }
}

function isSpace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a
}

function skipSpace(line: Uint8Array, i: number): number {
  while (i < line.length && isSpace(line[i])) i++
  return i
}

/** Index just past the closing quote of the string that opens at `i`. */
function skipString(line: Buffer, i: number): number {
  let from = i + 1
  for (;;) {
    const q = line.indexOf(QUOTE, from)
    if (q < 0) throw new ScanError('unterminated string (the line ends inside a text)', i)
    let k = q - 1
    while (line[k] === BACKSLASH) k--
    // An odd run of backslashes escapes this quote.
    if ((q - 1 - k) % 2 === 0) return q + 1
    from = q + 1
  }
}

const TOKEN = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|NaN|-?Infinity)$/

function isTokenByte(b: number | undefined): boolean {
  if (b === undefined) return false
  return (
    (b >= 0x30 && b <= 0x39) ||
    (b >= 0x41 && b <= 0x5a) ||
    (b >= 0x61 && b <= 0x7a) ||
    b === 0x2b ||
    b === 0x2d ||
    b === 0x2e
  )
}

function skipToken(line: Buffer, i: number): { end: number; kind: ValueKind } {
  let j = i
  while (isTokenByte(line[j])) j++
  if (j === i) {
    const ch = line[i] === undefined ? 'end of line' : JSON.stringify(String.fromCharCode(line[i] ?? 0))
    throw new ScanError(`unexpected ${ch}`, i)
  }
  const first = line[i]
  const kind: ValueKind = first === 0x74 || first === 0x66 || first === 0x6e ? 'literal' : 'number'
  // Plain numbers are checked on the bytes; only unusual tokens are decoded for the full grammar.
  if (!(kind === 'number' && isPlainNumber(line, i, j))) {
    const text = line.toString('latin1', i, j)
    if (!TOKEN.test(text)) throw new ScanError(`invalid value ${JSON.stringify(text.slice(0, 40))}`, i)
  }
  return { end: j, kind }
}

/** `-?digits(.digits)?` with no leading zero: the shape of nearly every number in a run file. */
function isPlainNumber(line: Buffer, i: number, j: number): boolean {
  let k = line[i] === 0x2d ? i + 1 : i
  const intStart = k
  while (k < j && (line[k] as number) >= 0x30 && (line[k] as number) <= 0x39) k++
  const intLen = k - intStart
  if (intLen === 0 || (intLen > 1 && line[intStart] === 0x30)) return false
  if (k === j) return true
  if (line[k] !== 0x2e) return false
  const fracStart = ++k
  while (k < j && (line[k] as number) >= 0x30 && (line[k] as number) <= 0x39) k++
  return k === j && k > fracStart
}

/** Skip a nested object or array, matching brackets and stepping over strings. */
function skipNested(line: Buffer, i: number): number {
  const stack: number[] = []
  let j = i
  while (j < line.length) {
    const b = line[j]
    if (b === QUOTE) {
      j = skipString(line, j)
      continue
    }
    if (b === OPEN_BRACE || b === OPEN_BRACKET) stack.push(b === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET)
    else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
      if (stack.pop() !== b) throw new ScanError('mismatched bracket', j)
      if (stack.length === 0) return j + 1
    }
    j++
  }
  throw new ScanError('unterminated object or array (the line ends inside it)', i)
}

function skipValue(line: Buffer, i: number): { end: number; kind: ValueKind } {
  const b = line[i]
  if (b === QUOTE) return { end: skipString(line, i), kind: 'string' }
  if (b === OPEN_BRACE) return { end: checkNested(line, i, skipNested(line, i)), kind: 'object' }
  if (b === OPEN_BRACKET) return { end: checkNested(line, i, skipNested(line, i)), kind: 'array' }
  return skipToken(line, i)
}

/**
 * Objects and lists inside a row (rubric objects, rrd_* traces, RewardBench-2 response lists)
 * are small next to the texts: their grammar is checked here, in full. Long strings are checked
 * for their extent only; their contents are decoded, and checked, when a view reads them.
 */
const CHECKED_NESTED_BYTES = 1 << 20

function checkNested(line: Buffer, start: number, end: number): number {
  if (end - start > CHECKED_NESTED_BYTES) return end
  try {
    parseLenientJson(line.toString('utf8', start, end))
  } catch (error) {
    throw new ScanError(`invalid JSON inside a value: ${(error as Error).message}`, start)
  }
  return end
}

// Rows repeat the same few keys millions of times: remember their decoded names by a hash of
// their bytes rather than decoding each occurrence.
const keyCache = new Map<number, string>()
const MAX_CACHED_KEY = 64

function readKey(line: Buffer, start: number, end: number): string {
  const a = start + 1
  const b = end - 1
  if (b - a <= MAX_CACHED_KEY) {
    let h = 0x811c9dc5 ^ (b - a)
    let plain = true
    for (let i = a; i < b; i++) {
      const c = line[i] as number
      if (c >= 0x80 || c === BACKSLASH) {
        plain = false
        break
      }
      h = Math.imul(h ^ c, 0x01000193)
    }
    if (plain) {
      const hit = keyCache.get(h)
      if (hit !== undefined && sameAscii(hit, line, a, b)) return hit
      const name = line.toString('latin1', a, b)
      if (keyCache.size < 4096) keyCache.set(h, name)
      return name
    }
  }
  try {
    return JSON.parse(line.toString('utf8', start, end)) as string
  } catch (error) {
    throw new ScanError(`invalid key: ${(error as Error).message}`, start)
  }
}

function sameAscii(name: string, line: Buffer, a: number, b: number): boolean {
  if (name.length !== b - a) return false
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) !== line[a + i]) return false
  return true
}

/** Scan one line that should hold a JSON object. */
export function scanRow(line: Buffer): ScanResult {
  try {
    const fields = new Map<string, ScannedValue>()
    let i = skipSpace(line, 0)
    if (line[i] !== OPEN_BRACE) {
      const what = i >= line.length ? 'an empty line' : 'not a JSON object'
      return { ok: false, message: `${what} (each line must be one JSON object)`, offset: i }
    }
    i = skipSpace(line, i + 1)
    if (line[i] === CLOSE_BRACE) {
      i++
    } else {
      for (;;) {
        if (line[i] !== QUOTE) throw new ScanError('expected a quoted key', i)
        const keyEnd = skipString(line, i)
        const key = readKey(line, i, keyEnd)
        i = skipSpace(line, keyEnd)
        if (line[i] !== COLON) throw new ScanError(`expected ":" after key "${key}"`, i)
        i = skipSpace(line, i + 1)
        const start = i
        const { end, kind } = skipValue(line, i)
        fields.set(key, { kind, start, end })
        i = skipSpace(line, end)
        if (line[i] === COMMA) {
          i = skipSpace(line, i + 1)
          continue
        }
        if (line[i] === CLOSE_BRACE) {
          i++
          break
        }
        throw new ScanError(
          i >= line.length ? 'the line ends before the object closes' : 'expected "," or "}"',
          i
        )
      }
    }
    i = skipSpace(line, i)
    if (i < line.length) throw new ScanError('unexpected text after the JSON object', i)
    return { ok: true, fields }
  } catch (error) {
    if (error instanceof ScanError) return { ok: false, message: error.message, offset: error.offset }
    throw error
  }
}
