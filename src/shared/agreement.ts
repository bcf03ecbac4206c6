// Agreement between annotators (and between annotators and judges) on nominal labels: Cohen's κ
// for two, Fleiss' κ and Krippendorff's α for more, each with a percentile bootstrap interval
// over items. Pure functions, checked against published worked examples in agreement.test.ts.
import { mulberry32 } from './seeded-random'

/** One item's labels, by rater (a rater who did not label the item is absent). */
export type Ratings = ReadonlyMap<string, string>

export interface Estimate {
  value: number | null
  /** 95% percentile bootstrap interval over items; null when too few items. */
  low: number | null
  high: number | null
  /** Items that entered the statistic. */
  items: number
}

/**
 * Cohen's κ between raters `a` and `b` over the items both labelled:
 * (observed agreement − chance agreement) / (1 − chance agreement).
 */
export function cohenKappa(pairs: readonly (readonly [string, string])[]): number | null {
  const n = pairs.length
  if (n === 0) return null
  const countA = new Map<string, number>()
  const countB = new Map<string, number>()
  let agree = 0
  for (const [x, y] of pairs) {
    if (x === y) agree++
    countA.set(x, (countA.get(x) ?? 0) + 1)
    countB.set(y, (countB.get(y) ?? 0) + 1)
  }
  const po = agree / n
  let pe = 0
  for (const [category, ca] of countA) pe += (ca / n) * ((countB.get(category) ?? 0) / n)
  if (pe === 1) return po === 1 ? 1 : null
  return (po - pe) / (1 - pe)
}

/**
 * Fleiss' κ from per-item category counts; every item must have the same number of ratings
 * (at least two).
 */
export function fleissKappa(counts: readonly (readonly number[])[]): number | null {
  const n = counts.length
  if (n === 0) return null
  const m = sum(counts[0] ?? [])
  if (m < 2 || counts.some((row) => sum(row) !== m)) return null
  const k = (counts[0] ?? []).length
  const p = new Array<number>(k).fill(0)
  let pBar = 0
  for (const row of counts) {
    row.forEach((c, j) => (p[j] = (p[j] as number) + c))
    pBar += (row.reduce((s, c) => s + c * c, 0) - m) / (m * (m - 1))
  }
  pBar /= n
  const pe = p.reduce((s, pj) => s + (pj / (n * m)) ** 2, 0)
  if (pe === 1) return pBar === 1 ? 1 : null
  return (pBar - pe) / (1 - pe)
}

/**
 * Krippendorff's α for nominal data, any number of raters per item (items with fewer than two
 * labels do not count): 1 − observed / expected disagreement, from the coincidence matrix.
 */
export function krippendorffAlpha(items: readonly (readonly string[])[]): number | null {
  const coincidence = new Map<string, Map<string, number>>()
  const add = (c: string, k: string, w: number): void => {
    let row = coincidence.get(c)
    if (row === undefined) coincidence.set(c, (row = new Map()))
    row.set(k, (row.get(k) ?? 0) + w)
  }
  for (const values of items) {
    const m = values.length
    if (m < 2) continue
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) if (i !== j) add(values[i] as string, values[j] as string, 1 / (m - 1))
  }
  const marginal = new Map<string, number>()
  let total = 0
  let observed = 0
  for (const [c, row] of coincidence) {
    for (const [k, w] of row) {
      marginal.set(c, (marginal.get(c) ?? 0) + w)
      total += w
      if (c !== k) observed += w
    }
  }
  if (total <= 1) return null
  let expected = 0
  for (const [c, nc] of marginal) for (const [k, nk] of marginal) if (c !== k) expected += nc * nk
  expected /= total - 1
  if (expected === 0) return observed === 0 ? 1 : null
  return 1 - observed / expected
}

/** Share of items on which both raters gave the same label. */
export function percentAgreement(pairs: readonly (readonly [string, string])[]): number | null {
  if (pairs.length === 0) return null
  return pairs.filter(([x, y]) => x === y).length / pairs.length
}

/**
 * A statistic over items with a 95% percentile bootstrap interval: the items are resampled with
 * replacement `rounds` times (seeded, so a report is reproducible).
 */
export function bootstrap<T>(
  items: readonly T[],
  statistic: (sample: readonly T[]) => number | null,
  options: { rounds?: number; seed?: number } = {}
): Estimate {
  const value = statistic(items)
  const n = items.length
  if (value === null || n < 2) return { value, low: null, high: null, items: n }
  const random = mulberry32(options.seed ?? 1)
  const rounds = options.rounds ?? 1000
  const values: number[] = []
  const sample = new Array<T>(n)
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < n; i++) sample[i] = items[Math.floor(random() * n)] as T
    const v = statistic(sample)
    if (v !== null && Number.isFinite(v)) values.push(v)
  }
  if (values.length < rounds / 2) return { value, low: null, high: null, items: n }
  values.sort((a, b) => a - b)
  const at = (q: number): number =>
    values[Math.min(values.length - 1, Math.floor(q * values.length))] as number
  return { value, low: at(0.025), high: at(0.975), items: n }
}

function sum(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0)
}
