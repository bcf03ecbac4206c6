// The analyses against values worked out by hand on small runs: ties, unscored (NaN) sides,
// missing baselines, per-criterion utility and its ablation, clusters, judge transfer, the
// agreement matrix and the length confound; then incremental updates against a fresh build.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { CriterionRow } from '../../shared/analysis'
import type { UtilityRow } from '../../shared/utility'
import { AnalysisEngine, STORED } from './analysis-engine'
import {
  packInput,
  unpackInput,
  type AnalysisInput,
  type LabelInput,
  type RubricFacts,
  type VerdictInput,
} from './analysis-input'
import type { CriterionFacts } from './figures'

interface PairSpec {
  id: string
  newer: number
  older: number
  rubric?: string
  baseNewer?: number
  baseOlder?: number
  critNewer?: number[]
  critOlder?: number[]
  lengthDiff?: number
}

function run(
  pairs: PairSpec[],
  extra: { rubrics?: Record<string, RubricFacts>; labels?: LabelInput[]; verdicts?: VerdictInput[] } = {}
): AnalysisInput {
  return {
    pairs: {
      ids: pairs.map((p) => p.id),
      prompt: pairs.map((p) => `prompt-${p.id}`),
      newer: pairs.map((p) => `${p.id}-n`),
      older: pairs.map((p) => `${p.id}-o`),
      rubric: pairs.map((p) => p.rubric ?? 'k1'),
      lengthDiff: Float64Array.from(pairs, (p) => p.lengthDiff ?? Number.NaN),
    },
    stored: {
      present: Uint8Array.from(pairs, () => 1),
      newer: Float64Array.from(pairs, (p) => p.newer),
      older: Float64Array.from(pairs, (p) => p.older),
      baseNewer: Float64Array.from(pairs, (p) => p.baseNewer ?? Number.NaN),
      baseOlder: Float64Array.from(pairs, (p) => p.baseOlder ?? Number.NaN),
      critNewer: pairs.map((p) => p.critNewer ?? null),
      critOlder: pairs.map((p) => p.critOlder ?? null),
    },
    rubrics: new Map(Object.entries(extra.rubrics ?? {})),
    verdicts: extra.verdicts ?? [],
    labels: extra.labels ?? [],
  }
}

const label = (pairId: string, l: string, annotator = 'ann'): LabelInput => ({
  pairId,
  annotator,
  label: l as LabelInput['label'],
})
const close = (actual: number | null | undefined, expected: number, what: string): void =>
  assert.ok(
    actual !== null && actual !== undefined && Math.abs(actual - expected) < 1e-12,
    `${what}: ${actual} ≠ ${expected}`
  )

function rubricRow(engine: AnalysisEngine, judge = STORED, rubricId = 'k1'): UtilityRow {
  const row = engine.rows({ table: 'rubrics', judge, rubricId }).rows[0] as UtilityRow | undefined
  assert.ok(row !== undefined, `no row for ${judge} ${rubricId}`)
  return row
}

test('accuracy, ties, margin and unscored pairs, by hand', () => {
  const engine = new AnalysisEngine(
    run([
      { id: 'a', newer: 0.9, older: 0.1 }, // newer above: +0.8
      { id: 'b', newer: 0.2, older: 0.6 }, // older above: −0.4
      { id: 'c', newer: 0.5, older: 0.5 }, // tie: 0, not newer-above
      { id: 'd', newer: 0.7, older: 0.3 }, // +0.4
      { id: 'e', newer: Number.NaN, older: 0.3 }, // unscored (NaN as EvoLM files write a parse failure)
    ])
  )
  const row = rubricRow(engine)
  assert.deepEqual([row.n, row.unscored, row.ties], [4, 1, 1])
  assert.equal(row.accuracy.value, 2 / 4)
  assert.equal(row.accuracy.items, 4)
  assert.equal(row.tieRate, 1 / 4)
  close(row.margin.value, (0.8 - 0.4 + 0 + 0.4) / 4, 'margin')
  assert.ok(row.accuracy.low !== null && row.accuracy.low <= 0.5 && (row.accuracy.high ?? 0) >= 0.5)
  // No human labels, no baseline: no figures, and their n says so.
  assert.deepEqual([row.humanAccuracy.value, row.humanAccuracy.items, row.humanGap], [null, 0, null])
  assert.deepEqual([row.addedValue.value, row.addedValue.items], [null, 0])
  const [overall] = engine.summary().overall
  assert.deepEqual(
    [overall?.rubricId, overall?.judge, overall?.n, overall?.accuracy.value],
    ['*', STORED, 4, 0.5]
  )
})

