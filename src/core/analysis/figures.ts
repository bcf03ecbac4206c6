// The analyses' arithmetic, as additive vectors per pair row and statistics of their sums, so the
// engine can keep large groups' bootstrap sums up to date item by item (poisson-bootstrap.ts) and
// sum small groups afresh. Pure functions over plain numbers; NaN stands for "not scored".
import type { AblationMark, ClusterRow, CriterionCluster, CriterionRow } from '../../shared/analysis'
import { criterionClusters, LOAD_BEARING_FLIP_SHARE } from '../../shared/analysis'
import type { Estimate } from '../../shared/agreement'
import { ratio, type BootstrapSums } from '../../shared/poisson-bootstrap'
import type { HumanLabel, UtilityRow } from '../../shared/utility'
import { PASS } from '../../shared/utility'

/** One pair as one judge scored it under one rubric. */
export interface SeriesRow {
  pair: number
  /** The pair's bootstrap item (its weights in every round). */
  item: number
  rubricId: string
  /** The pair's own rubric (not a generated one). */
  own: boolean
  newer: number
  older: number
  /** The same judge without a rubric; NaN where it did not run. */
  baseNewer: number
  baseOlder: number
  /** Per criterion, in the rubric's order (NaN: not scored); null when not recorded. */
  critNewer: ArrayLike<number> | null
  critOlder: ArrayLike<number> | null
}

/** What the pair brings whoever scored it. */
export interface PairFacts {
  human: HumanLabel | null
  /** Length of the newer response − the older, in characters. */
  lengthDiff: number
}

export interface CriterionFacts {
  text: string
  weight: number | null
  clusters: CriterionCluster[]
  statedAnswer: string | null
  matchesReference: boolean | null
}

const scored = (x: number): boolean => Number.isFinite(x)
const decisive = (h: HumanLabel | null): h is 'newer' | 'older' => h === 'newer' || h === 'older'
/** Which side a pair of scores prefers: 1 newer, −1 older, 0 tie. */
export const side = (newer: number, older: number): number => (newer > older ? 1 : newer < older ? -1 : 0)
const humanSide = (h: 'newer' | 'older'): number => (h === 'newer' ? 1 : -1)

// ---------------------------------------------------------------------------------------------
// Utility (and the length confound), per judge and rubric

export const U = {
  n: 0,
  newerWins: 1,
  ties: 2,
  margin: 3,
  humanN: 4,
  humanAgree: 5,
  humanNewerWins: 6,
  baseN: 7,
  baseWins: 8,
  baseBaseWins: 9,
  unscored: 10,
  lx: 11,
  ly: 12,
  lxx: 13,
  lyy: 14,
  lxy: 15,
} as const
export const UTILITY_DIMS = 16

export function utilityVector(row: SeriesRow, facts: PairFacts, out: Float64Array): Float64Array {
  out.fill(0)
  if (!scored(row.newer) || !scored(row.older)) {
    out[U.unscored] = 1
    return out
  }
  const s = side(row.newer, row.older)
  const margin = row.newer - row.older
  out[U.n] = 1
  out[U.newerWins] = s > 0 ? 1 : 0
  out[U.ties] = s === 0 ? 1 : 0
  out[U.margin] = margin
  if (decisive(facts.human)) {
    out[U.humanN] = 1
    out[U.humanAgree] = s === humanSide(facts.human) ? 1 : 0
    out[U.humanNewerWins] = s > 0 ? 1 : 0
  }
  if (scored(row.baseNewer) && scored(row.baseOlder)) {
    out[U.baseN] = 1
    out[U.baseWins] = s > 0 ? 1 : 0
    out[U.baseBaseWins] = row.baseNewer > row.baseOlder ? 1 : 0
  }
  if (Number.isFinite(facts.lengthDiff)) {
    const y = facts.lengthDiff
    out[U.lx] = margin
    out[U.ly] = y
    out[U.lxx] = margin * margin
    out[U.lyy] = y * y
    out[U.lxy] = margin * y
  }
  return out
}

