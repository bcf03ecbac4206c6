// The views on a real EvoLM output tree (the reader's fixture: long responses, Greek and CJK text,
// NaN scores, broken lines), not only on the demo run.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { writeEvolmFixture } from '../fixtures/evolm-fixture'
import { tempDir } from '../helpers/temp'
import { openWorkbench, waitForTable } from './workbench-page'

test('EvoLM output tree: timeline, pair table, pair, rubric, prompt and errors all load', async (t) => {
  const dir = await tempDir(t)
  await writeEvolmFixture(join(dir, 'evolm-run'))
  const { page, pageErrors, shot } = await openWorkbench(t, join(dir, 'evolm-run'), '#/timeline')

  await page.getByTestId('chart-schedule').and(page.locator('[data-points]')).waitFor()
  assert.equal(await page.getByTestId('checkpoint-row').count(), 5)
  await shot('evolm-timeline', true)

  await page.goto(page.url().replace(/#.*$/, '#/pairs'))
  assert.equal(await waitForTable(page), 5)
  // The fixture's NaN score is a parse failure, sliceable like any outcome.
  await page.locator('[data-testid="filter-outcome"][data-outcome="parse-failure"]').click()
  assert.ok((await waitForTable(page)) >= 1)
  await shot('evolm-pairs')

  await page.getByTestId('pair-row').first().locator('a.mono').click()
  await page.getByTestId('response-newer').getByTestId('response-answer').waitFor()
  await page.getByTestId('response-older').getByTestId('response-answer').waitFor()
  await shot('evolm-pair')

  const rubricLink = page.getByTestId('rubric-checklist').getByRole('link', { name: 'rubric page →' })
  await rubricLink.click()
  await page.getByTestId('rubric-facts').waitFor()
  await page.getByText('Lineage across generator checkpoints').waitFor()
  await shot('evolm-rubric', true)

  await page.locator('[data-testid="rubric-facts"] a[href^="#/prompts/"]').click()
  await page.getByTestId('prompt-text').waitFor()
  await shot('evolm-prompt', true)

  await page.getByTestId('errors-link').click()
  await page.getByTestId('error-row').first().waitFor()
  assert.equal(await page.getByTestId('error-row').count(), 4)
  await shot('evolm-errors')
  assert.deepEqual(pageErrors, [])
})
