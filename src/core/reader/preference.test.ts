import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { writePreferenceFixture, writeRewardBenchFixture } from '../../../test/fixtures/preference-fixtures'
import { tempDir } from '../../../test/helpers/temp'
import { Workbench } from '../workbench'

test('preference JSONL: plain and chat rows become pairs named chosen/rejected', async (t) => {
  const dir = await tempDir(t)
  const file = join(dir, 'prefs.jsonl')
  await writePreferenceFixture(file)
  const wb = new Workbench({ transport: 'serve', workspace: join(dir, 'ws') })
  const s = await wb.open(file)
  assert.equal(s.format, 'preference')
  assert.deepEqual(s.sideNames, { newer: 'chosen', older: 'rejected' })
  assert.equal(s.counts.pairs, 3)
  assert.equal(s.counts.checkpoints, 0)
  assert.equal(s.counts.errors, 1)
  const chat = await wb.handlers['pairs.get']({ id: 'L2' })
  assert.equal(chat.newer.answer, '7 is prime.')
  assert.equal(chat.older.answer, '9 is prime.')
  assert.match(chat.prompt.text, /Name a prime/)
  const errors = await wb.handlers['run.errors']({ offset: 0, limit: 10 })
  assert.deepEqual(errors.items, [
    { file: 'prefs.jsonl', line: 4, message: 'field chosen: expected a string or a list, got a number' },
  ])
})

test('RewardBench-2: one chosen against each rejected; Ties keeps every chosen', async (t) => {
  const dir = await tempDir(t)
  const file = join(dir, 'rb2.jsonl')
  await writeRewardBenchFixture(file)
  const wb = new Workbench({ transport: 'serve', workspace: join(dir, 'ws') })
  const s = await wb.open(file)
  assert.equal(s.format, 'rewardbench2')
  assert.equal(s.counts.pairs, 5)
  assert.equal(s.counts.responses, 7)
  const pairs = (await wb.handlers['pairs.list']({ offset: 0, limit: 10 })).items.map((p) => p.id)
  assert.deepEqual(pairs, ['math-1-c0-r0', 'math-1-c0-r1', 'math-1-c0-r2', 'ties-1-c0-r0', 'ties-1-c1-r0'])
  const second = await wb.handlers['pairs.get']({ id: 'math-1-c0-r1' })
  assert.equal(second.newer.answer, '4')
  assert.equal(second.older.answer, '22')
  const prompts = await wb.handlers['prompts.list']({ offset: 0, limit: 10 })
  assert.deepEqual(
    prompts.items.map((p) => p.taskType),
    ['Math', 'Ties']
  )
})

test('duplicate pair ids: the first row keeps the id, the second is reported', async (t) => {
  const dir = await tempDir(t)
  const file = join(dir, 'dups.jsonl')
  const row = (id: string, chosen: string): string =>
    JSON.stringify({ id, prompt: 'p', chosen, rejected: 'r' })
  // "x y" and "x_y" become the same URL-safe id.
  await writeFile(file, `${row('x y', 'first')}\n${row('x_y', 'second')}\n${row('ok', 'third')}\n`)
  const wb = new Workbench({ transport: 'serve', workspace: join(dir, 'ws') })
  const s = await wb.open(file)
  assert.equal(s.counts.pairs, 2)
  assert.equal((await wb.handlers['pairs.get']({ id: 'x_y' })).newer.answer, 'first')
  const errors = await wb.handlers['run.errors']({ offset: 0, limit: 5 })
  assert.deepEqual(errors.items, [
    { file: 'dups.jsonl', line: 2, message: 'duplicate pair id "x_y" (first used on line 1)' },
  ])
})

test('a byte-order mark and a damaged first line do not stop a file from opening', async (t) => {
  const dir = await tempDir(t)
  const file = join(dir, 'bom.jsonl')
  const good = JSON.stringify({ prompt: 'p', chosen: 'a', rejected: 'b' })
  await writeFile(
    file,
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`{"prompt": "cut\n${good}\n${good}\n`)])
  )
  const wb = new Workbench({ transport: 'serve', workspace: join(dir, 'ws') })
  const s = await wb.open(file)
  assert.equal(s.format, 'preference')
  assert.equal(s.counts.pairs, 2)
  assert.equal(s.counts.errors, 1)
})
