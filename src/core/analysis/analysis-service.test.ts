// The analyses through the workbench, in their worker thread: local verdicts with and without the
// rubric checked against the pair view's margins, then a label saved and removed, and verdicts
// written by a second judge job, each reaching the figures without a rebuild.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import type { CriterionRow } from '../../shared/analysis'
import type { JudgeJob } from '../../shared/judge'
import type { UtilityRow } from '../../shared/utility'
import { dispatch } from '../api/dispatch'
import { Workbench } from '../workbench'
import { writeJudgeFixture } from '../../../test/fixtures/judge-fixture'
import { writeWorkbenchFixture } from '../../../test/fixtures/workbench-fixture'
import { tempDir } from '../../../test/helpers/temp'

test('utility per judge and rubric from local verdicts, baselines and labels, kept current', async (t) => {
  const dir = await tempDir(t)
  await writeJudgeFixture(join(dir, 'run'))
  const wb = new Workbench({ transport: 'cli', workspace: join(dir, 'ws') })
  t.after(() => wb.close())
  await wb.open(join(dir, 'run'))
  const jobs = await wb.judgeJobs()
  const judge = async (rubric: boolean): Promise<void> => {
    const job = (await dispatch(wb.handlers, 'judge.start', {
      protocol: 'criteria-logprob',
      rubric,
    })) as JudgeJob
    await jobs.idle()
    assert.equal(jobs.get(job.id)?.state, 'done')
  }
  await judge(true)
  const save = (pairId: string, label: 'newer' | 'older', annotator: string): Promise<unknown> =>
    dispatch(wb.handlers, 'annotations.save', { pairId, label, annotator, blind: true })
  await save('pair-0', 'older', 'ann')

  // Built now, with one judge setting and one label.
  const before = await wb.handlers['analysis.summary']({})
  const local = before.judges.find((j) => j.id.startsWith('tiny-judge'))
  assert.ok(local !== undefined && local.criteria)
  assert.equal(before.counts.labelledPairs, 1)

  // Then the baseline job and more labels arrive: the figures follow without a rebuild.
  await judge(false)
  await save('pair-1', 'newer', 'ann')
  await save('pair-1', 'newer', 'bob')
  const rubricRows = (await wb.handlers['analysis.rows']({ table: 'rubrics', judge: local.id }))
    .rows as UtilityRow[]
  const k1 = rubricRows.find((r) => r.rubricId === 'k1')
  const [all] = (await wb.handlers['analysis.summary']({})).overall.filter((r) => r.judge === local.id)
  assert.ok(k1 !== undefined && all !== undefined)
  // pair-0 and pair-1 are scored on both sides. Tried and not scored: pair-empty's older side is
  // empty, and pair-unparsed's rubric does not parse.
  assert.deepEqual([k1.n, k1.unscored, all.n, all.unscored], [2, 0, 2, 2])
  const margins: number[] = []
  for (const pairId of ['pair-0', 'pair-1']) {
    const group = (await wb.handlers['judge.pair']({ pairId })).groups.find((g) => g.withRubric)
    margins.push(group?.margin ?? NaN)
  }
  assert.equal(k1.accuracy.value, margins.filter((m) => m > 0).length / 2)
  assert.ok(Math.abs((k1.margin.value ?? NaN) - (margins[0]! + margins[1]!) / 2) < 1e-12)
  // Both pairs have a no-rubric baseline from the same judge setting; both were labelled decisively.
  assert.equal(k1.addedValue.items, 2)
  assert.equal(k1.humanAccuracy.items, 2)
  const humanHits = (margins[0]! < 0 ? 1 : 0) + (margins[1]! > 0 ? 1 : 0)
  assert.equal(k1.humanAccuracy.value, humanHits / 2)

  // Two annotators on pair-1: one human–human cell, n = 1.
  const summary = await wb.handlers['analysis.summary']({})
  const cell = summary.agreement.cells.find((c) => c.kind === 'human-human')
  assert.deepEqual([cell?.a, cell?.b, cell?.kappa.items], ['ann', 'bob', 1])
  // Undo a label: the figures forget it.
  await dispatch(wb.handlers, 'annotations.remove', { pairId: 'pair-1', annotator: 'bob' })
  const after = await wb.handlers['analysis.summary']({})
  assert.equal(after.agreement.cells.filter((c) => c.kind === 'human-human').length, 0)

  // The rubric view's figures: the rubric's utility and each criterion's.
  const figures = await wb.handlers['analysis.rubric']({ rubricId: 'k1' })
  assert.equal(figures.utility.find((u) => u.judge === local.id)?.n, 2)
  const criteria = figures.criteria.filter((c: CriterionRow) => c.judge === local.id)
  assert.ok(criteria.length > 0 && criteria.every((c) => c.n === 2 && c.flipRate.items === 2))
  await assert.rejects(wb.handlers['analysis.rubric']({ rubricId: 'nope' }), /no rubric "nope"/)
})

test("a run's stored per-criterion scores give per-criterion figures without a local judge", async (t) => {
  const dir = await tempDir(t)
  await writeWorkbenchFixture(join(dir, 'run'))
  const wb = new Workbench({ transport: 'cli', workspace: join(dir, 'ws') })
  t.after(() => wb.close())
  await wb.open(join(dir, 'run'))
  const summary = await wb.handlers['analysis.summary']({})
  assert.equal(summary.criteriaMissing, false)
  const rows = (
    await wb.handlers['analysis.rows']({ table: 'criteria', judge: 'stored', sort: 'criterion', desc: false })
  ).rows as CriterionRow[]
  // pair-1: newer [1, 0], older [0, NaN]: the first criterion is scored on both sides and passes
  // on the newer only; the second is unscored on the older side.
  assert.deepEqual(
    rows.map((r) => [r.criterion, r.n, r.newerPassRate, r.olderPassRate]),
    [
      [0, 1, 1, 0],
      [1, 0, null, null],
    ]
  )
})
