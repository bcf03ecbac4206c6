import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { writeEvolmFixture } from '../../../test/fixtures/evolm-fixture'
import { writeRewardBenchFixture } from '../../../test/fixtures/preference-fixtures'
import { writeWorkbenchFixture } from '../../../test/fixtures/workbench-fixture'
import { tempDir } from '../../../test/helpers/temp'
import type { RunIndex } from '../run/run-index'
import { TextStore } from '../run/text-store'
import { MAX_LINE_BYTES } from './line-reader'
import { openRun } from './open-run'

/** Everything an index holds, for comparing two ways of building it. */
function snapshot(index: RunIndex): unknown {
  return {
    prompts: index.prompts,
    responses: [...index.responses],
    rubrics: [...index.rubrics],
    verdicts: [...index.verdicts],
    pairs: [...index.pairs],
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

test('lines longer than a read, with characters split between reads, come back whole', async (t) => {
  const dir = await tempDir(t)
  const file = join(dir, 'long.jsonl')
  // 3-byte and 4-byte characters repeated past several 1 MiB reads, so some straddle a boundary.
  const long = 'é東🙂"\\\n'.repeat(400_000)
  const rows = [
    { prompt: 'a', chosen: long, rejected: 'short' },
    { prompt: 'b', chosen: 'x', rejected: long.slice(7) },
  ]
  await writeFile(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n')
  const single = await openRun(file, { indexer: { workers: 0 } })
  const parallel = await openRun(file, { indexer: { workers: 2, rangeBytes: 1000 } })
  assert.deepEqual(snapshot(parallel.index), snapshot(single.index))
  assert.equal(single.index.issues.length, 0)
  const store = new TextStore(single.index)
  const first = single.index.responses.get(0)
  const second = single.index.responses.get(3)
  assert.ok(first !== undefined && second !== undefined)
  assert.equal(await store.text(first.text), long)
  assert.equal(await store.text(second.text), long.slice(7))
})

test('a line past the length limit is reported, and the lines after it still load', async (t) => {
  const dir = await tempDir(t)
  const file = join(dir, 'junk.jsonl')
  const good = JSON.stringify({ prompt: 'p', chosen: 'a', rejected: 'b' })
  const junk = Buffer.alloc(MAX_LINE_BYTES + 1024, 0x20)
  junk[0] = 0x78
  await writeFile(file, Buffer.concat([Buffer.from(`${good}\n`), junk, Buffer.from(`\n${good}\n`)]))
  const { index } = await openRun(file, { indexer: { workers: 0 } })
  assert.equal(index.pairs.length, 2)
  assert.deepEqual(index.issues, [
    { file: 'junk.jsonl', line: 2, message: 'line longer than 64 MB; not read' },
  ])
})
