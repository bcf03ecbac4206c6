// Human annotations of a run, kept in its workspace. Each annotator's labels are spread over
// SHARDS small documents by a hash of the pair id, so saving one label rewrites a few kilobytes,
// not every label ever made (lowdb rewrites a whole document on each write). Every document is
// written durably (durable-json-file.ts): `save` resolves only once the label is on disk.
import { readdir } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { Low } from 'lowdb'
import { annotatorProblem, type Annotation, type LabelValue } from '../../shared/annotation'
import { fnv1a, mix32 } from '../../shared/hash'
import { DurableJsonFile } from '../store/durable-json-file'

export const ANNOTATION_SCHEMA_VERSION = 1
export const SHARDS = 64

/** What a shard stores per pair (the pair id is the key, the annotator the document's). */
type Stored = Omit<Annotation, 'pairId' | 'annotator'>

interface ShardDoc {
  schemaVersion: number
  annotator: string
  annotations: Record<string, Stored>
}

/**
 * Upgrades from older schema versions, by the version they upgrade from. Version 1 is the first;
 * a document without a version predates versioning and holds the same fields.
 */
const MIGRATIONS: Record<number, (doc: ShardDoc) => ShardDoc> = {
  0: (doc) => ({ ...doc, schemaVersion: 1 }),
}

export class StoreVersionError extends Error {}

class Shard {
  private queue: Promise<void> = Promise.resolve()

  constructor(
    readonly db: Low<ShardDoc>,
    readonly file: string
  ) {}

  get annotations(): Record<string, Stored> {
    return this.db.data.annotations
  }

  /**
   * Change the document and write it, one change after another (two renames over one file must
   * not interleave). The document is read again first, so labels another process (the CLI beside
   * the app) wrote in the meantime are kept; memory takes the change only once it is on disk.
   */
  update(change: (annotations: Record<string, Stored>) => void): Promise<void> {
    const next = this.queue.then(async () => {
      const before = this.db.data
      try {
        await this.db.read()
        const fresh = normalize(this.db.data, this.file)
        const annotations = nullPrototype(fresh.annotations)
        change(annotations)
        this.db.data = { ...fresh, annotations }
        await this.db.write()
      } catch (error) {
        // Reading, checking or writing failed: memory keeps what was last known to be on disk.
        this.db.data = before
        throw error
      }
    })
    this.queue = next.catch(() => {})
    return next
  }
}

export class AnnotationStore {
  private readonly shards = new Map<string, Shard>()
  /** Bumped on every change, so caches that depend on labels can tell they are stale. */
  version = 0
  private readonly listeners = new Set<(pairIds: readonly string[]) => void>()

  private constructor(readonly dir: string) {}

