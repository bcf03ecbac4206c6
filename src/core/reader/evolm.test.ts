import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { LONG_RESPONSE_CHARS, PROMPT_GREEK, writeEvolmFixture } from '../../../test/fixtures/evolm-fixture'
import { tempDir } from '../../../test/helpers/temp'
import { Workbench } from '../workbench'
import { openRun } from './open-run'

async function openFixture(t: TestContext): Promise<{ wb: Workbench; root: string }> {
  const dir = await tempDir(t)
  const root = join(dir, 'outputs', 'evolm-run')
  await writeEvolmFixture(root)
  const wb = new Workbench({ transport: 'serve', workspace: join(dir, 'workspace') })
  // Opening the parent finds the EvoLM tree two folders down.
  await wb.open(dir)
  return { wb, root }
}

test('EvoLM tree: counts records and keeps loading past every planted fault', async (t) => {
  const { wb, root } = await openFixture(t)
  const s = await wb.handlers['run.summary']({})
  assert.equal(s.format, 'evolm')
  assert.equal(s.path, root)
  assert.deepEqual(s.counts, {
    prompts: 4,
    checkpoints: 5,
    responses: 17,
    rubrics: 10,
    rubricsFormatInvalid: 6,
    pairs: 5,
    verdicts: 13,
    judgeParseFailures: 2,
    errors: 4,
  })
  assert.deepEqual(
    s.checkpoints.map((c) => c.id),
    ['policy-25', 'policy-50', 'rubric-50', 'policy-75', 'policy-100']
  )
  const c25 = s.checkpoints.find((c) => c.id === 'policy-25')
  assert.deepEqual(c25?.evidence, [
    'qualitative_eval/policy/step_25.jsonl',
    'qualitative_eval/manifest.json',
    'checkpoints/policy/step_25/',
  ])
})

test('EvoLM tree: each unreadable line is reported with file, line and reason', async (t) => {
  const { wb } = await openFixture(t)
  const errors = await wb.handlers['run.errors']({ offset: 0, limit: 100 })
  const byLine = new Map(errors.items.map((e) => [e.line, e]))
  assert.equal(errors.total, 4)
  for (const e of errors.items) assert.equal(e.file, 'generation_examples/rubric_generations.jsonl')
  assert.match(byLine.get(5)?.message ?? '', /invalid JSON: expected "," or "}"/)
  assert.match(byLine.get(6)?.message ?? '', /field step_gap: expected a number, got a string/)
  assert.match(byLine.get(7)?.message ?? '', /invalid UTF-8/)
  assert.match(byLine.get(9)?.message ?? '', /truncated last line/)
})

test('EvoLM tree: pairs map newer/older, gaps and stored verdicts, NaN as parse failure', async (t) => {
  const { wb } = await openFixture(t)
  const pairs = (await wb.handlers['pairs.list']({ offset: 0, limit: 100 })).items
  assert.deepEqual(
    pairs.map((p) => [p.id, p.newerStep, p.olderStep, p.gap, p.outcome]),
    [
      ['rg-L1', 60, 40, 20, 'agrees'],
      ['rg-L2', 60, 50, 10, 'parse-failure'],
      ['rg-L3', 70, 25, 45, 'tie'],
      ['rg-L4', 70, 65, 5, 'agrees'],
      ['rg-L8', 80, -20, 100, 'disagrees'],
    ]
  )
  const detail = await wb.handlers['pairs.get']({ id: 'rg-L2' })
  const newerVerdict = detail.verdicts.find((v) => v.responseId === detail.newer.id)
  assert.equal(newerVerdict?.parseFailure, true)
  assert.equal(newerVerdict?.score, null)
  assert.equal(detail.rubric?.formatValid, false)
  assert.match(detail.rubric?.invalidReason ?? '', /not a bare JSON object/)
})

