// Utility through the workbench on a judged fixture: local verdicts with and without the rubric,
// human labels, and pairs whose sides could not be scored, checked against the pair view's margins.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import type { JudgeJob } from '../../shared/judge'
import { dispatch } from '../api/dispatch'
import { Workbench } from '../workbench'
import { writeJudgeFixture } from '../../../test/fixtures/judge-fixture'
import { tempDir } from '../../../test/helpers/temp'

test('utility per judge and rubric from local verdicts, baselines and human labels', async (t) => {
  const dir = await tempDir(t)
  await writeJudgeFixture(join(dir, 'run'))
  const wb = new Workbench({ transport: 'cli', workspace: join(dir, 'ws') })
  t.after(() => wb.close())
  await wb.open(join(dir, 'run'))
  const jobs = await wb.judgeJobs()
  for (const rubric of [true, false]) {
    const job = (await dispatch(wb.handlers, 'judge.start', {
      protocol: 'criteria-logprob',
      rubric,
    })) as JudgeJob
    await jobs.idle()
    assert.equal(jobs.get(job.id)?.state, 'done')
  }
  const save = (pairId: string, label: 'newer' | 'older', annotator: string): Promise<unknown> =>
    dispatch(wb.handlers, 'annotations.save', { pairId, label, annotator, blind: true })
  await save('pair-0', 'older', 'ann')
  await save('pair-1', 'newer', 'ann')
  await save('pair-1', 'newer', 'bob')

  const rows = await wb.handlers['analysis.utility']({})
  const local = rows.filter((r) => r.judge.startsWith('tiny-judge'))
  const k1 = local.find((r) => r.rubricId === 'k1')
  const all = local.find((r) => r.rubricId === '*')
  assert.ok(k1 !== undefined && all !== undefined)
  // pair-0 and pair-1 are scored on both sides; pair-empty's older side is empty (unscored).
  assert.deepEqual([k1.n, k1.unscored, all.n, all.unscored], [2, 0, 2, 1])
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
  // No stored verdicts in this run: no stored rows.
  assert.equal(rows.filter((r) => r.judge === 'stored').length, 0)
})
