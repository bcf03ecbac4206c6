// Model folders from a Hugging Face Hub (or a mirror): listed from the hub's model API, each
// file fetched from `{hub}/{repo}/resolve/{revision}/{path}` into a local cache, resumed with HTTP
// Range after a cut, and checked against the size and hash the hub gives (sha256 for LFS files,
// the git blob id otherwise). Afterwards the folder is used offline like any other. Nothing here
// runs unless the user asks for a download.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, join, resolve, sep } from 'node:path'
import { Minimatch } from 'minimatch'
import { z } from 'zod'
import type { CachedModelInfo } from '../../shared/models'
import { appDataDir } from '../workspace/location'

export const DEFAULT_HUB = 'https://huggingface.co'
const MANIFEST = '.rubric-workbench-model.json'

export class HubError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'HubError'
  }
}

/** Where downloaded models go: RUBRIC_WORKBENCH_HOME/models, else the app-data folder. */
export function defaultModelCache(env: NodeJS.ProcessEnv = process.env): string {
  const home = env['RUBRIC_WORKBENCH_HOME']
  return home !== undefined && home !== ''
    ? join(home, 'models')
    : join(appDataDir(env), 'rubric-workbench', 'models')
}

const repoId = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/

export interface HubFile {
  path: string
  size: number | null
  /** sha256 of the content (LFS files). */
  sha256: string | null
  /** The git blob id (sha1 of "blob <size>\0" + content), for files kept in git. */
  blobId: string | null
}

const listing = z.object({
  sha: z.string().optional(),
  siblings: z.array(
    z.object({
      rfilename: z.string(),
      size: z.number().optional(),
      blobId: z.string().optional(),
      lfs: z.object({ sha256: z.string(), size: z.number().optional() }).nullable().optional(),
    })
  ),
})

export interface PullProgress {
  file: string
  fileBytes: number
  fileTotal: number | null
  bytes: number
  total: number
  files: number
  fileCount: number
}

export interface PullOptions {
  revision?: string
  include?: string[]
  hub?: string
  cache?: string
  env?: NodeJS.ProcessEnv
  onProgress?: (p: PullProgress) => void
  signal?: AbortSignal
  /** A download that receives nothing for this long is cut (and resumes on the next pull). */
  idleTimeoutMs?: number
}

export interface PulledModel {
  repo: string
  revision: string
  commit: string | null
  dir: string
  files: HubFile[]
  /** Files already complete and verified before this pull. */
  reused: number
}

export function modelFolder(cache: string, repo: string): string {
  return join(cache, ...repo.split('/'))
}

function hubBase(hub: string | undefined): string {
  const base = (hub ?? DEFAULT_HUB).replace(/\/+$/, '')
  let url: URL
  try {
    url = new URL(base)
  } catch {
    throw new HubError(`${JSON.stringify(base)} is not a hub URL (expected e.g. ${DEFAULT_HUB})`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new HubError(`${base}: only http and https hubs are supported`)
  return base
}

/** The hub token goes only to the real hub, or the one the user's HF_ENDPOINT names: never to a hub a request picked. */
function headers(env: NodeJS.ProcessEnv, base: string): Record<string, string> {
  const token = env['HF_TOKEN'] ?? env['HUGGING_FACE_HUB_TOKEN']
  if (token === undefined || token === '') return {}
  const trusted = [DEFAULT_HUB, env['HF_ENDPOINT']].flatMap((h) => {
    try {
      return h === undefined || h === '' ? [] : [new URL(h).origin]
    } catch {
      return []
    }
  })
  return trusted.includes(new URL(base).origin) ? { authorization: `Bearer ${token}` } : {}
}

async function get(url: string, init: RequestInit & { headers: Record<string, string> }): Promise<Response> {
  try {
    return await fetch(url, init)
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    throw new HubError(
      `cannot reach ${new URL(url).origin} (${cause?.code ?? cause?.message ?? (error as Error).message})`
    )
  }
}

/** The files of a repo at a revision, as the hub lists them. */
export async function listRepo(
  repo: string,
  options: PullOptions = {}
): Promise<{ commit: string | null; files: HubFile[] }> {
  if (!repoId.test(repo))
    throw new HubError(`${JSON.stringify(repo)} is not a repo id (expected owner/name, e.g. Qwen/Qwen3-1.7B)`)
  const base = hubBase(options.hub)
  const revision = options.revision ?? 'main'
  const url = `${base}/api/models/${repo}/revision/${encodeURIComponent(revision)}?blobs=true`
  const timeout = AbortSignal.timeout(60_000)
  const response = await get(url, {
    headers: headers(options.env ?? process.env, base),
    signal: options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]),
  })
  if (response.status === 404 || response.status === 401)
    throw new HubError(`${repo}@${revision} was not found on ${base} (a private repo needs HF_TOKEN)`)
  if (!response.ok) throw new HubError(`${base} answered ${response.status} when listing ${repo}`)
  const parsed = listing.safeParse(await response.json().catch(() => null))
  if (!parsed.success) throw new HubError(`${base} did not answer with a model listing for ${repo}`)
  return {
    commit: parsed.data.sha ?? null,
    files: parsed.data.siblings.map((s) => ({
      path: s.rfilename,
      size: s.lfs?.size ?? s.size ?? null,
      sha256: s.lfs?.sha256 ?? null,
      blobId: s.lfs === null || s.lfs === undefined ? (s.blobId ?? null) : null,
    })),
  }
}

