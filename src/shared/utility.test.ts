// Discriminative utility against hand-computed values: ties, missing (NaN) scores, pairs without
// a baseline, and human labels that disagree with "newer is better".
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  auroc,
  criterionUtility,
  humanMajority,
  overallUtility,
  rubricUtility,
  type ScoredPair,
} from './utility'

const pair = (
  id: string,
  newer: number | null,
  older: number | null,
  extra: Partial<ScoredPair> = {}
): ScoredPair => ({
  pairId: id,
  rubricId: 'k1',
  judge: 'stored',
  newer,
  older,
  baseline: null,
  human: null,
  ...extra,
})

test('accuracy, ties, margin and unscored pairs, by hand', () => {
  const [row] = rubricUtility([
    pair('a', 0.9, 0.1), // newer above: +0.8
    pair('b', 0.2, 0.6), // older above: −0.4
    pair('c', 0.5, 0.5), // tie: 0, counts as not newer-above
    pair('d', 0.7, 0.3), // +0.4
    pair('e', null, 0.3), // unscored (a parse failure)
    pair('f', Number.NaN, 0.3), // NaN as the EvoLM files write it: unscored too
  ])
  assert.ok(row !== undefined)
  assert.equal(row.n, 4)
  assert.equal(row.unscored, 2)
  assert.equal(row.ties, 1)
  assert.equal(row.accuracy.value, 2 / 4)
  assert.equal(row.accuracy.items, 4)
  assert.equal(row.tieRate, 1 / 4)
  assert.ok(Math.abs((row.margin.value ?? NaN) - (0.8 - 0.4 + 0 + 0.4) / 4) < 1e-12)
  assert.ok(row.accuracy.low !== null && row.accuracy.low <= 0.5 && (row.accuracy.high ?? 0) >= 0.5)
  // No human labels, no baseline: no figures, and their n says so.
  assert.deepEqual([row.humanAccuracy.value, row.humanAccuracy.items, row.humanGap], [null, 0, null])
  assert.deepEqual([row.addedValue.value, row.addedValue.items], [null, 0])
})

test('against people: agreement where they chose a side, and the gap to the temporal label', () => {
  const [row] = rubricUtility([
    pair('a', 0.9, 0.1, { human: 'newer' }), // judge newer, people newer: agrees
    pair('b', 0.9, 0.1, { human: 'older' }), // judge newer, people older: disagrees
    pair('c', 0.2, 0.8, { human: 'older' }), // judge older, people older: agrees
    pair('d', 0.5, 0.5, { human: 'newer' }), // a judge tie never agrees
    pair('e', 0.9, 0.1, { human: 'tie' }), // people tied: not counted
  ])
  assert.ok(row !== undefined)
  assert.equal(row.humanAccuracy.items, 4)
  assert.equal(row.humanAccuracy.value, 2 / 4)
  // On those 4 pairs the judge put newer above older in 2 (a, b): temporal 0.5, human 0.5.
  assert.equal(row.humanGap, 0)
})

test("the rubric's added value: with − without, on the pairs both were scored", () => {
  const [row] = rubricUtility([
    pair('a', 0.9, 0.1, { baseline: { newer: 0.4, older: 0.6 } }), // with: yes, without: no
    pair('b', 0.9, 0.1, { baseline: { newer: 0.6, older: 0.4 } }), // yes, yes
    pair('c', 0.1, 0.9, { baseline: { newer: 0.6, older: 0.4 } }), // no, yes
    pair('d', 0.9, 0.1, { baseline: { newer: null, older: 0.4 } }), // baseline unscored: left out
    pair('e', 0.9, 0.1), // no baseline: left out
  ])
  assert.ok(row !== undefined)
  assert.equal(row.addedValue.items, 3)
  assert.ok(Math.abs((row.addedValue.value ?? NaN) - (2 / 3 - 2 / 3)) < 1e-12)
  assert.equal(row.accuracy.value, 4 / 5)
})

test('one row per judge and rubric; verdicts without a rubric are only baselines', () => {
  const rows = rubricUtility([
    pair('a', 1, 0),
    pair('a', 0, 1, { judge: 'local' }),
    pair('a', 1, 0, { rubricId: 'k2' }),
    pair('a', 1, 0, { rubricId: null }),
  ])
  assert.deepEqual(
    rows.map((r) => [r.judge, r.rubricId, r.accuracy.value]),
    [
      ['local', 'k1', 0],
      ['stored', 'k1', 1],
      ['stored', 'k2', 1],
    ]
  )
})

test('the human majority: a side needs more votes than the other side and than tie', () => {
  assert.equal(humanMajority(['newer', 'newer', 'older']), 'newer')
  assert.equal(humanMajority(['newer', 'older']), 'tie')
  assert.equal(humanMajority(['older', 'tie', 'skip', 'both-bad']), 'tie')
  assert.equal(humanMajority(['older', 'older', 'tie']), 'older')
  assert.equal(humanMajority(['skip', 'both-bad']), null)
})

test('overall rows pool every rubric of a judge', () => {
  const rows = overallUtility([
    pair('a', 1, 0),
    pair('b', 0, 1, { rubricId: 'k2' }),
    pair('c', 1, 0, { rubricId: 'k3' }),
  ])
  assert.deepEqual(
    rows.map((r) => [r.judge, r.rubricId, r.n, r.accuracy.value]),
    [['stored', '*', 3, 2 / 3]]
  )
})

test('per criterion: pass-rate contrast, saturation and AUROC against people, by hand', () => {
  const c = (newer: number | null, older: number | null, human: ScoredPair['human'] = null) => ({
    pairId: 'p',
    newer,
    older,
    human,
  })
  // Scores exactly representable in binary, so equal differences really tie.
  const u = criterionUtility([
    c(1, 0.25, 'newer'), // newer passes, older fails; preferred − other = +0.75
    c(0.75, 0.5, 'older'), // both pass; preferred (older) − other = −0.25
    c(0.375, 0.125, 'newer'), // both fail; +0.25
    c(0.75, 0.25), // no label
    c(null, 0.5, 'newer'), // unscored: left out
  ])
  assert.equal(u.n, 4)
  assert.equal(u.newerPassRate, 3 / 4) // 1, 0.75, 0.75
  assert.equal(u.olderPassRate, 1 / 4) // 0.5
  assert.equal(u.passContrast.value, 0.5)
  assert.equal(u.saturation, null)
  // Diffs +0.75, −0.25, +0.25 against their mirrors −0.75, +0.25, −0.25:
  // +0.75 wins 3; −0.25 beats −0.75 and ties −0.25 (1.5); +0.25 beats two and ties one (2.5) → 7 of 9.
  assert.equal(u.auroc.items, 3)
  assert.ok(Math.abs((u.auroc.value ?? NaN) - 7 / 9) < 1e-12)
  assert.equal(criterionUtility([c(0.99, 0.97), c(0.98, 0.96)]).saturation, 'always-passes')
  assert.equal(criterionUtility([c(0.01, 0.02)]).saturation, 'always-fails')
  assert.equal(auroc([], [1]), null)
  assert.equal(auroc([1, 1], [1]), 0.5)
})
