// The pair table's query engine against the demo run, checked against plain filters over the
// unfiltered list of summaries (the obvious, slow way).
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import type { PairSummary } from '../../shared/domain'
import { tempDir } from '../../../test/helpers/temp'
import { Workbench } from '../workbench'
import { sortedOrder } from './pair-query-engine'
import { gapHistogram } from './timeline-stats'

const DEMO = join(import.meta.dirname, '..', '..', '..', 'resources', 'demo-run')

async function openDemo(t: TestContext): Promise<{ wb: Workbench; all: PairSummary[] }> {
  const dir = await tempDir(t)
  const wb = new Workbench({ transport: 'serve', workspace: join(dir, 'ws') })
  await wb.open(DEMO)
  const all = (await wb.handlers['pairs.list']({ offset: 0, limit: 10_000 })).items
  return { wb, all }
}

const ids = (pairs: readonly PairSummary[]): string[] => pairs.map((p) => p.id)

test('filters: outcome, gap range and task type match a plain filter over all pairs', async (t) => {
  const { wb, all } = await openDemo(t)
  assert.ok(all.length > 100)
  const disagree = await wb.handlers['pairs.list']({ offset: 0, limit: 10_000, outcomes: ['disagrees'] })
  const expected = all.filter((p) => p.outcome === 'disagrees')
  assert.ok(expected.length > 0, 'the demo run has pairs the judge ranks against the temporal label')
  assert.deepEqual(ids(disagree.items), ids(expected))
  assert.equal(disagree.total, expected.length)
  assert.equal(disagree.runTotal, all.length)

  const task = 'math'
  const combined = await wb.handlers['pairs.list']({
    offset: 0,
    limit: 10_000,
    gapMin: 10,
    gapMax: 60,
    taskType: task,
    outcomes: ['agrees', 'tie'],
  })
  const expectedCombined = all.filter(
    (p) =>
      p.gap !== null &&
      p.gap >= 10 &&
      p.gap <= 60 &&
      p.taskType === task &&
      (p.outcome === 'agrees' || p.outcome === 'tie')
  )
  assert.ok(expectedCombined.length > 0, 'the demo run has math pairs with gaps of 10-60')
  const unknownTask = await wb.handlers['pairs.list']({ offset: 0, limit: 10, taskType: 'no-such-task' })
  assert.equal(unknownTask.total, 0, 'a task type the run does not have matches nothing')
  assert.deepEqual(ids(combined.items), ids(expectedCombined))
})

test('sort: by gap descending with unknowns last, stable, and paging slices the same order', async (t) => {
  const { wb, all } = await openDemo(t)
  const sorted = await wb.handlers['pairs.list']({ offset: 0, limit: 10_000, sort: 'gap', desc: true })
  const expected = [...all].sort((a, b) => (b.gap ?? -Infinity) - (a.gap ?? -Infinity))
  assert.deepEqual(
    sorted.items.map((p) => p.gap),
    expected.map((p) => p.gap)
  )
  const page = await wb.handlers['pairs.list']({ offset: 20, limit: 10, sort: 'gap', desc: true })
  assert.deepEqual(ids(page.items), ids(sorted.items.slice(20, 30)))
  assert.equal(page.queryMs, 0, 'the second page comes from the cached order')

  const byMargin = await wb.handlers['pairs.list']({ offset: 0, limit: 10_000, sort: 'margin' })
  const margins = byMargin.items
    .filter((p) => p.newerScore !== null && p.olderScore !== null)
    .map((p) => (p.newerScore ?? 0) - (p.olderScore ?? 0))
  assert.deepEqual(
    margins,
    [...margins].sort((a, b) => a - b)
  )
  const last = byMargin.items.at(-1)
  assert.ok(last !== undefined && (last.newerScore === null || last.olderScore === null))
})

