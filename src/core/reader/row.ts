// Typed access to the fields of one scanned row. A wrong type raises RowError, which the readers
// turn into a per-line issue ("field step_gap: expected a number, got a string").
import type { TextRef } from '../run/run-index'
import { decodeValue } from './lenient-json'
import type { ScannedValue, ValueKind } from './row-scanner'

export class RowError extends Error {}

const POWERS_OF_TEN = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15]

/**
 * Steps and scores (`120`, `0.85`, `-3`) read straight from the bytes. With at most 15 digits
 * both `digits` and the power of ten are exact doubles, so their quotient is the correctly
 * rounded value, the same one Number() gives. Anything else returns null for Number() to parse.
 */
function parseShortDecimal(line: Buffer, start: number, end: number): number | null {
  let i = start
  const negative = line[i] === 0x2d
  if (negative) i++
  let digits = 0
  let count = 0
  let scale = -1
  for (; i < end; i++) {
    const c = line[i] as number
    if (c >= 0x30 && c <= 0x39) {
      digits = digits * 10 + (c - 0x30)
      count++
      if (scale >= 0) scale++
    } else if (c === 0x2e && scale < 0) scale = 0
    else return null
  }
  if (count === 0 || count > 15) return null
  const value = scale > 0 ? digits / (POWERS_OF_TEN[scale] as number) : digits
  return negative ? -value : value
}

// Runs repeat the same prompts thousands of times. Decoding each occurrence allocates a fresh
// string that the garbage collector must then chase; this per-thread table hands back the string
// decoded the first time, found by a hash of the raw bytes and confirmed by comparing them.
const INTERN_MAX_BYTES = 16 << 10
/** The table starts over past this many raw bytes, so memory stays bounded whatever the run. */
const INTERN_BUDGET_BYTES = 16 << 20
let internedBytes = 0
const interned = new Map<number, { raw: Buffer; text: string }>()

/** A hash of the length and both ends of a value; a hit is confirmed by comparing all bytes. */
function hashBytes(line: Buffer, start: number, end: number): number {
  let h = 0x811c9dc5 ^ (end - start)
  const head = Math.min(end, start + 48)
  for (let i = start; i < head; i++) h = Math.imul(h ^ (line[i] as number), 0x01000193)
  for (let i = Math.max(head, end - 48); i < end; i++) h = Math.imul(h ^ (line[i] as number), 0x01000193)
  return h >>> 0
}

const KIND_NAMES: Record<ValueKind, string> = {
  string: 'a string',
  number: 'a number',
  literal: 'a literal',
  object: 'an object',
  array: 'a list',
}

/**
 * Texts shared by many rows of one scanned range (prompts): each is sent to the main thread once
 * per range, and rows refer to it by position.
 */
export class SharedTexts {
  readonly list: string[] = []
  private readonly ids = new Map<string, number>()

  add(text: string): number {
    let id = this.ids.get(text)
    if (id === undefined) {
      id = this.list.length
      this.list.push(text)
      this.ids.set(text, id)
    }
    return id
  }
}

export class Row {
  constructor(
    readonly line: Buffer,
    readonly fields: Map<string, ScannedValue>,
    /** Byte offset of the line in its file. */
    readonly offset: number,
    readonly file: number,
    private readonly shared: SharedTexts = new SharedTexts()
  ) {}

  /** Put a text in the range's shared table; the extract keeps the returned position. */
  share(text: string): number {
    return this.shared.add(text)
  }

  has(key: string): boolean {
    const v = this.fields.get(key)
    return v !== undefined && !this.isNull(v)
  }

  kind(key: string): ValueKind | null {
    const v = this.fields.get(key)
    return v === undefined || this.isNull(v) ? null : v.kind
  }

  private isNull(v: ScannedValue): boolean {
    return v.kind === 'literal' && v.end - v.start === 4 && this.line[v.start] === 0x6e
  }

