// Where an export may be written, and writing it so that nothing half-written is ever left under
// the name asked for. An output is refused when it names a `..` segment, when it resolves (links
// followed) inside the run folder (exports never mix with the run they describe), or when it
// exists and `force` was not given. Files are written to a temporary sibling, fsynced and renamed;
// folders are built beside the target and renamed into place, the old one moved aside first.
import { lstat, mkdir, open, realpath, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { syncFolder } from '../store/durable-json-file'

export class OutputRefused extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'OutputRefused'
  }
}

/** The real path of `path`, following links through its deepest existing ancestor. */
async function realTarget(path: string): Promise<string> {
  const rest: string[] = []
  let at = path
  for (;;) {
    try {
      return join(await realpath(at), ...rest.reverse())
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      const parent = dirname(at)
      if (parent === at) return path
      rest.push(basename(at))
      at = parent
    }
  }
}

const inside = (child: string, parent: string): boolean => {
  const r = relative(parent, child)
  return r === '' || (!r.startsWith('..') && !isAbsolute(r))
}

/**
 * Checks an output path for an export of `kind` and returns it absolute. `runRoot` is the run's
 * folder (or its file, for single-file runs: then the file's folder counts).
 */
export async function checkOutput(
  out: string,
  runRoot: string,
  options: { kind: 'file' | 'folder'; force: boolean }
): Promise<string> {
  if (out.trim() === '') throw new OutputRefused('no output path was given')
  if (out.split(/[\\/]+/).includes('..'))
    throw new OutputRefused(`the output path ${out} contains "..": give it without parent-folder steps`)
  const target = resolve(out)
  const runStat = await stat(runRoot).catch(() => null)
  const runFolder = await realTarget(runStat?.isFile() === true ? dirname(runRoot) : runRoot)
  const real = await realTarget(target)
  if (inside(real, runFolder))
    throw new OutputRefused(
      `${out} is inside the run folder ${runFolder}; exports are written outside the run`
    )
  const existing = await lstat(target).catch(() => null)
  if (existing !== null) {
    if (!options.force) throw new OutputRefused(`${out} already exists; pass --force to replace it`)
    if (options.kind === 'file' && existing.isDirectory())
      throw new OutputRefused(`${out} is a folder; this export writes a file`)
    if (options.kind === 'folder' && !existing.isDirectory())
      throw new OutputRefused(`${out} is a file; this export writes a folder`)
  }
  return target
}

let counter = 0
const tempName = (target: string): string =>
  join(dirname(target), `.${basename(target)}.${process.pid}.${++counter}.tmp`)

async function writeSynced(path: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(path, 'w')
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Writes a file atomically: a temporary sibling, fsynced, renamed over the target. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(target), { recursive: true })
  const temp = tempName(target)
  try {
    await writeSynced(temp, data)
    await rename(temp, target)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
  await syncFolder(dirname(target))
}

/** Writes a folder of files atomically: built beside the target, then renamed into its place. */
export async function writeFolderAtomic(
  target: string,
  files: readonly { path: string; data: string | Uint8Array }[]
): Promise<void> {
  await mkdir(dirname(target), { recursive: true })
  const temp = tempName(target)
  const old = `${temp}.old`
  try {
    for (const f of files) {
      const path = join(temp, ...f.path.split('/'))
      if (!inside(path, temp) || path === temp) throw new Error(`bad file name in an export: ${f.path}`)
      await mkdir(dirname(path), { recursive: true })
      await writeSynced(path, f.data)
    }
    for (const folder of new Set(files.map((f) => dirname(join(temp, ...f.path.split('/'))))))
      await syncFolder(folder)
    const had = await stat(target).catch(() => null)
    if (had !== null) await rename(target, old)
    await rename(temp, target)
    await syncFolder(dirname(target))
    if (had !== null) await rm(old, { recursive: true, force: true })
  } catch (error) {
    await rm(temp, { recursive: true, force: true })
    // A failure between moving the old folder aside and renaming the new one: put the old back.
    if ((await stat(target).catch(() => null)) === null && (await stat(old).catch(() => null)) !== null)
      await rename(old, target)
    throw error
  }
}
