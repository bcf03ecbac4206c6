// Curating and exporting a set on the demo run, in Chromium through serve: filter to the rubrics
// that pass the format rule, remove one by hand, leave a criterion out and edit a weight, save the
// set, export it (the file holds the edit with its original), and see a refused output explained.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { packageRoot } from '../helpers/serve-process'
import { tempDir } from '../helpers/temp'
import { openWorkbench } from './workbench-page'

const demoRun = join(packageRoot, 'resources', 'demo-run')

test('export page: curate a set by filters and by hand, save it, export it with its edits', async (t) => {
  const { page, pageErrors, shot } = await openWorkbench(t, demoRun, '#/export')
  const count = page.getByTestId('candidate-count')
  await page.waitForFunction(
    () => document.querySelector('[data-testid="candidate-count"]')?.getAttribute('data-total') === '654'
  )
  await page.getByTestId('filter-format').selectOption('valid')
  await page.waitForFunction(
    () => document.querySelector('[data-testid="candidate-count"]')?.getAttribute('data-total') === '523'
  )

  const rows = page.getByTestId('candidate')
  const removed = (await rows.nth(0).getAttribute('data-rubric')) as string
  const edited = (await rows.nth(1).getAttribute('data-rubric')) as string
  await rows.nth(0).getByTestId('keep-rubric').uncheck()
  await rows.nth(1).getByTestId('edit-rubric').click()
  const editor = page.getByTestId('criteria-editor')
  await editor.waitFor()
  const criteria = editor.getByTestId('editor-criterion')
  const weight = criteria.nth(0).getByTestId('edit-weight')
  const original = Number(await weight.inputValue())
  await weight.fill('0.9')
  await weight.dispatchEvent('change')
  await criteria.nth(1).getByTestId('keep-criterion').uncheck()
  await page.waitForFunction(() =>
    /1 removed by hand; 1 edits/.test(
      document.querySelector('[data-testid="candidate-count"]')?.textContent ?? ''
    )
  )
  assert.match(await count.innerText(), /523 rubrics pass the filters; 1 removed by hand; 1 edits/)

  await page.getByTestId('set-name').fill('e2e set')
  await page.getByTestId('save-set').click()
  await page.getByTestId('set-saved').waitFor()
  assert.match(await page.getByTestId('set-saved').innerText(), /522 rubrics/)
  await page.getByTestId('set-row').first().waitFor()
  await shot('export')

  // Export the set: the file holds every kept rubric, the edit and its original.
  const dir = await tempDir(t)
  const out = join(dir, 'set.jsonl')
  assert.equal(await page.getByTestId('export-set').inputValue(), 'e2e set')
  await page.getByTestId('export-out').fill(out)
  await page.getByTestId('export-run').click()
  await page.getByTestId('export-result').waitFor()
  assert.match(await page.getByTestId('export-result').innerText(), /Wrote 522 rubrics/)
  const records = (await readFile(out, 'utf8'))
    .trim()
    .split('\n')
    .map(
      (l) =>
        JSON.parse(l) as {
          rubric_id: string
          criteria: { position: number; weight: number; edited_from: unknown }[]
        }
    )
  assert.equal(records.length, 522)
  assert.equal(
    records.some((r) => r.rubric_id === removed),
    false
  )
  const changed = records.find((r) => r.rubric_id === edited)
  assert.deepEqual(changed?.criteria.map((c) => c.position).slice(0, 2), [0, 2])
  assert.equal(changed?.criteria[0]?.weight, 0.9)
  assert.deepEqual((changed?.criteria[0]?.edited_from as { weight: number }).weight, original)

  // The same output again, without "replace": refused, and said why.
  await page.getByTestId('export-run').click()
  await page.getByText('already exists; pass --force to replace it').waitFor()
  // Inside the run folder: refused.
  await page.getByTestId('export-what').selectOption('report')
  await page.getByTestId('export-out').fill(join(demoRun, 'report.html'))
  await page.getByTestId('export-run').click()
  await page.getByText(/inside the run folder/).waitFor()

  // A fresh page takes the saved set back, hand changes and edits included, to change it further.
  await page.reload()
  await page.getByTestId('set-row').first().waitFor()
  await page.getByTestId('set-row').first().getByTestId('load-set').click()
  await page.waitForFunction(() =>
    /1 removed by hand; 1 edits/.test(
      document.querySelector('[data-testid="candidate-count"]')?.textContent ?? ''
    )
  )
  assert.equal(await page.getByTestId('set-name').inputValue(), 'e2e set')
  assert.equal(await page.getByTestId('filter-format').inputValue(), 'valid')
  assert.deepEqual(pageErrors, [])
})
