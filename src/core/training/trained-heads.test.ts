// Saved heads: written model first, metadata second; listed newest first; a metadata file that
// does not parse, or one whose model is gone, is reported while the others still list.
import assert from 'node:assert/strict'
import { rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { tempDir } from '../../../test/helpers/temp'
import { listHeads, NoHeadError, readHead, removeHead, saveHead, type HeadFields } from './trained-heads'

const fields: HeadFields = {
  head: 'criteria',
  labels: 'temporal',
  source: 'stored',
  seed: 1,
  validShare: 0.2,
  pairs: { train: 10, valid: 2 },
  prompts: { train: 5, valid: 1 },
  epochs: 2,
  bestEpoch: 1,
  curve: [],
  validAccuracy: { value: 0.5, low: null, high: null, items: 2 },
  baselineAccuracy: null,
  device: { requested: 'cpu', used: 'cpu', notes: [] },
  multipliers: null,
  embedding: null,
}

test('saved heads list and reload; damaged ones are named, not fatal', async (t) => {
  const dir = join(await tempDir(t), 'training')
  const a = await saveHead(join(dir, 'criteria-a'), Uint8Array.of(1), fields, { theta: [1, 2] })
  const b = await saveHead(join(dir, 'criteria-b'), Uint8Array.of(2), { ...fields, seed: 2 }, {})
  const reloaded = await readHead(dir, a.id)
  assert.deepEqual(reloaded.extra, { theta: [1, 2], split: 'by prompt' })
  assert.equal(reloaded.head.seed, 1)
  await writeFile(join(dir, 'broken.json'), '{"head": "crit')
  await rm(b.model)
  const { heads, problems } = await listHeads(dir)
  assert.deepEqual(
    heads.map((h) => h.id),
    ['criteria-a']
  )
  assert.equal(problems.length, 2)
  assert.ok(problems.some((p) => /broken\.json is not a trained head's metadata/.test(p)))
  assert.ok(problems.some((p) => /criteria-b has lost its model file/.test(p)))
  await assert.rejects(readHead(dir, '../etc'), /no trained head/)
  assert.deepEqual(await listHeads(join(dir, 'none')), { heads: [], problems: [] })

  // Removing puts both files aside; the list no longer has it, and moving them back restores it.
  const removed = await removeHead(dir, a.id)
  assert.equal(removed.id, a.id)
  assert.deepEqual((await listHeads(dir)).heads, [])
  await assert.rejects(readHead(dir, a.id), NoHeadError)
  await rename(join(dir, 'removed', 'criteria-a.json'), join(dir, 'criteria-a.json'))
  await rename(join(dir, 'removed', 'criteria-a.onnx'), join(dir, 'criteria-a.onnx'))
  assert.deepEqual(
    (await listHeads(dir)).heads.map((h) => h.id),
    ['criteria-a']
  )
})
