// Display formatting shared by the views, so a score or a step reads the same everywhere.

const integer = new Intl.NumberFormat('en-US')

export function formatCount(value: number): string {
  return integer.format(value)
}

/** Judge scores live in [0, 1]; three decimals keep near-ties visibly distinct. */
export function formatScore(value: number | null): string {
  return value === null ? '—' : value.toFixed(3)
}

export function formatStep(value: number | null): string {
  return value === null ? '—' : String(value)
}

export function formatWeight(value: number | null): string {
  return value === null ? '—' : String(Math.round(value * 1000) / 1000)
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

/** IDs can be long hashes; tables show the head and keep the full ID in a tooltip. */
export function shortId(id: string, max = 14): string {
  return id.length <= max ? id : `${id.slice(0, max - 1)}…`
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`
}
