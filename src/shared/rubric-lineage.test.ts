import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Criterion } from './domain'
import { diffCriteria } from './rubric-lineage'

const c = (text: string, weight: number | null): Criterion => ({ text, weight, scoringLevels: [] })

test('criterion-level diff: kept, reworded, reweighted, both, added, removed', () => {
  const before = [
    c('The final answer is equivalent to 144', 0.5),
    c('The reasoning is shown step by step', 0.2),
    c('The response is concise', 0.2),
    c('Uses correct notation', 0.1),
  ]
  const after = [
    c('The final answer is equivalent to 144', 0.6),
    c('The reasoning is shown clearly step by step', 0.2),
    c('The response is concise', 0.1),
    c('The response verifies the result', 0.1),
  ]
  const changes = diffCriteria(before, after)
  assert.deepEqual(
    changes.map((x) => [x.kind, x.before, x.after]),
    [
      ['reweighted', 0, 0],
      ['reworded', 1, 1],
      ['reweighted', 2, 2],
      ['removed', 3, null],
      ['added', null, 3],
    ]
  )
  const reworded = changes[1]
  assert.ok(reworded !== undefined && reworded.similarity > 0.5 && reworded.similarity < 1)
})

test('identical rubrics are all kept; unrelated ones are all added and removed', () => {
  const rubric = [c('A', 0.5), c('B', 0.5)]
  assert.deepEqual(
    diffCriteria(rubric, rubric).map((x) => x.kind),
    ['kept', 'kept']
  )
  const other = diffCriteria([c('The response is polite', 1)], [c('Mentions the capital city', 1)])
  assert.deepEqual(
    other.map((x) => x.kind),
    ['removed', 'added']
  )
})

test('rewording and reweighting together; pairing prefers the most similar text', () => {
  const changes = diffCriteria(
    [c('The code handles empty input', 0.3), c('The code handles negative numbers', 0.3)],
    [c('The code handles negative numbers and zero', 0.2), c('The code handles empty input', 0.3)]
  )
  assert.deepEqual(
    changes.map((x) => [x.kind, x.before, x.after]),
    [
      ['reworded-reweighted', 1, 0],
      ['kept', 0, 1],
    ]
  )
})
