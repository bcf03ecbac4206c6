// The temporal-assumption report: does "the newer checkpoint is better" hold for the humans who
// labelled pairs, overall and by step gap, checkpoint and task type; how often the stored judge
// agrees with them; and how much the annotators agree with each other. Every share comes with a
// seeded 95% bootstrap interval over pairs. Ties and both-bad are counted apart, never folded in.
import {
  bootstrap,
  cohenKappa,
  fleissKappa,
  krippendorffAlpha,
  percentAgreement,
  type Estimate,
} from '../../shared/agreement'
import type {
  Annotation,
  AuditReport,
  LabelValue,
  PairwiseAgreement,
  ShareEstimate,
  TemporalSlice,
} from '../../shared/annotation'
import { OUTCOME_CODE, type PairColumns } from '../query/pair-columns'
import { gapHistogram, StepWindows } from '../query/timeline-stats'
import type { RunIndex } from '../run/run-index'
import { listCheckpoints } from '../run/run-views'

const SEED = 20_261_127

export function buildReport(
  index: RunIndex,
  columns: PairColumns,
  annotations: readonly Annotation[],
  /** Ids of adjudication queues: their labels settle disagreements rather than add raters. */
  adjudication: ReadonlySet<string> = new Set()
): AuditReport {
  const labels = annotations.filter((a) => a.label !== 'skip' && index.pairIndex(a.pairId) !== undefined)
  const isAdjudication = (a: Annotation): boolean => a.queue !== null && adjudication.has(a.queue)
  const settled = new Set(labels.filter(isAdjudication).map((a) => a.pairId))
  const raters = labels.filter((a) => !isAdjudication(a))
  const at = (a: Annotation): number => index.pairIndex(a.pairId) as number

  const bins = gapHistogram(columns.gap).bins
  const policySteps = listCheckpoints(index).filter((c) => c.phase === 'policy')
  const windows = new StepWindows(policySteps.map((c) => c.step))

  const byGap = group(labels, (a) => {
    const g = columns.gap[at(a)] as number
    const bin = bins.find((b) => g >= b.from && g <= b.to)
    return bin === undefined ? null : bin.from === bin.to ? `${bin.from}` : `${bin.from}–${bin.to}`
  })
  const byCheckpoint = group(labels, (a) => {
    const w = windows.find(columns.newerStep[at(a)] as number)
    return w < 0 ? null : `policy-${windows.steps[w]}`
  })
  const byTask = group(labels, (a) => {
    const code = columns.taskType[at(a)] as number
    return code < 0 ? null : (columns.taskTypes[code] ?? null)
  })
  const order =
    (keys: string[]): ((a: TemporalSlice, b: TemporalSlice) => number) =>
    (a, b) =>
      keys.indexOf(a.key) - keys.indexOf(b.key)
  const gapKeys = bins.map((b) => (b.from === b.to ? `${b.from}` : `${b.from}–${b.to}`))
  const cpKeys = windows.steps.map((s) => `policy-${s}`)

  return {
    annotators: [...new Set(annotations.map((a) => a.annotator))].sort(),
    blindLabels: labels.filter((a) => a.blind).length,
    overall: slice('all', labels),
    byGap: [...byGap].map(([k, v]) => slice(k, v)).sort(order(gapKeys)),
    byCheckpoint: [...byCheckpoint].map(([k, v]) => slice(k, v)).sort(order(cpKeys)),
    byTask: [...byTask].map(([k, v]) => slice(k, v)).sort((a, b) => b.labels - a.labels),
    judge: judgeAgreement(columns, labels, at),
    ...humanAgreement(raters, settled),
  }
}

function group(labels: Annotation[], key: (a: Annotation) => string | null): Map<string, Annotation[]> {
  const out = new Map<string, Annotation[]>()
  for (const a of labels) {
    const k = key(a)
    if (k === null) continue
    const list = out.get(k)
    if (list === undefined) out.set(k, [a])
    else list.push(a)
  }
  return out
}

function count(labels: readonly Annotation[], value: LabelValue): number {
  return labels.filter((a) => a.label === value).length
}

/** Shares are resampled by pair, so several annotators' labels on one pair move together. */
function byPair(labels: readonly Annotation[]): Annotation[][] {
  return [...group([...labels], (a) => a.pairId).values()]
}

function share(estimate: Estimate): ShareEstimate {
  return { value: estimate.value, low: estimate.low, high: estimate.high, n: estimate.items }
}

