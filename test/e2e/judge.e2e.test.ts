// Judging from the desktop UI, in Chromium through serve: start a job on the smoke-test judge,
// watch it finish, read the local verdicts on a pair and a rubric, then the rubric's effect.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { writeJudgeFixture } from '../fixtures/judge-fixture'
import { runCli } from '../helpers/cli'
import { startFakeHub } from '../helpers/hub-server'
import { startFakeEndpoint } from '../helpers/openai-server'
import { packageRoot } from '../helpers/serve-process'
import { tempDir } from '../helpers/temp'
import { openWorkbench } from './workbench-page'

test('judge view: start a job, follow it to the end, see local verdicts and the rubric effect', async (t) => {
  const dir = await tempDir(t)
  const run = join(dir, 'run')
  await writeJudgeFixture(run)
  const { page, pageErrors, shot } = await openWorkbench(t, run, '#/judge')
  await page.getByTestId('judge-form').waitFor()
  await page.getByTestId('smoke-test-note').waitFor()
  await page.getByText('No judge job yet').waitFor()

  await page.getByTestId('judge-protocol').selectOption('criteria-logprob')
  await page.getByTestId('judge-start').click()
  const job = page.locator('[data-testid="judge-job"][data-state="done"]')
  await job.waitFor()
  assert.match(await job.getByTestId('judge-counts').innerText(), /5 scored, 0 already done, 3 failed of 8/)
  assert.match(await job.getByTestId('judge-device-used').innerText(), /on cpu/)
  assert.match(await job.getByTestId('judge-message').innerText(), /response sea-old is empty/)
  await shot('judge-view')

  // The same job again: everything judged is skipped.
  await page.getByTestId('judge-start').click()
  await page.locator('[data-testid="judge-job"][data-state="done"]').nth(1).waitFor()
  assert.match(await page.getByTestId('judge-counts').first().innerText(), /0 scored, 5 already done/)

  // Without the rubric, then the pair page shows both and the rubric's effect.
  await page.getByTestId('judge-rubric').uncheck()
  await page.getByTestId('judge-start').click()
  await page.locator('[data-testid="judge-job"][data-state="done"]').nth(2).waitFor()
  await page.goto(page.url().replace(/#.*$/, '#/pairs/pair-0'))
  await page.getByTestId('local-verdicts').waitFor()
  assert.equal(await page.getByTestId('local-verdict').count(), 2)
  await page.getByTestId('rubric-effect').waitFor()
  assert.match(
    await page.getByTestId('rubric-effect').innerText(),
    /The rubric's effect for tiny-judge@fp32#\w+ \(criteria-logprob\): [+-]\d\.\d{3}/
  )
  await shot('judge-pair', true)

  // Blind review hides them with every other score.
  await page.keyboard.press('b')
  await page.getByTestId('blind-note').waitFor()
  assert.equal(await page.getByTestId('local-verdicts').count(), 0)

  await page.goto(page.url().replace(/#.*$/, '#/rubrics/k1'))
  await page.getByTestId('rubric-local-verdicts').waitFor()
  assert.equal(await page.getByTestId('rubric-local-verdict').count(), 4)
  assert.deepEqual(pageErrors, [])
})

test('judge view: a job on an OpenAI-compatible endpoint', async (t) => {
  const dir = await tempDir(t)
  const run = join(dir, 'run')
  await writeJudgeFixture(run)
  const server = await startFakeEndpoint(t)
  const { page, pageErrors } = await openWorkbench(t, run, '#/judge')
  await page.getByTestId('judge-form').waitFor()
  await page.getByTestId('judge-model').selectOption({ label: 'An OpenAI-compatible endpoint…' })
  await page.getByTestId('judge-endpoint-url').fill(server.url)
  await page.getByTestId('judge-endpoint-model').fill('judge-model')
  await page.getByTestId('judge-protocol').selectOption('pairwise-logprob')
  await page.getByTestId('judge-start').click()
  const job = page.locator('[data-testid="judge-job"][data-state="done"]')
  await job.waitFor()
  assert.match(
    await job.getByTestId('judge-device-used').innerText(),
    /judge-model served at http:\/\/127\.0\.0\.1/
  )
  assert.match(await job.getByTestId('judge-counts').innerText(), /2 scored/)
  assert.deepEqual(pageErrors, [])
})

test('prompt view: rubrics generated in the workspace, with their format check', async (t) => {
  const dir = await tempDir(t)
  const run = join(dir, 'run')
  await writeJudgeFixture(run)
  const workspace = join(dir, 'ws')
  const generated = await runCli([
    'rubrics',
    'generate',
    run,
    '--template',
    'v3',
    '-k',
    '2',
    '--workspace',
    workspace,
  ])
  assert.equal(generated.status, 0, generated.stderr)
  const { page, pageErrors, shot } = await openWorkbench(t, run, '#/prompts/p1', { workspace })
  await page.getByTestId('generated-rubric').first().waitFor()
  assert.equal(await page.getByTestId('generated-rubric').count(), 2)
  await page.getByTestId('generated-rubric').first().locator('summary').click()
  await shot('generated-rubrics')
  assert.deepEqual(pageErrors, [])
})

test('models view: download from a hub, see it on this machine and among the judges', async (t) => {
  const dir = await tempDir(t)
  const run = join(dir, 'run')
  await writeJudgeFixture(run)
  const { readFile } = await import('node:fs/promises')
  const smokeTestModelDir = join(packageRoot, 'resources', 'models', 'tiny-judge')
  const files: Record<string, Buffer> = {}
  for (const name of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'])
    files[name] = await readFile(join(smokeTestModelDir, name))
  const hub = await startFakeHub(t, { 'acme/tiny': files })
  const { page, pageErrors, shot } = await openWorkbench(t, run, '#/models')
  await page.getByText('No model downloaded yet').waitFor()
  await page.getByTestId('model-repo').fill('acme/tiny')
  await page.getByTestId('model-hub').fill(hub.url)
  await page.getByTestId('model-pull').click()
  await page.locator('[data-testid="model-download"][data-state="done"]').waitFor()
  await page.locator('[data-testid="model-row"][data-repo="acme/tiny"]').waitFor()
  await shot('models-view')
  await page.goto(page.url().replace(/#.*$/, '#/judge'))
  await page.getByTestId('judge-form').waitFor()
  const options = await page.getByTestId('judge-model').locator('option').allInnerTexts()
  assert.ok(options.includes('tiny (smoke test)'), options.join(' | '))
  assert.deepEqual(pageErrors, [])
})
