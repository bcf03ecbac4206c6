// Opening the workbench in Chromium through `serve`, and waiting on the app's own readiness
// signals (never on time).
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import type { Page } from 'playwright-core'
import { queryKey, readPairQuery } from '../../src/shared/pair-query'
import { launchChromium } from '../helpers/browser'
import { packageRoot, startServe, type ServeProcess } from '../helpers/serve-process'
import { tempDir } from '../helpers/temp'

export const screenshots = join(packageRoot, 'test-results')

export interface OpenedWorkbench {
  page: Page
  serve: ServeProcess
  /** Uncaught errors in the page; a test ends by asserting there were none. */
  pageErrors: string[]
  shot: (name: string, fullPage?: boolean) => Promise<void>
  /** The serve process's workspace folder. */
  workspace: string
}

export async function openWorkbench(
  t: TestContext,
  runPath: string,
  hash = '#/timeline',
  options: { workspace?: string } = {}
): Promise<OpenedWorkbench> {
  const dir = await tempDir(t)
  const workspace = options.workspace ?? join(dir, 'ws')
  const serve = await startServe(t, runPath, workspace)
  const browser = await launchChromium()
  t.after(() => browser.close())
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await mkdir(screenshots, { recursive: true })
  await page.goto(`${serve.url}${hash}`)
  await page.waitForSelector('body[data-ready="true"]')
  const shot = async (name: string, fullPage = false): Promise<void> => {
    await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage })
  }
  return { page, serve, pageErrors, shot, workspace }
}

/** The pair table key the app computes for the current `#/pairs?…` hash. */
export function expectedQueryKey(hash: string): string {
  const mark = hash.indexOf('?')
  return queryKey(readPairQuery(new URLSearchParams(mark < 0 ? '' : hash.slice(mark + 1))))
}

/** Wait until the pair table shows the rows of the query in the current URL; returns its total. */
export async function waitForTable(page: Page): Promise<number> {
  const hash = await page.evaluate(() => location.hash)
  const key = expectedQueryKey(hash)
  const table = page.locator(`[data-testid="pair-table"][data-state="ready"]`)
  await page.waitForFunction(
    (k) =>
      document
        .querySelector(`[data-testid="pair-table"][data-state="ready"]`)
        ?.getAttribute('data-query-key') === k ||
      document.querySelector('[data-testid="empty-state"]') !== null,
    key
  )
  if ((await table.count()) === 0) return 0
  return Number(await table.getAttribute('data-total'))
}

/** Click the `index`-th element of a Chart.js canvas (positions published by ChartCanvas). */
export async function clickChartElement(
  page: Page,
  testid: string,
  dataset: number,
  index: number
): Promise<void> {
  const canvas = page.getByTestId(testid)
  await page.waitForFunction(
    (id) => document.querySelector(`[data-testid="${id}"]`)?.hasAttribute('data-points'),
    testid
  )
  const points = JSON.parse((await canvas.getAttribute('data-points')) ?? '[]') as {
    d: number
    i: number
    x: number
    y: number
  }[]
  const point = points.find((p) => p.d === dataset && p.i === index)
  if (point === undefined) throw new Error(`${testid} has no element ${dataset}/${index}`)
  // Bars are drawn from their top (y) down; click a little inside.
  await canvas.click({ position: { x: point.x, y: point.y + 3 } })
}