test('against people: agreement where they chose a side, and the gap to the temporal label', () => {
  const engine = new AnalysisEngine(
    run(
      [
        { id: 'a', newer: 0.9, older: 0.1 }, // judge newer, people newer: agrees
        { id: 'b', newer: 0.9, older: 0.1 }, // judge newer, people older: disagrees
        { id: 'c', newer: 0.2, older: 0.8 }, // judge older, people older: agrees
        { id: 'd', newer: 0.5, older: 0.5 }, // a judge tie never agrees
        { id: 'e', newer: 0.9, older: 0.1 }, // people tied: not counted
        { id: 'f', newer: 0.9, older: 0.1 }, // both-bad says nothing about a side
      ],
      {
        labels: [
          label('a', 'newer'),
          label('b', 'older'),
          label('c', 'older'),
          label('d', 'newer'),
          label('e', 'tie'),
          label('f', 'both-bad'),
        ],
      }
    )
  )
  const row = rubricRow(engine)
  assert.equal(row.humanAccuracy.items, 4)
  assert.equal(row.humanAccuracy.value, 2 / 4)
  // On those 4 pairs the judge put newer above older in 2 (a, b): temporal 0.5, human 0.5.
  assert.equal(row.humanGap, 0)
})

test("the rubric's added value: with − without, on the pairs both were scored", () => {
  const engine = new AnalysisEngine(
    run([
      { id: 'a', newer: 0.9, older: 0.1, baseNewer: 0.4, baseOlder: 0.6 }, // with: yes, without: no
      { id: 'b', newer: 0.9, older: 0.1, baseNewer: 0.6, baseOlder: 0.4 }, // yes, yes
      { id: 'c', newer: 0.1, older: 0.9, baseNewer: 0.6, baseOlder: 0.4 }, // no, yes
      { id: 'd', newer: 0.9, older: 0.1, baseOlder: 0.4 }, // baseline unscored on a side: left out
      { id: 'e', newer: 0.9, older: 0.1 }, // no baseline: left out
    ])
  )
  const row = rubricRow(engine)
  assert.equal(row.addedValue.items, 3)
  close(row.addedValue.value, 2 / 3 - 2 / 3, 'added value')
  assert.equal(row.accuracy.value, 4 / 5)
})

// Rubric k1: a stated answer (weight 3) and a holistic criterion (weight 1), scored one by one.
const facts = (text: string, weight: number, clusters: CriterionFacts['clusters']): CriterionFacts => ({
  text,
  weight,
  clusters,
  statedAnswer: clusters.includes('states-answer') ? '12' : null,
  matchesReference: clusters.includes('states-answer') ? false : null,
})
const k1: RubricFacts = {
  reference: '13',
  criteria: [
    facts('The final answer is 12', 3, ['states-answer']),
    facts('The explanation is clear', 1, ['holistic']),
  ],
}
const criteriaRun = (): AnalysisInput =>
  run(
    [
      // c0 and c1 P(yes) on each side; full scores (3·c0 + c1)/4 and those without each criterion.
      { id: 'a', newer: 0, older: 0, critNewer: [1, 0], critOlder: [0.25, 1] }, // .75 > .4375; w/o c0 0 < 1 (flip); w/o c1 1 > .25
      { id: 'b', newer: 0, older: 0, critNewer: [0.75, 0.5], critOlder: [0.5, 0] }, // newer; w/o c0 .5 > 0; w/o c1 .75 > .5
      { id: 'c', newer: 0, older: 0, critNewer: [0.375, 1], critOlder: [0.125, 1] }, // newer; w/o c0 1 = 1 (flip to tie)
      { id: 'd', newer: 0, older: 0, critNewer: [0.75, 0.25], critOlder: [0.25, 0.25] }, // newer; w/o c0 tie (flip)
      { id: 'e', newer: 0, older: 0, critNewer: [Number.NaN, 1], critOlder: [0.5, 0] }, // 1 > .375; w/o c1 newer has nothing: tie (flip)
    ],
    {
      rubrics: { k1 },
      labels: [label('a', 'newer'), label('b', 'older'), label('c', 'newer'), label('e', 'newer')],
    }
  )