const humanGap = (s: Float64Array): number | null => {
  const n = s[U.humanN] as number
  return n > 0 ? ((s[U.humanAgree] as number) - (s[U.humanNewerWins] as number)) / n : null
}
const addedValue = (s: Float64Array): number | null => {
  const n = s[U.baseN] as number
  return n > 0 ? ((s[U.baseWins] as number) - (s[U.baseBaseWins] as number)) / n : null
}

/** A judge's utility under a rubric (or `*`), from its rows' summed vectors. */
export function utilityRow(judge: string, rubricId: string, sums: BootstrapSums): UtilityRow {
  const t = sums.total
  const n = t[U.n] as number
  const humanN = t[U.humanN] as number
  return {
    rubricId,
    judge,
    n,
    unscored: t[U.unscored] as number,
    ties: t[U.ties] as number,
    accuracy: sums.estimate(ratio(U.newerWins, U.n), n),
    tieRate: n > 0 ? (t[U.ties] as number) / n : null,
    margin: sums.estimate(ratio(U.margin, U.n), n),
    humanAccuracy: sums.estimate(ratio(U.humanAgree, U.humanN), humanN),
    humanGap: humanGap(t),
    addedValue: sums.estimate(addedValue, t[U.baseN] as number),
  }
}

/** One figure of a group's utility from its summed vector, for sorting many groups. */
export function utilityField(t: Float64Array, field: string): number | null {
  switch (field) {
    case 'n':
      return t[U.n] as number
    case 'unscored':
      return t[U.unscored] as number
    case 'ties':
      return t[U.ties] as number
    case 'tieRate':
      return ratio(U.ties, U.n)(t)
    case 'accuracy':
      return ratio(U.newerWins, U.n)(t)
    case 'margin':
      return ratio(U.margin, U.n)(t)
    case 'humanAccuracy':
      return ratio(U.humanAgree, U.humanN)(t)
    case 'humanGap':
      return humanGap(t)
    case 'addedValue':
      return addedValue(t)
    default:
      return null
  }
}

/** Pearson correlation of the score margin with the length difference. */
export function lengthCorrelation(s: Float64Array): number | null {
  return pearson(
    s[U.n] as number,
    s[U.lx] as number,
    s[U.ly] as number,
    s[U.lxx] as number,
    s[U.lyy] as number,
    s[U.lxy] as number
  )
}

export function pearson(n: number, x: number, y: number, xx: number, yy: number, xy: number): number | null {
  if (n < 2) return null
  const vx = xx - (x * x) / n
  const vy = yy - (y * y) / n
  if (vx <= 1e-12 * Math.max(1, xx) || vy <= 1e-12 * Math.max(1, yy)) return null
  return (xy - (x * y) / n) / Math.sqrt(vx * vy)
}

// ---------------------------------------------------------------------------------------------
// Criteria: weighted scores with and without a criterion

/** Σ w·p / Σ w over the scored criteria not left out (weight null: 1); NaN when none is scored. */
export function weightedScore(
  scores: ArrayLike<number>,
  facts: readonly CriterionFacts[],
  leaveOut: (k: number) => boolean = () => false
): number {
  let num = 0
  let den = 0
  const m = Math.min(scores.length, facts.length)
  for (let k = 0; k < m; k++) {
    const p = scores[k] as number
    if (!scored(p) || leaveOut(k)) continue
    const w = (facts[k] as CriterionFacts).weight ?? 1
    num += w * p
    den += w
  }
  return den > 0 ? num / den : Number.NaN
}

/** Per criterion of a rubric: the additive quantities of one pair row. */
export const C = {
  n: 0,
  passNewer: 1,
  passOlder: 2,
  ablationN: 3,
  flips: 4,
  humanN: 5,
  agreeWith: 6,
  agreeWithout: 7,
  humanCritN: 8,
  humanNewer: 9,
  wins: 10,
  margin: 11,
  humanAgree: 12,
  withWins: 13,
  withoutWins: 14,
} as const
export const CRITERION_DIMS = 15

