// Records stored as columns: one typed array per numeric field, one array per string field. A run
// with a million responses then costs tens of bytes per record instead of a JavaScript object, a
// nested text reference and their headers each (about 180 bytes). Readers still add plain
// records, views still get plain records back (`get`), and hot loops read single fields without
// building any object (`num`, `str`).
import { fnv1a, mix32 } from '../../shared/hash'
import type { TextRef } from './run-index'

/**
 * How a field is stored:
 * - `id`: a record id, usually a prefix, a number and a suffix (`rg-L1204-newer`), stored as two
 *   symbol codes and an integer; other ids are kept as strings. Looked up with `indexOf`;
 * - `int`: a 32-bit integer (indexes, line numbers, counts);
 * - `num`: a number or null (null kept as NaN, so the field must not hold NaN itself);
 * - `bool`;
 * - `str`: a string per record;
 * - `sym`: a string or null from a small set (phases, judge names), stored as a code;
 * - `ref` / `refn`: a text reference into a run file (`refn`: or null).
 */
export type FieldKind = 'id' | 'int' | 'num' | 'bool' | 'str' | 'sym' | 'ref' | 'refn'

export type Schema<R> = { readonly [K in keyof R]-?: FieldKind }

type NumericColumn = Int32Array | Float64Array | Uint8Array | Uint16Array

interface RefColumns {
  file: Int32Array
  start: Float64Array
  end: Float64Array
  pick: Int32Array
}

const INITIAL_CAPACITY = 1024
const NO_SYMBOL = 0xffff
const MAX_ID_DIGITS = 9

interface IdColumns {
  prefix: Uint16Array
  number: Int32Array
  suffix: Uint16Array
  /** Ids that do not split, by record. */
  others: Map<number, string>
  symbols: SymbolTable
  last: { prefix: string; prefixCode: number; suffix: string; suffixCode: number }
}

interface SymbolTable {
  codes: Map<string, number>
  values: string[]
}

/** One field's storage; `resize` swaps its arrays for larger ones. */
interface Slot<R> {
  name: keyof R
  kind: FieldKind
  numbers: NumericColumn
  strings: string[]
  ref: RefColumns
  id: IdColumns
  symbols: SymbolTable
}

const EMPTY_REF: RefColumns = {
  file: new Int32Array(0),
  start: new Float64Array(0),
  end: new Float64Array(0),
  pick: new Int32Array(0),
}

export class RecordTable<R extends object> {
  private size = 0
  private capacity = INITIAL_CAPACITY
  private readonly slots: Slot<R>[]
  private readonly byName = new Map<keyof R, Slot<R>>()
  private readonly idSlot: Slot<R> | undefined
  /** Open-addressing hash table of record positions by id (built on the first lookup). */
  private idIndex: Int32Array | null = null

  constructor(schema: Schema<R>) {
    this.slots = (Object.entries(schema) as [keyof R, FieldKind][]).map(([name, kind]) => {
      const slot: Slot<R> = {
        name,
        kind,
        numbers: newNumbers(kind, this.capacity),
        strings: [],
        ref: kind === 'ref' || kind === 'refn' ? newRef(this.capacity) : EMPTY_REF,
        id: {
          prefix: new Uint16Array(kind === 'id' ? this.capacity : 0),
          number: new Int32Array(kind === 'id' ? this.capacity : 0),
          suffix: new Uint16Array(kind === 'id' ? this.capacity : 0),
          others: new Map(),
          symbols: { codes: new Map(), values: [] },
          last: { prefix: '', prefixCode: -1, suffix: '', suffixCode: -1 },
        },
        symbols: { codes: new Map(), values: [] },
      }
      this.byName.set(name, slot)
      return slot
    })
    this.idSlot = this.slots.find((slot) => slot.kind === 'id')
  }

  get length(): number {
    return this.size
  }

  has(i: number): boolean {
    return i >= 0 && i < this.size
  }