test('search: plain text is literal, regex is a pattern, a bad regex is a clear bad-request', async (t) => {
  const { wb, all } = await openDemo(t)
  const promptText = await wb.handlers['prompts.get']({ id: all[0]?.promptId ?? '' })
  const word = /\b[A-Za-z]{6,}\b/.exec(promptText.prompt.text)?.[0]
  assert.ok(word !== undefined)
  const plain = await wb.handlers['pairs.list']({ offset: 0, limit: 10_000, search: word.toUpperCase() })
  assert.ok(
    plain.items.some((p) => p.promptId === promptText.prompt.id),
    'case-insensitive prompt match'
  )

  // "." is literal in plain mode and a wildcard in regex mode.
  const literalDot = await wb.handlers['pairs.list']({ offset: 0, limit: 10_000, search: 'zq.zq' })
  assert.equal(literalDot.total, 0)
  const regex = await wb.handlers['pairs.list']({
    offset: 0,
    limit: 10_000,
    search: `${word.slice(0, 3)}.${word.slice(4)}`,
    regex: true,
  })
  assert.ok(regex.total >= 1)

  await assert.rejects(wb.handlers['pairs.list']({ offset: 0, limit: 5, search: '(unclosed', regex: true }), {
    message: /invalid regular expression "\(unclosed"/,
  })
})

test('search reaches response and rubric texts read back from disk', async (t) => {
  const { wb, all } = await openDemo(t)
  const first = all[0]
  assert.ok(first !== undefined)
  const detail = await wb.handlers['pairs.get']({ id: first.id })
  // The newer answer's first line, as written.
  const phrase = detail.newer.answer.split('\n')[0] ?? ''
  assert.ok(phrase.length > 10)
  const found = await wb.handlers['pairs.list']({ offset: 0, limit: 10_000, search: phrase })
  assert.ok(ids(found.items).includes(first.id), `search for ${phrase} finds ${first.id}`)
  const criterion = detail.rubric?.criteriaList?.[0]?.text
  assert.ok(criterion !== undefined)
  const byRubric = await wb.handlers['pairs.list']({ offset: 0, limit: 10_000, search: criterion })
  assert.ok(ids(byRubric.items).includes(first.id), `search for ${criterion} finds ${first.id}`)
})

test('neighbors follow the query order; a checkpoint filter narrows to its window', async (t) => {
  const { wb } = await openDemo(t)
  const order = await wb.handlers['pairs.list']({ offset: 0, limit: 10_000, sort: 'gap' })
  const middle = order.items[5]
  assert.ok(middle !== undefined)
  const n = await wb.handlers['pairs.neighbors']({ id: middle.id, sort: 'gap' })
  assert.deepEqual(n, {
    position: 5,
    total: order.total,
    previous: order.items[4]?.id,
    next: order.items[6]?.id,
  })
  const stats = await wb.handlers['timeline.stats']({})
  const cp = stats.checkpoints.find((c) => c.phase === 'policy' && c.pairs > 0 && c.pairs < order.total)
  assert.ok(cp !== undefined, 'a policy checkpoint holds some of the pairs')
  const inCp = await wb.handlers['pairs.list']({ offset: 0, limit: 10_000, checkpoint: cp.id })
  assert.equal(inCp.total, cp.pairs)
  for (const p of inCp.items) assert.ok(p.newerStep !== null && p.newerStep <= cp.step)
  const outside = order.items.find((p) => !ids(inCp.items).includes(p.id))
  assert.ok(outside !== undefined)
  const none = await wb.handlers['pairs.neighbors']({ id: outside.id, checkpoint: cp.id })
  assert.equal(none.position, null)
})

