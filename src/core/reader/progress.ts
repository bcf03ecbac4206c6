// Progress of indexing across all of a run's files, as one byte count.
import { stat } from 'node:fs/promises'
import { relative, sep } from 'node:path'

export interface IndexProgress {
  file: string
  bytesRead: number
  bytesTotal: number
}

export class ProgressSink {
  private total = 0
  private done = 0
  private lastEmit = 0

  constructor(
    private readonly root: string,
    private readonly emit: (p: IndexProgress) => void = () => {},
    /** Emit at most this often, so a fast read is not slowed by its own reporting. */
    private readonly intervalMs = 100
  ) {}

  async plan(files: string[]): Promise<void> {
    for (const f of files) this.total += (await stat(f)).size
  }

  fileProgress(abs: string): (bytesRead: number) => void {
    const base = this.done
    const rel = relPath(this.root, abs)
    let last = 0
    return (bytesRead) => {
      this.done = base + bytesRead
      last = bytesRead
      const now = Date.now()
      if (now - this.lastEmit < this.intervalMs && last > 0) return
      this.lastEmit = now
      this.emit({ file: rel, bytesRead: this.done, bytesTotal: this.total })
    }
  }
}

/** A path relative to the run root, with forward slashes on every platform. */
export function relPath(root: string, abs: string): string {
  const rel = relative(root, abs)
  return (rel === '' ? '.' : rel).split(sep).join('/')
}
