// Response embeddings kept in the workspace, one folder per judge model: each batch the judge
// host returns is written as `part-*.f32` (the vectors, back to back) and then `part-*.json` (the
// response ids, the width and how they were made), so a part is only read once both are whole.
// A cancelled or crashed embedding keeps every part written; the next run embeds only the rest.
import { createHash, randomUUID } from 'node:crypto'
import { mkdir, readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from '../export/output-path'

/** Bump when the text a response is embedded from changes (see JudgeEngine.responseSequence). */
const EMBEDDING_VERSION = 2

interface PartIndex {
  version: number
  kind: string
  dim: number
  keys: string[]
}

export class EmbeddingCache {
  /** Which responses are embedded (always known), and their vectors (unless opened without). */
  private readonly keys = new Set<string>()
  private readonly vectors = new Map<string, Float32Array>()
  private kindSeen: string | null = null
  private dimSeen: number | null = null
  /** Parts that could not be read (their responses are embedded again). */
  readonly problems: string[] = []

  private constructor(
    readonly dir: string,
    private readonly withVectors: boolean
  ) {}

  static folderFor(workspaceDir: string, judge: string): string {
    // A readable start, and a hash of the whole id so that long names cannot collide.
    const slug = judge.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80)
    const hash = createHash('sha256').update(judge).digest('hex').slice(0, 10)
    return join(workspaceDir, 'embeddings', `${slug}-${hash}.v${EMBEDDING_VERSION}`)
  }

  /**
   * Reads the parts there. `vectors: false` reads which responses are embedded but not their
   * vectors (a run's worth can take gigabytes): enough to know what is left to embed.
   */
  static async open(dir: string, options: { vectors: boolean } = { vectors: true }): Promise<EmbeddingCache> {
    const cache = new EmbeddingCache(dir, options.vectors)
    let names: string[] = []
    try {
      names = await readdir(dir)
    } catch {
      return cache
    }
    for (const name of names.filter((n) => /^part-[\w-]+\.json$/.test(n)).sort()) {
      try {
        const index = JSON.parse(await readFile(join(dir, name), 'utf8')) as PartIndex
        if (index.version !== EMBEDDING_VERSION || !Array.isArray(index.keys)) continue
        const vectorsFile = join(dir, name.replace(/\.json$/, '.f32'))
        const expected = index.keys.length * index.dim * 4
        const bytes = options.vectors ? await readFile(vectorsFile) : null
        const length = bytes?.byteLength ?? (await stat(vectorsFile)).size
        if (length !== expected)
          throw new Error(`holds ${length} bytes, not ${index.keys.length} × ${index.dim} floats`)
        if (cache.dimSeen !== null && index.dim !== cache.dimSeen)
          throw new Error(`is ${index.dim} wide where earlier parts are ${cache.dimSeen}`)
        cache.dimSeen = index.dim
        cache.kindSeen = index.kind
        for (const k of index.keys) cache.keys.add(k)
        if (bytes !== null) {
          const all = new Float32Array(
            bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
          )
          index.keys.forEach((k, i) => cache.vectors.set(k, all.subarray(i * index.dim, (i + 1) * index.dim)))
        }
      } catch (error) {
        cache.problems.push(`${join(dir, name)} ${(error as Error).message}`)
      }
    }
    return cache
  }

  get(key: string): Float32Array | undefined {
    return this.vectors.get(key)
  }

  has(key: string): boolean {
    return this.keys.has(key)
  }

  get size(): number {
    return this.keys.size
  }

  get kind(): string | null {
    return this.kindSeen
  }

  get dim(): number | null {
    return this.dimSeen
  }

  /** Writes one part and keeps its vectors. */
  async add(entries: readonly { key: string; vector: Float32Array }[], kind: string): Promise<void> {
    if (entries.length === 0) return
    const dim = (entries[0] as { vector: Float32Array }).vector.length
    if (this.dimSeen !== null && dim !== this.dimSeen)
      throw new Error(`an embedding ${dim} wide does not fit the cache in ${this.dir} (${this.dimSeen} wide)`)
    await mkdir(this.dir, { recursive: true })
    const data = new Float32Array(entries.length * dim)
    entries.forEach((e, i) => data.set(e.vector, i * dim))
    // Named by time and a random tail: two processes embedding into one workspace (the app and the
    // CLI) never write the same part, and names still sort in the order parts were written.
    const name = `part-${Date.now().toString(36).padStart(9, '0')}-${randomUUID().slice(0, 8)}`
    await writeFileAtomic(join(this.dir, `${name}.f32`), new Uint8Array(data.buffer))
    const index: PartIndex = { version: EMBEDDING_VERSION, kind, dim, keys: entries.map((e) => e.key) }
    await writeFileAtomic(join(this.dir, `${name}.json`), JSON.stringify(index))
    this.dimSeen = dim
    this.kindSeen = kind
    for (const e of entries) this.keys.add(e.key)
    if (this.withVectors)
      entries.forEach((e, i) => this.vectors.set(e.key, data.subarray(i * dim, (i + 1) * dim)))
  }
}
