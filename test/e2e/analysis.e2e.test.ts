// The analysis page on the demo run, in Chromium through serve: the stored judge's utility over
// all rubrics (the counts `inspect` gives: 131 of 224 scored pairs newer above older, 21 ties),
// the agreement matrix from two annotators' labels, the per-rubric table sorted by its headers,
// then per-criterion figures computed from the page (the run stored totals only) with the
// smoke-test judge, and the figures beside a rubric in the rubric view.
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { runCli } from '../helpers/cli'
import { packageRoot } from '../helpers/serve-process'
import { tempDir } from '../helpers/temp'
import { openWorkbench } from './workbench-page'

const demoRun = join(packageRoot, 'resources', 'demo-run')

test('analysis page: utility per judge, agreement, per-rubric and per-criterion tables, figures beside a rubric', async (t) => {
  // Two annotators' labels on the first 12 pairs, imported before the workbench opens.
  const dir = await tempDir(t)
  const workspace = join(dir, 'ws')
  const ids = Array.from({ length: 12 }, (_, i) => `rg-L${i + 1}`)
  for (const [annotator, pick] of [
    ['ann1', (i: number) => (i % 3 === 0 ? 'older' : 'newer')],
    ['ann2', (i: number) => (i % 4 === 0 ? 'older' : 'newer')],
  ] as const) {
    const csv = join(dir, `${annotator}.csv`)
    await writeFile(csv, ['pair_id,label', ...ids.map((id, i) => `${id},${pick(i)}`)].join('\n'))
    const r = await runCli([
      'label',
      demoRun,
      '--from',
      csv,
      '--annotator',
      annotator,
      '--workspace',
      workspace,
    ])
    assert.equal(r.status, 0, r.stderr)
  }

  const { page, pageErrors, shot } = await openWorkbench(t, demoRun, '#/analysis', { workspace })
  const stored = page.locator('[data-testid="utility-judge"][data-judge="stored"]')
  await stored.waitFor()
  assert.match(
    await stored.getByTestId('utility-accuracy').innerText(),
    /^58\.5% \[\d+\.\d%, \d+\.\d%\] n=224$/
  )
  assert.match(await stored.innerText(), /224\s*\+18 unscored/)
  assert.match(await stored.getByTestId('utility-human').innerText(), /n=\d+/)
  await page.getByTestId('chart-utility').waitFor()

  // The agreement matrix: the two annotators, and each with the stored judge, each with κ and n.
  const cells = page.getByTestId('agreement-cell')
  await page.locator('[data-testid="agreement-cell"][data-kind="human-human"]').first().waitFor()
  const humanHuman = await page
    .locator('[data-testid="agreement-cell"][data-kind="human-human"]')
    .first()
    .innerText()
  // ann1 says older on pairs 1, 4, 7, 10, ann2 on 1, 5, 9: they agree on 7 of 12, just what chance
  // gives with those label counts ((4·3 + 8·9) / 144 = 7/12), so κ = 0.
  assert.match(humanHuman, /κ -?0\.000 .*n=12/)
  assert.ok((await cells.count()) >= 6) // each cell twice, once per side of the diagonal
  assert.match(await page.getByTestId('human-alpha').innerText(), /n=12/)
  await shot('analysis')

  // Per rubric: paged, sorted by the server on a header click.
  const rows = page.getByTestId('utility-rubric')
  await rows.first().waitFor()
  assert.equal(await rows.count(), 50)
  await page.getByTestId('sort-rubrics-n').click() // n, descending
  await page.getByTestId('sort-rubrics-n').click() // ascending: pairs not scored on both sides first
  await page.waitForFunction(
    () => document.querySelector('[data-testid="utility-rubric"]')?.getAttribute('data-n') === '0'
  )

  // Per criterion: the run stored totals only, so the page offers to score criteria one by one.
  await page.getByTestId('criteria-offer').waitFor()
  await page.getByTestId('criteria-offer-limit').fill('40')
  await page.getByTestId('criteria-offer-start').click()
  const criterionRows = page.getByTestId('criterion-row')
  await criterionRows.first().waitFor({ timeout: 120_000 })
  assert.ok((await page.getByTestId('cluster-row').count()) > 0)
  await page.getByTestId('chart-clusters').waitFor()
  assert.match(await criterionRows.first().innerText(), /n=\d/)
  // The filter keeps only the criteria whose removal flips nothing.
  await page.getByTestId('criterion-filter').selectOption('redundant')
  await page.waitForFunction(() =>
    [...document.querySelectorAll('[data-testid="criterion-row"]')].every(
      (r) => r.getAttribute('data-mark') === 'redundant'
    )
  )
  // The local judge against the stored one on the same pairs.
  await page.getByTestId('transfer-row').first().waitFor()
  assert.match(await page.getByTestId('transfer-row').first().innerText(), /tiny-judge/)
  await shot('analysis-criteria', true)

  // Beside a rubric: its utility per judge, each criterion's figures, and the mark in its checklist.
  await criterionRows.first().locator('a').click()
  await page.waitForFunction(() => location.hash.startsWith('#/rubrics/'))
  await page.getByTestId('rubric-utility-row').first().waitFor()
  await page.getByTestId('rubric-criterion-figure').first().waitFor()
  await page.locator('[data-testid="criterion-marks"] [data-mark="redundant"]').first().waitFor()
  assert.deepEqual(pageErrors, [])
})
