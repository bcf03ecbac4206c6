// The embedding cache on disk: parts written are read back by a new cache, a part whose vectors
// file is short or missing is reported and skipped (its responses get embedded again), and a
// vector of another width is refused rather than mixed in.
import assert from 'node:assert/strict'
import { readdir, truncate, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { tempDir } from '../../../test/helpers/temp'
import { EmbeddingCache } from './embedding-cache'

test('embedding parts survive a restart; a damaged part is skipped and named', async (t) => {
  const dir = EmbeddingCache.folderFor(await tempDir(t), 'tiny judge@fp32#1234')
  const cache = await EmbeddingCache.open(dir)
  assert.equal(cache.size, 0)
  await cache.add(
    [
      { key: 'r1', vector: Float32Array.of(1, 2, 3) },
      { key: 'r2', vector: Float32Array.of(4, 5, 6) },
    ],
    'hidden-mean'
  )
  await cache.add([{ key: 'r3', vector: Float32Array.of(7, 8, 9) }], 'hidden-mean')
  await assert.rejects(
    cache.add([{ key: 'r4', vector: Float32Array.of(1) }], 'hidden-mean'),
    /1 wide does not fit/
  )

  const again = await EmbeddingCache.open(dir)
  assert.equal(again.size, 3)
  assert.deepEqual([...(again.get('r2') as Float32Array)], [4, 5, 6])
  assert.equal(again.kind, 'hidden-mean')
  assert.equal(again.dim, 3)
  assert.deepEqual(again.problems, [])
  // Opened without vectors: which responses are embedded, for a fraction of the memory.
  const keysOnly = await EmbeddingCache.open(dir, { vectors: false })
  assert.equal(keysOnly.size, 3)
  assert.ok(keysOnly.has('r3'))
  assert.equal(keysOnly.get('r3'), undefined)

  // A torn vectors file (a crash mid-write of a part, say) loses only that part; a vectors file
  // left without its index is not read.
  const parts = (await readdir(dir)).filter((n) => n.endsWith('.f32')).sort()
  assert.equal(parts.length, 2)
  await truncate(join(dir, parts[0] as string), 8)
  await unlink(join(dir, (parts[1] as string).replace(/\.f32$/, '.json')))
  const damaged = await EmbeddingCache.open(dir)
  assert.equal(damaged.size, 0)
  assert.equal(damaged.problems.length, 1)
  assert.match(damaged.problems[0] as string, /part-[\w-]+\.json holds 8 bytes, not 2 × 3 floats/)
  // A new part never takes an existing part's name, whoever writes it.
  const other = await EmbeddingCache.open(dir)
  await damaged.add([{ key: 'r1', vector: Float32Array.of(1, 1, 1) }], 'hidden-mean')
  await other.add([{ key: 'r2', vector: Float32Array.of(2, 2, 2) }], 'hidden-mean')
  assert.equal((await readdir(dir)).filter((n) => n.endsWith('.f32')).length, 4)
  assert.equal((await EmbeddingCache.open(dir)).size, 2)
})
