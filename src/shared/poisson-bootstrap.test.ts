// The Poisson bootstrap: weights with Poisson(1)'s mean and variance, intervals that bracket the
// value and narrow with n, and sums that an item's removal or change puts back exactly.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { BootstrapSums, itemKey, poissonWeight, ratio, ROUNDS, weightedEstimate } from './poisson-bootstrap'

test('weights follow Poisson(1): mean 1, variance 1, P(0) = 1/e', () => {
  let sum = 0
  let squares = 0
  let zeros = 0
  const draws = 200_000
  for (let i = 0; i < draws; i++) {
    const w = poissonWeight(i, i % ROUNDS)
    sum += w
    squares += w * w
    if (w === 0) zeros++
  }
  const mean = sum / draws
  assert.ok(Math.abs(mean - 1) < 0.01, `mean ${mean}`)
  assert.ok(Math.abs(squares / draws - mean * mean - 1) < 0.02)
  assert.ok(Math.abs(zeros / draws - Math.exp(-1)) < 0.005)
  assert.equal(poissonWeight(7, 3), poissonWeight(7, 3))
  assert.equal(itemKey('pair-1'), itemKey('pair-1'))
  assert.notEqual(itemKey('pair-1'), itemKey('pair-2'))
})

test('a proportion: the interval brackets it and narrows as n grows; n < 2 has none', () => {
  const interval = (n: number): [number, number, number] => {
    const sums = new BootstrapSums(2)
    for (let i = 0; i < n; i++) sums.add(i, [1, i % 4 === 0 ? 1 : 0])
    const e = sums.estimate(ratio(1, 0), n)
    assert.equal(e.items, n)
    return [e.low ?? NaN, e.value ?? NaN, e.high ?? NaN]
  }
  const [lo40, v40, hi40] = interval(40)
  const [lo4000, v4000, hi4000] = interval(4000)
  assert.equal(v40, 0.25)
  assert.equal(v4000, 0.25)
  assert.ok(lo40 < 0.25 && hi40 > 0.25)
  assert.ok(lo4000 < 0.25 && hi4000 > 0.25)
  assert.ok(hi4000 - lo4000 < (hi40 - lo40) / 5)
  // The textbook interval for p = 0.25, n = 4000 is ±0.0134; the bootstrap's agrees.
  assert.ok(Math.abs(hi4000 - lo4000 - 2 * 0.0134) < 0.006, `${lo4000} ${hi4000}`)
  const one = new BootstrapSums(2)
  one.add(1, [1, 1])
  assert.deepEqual(one.estimate(ratio(1, 0), 1), { value: 1, low: null, high: null, items: 1 })
})

test('removing or changing an item gives the sums a fresh build gives', () => {
  const kept = new BootstrapSums(3)
  const fresh = new BootstrapSums(3)
  for (let i = 0; i < 50; i++) kept.add(i, [1, i % 3, i * 0.5])
  kept.add(99, [1, 7, 7], -1) // an item that was never there, taken away…
  kept.add(99, [1, 7, 7]) // …and put back: nothing
  kept.change(10, [1, 1, 5], [1, 2, 5]) // item 10's second quantity from 1 to 2
  for (let i = 0; i < 50; i++) fresh.add(i, [1, i === 10 ? 2 : i % 3, i * 0.5])
  const a = kept.estimate(ratio(1, 0), 50)
  const b = fresh.estimate(ratio(1, 0), 50)
  assert.ok(Math.abs((a.value ?? 0) - (b.value ?? 1)) < 1e-12)
  assert.ok(Math.abs((a.low ?? 0) - (b.low ?? 1)) < 1e-12)
  assert.ok(Math.abs((a.high ?? 0) - (b.high ?? 1)) < 1e-12)
  const points = new BootstrapSums(3, false)
  for (let i = 0; i < 50; i++) points.add(i, [1, i === 10 ? 2 : i % 3, i * 0.5])
  assert.deepEqual(points.estimate(ratio(1, 0), 50), { value: b.value, low: null, high: null, items: 50 })
})

test('a statistic that is not a sum, with the same weights per round', () => {
  const items = Array.from({ length: 30 }, (_, i) => ({ item: i, x: i }))
  const e = weightedEstimate(items, (xs, w) => {
    let best = -Infinity
    xs.forEach((it, i) => {
      if ((w[i] as number) > 0) best = Math.max(best, it.x)
    })
    return best
  })
  assert.equal(e.value, 29)
  assert.equal(e.high, 29)
  assert.ok((e.low ?? 29) < 29)
})
