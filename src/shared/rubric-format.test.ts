import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseRubric, splitThinking, summarizeRubric } from './rubric-format'

const valid = (weights: number[]): string =>
  JSON.stringify({
    criteria: weights.map((w, i) => ({
      criterion: `c${i}`,
      weight: w,
      scoring_levels: { '1.0': 'yes', '0.0': 'no' },
    })),
  })

test('the EvoLM format rule: ≥ 2 criteria, weights > 0 summing to 1 ± 0.15', () => {
  assert.equal(parseRubric(valid([0.5, 0.5])).formatValid, true)
  assert.equal(parseRubric(valid([0.6, 0.54])).formatValid, true)
  assert.equal(parseRubric(`<think>hmm</think>\n${valid([0.7, 0.3])}`).formatValid, true)
  const cases: [string, RegExp][] = [
    [valid([1]), /has 1 item; at least 2/],
    [valid([0.5, 0.5, 0.6]), /weights sum to 1.6/],
    [valid([1, 0]), /criterion 2 has weight 0/],
    [
      JSON.stringify({
        criteria: [
          { criterion: 'a', weight: '0.5' },
          { criterion: 'b', weight: 0.5 },
        ],
      }),
      /criterion 1 has no numeric weight/,
    ],
    [
      JSON.stringify({
        criteria: [
          { text: 'a', weight: 0.5 },
          { criterion: 'b', weight: 0.5 },
        ],
      }),
      /criterion 1 has no "criterion" field/,
    ],
    [JSON.stringify({ items: [] }), /no "criteria" list/],
    ['[1, 2]', /an array, not an object/],
    ['Judge whether the answer is good.', /not a bare JSON object \(no JSON object found/],
    ['<think>only thinking</think>', /empty after the thinking block/],
  ]
  for (const [text, reason] of cases) {
    const parsed = parseRubric(text)
    assert.equal(parsed.formatValid, false, text)
    assert.match(parsed.invalidReason ?? '', reason, text)
  }
})

test('criteria are still read from rubrics wrapped in prose or a fence', () => {
  const parsed = parseRubric(`Sure!\n\`\`\`json\n${valid([0.25, 0.75])}\n\`\`\`\nDone.`)
  assert.equal(parsed.formatValid, false)
  assert.deepEqual(
    parsed.criteria?.map((c) => [c.text, c.weight, c.scoringLevels.length]),
    [
      ['c0', 0.25, 2],
      ['c1', 0.75, 2],
    ]
  )
})

test('splitThinking handles open/close, a lone close, and a cut-off block', () => {
  assert.deepEqual(splitThinking('<think>a</think>b'), { thinking: 'a', answer: 'b' })
  assert.deepEqual(splitThinking('plan</think>\nanswer'), { thinking: 'plan', answer: 'answer' })
  assert.deepEqual(splitThinking('<think>still going'), { thinking: 'still going', answer: '' })
  assert.deepEqual(splitThinking('no thinking'), { thinking: null, answer: 'no thinking' })
})

test('summarizeRubric agrees with parseRubric on count and validity', () => {
  const texts = [
    valid([0.5, 0.5]),
    valid([1]),
    valid([0.5, 0.5, 0.6]),
    `<think>x</think>${valid([0.3, 0.7])}`,
    JSON.stringify({ criteria: ['a', 1, { criterion: 'b', weight: 1 }] }),
    JSON.stringify({ rubric: [{ title: 't', weight: 5 }] }),
    'Sure: ```json\n' + valid([0.5, 0.5]) + '\n```',
    'free text',
    '',
    `intro <think>x</think>${valid([0.5, 0.5])}`,
    `<think>a</think>${valid([0.5, 0.5])}</think>`,
    `${valid([0.5, 0.5])}<think>cut off`,
    `</think>${valid([0.4, 0.6])}`,
    `<think>a</think><think>b</think>${valid([0.5, 0.5])}`,
  ]
  for (const text of texts) {
    const full = parseRubric(text)
    assert.deepEqual(
      summarizeRubric(text),
      { criteria: full.criteria?.length ?? 0, formatValid: full.formatValid },
      text
    )
  }
})
