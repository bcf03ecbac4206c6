// Verdicts with per-criterion scores and a judge run without the rubric (workbench format): the
// pair view shows both sides' criterion scores on the checklist and the totals with and without it.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { writeWorkbenchFixture } from '../fixtures/workbench-fixture'
import { tempDir } from '../helpers/temp'
import { openWorkbench } from './workbench-page'

test('pair view: per-criterion scores on the checklist, totals with and without the rubric', async (t) => {
  const dir = await tempDir(t)
  await writeWorkbenchFixture(join(dir, 'run'))
  const { page, pageErrors, shot } = await openWorkbench(t, join(dir, 'run'), '#/pairs/pair-1')
  const scores = page.getByTestId('criterion-scores')
  await scores.first().waitFor()
  const texts = (await scores.allInnerTexts()).map((s) => s.replace(/\s+/g, ' '))
  assert.deepEqual(texts, ['newer 1.000 older 0.000', 'newer 0.000 older —'])
  const rows = await page.getByTestId('score-table').locator('tbody tr').allInnerTexts()
  assert.equal(rows.length, 2)
  assert.match(
    rows.find((r) => r.includes('without a rubric')) ?? '',
    /no-rubric\s+without a rubric\s+0\.600\s+0\.700\s+-0\.100/
  )
  assert.match(
    rows.find((r) => r.includes('with the rubric')) ?? '',
    /stored\s+with the rubric\s+0\.900\s+parse failure/
  )
  await shot('pair-criterion-scores', true)

  // Blind: no scores anywhere.
  await page.keyboard.press('b')
  await page.getByTestId('response-a').waitFor()
  assert.equal(await page.getByTestId('criterion-scores').count(), 0)
  assert.equal(await page.getByTestId('score-table').count(), 0)
  assert.deepEqual(pageErrors, [])
})
