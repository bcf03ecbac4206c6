// 95% intervals by the Poisson bootstrap. Resampling n items with replacement gives each item a
// Binomial(n, 1/n) count, which for the sample sizes here is Poisson(1); drawing that count per
// (item, round) from a hash of the two instead of from a running generator makes every item's
// weights its own. So a statistic built from additive sums (counts, sums of values, confusion
// cells) keeps a table of per-round sums that an added, removed or changed item updates in
// O(rounds) without touching the others: a new label moves an interval over 200,000 pairs at
// once. Groups summed afresh use the same weights, so both ways give the same interval.
import type { Estimate } from './agreement'

export const ROUNDS = 1000

/**
 * Items are resampled in BUCKETS hash buckets (an item's key modulo BUCKETS): below a few
 * thousand items nearly every bucket holds one item, the ordinary bootstrap; above, each bucket
 * holds random items, and resampling buckets of independent pairs gives the same variance. What
 * it buys: a group of 200,000 pairs is summed per bucket first (one addition per item), and the
 * rounds are formed from 4,096 bucket totals instead of 200,000 items.
 */
export const BUCKETS = 4096
const BUCKET_MASK = BUCKETS - 1

// Poisson(1) inverse CDF as 32-bit thresholds: a draw u < T[k] (first such k) means weight k.
const THRESHOLDS: number[] = (() => {
  const out: number[] = []
  let p = Math.exp(-1)
  let c = 0
  for (let k = 0; k < 10; k++) {
    c += p
    out.push(Math.min(2 ** 32, Math.floor(c * 2 ** 32)))
    p /= k + 1
  }
  return out
})()
const [T0, T1, T2, T3, T4] = THRESHOLDS as [number, number, number, number, number]

/** An item's weight in one round: Poisson(1), fixed by (item, round). */
export function poissonWeight(item: number, round: number): number {
  return item >= 0 && item < BUCKETS
    ? (weightTable()[round * BUCKETS + item] as number)
    : hashedWeight(item, round)
}

let table: Uint8Array | null = null
/** Every bucket's weight in every round, drawn once (4 MB): settling reads it row by row. */
function weightTable(): Uint8Array {
  if (table !== null) return table
  const t = new Uint8Array(ROUNDS * BUCKETS)
  for (let r = 0; r < ROUNDS; r++) for (let b = 0; b < BUCKETS; b++) t[r * BUCKETS + b] = hashedWeight(b, r)
  return (table = t)
}

