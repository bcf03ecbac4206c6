// A figure as the CLI prints it: value, 95% interval and n.
import type { Estimate } from '../shared/agreement'

const pct = (x: number | null): string => (x === null ? '—' : `${(x * 100).toFixed(1)}%`)

export function figureLine(label: string, e: Estimate): string {
  return `${label}: ${pct(e.value)}${e.low === null ? '' : ` [${pct(e.low)}, ${pct(e.high)}]`} n=${e.items}`
}
