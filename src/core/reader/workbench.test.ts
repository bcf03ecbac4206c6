import assert from 'node:assert/strict'
import { join } from 'node:path'
import { writeFile } from 'node:fs/promises'
import { test } from 'node:test'
import { writeWorkbenchFixture } from '../../../test/fixtures/workbench-fixture'
import { tempDir } from '../../../test/helpers/temp'
import { Workbench } from '../workbench'
import { openRun } from './open-run'

test('workbench format: tables link by id; verdicts attach to the pair under its rubric', async (t) => {
  const dir = await tempDir(t)
  const root = join(dir, 'run')
  await writeWorkbenchFixture(root)
  const wb = new Workbench({ transport: 'serve', workspace: join(dir, 'ws') })
  const s = await wb.open(root)
  assert.equal(s.format, 'workbench')
  assert.equal(s.name, 'tiny')
  assert.equal(s.counts.responses, 2)
  assert.equal(s.counts.judgeParseFailures, 1)
  assert.equal(s.counts.errors, 1)
  const pair = await wb.handlers['pairs.get']({ id: 'pair-1' })
  assert.equal(pair.pair.gap, 20)
  assert.equal(pair.pair.outcome, 'parse-failure')
  assert.equal(pair.newer.answer, 'It is 7.')
  assert.equal(pair.prompt.reference, '7')
  assert.equal(pair.rubric?.formatValid, true)
  // Stored verdicts under the rubric carry per-criterion scores; the no-rubric judge comes along.
  const byJudge = (judge: string, responseId: string) =>
    pair.verdicts.find((v) => v.judge === judge && v.responseId === responseId)
  assert.deepEqual(byJudge('stored', 'r-new')?.criterionScores, [1, 0])
  assert.deepEqual(byJudge('stored', 'r-old')?.criterionScores, [0, null])
  assert.equal(byJudge('no-rubric', 'r-new')?.rubricId, null)
  assert.equal(byJudge('no-rubric', 'r-old')?.score, 0.7)
  assert.equal(pair.verdicts.length, 4)
  const errors = await wb.handlers['run.errors']({ offset: 0, limit: 5 })
  assert.deepEqual(errors.items, [{ file: 'responses.jsonl', line: 3, message: 'unknown prompt id "nope"' }])
})

test('workbench format: a run.json of another tool is not taken for a workbench run', async (t) => {
  const dir = await tempDir(t)
  await writeFile(join(dir, 'run.json'), '{"format": "something-else"}')
  await assert.rejects(openRun(dir), /is not a run: no workbench run.json/)
})

test('workbench format: a manifest from a newer workbench, or with wrong field types, is named', async (t) => {
  const dir = await tempDir(t)
  await writeFile(join(dir, 'run.json'), '{"format": "rubric-workbench-run", "version": 9}')
  await assert.rejects(openRun(dir), /run.json has version 9; this workbench reads up to 1/)
  await writeFile(join(dir, 'run.json'), '{"format": "rubric-workbench-run", "version": 1, "name": 42}')
  await assert.rejects(openRun(dir), /run.json: "name" must be a string/)
})
