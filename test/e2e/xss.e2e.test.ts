// Model output is untrusted: script tags, event handlers and javascript: links render inert, and
// math (KaTeX) renders but cannot bring links or styles of its own.
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
  const cspViolations: string[] = []
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text())
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

  const math = await answer.evaluate(async (root) => {
    await document.fonts.ready
    const styled = [...root.querySelectorAll('[style]')]
    return {
      formulas: root.querySelectorAll('.katex').length,
      styledOutsideMath: styled.filter((el) => el.closest('.katex, .katex-error') === null).length,
      badStyles: styled
        .map((el) => el.getAttribute('style') ?? '')
        .filter((style) => /fixed|absolute|url\(|vw|vh|javascript/i.test(style)),
      fixed: [...root.querySelectorAll('*')].filter((el) => getComputedStyle(el).position === 'fixed').length,
      links: root.querySelectorAll('.katex a, .katex-error a').length,
      katexFont: [...document.fonts].some((f) => f.family.includes('KaTeX') && f.status === 'loaded'),
    }
  })
  assert.deepEqual(math, {
    formulas: 4,
    styledOutsideMath: 0,
    badStyles: [],
    fixed: 0,
    links: 0,
    katexFont: true,
  })
  assert.deepEqual(cspViolations, [])
})