  push(record: R): number {
    if (this.size === this.capacity) this.resize(this.capacity * 2)
    const i = this.size++
    this.idIndex = null
    for (let f = 0; f < this.slots.length; f++) {
      const slot = this.slots[f] as Slot<R>
      const value = record[slot.name] as unknown
      switch (slot.kind) {
        case 'id':
          writeId(slot.id, i, value as string)
          break
        case 'int':
        case 'bool':
          slot.numbers[i] = Number(value)
          break
        case 'num':
          slot.numbers[i] = value === null ? Number.NaN : (value as number)
          break
        case 'sym': {
          const code = value === null ? NO_SYMBOL : symbolCode(slot.symbols, value as string)
          if (value !== null && code === NO_SYMBOL)
            throw new Error(`too many distinct values for ${String(slot.name)}`)
          slot.numbers[i] = code
          break
        }
        case 'str':
          slot.strings.push(value as string)
          break
        case 'ref':
        case 'refn': {
          const ref = value as TextRef | null
          slot.ref.file[i] = ref === null ? -1 : ref.file
          slot.ref.start[i] = ref?.start ?? 0
          slot.ref.end[i] = ref?.end ?? 0
          slot.ref.pick[i] = ref?.pick ?? -1
          break
        }
      }
    }
    return i
  }

  /** Record `i` as a plain object (built on each call), or undefined out of range. */
  get(i: number): R | undefined {
    if (!this.has(i)) return undefined
    const out: Record<string, unknown> = {}
    for (const slot of this.slots) out[slot.name as string] = read(slot, i)
    return out as R
  }

  /** One field of record `i` without building the record; `i` must be in range (see `has`). */
  field<K extends keyof R>(name: K, i: number): R[K] {
    return read(this.slot(name), i) as R[K]
  }

  /** A numeric field as stored (NaN for null): the fastest read, for loops over every record. */
  num(name: keyof R, i: number): number {
    return this.slot(name).numbers[i] ?? Number.NaN
  }

  /** The records whose numeric field equals `value` (a scan of one column, then only those built). */
  where(name: keyof R, value: number): R[] {
    const column = this.slot(name).numbers
    const out: R[] = []
    for (let i = 0; i < this.size; i++) if (column[i] === value) out.push(this.get(i) as R)
    return out
  }

  *[Symbol.iterator](): IterableIterator<R> {
    for (let i = 0; i < this.size; i++) yield this.get(i) as R
  }

  /** Give back the spare capacity once every record is in (after indexing). */
  compact(): void {
    this.resize(Math.max(1, this.size))
  }

  /** Position of the record with this id (the table's `id` field), or undefined. */
  indexOf(id: string): number | undefined {
    const slot = this.idSlot
    if (slot === undefined) throw new Error('this table has no id field')
    this.idIndex ??= this.buildIdIndex(slot)
    const table = this.idIndex
    const mask = table.length - 1
    for (let at = mix32(fnv1a(id)) & mask; ; at = (at + 1) & mask) {
      const i = table[at] as number
      if (i < 0) return undefined
      if (read(slot, i) === id) return i
    }
  }

  private slot(name: keyof R): Slot<R> {
    const slot = this.byName.get(name)
    if (slot === undefined) throw new Error(`no field ${String(name)}`)
    return slot
  }

  private buildIdIndex(slot: Slot<R>): Int32Array {
    let size = 16
    while (size < this.size * 2) size *= 2
    const table = new Int32Array(size).fill(-1)
    const mask = size - 1
    // The first record with an id wins: readers already refuse a second one.
    for (let i = 0; i < this.size; i++) {
      let at = mix32(fnv1a(read(slot, i) as string)) & mask
      while (table[at] !== -1) at = (at + 1) & mask
      table[at] = i
    }
    return table
  }

  private resize(capacity: number): void {
    const keep = Math.min(this.size, capacity)
    const grow = <T extends NumericColumn>(a: T): T => {
      if (a.length === 0) return a
      const next = new (a.constructor as new (n: number) => T)(capacity)
      next.set(a.subarray(0, keep))
      return next
    }
    for (const slot of this.slots) {
      slot.numbers = grow(slot.numbers)
      if (slot.ref !== EMPTY_REF) {
        slot.ref = {
          file: grow(slot.ref.file),
          start: grow(slot.ref.start),
          end: grow(slot.ref.end),
          pick: grow(slot.ref.pick),
        }
      }
      slot.id.prefix = grow(slot.id.prefix)
      slot.id.number = grow(slot.id.number)
      slot.id.suffix = grow(slot.id.suffix)
    }
    this.capacity = capacity
  }
}

