// The analyses, kept up to date. Each judge setting is a Series of pair rows (a pair under a
// rubric, both sides' scores, per-criterion scores where recorded). Large groups (a judge over
// all its rubrics, criterion clusters, two judges on common pairs) keep Poisson-bootstrap sums
// that a changed row or label updates in O(rounds); small groups (one rubric, one criterion) are
// summed when asked for, point values for every row (to sort and filter) and intervals for the
// rows shown. So opening the page costs one pass, and a label costs a few thousand additions.
import {
  type AblationMark,
  type CriterionCluster,
  criterionClusters,
  type AgreementCell,
  type AnalysisJudge,
  type AnalysisRows,
  type AnalysisRowsQuery,
  type AnalysisSummary,
  type ClusterRow,
  type CriterionFilter,
  type CriterionRow,
  type LengthBiasRow,
  type RubricAnalysis,
  type TransferCriterionRow,
  type TransferRow,
  type WrongAnswerRow,
} from '../../shared/analysis'
import type { Estimate } from '../../shared/agreement'
import { BootstrapSums, itemKey, weightedEstimate } from '../../shared/poisson-bootstrap'
import { humanMajority, PASS, type HumanLabel, type UtilityRow } from '../../shared/utility'
import type { AnalysisInput, RubricFacts, VerdictInput } from './analysis-input'
import {
  agreementOf,
  ALL_CLUSTER_DIMS,
  clusterFigures,
  clusterVector,
  CRITERION_DIMS,
  criterionCalls,
  criterionFigures,
  criterionPoint,
  criterionVector,
  DIVERGENCE_MIN_LABELS,
  fullScores,
  kappaOf,
  lengthCorrelation,
  pearson,
  preferenceIndex,
  side,
  T,
  TRANSFER_DIMS,
  transferVector,
  U,
  utilityField,
  utilityRow,
  UTILITY_DIMS,
  utilityVector,
  weightedAuroc,
  type PairFacts,
  type SeriesRow,
} from './figures'

export const STORED = 'stored'

export interface CriterionTrainingData {
  judge: string
  pairs: {
    pairId: string
    promptId: string
    label: 1 | -1
    criteria: {
      features: {
        clusters: CriterionCluster[]
        dealbreaker: boolean
        statedAnswer: boolean
        wrongAnswer: boolean
        weightShare: number
      }
      newer: number
      older: number
    }[]
  }[]
}

export type CriterionFeatureSet = CriterionTrainingData['pairs'][number]['criteria'][number]['features']

export interface RubricCriterionFeatures {
  weight: number | null
  features: CriterionFeatureSet
}

export interface HumanPairMargins {
  /** Pair id → 1 where people prefer the newer response, −1 the older. */
  human: Record<string, 1 | -1>
  judges: { id: string; rubric: Record<string, number>; base: Record<string, number> }[]
}

export interface CurationFigures {
  /** [rubric, judge, n, accuracy, agreement with people] */
  utility: [string, string, number, number | null, number | null][]
  /** [rubric, criterion, mark, judge] */
  marks: [string, number, AblationMark, string][]
}

interface Tally {
  criterionRows: number
  divergent: number
  /** Transfer key → criteria only judge a / only judge b rewards under this rubric. */
  only: Map<string, { a: number; b: number }>
}

class Series {
  /** Rows by pair (a pair is usually under one rubric, so a short list); sparse. */
  readonly byPair: (SeriesRow[] | undefined)[] = []
  readonly byRubric = new Map<string, SeriesRow[]>()
  size = 0
  readonly big = new BootstrapSums(UTILITY_DIMS)
  /** Each rubric's summed utility vector, kept current, for sorting every group without a pass over rows. */
  readonly groupSlot = new Map<string, number>()
  /** One slab for every group (UTILITY_DIMS numbers at slot · UTILITY_DIMS): 200,000 small arrays cost more. */
  groupData = new Float64Array(UTILITY_DIMS * 1024)

  private slotOf(rubricId: string): number {
    let slot = this.groupSlot.get(rubricId)
    if (slot === undefined) {
      slot = this.groupSlot.size
      this.groupSlot.set(rubricId, slot)
      if ((slot + 1) * UTILITY_DIMS > this.groupData.length) {
        const grown = new Float64Array(this.groupData.length * 2)
        grown.set(this.groupData)
        this.groupData = grown
      }
    }
    return slot
  }

  addToGroup(rubricId: string, u: Float64Array, sign: number): void {
    const at = this.slotOf(rubricId) * UTILITY_DIMS
    const data = this.groupData
    for (let d = 0; d < UTILITY_DIMS; d++) data[at + d] = (data[at + d] as number) + sign * (u[d] as number)
  }

  /** A group's running totals (a view into the slab, to read at once). */
  groupTotals(rubricId: string): Float64Array {
    const at = this.slotOf(rubricId) * UTILITY_DIMS
    return this.groupData.subarray(at, at + UTILITY_DIMS)
  }
  /** The same per criterion (criterion k at k · CRITERION_DIMS), for rubrics scored one by one. */
  readonly critTotals = new Map<string, Float64Array>()
  clusters: BootstrapSums | null = null
  criteria = false
  /** Criteria per cluster over this series' rubrics, worked out when first asked for. */
  clusterSizes: number[] | null = null
  constructor(
    readonly id: string,
    readonly kind: 'stored' | 'local',
    readonly model: string
  ) {}

  row(pair: number, rubricId: string): SeriesRow | undefined {
    return this.byPair[pair]?.find((r) => r.rubricId === rubricId)
  }
}

// Ids never hold control characters; \u0001 stands for "none".
const scoreKey = (rubric: string | null, response: string, other: string | null): string =>
  `${rubric ?? '\u0001'}\u0000${response}\u0000${other ?? '\u0001'}`
const finite = (x: number | null | undefined): number => (x === null || x === undefined ? Number.NaN : x)
const point = (value: number | null, items: number): Estimate => ({ value, low: null, high: null, items })

/** A local verdict's setting: one judge, protocol and template version. */
export const settingOf = (v: VerdictInput): string =>
  `${v.judge} ${v.protocol} ${v.template}@${v.templateVersion}`
const modelOf = (judge: string): string => judge.split('@')[0] ?? judge

