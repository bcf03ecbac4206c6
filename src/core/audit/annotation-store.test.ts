import assert from 'node:assert/strict'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import type { Annotation } from '../../shared/annotation'
import { tempDir } from '../../../test/helpers/temp'
import { CorruptStoreError } from '../store/durable-json-file'
import { AnnotationStore, StoreVersionError } from './annotation-store'

const label = (pairId: string, annotator: string, extra: Partial<Annotation> = {}): Annotation => ({
  pairId,
  annotator,
  label: 'newer',
  time: '2026-11-27T10:00:00.000Z',
  note: null,
  blind: true,
  queue: null,
  ms: 1200,
  criterionFlags: {},
  ...extra,
})

test('labels survive a reopen; replacing, removing and listing work per annotator', async (t) => {
  const dir = await tempDir(t)
  const store = await AnnotationStore.open(dir)
  await store.save(label('p1', 'alice'))
  await store.save(label('p1', 'Alice', { label: 'older' }))
  await store.save(label('p2', 'alice', { label: 'skip' }))
  await store.save(label('p3', '..', { note: 'odd name, kept inside the store' }))
  await store.save(label('p1', 'alice', { label: 'tie', time: '2026-11-27T11:00:00.000Z' }))

  const again = await AnnotationStore.open(dir)
  assert.deepEqual(again.annotators(), ['..', 'Alice', 'alice'])
  assert.equal(again.get('p1', 'alice')?.label, 'tie')
  assert.equal(again.get('p1', 'Alice')?.label, 'older')
  assert.equal(again.list().length, 4)
  assert.deepEqual([...again.labelledPairs()].sort(), ['p1', 'p3'], 'skip is not a label')
  assert.deepEqual(
    await again.remove('p1', 'alice'),
    label('p1', 'alice', { label: 'tie', time: '2026-11-27T11:00:00.000Z' })
  )
  assert.equal((await AnnotationStore.open(dir)).get('p1', 'alice'), null)
  // Nothing was written outside the store's folder.
  assert.deepEqual((await readdir(dir)).sort(), ['annotations'])
  await assert.rejects(store.save(label('p1', ' ')), /annotator name cannot be empty/)
})

test('a damaged document is reported and kept, never reset; a newer schema is refused', async (t) => {
  const dir = await tempDir(t)
  const store = await AnnotationStore.open(dir)
  await store.save(label('p1', 'bob'))
  const folder = join(dir, 'annotations', 'annotator-bob')
  const [file] = await readdir(folder)
  assert.ok(file !== undefined)
  const path = join(folder, file)
  await writeFile(path, '{"schemaVersion": 1, "annotator": "bob", "annotations": {"p1": {"lab')
  await assert.rejects(AnnotationStore.open(dir), (error: unknown) => {
    assert.ok(error instanceof CorruptStoreError)
    assert.match(error.message, /is damaged .* a copy was kept at .*damaged-/)
    return true
  })
  const kept = (await readdir(folder)).filter((f) => f.includes('.damaged-'))
  assert.equal(kept.length, 1)
  assert.match(await readFile(path, 'utf8'), /"lab$/, 'the damaged file is left as it was')

  await writeFile(path, JSON.stringify({ schemaVersion: 9, annotator: 'bob', annotations: {} }))
  await assert.rejects(AnnotationStore.open(dir), StoreVersionError)
})

test('a document from before schema versions is upgraded in place', async (t) => {
  const dir = await tempDir(t)
  const store = await AnnotationStore.open(dir)
  await store.save(label('p9', 'carol'))
  const folder = join(dir, 'annotations', 'annotator-carol')
  const [file] = await readdir(folder)
  const path = join(folder, file ?? '')
  const doc = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>
  delete doc['schemaVersion']
  await writeFile(path, JSON.stringify(doc))
  const reopened = await AnnotationStore.open(dir)
  assert.equal(reopened.get('p9', 'carol')?.label, 'newer')
  assert.equal((JSON.parse(await readFile(path, 'utf8')) as { schemaVersion: number }).schemaVersion, 1)
})

test('saveMany writes each touched document once and reads back like single saves', async (t) => {
  const dir = await tempDir(t)
  const store = await AnnotationStore.open(dir)
  const many = Array.from({ length: 500 }, (_, i) => label(`p${i}`, i % 2 === 0 ? 'eve' : 'fay'))
  await store.saveMany(many)
  const again = await AnnotationStore.open(dir)
  assert.equal(again.list().length, 500)
  assert.equal(again.get('p7', 'fay')?.label, 'newer')
  const files = await readdir(join(dir, 'annotations', 'annotator-eve'))
  assert.ok(files.length > 1 && files.length <= 64, `${files.length} shard files`)
})
