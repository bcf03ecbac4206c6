// Verdict files with a torn line: the readable verdicts count, the torn line is named (file and
// line) for the Judge page, and the next append starts on a line of its own.
import assert from 'node:assert/strict'
import { appendFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { tempDir } from '../../../test/helpers/temp'
import type { LocalVerdict } from '../../shared/judge'
import { emptyResult } from './protocols'
import { VerdictStore } from './verdict-store'

const verdict = (responseId: string): LocalVerdict => ({
  ...emptyResult(`k-${responseId}`),
  score: 0.5,
  judge: 'tiny-judge@fp32#1',
  protocol: 'criteria-logprob',
  template: 'criteria',
  templateVersion: 1,
  rubricId: 'k1',
  responseId,
  otherResponseId: null,
  time: '2026-11-27T00:00:00.000Z',
})

test('a torn verdict line is skipped and named; the verdicts around it stay', async (t) => {
  const ws = await tempDir(t)
  const store = await VerdictStore.open(ws)
  await store.append([verdict('r1')])
  const [file] = await readdir(store.dir)
  // A crash mid-append leaves half a line.
  await appendFile(join(store.dir, file as string), '{"key": "k-r2", "jud')
  const reopened = await VerdictStore.open(ws)
  assert.equal(reopened.done('k-r1'), true)
  assert.equal(reopened.done('k-r2'), false)
  assert.equal(reopened.issues.length, 1)
  assert.deepEqual([reopened.issues[0]?.file, reopened.issues[0]?.line], [file, 2])
  await reopened.append([verdict('r3')])
  const again = await VerdictStore.open(ws)
  assert.equal(again.done('k-r3'), true)
  assert.equal(again.issues.length, 1)
})