export class AnalysisEngine {
  private readonly pairIndex = new Map<string, number>()
  /** The pair (or pairs) each response is a side of; most responses are in one. */
  private readonly responsePairs = new Map<string, number | number[]>()
  private readonly items: number[]
  private readonly human: (HumanLabel | null)[]
  private readonly labels = new Map<number, Map<string, string>>()
  private readonly series = new Map<string, Series>()
  /** Local verdicts by setting, then by [rubric, response, other]. */
  private readonly local = new Map<string, Map<string, VerdictInput>>()
  /** The rubrics each setting used on each response. */
  private readonly localRubrics = new Map<string, Map<string, Set<string | null>>>()
  private readonly transfers = new Map<string, BootstrapSums>()
  private readonly rubricFacts: Map<string, RubricFacts>
  private readonly scratch = {
    u: new Float64Array(UTILITY_DIMS),
    c: new Float64Array(ALL_CLUSTER_DIMS),
    t: new Float64Array(TRANSFER_DIMS),
    cv: new Float64Array(CRITERION_DIMS),
  }
  private summaryCache: AnalysisSummary | null = null
  private readonly pointCache = new Map<string, CriterionRow[]>()
  /** Pair-level sums: agreement cells, annotators' coincidences, people against length. */
  private readonly pairSums = new Map<string, BootstrapSums>()
  /** (series, rubric) groups whose counts in `tallies` are stale. */
  private readonly dirty = new Set<string>()
  /** Per (series, rubric): criterion rows, divergent ones, and per other series the criteria only one rewards. */
  private readonly tallies = new Map<string, Tally>()
  private readonly totals = {
    criterionRows: 0,
    divergent: 0,
    only: new Map<string, { a: number; b: number }>(),
  }
  private wrongAnswerCache: WrongAnswerRow[] | null = null
  private building = true

  constructor(private readonly input: AnalysisInput) {
    const { pairs } = input
    this.rubricFacts = input.rubrics
    this.items = pairs.ids.map(itemKey)
    this.human = pairs.ids.map(() => null)
    for (let p = 0; p < pairs.ids.length; p++) {
      this.pairIndex.set(pairs.ids[p] as string, p)
      this.addResponsePair(pairs.newer[p] as string, p)
      this.addResponsePair(pairs.older[p] as string, p)
    }
    for (const l of input.labels) this.rememberLabel(l.pairId, l.annotator, l.label)
    for (const [p, byAnnotator] of this.labels) this.human[p] = humanMajority([...byAnnotator.values()])
    for (const v of input.verdicts) this.rememberVerdict(v)
    this.buildStored()
    for (const [setting, used] of this.localRubrics) {
      const s = this.seriesFor(setting)
      const judged = new Set<number>()
      for (const response of used.keys()) for (const p of this.pairsOf(response)) judged.add(p)
      for (const p of [...judged].sort((a, b) => a - b)) this.setRows(s, p, this.localRows(setting, p))
    }
    this.building = false
    for (const s of this.series.values())
      if (s.criteria) for (const rubricId of s.byRubric.keys()) this.dirty.add(`${s.id}\u0000${rubricId}`)
    for (const p of this.labels.keys()) this.applyPairVectors(p, null, this.pairVectors(p))
  }

  // -------------------------------------------------------------------------------------------
  // Updates

  /** A pair's labels changed (saved, edited or removed): the annotators' labels as they now are. */
  setLabels(pairId: string, labels: readonly { annotator: string; label: string }[]): void {
    const p = this.pairIndex.get(pairId)
    if (p === undefined) return
    const before = this.pairVectors(p)
    this.labels.delete(p)
    for (const l of labels) this.rememberLabel(pairId, l.annotator, l.label)
    const next = humanMajority(labels.map((l) => l.label))
    if (next !== this.human[p]) {
      const rows = [...this.series.values()].flatMap((s) =>
        (s.byPair[p] ?? []).map((row) => [s, row] as const)
      )
      for (const [s, row] of rows) this.contribute(s, row, -1, false)
      this.human[p] = next
      for (const [s, row] of rows) this.contribute(s, row, 1, false)
    }
    this.applyPairVectors(p, before, this.pairVectors(p))
    this.summaryCache = null
  }

  /** New local verdicts (a judge job's results as they are written). */
  addVerdicts(verdicts: readonly VerdictInput[]): void {
    const touched = new Map<string, Set<number>>()
    for (const v of verdicts) {
      this.rememberVerdict(v)
      const setting = settingOf(v)
      const set = touched.get(setting) ?? new Set<number>()
      touched.set(setting, set)
      for (const p of this.pairsOf(v.responseId)) set.add(p)
    }
    for (const [setting, pairs] of touched) {
      const s = this.seriesFor(setting)
      for (const p of pairs) this.setRows(s, p, this.localRows(setting, p))
    }
  }

  private addResponsePair(response: string, p: number): void {
    const known = this.responsePairs.get(response)
    if (known === undefined) this.responsePairs.set(response, p)
    else if (typeof known === 'number') {
      if (known !== p) this.responsePairs.set(response, [known, p])
    } else if (!known.includes(p)) known.push(p)
  }

  private pairsOf(response: string): readonly number[] {
    const known = this.responsePairs.get(response)
    return known === undefined ? [] : typeof known === 'number' ? [known] : known
  }

  private rememberLabel(pairId: string, annotator: string, label: string): void {
    const p = this.pairIndex.get(pairId)
    if (p === undefined) return
    // Both-bad and skip say nothing about which side is better.
    if (label !== 'newer' && label !== 'older' && label !== 'tie') return
    const m = this.labels.get(p) ?? new Map<string, string>()
    m.set(annotator, label)
    this.labels.set(p, m)
  }

  private rememberVerdict(v: VerdictInput): void {
    const setting = settingOf(v)
    let scores = this.local.get(setting)
    if (scores === undefined) this.local.set(setting, (scores = new Map()))
    scores.set(scoreKey(v.rubricId, v.responseId, v.otherResponseId), v)
    let rubrics = this.localRubrics.get(setting)
    if (rubrics === undefined) this.localRubrics.set(setting, (rubrics = new Map()))
    const set = rubrics.get(v.responseId) ?? new Set<string | null>()
    rubrics.set(v.responseId, set.add(v.rubricId))
  }

  private seriesFor(setting: string): Series {
    let s = this.series.get(setting)
    if (s === undefined) {
      const first = this.local.get(setting)?.values().next().value
      s = new Series(setting, 'local', modelOf(first?.judge ?? setting))
      this.series.set(setting, s)
    }
    return s
  }

  private buildStored(): void {
    const { stored, pairs } = this.input
    if (stored === null) return
    const s = new Series(STORED, 'stored', STORED)
    this.series.set(STORED, s)
    for (let p = 0; p < pairs.ids.length; p++) {
      const rubricId = pairs.rubric[p]
      if (stored.present[p] !== 1 || rubricId === null || rubricId === undefined) continue
      this.setRows(s, p, [
        {
          pair: p,
          item: this.items[p] as number,
          rubricId,
          own: true,
          newer: stored.newer[p] as number,
          older: stored.older[p] as number,
          baseNewer: stored.baseNewer[p] as number,
          baseOlder: stored.baseOlder[p] as number,
          critNewer: stored.critNewer[p] ?? null,
          critOlder: stored.critOlder[p] ?? null,
        },
      ])
    }
  }

