// The three protocols on the smoke-test judge: scores in range, the pairwise order swap, the
// no-rubric baseline, parse failures kept with their text, and inputs too long for the context.
import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import type { JudgeProtocol } from '../../shared/judge'
import { smokeTestModelDir } from '../resources'
import { JudgeEngine } from './judge-engine'
import { bundledTemplate, type JudgeTemplate } from './judge-template'
import {
  fitted,
  runProtocol,
  waterLevel,
  type ItemResult,
  type ItemRubric,
  type JudgeItem,
} from './protocols'

let engine: JudgeEngine
const templates = new Map<JudgeProtocol, JudgeTemplate>()
before(async () => {
  engine = await JudgeEngine.load(smokeTestModelDir, { device: 'cpu', dtype: 'fp32' })
  for (const p of ['pointwise-json', 'criteria-logprob', 'pairwise-logprob'] as const)
    templates.set(p, await bundledTemplate(p))
})

const rubric: ItemRubric = {
  id: 'k1',
  criteria: [
    { text: 'The answer is equivalent to 7', weight: 0.6, levels: '' },
    { text: 'The response explains the addition', weight: 0.3, levels: '' },
    { text: 'The response is brief', weight: null, levels: '' },
  ],
  checklist:
    '1. The answer is equivalent to 7 (weight 0.6)\n2. The response explains the addition (weight 0.3)\n3. The response is brief',
}

function item(key: string, response: string, other: string | null = null, withRubric = true): JudgeItem {
  return {
    key,
    prompt: 'What is 3+4?',
    rubric: withRubric ? rubric : null,
    responseId: `${key}-a`,
    response,
    otherResponseId: other === null ? null : `${key}-b`,
    other,
  }
}

async function run(
  protocol: JudgeProtocol,
  items: JudgeItem[],
  prefixReuse = true
): Promise<Map<string, ItemResult>> {
  const results = new Map<string, ItemResult>()
  await runProtocol(engine, templates.get(protocol) as JudgeTemplate, items, {
    batch: 2,
    prefixReuse,
    seed: 7,
    shouldStop: () => false,
    onResult: (r) => results.set(r.key, r),
  })
  assert.equal(results.size, items.length, 'one result per item')
  return results
}

const answers = [
  'It is 7, since 3 + 4 = 7.',
  'Eight.',
  'Counting up from three: four, five, six, seven. So 7.',
]

test('criteria-logprob: P(yes) per criterion, and the weight-normalized sum, all in [0, 1]', async () => {
  const results = await run(
    'criteria-logprob',
    answers.map((a, i) => item(`c${i}`, a))
  )
  for (const r of results.values()) {
    assert.equal(r.error, null)
    assert.equal(r.criterionScores?.length, 3)
    for (const p of r.criterionScores ?? []) assert.ok(p > 0 && p < 1, `P(yes) = ${p}`)
    const [a, b, c] = r.criterionScores as [number, number, number]
    // A missing weight counts 1.
    assert.ok(Math.abs((r.score ?? NaN) - (0.6 * a + 0.3 * b + 1 * c) / 1.9) < 1e-12)
  }
  // Without reuse: the same numbers.
  const whole = await run(
    'criteria-logprob',
    answers.map((a, i) => item(`c${i}`, a)),
    false
  )
  for (const [key, r] of results)
    assert.ok(Math.abs((r.score ?? NaN) - (whole.get(key)?.score ?? NaN)) < 1e-4)
})

test('criteria-logprob without a rubric: one holistic question, a different score from the rubric one', async () => {
  const withRubric = await run('criteria-logprob', [item('x', answers[0] as string)])
  const without = await run('criteria-logprob', [item('x', answers[0] as string, null, false)])
  const r = without.get('x') as ItemResult
  assert.equal(r.criterionScores, null)
  assert.ok(r.score !== null && r.score > 0 && r.score < 1)
  assert.notEqual(r.score, withRubric.get('x')?.score)
})

