// The temporal-assumption report from labels saved through the API, on the demo run.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import type { LabelValue } from '../../shared/annotation'
import { tempDir } from '../../../test/helpers/temp'
import { Workbench } from '../workbench'

const DEMO = join(import.meta.dirname, '..', '..', '..', 'resources', 'demo-run')

test('report: shares with intervals, slices, judge and human agreement, an adjudication queue', async (t) => {
  const dir = await tempDir(t)
  const wb = new Workbench({ transport: 'serve', workspace: join(dir, 'ws') })
  await wb.open(DEMO)
  const pairs = (await wb.handlers['pairs.list']({ offset: 0, limit: 40 })).items
  const save = (pairId: string, annotator: string, label: LabelValue) =>
    wb.handlers['annotations.save']({
      pairId,
      annotator,
      label,
      blind: true,
      note: null,
      queue: null,
      ms: null,
      criterionFlags: {},
    })

  // ann-1 labels 40 pairs: 24 newer, 8 older, 4 tie, 2 both-bad, 2 skip.
  const plan: LabelValue[] = [
    ...Array<LabelValue>(24).fill('newer'),
    ...Array<LabelValue>(8).fill('older'),
    ...Array<LabelValue>(4).fill('tie'),
    ...Array<LabelValue>(2).fill('both-bad'),
    ...Array<LabelValue>(2).fill('skip'),
  ]
  for (const [i, p] of pairs.entries()) await save(p.id, 'ann-1', plan[i] ?? 'skip')
  // ann-2 agrees on the first 10 and disagrees on the next 4.
  for (const [i, p] of pairs.slice(0, 14).entries())
    await save(p.id, 'ann-2', i < 10 ? (plan[i] ?? 'skip') : 'older')

  const report = await wb.handlers['audit.report']({})
  assert.deepEqual(report.annotators, ['ann-1', 'ann-2'])
  const o = report.overall
  assert.deepEqual([o.labels, o.newer, o.older, o.tie, o.bothBad], [38 + 14, 24 + 10, 8 + 4, 4, 2])
  assert.equal(o.pNewer.value, 34 / 52)
  assert.equal(o.pNewerDecisive.value, 34 / 46)
  assert.ok(
    o.pNewer.low !== null && o.pNewer.high !== null && o.pNewer.low < 34 / 52 && 34 / 52 < o.pNewer.high
  )
  assert.equal(
    report.byTask.reduce((s, x) => s + x.labels, 0),
    o.labels,
    'every label falls in one task slice'
  )
  assert.equal(
    report.byGap.reduce((s, x) => s + x.labels, 0),
    o.labels
  )
  assert.equal(report.pairwise.length, 1)
  assert.equal(report.pairwise[0]?.items, 14)
  assert.equal(report.pairwise[0]?.percent, 10 / 14)
  assert.equal(report.disagreements.length, 4)
  assert.deepEqual(new Set(report.disagreements), new Set(pairs.slice(10, 14).map((p) => p.id)))
  assert.equal(report.fleiss.raters, 2)
  assert.ok(report.krippendorff.value !== null)
  assert.ok(report.judge.items > 0 && report.judge.percent !== null)

  const { id } = await wb.handlers['queues.create']({
    name: 'adjudicate',
    strategy: 'annotators-disagree',
    size: 100,
    seed: 1,
  })
  const queue = (await wb.handlers['queues.get']({ id })).queue
  assert.deepEqual(new Set(queue.pairIds), new Set(report.disagreements))

  // An adjudicator settles one disagreement: it leaves the list, and adds no rater to agreement.
  await wb.handlers['annotations.save']({
    pairId: queue.pairIds[0] ?? '',
    annotator: 'judge-of-appeal',
    label: 'newer',
    blind: true,
    note: null,
    queue: id,
    ms: null,
    criterionFlags: {},
  })
  const after = await wb.handlers['audit.report']({})
  assert.equal(after.disagreements.length, 3)
  assert.deepEqual(after.pairwise, report.pairwise)
  assert.deepEqual(after.fleiss, report.fleiss)
})

test('criterion flags are counted per criterion over the pairs judged under a rubric', async (t) => {
  const dir = await tempDir(t)
  const wb = new Workbench({ transport: 'serve', workspace: join(dir, 'ws') })
  await wb.open(DEMO)
  const [pair] = (await wb.handlers['pairs.list']({ offset: 0, limit: 1 })).items
  assert.ok(pair !== undefined && pair.rubricId !== null)
  for (const [annotator, flags] of [
    ['x', { '0': 'leaks-answer', '1': 'vague' }],
    ['y', { '0': 'leaks-answer' }],
  ] as const) {
    await wb.handlers['annotations.save']({
      pairId: pair.id,
      annotator,
      label: 'newer',
      blind: true,
      note: null,
      queue: null,
      ms: null,
      criterionFlags: flags,
    })
  }
  assert.deepEqual(await wb.handlers['annotations.criterionFlags']({ rubricId: pair.rubricId }), {
    '0': { 'leaks-answer': 2 },
    '1': { vague: 1 },
  })
  await assert.rejects(wb.handlers['annotations.criterionFlags']({ rubricId: 'nope' }), /no rubric "nope"/)
})
