// The analysis page on the demo run, in Chromium through serve: the stored judge's utility over
// all rubrics (the counts `inspect` gives: 131 of 224 scored pairs newer above older, 21 ties),
// then the per-rubric table, sorted by clicking its headers, linking to each rubric.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { packageRoot } from '../helpers/serve-process'
import { openWorkbench } from './workbench-page'

const demoRun = join(packageRoot, 'resources', 'demo-run')

test('analysis page: utility per judge with n and intervals, and a sortable per-rubric table', async (t) => {
  const { page, pageErrors, shot } = await openWorkbench(t, demoRun, '#/analysis')
  const stored = page.locator('[data-testid="utility-judge"][data-judge="stored"]')
  await stored.waitFor()
  assert.match(await stored.getByTestId('utility-accuracy').innerText(), /^58\.5% \[\d+\.\d%, \d+\.\d%\]$/)
  assert.match(await stored.innerText(), /224\s*\+18 unscored/)
  await page.getByTestId('chart-utility').waitFor()
  await shot('analysis')

  const rows = page.getByTestId('utility-rubric')
  assert.ok((await rows.count()) > 100)
  // Sort by n, ascending: pairs whose sides were not both scored (n = 0) come first.
  await page.getByTestId('utility-sort-n').click()
  await page.getByTestId('utility-sort-n').click()
  await page.waitForFunction(
    () => document.querySelector('[data-testid="utility-rubric"]')?.getAttribute('data-n') === '0'
  )
  await rows.first().locator('a').click()
  await page.waitForFunction(() => location.hash.startsWith('#/rubrics/'))
  assert.deepEqual(pageErrors, [])
})
