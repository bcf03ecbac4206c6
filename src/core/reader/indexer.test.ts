import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { writeEvolmFixture } from '../../../test/fixtures/evolm-fixture'
import { writeRewardBenchFixture } from '../../../test/fixtures/preference-fixtures'
import { writeWorkbenchFixture } from '../../../test/fixtures/workbench-fixture'
import { tempDir } from '../../../test/helpers/temp'
import type { RunIndex } from '../run/run-index'
import { openRun } from './open-run'

/** Everything an index holds, for comparing two ways of building it. */
function snapshot(index: RunIndex): unknown {
  return {
    prompts: index.prompts,
    responses: index.responses,
    rubrics: index.rubrics,
    verdicts: index.verdicts,
    pairs: index.pairs,
    issues: index.issues,
    checkpoints: [...index.checkpoints.entries()],
    bytes: index.bytes,
  }
}

test('worker threads on tiny ranges build exactly the index one thread builds', async (t) => {
  const dir = await tempDir(t)
  await writeEvolmFixture(join(dir, 'evolm'))
  await writeWorkbenchFixture(join(dir, 'wb'))
  await writeRewardBenchFixture(join(dir, 'rb2.jsonl'))
  for (const path of ['evolm', 'wb', 'rb2.jsonl'].map((p) => join(dir, p))) {
    const single = await openRun(path, { indexer: { workers: 0 } })
    // 300-byte ranges cut every file at many line boundaries, including the 200 KB line's file.
    const parallel = await openRun(path, { indexer: { workers: 2, rangeBytes: 300 } })
    assert.deepEqual(snapshot(parallel.index), snapshot(single.index), path)
    assert.ok(single.index.pairs.length > 0)
  }
})

test('progress reaches the total byte count', async (t) => {
  const dir = await tempDir(t)
  await writeEvolmFixture(join(dir, 'evolm'))
  const seen: { bytesRead: number; bytesTotal: number }[] = []
  const { index } = await openRun(join(dir, 'evolm'), {
    onProgress: (p) => seen.push(p),
    indexer: { workers: 2, rangeBytes: 4096 },
  })
  const last = seen[seen.length - 1]
  assert.ok(last !== undefined)
  assert.equal(last.bytesRead, last.bytesTotal)
  assert.equal(last.bytesTotal, index.bytes)
})
