// Checked against published worked examples.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bootstrap, cohenKappa, fleissKappa, krippendorffAlpha, percentAgreement } from './agreement'

const close = (actual: number | null, expected: number, digits = 3): void => {
  assert.ok(actual !== null, 'a value')
  assert.equal(Number(actual.toFixed(digits)), expected, `${actual} ≈ ${expected}`)
}

function pairsOf(table: [string, string, number][]): [string, string][] {
  return table.flatMap(([a, b, n]) => Array.from({ length: n }, () => [a, b] as [string, string]))
}

test("Cohen's κ: the two-reader yes/no example (20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no) is 0.4", () => {
  const pairs = pairsOf([
    ['yes', 'yes', 20],
    ['yes', 'no', 5],
    ['no', 'yes', 10],
    ['no', 'no', 15],
  ])
  close(cohenKappa(pairs), 0.4)
  close(percentAgreement(pairs), 0.7)
  assert.equal(cohenKappa([]), null)
  assert.equal(cohenKappa(pairsOf([['a', 'a', 5]])), 1, 'perfect agreement on one category')
})

test("Fleiss' κ: Fleiss (1971) / the 10 subjects × 14 raters × 5 categories example is 0.210", () => {
  const counts = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
  ]
  close(fleissKappa(counts), 0.21)
  assert.equal(
    fleissKappa([
      [1, 1],
      [3, 0],
    ]),
    null,
    'unequal numbers of ratings'
  )
})

test("Krippendorff's α (nominal): the 4 observers × 12 units example with missing values is 0.743", () => {
  // Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011): rows are observers A–D.
  const data = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
    [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
  ]
  const units = Array.from({ length: 12 }, (_, u) =>
    data
      .map((row) => row[u])
      .filter((v): v is number => v !== null && v !== undefined)
      .map(String)
  )
  close(krippendorffAlpha(units), 0.743)
})

test('bootstrap: seeded, the interval brackets the estimate, too few items give no interval', () => {
  const pairs = pairsOf([
    ['yes', 'yes', 20],
    ['yes', 'no', 5],
    ['no', 'yes', 10],
    ['no', 'no', 15],
  ])
  const a = bootstrap(pairs, cohenKappa, { seed: 3 })
  const b = bootstrap(pairs, cohenKappa, { seed: 3 })
  assert.deepEqual(a, b)
  assert.ok(a.low !== null && a.high !== null && a.value !== null)
  assert.ok(a.low < a.value && a.value < a.high, JSON.stringify(a))
  assert.ok(a.low > 0 && a.high < 0.8)
  assert.deepEqual(bootstrap([['a', 'a'] as [string, string]], cohenKappa), {
    value: 1,
    low: null,
    high: null,
    items: 1,
  })
})
