// Response embeddings kept in the workspace, one folder per judge model: each batch the judge
// host returns is written as `part-N.f32` (the vectors, back to back) and then `part-N.json` (the
// response ids, the width and how they were made), so a part is only read once both are whole.
// A cancelled or crashed embedding keeps every part written; the next run embeds only the rest.
import { mkdir, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from '../export/output-path'

/** Bump when the text a response is embedded from changes (see JudgeEngine.responseSequence). */
const EMBEDDING_VERSION = 1

interface PartIndex {
  version: number
  kind: string
  dim: number
  keys: string[]
}

export class EmbeddingCache {
  private readonly vectors = new Map<string, Float32Array>()
  private kindSeen: string | null = null
  private dimSeen: number | null = null
  private parts = 0
  /** Parts that could not be read (their responses are embedded again). */
  readonly problems: string[] = []

  private constructor(readonly dir: string) {}

  static folderFor(workspaceDir: string, judge: string): string {
    const slug = judge.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120)
    return join(workspaceDir, 'embeddings', `${slug}.v${EMBEDDING_VERSION}`)
  }

  static async open(dir: string): Promise<EmbeddingCache> {
    const cache = new EmbeddingCache(dir)
    let names: string[] = []
    try {
      names = await readdir(dir)
    } catch {
      return cache
    }
    // New parts are numbered past every file there, a vectors file left without its index included.
    for (const name of names) {
      const n = /^part-(\d+)\.(json|f32)$/.exec(name)?.[1]
      if (n !== undefined) cache.parts = Math.max(cache.parts, Number(n))
    }
    for (const name of names.filter((n) => /^part-\d+\.json$/.test(n)).sort()) {
      try {
        const index = JSON.parse(await readFile(join(dir, name), 'utf8')) as PartIndex
        const bytes = await readFile(join(dir, name.replace(/\.json$/, '.f32')))
        if (index.version !== EMBEDDING_VERSION || !Array.isArray(index.keys)) continue
        if (bytes.byteLength !== index.keys.length * index.dim * 4)
          throw new Error(`holds ${bytes.byteLength} bytes, not ${index.keys.length} × ${index.dim} floats`)
        const all = new Float32Array(
          bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
        )
        if (cache.dimSeen !== null && index.dim !== cache.dimSeen)
          throw new Error(`is ${index.dim} wide where earlier parts are ${cache.dimSeen}`)
        cache.dimSeen = index.dim
        cache.kindSeen = index.kind
        index.keys.forEach((k, i) => cache.vectors.set(k, all.subarray(i * index.dim, (i + 1) * index.dim)))
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
    return this.vectors.has(key)
  }

  get size(): number {
    return this.vectors.size
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
    const name = `part-${String(++this.parts).padStart(6, '0')}`
    await writeFileAtomic(join(this.dir, `${name}.f32`), new Uint8Array(data.buffer))
    const index: PartIndex = { version: EMBEDDING_VERSION, kind, dim, keys: entries.map((e) => e.key) }
    await writeFileAtomic(join(this.dir, `${name}.json`), JSON.stringify(index))
    this.dimSeen = dim
    this.kindSeen = kind
    entries.forEach((e, i) => this.vectors.set(e.key, data.subarray(i * dim, (i + 1) * dim)))
  }
}
