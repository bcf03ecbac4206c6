// How a prompt's rubric changed from one generator checkpoint to the next, criterion by
// criterion: kept, reworded, reweighted (or both), added, removed. Criteria are paired by exact
// text first, then by word overlap, greedily from the most similar pair down.
import type { Criterion } from './domain'

export type CriterionChangeKind =
  'kept' | 'reworded' | 'reweighted' | 'reworded-reweighted' | 'added' | 'removed'

export interface CriterionChange {
  kind: CriterionChangeKind
  /** Index in the earlier rubric's criteria; null for an added criterion. */
  before: number | null
  /** Index in the later rubric's criteria; null for a removed criterion. */
  after: number | null
  /** Word overlap of the paired texts, 0–1 (1 for identical text). */
  similarity: number
  weightBefore: number | null
  weightAfter: number | null
}

/** Paired texts must share at least this share of their words to count as one criterion reworded. */
export const REWORD_SIMILARITY = 0.5
const WEIGHT_EPSILON = 1e-9

export function diffCriteria(before: readonly Criterion[], after: readonly Criterion[]): CriterionChange[] {
  const pairs = new Map<number, { after: number; similarity: number }>()
  const takenAfter = new Set<number>()

  // Identical texts pair first, in order.
  before.forEach((b, i) => {
    const j = after.findIndex((a, k) => !takenAfter.has(k) && normalize(a.text) === normalize(b.text))
    if (j >= 0) {
      pairs.set(i, { after: j, similarity: 1 })
      takenAfter.add(j)
    }
  })

  // Then the most similar remaining pairs, above the threshold.
  const candidates: { i: number; j: number; similarity: number }[] = []
  before.forEach((b, i) => {
    if (pairs.has(i)) return
    const wordsB = words(b.text)
    after.forEach((a, j) => {
      if (takenAfter.has(j)) return
      const similarity = jaccard(wordsB, words(a.text))
      if (similarity >= REWORD_SIMILARITY) candidates.push({ i, j, similarity })
    })
  })
  candidates.sort((x, y) => y.similarity - x.similarity || x.i - y.i || x.j - y.j)
  for (const c of candidates) {
    if (pairs.has(c.i) || takenAfter.has(c.j)) continue
    pairs.set(c.i, { after: c.j, similarity: c.similarity })
    takenAfter.add(c.j)
  }

  const changes: CriterionChange[] = []
  before.forEach((b, i) => {
    const pair = pairs.get(i)
    if (pair === undefined) {
      changes.push({
        kind: 'removed',
        before: i,
        after: null,
        similarity: 0,
        weightBefore: b.weight,
        weightAfter: null,
      })
      return
    }
    const a = after[pair.after] as Criterion
    const reworded = pair.similarity < 1
    const reweighted = !sameWeight(b.weight, a.weight)
    const kind: CriterionChangeKind =
      reworded && reweighted
        ? 'reworded-reweighted'
        : reworded
          ? 'reworded'
          : reweighted
            ? 'reweighted'
            : 'kept'
    changes.push({
      kind,
      before: i,
      after: pair.after,
      similarity: pair.similarity,
      weightBefore: b.weight,
      weightAfter: a.weight,
    })
  })
  after.forEach((a, j) => {
    if (!takenAfter.has(j))
      changes.push({
        kind: 'added',
        before: null,
        after: j,
        similarity: 0,
        weightBefore: null,
        weightAfter: a.weight,
      })
  })
  // Read in the later rubric's order; a removed criterion stands right after the criterion it
  // followed in the earlier rubric (or first, if it followed none that survived).
  const order = (c: CriterionChange): number => {
    if (c.after !== null) return c.after
    const i = c.before ?? 0
    for (let k = i - 1; k >= 0; k--) {
      const kept = pairs.get(k)
      if (kept !== undefined) return kept.after + 0.5 + i * 1e-6
    }
    return -0.5 + i * 1e-6
  }
  return changes.sort((x, y) => order(x) - order(y))
}

function sameWeight(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return a === b
  return Math.abs(a - b) <= WEIGHT_EPSILON
}

function normalize(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase()
}

function words(text: string): Set<string> {
  return new Set(normalize(text).match(/[\p{L}\p{N}]+/gu) ?? [])
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1
  let shared = 0
  for (const w of a) if (b.has(w)) shared++
  return shared / (a.size + b.size - shared)
}