/** One pair row's quantities for criterion k (all zeros when the row has no criterion scores). */
export function criterionVector(
  row: SeriesRow,
  facts: readonly CriterionFacts[],
  k: number,
  human: HumanLabel | null,
  out: Float64Array,
  full: FullScores = fullScores(row, facts)
): Float64Array {
  out.fill(0)
  const { critNewer, critOlder } = row
  if (critNewer === null || critOlder === null) return out
  const pn = critNewer[k] as number
  const po = critOlder[k] as number
  if (scored(pn) && scored(po)) {
    out[C.n] = 1
    out[C.passNewer] = pn >= PASS ? 1 : 0
    out[C.passOlder] = po >= PASS ? 1 : 0
    out[C.wins] = pn > po ? 1 : 0
    out[C.margin] = pn - po
    if (decisive(human)) {
      out[C.humanCritN] = 1
      out[C.humanNewer] = human === 'newer' ? 1 : 0
      out[C.humanAgree] = side(pn, po) === humanSide(human) ? 1 : 0
    }
  }
  ablate(critNewer, critOlder, facts, full, (j) => j === k, human, out, 0)
  return out
}

/** The rubric's weighted score on each side with every criterion: the reference every leave-out compares with. */
export type FullScores = readonly [number, number]

export function fullScores(row: SeriesRow, facts: readonly CriterionFacts[]): FullScores {
  return row.critNewer === null || row.critOlder === null
    ? [Number.NaN, Number.NaN]
    : [weightedScore(row.critNewer, facts), weightedScore(row.critOlder, facts)]
}

/** Verdict flips and agreement with people when the criteria `leaveOut` picks are left out. */
function ablate(
  critNewer: ArrayLike<number>,
  critOlder: ArrayLike<number>,
  facts: readonly CriterionFacts[],
  [fullN, fullO]: FullScores,
  leaveOut: (k: number) => boolean,
  human: HumanLabel | null,
  out: Float64Array,
  base: number
): void {
  if (!scored(fullN) || !scored(fullO)) return
  const withSide = side(fullN, fullO)
  const wn = weightedScore(critNewer, facts, leaveOut)
  const wo = weightedScore(critOlder, facts, leaveOut)
  // Leaving out every scored criterion leaves no verdict: a tie.
  const withoutSide = scored(wn) && scored(wo) ? side(wn, wo) : 0
  out[base + C.ablationN] = 1
  out[base + C.flips] = withSide !== withoutSide ? 1 : 0
  out[base + C.withWins] = withSide > 0 ? 1 : 0
  out[base + C.withoutWins] = withoutSide > 0 ? 1 : 0
  if (decisive(human)) {
    const h = humanSide(human)
    out[base + C.humanN] = 1
    out[base + C.agreeWith] = withSide === h ? 1 : 0
    out[base + C.agreeWithout] = withoutSide === h ? 1 : 0
  }
}

const humanDelta =
  (base: number) =>
  (s: Float64Array): number | null => {
    const n = s[base + C.humanN] as number
    return n > 0 ? ((s[base + C.agreeWithout] as number) - (s[base + C.agreeWith] as number)) / n : null
  }
const passContrast =
  (base: number) =>
  (s: Float64Array): number | null => {
    const d = s[base + C.n] as number
    return d > 0 ? ((s[base + C.passNewer] as number) - (s[base + C.passOlder] as number)) / d : null
  }

/** What leaving out a criterion (or a cluster, at `base`) does, and the pass rates beside it. */
export type LeaveOutFigures = Pick<
  ClusterRow,
  'n' | 'flipRate' | 'humanDelta' | 'passContrast' | 'humanNewerShare' | 'mark' | 'divergent'
> & { criteriaScored: number; flips: number }

