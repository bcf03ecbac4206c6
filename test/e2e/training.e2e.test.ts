// Training on the demo run, in Chromium through serve: a scalar reward head's curve grows epoch by
// epoch while the job runs, the job is cancelled and says so; a second, short job ends with a saved
// head that reloads with its curve; the held-out comparison then lists the judges beside the head.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { packageRoot } from '../helpers/serve-process'
import { openWorkbench } from './workbench-page'

const demoRun = join(packageRoot, 'resources', 'demo-run')

/** Points drawn on the curve's canvas (ChartCanvas records them after each render). */
const drawnPoints = (): number => {
  const canvas = document.querySelector('[data-testid="training-curve"]')
  const points = JSON.parse(canvas?.getAttribute('data-points') ?? '[]') as { d: number }[]
  return points.filter((p) => p.d === 0).length
}

test('training page: a live curve, cancel, a saved head that reloads, and the held-out comparison', async (t) => {
  const { page, pageErrors, shot } = await openWorkbench(t, demoRun, '#/training')
  await page.getByTestId('training-form').waitFor()
  await page.getByTestId('training-head').selectOption('reward')
  // Long enough to be watched: it only ends when cancelled.
  await page.getByTestId('training-epochs').fill('5000')
  await page.getByTestId('training-patience').fill('1000')
  await page.getByTestId('training-start').click()
  const job = page.getByTestId('training-job').first()
  await page.waitForFunction(
    () => document.querySelector('[data-testid="training-job"]')?.getAttribute('data-state') === 'running'
  )
  // The curve grows while the job runs: a first point, then more, with the job still running.
  await page.waitForFunction(drawnPoints)
  const first = await page.evaluate(drawnPoints)
  await page.waitForFunction((n) => {
    const canvas = document.querySelector('[data-testid="training-curve"]')
    const points = JSON.parse(canvas?.getAttribute('data-points') ?? '[]') as { d: number }[]
    return points.filter((p) => p.d === 0).length >= n + 2
  }, first)
  assert.equal(await job.getAttribute('data-state'), 'running')
  assert.match(await job.getByTestId('training-phase').innerText(), /^epoch \d+ of at most 5000$/)
  await shot('training-live')
  await job.getByTestId('training-cancel').click()
  await page.waitForFunction(
    () => document.querySelector('[data-testid="training-job"]')?.getAttribute('data-state') === 'cancelled'
  )
  assert.match(
    await job.getByTestId('training-message').innerText(),
    /stopped after \d+ epochs; nothing was saved/
  )
  assert.ok((await page.evaluate(drawnPoints)) >= first + 2, 'the cancelled job keeps its curve')
  await page.getByText('No saved head').waitFor()

  // A short job ends on its own and saves its head.
  await page.getByTestId('training-epochs').fill('4')
  await page.getByTestId('training-patience').fill('5')
  await page.getByTestId('training-start').click()
  await page.waitForFunction(
    () => document.querySelector('[data-testid="training-job"]')?.getAttribute('data-state') === 'done'
  )
  assert.match(
    await page.getByTestId('training-result').first().innerText(),
    /^held-out accuracy \d+\.\d% \[\d+\.\d%, \d+\.\d%\] n=\d+$/
  )
  // The job's log says what its process did.
  const doneJob = page.getByTestId('training-job').first()
  await doneJob.getByTestId('job-log').locator('summary').click()
  await doneJob.getByTestId('job-log-lines').waitFor()
  assert.match(
    await doneJob.getByTestId('job-log-lines').innerText(),
    /^trained on cpu: \d+ pairs, 4 epochs/m
  )
  const saved = page.getByTestId('training-saved')
  await saved.first().waitFor()
  assert.equal(await saved.count(), 1)
  const headId = (await saved.first().getAttribute('data-head-id')) as string
  await saved.first().getByTestId('training-show').click()
  await page.getByText(`Curve of the saved head ${headId}`).waitFor()
  await page.waitForFunction(drawnPoints)
  assert.equal(await page.getByTestId('training-point').count(), 4)

  // The comparison uses the reloaded head's seed; the demo run has no human labels yet.
  await page.getByTestId('training-compare').click()
  await page.getByTestId('comparison-table').waitFor()
  await page.getByText('No held-out human label').waitFor()
  const kinds = await page
    .getByTestId('comparison-row')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind')))
  assert.ok(kinds.includes('rubric judge') && kinds.includes('scalar head'), kinds.join(', '))
  await shot('training-done', true)
  // Removing a head puts it aside and says where.
  await saved.first().getByTestId('training-remove').click()
  await page.getByTestId('training-removed').waitFor()
  await page.getByText('No saved head').waitFor()
  assert.deepEqual(pageErrors, [])
})

test('training page: a criteria head from verdicts scored on the page, with its proposed multipliers', async (t) => {
  const { page, pageErrors } = await openWorkbench(t, demoRun, '#/training')
  // No judge has scored criteria yet: the page offers to, and the judge picker learns of it after.
  await page.getByTestId('criteria-offer').waitFor()
  await page.getByTestId('criteria-offer-limit').fill('60')
  await page.getByTestId('criteria-offer-start').click()
  await page.getByTestId('criteria-offer').waitFor({ state: 'detached', timeout: 120_000 })
  assert.ok((await page.getByTestId('training-judge').locator('option').count()) >= 2)
  await page.getByTestId('training-epochs').fill('5')
  await page.getByTestId('training-start').click()
  await page.waitForFunction(
    () => document.querySelector('[data-testid="training-job"]')?.getAttribute('data-state') === 'done',
    undefined,
    { timeout: 60_000 }
  )
  const saved = page.getByTestId('training-saved').first()
  await saved.waitFor()
  assert.match(await saved.innerText(), /criteria head/)
  assert.match(await saved.innerText(), /the generator's weights/)
  await saved.getByTestId('training-show').click()
  await page.getByText(/Proposed weight multipliers: .*concrete × \d+\.\d\d/).waitFor()
  // With no curated set yet, the page says where to make one.
  await page.getByTestId('training-apply-row').getByText('Save a curated set').waitFor()
  await page.getByTestId('training-compare').click()
  await page.locator('[data-testid="comparison-row"][data-kind="re-weighted rubric"]').waitFor()
  assert.deepEqual(pageErrors, [])
})
