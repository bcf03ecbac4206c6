// Model downloads started from the UI: one at a time per repo, with progress pushed as events and
// a cancel that keeps the partial files for the next pull to resume.
import type { ModelDownload } from '../../shared/models'
import { defaultModelCache, listCached, pullModel, type CachedModel } from './model-hub'

export class ModelDownloads {
  private readonly downloads = new Map<string, ModelDownload>()
  private readonly aborts = new Map<string, AbortController>()

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly emit: (download: ModelDownload) => void
  ) {}

  get cache(): string {
    return defaultModelCache(this.env)
  }

  list(): Promise<CachedModel[]> {
    return listCached(this.cache)
  }

  active(): ModelDownload[] {
    return [...this.downloads.values()]
  }

  start(request: { repo: string; revision: string; include: string[]; hub: string | null }): ModelDownload {
    const running = this.downloads.get(request.repo)
    if (running?.state === 'downloading') return running
    const download: ModelDownload = {
      repo: request.repo,
      revision: request.revision,
      state: 'downloading',
      file: null,
      bytes: 0,
      total: 0,
      dir: null,
      message: null,
    }
    this.downloads.set(request.repo, download)
    const abort = new AbortController()
    this.aborts.set(request.repo, abort)
    let last = 0
    void pullModel(request.repo, {
      revision: request.revision,
      include: request.include,
      ...(request.hub !== null && { hub: request.hub }),
      cache: this.cache,
      env: this.env,
      signal: abort.signal,
      onProgress: (p) => {
        Object.assign(download, { file: p.file, bytes: p.bytes, total: p.total })
        if (performance.now() - last > 200) {
          last = performance.now()
          this.emit({ ...download })
        }
      },
    })
      .then((pulled) => {
        Object.assign(download, { state: 'done', dir: pulled.dir, bytes: download.total, file: null })
      })
      .catch((error: unknown) => {
        download.state = abort.signal.aborted ? 'cancelled' : 'failed'
        download.message = abort.signal.aborted
          ? 'cancelled; the partial files are kept and the next pull resumes them'
          : (error as Error).message
      })
      .finally(() => {
        this.aborts.delete(request.repo)
        this.emit({ ...download })
      })
    this.emit({ ...download })
    return { ...download }
  }

  cancel(repo: string): void {
    this.aborts.get(repo)?.abort()
  }

  close(): void {
    for (const abort of this.aborts.values()) abort.abort()
  }
}