  /** Open (or start) the store in `workspaceDir`; a damaged document fails the open, loudly. */
  static async open(workspaceDir: string): Promise<AnnotationStore> {
    const store = new AnnotationStore(join(workspaceDir, 'annotations'))
    let folders: string[] = []
    try {
      folders = (await readdir(store.dir, { withFileTypes: true }))
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    for (const folder of folders) {
      const files = (await readdir(join(store.dir, folder))).filter((f) => /^\d+\.json$/.test(f))
      for (const file of files) await store.load(join(store.dir, folder, file))
    }
    return store
  }

  /** Save (or replace) an annotator's label for a pair; resolves once it is durable. */
  async save(annotation: Annotation): Promise<void> {
    const problem = annotatorProblem(annotation.annotator)
    if (problem !== null) throw new Error(problem)
    const shard = await this.shardFor(annotation.annotator, annotation.pairId)
    const { pairId, annotator: _annotator, ...stored } = annotation
    await shard.update((annotations) => (annotations[pairId] = stored))
    this.changed([pairId])
  }

  /**
   * Save many labels at once (an import): each touched document is written once, at the end.
   * Resolves when all of them are durable.
   */
  async saveMany(annotations: readonly Annotation[]): Promise<void> {
    for (const annotation of annotations) {
      const problem = annotatorProblem(annotation.annotator)
      if (problem !== null) throw new Error(problem)
    }
    const byShard = new Map<Shard, Annotation[]>()
    for (const annotation of annotations) {
      const shard = await this.shardFor(annotation.annotator, annotation.pairId)
      byShard.set(shard, [...(byShard.get(shard) ?? []), annotation])
    }
    await Promise.all(
      [...byShard].map(([shard, list]) =>
        shard.update((stored) => {
          for (const { pairId, annotator: _annotator, ...rest } of list) stored[pairId] = rest
        })
      )
    )
    this.changed([...new Set(annotations.map((a) => a.pairId))])
  }

  /** Remove an annotator's label for a pair (undo); returns what was removed. */
  async remove(pairId: string, annotator: string): Promise<Annotation | null> {
    const shard = this.shards.get(shardKey(annotator, pairId))
    if (shard === undefined) return null
    let removed: Stored | undefined
    await shard.update((annotations) => {
      removed = own(annotations, pairId)
      delete annotations[pairId]
    })
    if (removed === undefined) return null
    this.changed([pairId])
    return { pairId, annotator, ...withDefaults(removed) }
  }

  /** Calls `listener` with the pairs whose labels changed, after every durable change. */
  onChange(listener: (pairIds: readonly string[]) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private changed(pairIds: readonly string[]): void {
    this.version++
    for (const listener of this.listeners) listener(pairIds)
  }

  /** Every annotator's label on a pair. */
  forPair(pairId: string): Annotation[] {
    return this.annotators()
      .map((annotator) => this.get(pairId, annotator))
      .filter((a): a is Annotation => a !== null)
  }

  get(pairId: string, annotator: string): Annotation | null {
    const shard = this.shards.get(shardKey(annotator, pairId))
    const stored = shard === undefined ? undefined : own(shard.annotations, pairId)
    return stored === undefined ? null : { pairId, annotator, ...withDefaults(stored) }
  }

  /** Every annotation, by annotator then time. */
  list(): Annotation[] {
    const out: Annotation[] = []
    for (const shard of this.shards.values()) {
      const { annotator, annotations } = shard.db.data
      for (const [pairId, stored] of Object.entries(annotations))
        out.push({ pairId, annotator, ...withDefaults(stored) })
    }
    return out.sort((a, b) =>
      a.annotator < b.annotator ? -1 : a.annotator > b.annotator ? 1 : a.time < b.time ? -1 : 1
    )
  }

  annotators(): string[] {
    return [...new Set([...this.shards.values()].map((s) => s.db.data.annotator))].sort()
  }

  /** Pairs that carry any annotator's label other than skip. */
  labelledPairs(): Set<string> {
    const out = new Set<string>()
    for (const shard of this.shards.values())
      for (const [pairId, stored] of Object.entries(shard.db.data.annotations))
        if (stored.label !== ('skip' satisfies LabelValue)) out.add(pairId)
    return out
  }

  private async shardFor(annotator: string, pairId: string): Promise<Shard> {
    const key = shardKey(annotator, pairId)
    const known = this.shards.get(key)
    if (known !== undefined) return known
    const file = join(this.dir, folderName(annotator), `${bucket(pairId)}.json`)
    const db = new Low<ShardDoc>(new DurableJsonFile<ShardDoc>(file), emptyDoc(annotator))
    const shard = new Shard(db, file)
    this.shards.set(key, shard)
    return shard
  }

  private async load(file: string): Promise<void> {
    const db = new Low<ShardDoc>(new DurableJsonFile<ShardDoc>(file), emptyDoc(''))
    await db.read()
    const version = typeof db.data.schemaVersion === 'number' ? db.data.schemaVersion : 0
    db.data = normalize(db.data, file)
    const shard = new Shard(db, file)
    // An upgraded document is written back in its new form (the update re-reads and upgrades).
    if (version < ANNOTATION_SCHEMA_VERSION) await shard.update(() => {})
    this.shards.set(`${db.data.annotator}\n${Number(basename(file, '.json'))}`, shard)
  }
}

function emptyDoc(annotator: string): ShardDoc {
  return {
    schemaVersion: ANNOTATION_SCHEMA_VERSION,
    annotator,
    annotations: Object.create(null) as Record<string, Stored>,
  }
}

/** A document as read from disk, checked and upgraded to the current schema. */
function normalize(doc: ShardDoc, file: string): ShardDoc {
  if (typeof doc.annotator !== 'string' || typeof doc.annotations !== 'object' || doc.annotations === null)
    throw new Error(`${file} is not an annotation document (no annotator or annotations)`)
  const version = typeof doc.schemaVersion === 'number' ? doc.schemaVersion : 0
  if (version > ANNOTATION_SCHEMA_VERSION)
    throw new StoreVersionError(
      `${file} was written by a newer workbench (schema ${version}; this one reads up to ${ANNOTATION_SCHEMA_VERSION})`
    )
  let migrated = doc
  for (let v = version; v < ANNOTATION_SCHEMA_VERSION; v++) {
    const step = MIGRATIONS[v]
    if (step === undefined) throw new StoreVersionError(`${file}: no upgrade from schema ${v}`)
    migrated = step(migrated)
  }
  return { ...migrated, annotations: nullPrototype(migrated.annotations) }
}

/**
 * Pair ids are keys: on a plain object "constructor" would find Object.prototype's and
 * "__proto__" would set the prototype instead of a label. A null-prototype object has neither.
 */
function nullPrototype(annotations: Record<string, Stored>): Record<string, Stored> {
  return Object.assign(Object.create(null) as Record<string, Stored>, annotations)
}

function own(annotations: Record<string, Stored>, pairId: string): Stored | undefined {
  return Object.hasOwn(annotations, pairId) ? annotations[pairId] : undefined
}

/** Fields added after schema 1 was written, with the value they stand for when absent. */
function withDefaults(stored: Stored): Stored {
  return { ...stored, criterionFlags: stored.criterionFlags ?? {} }
}

function bucket(pairId: string): number {
  return mix32(fnv1a(pairId)) % SHARDS
}

function shardKey(annotator: string, pairId: string): string {
  return `${annotator}\n${bucket(pairId)}`
}

/**
 * A folder name for an annotator: a readable prefix of the name (lower-case letters, digits, `_`
 * and `-` only) and a hash of the whole name, so that it is short enough for every file system,
 * distinct for distinct names (case-insensitive file systems included), and never `.`, `..` or a
 * name Windows would trim (the name itself is stored in each document).
 */
function folderName(annotator: string): string {
  const readable = Array.from(annotator.toLowerCase())
    .filter((ch) => /[a-z0-9_-]/.test(ch))
    .join('')
    .slice(0, 24)
  const hash = mix32(fnv1a(annotator)).toString(16).padStart(8, '0')
  return `annotator-${readable}-${hash}`
}
