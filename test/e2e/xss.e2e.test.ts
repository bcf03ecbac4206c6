// Model output is untrusted: script tags, event handlers and javascript: links render inert.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { writePreferenceFixture } from '../fixtures/preference-fixtures'
import { launchChromium } from '../helpers/browser'
import { startServe } from '../helpers/serve-process'
import { tempDir } from '../helpers/temp'

test('a response carrying XSS payloads renders inert', async (t) => {
  const dir = await tempDir(t)
  const file = join(dir, 'prefs.jsonl')
  await writePreferenceFixture(file)
  const serve = await startServe(t, file, join(dir, 'ws'))
  const browser = await launchChromium()
  t.after(() => browser.close())
  const page = await browser.newPage()
  const dialogs: string[] = []
  page.on('dialog', (d) => {
    dialogs.push(d.message())
    void d.dismiss()
  })
  await page.goto(`${serve.url}#/pairs/L3`)
  const answer = page.getByTestId('response-newer').getByTestId('response-answer')
  await answer.waitFor()
  assert.match(await answer.innerText(), /Safe text\./)

  // Give every payload its chance to fire: hover, click links, then check nothing ran.
  for (const el of await answer.locator('a, div, svg, img').all())
    await el.hover({ force: true }).catch(() => {})
  for (const link of await answer.locator('a').all())
    await link.click({ force: true, noWaitAfter: true }).catch(() => {})
  const state = await answer.evaluate((root) => ({
    xss: (window as { __xss?: string }).__xss ?? null,
    scripts: root.querySelectorAll('script, iframe, object, embed').length,
    handlers: [...root.querySelectorAll('*')].filter((el) =>
      [...el.attributes].some((a) => a.name.startsWith('on'))
    ).length,
    jsLinks: [...root.querySelectorAll('a')].filter((a) =>
      /^\s*javascript:/i.test(a.getAttribute('href') ?? '')
    ).length,
    hash: location.hash,
  }))
  assert.deepEqual(state, { xss: null, scripts: 0, handlers: 0, jsLinks: 0, hash: '#/pairs/L3' })
  assert.deepEqual(dialogs, [])
})
