// How the analysis figures read: rates as percentages, differences and correlations signed, each
// with its 95% interval and the n it rests on (nothing is shown without its n).
import type { Estimate } from '../../../shared/agreement'

export type FigureFormat = 'pct' | 'signed' | 'pts' | 'plain'

export function figure(x: number | null, format: FigureFormat): string {
  if (x === null) return '—'
  switch (format) {
    case 'pct':
      return `${(x * 100).toFixed(1)}%`
    case 'pts':
      return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} pts`
    case 'signed':
      return `${x >= 0 ? '+' : ''}${x.toFixed(3)}`
    case 'plain':
      return x.toFixed(3)
  }
}

export function intervalText(e: Estimate, format: FigureFormat): string {
  return e.low === null || e.high === null ? '' : `[${figure(e.low, format)}, ${figure(e.high, format)}]`
}

/** "58.5% [51.6%, 64.8%] n=224", for tooltips and plain text. */
export function estimateText(e: Estimate, format: FigureFormat): string {
  return `${figure(e.value, format)} ${intervalText(e, format)} n=${e.items}`.replace('  ', ' ')
}

/** The scales of a bar chart of shares: a 0–100% value axis and plain category labels. */
export function shareScales(theme: { muted: string; grid: string }, title?: string, max?: number) {
  return {
    y: {
      min: 0,
      ...(max !== undefined && { max }),
      ticks: { color: theme.muted, callback: (v: string | number) => figure(Number(v), 'pct') },
      grid: { color: theme.grid },
      ...(title !== undefined && { title: { display: true, text: title, color: theme.muted } }),
    },
    x: { ticks: { color: theme.muted }, grid: { display: false } },
  }
}
