// Audit queues on the demo run: seeded, faithful to their strategy, and kept in the workspace.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { tempDir } from '../../../test/helpers/temp'
import { Workbench } from '../workbench'

const DEMO = join(import.meta.dirname, '..', '..', '..', 'resources', 'demo-run')

test('queues: seeded, true to their strategy, and still there after reopening', async (t) => {
  const dir = await tempDir(t)
  const open = async (): Promise<Workbench> => {
    const wb = new Workbench({ transport: 'serve', workspace: join(dir, 'ws') })
    await wb.open(DEMO)
    return wb
  }
  const wb = await open()
  const all = (await wb.handlers['pairs.list']({ offset: 0, limit: 10_000 })).items
  const byId = new Map(all.map((p) => [p.id, p]))
  const make = async (
    strategy: Parameters<Workbench['handlers']['queues.create']>[0]['strategy'],
    size: number,
    seed = 7
  ) => {
    const { id } = await wb.handlers['queues.create']({ name: strategy, strategy, size, seed })
    return (await wb.handlers['queues.get']({ id })).queue.pairIds
  }

  const a = await make('random', 20)
  assert.deepEqual(await make('random', 20), a, 'the same seed gives the same queue')
  assert.notDeepEqual(await make('random', 20, 8), a)
  assert.equal(new Set(a).size, 20)

  const disagree = await make('judge-disagrees', 500)
  assert.equal(disagree.length, all.filter((p) => p.outcome === 'disagrees').length)
  for (const id of disagree) assert.equal(byId.get(id)?.outcome, 'disagrees')

  const nearZero = await make('margin-near-zero', 30)
  const margins = nearZero.map((id) => {
    const p = byId.get(id)
    return Math.abs((p?.newerScore ?? Number.NaN) - (p?.olderScore ?? Number.NaN))
  })
  assert.deepEqual(
    margins,
    [...margins].sort((x, y) => x - y)
  )
  assert.ok(margins.every((m) => Number.isFinite(m)))

  const tasks = (await make('stratified-task', 10)).map((id) => byId.get(id)?.taskType)
  const perTask = new Map<string, number>()
  for (const task of tasks) perTask.set(String(task), (perTask.get(String(task)) ?? 0) + 1)
  assert.deepEqual([...perTask.values()], [2, 2, 2, 2, 2], 'five task types, two pairs each')

  assert.equal((await make('stratified-gap', 40)).length, 40)
  assert.equal((await make('stratified-checkpoint', 40)).length, 40)
  assert.deepEqual(
    await make('all', 3),
    all.slice(0, 3).map((p) => p.id)
  )

  const listed = await wb.handlers['queues.list']({})
  const reopened = await open()
  assert.deepEqual(await reopened.handlers['queues.list']({}), listed)
  await assert.rejects(reopened.handlers['queues.get']({ id: 'queue-nope' }), /no audit queue "queue-nope"/)
})
