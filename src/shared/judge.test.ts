import assert from 'node:assert/strict'
import { test } from 'node:test'
import { choiceProbability, pairMargin, parsePointwise, verdictKey, weightedScore } from './judge'

test('parsePointwise reads the last JSON object with a score, past think blocks and fences', () => {
  assert.deepEqual(parsePointwise('{"reasoning": "ok", "score": 0.8}'), {
    score: 0.8,
    reasoning: 'ok',
    problem: null,
  })
  assert.equal(
    parsePointwise('<think>{"score": 0.1}</think>```json\n{"reasoning":"a {b}","score":"0.5"}\n```').score,
    0.5
  )
  assert.equal(parsePointwise('draft {"score": 0.2} final {"score": 0.9}').score, 0.9)
  assert.match(parsePointwise('no json here').problem ?? '', /no JSON object/)
  assert.match(parsePointwise('{"score": 7}').problem ?? '', /outside \[0, 1\]/)
  assert.match(parsePointwise('{"score": "high"}').problem ?? '', /not a number/)
  assert.equal(parsePointwise('{"score": 0.5').score, null)
})

test('weightedScore normalizes by the weights; a missing weight counts 1, a bad one 0', () => {
  assert.equal(weightedScore([1, 0], [0.75, 0.25]), 0.75)
  assert.equal(weightedScore([1, 0], [null, null]), 0.5)
  assert.equal(weightedScore([1, 0], [-1, 1]), 0)
  assert.equal(weightedScore([], []), null)
})

test('choiceProbability is a two-way softmax, stable for large log-probabilities', () => {
  assert.equal(choiceProbability(-1, -1), 0.5)
  assert.ok(Math.abs(choiceProbability(Math.log(0.3), Math.log(0.1)) - 0.75) < 1e-12)
  assert.equal(choiceProbability(-1000, -2000), 1)
})

test('verdict keys separate judge, protocol, template version, rubric and response', () => {
  const base = {
    judge: 'j',
    protocol: 'criteria-logprob',
    template: 't',
    templateVersion: 1,
    rubricId: 'k',
    responseId: 'r',
    otherResponseId: null,
  } as const
  const keys = new Set([
    verdictKey(base),
    verdictKey({ ...base, templateVersion: 2 }),
    verdictKey({ ...base, rubricId: null }),
    verdictKey({ ...base, otherResponseId: 'o' }),
    verdictKey({ ...base, judge: 'k' }),
  ])
  assert.equal(keys.size, 5)
})

test('pairMargin: newer minus older, or P(newer) − 0.5 for pairwise verdicts', () => {
  const v = (score: number | null) => ({ score }) as never
  assert.equal(pairMargin({ newer: v(0.75), older: v(0.25), pair: null }), 0.5)
  assert.equal(pairMargin({ newer: v(0.75), older: v(null), pair: null }), null)
  assert.equal(pairMargin({ newer: null, older: null, pair: v(0.25) }), -0.25)
})