function slice(key: string, labels: readonly Annotation[]): TemporalSlice {
  const units = byPair(labels)
  const flat = (sample: readonly Annotation[][]): Annotation[] => sample.flat()
  const pNewer = bootstrap(
    units,
    (s) => {
      const all = flat(s)
      return all.length === 0 ? null : count(all, 'newer') / all.length
    },
    { seed: SEED }
  )
  const pDecisive = bootstrap(
    units,
    (s) => {
      const all = flat(s)
      const decided = count(all, 'newer') + count(all, 'older')
      return decided === 0 ? null : count(all, 'newer') / decided
    },
    { seed: SEED }
  )
  return {
    key,
    labels: labels.length,
    newer: count(labels, 'newer'),
    older: count(labels, 'older'),
    tie: count(labels, 'tie'),
    bothBad: count(labels, 'both-bad'),
    pNewer: { ...share(pNewer), n: labels.length },
    pNewerDecisive: { ...share(pDecisive), n: count(labels, 'newer') + count(labels, 'older') },
  }
}

/** The stored judge's order as a label: it scored the newer higher, lower, or the same. */
function judgeLabel(columns: PairColumns, i: number): LabelValue | null {
  const o = columns.outcome[i]
  return o === OUTCOME_CODE.agrees
    ? 'newer'
    : o === OUTCOME_CODE.disagrees
      ? 'older'
      : o === OUTCOME_CODE.tie
        ? 'tie'
        : null
}

function judgeAgreement(
  columns: PairColumns,
  labels: readonly Annotation[],
  at: (a: Annotation) => number
): AuditReport['judge'] {
  // One unit per pair (all its labels against the judge), so several annotators' labels on one
  // pair move together when resampled.
  const units = new Map<string, [string, string][]>()
  for (const a of labels) {
    if (a.label === 'both-bad') continue
    const judge = judgeLabel(columns, at(a))
    if (judge === null) continue
    const unit = units.get(a.pairId)
    if (unit === undefined) units.set(a.pairId, [[a.label, judge]])
    else unit.push([a.label, judge])
  }
  const all = [...units.values()]
  const pairs = all.flat()
  return {
    items: pairs.length,
    percent: percentAgreement(pairs),
    kappa: share(bootstrap(all, (sample) => cohenKappa(sample.flat()), { seed: SEED })),
  }
}

function humanAgreement(
  labels: readonly Annotation[],
  settled: ReadonlySet<string>
): Pick<AuditReport, 'pairwise' | 'fleiss' | 'krippendorff' | 'disagreements'> {
  const items = byPair(labels)
  const annotators = [...new Set(labels.map((a) => a.annotator))].sort()
  const pairwise: PairwiseAgreement[] = []
  for (let i = 0; i < annotators.length; i++) {
    for (let j = i + 1; j < annotators.length; j++) {
      const a = annotators[i] as string
      const b = annotators[j] as string
      const both: [string, string][] = []
      for (const item of items) {
        const x = item.find((l) => l.annotator === a)
        const y = item.find((l) => l.annotator === b)
        if (x !== undefined && y !== undefined) both.push([x.label, y.label])
      }
      pairwise.push({
        a,
        b,
        items: both.length,
        percent: percentAgreement(both),
        kappa: share(bootstrap(both, cohenKappa, { seed: SEED })),
      })
    }
  }
  const multi = items.filter((item) => item.length >= 2)
  // Fleiss' κ needs the same number of raters per item: the most common number among the items.
  const raterCounts = new Map<number, number>()
  for (const item of multi) raterCounts.set(item.length, (raterCounts.get(item.length) ?? 0) + 1)
  const raters = [...raterCounts].sort((x, y) => y[1] - x[1] || y[0] - x[0])[0]?.[0] ?? 0
  const categories = ['newer', 'older', 'tie', 'both-bad']
  const fleissItems = multi
    .filter((item) => item.length === raters)
    .map((item) => categories.map((c) => item.filter((l) => l.label === c).length))
  const alphaItems = multi.map((item) => item.map((l) => l.label as string))
  return {
    pairwise,
    fleiss: { ...share(bootstrap(fleissItems, fleissKappa, { seed: SEED })), raters },
    krippendorff: share(bootstrap(alphaItems, krippendorffAlpha, { seed: SEED })),
    disagreements: multi
      .filter((item) => new Set(item.map((l) => l.label)).size > 1)
      .map((item) => item[0]?.pairId ?? '')
      .filter((pairId) => !settled.has(pairId)),
  }
}