/** Downloads (or completes) a model folder; files already there and verified are kept. */
export async function pullModel(repo: string, options: PullOptions = {}): Promise<PulledModel> {
  const cache = resolve(options.cache ?? defaultModelCache(options.env))
  const revision = options.revision ?? 'main'
  const { commit, files: all } = await listRepo(repo, options)
  const include = options.include ?? []
  // Compiled once, without brace expansion (a pattern like {1..99999} would stall the app).
  const patterns = include.map((g) => new Minimatch(g, { matchBase: !g.includes('/'), nobrace: true }))
  const files = include.length === 0 ? all : all.filter((f) => patterns.some((p) => p.match(f.path)))
  if (files.length === 0)
    throw new HubError(
      include.length === 0
        ? `${repo}@${revision} holds no files`
        : `no file of ${repo}@${revision} matches ${include.join(' ')}`
    )
  const dir = modelFolder(cache, repo)
  const total = files.reduce((n, f) => n + (f.size ?? 0), 0)
  let bytes = 0
  let reused = 0
  for (const [i, file] of files.entries()) {
    const target = resolve(dir, file.path)
    if (!target.startsWith(dir + sep))
      throw new HubError(`the hub listed a file outside the model folder: ${file.path}`)
    if (await complete(target, file)) {
      reused++
      bytes += file.size ?? 0
      continue
    }
    const base = hubBase(options.hub)
    const url = `${base}/${repo}/resolve/${encodeURIComponent(revision)}/${file.path.split('/').map(encodeURIComponent).join('/')}`
    await download(url, target, file, options, (fileBytes) =>
      options.onProgress?.({
        file: file.path,
        fileBytes,
        fileTotal: file.size,
        bytes: bytes + fileBytes,
        total,
        files: i,
        fileCount: files.length,
      })
    )
    bytes += file.size ?? 0
  }
  await writeFile(
    join(dir, MANIFEST),
    JSON.stringify(
      { repo, revision, commit, hub: hubBase(options.hub), files, pulled: new Date().toISOString() },
      null,
      2
    )
  )
  return { repo, revision, commit, dir, files, reused }
}

async function complete(target: string, file: HubFile): Promise<boolean> {
  const info = await stat(target).catch(() => null)
  if (info === null || (file.size !== null && info.size !== file.size)) return false
  return (await verify(target, file)) === null
}

/** Null when the file matches what the hub said; otherwise why not. */
async function verify(path: string, file: HubFile): Promise<string | null> {
  const { size } = await stat(path)
  if (file.size !== null && size !== file.size) return `${size} bytes where the hub lists ${file.size}`
  if (file.sha256 !== null) {
    const digest = await hashFile(path, 'sha256')
    if (digest !== file.sha256)
      return `sha256 ${digest.slice(0, 12)}… where the hub lists ${file.sha256.slice(0, 12)}…`
  } else if (file.blobId !== null) {
    const digest = await hashFile(path, 'sha1', `blob ${size}\0`)
    if (digest !== file.blobId)
      return `git blob id ${digest.slice(0, 12)}… where the hub lists ${file.blobId.slice(0, 12)}…`
  }
  return null
}

function hashFile(path: string, algorithm: 'sha256' | 'sha1', prefix = ''): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash(algorithm)
    hash.update(prefix)
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolvePromise(hash.digest('hex')))
  })
}

async function download(
  url: string,
  target: string,
  file: HubFile,
  options: PullOptions,
  progress: (bytes: number) => void
): Promise<void> {
  await mkdir(dirname(target), { recursive: true })
  const part = `${target}.part`
  let have = (await stat(part).catch(() => null))?.size ?? 0
  if (file.size !== null && have > file.size) {
    await rm(part)
    have = 0
  }
  if (!(have > 0 && have === file.size)) await receive(url, part, have, file, options, progress)
  const problem = await verify(part, file)
  if (problem !== null) {
    await rm(part, { force: true })
    throw new HubError(
      `${file.path} does not match the hub (${problem}); the broken copy was removed, pull again`
    )
  }
  await rename(part, target)
}