test('per criterion: pass-rate contrast, AUROC against people, utility and its leave-one-out ablation, by hand', () => {
  const engine = new AnalysisEngine(criteriaRun())
  const rows = engine.rows({ table: 'criteria', judge: STORED, sort: 'criterion', desc: false })
    .rows as CriterionRow[]
  const [c0, c1] = rows
  assert.ok(c0 !== undefined && c1 !== undefined)
  // c0 scored on both sides in a–d: newer passes (≥ 0.5) 3 of 4, older 1 of 4.
  assert.equal(c0.n, 4)
  assert.deepEqual([c0.newerPassRate, c0.olderPassRate, c0.passContrast.value], [3 / 4, 1 / 4, 0.5])
  assert.equal(c0.saturation, null)
  // Labelled a (newer), b (older), c (newer): differences preferred − other +0.75, −0.25, +0.25
  // against their mirrors −0.75, +0.25, −0.25: 3 + 1.5 + 2.5 wins of 9.
  assert.equal(c0.auroc.items, 3)
  close(c0.auroc.value, 7 / 9, 'AUROC')
  // Alone, c0 puts newer above older in all 4, and agrees with people on a and c of a, b, c.
  assert.deepEqual([c0.accuracy.value, c0.humanAccuracy.value, c0.humanAccuracy.items], [1, 2 / 3, 3])
  close(c0.margin.value, (0.75 + 0.25 + 0.25 + 0.5) / 4, 'margin')
  // Leaving c0 out flips a, c and d of 5; with it all 5 prefer newer, without it b and e: +3/5.
  assert.deepEqual([c0.flips, c0.flipRate.value, c0.flipRate.items], [3, 3 / 5, 5])
  close(c0.addedValue.value, 3 / 5, 'added value')
  // People chose a side on a, b, c, e: with c0 the rubric agrees on a, c, e; without, on e only.
  assert.deepEqual([c0.humanDelta.value, c0.humanDelta.items], [(1 - 3) / 4, 4])
  assert.equal(c0.mark, 'load-bearing')
  assert.deepEqual([c0.statedAnswer, c0.matchesReference, c0.clusters], ['12', false, ['states-answer']])
  // c1: leaving it out flips e only; agreement falls from a, c, e to a, c.
  assert.deepEqual([c1.flips, c1.humanDelta.value], [1, -1 / 4])
  // c1 passes on a's older, c's both sides, e's newer and b's newer: newer 3 of 5, older 2 of 5.
  assert.deepEqual([c1.n, c1.newerPassRate, c1.olderPassRate], [5, 3 / 5, 2 / 5])
  assert.equal(c1.stability.items, 0)
  // Every rate shown comes with its interval where n allows.
  assert.ok(c0.flipRate.low !== null && c0.flipRate.high !== null)
  // The wrong stated answer is listed, with the reference.
  assert.deepEqual(engine.rows({ table: 'wrong-answers' }).rows, [
    { rubricId: 'k1', criterion: 0, text: 'The final answer is 12', statedAnswer: '12', reference: '13' },
  ])
  assert.equal(engine.summary().counts.wrongAnswers, 1)
})

