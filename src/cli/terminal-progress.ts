// A one-line progress bar on stderr, shown only on a terminal so that pipes and --json output
// stay clean.
import type { IndexProgress } from '../core/reader/progress'

export interface TerminalProgress {
  update(p: IndexProgress): void
  done(): void
}

export function terminalProgress(
  label: string,
  stream: NodeJS.WriteStream = process.stderr
): TerminalProgress {
  if (!stream.isTTY) return { update: () => {}, done: () => {} }
  let shown = false
  return {
    update(p) {
      const fraction = p.bytesTotal > 0 ? p.bytesRead / p.bytesTotal : 0
      const width = 24
      const filled = Math.round(fraction * width)
      const mb = (n: number): string => (n / 1e6).toFixed(0)
      stream.write(
        `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0)}% ${mb(p.bytesRead)}/${mb(p.bytesTotal)} MB`
      )
      shown = true
    },
    done() {
      if (shown) stream.write('\r\x1b[K')
    },
  }
}