  /** A local setting's rows on a pair: under the pair's rubric and any generated one it used. */
  private localRows(setting: string, p: number): SeriesRow[] {
    const { pairs } = this.input
    const scores = this.local.get(setting)
    const used = this.localRubrics.get(setting)
    if (scores === undefined || used === undefined) return []
    const newerId = pairs.newer[p] as string
    const olderId = pairs.older[p] as string
    const own = pairs.rubric[p] ?? null
    const rubrics = new Set<string>()
    for (const r of [...(used.get(newerId) ?? []), ...(used.get(olderId) ?? [])])
      if (r !== null && (r === own || r.startsWith('gen-'))) rubrics.add(r)
    if (rubrics.size === 0) return []
    const get = (rubric: string | null, response: string, other: string | null): VerdictInput | undefined => {
      const v = scores.get(scoreKey(rubric, response, other))
      return v === undefined || v.error !== null ? undefined : v
    }
    const sides = (rubric: string | null) => {
      const pairwise = get(rubric, newerId, olderId)
      if (pairwise !== undefined) {
        const x = finite(pairwise.score)
        return { newer: x, older: 1 - x, critNewer: null, critOlder: null, any: true }
      }
      const n = get(rubric, newerId, null)
      const o = get(rubric, olderId, null)
      return {
        newer: finite(n?.score),
        older: finite(o?.score),
        critNewer: n?.criterionScores ?? null,
        critOlder: o?.criterionScores ?? null,
        any: n !== undefined || o !== undefined || this.failed(scores, rubric, newerId, olderId),
      }
    }
    const base = sides(null)
    const rows: SeriesRow[] = []
    for (const rubricId of rubrics) {
      const r = sides(rubricId)
      if (!r.any) continue
      rows.push({
        pair: p,
        item: this.items[p] as number,
        rubricId,
        own: rubricId === own,
        newer: r.newer,
        older: r.older,
        baseNewer: base.newer,
        baseOlder: base.older,
        critNewer: r.critNewer !== null && r.critOlder !== null ? r.critNewer : null,
        critOlder: r.critNewer !== null && r.critOlder !== null ? r.critOlder : null,
      })
    }
    return rows
  }

  /** The setting tried the pair under the rubric but every item failed: unscored, not unjudged. */
  private failed(
    scores: Map<string, VerdictInput>,
    rubric: string | null,
    newer: string,
    older: string
  ): boolean {
    return (
      scores.has(scoreKey(rubric, newer, null)) ||
      scores.has(scoreKey(rubric, older, null)) ||
      scores.has(scoreKey(rubric, newer, older))
    )
  }

  private setRows(s: Series, p: number, rows: SeriesRow[]): void {
    const before = this.building || !this.labels.has(p) ? null : this.pairVectors(p)
    const emptied: string[] = []
    for (const old of s.byPair[p] ?? []) {
      this.contribute(s, old, -1, true)
      s.size--
      const group = s.byRubric.get(old.rubricId)
      if (group !== undefined) {
        group.splice(group.indexOf(old), 1)
        if (group.length === 0) emptied.push(old.rubricId)
      }
    }
    s.byPair[p] = rows.length === 0 ? undefined : rows
    let changed = false
    for (const row of rows) {
      s.size++
      const group = s.byRubric.get(row.rubricId)
      if (group === undefined) {
        s.byRubric.set(row.rubricId, [row])
        changed = true
      } else group.push(row)
      if (row.critNewer !== null) s.criteria = true
      this.contribute(s, row, 1, true)
    }
    for (const rubricId of emptied)
      if (s.byRubric.get(rubricId)?.length === 0) {
        s.byRubric.delete(rubricId)
        changed = true
      }
    if (changed) this.rubricsChanged(s)
    if (before !== null) this.applyPairVectors(p, before, this.pairVectors(p))
  }

  private rubricsChanged(s: Series): void {
    s.clusterSizes = null
    this.wrongAnswerCache = null
  }

  /**
   * A pair's contributions to the pair-level sums: one cell per two raters who both labelled it
   * (annotators, and judges under the pair's own rubric), the annotators' coincidences for α,
   * and people's choice against the length difference.
   */
  private pairVectors(p: number): Map<string, Float64Array> {
    const out = new Map<string, Float64Array>()
    const labels = this.labels.get(p)
    if (labels === undefined || labels.size === 0) return out
    const raters: [string, number][] = [...labels].map(([a, l]) => [a, labelIndex(l)])
    const humans = raters.length
    for (const s of this.series.values()) {
      const side = this.judgeLabel(s, p)
      if (side !== null) raters.push([s.id, side])
    }
    for (let i = 0; i < humans; i++)
      for (let j = humans; j < raters.length; j++) {
        const [a, x] = raters[i] as [string, number]
        const [b, y] = raters[j] as [string, number]
        const v = new Float64Array(9)
        v[x * 3 + y] = 1
        out.set(`human-judge\u0000${a}\u0000${b}`, v)
      }
    for (let i = 0; i < humans; i++)
      for (let j = 0; j < i; j++) {
        const [a, x] = raters[i] as [string, number]
        const [b, y] = raters[j] as [string, number]
        const key = `human-human\u0000${a < b ? a : b}\u0000${a < b ? b : a}`
        const v = new Float64Array(9)
        v[(a < b ? x : y) * 3 + (a < b ? y : x)] = 1
        out.set(key, v)
      }
    if (humans >= 2) {
      // Krippendorff's coincidences: every ordered pair of labels, weighted 1 / (m − 1).
      const v = new Float64Array(9)
      for (let i = 0; i < humans; i++)
        for (let j = 0; j < humans; j++)
          if (i !== j) {
            const k = (raters[i]?.[1] as number) * 3 + (raters[j]?.[1] as number)
            v[k] = (v[k] as number) + 1 / (humans - 1)
          }
      out.set('alpha', v)
    }
    const h = this.human[p]
    const y = this.input.pairs.lengthDiff[p] as number
    if ((h === 'newer' || h === 'older') && Number.isFinite(y)) {
      const x = h === 'newer' ? 1 : -1
      out.set('people-length', Float64Array.from([1, x, y, x * x, y * y, x * y]))
    }
    return out
  }