test('criterion clusters: every answer-stating criterion left out at once', () => {
  const engine = new AnalysisEngine(criteriaRun())
  const clusters = engine.summary().clusters
  const answer = clusters.find((c) => c.cluster === 'states-answer')
  const holistic = clusters.find((c) => c.cluster === 'holistic')
  // One criterion per cluster here, so the cluster figures are the criterion's.
  assert.deepEqual(
    [answer?.criteria, answer?.n, answer?.flipRate.value, answer?.humanDelta.value],
    [1, 5, 3 / 5, -0.5]
  )
  assert.equal(answer?.mark, 'load-bearing')
  assert.deepEqual([holistic?.flipRate.value, holistic?.humanDelta.value], [1 / 5, -1 / 4])
  assert.equal(
    clusters.some((c) => c.cluster === 'dealbreaker'),
    false
  )
})

test('harmful and redundant criteria', () => {
  const engine = new AnalysisEngine(
    run(
      [
        // People prefer the older; with both criteria the rubric prefers the newer, without c0 the older.
        { id: 'p', newer: 0, older: 0, rubric: 'k2', critNewer: [1, 0, 0.5], critOlder: [0, 0.5, 0.5] },
      ],
      {
        rubrics: {
          k2: {
            reference: null,
            criteria: [facts('a', 1, ['concrete']), facts('b', 1, ['concrete']), facts('c', 1, ['holistic'])],
          },
        },
        labels: [label('p', 'older')],
      }
    )
  )
  const rows = engine.rows({ table: 'criteria', sort: 'criterion', desc: false }).rows as CriterionRow[]
  assert.deepEqual(
    rows.map((r) => r.mark),
    // Without c1 (.75 vs .25) or c2 (.5 vs .25) the rubric still prefers the newer.
    ['harmful', 'redundant', 'redundant']
  )
  assert.deepEqual(
    (engine.rows({ table: 'criteria', filter: 'harmful' }).rows as CriterionRow[]).map((r) => r.criterion),
    [0]
  )
})

const local = (
  pairId: string,
  side: 'n' | 'o',
  score: number,
  crit: number[] | null = null
): VerdictInput => ({
  judge: 'm@fp32#abc',
  protocol: 'criteria-logprob',
  template: 'criteria-logprob',
  templateVersion: 1,
  rubricId: 'k1',
  responseId: `${pairId}-${side}`,
  otherResponseId: null,
  score,
  criterionScores: crit,
  error: null,
})
const LOCAL = 'm@fp32#abc criteria-logprob criteria-logprob@1'

const transferRun = (withLabels: boolean, withVerdicts: boolean): AnalysisInput =>
  run(
    [
      { id: 'p1', newer: 1, older: 0, lengthDiff: 10 },
      { id: 'p2', newer: 1, older: 0, lengthDiff: 10 },
      { id: 'p3', newer: 0, older: 1, lengthDiff: -10 },
      { id: 'p4', newer: 0.5, older: 0.5, lengthDiff: 0 },
    ],
    {
      labels: withLabels
        ? [
            ...['newer', 'newer', 'older', 'tie'].map((l, i) => label(`p${i + 1}`, l, 'ann1')),
            ...['newer', 'older', 'older', 'newer'].map((l, i) => label(`p${i + 1}`, l, 'ann2')),
          ]
        : [],
      verdicts: withVerdicts
        ? [
            local('p1', 'n', 0.8, [1, 0.8]),
            local('p1', 'o', 0.2, [0, 0.2]),
            local('p2', 'n', 0.2, [0, 0.6]),
            local('p2', 'o', 0.8, [1, 0.6]),
            local('p3', 'n', 0.1, [0, 0]),
            local('p3', 'o', 0.9, [1, 1]),
            local('p4', 'n', 0.5, [1, 0]),
            local('p4', 'o', 0.5, [1, 0]),
          ]
        : [],
      rubrics: { k1 },
    }
  )

