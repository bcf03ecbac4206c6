// npm run bench:audit [-- --labels N --saves N]
// With N labels (50,000 by default) already in the workspace, how long one more label takes from
// the request to "it is on disk": `serve` on a 50,000-pair EvoLM tree (generate-ui-run.ts), and
// `annotations.save` over the WebSocket bridge, the path a keypress in the labeling view takes.
// The answer comes only after the label's document is fsynced and renamed and its folder fsynced.
// Progress lines first; the last line is one JSON object.
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { labelValues, type Annotation } from '../src/shared/annotation'
import type { PairPage } from '../src/shared/domain'
import { AnnotationStore } from '../src/core/audit/annotation-store'
import { defaultUiRunDir, ensureUiRun } from './generate-ui-run'
import { launchChromium } from '../test/helpers/browser'
import { connectBridge, startServe, stopServe } from './lib/serve-bridge'

/**
 * Runs in the page: for each pair, `1` then Enter (as key events on the window, where the view
 * listens), timing from the Enter to the progress bar's count going up (set once the save has
 * answered), then waiting for the next pair before going on.
 */
const LABEL_BY_KEYS = `async (count) => {
  const times = []
  const progress = () => document.querySelector('[data-testid="label-progress"]')
  const labelled = () => Number(progress()?.getAttribute('data-labelled') ?? '0')
  const press = (key) => window.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }))
  const until = (test) => new Promise((resolve) => {
    if (test()) return resolve()
    const observer = new MutationObserver(() => { if (test()) { observer.disconnect(); resolve() } })
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true })
  })
  for (let i = 0; i < count; i++) {
    const before = labelled()
    press('1')
    const started = performance.now()
    press('Enter')
    await until(() => labelled() === before + 1)
    times.push(performance.now() - started)
    // The next pair on screen and loaded (the view says so), before its keys are pressed.
    await until(() => {
      const view = document.querySelector('[data-testid="label-view"]')
      return view?.getAttribute('data-ready') === 'true' && view.getAttribute('data-at') === String(i + 1)
    })
  }
  return times
}`

const root = join(import.meta.dirname, '..')
const cli = join(root, 'out', 'main', 'cli.js')
const { values } = parseArgs({
  options: {
    labels: { type: 'string', default: '50000' },
    saves: { type: 'string', default: '400' },
    keypresses: { type: 'string', default: '150' },
  },
})
const stored = Number(values.labels)
const saves = Number(values.saves)
const keypresses = Number(values.keypresses)
const PAIRS = 50_000
const log = (line: string): void => console.log(line)

function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN
}
const round = (x: number): number => Math.round(x * 10) / 10

if (!existsSync(cli)) throw new Error('build first: npm run build')
const dir = defaultUiRunDir(PAIRS)
await ensureUiRun(dir, PAIRS, log)
const workspace = await mkdtemp(join(tmpdir(), 'rw-bench-audit-'))
let serve: Awaited<ReturnType<typeof startServe>> | null = null
try {
  serve = await startServe(cli, dir, workspace)
  await serve.opened
  const bridge = await connectBridge(serve.url)
  const ids: string[] = []
  for (let offset = 0; offset < PAIRS; offset += 10_000) {
    const page = await bridge.call<PairPage>('pairs.list', { offset, limit: 10_000 })
    ids.push(...page.items.map((p) => p.id))
  }
  log(`run: ${ids.length} pairs`)

  // The labels already there: written as the store writes them, by the store itself, in one batch
  // (into the workspace the server has open; it reads them when the run is reopened below).
  await stopServe(serve.child)
  const annotators = Math.ceil(stored / ids.length)
  const seeded: Annotation[] = []
  for (let k = 0; k < stored; k++) {
    seeded.push({
      pairId: ids[k % ids.length] as string,
      label: labelValues[k % 4] ?? 'tie',
      annotator: `annotator-${Math.floor(k / ids.length)}`,
      time: new Date(Date.UTC(2026, 10, 1) + k * 1000).toISOString(),
      note: k % 10 === 0 ? 'a note on this pair, as annotators write them' : null,
      blind: true,
      queue: 'bench',
      ms: 1000 + (k % 5000),
      criterionFlags: {},
    })
  }
  const store = await AnnotationStore.open(workspace)
  await store.saveMany(seeded)
  log(`seeded ${stored} labels from ${annotators} annotator(s)`)

  serve = await startServe(cli, dir, workspace)
  await serve.opened
  const live = await connectBridge(serve.url)
  const listed = await live.call<{ total: number }>('annotations.list', { limit: 1 })
  if (listed.total !== stored)
    throw new Error(`the workspace holds ${listed.total} labels, expected ${stored}`)

  const times: number[] = []
  for (let k = 0; k < saves; k++) {
    const started = performance.now()
    await live.call('annotations.save', {
      pairId: ids[(k * 7919) % ids.length],
      label: labelValues[k % 5],
      annotator: 'annotator-0',
      blind: true,
      ms: 1500,
    })
    times.push(performance.now() - started)
  }
  // The same from a keypress: Enter in the labeling view (Chromium) until the view counts the
  // label, which it does once the save has answered, i.e. once the label is durable.
  const queue = await live.call<{ id: string }>('queues.create', {
    name: 'bench',
    strategy: 'random',
    size: keypresses + 10,
    seed: 5,
  })
  live.close()
  const browser = await launchChromium()
  let keypressTimes: number[] = []
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    await page.addInitScript("localStorage.setItem('rubric-workbench.annotator', 'bench-keys')")
    await page.goto(`${serve.url}#/audit/${queue.id}`)
    await page.waitForSelector('[data-testid="label-view"][data-ready="true"]')
    keypressTimes = (await page.evaluate(`(${LABEL_BY_KEYS})(${keypresses})`)) as number[]
  } finally {
    await browser.close()
  }
  const result = {
    labels_stored: stored,
    keypress_to_durable_ms_p50: round(percentile(keypressTimes, 0.5)),
    keypress_to_durable_ms_p95: round(percentile(keypressTimes, 0.95)),
    keypress_to_durable_ms_max: round(Math.max(...keypressTimes)),
    keypresses: keypressTimes.length,
    saves,
    save_ms_p50: round(percentile(times, 0.5)),
    save_ms_p95: round(percentile(times, 0.95)),
    save_ms_max: round(Math.max(...times)),
  }
  log(`label → durable over the bridge: p50 ${result.save_ms_p50} ms, p95 ${result.save_ms_p95} ms`)
  log(
    `Enter → label durable in the labeling view: p50 ${result.keypress_to_durable_ms_p50} ms, ` +
      `p95 ${result.keypress_to_durable_ms_p95} ms, max ${result.keypress_to_durable_ms_max} ms`
  )
  console.log(JSON.stringify(result))
} finally {
  if (serve !== null) await stopServe(serve.child)
  await rm(workspace, { recursive: true, force: true })
}