test('EvoLM tree: texts come back whole, thinking kept apart, non-Latin intact', async (t) => {
  const { wb } = await openFixture(t)
  const long = await wb.handlers['pairs.get']({ id: 'rg-L4' })
  assert.ok(
    long.newer.answer.length >= LONG_RESPONSE_CHARS,
    `long answer has ${long.newer.answer.length} chars`
  )
  assert.equal(long.newer.thinking, 'Plan the essay.')
  assert.ok(long.newer.answer.startsWith('# Rivers'))

  const greek = await wb.handlers['pairs.get']({ id: 'rg-L3' })
  assert.equal(greek.prompt.text, PROMPT_GREEK)
  assert.equal(greek.newer.answer, 'Τόκιο (東京) 🗼')
  assert.match(greek.rubric?.invalidReason ?? '', /weights sum to 1.6/)

  const first = await wb.handlers['pairs.get']({ id: 'rg-L1' })
  assert.equal(first.newer.thinking, '12*12 = 144')
  assert.equal(first.rubric?.formatValid, true)
  assert.equal(first.rubric?.criteriaList?.[0]?.weight, 0.7)
  assert.equal(first.rubric?.thinking, 'The key check is the product.')
})

test('EvoLM tree: ERROR generations are flagged, rubric checkpoints index their rubrics', async (t) => {
  const { wb } = await openFixture(t)
  const prompt = (await wb.handlers['prompts.list']({ offset: 0, limit: 10 })).items.find((p) =>
    p.preview.startsWith('Ποια')
  )
  assert.ok(prompt)
  const detail = await wb.handlers['prompts.get']({ id: prompt.id })
  const failed = detail.responses.find((r) => r.id.startsWith('qe-policy-25-'))
  assert.ok(failed)
  const response = await wb.handlers['responses.get']({ id: failed.id })
  assert.equal(response.isError, true)
  const single = detail.rubrics.find((r) => r.step === 50)
  assert.ok(single)
  const rubric = await wb.handlers['rubrics.get']({ id: single.id })
  assert.match(rubric.rubric.invalidReason ?? '', /"criteria" has 1 item; at least 2 are required/)
})

test('EvoLM tree: pairs filter by checkpoint window', async (t) => {
  const { wb } = await openFixture(t)
  // policy-75 covers steps 51..75: the pairs whose newer answer is from step 60 or 70.
  const inWindow = await wb.handlers['pairs.list']({ offset: 0, limit: 100, checkpoint: 'policy-75' })
  assert.deepEqual(
    inWindow.items.map((p) => p.id),
    ['rg-L1', 'rg-L2', 'rg-L3', 'rg-L4']
  )
  await assert.rejects(
    wb.handlers['pairs.list']({ offset: 0, limit: 10, checkpoint: 'policy-999' }),
    /no checkpoint/
  )
})

test('a path that holds no run gets a message naming what was looked for', async (t) => {
  const dir = await tempDir(t)
  await assert.rejects(
    openRun(dir),
    /is not a run: no workbench run.json, and no EvoLM output \(generation_examples\/ or qualitative_eval\/\) up to 3 folders deep/
  )
  await assert.rejects(openRun(join(dir, 'missing')), /no such file or folder/)
})

test('EvoLM files whose names make the same id prefix still get distinct ids', async (t) => {
  const dir = await tempDir(t)
  await mkdir(join(dir, 'generation_examples'))
  const row = (answer: string): string =>
    JSON.stringify({
      training_step: 1,
      actor_type: 'policy',
      question: 'q',
      rubric: null,
      policy_answer: answer,
      score: 0.5,
    }) + '\n'
  await writeFile(join(dir, 'generation_examples', 'extra-run.jsonl'), row('from the dash file'))
  await writeFile(join(dir, 'generation_examples', 'extra_run.jsonl'), row('from the underscore file'))
  const wb = new Workbench({ transport: 'serve', workspace: await tempDir(t) })
  await wb.open(dir)
  const prompt = (await wb.handlers['prompts.list']({ offset: 0, limit: 1 })).items[0]
  assert.ok(prompt)
  const ids = (await wb.handlers['prompts.get']({ id: prompt.id })).responses.map((r) => r.id)
  assert.equal(new Set(ids).size, 2)
  const answers = await Promise.all(
    ids.map(async (id) => (await wb.handlers['responses.get']({ id })).answer)
  )
  assert.deepEqual(answers.sort(), ['from the dash file', 'from the underscore file'])
})