  private describe(v: ScannedValue): string {
    if (v.kind === 'literal') return this.line.toString('latin1', v.start, v.end)
    return KIND_NAMES[v.kind]
  }

  private decode(key: string, v: ScannedValue): unknown {
    try {
      return decodeValue(this.line, v)
    } catch (error) {
      throw new RowError(`field ${key}: ${(error as Error).message}`)
    }
  }

  string(key: string): string | null {
    const v = this.fields.get(key)
    if (v === undefined || this.isNull(v)) return null
    if (v.kind !== 'string') throw new RowError(`field ${key}: expected a string, got ${this.describe(v)}`)
    return this.decode(key, v) as string
  }

  /** A required string that repeats across rows (questions), as a position in the shared table. */
  sharedString(key: string): number {
    return this.shared.add(this.internedString(key))
  }

  /** Like requiredString, for values that repeat across rows (questions). */
  internedString(key: string): string {
    const v = this.fields.get(key)
    if (v === undefined || v.kind !== 'string' || v.end - v.start > INTERN_MAX_BYTES)
      return this.requiredString(key)
    const h = hashBytes(this.line, v.start, v.end)
    const raw = this.line.subarray(v.start, v.end)
    const hit = interned.get(h)
    if (hit !== undefined && hit.raw.equals(raw)) return hit.text
    const text = this.decode(key, v) as string
    if (internedBytes + raw.length > INTERN_BUDGET_BYTES) {
      interned.clear()
      internedBytes = 0
    }
    interned.set(h, { raw: Buffer.from(raw), text })
    internedBytes += raw.length
    return text
  }

  requiredString(key: string): string {
    const s = this.string(key)
    if (s === null) throw new RowError(`field ${key} is missing`)
    return s
  }

  /** Numbers, including NaN/Infinity tokens; null when absent or null. */
  number(key: string): number | null {
    const v = this.fields.get(key)
    if (v === undefined || this.isNull(v)) return null
    if (v.kind !== 'number') throw new RowError(`field ${key}: expected a number, got ${this.describe(v)}`)
    return (
      parseShortDecimal(this.line, v.start, v.end) ?? Number(this.line.toString('latin1', v.start, v.end))
    )
  }

  integer(key: string): number | null {
    const n = this.number(key)
    if (n !== null && !Number.isInteger(n))
      throw new RowError(`field ${key}: expected a whole number, got ${n}`)
    return n
  }

  /** A value's JSON text exactly as written in the file. */
  rawText(key: string): string | null {
    const v = this.fields.get(key)
    return v === undefined ? null : this.line.toString('utf8', v.start, v.end)
  }

  /** Any JSON value, decoded (small values only: this copies). */
  value(key: string): unknown {
    const v = this.fields.get(key)
    return v === undefined ? undefined : this.decode(key, v)
  }

  /** The byte range of a string value, for reading it later; null when absent or null. */
  textRef(key: string, accept: readonly ValueKind[] = ['string']): TextRef | null {
    const v = this.fields.get(key)
    if (v === undefined || this.isNull(v)) return null
    if (!accept.includes(v.kind)) {
      const wanted = accept.map((k) => KIND_NAMES[k]).join(' or ')
      throw new RowError(`field ${key}: expected ${wanted}, got ${this.describe(v)}`)
    }
    return { file: this.file, start: this.offset + v.start, end: this.offset + v.end }
  }

  /** `""`: EvoLM's writer uses it for fields that do not apply. */
  isEmptyString(key: string): boolean {
    const v = this.fields.get(key)
    return v !== undefined && v.kind === 'string' && v.end - v.start === 2
  }

  /** Whether a string value starts with the given ASCII text (checked on the raw bytes). */
  startsWith(key: string, prefix: string): boolean {
    const v = this.fields.get(key)
    if (v === undefined || v.kind !== 'string') return false
    return this.line.toString('latin1', v.start + 1, Math.min(v.end, v.start + 1 + prefix.length)) === prefix
  }
}
