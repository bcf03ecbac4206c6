// `rubric-workbench models pull REPO_ID` and `models list`: model folders from a Hugging Face Hub
// (or a mirror, --hub) into a local cache, resumable and verified; afterwards used offline.
import { defaultModelCache, listCached, pullModel, type PullProgress } from '../core/models/model-hub'
import type { Print } from './open-workbench'

export interface PullOptions {
  revision?: string
  include?: string[]
  hub?: string
  cache?: string
  idleTimeout?: number
}

export async function modelsPullCommand(
  repo: string,
  options: PullOptions,
  out: Print,
  err: Print,
  stream: NodeJS.WriteStream = process.stderr
): Promise<number> {
  const bar = progressBar(stream)
  try {
    const { idleTimeout, ...rest } = options
    const pulled = await pullModel(repo, {
      ...rest,
      ...(idleTimeout !== undefined && { idleTimeoutMs: idleTimeout * 1000 }),
      onProgress: (p) => bar.update(p),
    })
    bar.done()
    const fetched = pulled.files.length - pulled.reused
    out(`${pulled.dir}`)
    err(
      `${repo}@${pulled.revision}${pulled.commit === null ? '' : ` (${pulled.commit.slice(0, 12)})`}: ${fetched} file${fetched === 1 ? '' : 's'} downloaded, ${pulled.reused} already there, all verified`
    )
    return 0
  } catch (error) {
    bar.done()
    err(`rubric-workbench: ${(error as Error).message}`)
    return 2
  }
}

export async function modelsListCommand(
  options: { cache?: string; json?: boolean },
  out: Print
): Promise<number> {
  const cache = options.cache ?? defaultModelCache()
  const models = await listCached(cache)
  if (options.json === true) {
    out(JSON.stringify(models))
    return 0
  }
  if (models.length === 0) out(`no models in ${cache} (rubric-workbench models pull OWNER/NAME)`)
  for (const m of models)
    out(
      `${m.repo}  ${m.revision ?? '?'}  ${m.files} files  ${(m.bytes / 1e6).toFixed(1)} MB${m.partial > 0 ? `  ${m.partial} partial (pull again to resume)` : ''}  ${m.dir}`
    )
  return 0
}

function progressBar(stream: NodeJS.WriteStream): { update(p: PullProgress): void; done(): void } {
  if (!stream.isTTY) return { update: () => {}, done: () => {} }
  let shown = false
  return {
    update(p) {
      const fraction = p.total > 0 ? p.bytes / p.total : 0
      const filled = Math.round(Math.min(1, fraction) * 24)
      stream.write(
        `\r\x1b[K[${'#'.repeat(filled)}${'.'.repeat(24 - filled)}] ${(p.bytes / 1e6).toFixed(1)}/${(p.total / 1e6).toFixed(1)} MB  file ${p.files + 1}/${p.fileCount} ${p.file}`
      )
      shown = true
    },
    done() {
      if (shown) stream.write('\r\x1b[K')
    },
  }
}