function leaveOutFigures(sums: BootstrapSums, base: number): LeaveOutFigures {
  const t = sums.total
  const flipRate = sums.estimate(ratio(base + C.flips, base + C.ablationN), t[base + C.ablationN] as number)
  const delta = sums.estimate(humanDelta(base), t[base + C.humanN] as number)
  const contrast = sums.estimate(passContrast(base), t[base + C.n] as number)
  const humanNewerShare = sums.estimate(
    ratio(base + C.humanNewer, base + C.humanCritN),
    t[base + C.humanCritN] as number
  )
  return {
    criteriaScored: t[base + C.n] as number,
    n: t[base + C.ablationN] as number,
    flips: t[base + C.flips] as number,
    flipRate,
    humanDelta: delta,
    passContrast: contrast,
    humanNewerShare,
    mark: ablationMark(flipRate, delta),
    divergent: divergent(contrast, humanNewerShare),
  }
}

export type CriterionFigures = Omit<
  CriterionRow,
  | 'judge'
  | 'rubricId'
  | 'criterion'
  | 'text'
  | 'weight'
  | 'clusters'
  | 'statedAnswer'
  | 'matchesReference'
  | 'auroc'
  | 'stability'
>

const SATURATED = 0.95
/** People's "newer is better" must rest on at least this many labelled pairs to call a divergence. */
export const DIVERGENCE_MIN_LABELS = 3

export function criterionFigures(sums: BootstrapSums): CriterionFigures {
  const t = sums.total
  const n = t[C.n] as number
  const all = n > 0 ? ((t[C.passNewer] as number) + (t[C.passOlder] as number)) / (2 * n) : null
  const { criteriaScored: _pooled, ...leaveOut } = leaveOutFigures(sums, 0)
  return {
    ...leaveOut,
    n,
    accuracy: sums.estimate(ratio(C.wins, C.n), n),
    margin: sums.estimate(ratio(C.margin, C.n), n),
    humanAccuracy: sums.estimate(ratio(C.humanAgree, C.humanCritN), t[C.humanCritN] as number),
    addedValue: sums.estimate(
      (s) =>
        (s[C.ablationN] as number) > 0
          ? ((s[C.withWins] as number) - (s[C.withoutWins] as number)) / (s[C.ablationN] as number)
          : null,
      leaveOut.n
    ),
    newerPassRate: n > 0 ? (t[C.passNewer] as number) / n : null,
    olderPassRate: n > 0 ? (t[C.passOlder] as number) / n : null,
    saturation: saturationOf(all),
  }
}

/** One figure of a criterion from its summed vector at `base`, for sorting and filtering many criteria. */
export function criterionPoint(t: ArrayLike<number>, base: number, field: string): number | null {
  const at = (d: number): number => t[base + d] as number
  const per = (num: number, den: number): number | null => (den > 0 ? num / den : null)
  switch (field) {
    case 'n':
      return at(C.n)
    case 'accuracy':
      return per(at(C.wins), at(C.n))
    case 'margin':
      return per(at(C.margin), at(C.n))
    case 'humanAccuracy':
      return per(at(C.humanAgree), at(C.humanCritN))
    case 'addedValue':
      return per(at(C.withWins) - at(C.withoutWins), at(C.ablationN))
    case 'newerPassRate':
      return per(at(C.passNewer), at(C.n))
    case 'olderPassRate':
      return per(at(C.passOlder), at(C.n))
    case 'passContrast':
      return per(at(C.passNewer) - at(C.passOlder), at(C.n))
    case 'flips':
      return at(C.flips)
    case 'flipRate':
      return per(at(C.flips), at(C.ablationN))
    case 'humanDelta':
      return per(at(C.agreeWithout) - at(C.agreeWith), at(C.humanN))
    case 'humanNewerShare':
      return per(at(C.humanNewer), at(C.humanCritN))
    default:
      return null
  }
}