function hashedWeight(item: number, round: number): number {
  let h = Math.imul(item ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(round + 0x632be5ab, 0x85ebca6b)
  h ^= h >>> 16
  h = Math.imul(h, 0x7feb352d)
  h ^= h >>> 15
  h = Math.imul(h, 0x846ca68b)
  h ^= h >>> 16
  const u = h >>> 0
  if (u < T0) return 0
  if (u < T1) return 1
  if (u < T2) return 2
  if (u < T3) return 3
  if (u < T4) return 4
  let k = 5
  while (k < THRESHOLDS.length && u >= (THRESHOLDS[k] as number)) k++
  return k
}

/** A stable integer for an item named by a string (FNV-1a), for its weights. */
export function itemKey(name: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** Sums of `dims` additive quantities over items, whole and in every bootstrap round. */
export class BootstrapSums {
  readonly total: Float64Array
  /** Per bucket, until the rounds are first needed; then null, and adds go to the rounds directly. */
  private buckets: Float64Array | null
  private rounds: Float64Array | null = null
  private readonly at: number[] = []
  private readonly by: number[] = []

  /** `withRounds` false keeps the totals only: point values for sorting many groups cheaply. */
  constructor(
    readonly dims: number,
    private readonly withRounds = true
  ) {
    this.total = new Float64Array(dims)
    this.buckets = withRounds ? new Float64Array(dims * BUCKETS) : null
  }

  /** Point values only, from sums kept elsewhere. */
  static ofTotals(totals: ArrayLike<number>): BootstrapSums {
    const sums = new BootstrapSums(totals.length, false)
    sums.total.set(totals as ArrayLike<number>)
    return sums
  }

  /** Adds an item's quantities (or takes them away, sign −1); zeros cost nothing. */
  add(item: number, values: ArrayLike<number>, sign = 1): void {
    const { at, by, dims, total } = this
    at.length = 0
    by.length = 0
    for (let d = 0; d < dims; d++) {
      const v = (values[d] as number) * sign
      if (v === 0 || Number.isNaN(v)) continue
      at.push(d)
      by.push(v)
      total[d] = (total[d] as number) + v
    }
    const m = at.length
    if (m === 0 || !this.withRounds) return
    const bucket = item & BUCKET_MASK
    const buckets = this.buckets
    if (buckets !== null) {
      const base = bucket * dims
      for (let j = 0; j < m; j++) {
        const k = base + (at[j] as number)
        buckets[k] = (buckets[k] as number) + (by[j] as number)
      }
      return
    }
    const rounds = this.rounds as Float64Array
    for (let r = 0; r < ROUNDS; r++) {
      const w = poissonWeight(bucket, r)
      if (w === 0) continue
      const base = r * dims
      for (let j = 0; j < m; j++) {
        const k = base + (at[j] as number)
        rounds[k] = (rounds[k] as number) + w * (by[j] as number)
      }
    }
  }

  /** Replaces an item's quantities: `before` as it was added, `after` as it is now. */
  change(item: number, before: ArrayLike<number>, after: ArrayLike<number>): void {
    const delta = new Float64Array(this.dims)
    let any = false
    for (let d = 0; d < this.dims; d++) {
      const v = (after[d] as number) - (before[d] as number)
      delta[d] = v
      if (v !== 0) any = true
    }
    if (any) this.add(item, delta)
  }

  /** The per-round sums, formed from the bucket totals the first time they are needed. */
  private settled(): Float64Array {
    if (this.rounds !== null) return this.rounds
    const { dims } = this
    const buckets = this.buckets as Float64Array
    const rounds = new Float64Array(dims * ROUNDS)
    // Only buckets and dimensions that hold something.
    const used: number[] = []
    const dimsOf: number[][] = []
    for (let b = 0; b < BUCKETS; b++) {
      const at: number[] = []
      for (let d = 0; d < dims; d++) if (buckets[b * dims + d] !== 0) at.push(d)
      if (at.length === 0) continue
      used.push(b)
      dimsOf.push(at)
    }
    const weights = weightTable()
    for (let r = 0; r < ROUNDS; r++) {
      const out = r * dims
      const row = r * BUCKETS
      for (let i = 0; i < used.length; i++) {
        const b = used[i] as number
        const w = weights[row + b] as number
        if (w === 0) continue
        const base = b * dims
        for (const d of dimsOf[i] as number[])
          rounds[out + d] = (rounds[out + d] as number) + w * (buckets[base + d] as number)
      }
    }
    this.rounds = rounds
    this.buckets = null
    return rounds
  }

  /**
   * A statistic of the sums with its interval: `statistic` reads a sums vector (the whole sample's
   * or one round's) and gives null where it is undefined; `items` is the n it rests on. Below two
   * items, or when most rounds leave it undefined, there is no interval.
   */
  estimate(statistic: (sums: Float64Array) => number | null, items: number): Estimate {
    const value = finiteOrNull(statistic(this.total))
    if (value === null || items < 2 || !this.withRounds) return { value, low: null, high: null, items }
    const rounds = this.settled()
    const values: number[] = []
    for (let r = 0; r < ROUNDS; r++) {
      const v = statistic(rounds.subarray(r * this.dims, (r + 1) * this.dims))
      if (v !== null && Number.isFinite(v)) values.push(v)
    }
    return percentiles(value, values, items)
  }
}

/** The 2.5th and 97.5th percentiles of the rounds' values, when most rounds gave one. */
function percentiles(value: number, values: number[], items: number): Estimate {
  if (values.length < ROUNDS / 2) return { value, low: null, high: null, items }
  values.sort((a, b) => a - b)
  const q = (p: number): number =>
    values[Math.min(values.length - 1, Math.floor(p * values.length))] as number
  return { value, low: q(0.025), high: q(0.975), items }
}

function finiteOrNull(x: number | null): number | null {
  return x === null || !Number.isFinite(x) ? null : x
}

/** A ratio of two sums, null on an empty denominator. */
export const ratio =
  (num: number, den: number) =>
  (s: Float64Array): number | null => {
    const d = s[den] as number
    return d > 0 ? (s[num] as number) / d : null
  }

/** A statistic over weighted items that is not a sum (AUROC), with the same weights per round. */
export function weightedEstimate<T extends { item: number }>(
  items: readonly T[],
  statistic: (items: readonly T[], weights: ArrayLike<number>) => number | null
): Estimate {
  const n = items.length
  const ones = new Float64Array(n).fill(1)
  const value = finiteOrNull(statistic(items, ones))
  if (value === null || n < 2) return { value, low: null, high: null, items: n }
  const weights = new Float64Array(n)
  const values: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < n; i++) weights[i] = poissonWeight((items[i] as T).item & BUCKET_MASK, r)
    const v = statistic(items, weights)
    if (v !== null && Number.isFinite(v)) values.push(v)
  }
  return percentiles(value, values, n)
}
