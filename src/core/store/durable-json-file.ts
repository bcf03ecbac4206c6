// A lowdb adapter that does not lose acknowledged writes: the new document goes to a temporary
// file, is fsynced, renamed over the old one, and the folder is fsynced so the rename itself
// survives a crash. A document that no longer parses is never silently replaced: it is copied
// beside itself and reported.
import { copyFile, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Adapter } from 'lowdb'

export class CorruptStoreError extends Error {
  constructor(
    readonly file: string,
    readonly backup: string,
    reason: string
  ) {
    super(`${file} is damaged (${reason}); a copy was kept at ${backup} and the file was left as it was`)
    this.name = 'CorruptStoreError'
  }
}

let tempCounter = 0

export class DurableJsonFile<T> implements Adapter<T> {
  constructor(readonly file: string) {}

  async read(): Promise<T | null> {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw error
    }
    try {
      return JSON.parse(text) as T
    } catch (error) {
      const backup = `${this.file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`
      await copyFile(this.file, backup)
      throw new CorruptStoreError(this.file, backup, (error as Error).message)
    }
  }

  async write(data: T): Promise<void> {
    const dir = dirname(this.file)
    const created = await mkdir(dir, { recursive: true })
    if (created !== undefined) await syncCreated(created, dir)
    const temp = join(dir, `.${basename(this.file)}.${process.pid}.${++tempCounter}.tmp`)
    try {
      const handle = await open(temp, 'w')
      try {
        await handle.writeFile(JSON.stringify(data))
        await handle.sync()
      } finally {
        await handle.close()
      }
      await rename(temp, this.file)
    } catch (error) {
      await rm(temp, { force: true })
      throw error
    }
    await syncFolder(dir)
  }
}

/**
 * Folders `mkdir` just made (from `first` down to `last`) exist durably only once each one's
 * entry in its parent is synced: sync every parent, from the top.
 */
async function syncCreated(first: string, last: string): Promise<void> {
  const parents: string[] = []
  for (let dir = last; ; dir = dirname(dir)) {
    parents.push(dirname(dir))
    if (dir === first || dirname(dir) === dir) break
  }
  for (const dir of parents.reverse()) await syncFolder(dir)
}

/** Make a rename in `dir` durable (a no-op where folders cannot be opened, e.g. Windows). */
export async function syncFolder(dir: string): Promise<void> {
  let handle
  try {
    handle = await open(dir, 'r')
  } catch {
    return
  }
  try {
    await handle.sync()
  } catch {
    // Some file systems refuse fsync on a folder; the rename is as durable as they allow.
  } finally {
    await handle.close()
  }
}

/**
 * Every document in `dir` (one JSON file each, as the workspace keeps queues and curated sets),
 * without its `schemaVersion`; none when the folder does not exist yet. A document written by a
 * newer workbench fails loudly rather than being read wrong.
 */
export async function readVersionedDocs<T>(dir: string, schemaVersion: number): Promise<T[]> {
  let files: string[] = []
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json') && !f.startsWith('.'))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  const out: T[] = []
  for (const file of files) {
    const doc = await new DurableJsonFile<T & { schemaVersion: number }>(join(dir, file)).read()
    if (doc === null) continue
    if (doc.schemaVersion > schemaVersion)
      throw new Error(
        `${join(dir, file)} was written by a newer workbench (schema ${doc.schemaVersion}; this one reads up to ${schemaVersion})`
      )
    const { schemaVersion: _version, ...rest } = doc
    out.push(rest as T)
  }
  return out
}