/** The mark and saturation a criterion's summed vector gives (as criterionFigures does). */
export function criterionCalls(
  t: ArrayLike<number>,
  base: number
): { mark: AblationMark | null; saturation: 'always-passes' | 'always-fails' | null } {
  const point = (field: string, items: number): Estimate => ({
    value: criterionPoint(t, base, field),
    low: null,
    high: null,
    items,
  })
  const n = t[base + C.n] as number
  const all = n > 0 ? ((t[base + C.passNewer] as number) + (t[base + C.passOlder] as number)) / (2 * n) : null
  return {
    mark: ablationMark(
      point('flipRate', t[base + C.ablationN] as number),
      point('humanDelta', t[base + C.humanN] as number)
    ),
    saturation: saturationOf(all),
  }
}

function saturationOf(all: number | null): 'always-passes' | 'always-fails' | null {
  return all === null
    ? null
    : all >= SATURATED
      ? 'always-passes'
      : all <= 1 - SATURATED
        ? 'always-fails'
        : null
}

/** Marks from the point estimates (the intervals are shown beside them). */
export function ablationMark(flipRate: Estimate, humanDelta: Estimate): AblationMark | null {
  if (flipRate.items === 0) return null
  if (humanDelta.value !== null && humanDelta.value > 0) return 'harmful'
  if ((humanDelta.value !== null && humanDelta.value < 0) || (flipRate.value ?? 0) >= LOAD_BEARING_FLIP_SHARE)
    return 'load-bearing'
  if (flipRate.value === 0) return 'redundant'
  return null
}

/** Rises from older to newer (the interval above 0) while people do not prefer the newer. */
export function divergent(contrast: Estimate, humanNewerShare: Estimate): boolean {
  return (
    contrast.low !== null &&
    contrast.low > 0 &&
    humanNewerShare.items >= DIVERGENCE_MIN_LABELS &&
    humanNewerShare.value !== null &&
    humanNewerShare.value <= 0.5
  )
}

// ---------------------------------------------------------------------------------------------
// Clusters: every criterion of a kind left out at once, across a judge's rubrics

/** Per cluster: the criterion quantities (pass counts pooled over the cluster's criteria). */
export const CLUSTER_DIMS = CRITERION_DIMS
export const ALL_CLUSTER_DIMS = CLUSTER_DIMS * criterionClusters.length

export function clusterVector(
  row: SeriesRow,
  facts: readonly CriterionFacts[],
  human: HumanLabel | null,
  out: Float64Array,
  full: FullScores = fullScores(row, facts)
): Float64Array {
  out.fill(0)
  const { critNewer, critOlder } = row
  if (critNewer === null || critOlder === null) return out
  criterionClusters.forEach((cluster, c) => {
    const base = c * CLUSTER_DIMS
    const inCluster = (k: number): boolean => facts[k]?.clusters.includes(cluster) ?? false
    let any = false
    const m = Math.min(critNewer.length, critOlder.length, facts.length)
    for (let k = 0; k < m; k++) {
      if (!inCluster(k)) continue
      any = true
      const pn = critNewer[k] as number
      const po = critOlder[k] as number
      if (!scored(pn) || !scored(po)) continue
      out[base + C.n] = (out[base + C.n] as number) + 1
      if (pn >= PASS) out[base + C.passNewer] = (out[base + C.passNewer] as number) + 1
      if (po >= PASS) out[base + C.passOlder] = (out[base + C.passOlder] as number) + 1
    }
    if (!any) return
    if (decisive(human)) {
      out[base + C.humanCritN] = 1
      out[base + C.humanNewer] = human === 'newer' ? 1 : 0
    }
    ablate(critNewer, critOlder, facts, full, inCluster, human, out, base)
  })
  return out
}

export function clusterFigures(sums: BootstrapSums, c: number): LeaveOutFigures {
  return leaveOutFigures(sums, c * CLUSTER_DIMS)
}

// ---------------------------------------------------------------------------------------------
// Agreement: Cohen's κ from confusion cells