test('pairwise-logprob: both orders are read, and swapping the pair gives the complement', async () => {
  for (const withRubric of [true, false]) {
    const forward = await run('pairwise-logprob', [
      item('ab', answers[0] as string, answers[1] as string, withRubric),
    ])
    const swapped = await run('pairwise-logprob', [
      item('ab', answers[1] as string, answers[0] as string, withRubric),
    ])
    const f = forward.get('ab') as ItemResult
    const s = swapped.get('ab') as ItemResult
    assert.ok(f.score !== null && f.score > 0 && f.score < 1)
    assert.ok(Math.abs((f.score ?? NaN) + (s.score ?? NaN) - 1) < 1e-4, `${f.score} + ${s.score}`)
    const [first, second] = f.orderScores as [number, number]
    assert.ok(Math.abs((f.score ?? NaN) - (first + 1 - second) / 2) < 1e-12)
  }
})

test('pointwise-json: a score in [0, 1] or a parse failure with the whole text; the same text on a rerun', async () => {
  const items = answers.map((a, i) => item(`p${i}`, a))
  const first = await run('pointwise-json', items)
  const again = await run('pointwise-json', items)
  for (const [key, r] of first) {
    assert.equal(r.error, null)
    assert.equal(typeof r.raw, 'string')
    if (r.parseFailure) assert.equal(r.score, null)
    else assert.ok(r.score !== null && r.score >= 0 && r.score <= 1)
    assert.equal(again.get(key)?.raw, r.raw, 'seeded sampling repeats')
  }
  const none = await run('pointwise-json', [item('n', answers[0] as string, null, false)])
  assert.equal(none.get('n')?.error, null)
})

test('a response longer than the context is cut and flagged, never a crash', async () => {
  const long = 'a very long answer that goes on and on. '.repeat(engine.contextLength / 8)
  const results = await run('criteria-logprob', [item('long', long), item('short', 'Seven.')])
  assert.equal(results.get('long')?.truncated, true)
  assert.equal(results.get('long')?.error, null)
  assert.ok((results.get('long')?.score ?? -1) >= 0)
  assert.equal(results.get('short')?.truncated, false)
})

test('a pair with one long response: the long one is cut, the short one kept whole', async () => {
  const long = 'a very long answer that goes on and on. '.repeat(engine.contextLength / 8)
  const results = await run('pairwise-logprob', [item('lp', long, 'Seven, because 3 + 4 = 7.')])
  const r = results.get('lp') as ItemResult
  assert.equal(r.error, null)
  assert.equal(r.truncated, true)
  assert.ok(r.score !== null && r.score > 0 && r.score < 1)
  const short = 'Seven, because 3 + 4 = 7.'
  const render = ([a, b]: string[]): number[][] => [
    engine.chat([{ role: 'user', content: `${a}\n---\n${b}` }]),
  ]
  const fit = fitted(engine, [long, short], render, 500)
  assert.equal(fit.texts[1], short)
  assert.match(fit.texts[0] ?? '', /cut to fit the judge’s context\]$/)
  assert.ok((fit.sequences[0]?.length ?? Infinity) <= 500)
  assert.throws(
    () => fitted(engine, ['x'], () => [new Array<number>(600).fill(1)], 500),
    /instructions alone take more/
  )
})

test('waterLevel caps the longest first', () => {
  assert.equal(waterLevel([10, 100], 60), 50)
  assert.equal(waterLevel([10, 100], 200), 100)
  assert.equal(waterLevel([30, 30], 40), 20)
  assert.equal(waterLevel([5, 5], 0), 0)
})

test('a template without a no-rubric section fails the items that need it, with the reason', async () => {
  const template = { ...(templates.get('criteria-logprob') as JudgeTemplate), userWithoutRubric: null }
  const results: ItemResult[] = []
  await runProtocol(engine, template, [item('x', 'Seven.', null, false)], {
    batch: 1,
    prefixReuse: true,
    seed: 0,
    shouldStop: () => false,
    onResult: (r) => results.push(r),
  })
  assert.match(results[0]?.error ?? '', /no \[user without rubric\] section/)
})
