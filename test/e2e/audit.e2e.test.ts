// The labeling flow by keyboard, in Chromium through serve: create a queue, label blind, reveal,
// go back, write a note, undo, see the help, and resume after a reload.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { builtCli, packageRoot } from '../helpers/serve-process'
import { tempDir } from '../helpers/temp'
import { openWorkbench } from './workbench-page'

const demoRun = join(packageRoot, 'resources', 'demo-run')

test('labeling: keys 1–5, Enter to commit, ← back, note, undo, help, reveal, resume', async (t) => {
  const { page, pageErrors, shot, workspace } = await openWorkbench(t, demoRun, '#/audit')
  await page.getByTestId('annotator').fill('e2e-annotator')
  await page.getByTestId('queue-strategy').selectOption('random')
  await page.getByTestId('queue-size').fill('5')
  await page.getByTestId('queue-seed').fill('3')
  await page.getByTestId('queue-create').click()
  await page.waitForFunction(() => location.hash.startsWith('#/audit/queue-'))
  const progress = page.getByTestId('label-progress')
  const labelled = async (): Promise<string | null> => progress.getAttribute('data-labelled')
  /** Wait until the view shows the pair at position `at`, loaded, so keys act on it. */
  const readyAt = (at: number): Promise<unknown> =>
    page.locator(`[data-testid="label-view"][data-at="${at}"][data-ready="true"]`).waitFor()
  await readyAt(0)
  assert.equal(await labelled(), '0')
  // Blind: no scores, steps or verdicts before the label.
  assert.equal(await page.getByTestId('response-score').count(), 0)
  assert.equal(await page.getByTestId('reveal').count(), 0)
  await shot('label-blind')

  // Enter without a choice asks for one.
  await page.keyboard.press('Enter')
  await page.getByTestId('label-hint').waitFor()

  // Pair 1: A is better.
  const firstAnswer = await page.getByTestId('label-a').getByTestId('response-answer').innerText()
  await page.keyboard.press('1')
  assert.equal(await page.getByTestId('choice-1').getAttribute('aria-pressed'), 'true')
  // Flag the rubric's first criterion as leaking the answer, the second as vague.
  const criteria = page.getByTestId('label-criterion')
  await page.keyboard.press('j')
  await page.keyboard.press('f')
  await page.keyboard.press('j')
  await page.keyboard.press('s')
  assert.equal(await criteria.nth(0).getAttribute('data-flag'), 'leaks-answer')
  assert.equal(await criteria.nth(1).getAttribute('data-flag'), 'vague')
  await page.keyboard.press('Enter')
  await page.waitForFunction(
    () => document.querySelector('[data-testid="label-progress"]')?.getAttribute('data-labelled') === '1'
  )
  await page.getByTestId('last-reveal').waitFor()
  assert.match(await page.getByTestId('last-reveal').innerText(), /you chose A is better \((newer|older)\)/)

  // ← back to pair 1: it is revealed now, with the newer side named.
  await readyAt(1)
  await page.keyboard.press('ArrowLeft')
  await readyAt(0)
  await page.getByTestId('reveal').waitFor()
  assert.equal(await page.getByTestId('label-a').getByTestId('response-answer').innerText(), firstAnswer)
  const newerSide = await page.getByTestId('reveal').getAttribute('data-newer-side')
  assert.match(
    await page.getByTestId('reveal').innerText(),
    /Response [AB] was the newer one \(step \d+ against \d+\)/
  )
  await shot('label-revealed')
  await page.keyboard.press('ArrowRight')
  await readyAt(1)

  // Pair 2: tie with a note; typing in the note is text, not shortcuts.
  await page.keyboard.press('3')
  await page.keyboard.press('n')
  await page.keyboard.type('same facts, 1 2 3 u')
  await page.keyboard.press('Escape')
  assert.equal(await page.getByTestId('label-note').inputValue(), 'same facts, 1 2 3 u')
  assert.equal(await page.getByTestId('choice-3').getAttribute('aria-pressed'), 'true')
  await page.keyboard.press('Enter')
  await page.waitForFunction(
    () => document.querySelector('[data-testid="label-progress"]')?.getAttribute('data-labelled') === '2'
  )

  // u undoes it and returns to pair 2, unlabelled.
  await readyAt(2)
  await page.keyboard.press('u')
  await page.waitForFunction(
    () => document.querySelector('[data-testid="label-progress"]')?.getAttribute('data-labelled') === '1'
  )
  assert.match((await progress.textContent()) ?? '', /pair 2\b/)

  // ? shows the cheat-sheet, Esc closes it (and stays on the page).
  await page.keyboard.press('?')
  await page.getByTestId('label-help').waitFor()
  await page.keyboard.press('Escape')
  await page.getByTestId('label-help').waitFor({ state: 'detached' })
  assert.match(await page.evaluate(() => location.hash), /^#\/audit\/queue-/)

  // Reload: the queue resumes at the first pair this annotator has not labelled.
  await page.reload()
  await readyAt(1)
  assert.equal(await labelled(), '1')
  assert.match((await progress.textContent()) ?? '', /pair 2\b/)
  // The first pair's criterion flags came back from disk with its label.
  await page.keyboard.press('ArrowLeft')
  await readyAt(0)
  await page.getByTestId('reveal').waitFor()
  assert.equal(await page.getByTestId('label-criterion').nth(0).getAttribute('data-flag'), 'leaks-answer')
  assert.equal(await page.getByTestId('label-criterion').nth(1).getAttribute('data-flag'), 'vague')
  // Revealed, the pair can be opened; its rubric page counts the flags.
  await page.getByTestId('reveal-pair-link').click()
  await page.getByTestId('rubric-checklist').getByRole('link', { name: 'rubric page →' }).click()
  await page.getByTestId('criteria-table').waitFor()
  const flagCells = page.getByTestId('criterion-flags')
  await flagCells.first().filter({ hasText: 'leaks-answer ×1' }).waitFor()
  assert.match(await flagCells.nth(1).innerText(), /vague ×1/)

  // What reached the disk: one label, newer or older according to the side that was newer.
  const r = spawnSync(process.execPath, [builtCli, 'labels', demoRun, '--json', '--workspace', workspace], {
    encoding: 'utf8',
  })
  const saved = JSON.parse(r.stdout) as { label: string; annotator: string }[]
  assert.deepEqual(
    saved.map((s) => [s.annotator, s.label]),
    [['e2e-annotator', newerSide === 'A' ? 'newer' : 'older']]
  )
  assert.deepEqual(pageErrors, [])
})

test('report: shares by slice with intervals, annotator agreement, and an adjudication queue', async (t) => {
  const dir = await tempDir(t)
  const workspace = join(dir, 'ws')
  // Two annotators through the CLI: they agree on rg-L1..6 and disagree on rg-L7..9.
  const rows = (annotator: string): string =>
    Array.from({ length: 9 }, (_, i) => {
      const label = i < 6 ? ['newer', 'older', 'tie'][i % 3] : annotator === 'ann-a' ? 'newer' : 'older'
      return `rg-L${i + 1},${label}`
    }).join('\n')
  for (const annotator of ['ann-a', 'ann-b']) {
    const csv = join(dir, `${annotator}.csv`)
    await writeFile(csv, rows(annotator))
    const r = spawnSync(
      process.execPath,
      [builtCli, 'label', demoRun, '--from', csv, '--annotator', annotator, '--workspace', workspace],
      { encoding: 'utf8' }
    )
    assert.equal(r.status, 0, r.stderr)
  }
  const { page, pageErrors, shot } = await openWorkbench(t, demoRun, '#/audit/report', { workspace })
  await page.getByTestId('report-headline').waitFor()
  assert.match(
    await page.getByTestId('report-headline').innerText(),
    /newer response better in \d+\.\d% \[\d+\.\d%, \d+\.\d%\] of 18 labels \(2 annotators, 0 labelled blind\)/
  )
  await page.getByTestId('report-gap').and(page.locator('[data-points]')).waitFor()
  assert.match(await page.getByTestId('report-agreement').innerText(), /ann-a · ann-b\s+9\s+66\.7%/)
  await shot('audit-report', true)
  // An adjudicator labels the disagreements.
  await page.evaluate(() => localStorage.setItem('rubric-workbench.annotator', 'adjudicator'))
  await page.getByTestId('adjudicate').click()
  await page.waitForFunction(() => location.hash.startsWith('#/audit/queue-'))
  await page.getByTestId('label-progress').waitFor()
  assert.equal(await page.getByTestId('label-progress').getAttribute('data-size'), '3')
  // The audit page offers the annotators who have labelled here.
  await page.goto(page.url().replace(/#.*$/, '#/audit'))
  await page.getByTestId('known-annotators').waitFor()
  assert.match(await page.getByTestId('known-annotators').innerText(), /ann-a \(9\), ann-b \(9\)/)
  assert.deepEqual(pageErrors, [])
})

test('a damaged label store is named in the app, which still opens the run', async (t) => {
  const dir = await tempDir(t)
  const workspace = join(dir, 'ws')
  const csv = join(dir, 'one.csv')
  await writeFile(csv, 'rg-L1,newer\n')
  spawnSync(process.execPath, [
    builtCli,
    'label',
    demoRun,
    '--from',
    csv,
    '--annotator',
    'zed',
    '--workspace',
    workspace,
  ])
  const [zed] = (await readdir(join(workspace, 'annotations'))).filter((f) => f.startsWith('annotator-zed-'))
  const folder = join(workspace, 'annotations', zed ?? 'missing')
  const [file] = await readdir(folder)
  await writeFile(join(folder, file ?? ''), '{"broken')
  const { page, pageErrors } = await openWorkbench(t, demoRun, '#/pairs', { workspace })
  await page.getByTestId('annotations-problem').waitFor()
  assert.match(
    await page.getByTestId('annotations-problem').innerText(),
    /Labels cannot be saved or shown: .* is damaged/
  )
  await page.getByTestId('pair-row').first().waitFor()
  assert.deepEqual(pageErrors, [])
})