  private applyPairVectors(
    p: number,
    before: Map<string, Float64Array> | null,
    after: Map<string, Float64Array>
  ): void {
    const item = this.items[p] as number
    for (const key of new Set([...(before?.keys() ?? []), ...after.keys()])) {
      const a = after.get(key)
      const b = before?.get(key)
      let sums = this.pairSums.get(key)
      if (sums === undefined) this.pairSums.set(key, (sums = new BootstrapSums((a ?? b)?.length ?? 0)))
      if (b !== undefined) sums.add(item, b, -1)
      if (a !== undefined) sums.add(item, a)
    }
    this.summaryCache = null
  }

  private facts(p: number): PairFacts {
    return { human: this.human[p] ?? null, lengthDiff: this.input.pairs.lengthDiff[p] as number }
  }

  /** Adds a row to (or takes it from) every large group it belongs to, and forgets cached figures. */
  private contribute(s: Series, row: SeriesRow, sign: number, transfers: boolean): void {
    const facts = this.facts(row.pair)
    const u = utilityVector(row, facts, this.scratch.u)
    s.big.add(row.item, u, sign)
    s.addToGroup(row.rubricId, u, sign)
    const criteria = this.rubricFacts.get(row.rubricId)?.criteria
    if (row.critNewer !== null && criteria !== undefined) {
      const full = fullScores(row, criteria)
      s.clusters ??= new BootstrapSums(ALL_CLUSTER_DIMS)
      s.clusters.add(row.item, clusterVector(row, criteria, facts.human, this.scratch.c, full), sign)
      let totals = s.critTotals.get(row.rubricId)
      if (totals === undefined)
        s.critTotals.set(row.rubricId, (totals = new Float64Array(criteria.length * CRITERION_DIMS)))
      const v = this.scratch.cv
      for (let k = 0; k < criteria.length; k++) {
        criterionVector(row, criteria, k, facts.human, v, full)
        const base = k * CRITERION_DIMS
        for (let d = 0; d < CRITERION_DIMS; d++)
          totals[base + d] = (totals[base + d] as number) + sign * (v[d] as number)
      }
    }
    if (transfers)
      for (const t of this.series.values()) {
        if (t === s) continue
        const other = t.row(row.pair, row.rubricId)
        if (other === undefined) continue
        const [first, sums] = this.transferSums(s, t)
        const vector =
          first === s
            ? transferVector(row, other, this.scratch.t)
            : transferVector(other, row, this.scratch.t)
        sums.add(row.item, vector, sign)
        if (!this.building) this.dirty.add(`${t.id}\u0000${row.rubricId}`)
      }
    // While building, every group is new: the constructor marks them all at the end.
    if (this.building) return
    this.pointCache.delete(`${s.id}\u0000${row.rubricId}`)
    this.dirty.add(`${s.id}\u0000${row.rubricId}`)
    this.summaryCache = null
  }

  /** The sums of two series' common rows, and which of the two is first (judge a). */
  private transferSums(s: Series, t: Series): [Series, BootstrapSums] {
    const [a, b] = s.id < t.id ? [s, t] : [t, s]
    const key = `${a.id}\u0000${b.id}`
    let sums = this.transfers.get(key)
    if (sums === undefined) this.transfers.set(key, (sums = new BootstrapSums(TRANSFER_DIMS)))
    return [a, sums]
  }

  // -------------------------------------------------------------------------------------------
  // Per rubric and per criterion: point values for all, intervals for the rows shown

  private groupRows(s: Series, rubricId: string): SeriesRow[] {
    return s.byRubric.get(rubricId) ?? []
  }

  /** One judge's criterion figures under one rubric, point values only (cached until a row changes). */
  private points(s: Series, rubricId: string): CriterionRow[] {
    const key = `${s.id}\u0000${rubricId}`
    const cached = this.pointCache.get(key)
    if (cached !== undefined) return cached
    const rows = this.criterionRows(s, rubricId, this.groupRows(s, rubricId), false)
    this.pointCache.set(key, rows)
    return rows
  }

  /** One judge's utility under one rubric, the one field a table sorts by (no objects for 200,000 groups). */
  private utilityKey(s: Series, rubricId: string, field: string): number | string | null {
    if (field === 'rubricId') return rubricId
    if (field === 'judge') return s.id
    return s.groupSlot.has(rubricId) ? utilityField(s.groupTotals(rubricId), field) : null
  }

  /**
   * A judge's criterion rows under a rubric. With intervals, summed afresh from the group's rows;
   * without, from the group's running totals, with AUROC and stability only where they can exist
   * (labelled pairs; another setting of the same model).
   */
  private criterionRows(s: Series, rubricId: string, rows: SeriesRow[], intervals: boolean): CriterionRow[] {
    const facts = this.rubricFacts.get(rubricId)
    if (facts === undefined || !rows.some((r) => r.critNewer !== null)) return []
    const totals = s.critTotals.get(rubricId)
    const repeated = [...this.series.values()].some((t) => t !== s && t.model === s.model && t.criteria)
    const v = new Float64Array(CRITERION_DIMS)
    return facts.criteria.map((criterion, k) => {
      let sums: BootstrapSums
      if (intervals || totals === undefined) {
        sums = new BootstrapSums(CRITERION_DIMS, intervals)
        for (const row of rows)
          sums.add(row.item, criterionVector(row, facts.criteria, k, this.human[row.pair] ?? null, v))
      } else sums = BootstrapSums.ofTotals(totals.subarray(k * CRITERION_DIMS, (k + 1) * CRITERION_DIMS))
      const figures = criterionFigures(sums)
      const labelled = figures.humanAccuracy.items > 0
      return {
        judge: s.id,
        rubricId,
        criterion: k,
        text: criterion.text,
        weight: criterion.weight,
        clusters: criterion.clusters,
        statedAnswer: criterion.statedAnswer,
        matchesReference: criterion.matchesReference,
        ...figures,
        auroc: intervals || labelled ? this.auroc(rows, k, intervals) : point(null, 0),
        stability: intervals || repeated ? this.stability(s, rows, k, intervals) : point(null, 0),
      }
    })
  }

  private auroc(rows: readonly SeriesRow[], k: number, intervals: boolean): Estimate {
    const labelled: { item: number; diff: number }[] = []
    for (const row of rows) {
      const h = this.human[row.pair]
      if ((h !== 'newer' && h !== 'older') || row.critNewer === null || row.critOlder === null) continue
      const pn = row.critNewer[k] as number
      const po = row.critOlder[k] as number
      if (!Number.isFinite(pn) || !Number.isFinite(po)) continue
      labelled.push({ item: row.item, diff: h === 'newer' ? pn - po : po - pn })
    }
    const statistic = (items: readonly { diff: number }[], w: ArrayLike<number>): number | null =>
      weightedAuroc(
        items.map((i) => i.diff),
        w
      )
    if (!intervals)
      return point(statistic(labelled, new Float64Array(labelled.length).fill(1)), labelled.length)
    return weightedEstimate(labelled, statistic)
  }

