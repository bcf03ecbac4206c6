// The demo run in the real renderer, in Chromium, through the serve transport.
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { launchChromium } from '../helpers/browser'
import { packageRoot, startServe } from '../helpers/serve-process'
import { tempDir } from '../helpers/temp'

const demoRun = join(packageRoot, 'resources', 'demo-run')
const shots = join(packageRoot, 'test-results')

test('demo run: timeline → pair table → pair view shows both texts', async (t) => {
  const dir = await tempDir(t)
  const serve = await startServe(t, demoRun, join(dir, 'ws'))
  const browser = await launchChromium()
  t.after(() => browser.close())
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await mkdir(shots, { recursive: true })

  await page.goto(`${serve.url}#/timeline`)
  await page.waitForSelector('body[data-ready="true"]')
  const rows = page.getByTestId('checkpoint-row')
  assert.equal(await rows.count(), 12)
  await page.screenshot({ path: join(shots, 'demo-timeline.png') })

  const policy = page.locator('[data-testid="checkpoint-row"][data-checkpoint-id="policy-75"]')
  await policy.click()
  await page.waitForFunction(() => location.hash.startsWith('#/pairs?'))
  assert.match(await page.evaluate(() => location.hash), /checkpoint=policy-75/)
  await page.getByTestId('pair-row').first().waitFor()
  assert.ok((await page.getByTestId('pair-row').count()) > 0)
  await page.screenshot({ path: join(shots, 'demo-pairs.png') })

  await page.getByTestId('pair-row').first().click()
  await page.waitForFunction(() => /^#\/pairs\/[^?]+$/.test(location.hash))
  const newer = page.getByTestId('response-newer').getByTestId('response-answer')
  const older = page.getByTestId('response-older').getByTestId('response-answer')
  await newer.waitFor()
  await older.waitFor()
  const [newerText, olderText] = [await newer.innerText(), await older.innerText()]
  assert.ok(newerText.trim().length > 20, `newer text: ${newerText}`)
  assert.ok(olderText.trim().length > 0, `older text: ${olderText}`)
  await page.screenshot({ path: join(shots, 'demo-pair.png'), fullPage: false })
  assert.deepEqual(pageErrors, [])
})

test('deep links open a pair directly and unknown ids say so', async (t) => {
  const dir = await tempDir(t)
  const serve = await startServe(t, demoRun, join(dir, 'ws'))
  const browser = await launchChromium()
  t.after(() => browser.close())
  const page = await browser.newPage()
  await page.goto(`${serve.url}#/pairs/rg-L1`)
  await page.getByTestId('response-newer').waitFor()
  await page.goto(`${serve.url}#/pairs/no-such-pair`)
  await page.getByTestId('error-panel').waitFor()
  assert.match(await page.getByTestId('error-panel').innerText(), /no pair "no-such-pair"/)
})