function newNumbers(kind: FieldKind, capacity: number): NumericColumn {
  switch (kind) {
    case 'int':
      return new Int32Array(capacity)
    case 'num':
      return new Float64Array(capacity)
    case 'bool':
      return new Uint8Array(capacity)
    case 'sym':
      return new Uint16Array(capacity)
    default:
      return new Uint8Array(0)
  }
}

function newRef(capacity: number): RefColumns {
  return {
    file: new Int32Array(capacity),
    start: new Float64Array(capacity),
    end: new Float64Array(capacity),
    pick: new Int32Array(capacity),
  }
}

function read<R>(slot: Slot<R>, i: number): unknown {
  switch (slot.kind) {
    case 'id': {
      const cols = slot.id
      const prefix = cols.prefix[i] as number
      if (prefix === NO_SYMBOL) return cols.others.get(i)
      const values = cols.symbols.values
      return `${values[prefix] ?? ''}${cols.number[i] as number}${values[cols.suffix[i] as number] ?? ''}`
    }
    case 'int':
      return slot.numbers[i]
    case 'bool':
      return slot.numbers[i] === 1
    case 'num': {
      const v = slot.numbers[i] as number
      return Number.isNaN(v) ? null : v
    }
    case 'sym': {
      const code = slot.numbers[i] as number
      return code === NO_SYMBOL ? null : (slot.symbols.values[code] ?? null)
    }
    case 'str':
      return slot.strings[i]
    case 'ref':
    case 'refn': {
      const file = slot.ref.file[i] as number
      if (file < 0) return null
      const ref: TextRef = { file, start: slot.ref.start[i] as number, end: slot.ref.end[i] as number }
      const pick = slot.ref.pick[i] as number
      if (pick >= 0) ref.pick = pick
      return ref
    }
  }
}

function writeId(cols: IdColumns, i: number, id: string): void {
  const parts = splitId(id)
  // Consecutive records mostly share their prefix and suffix: skip the symbol lookups then.
  const last = cols.last
  let prefix = -1
  let suffix = -1
  if (parts !== null) {
    if (parts.prefix !== last.prefix || last.prefixCode < 0) {
      last.prefix = parts.prefix
      last.prefixCode = symbolCode(cols.symbols, parts.prefix)
    }
    if (parts.suffix !== last.suffix || last.suffixCode < 0) {
      last.suffix = parts.suffix
      last.suffixCode = symbolCode(cols.symbols, parts.suffix)
    }
    prefix = last.prefixCode
    suffix = last.suffixCode
  }
  if (parts === null || prefix === NO_SYMBOL || suffix === NO_SYMBOL) {
    // Ids without a shared shape (no digits, or too many distinct prefixes: hashes) stay strings.
    cols.prefix[i] = NO_SYMBOL
    cols.others.set(i, id)
    return
  }
  cols.prefix[i] = prefix
  cols.number[i] = parts.number
  cols.suffix[i] = suffix
}

/**
 * An id as a prefix, a number and a digit-free suffix, such that printing them back gives the id
 * exactly: the number has no leading zero (those stay in the prefix) and at most nine digits.
 * Null when the id has no digit. Written as a loop: it runs once per record while indexing.
 */
export function splitId(id: string): { prefix: string; number: number; suffix: string } | null {
  let end = id.length
  while (end > 0 && !isDigit(id.charCodeAt(end - 1))) end--
  if (end === 0) return null
  let start = end
  while (start > 0 && end - start < MAX_ID_DIGITS && isDigit(id.charCodeAt(start - 1))) start--
  while (start < end - 1 && id.charCodeAt(start) === 48) start++
  return { prefix: id.slice(0, start), number: Number(id.slice(start, end)), suffix: id.slice(end) }
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57
}

/** The value's code in a symbol table, adding it if there is room; NO_SYMBOL when it is full. */
function symbolCode(table: SymbolTable, value: string): number {
  let code = table.codes.get(value)
  if (code === undefined) {
    code = table.values.length
    if (code >= NO_SYMBOL) return NO_SYMBOL
    table.values.push(value)
    table.codes.set(value, code)
  }
  return code
}