  /** Pass/fail agreement between this setting and other settings of the same model on the same responses. */
  private stability(s: Series, rows: readonly SeriesRow[], k: number, intervals: boolean): Estimate {
    const others = [...this.series.values()].filter((t) => t !== s && t.model === s.model && t.criteria)
    const sums = new BootstrapSums(2, intervals)
    const v = new Float64Array(2)
    let responses = 0
    for (const row of rows) {
      v.fill(0)
      for (const t of others) {
        const other = t.row(row.pair, row.rubricId)
        if (other === undefined) continue
        for (const [a, b] of [
          [row.critNewer, other.critNewer],
          [row.critOlder, other.critOlder],
        ] as const) {
          const x = a?.[k]
          const y = b?.[k]
          if (x === undefined || y === undefined || !Number.isFinite(x) || !Number.isFinite(y)) continue
          v[0] = (v[0] as number) + 1
          if (x >= PASS === y >= PASS) v[1] = (v[1] as number) + 1
        }
      }
      responses += v[0] as number
      sums.add(row.item, v)
    }
    return sums.estimate(
      (t) => ((t[0] as number) > 0 ? (t[1] as number) / (t[0] as number) : null),
      responses
    )
  }

  private withIntervals(s: Series, rubricId: string): { utility: UtilityRow[]; criteria: CriterionRow[] } {
    const rows = this.groupRows(s, rubricId)
    const sums = new BootstrapSums(UTILITY_DIMS)
    for (const row of rows) sums.add(row.item, utilityVector(row, this.facts(row.pair), this.scratch.u))
    return {
      utility: rows.length === 0 ? [] : [utilityRow(s.id, rubricId, sums)],
      criteria: this.criterionRows(s, rubricId, rows, true),
    }
  }

  // -------------------------------------------------------------------------------------------
  // Queries

  judges(): AnalysisJudge[] {
    return [...this.series.values()].map((s) => ({
      id: s.id,
      kind: s.kind,
      model: s.model,
      criteria: s.criteria,
      rows: s.size,
    }))
  }

  /**
   * What curation filters read, for every rubric at once: each judge's point utility under it
   * (judge, n, accuracy, agreement with people), and each criterion's ablation mark by judge.
   */
  curation(): CurationFigures {
    const utility: CurationFigures['utility'] = []
    const marks: CurationFigures['marks'] = []
    for (const s of this.series.values()) {
      for (const rubricId of s.byRubric.keys()) {
        const t = s.groupTotals(rubricId)
        utility.push([
          rubricId,
          s.id,
          t[U.n] as number,
          utilityField(t, 'accuracy'),
          utilityField(t, 'humanAccuracy'),
        ])
      }
      for (const [rubricId, totals] of s.critTotals) {
        const k = totals.length / CRITERION_DIMS
        for (let c = 0; c < k; c++) {
          const { mark } = criterionCalls(totals, c * CRITERION_DIMS)
          if (mark !== null) marks.push([rubricId, c, mark, s.id])
        }
      }
    }
    return { utility, marks }
  }

  /**
   * What the criterion-weight learner trains on: one judge's per-criterion P(yes) on both sides
   * of each pair under its own rubric, with each criterion's features and the pair's label (the
   * temporal one, +1 for every pair, or people's decisive majority).
   */
  criterionPairs(judge: string | null, labels: 'temporal' | 'human'): CriterionTrainingData {
    const s = [...this.series.values()].find((x) => x.criteria && (judge === null || x.id === judge))
    if (s === undefined)
      throw new Error(
        judge === null
          ? 'no judge scored criteria one by one: run `judge --protocol criteria-logprob` first'
          : `the judge ${JSON.stringify(judge)} did not score criteria one by one`
      )
    const out: CriterionTrainingData['pairs'] = []
    for (const [rubricId, rows] of s.byRubric) {
      const features = this.featuresOf(rubricId)
      if (features.length === 0) continue
      for (const row of rows) {
        if (!row.own || row.critNewer === null || row.critOlder === null) continue
        const h = this.human[row.pair]
        const label = labels === 'temporal' ? 1 : h === 'newer' ? 1 : h === 'older' ? -1 : 0
        if (label === 0) continue
        const criteria: CriterionTrainingData['pairs'][number]['criteria'] = []
        features.forEach((c, k) => {
          const newer = row.critNewer?.[k] as number
          const older = row.critOlder?.[k] as number
          if (!Number.isFinite(newer) || !Number.isFinite(older)) return
          criteria.push({ features: c.features, newer, older })
        })
        if (criteria.length > 0)
          out.push({
            pairId: this.input.pairs.ids[row.pair] as string,
            promptId: this.input.pairs.prompt[row.pair] as string,
            label,
            criteria,
          })
      }
    }
    return { judge: s.id, pairs: out }
  }

  /** What the criterion-weight learner reads of each criterion of a rubric, with its weight as written. */
  private featuresOf(rubricId: string): RubricCriterionFeatures[] {
    const facts = this.rubricFacts.get(rubricId)?.criteria ?? []
    const weights = facts.map((c) => c.weight)
    const known = weights.every((w) => w !== null)
    const total = known ? weights.reduce((a: number, w) => a + (w as number), 0) : facts.length
    return facts.map((c) => ({
      weight: c.weight,
      features: {
        clusters: c.clusters,
        dealbreaker: c.clusters.includes('dealbreaker'),
        statedAnswer: c.statedAnswer !== null,
        wrongAnswer: c.matchesReference === false,
        weightShare: total > 0 ? (known ? (c.weight as number) : 1) / total : 0,
      },
    }))
  }

  /** Each rubric's criteria as the learner sees them (for applying learned weights to a set). */
  criterionFeatures(rubricIds: readonly string[]): Record<string, RubricCriterionFeatures[]> {
    return Object.fromEntries(rubricIds.map((id) => [id, this.featuresOf(id)]))
  }

