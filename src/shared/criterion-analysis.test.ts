import assert from 'node:assert/strict'
import { test } from 'node:test'
import { analyzeCriterion, answersMatch, extractStatedAnswer } from './criterion-analysis'

const ctx = { totalWeight: 1, reference: null }
const criterion = (
  text: string,
  weight: number | null = 0.2
): { text: string; weight: number | null; scoringLevels: [] } => ({
  text,
  weight,
  scoringLevels: [],
})

test('stated answers are extracted from the usual phrasings, and qualities are not taken for answers', () => {
  const cases: [string, string | null][] = [
    ['The final answer is equivalent to 89', '89'],
    ['The answer is mathematically equivalent to $\\frac{3}{4}$.', '$\\frac{3}{4}$'],
    ['The response states that the answer is Kyoto', 'Kyoto'],
    ['Correct answer: x = 2 (any equivalent form)', 'x = 2'],
    ['The response states that the answer is Mount Everest (Chomolungma)', 'Mount Everest'],
    ['The final answer is equivalent to $(x, y) = (2, 3)$', '$(x, y) = (2, 3)$'],
    ['The final answer should be 3.5, and the units are given', '3.5'],
    ['The final answer is clearly marked, for example boxed or in bold', null],
    ['The answer is correct', null],
    ['The response answers the underlying question correctly', null],
    ['The response is helpful', null],
  ]
  for (const [text, want] of cases) assert.equal(extractStatedAnswer(text), want, text)
})

test('answers compare by value, not by spelling', () => {
  assert.equal(answersMatch('144', '144'), true)
  assert.equal(answersMatch('$\\boxed{144}$', '144'), true)
  assert.equal(answersMatch('1,000', '1000'), true)
  assert.equal(answersMatch('x = 2', '2'), true)
  assert.equal(answersMatch('\\frac{3}{4}', '0.75'), true)
  assert.equal(answersMatch('75%', '3/4'), true)
  assert.equal(answersMatch('Tokyo', 'tokyo.'), true)
  assert.equal(answersMatch('Mount Everest', 'Mount Everest (Chomolungma)'), true)
  assert.equal(answersMatch('(x, y) = (2, 3)', '(x, y) = (2, 3)'), true)
  assert.equal(answersMatch('(x, y) = (3.2, 2.2)', '(x, y) = (2, 3)'), false)
  assert.equal(answersMatch('142', '144'), false)
  assert.equal(answersMatch('Kyoto', 'Tokyo'), false)
})

test('concrete checks and holistic judgements, with their reasons', () => {
  const kinds: [string, 'concrete' | 'holistic'][] = [
    ['The final answer is equivalent to 89', 'concrete'],
    ['The response contains exactly 3 bullet points', 'concrete'],
    ['The response is under 50 words', 'concrete'],
    ['The code is correct: is_palindrome("A man, a plan") returns True', 'concrete'],
    ['The response is helpful', 'holistic'],
    ['The response is of high overall quality', 'holistic'],
    ['The wording is clear and natural', 'holistic'],
    ['The text reads nicely', 'holistic'],
  ]
  for (const [text, kind] of kinds) {
    const a = analyzeCriterion(criterion(text), ctx)
    assert.equal(a.kind, kind, text)
    assert.ok(
      a.reasons.some((r) => r.startsWith(kind)),
      `${text}: ${a.reasons.join(' | ')}`
    )
  }
})

test('dealbreakers by weight share or explicit wording', () => {
  assert.equal(
    analyzeCriterion(criterion('The final answer is equivalent to 12', 0.6), ctx).dealbreaker,
    true
  )
  assert.equal(
    analyzeCriterion(criterion('The final answer is equivalent to 12', 3), {
      totalWeight: 10,
      reference: null,
    }).dealbreaker,
    false
  )
  assert.equal(analyzeCriterion(criterion('Dealbreaker: the code compiles', 0.1), ctx).dealbreaker, true)
  assert.equal(analyzeCriterion(criterion('The response must be polite', 0.1), ctx).dealbreaker, false)
  assert.equal(analyzeCriterion(criterion('Whatever it says', null), ctx).dealbreaker, false)
})

test('a stated answer is checked against the reference where the run has one', () => {
  const right = analyzeCriterion(criterion('The final answer is equivalent to 144', 0.7), {
    totalWeight: 1,
    reference: '144',
  })
  assert.equal(right.matchesReference, true)
  const wrong = analyzeCriterion(criterion('The final answer is equivalent to 142', 0.7), {
    totalWeight: 1,
    reference: '144',
  })
  assert.equal(wrong.matchesReference, false)
  assert.ok(wrong.reasons.some((r) => r.includes('differs from the reference (144)')))
  const unknown = analyzeCriterion(criterion('The final answer is equivalent to 142', 0.7), ctx)
  assert.equal(unknown.matchesReference, null)
})