/** κ from a k×k confusion table stored row-major at `base`. */
export function kappaOf(s: ArrayLike<number>, base: number, k: number): number | null {
  let n = 0
  let agree = 0
  const rows = new Float64Array(k)
  const cols = new Float64Array(k)
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      const v = s[base + i * k + j] as number
      n += v
      if (i === j) agree += v
      rows[i] = (rows[i] as number) + v
      cols[j] = (cols[j] as number) + v
    }
  if (n <= 0) return null
  const po = agree / n
  let pe = 0
  for (let i = 0; i < k; i++) pe += ((rows[i] as number) / n) * ((cols[i] as number) / n)
  if (pe >= 1 - 1e-12) return po >= 1 - 1e-12 ? 1 : null
  return (po - pe) / (1 - pe)
}

export function agreementOf(s: ArrayLike<number>, base: number, k: number): number | null {
  let n = 0
  let agree = 0
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      n += s[base + i * k + j] as number
      if (i === j) agree += s[base + i * k + j] as number
    }
  return n > 0 ? agree / n : null
}

/** The preference's cell in a 3×3 table: 0 newer, 1 older, 2 tie. */
export const preferenceIndex = (s: number): number => (s > 0 ? 0 : s < 0 ? 1 : 2)

export const T = { preference: 0, criteria: 9 } as const
export const TRANSFER_DIMS = 13

/** Two judges' rows on one pair under one rubric: their preferences, and pass/fail per criterion. */
export function transferVector(a: SeriesRow, b: SeriesRow, out: Float64Array): Float64Array {
  out.fill(0)
  if (scored(a.newer) && scored(a.older) && scored(b.newer) && scored(b.older)) {
    const cell = preferenceIndex(side(a.newer, a.older)) * 3 + preferenceIndex(side(b.newer, b.older))
    out[T.preference + cell] = 1
  }
  for (const [ca, cb] of [
    [a.critNewer, b.critNewer],
    [a.critOlder, b.critOlder],
  ] as const) {
    if (ca === null || cb === null) continue
    const m = Math.min(ca.length, cb.length)
    for (let k = 0; k < m; k++) {
      const x = ca[k] as number
      const y = cb[k] as number
      if (!scored(x) || !scored(y)) continue
      const cell = T.criteria + (x >= PASS ? 0 : 2) + (y >= PASS ? 0 : 1)
      out[cell] = (out[cell] as number) + 1
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// AUROC with weights

/**
 * AUROC of the criterion's (preferred − other) difference, each labelled pair also entering
 * mirrored (other − preferred) as a negative, so chance is 0.5 whatever the label mix: the
 * weighted share of (i, j) with d_i > −d_j, ties counting half. Sorted, O(m log m).
 */
export function weightedAuroc(diffs: readonly number[], weights: ArrayLike<number>): number | null {
  const m = diffs.length
  let total = 0
  for (let i = 0; i < m; i++) total += weights[i] as number
  if (total <= 0) return null
  const order = diffs.map((_, i) => i).sort((i, j) => (diffs[i] as number) - (diffs[j] as number))
  // For each positive d_i, the weight of negatives −d_j below it (d_j > −d_i) and equal to it.
  const sortedNeg = order.map((j) => -(diffs[j] as number)).reverse() // ascending −d
  const negWeights = order.map((j) => weights[j] as number).reverse()
  const prefix = new Float64Array(m + 1)
  for (let i = 0; i < m; i++) prefix[i + 1] = (prefix[i] as number) + (negWeights[i] as number)
  const lowerBound = (x: number): number => {
    let lo = 0
    let hi = m
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((sortedNeg[mid] as number) < x) lo = mid + 1
      else hi = mid
    }
    return lo
  }
  const upperBound = (x: number): number => {
    let lo = 0
    let hi = m
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((sortedNeg[mid] as number) <= x) lo = mid + 1
      else hi = mid
    }
    return lo
  }
  let wins = 0
  for (let i = 0; i < m; i++) {
    const w = weights[i] as number
    if (w === 0) continue
    const d = diffs[i] as number
    const below = prefix[lowerBound(d)] as number
    const equal = (prefix[upperBound(d)] as number) - below
    wins += w * (below + equal / 2)
  }
  return wins / (total * total)
}