  /**
   * For the pairs people labelled one way (newer or older): the label, and each judge setting's
   * margin (newer − older) under the pair's own rubric and, where it ran, without a rubric.
   */
  humanPairMargins(): HumanPairMargins {
    const human: Record<string, 1 | -1> = {}
    this.human.forEach((h, p) => {
      if (h === 'newer' || h === 'older') human[this.input.pairs.ids[p] as string] = h === 'newer' ? 1 : -1
    })
    const judges = [...this.series.values()].map((s) => {
      const rubric: Record<string, number> = {}
      const base: Record<string, number> = {}
      for (const [p, rows] of s.byPair.entries()) {
        const id = this.input.pairs.ids[p] as string
        const row = rows?.find((r) => r.own)
        if (row === undefined || human[id] === undefined) continue
        if (Number.isFinite(row.newer) && Number.isFinite(row.older)) rubric[id] = row.newer - row.older
        if (Number.isFinite(row.baseNewer) && Number.isFinite(row.baseOlder))
          base[id] = row.baseNewer - row.baseOlder
      }
      return { id: s.id, rubric, base }
    })
    return { human, judges }
  }

  rubric(rubricId: string): RubricAnalysis {
    const utility: UtilityRow[] = []
    const criteria: CriterionRow[] = []
    for (const s of this.series.values()) {
      if (!s.byRubric.has(rubricId)) continue
      const figures = this.withIntervals(s, rubricId)
      utility.push(...figures.utility)
      criteria.push(...figures.criteria)
    }
    return { utility, criteria }
  }

  rows(q: AnalysisRowsQuery): AnalysisRows {
    const offset = q.offset ?? 0
    const limit = q.limit ?? 100
    const page = <T>(all: T[], fill: (row: T) => T): AnalysisRows =>
      ({
        total: all.length,
        rows: sortRows(all, q.sort, q.desc ?? true)
          .slice(offset, offset + limit)
          .map(fill),
      }) as AnalysisRows
    const chosen = [...this.series.values()].filter((s) => q.judge === undefined || s.id === q.judge)
    switch (q.table) {
      case 'rubrics': {
        // Every group's sort key, then the page's rows with their intervals.
        const all: { judge: string; rubricId: string; key: number | string | null }[] = []
        const field = q.sort ?? 'accuracy'
        for (const s of chosen)
          for (const rubricId of s.byRubric.keys())
            if (q.rubricId === undefined || rubricId === q.rubricId)
              all.push({ judge: s.id, rubricId, key: this.utilityKey(s, rubricId, field) })
        const sorted = sortBy(all, (g) => g.key, q.desc ?? true)
        return {
          total: all.length,
          rows: sorted
            .slice(offset, offset + limit)
            .flatMap((g) => this.withIntervals(this.series.get(g.judge) as Series, g.rubricId).utility),
        }
      }
      case 'criteria': {
        const field = q.sort ?? 'flipRate'
        const all = chosen.flatMap((s) => this.criterionRefs(s, q.rubricId, q.filter, field))
        const sorted = sortBy(all, (r) => r.key, q.desc ?? true)
        return {
          total: all.length,
          rows: sorted.slice(offset, offset + limit).flatMap((r) => {
            const row = this.criterionRows(r.s, r.rubricId, this.groupRows(r.s, r.rubricId), true)[r.k]
            return row === undefined ? [] : [row]
          }),
        }
      }
      case 'transfer': {
        const a = this.series.get(q.judge ?? '')
        const b = this.series.get(q.other ?? '')
        if (a === undefined || b === undefined) return { total: 0, rows: [] }
        return page(this.transferCriteria(a, b, false), (row) =>
          this.transferCriterion(a, b, row.rubricId, row.criterion, true)
        )
      }
      case 'wrong-answers':
        return page(this.wrongAnswers(), (row) => row)
    }
  }

  /**
   * Every criterion of a judge (or of one rubric) that passes the filter, with its sort key, from
   * the running totals: no row objects for 60,000 criteria. AUROC and stability are not sums, so
   * sorting by them works the rows out; divergence rests on an interval, worked out for the
   * criteria whose point values make them candidates.
   */
  private criterionRefs(
    s: Series,
    rubricId: string | undefined,
    filter: CriterionFilter | undefined,
    field: string
  ): { s: Series; rubricId: string; k: number; key: number | string | null }[] {
    const out: { s: Series; rubricId: string; k: number; key: number | string | null }[] = []
    for (const [r, totals] of s.critTotals) {
      if ((rubricId !== undefined && r !== rubricId) || !s.byRubric.has(r)) continue
      const facts = this.rubricFacts.get(r)?.criteria ?? []
      const slow = field === 'auroc' || field === 'stability' || filter === 'divergent'
      const rows = slow ? this.candidates(s, this.points(s, r)) : null
      for (let k = 0; k < facts.length; k++) {
        const base = k * CRITERION_DIMS
        const calls = criterionCalls(totals, base)
        const keep =
          filter === undefined ||
          (filter === 'saturated' && calls.saturation !== null) ||
          (filter === 'wrong-answer' && facts[k]?.matchesReference === false) ||
          (filter === 'divergent' && rows?.[k]?.divergent === true) ||
          calls.mark === filter
        if (!keep) continue
        let key: number | string | null
        if (field === 'rubricId') key = r
        else if (field === 'judge') key = s.id
        else if (field === 'criterion') key = k
        else if (field === 'text') key = facts[k]?.text ?? ''
        else if (rows !== null && (field === 'auroc' || field === 'stability'))
          key = rows[k]?.[field].value ?? null
        else key = criterionPoint(totals, base, field)
        out.push({ s, rubricId: r, k, key })
      }
    }
    return out
  }

  /** Divergence rests on an interval: worked out for the rows whose point values make them candidates. */
  private candidates(s: Series, rows: CriterionRow[]): CriterionRow[] {
    return rows.map((row) =>
      row.passContrast.value !== null &&
      row.passContrast.value > 0 &&
      row.humanNewerShare.items >= DIVERGENCE_MIN_LABELS &&
      (row.humanNewerShare.value ?? 1) <= 0.5
        ? (this.criterionRows(s, row.rubricId, this.groupRows(s, row.rubricId), true)[row.criterion] ?? row)
        : row
    )
  }

  private transferCriteria(a: Series, b: Series, intervals: boolean): TransferCriterionRow[] {
    const out: TransferCriterionRow[] = []
    if (!a.criteria || !b.criteria) return out
    for (const rubricId of a.byRubric.keys())
      if (b.byRubric.has(rubricId)) out.push(...this.transferRubric(a, b, rubricId, intervals))
    return out
  }

  /** Two judges on one rubric's criteria, where both scored them. */
  private transferRubric(a: Series, b: Series, rubricId: string, intervals: boolean): TransferCriterionRow[] {
    const facts = this.rubricFacts.get(rubricId)
    if (facts === undefined) return []
    return facts.criteria
      .map((_, k) => this.transferCriterion(a, b, rubricId, k, intervals))
      .filter((row) => row.n > 0)
  }

