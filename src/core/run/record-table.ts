// Records stored as columns: one typed array per numeric field, one array per string field. A run
// with a million responses then costs tens of bytes per record instead of a JavaScript object, a
// nested text reference and their headers each (about 180 bytes). Readers still add plain
// records, views still get plain records back (`get`), and hot loops read single fields without
// building any object (`num`, `str`).
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
  symbols: { codes: Map<string, number>; values: string[] }
}

export class RecordTable<R extends object> {
  private size = 0
  private capacity = INITIAL_CAPACITY
  private readonly numeric = new Map<keyof R, NumericColumn>()
  private readonly strings = new Map<keyof R, string[]>()
  private readonly refs = new Map<keyof R, RefColumns>()
  private readonly symbols = new Map<keyof R, { codes: Map<string, number>; values: string[] }>()
  private readonly ids = new Map<keyof R, IdColumns>()
  private readonly fields: [keyof R, FieldKind][]
  /** Open-addressing hash table of record positions by id (built on the first lookup). */
  private idSlots: Int32Array | null = null

  constructor(private readonly schema: Schema<R>) {
    this.fields = Object.entries(schema) as [keyof R, FieldKind][]
    for (const [name, kind] of this.fields) {
      switch (kind) {
        case 'id':
          this.ids.set(name, {
            prefix: new Uint16Array(this.capacity),
            number: new Int32Array(this.capacity),
            suffix: new Uint16Array(this.capacity),
            others: new Map(),
            symbols: { codes: new Map(), values: [] },
          })
          break
        case 'int':
          this.numeric.set(name, new Int32Array(this.capacity))
          break
        case 'num':
          this.numeric.set(name, new Float64Array(this.capacity))
          break
        case 'bool':
          this.numeric.set(name, new Uint8Array(this.capacity))
          break
        case 'sym':
          this.numeric.set(name, new Uint16Array(this.capacity))
          this.symbols.set(name, { codes: new Map(), values: [] })
          break
        case 'str':
          this.strings.set(name, [])
          break
        case 'ref':
        case 'refn':
          this.refs.set(name, {
            file: new Int32Array(this.capacity),
            start: new Float64Array(this.capacity),
            end: new Float64Array(this.capacity),
            pick: new Int32Array(this.capacity),
          })
          break
      }
    }
  }

  get length(): number {
    return this.size
  }

  push(record: R): number {
    if (this.size === this.capacity) this.resize(this.capacity * 2)
    const i = this.size++
    this.idSlots = null
    for (const [name, kind] of this.fields) {
      const value = record[name] as unknown
      switch (kind) {
        case 'id':
          this.writeId(this.ids.get(name) as IdColumns, i, value as string)
          break
        case 'int':
        case 'bool':
          ;(this.numeric.get(name) as NumericColumn)[i] = Number(value)
          break
        case 'num':
          ;(this.numeric.get(name) as NumericColumn)[i] = value === null ? Number.NaN : (value as number)
          break
        case 'sym':
          ;(this.numeric.get(name) as NumericColumn)[i] =
            value === null ? NO_SYMBOL : this.code(name, value as string)
          break
        case 'str':
          ;(this.strings.get(name) as string[]).push(value as string)
          break
        case 'ref':
        case 'refn': {
          const cols = this.refs.get(name) as RefColumns
          const ref = value as TextRef | null
          cols.file[i] = ref === null ? -1 : ref.file
          cols.start[i] = ref?.start ?? 0
          cols.end[i] = ref?.end ?? 0
          cols.pick[i] = ref?.pick ?? -1
          break
        }
      }
    }
    return i
  }

  has(i: number): boolean {
    return i >= 0 && i < this.size
  }

  /** Record `i` as a plain object (built on each call), or undefined out of range. */
  get(i: number): R | undefined {
    if (!this.has(i)) return undefined
    const out: Record<string, unknown> = {}
    for (const [name] of this.fields) out[name as string] = this.read(name, i)
    return out as R
  }

  /** One field of record `i` without building the record; `i` must be in range (see `has`). */
  field<K extends keyof R>(name: K, i: number): R[K] {
    return this.read(name, i) as R[K]
  }

  /** A numeric field as stored (NaN for null): the fastest read, for loops over every record. */
  num(name: keyof R, i: number): number {
    return (this.numeric.get(name) as NumericColumn)[i] ?? Number.NaN
  }

  /** The records whose numeric field equals `value` (a scan of one column, then only those built). */
  where(name: keyof R, value: number): R[] {
    const column = this.numeric.get(name) as NumericColumn
    const out: R[] = []
    for (let i = 0; i < this.size; i++) if (column[i] === value) out.push(this.get(i) as R)
    return out
  }

  forEach(visit: (record: R, i: number) => void): void {
    for (let i = 0; i < this.size; i++) visit(this.get(i) as R, i)
  }