test('timeline stats: win, tie and parse-failure rates add up per checkpoint', async (t) => {
  const { wb, all } = await openDemo(t)
  const stats = await wb.handlers['timeline.stats']({})
  const policy = stats.checkpoints.filter((c) => c.phase === 'policy' && c.pairs > 0)
  assert.ok(policy.length > 0)
  for (const c of policy) {
    const inWindow = (await wb.handlers['pairs.list']({ offset: 0, limit: 10_000, checkpoint: c.id })).items
    assert.equal(c.pairs, inWindow.length)
    const decided = inWindow.filter((p) => ['agrees', 'disagrees', 'tie'].includes(p.outcome))
    const agrees = decided.filter((p) => p.outcome === 'agrees').length
    assert.equal(c.winRate, decided.length === 0 ? null : agrees / decided.length)
  }
  const rubric = stats.checkpoints.filter((c) => c.phase === 'rubric' && c.rubrics > 0)
  assert.ok(rubric.length > 0)
  for (const c of rubric) {
    assert.ok(c.meanCriteria !== null && c.meanCriteria > 0)
    assert.ok(c.dealbreakerShare !== null && c.dealbreakerShare >= 0 && c.dealbreakerShare <= 1)
    assert.ok(c.answerStatingShare !== null)
  }
  const binned = stats.gapHistogram.reduce((s, b) => s + b.count, 0)
  assert.equal(binned + stats.pairsWithoutGap, all.length)
})

test('gap histogram: round bin widths, inclusive bounds, unknown gaps counted apart', () => {
  const { bins, missing } = gapHistogram(new Float64Array([0, 5, 9, 10, 99, Number.NaN]))
  assert.equal(missing, 1)
  assert.deepEqual(bins[0], { from: 0, to: 4, count: 1 })
  assert.equal(bins.at(-1)?.to, 99)
  assert.equal(
    bins.reduce((s, b) => s + b.count, 0),
    5
  )
  assert.deepEqual(gapHistogram(new Float64Array([Number.NaN])), { bins: [], missing: 1 })
})

test('sortedOrder: ascending and descending, NaN last both ways, ties in position order', () => {
  const values = new Float64Array([3, Number.NaN, 1, 3, -0, 0, 2.5, Number.NaN, 1])
  assert.deepEqual([...sortedOrder(values, false)], [4, 5, 2, 8, 6, 0, 3, 1, 7])
  assert.deepEqual([...sortedOrder(values, true)], [0, 3, 6, 2, 8, 4, 5, 1, 7])
  assert.deepEqual([...sortedOrder(new Float64Array(0), false)], [])
})

test('the label filter follows the annotations as they are saved and undone', async (t) => {
  const { wb, all } = await openDemo(t)
  const labelled = async (): Promise<string[]> =>
    ids((await wb.handlers['pairs.list']({ offset: 0, limit: 10_000, annotation: 'labelled' })).items)
  assert.deepEqual(await labelled(), [])
  const [a, b] = all
  assert.ok(a !== undefined && b !== undefined)
  const saved = await wb.handlers['annotations.save']({
    pairId: a.id,
    label: 'older',
    annotator: 'ann',
    blind: true,
    note: null,
    queue: null,
    ms: 900,
    criterionFlags: {},
  })
  assert.match(saved.time, /^\d{4}-\d\d-\d\dT/)
  assert.deepEqual(await labelled(), [a.id])
  await wb.handlers['annotations.save']({
    pairId: b.id,
    label: 'skip',
    annotator: 'ann',
    blind: false,
    note: null,
    queue: null,
    ms: null,
    criterionFlags: {},
  })
  assert.deepEqual(await labelled(), [a.id], 'a skip is not a label')
  const unlabelled = await wb.handlers['pairs.list']({ offset: 0, limit: 1, annotation: 'unlabelled' })
  assert.equal(unlabelled.total, all.length - 1)
  assert.equal((await wb.handlers['pairs.facets']({})).labelled, 1)
  await wb.handlers['annotations.remove']({ pairId: a.id, annotator: 'ann' })
  assert.deepEqual(await labelled(), [])
  await assert.rejects(
    wb.handlers['annotations.save']({
      pairId: 'nope',
      label: 'tie',
      annotator: 'ann',
      blind: true,
      note: null,
      queue: null,
      ms: null,
      criterionFlags: {},
    }),
    /no pair "nope"/
  )
})