  private transferCriterion(
    a: Series,
    b: Series,
    rubricId: string,
    k: number,
    intervals: boolean
  ): TransferCriterionRow {
    const sums = new BootstrapSums(4, intervals)
    const v = new Float64Array(4)
    let n = 0
    for (const row of this.groupRows(a, rubricId)) {
      const other = b.row(row.pair, rubricId)
      if (other === undefined) continue
      v.fill(0)
      for (const [x, y] of [
        [row.critNewer?.[k], other.critNewer?.[k]],
        [row.critOlder?.[k], other.critOlder?.[k]],
      ] as const) {
        if (x === undefined || y === undefined || !Number.isFinite(x) || !Number.isFinite(y)) continue
        const cell = (x >= PASS ? 0 : 2) + (y >= PASS ? 0 : 1)
        v[cell] = (v[cell] as number) + 1
        n++
      }
      sums.add(row.item, v)
    }
    const t = sums.total
    const passA = n > 0 ? ((t[0] as number) + (t[1] as number)) / n : null
    const passB = n > 0 ? ((t[0] as number) + (t[2] as number)) / n : null
    const rewards = (x: number | null): boolean => x !== null && x >= 0.5
    return {
      rubricId,
      criterion: k,
      text: this.rubricFacts.get(rubricId)?.criteria[k]?.text ?? '',
      n,
      kappa: sums.estimate((s) => kappaOf(s, 0, 2), n),
      agreement: agreementOf(t, 0, 2),
      passA,
      passB,
      onlyOne: rewards(passA) && !rewards(passB) ? 'a' : rewards(passB) && !rewards(passA) ? 'b' : null,
    }
  }

  private wrongAnswers(): WrongAnswerRow[] {
    if (this.wrongAnswerCache !== null) return this.wrongAnswerCache
    const used = new Set<string>()
    for (const r of this.input.pairs.rubric) if (r !== null) used.add(r)
    for (const s of this.series.values()) for (const r of s.byRubric.keys()) used.add(r)
    const out: WrongAnswerRow[] = []
    for (const rubricId of used) {
      const facts = this.rubricFacts.get(rubricId)
      if (facts === undefined || facts.reference === null) continue
      facts.criteria.forEach((c, k) => {
        if (c.matchesReference === false && c.statedAnswer !== null)
          out.push({
            rubricId,
            criterion: k,
            text: c.text,
            statedAnswer: c.statedAnswer,
            reference: facts.reference as string,
          })
      })
    }
    return (this.wrongAnswerCache = out)
  }

  /** Brings the per-(series, rubric) counts of stale groups up to date. */
  private settleTallies(): void {
    for (const key of this.dirty) {
      const [id, rubricId] = key.split('\u0000') as [string, string]
      const old = this.tallies.get(key)
      if (old !== undefined) this.count(old, -1)
      this.tallies.delete(key)
      const s = this.series.get(id)
      if (s === undefined || !s.byRubric.has(rubricId)) continue
      if (!s.criteria) continue
      const rows = this.groupRows(s, rubricId)
      const withCriteria = rows.some((r) => r.critNewer !== null)
      // Divergence needs people's labels on a few of the group's pairs; most groups have none,
      // and their criteria need not be worked out to be counted.
      let labelled = 0
      for (const r of rows) if (this.human[r.pair] === 'newer' || this.human[r.pair] === 'older') labelled++
      const criteria =
        withCriteria && labelled >= DIVERGENCE_MIN_LABELS ? this.candidates(s, this.points(s, rubricId)) : []
      const tally: Tally = {
        criterionRows: withCriteria ? (this.rubricFacts.get(rubricId)?.criteria.length ?? 0) : 0,
        divergent: criteria.filter((r) => r.divergent).length,
        only: new Map(),
      }
      // Criteria only one judge rewards, kept with the first judge of each two (transfer order).
      for (const t of this.series.values()) {
        if (t === s || !t.criteria || !t.byRubric.has(rubricId) || t.id < s.id) continue
        const rows = this.transferRubric(s, t, rubricId, false)
        tally.only.set(`${s.id}\u0000${t.id}`, {
          a: rows.filter((r) => r.onlyOne === 'a').length,
          b: rows.filter((r) => r.onlyOne === 'b').length,
        })
      }
      this.tallies.set(key, tally)
      this.count(tally, 1)
    }
    this.dirty.clear()
  }

  private count(t: Tally, sign: number): void {
    this.totals.criterionRows += sign * t.criterionRows
    this.totals.divergent += sign * t.divergent
    for (const [key, only] of t.only) {
      const total = this.totals.only.get(key) ?? { a: 0, b: 0 }
      total.a += sign * only.a
      total.b += sign * only.b
      this.totals.only.set(key, total)
    }
  }

  /** Set by whoever built the engine: how long reading its input and building it took. */
  buildTimings = { inputMs: 0, handoffMs: 0, buildMs: 0 }

  summary(): AnalysisSummary {
    if (this.summaryCache !== null) return this.summaryCache
    const started = performance.now()
    this.settleTallies()
    const series = [...this.series.values()]
    const overall = series.filter((s) => s.size > 0).map((s) => utilityRow(s.id, '*', s.big))
    const clusters: ClusterRow[] = []
    for (const s of series) {
      if (s.clusters === null) continue
      criterionClusters.forEach((cluster, c) => {
        const f = clusterFigures(s.clusters as BootstrapSums, c)
        if (f.n === 0) return
        clusters.push({
          judge: s.id,
          cluster,
          criteria: this.clusterSizes(s)[c] ?? 0,
          n: f.n,
          flipRate: f.flipRate,
          humanDelta: f.humanDelta,
          passContrast: f.passContrast,
          humanNewerShare: f.humanNewerShare,
          mark: f.mark,
          divergent: f.divergent,
        })
      })
    }
    const transfer: TransferRow[] = []
    for (const [key, sums] of this.transfers) {
      const [a, b] = key.split('\u0000') as [string, string]
      const t = sums.total
      let pairs = 0
      for (let i = 0; i < 9; i++) pairs += t[T.preference + i] as number
      let items = 0
      for (let i = 0; i < 4; i++) items += t[T.criteria + i] as number
      if (pairs === 0 && items === 0) continue
      const only = this.totals.only.get(key) ?? { a: 0, b: 0 }
      transfer.push({
        a,
        b,
        pairs,
        preference: sums.estimate((s) => kappaOf(s, T.preference, 3), pairs),
        preferenceAgreement: agreementOf(t, T.preference, 3),
        criteria: sums.estimate((s) => kappaOf(s, T.criteria, 2), items),
        criteriaAgreement: agreementOf(t, T.criteria, 2),
        onlyA: only.a,
        onlyB: only.b,
      })
    }
    let rubricRows = 0
    for (const s of series) rubricRows += s.byRubric.size
    const annotators = new Set<string>()
    for (const m of this.labels.values()) for (const a of m.keys()) annotators.add(a)
    this.summaryCache = {
      judges: this.judges(),
      overall,
      clusters,
      transfer,
      agreement: this.agreement(series, [...annotators].sort()),
      lengthBias: this.lengthBias(series),
      counts: {
        pairs: this.input.pairs.ids.length,
        labelledPairs: this.labels.size,
        annotators: annotators.size,
        rubricRows,
        criterionRows: this.totals.criterionRows,
        divergent: this.totals.divergent,
        wrongAnswers: this.wrongAnswers().length,
      },
      criteriaMissing: !series.some((s) => s.criteria),
      timings: { ...this.buildTimings, summaryMs: Math.round(performance.now() - started) },
    }
    return this.summaryCache
  }