test('judge transfer and the agreement matrix: Cohen κ by hand', () => {
  const engine = new AnalysisEngine(transferRun(true, true))
  const summary = engine.summary()
  // Stored sides N N O T, local N O O T: po = 3/4, pe = (2·1 + 1·2 + 1·1)/16, κ = 7/11.
  const [transfer] = summary.transfer
  assert.deepEqual([transfer?.a, transfer?.b, transfer?.pairs], [LOCAL, STORED, 4])
  close(transfer?.preference.value, 7 / 11, 'preference κ')
  assert.equal(transfer?.preferenceAgreement, 3 / 4)
  // The stored judge recorded no criteria: nothing to compare criterion by criterion.
  assert.deepEqual([transfer?.criteria.value, transfer?.criteria.items], [null, 0])
  const cell = (a: string, b: string) =>
    summary.agreement.cells.find((c) => (c.a === a && c.b === b) || (c.a === b && c.b === a))
  // ann1 N N O T, ann2 N O O N: po = 2/4, pe = (2·2 + 1·2 + 1·0)/16, κ = 0.2.
  close(cell('ann1', 'ann2')?.kappa.value, 0.2, 'human–human κ')
  assert.equal(cell('ann1', 'ann2')?.kind, 'human-human')
  close(cell('ann1', STORED)?.kappa.value, 1, 'ann1–stored κ')
  close(cell(LOCAL, STORED)?.kappa.value, 7 / 11, 'judge–judge κ')
  assert.equal(cell(LOCAL, STORED)?.kind, 'judge-judge')
  assert.deepEqual(
    summary.agreement.raters.map((r) => r.kind),
    ['human', 'human', 'judge', 'judge']
  )
  // Margins 1, 1, −1, 0 against length differences 10, 10, −10, 0: r = 1.
  close(summary.lengthBias.find((r) => r.rater === STORED)?.correlation.value, 1, 'length r')
  // People (majority): p1 newer, p3 older (p2, p4 tie): +1, −1 against +10, −10.
  close(summary.lengthBias.find((r) => r.rater === 'people')?.correlation.value, 1, 'people length r')
  assert.deepEqual([summary.counts.labelledPairs, summary.counts.annotators], [4, 2])
})

test('a new label or verdict updates the figures as a fresh build gives them', () => {
  const incremental = new AnalysisEngine(transferRun(false, false))
  incremental.summary()
  const full = transferRun(true, true)
  incremental.addVerdicts(full.verdicts.slice(0, 3))
  incremental.addVerdicts(full.verdicts.slice(3))
  for (const pairId of ['p1', 'p2', 'p3', 'p4'])
    incremental.setLabels(
      pairId,
      full.labels.filter((l) => l.pairId === pairId)
    )
  // A label changed and changed back leaves no trace.
  incremental.setLabels('p1', [label('p1', 'older', 'ann1')])
  incremental.setLabels(
    'p1',
    full.labels.filter((l) => l.pairId === 'p1')
  )
  const fresh = new AnalysisEngine(full)
  const round = (x: unknown): unknown =>
    JSON.parse(JSON.stringify(x, (_, v: unknown) => (typeof v === 'number' ? Math.round(v * 1e9) / 1e9 : v)))
  const figures = (e: AnalysisEngine): unknown => round({ ...e.summary(), timings: null })
  assert.deepEqual(figures(incremental), figures(fresh))
  for (const table of ['rubrics', 'criteria'] as const)
    assert.deepEqual(round(incremental.rows({ table, sort: 'n' })), round(fresh.rows({ table, sort: 'n' })))
})

test('the input packed for the worker thread unpacks to the same input', () => {
  const input = criteriaRun()
  input.pairs.rubric[1] = null
  const back = unpackInput(structuredClone(packInput(input)))
  assert.deepEqual(back, input)
  const engine = new AnalysisEngine(back)
  assert.equal(engine.summary().counts.wrongAnswers, 1)
})
