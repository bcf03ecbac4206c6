// The demo run in the real renderer, in Chromium, through the serve transport: every route, the
// way a researcher moves between them, with a screenshot of each view in test-results/.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { packageRoot } from '../helpers/serve-process'
import { clickChartElement, openWorkbench, waitForTable } from './workbench-page'

const demoRun = join(packageRoot, 'resources', 'demo-run')

test('timeline → filtered table → pair → rubric → lineage → trajectory', async (t) => {
  const { page, pageErrors, shot } = await openWorkbench(t, demoRun, '#/timeline')

  // Timeline: charts drawn, one row per checkpoint.
  await page.getByTestId('chart-schedule').and(page.locator('[data-points]')).waitFor()
  for (const chart of ['chart-judge', 'chart-length', 'chart-rubrics', 'chart-gaps'])
    await page.getByTestId(chart).and(page.locator('[data-points]')).waitFor()
  assert.equal(await page.getByTestId('checkpoint-row').count(), 12)
  await shot('timeline', true)

  // A bar of the step-gap histogram opens the table filtered to that range.
  await clickChartElement(page, 'chart-gaps', 0, 0)
  await page.waitForFunction(() => location.hash.includes('gapMin='))
  const gapTotal = await waitForTable(page)
  const hash = await page.evaluate(() => location.hash)
  const [, min, max] = /gapMin=(\d+)&gapMax=(\d+)/.exec(hash) ?? []
  assert.ok(gapTotal > 0, hash)
  const gaps = await page.locator('[data-testid="pair-row"] .num:nth-of-type(5)').allInnerTexts()
  for (const g of gaps) assert.ok(Number(g) >= Number(min) && Number(g) <= Number(max), `gap ${g} in ${hash}`)

  // A checkpoint row opens the table filtered to its window.
  await page.goto(page.url().replace(/#.*$/, '#/timeline'))
  await page.locator('[data-testid="checkpoint-row"][data-checkpoint-id="policy-75"]').click()
  await page.waitForFunction(() => location.hash === '#/pairs?checkpoint=policy-75')
  assert.equal(await waitForTable(page), 60)
  assert.equal(await page.getByTestId('filter-checkpoint').inputValue(), 'policy-75')
  await shot('pairs-filtered')

  // Pair view: both answers, the rubric beside them, the word diff on demand.
  const firstId = await page.getByTestId('pair-row').first().getAttribute('data-pair-id')
  await page
    .getByTestId('pair-row')
    .first()
    .locator('.prompt')
    .click({ position: { x: 5, y: 5 } })
  await page.waitForFunction((id) => location.hash === `#/pairs/${id}`, firstId)
  await page.getByTestId('response-newer').getByTestId('response-answer').waitFor()
  await page.getByTestId('rubric-checklist').waitFor()
  assert.ok((await page.getByTestId('criterion-badges').count()) > 0)
  await page.getByTestId('score-table').waitFor()
  await shot('pair')
  await page.getByTestId('mode-diff').click()
  await page.getByTestId('response-diff').first().waitFor()
  assert.ok((await page.locator('[data-testid="response-newer"] mark[data-diff="added"]').count()) > 0)
  assert.equal(await page.locator('[data-testid="response-newer"] mark[data-diff="removed"]').count(), 0)
  assert.match(await page.getByTestId('diff-stats').innerText(), /words only in older, \d+ only in newer/)
  await shot('pair-diff')

  // Rubric view: classified criteria, then the lineage across generator steps.
  await page.getByTestId('rubric-checklist').getByRole('link', { name: 'rubric page →' }).click()
  await page.waitForFunction(() => location.hash.startsWith('#/rubrics/'))
  await page.getByTestId('criteria-table').waitFor()
  const badges = page.getByTestId('criteria-table').getByTestId('criterion-badges')
  assert.ok((await badges.count()) > 0)
  assert.match((await badges.first().getAttribute('title')) ?? '', /concrete|holistic/)
  await page.getByTestId('rubric-lineage').waitFor()
  assert.ok((await page.getByTestId('lineage-step').count()) > 1)
  assert.ok((await page.getByTestId('lineage-change').count()) > 0)
  await shot('rubric-lineage', true)

  // Prompt trajectory: the slider walks the steps; two steps compare word by word.
  await page.locator('[data-testid="rubric-facts"] a[href^="#/prompts/"]').click()
  await page.getByTestId('trajectory').waitFor()
  const slider = page.getByTestId('trajectory-slider')
  const before = await page.getByTestId('trajectory-step').innerText()
  await slider.focus()
  await page.keyboard.press('ArrowRight')
  await page.waitForFunction(
    (b) => document.querySelector('[data-testid="trajectory-step"]')?.textContent !== b,
    before
  )
  await page.getByTestId('trajectory-response').locator('.markdown').first().waitFor()
  await page.getByTestId('trajectory-diff').waitFor()
  assert.match(
    await page.getByTestId('trajectory-diff-stats').innerText(),
    /words only at step \d+, \d+ only at step \d+/
  )
  await shot('prompt-trajectory', true)
  assert.deepEqual(pageErrors, [])
})

test('keyboard: j/k and Enter in the table, j/k between pairs, Esc back, / to search', async (t) => {
  const { page, pageErrors } = await openWorkbench(t, demoRun, '#/pairs?sort=gap&desc=1')
  const total = await waitForTable(page)
  assert.equal(total, 242)
  await page.keyboard.press('j')
  await page.keyboard.press('j')
  await page.keyboard.press('j')
  await page.keyboard.press('k')
  const selected = page.locator('[data-testid="pair-row"][aria-selected="true"]')
  assert.equal(await selected.getAttribute('data-index'), '1')
  const second = await selected.getAttribute('data-pair-id')
  const third = await page.locator('[data-testid="pair-row"][data-index="2"]').getAttribute('data-pair-id')
  await page.keyboard.press('Enter')
  await page.waitForFunction((id) => location.hash === `#/pairs/${id}`, second)
  await page.getByTestId('pair-position').filter({ hasText: '2 / 242' }).waitFor()
  await page.keyboard.press('j')
  await page.waitForFunction((id) => location.hash === `#/pairs/${id}`, third)
  await page.getByTestId('pair-position').filter({ hasText: '3 / 242' }).waitFor()
  await page.keyboard.press('k')
  await page.waitForFunction((id) => location.hash === `#/pairs/${id}`, second)
  // j/k replace the history entry: one Esc goes back to the table.
  await page.keyboard.press('Escape')
  await page.waitForFunction(() => location.hash === '#/pairs?sort=gap&desc=1')
  await waitForTable(page)
  assert.equal(
    await page.locator('[data-testid="pair-row"][aria-selected="true"]').getAttribute('data-pair-id'),
    second,
    'the table comes back with the same row selected'
  )
  await page.keyboard.press('/')
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'pair-search')
  // Keys typed in the search box are text, not shortcuts.
  await page.keyboard.type('jk')
  assert.equal(await page.getByTestId('pair-search').inputValue(), 'jk')
  await page.keyboard.press('Escape')
  assert.notEqual(
    await page.evaluate(() => document.activeElement?.getAttribute('data-testid')),
    'pair-search'
  )
  assert.deepEqual(pageErrors, [])
})

test('blind toggle hides the sides, shuffles them per pair, and remembers both', async (t) => {
  const { page, pageErrors, shot } = await openWorkbench(t, demoRun, '#/pairs/rg-L2')
  await page.getByTestId('response-newer').waitFor()
  await page.getByTestId('response-score').first().waitFor()
  const newerText = await page.getByTestId('response-newer').getByTestId('response-answer').innerText()

  await page.keyboard.press('b')
  await page.getByTestId('response-a').waitFor()
  assert.equal(await page.getByTestId('response-score').count(), 0, 'no scores while blind')
  assert.equal(await page.getByTestId('pair-facts').count(), 0, 'no steps or outcome while blind')
  assert.deepEqual(await page.getByTestId('response-side').allInnerTexts(), ['Response A', 'Response B'])
  const aText = await page.getByTestId('response-a').getByTestId('response-answer').innerText()
  const newerIsA = aText === newerText
  await shot('pair-blind')

  // Blind, the word diff runs left → right: its marks do not tell which side is newer.
  await page.keyboard.press('d')
  await page.getByTestId('response-a').getByTestId('response-diff').waitFor()
  assert.equal(await page.locator('[data-testid="response-a"] mark[data-diff="added"]').count(), 0)
  assert.equal(await page.locator('[data-testid="response-b"] mark[data-diff="removed"]').count(), 0)
  assert.ok((await page.locator('[data-testid="pair-columns"] mark[data-diff]').count()) > 0)
  await page.keyboard.press('d')

  // Across pairs both placements occur (20 pairs: all alike has odds of 1 in 500,000).
  const ids = Array.from({ length: 20 }, (_, i) => `rg-L${i + 10}`)
  const visit = async (id: string, testid: string): Promise<string> => {
    await page.goto(page.url().replace(/#.*$/, `#/pairs/${id}`))
    return page.getByTestId(testid).getByTestId('response-answer').innerText()
  }
  const placements = new Set<boolean>()
  const aTexts: string[] = []
  for (const id of ids) aTexts.push(await visit(id, 'response-a'))
  await page.getByTestId('blind-toggle').click()
  for (const [k, id] of ids.entries()) placements.add((await visit(id, 'response-newer')) === aTexts[k])
  assert.deepEqual([...placements].sort(), [false, true])
  await page.getByTestId('blind-toggle').click()

  // Reload: still blind, same placement for the first pair.
  await page.goto(page.url().replace(/#.*$/, '#/pairs/rg-L2'))
  await page.reload()
  await page.getByTestId('response-a').waitFor()
  const again = await page.getByTestId('response-a').getByTestId('response-answer').innerText()
  assert.equal(again === newerText, newerIsA, 'placement is remembered per pair')

  await page.getByTestId('blind-toggle').click()
  await page.getByTestId('response-newer').waitFor()
  await page.getByTestId('pair-facts').waitFor()
  assert.deepEqual(pageErrors, [])
})

test('search: regex and plain text, the disagreement slice, and a bad pattern explained', async (t) => {
  const { page, pageErrors, shot } = await openWorkbench(t, demoRun, '#/pairs')
  assert.equal(await waitForTable(page), 242)

  await page.getByTestId('slice-disagrees').click()
  await page.waitForFunction(() => location.hash === '#/pairs?outcome=disagrees')
  assert.equal(await waitForTable(page), 72)
  for (const badge of await page.locator('[data-testid="pair-row"] .badge').allInnerTexts())
    assert.equal(badge.trim(), 'disagrees')
  await page.getByTestId('slice-disagrees').click()
  await page.waitForFunction(() => location.hash === '#/pairs')
  await waitForTable(page)

  const search = page.getByTestId('pair-search')
  await search.fill('merge_sorted|is_balanced')
  await search.press('Enter')
  await page.waitForFunction(() => location.hash.includes('q=merge_sorted'))
  assert.equal(await waitForTable(page), 0, 'plain text: "|" is a literal character')

  await page.getByTestId('pair-search-regex').check()
  await page.waitForFunction(() => location.hash.includes('regex=1'))
  const both = await waitForTable(page)
  const prompts = await page.locator('[data-testid="pair-row"] .prompt').allInnerTexts()
  assert.ok(both > 0)
  assert.ok(prompts.some((p) => p.includes('merge_sorted')) && prompts.some((p) => p.includes('is_balanced')))
  await shot('pairs-regex-search')

  await search.fill('merge_sorted(')
  await search.press('Enter')
  await page.getByTestId('search-error').waitFor()
  assert.match(await page.getByTestId('search-error').innerText(), /invalid regular expression/)
  assert.deepEqual(pageErrors, [])
})

test('deep links open a pair directly and unknown ids say so', async (t) => {
  const { page, serve } = await openWorkbench(t, demoRun, '#/pairs/rg-L1')
  await page.getByTestId('response-newer').waitFor()
  await page.goto(`${serve.url}#/pairs/no-such-pair`)
  await page.getByTestId('error-panel').waitFor()
  assert.match(await page.getByTestId('error-panel').innerText(), /no pair "no-such-pair"/)
})