  private clusterSizes(s: Series): number[] {
    if (s.clusterSizes !== null) return s.clusterSizes
    const sizes = criterionClusters.map(() => 0)
    for (const rubricId of s.byRubric.keys())
      for (const c of this.rubricFacts.get(rubricId)?.criteria ?? [])
        criterionClusters.forEach((cluster, i) => {
          if (c.clusters.includes(cluster)) sizes[i] = (sizes[i] as number) + 1
        })
    return (s.clusterSizes = sizes)
  }

  /** Each judge's preference on a pair, under the pair's own rubric (0 newer, 1 older, 2 tie). */
  private judgeLabel(s: Series, p: number): number | null {
    const own = this.input.pairs.rubric[p]
    if (own === null || own === undefined) return null
    const row = s.row(p, own)
    if (row === undefined || !Number.isFinite(row.newer) || !Number.isFinite(row.older)) return null
    return preferenceIndex(side(row.newer, row.older))
  }

  private agreement(series: Series[], annotators: string[]): AnalysisSummary['agreement'] {
    const cells: AgreementCell[] = []
    const cell = (
      a: string,
      b: string,
      kind: AgreementCell['kind'],
      sums: BootstrapSums,
      base: number
    ): void => {
      let n = 0
      for (let i = 0; i < 9; i++) n += sums.total[base + i] as number
      if (n > 0)
        cells.push({
          a,
          b,
          kind,
          kappa: sums.estimate((s) => kappaOf(s, base, 3), n),
          agreement: agreementOf(sums.total, base, 3),
        })
    }
    for (const [key, sums] of this.pairSums) {
      const [kind, a, b] = key.split('\u0000') as [string, string, string]
      if (kind === 'human-human' || kind === 'human-judge') cell(a, b, kind, sums, 0)
    }
    for (const [key, sums] of this.transfers) {
      const [a, b] = key.split('\u0000') as [string, string]
      cell(a, b, 'judge-judge', sums, T.preference)
    }
    const alpha = this.pairSums.get('alpha')
    let multi = 0
    for (const m of this.labels.values()) if (m.size >= 2) multi++
    return {
      raters: [
        ...annotators.map((id) => ({ id, kind: 'human' as const })),
        ...series.map((s) => ({ id: s.id, kind: 'judge' as const })),
      ],
      cells: cells.sort(
        (x, y) => x.kind.localeCompare(y.kind) || x.a.localeCompare(y.a) || x.b.localeCompare(y.b)
      ),
      humanAlpha:
        alpha === undefined ? point(null, 0) : alpha.estimate((s) => alphaFromCoincidences(s, 3), multi),
    }
  }

  private lengthBias(series: Series[]): LengthBiasRow[] {
    const out: LengthBiasRow[] = series
      .filter((s) => s.size > 0)
      .map((s) => ({
        rater: s.id,
        kind: 'judge' as const,
        correlation: s.big.estimate(lengthCorrelation, s.big.total[U.n] as number),
      }))
    // People: +1 for newer, −1 for older, over pairs labelled decisively.
    const people = this.pairSums.get('people-length')
    const n = people?.total[0] ?? 0
    if (people !== undefined && n > 0)
      out.push({
        rater: 'people',
        kind: 'human',
        correlation: people.estimate(
          (s) =>
            pearson(
              s[0] as number,
              s[1] as number,
              s[2] as number,
              s[3] as number,
              s[4] as number,
              s[5] as number
            ),
          n
        ),
      })
    return out
  }
}

const labelIndex = (l: string): number => (l === 'newer' ? 0 : l === 'older' ? 1 : 2)

/** Krippendorff's α (nominal) from a k×k coincidence matrix: 1 − observed / expected disagreement. */
export function alphaFromCoincidences(o: ArrayLike<number>, k: number): number | null {
  let total = 0
  let observed = 0
  const marginal = new Float64Array(k)
  for (let c = 0; c < k; c++)
    for (let d = 0; d < k; d++) {
      const v = o[c * k + d] as number
      total += v
      marginal[c] = (marginal[c] as number) + v
      if (c !== d) observed += v
    }
  if (total <= 1) return null
  let expected = 0
  for (let c = 0; c < k; c++)
    for (let d = 0; d < k; d++) if (c !== d) expected += (marginal[c] as number) * (marginal[d] as number)
  expected /= total - 1
  if (expected <= 1e-12) return observed <= 1e-12 ? 1 : null
  return 1 - observed / expected
}

/** Sorts by a field: numbers and Estimates by value (nulls last), strings by text. */
export function sortRows<T>(rows: T[], field: string | undefined, desc: boolean): T[] {
  if (field === undefined) return rows
  return sortBy(
    rows,
    (row) => {
      const v = (row as Record<string, unknown>)[field]
      if (typeof v === 'number') return Number.isFinite(v) ? v : null
      if (typeof v === 'string') return v
      if (v !== null && typeof v === 'object' && 'value' in v) return (v as Estimate).value
      return null
    },
    desc
  )
}

/** Sorts by a key (nulls last whichever the direction), stable. */
export function sortBy<T>(rows: T[], key: (row: T) => number | string | null, desc: boolean): T[] {
  const keyed = rows.map((row, i) => ({ row, k: key(row), i }))
  const sign = desc ? -1 : 1
  keyed.sort((x, y) => {
    if (x.k === null || y.k === null) return x.k === y.k ? x.i - y.i : x.k === null ? 1 : -1
    return (x.k < y.k ? -1 : x.k > y.k ? 1 : 0) * sign || x.i - y.i
  })
  return keyed.map((k) => k.row)
}