  *[Symbol.iterator](): IterableIterator<R> {
    for (let i = 0; i < this.size; i++) yield this.get(i) as R
  }

  /** Give back the spare capacity once every record is in (after indexing). */
  compact(): void {
    this.resize(Math.max(1, this.size))
  }

  private read(name: keyof R, i: number): unknown {
    const kind = this.schema[name]
    switch (kind) {
      case 'id': {
        const cols = this.ids.get(name) as IdColumns
        const prefix = cols.prefix[i] as number
        if (prefix === NO_SYMBOL) return cols.others.get(i)
        const values = cols.symbols.values
        return `${values[prefix] ?? ''}${cols.number[i] as number}${values[cols.suffix[i] as number] ?? ''}`
      }
      case 'int':
        return (this.numeric.get(name) as NumericColumn)[i]
      case 'bool':
        return (this.numeric.get(name) as NumericColumn)[i] === 1
      case 'num': {
        const v = (this.numeric.get(name) as NumericColumn)[i] as number
        return Number.isNaN(v) ? null : v
      }
      case 'sym': {
        const code = (this.numeric.get(name) as NumericColumn)[i] as number
        return code === NO_SYMBOL ? null : (this.symbols.get(name)?.values[code] ?? null)
      }
      case 'str':
        return (this.strings.get(name) as string[])[i]
      case 'ref':
      case 'refn': {
        const cols = this.refs.get(name) as RefColumns
        const file = cols.file[i] as number
        if (file < 0) return null
        const ref: TextRef = { file, start: cols.start[i] as number, end: cols.end[i] as number }
        const pick = cols.pick[i] as number
        if (pick >= 0) ref.pick = pick
        return ref
      }
    }
  }

  /** Position of the record with this id (the table's `id` field), or undefined. */
  indexOf(id: string): number | undefined {
    const field = this.fields.find(([, kind]) => kind === 'id')?.[0]
    if (field === undefined) throw new Error('this table has no id field')
    this.idSlots ??= this.buildIdSlots(field)
    const slots = this.idSlots
    const mask = slots.length - 1
    for (let slot = hashString(id) & mask; ; slot = (slot + 1) & mask) {
      const at = slots[slot] as number
      if (at < 0) return undefined
      if (this.read(field, at) === id) return at
    }
  }

  private buildIdSlots(field: keyof R): Int32Array {
    let size = 16
    while (size < this.size * 2) size *= 2
    const slots = new Int32Array(size).fill(-1)
    const mask = size - 1
    // Later duplicates never win: readers already refuse a second record with a taken id.
    for (let i = 0; i < this.size; i++) {
      let slot = hashString(this.read(field, i) as string) & mask
      while (slots[slot] !== -1) slot = (slot + 1) & mask
      slots[slot] = i
    }
    return slots
  }

  private writeId(cols: IdColumns, i: number, id: string): void {
    const parts = splitId(id)
    if (parts === null) {
      cols.prefix[i] = NO_SYMBOL
      cols.others.set(i, id)
      return
    }
    const prefix = symbolCode(cols.symbols, parts.prefix)
    const suffix = symbolCode(cols.symbols, parts.suffix)
    if (prefix === NO_SYMBOL || suffix === NO_SYMBOL) {
      // Ids without a shared shape (hashes): as strings.
      cols.prefix[i] = NO_SYMBOL
      cols.others.set(i, id)
      return
    }
    cols.prefix[i] = prefix
    cols.number[i] = parts.number
    cols.suffix[i] = suffix
  }

  private code(name: keyof R, value: string): number {
    const code = symbolCode(this.symbols.get(name) as { codes: Map<string, number>; values: string[] }, value)
    if (code === NO_SYMBOL) throw new Error(`too many distinct values for ${String(name)}`)
    return code
  }

  private resize(capacity: number): void {
    const grow = <T extends NumericColumn>(a: T): T => {
      const next = new (a.constructor as new (n: number) => T)(capacity)
      next.set(a.subarray(0, Math.min(this.size, capacity)))
      return next
    }
    for (const [name, column] of this.numeric) this.numeric.set(name, grow(column))
    for (const cols of this.ids.values()) {
      cols.prefix = grow(cols.prefix)
      cols.number = grow(cols.number)
      cols.suffix = grow(cols.suffix)
    }
    for (const [name, cols] of this.refs) {
      this.refs.set(name, {
        file: grow(cols.file),
        start: grow(cols.start),
        end: grow(cols.end),
        pick: grow(cols.pick),
      })
    }
    this.capacity = capacity
  }
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
function symbolCode(table: { codes: Map<string, number>; values: string[] }, value: string): number {
  let code = table.codes.get(value)
  if (code === undefined) {
    code = table.values.length
    if (code >= NO_SYMBOL) return NO_SYMBOL
    table.values.push(value)
    table.codes.set(value, code)
  }
  return code
}

/** FNV-1a over UTF-16 code units: cheap and well spread for short ids. */
function hashString(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}
