// Progress of indexing across all of a run's files, as one byte count.
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
    private readonly emit: (p: IndexProgress) => void = () => {},
    /** Emit at most this often, so a fast read is not slowed by its own reporting. */
    private readonly intervalMs = 100
  ) {}

  plan(totalBytes: number): void {
    this.total = totalBytes
  }

  advance(file: string, bytes: number): void {
    this.done += bytes
    const now = Date.now()
    if (now - this.lastEmit < this.intervalMs && this.done < this.total) return
    this.lastEmit = now
    this.emit({ file, bytesRead: this.done, bytesTotal: this.total })
  }
}

/** A path relative to the run root, with forward slashes on every platform. */
export function relPath(root: string, abs: string): string {
  const rel = relative(root, abs)
  return (rel === '' ? '.' : rel).split(sep).join('/')
}