/** Appends the rest of a file to its `.part` (or starts it over when the server ignores the range). */
async function receive(
  url: string,
  part: string,
  have: number,
  file: HubFile,
  options: PullOptions,
  progress: (bytes: number) => void
): Promise<void> {
  const request: Record<string, string> = { ...headers(options.env ?? process.env, url) }
  if (have > 0) request['range'] = `bytes=${have}-`
  // A stalled transfer is cut after a silence, keeping what arrived, rather than hanging forever.
  const idle = new AbortController()
  const idleMs = options.idleTimeoutMs ?? 60_000
  let timer = setTimeout(() => idle.abort(), idleMs)
  const kick = (): void => {
    clearTimeout(timer)
    timer = setTimeout(() => idle.abort(), idleMs)
  }
  const signal = options.signal === undefined ? idle.signal : AbortSignal.any([idle.signal, options.signal])
  try {
    const response = await get(url, { headers: request, signal })
    if (response.status === 404) throw new HubError(`${file.path} was not found at ${url}`)
    if (response.status === 416) return // the part is already whole
    if (!response.ok) throw new HubError(`${url} answered ${response.status}`)
    const append = response.status === 206
    const range = response.headers.get('content-range')
    if (append && range !== null && Number(/^bytes (\d+)-/.exec(range)?.[1] ?? -1) !== have)
      throw new HubError(`${url} answered a range other than the one asked for (${range}); pull again`)
    if (response.body === null) return
    const handle = await open(part, append ? 'a' : 'w')
    let written = append ? have : 0
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        kick()
        await handle.write(chunk)
        written += chunk.byteLength
        if (file.size !== null && written > file.size)
          throw new HubError(`${file.path}: the hub sent more than the ${file.size} bytes it lists`)
        progress(written)
      }
      await handle.sync()
    } catch (error) {
      if (error instanceof HubError) throw error
      // File-system errors carry an errno code ('ENOSPC'); an aborted transfer a numeric one.
      const code = (error as { code?: unknown }).code
      if (code === 'ENOSPC')
        throw new HubError(
          `the disk is full while writing ${part}; free space and pull again to resume (${written} bytes kept)`
        )
      if (typeof code === 'string' && code.startsWith('E'))
        throw new HubError(`cannot write ${part} (${code})`)
      const why = idle.signal.aborted ? `nothing arrived for ${idleMs / 1000} s` : (error as Error).message
      throw new HubError(
        `the download of ${file.path} was cut after ${written} bytes (${why}); pull again to resume`
      )
    } finally {
      await handle.close()
    }
  } finally {
    clearTimeout(timer)
  }
}

/** A model folder in the cache (see shared/models.ts). */
export type CachedModel = CachedModelInfo

/** The model folders in a cache: each `owner/name` folder with a manifest or a config.json. */
export async function listCached(cache = defaultModelCache()): Promise<CachedModel[]> {
  const out: CachedModel[] = []
  const owners = await readdir(cache, { withFileTypes: true }).catch(() => [])
  for (const owner of owners.filter((d) => d.isDirectory())) {
    const names = await readdir(join(cache, owner.name), { withFileTypes: true }).catch(() => [])
    for (const name of names.filter((d) => d.isDirectory())) {
      const dir = join(cache, owner.name, name.name)
      const manifest = await readFile(join(dir, MANIFEST), 'utf8')
        .then((t) => JSON.parse(t) as { revision?: string; commit?: string | null })
        .catch(() => null)
      const files = await walk(dir)
      if (manifest === null && !files.some((f) => f.path === join(dir, 'config.json'))) continue
      out.push({
        repo: `${owner.name}/${name.name}`,
        dir,
        revision: manifest?.revision ?? null,
        commit: manifest?.commit ?? null,
        files: files.filter((f) => !f.path.endsWith('.part') && !f.path.endsWith(MANIFEST)).length,
        bytes: files.reduce((n, f) => n + f.size, 0),
        partial: files.filter((f) => f.path.endsWith('.part')).length,
      })
    }
  }
  return out.sort((a, b) => a.repo.localeCompare(b.repo))
}

async function walk(dir: string): Promise<{ path: string; size: number }[]> {
  const out: { path: string; size: number }[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await walk(path)))
    else out.push({ path, size: (await stat(path)).size })
  }
  return out
}
