import assert from 'node:assert/strict'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
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

/** The one folder of an annotator's documents (named by a readable prefix and a hash). */
async function annotatorFolder(dir: string, prefix: string): Promise<string> {
  const found = (await readdir(join(dir, 'annotations'))).filter((f) => f.startsWith(`annotator-${prefix}-`))
  assert.equal(found.length, 1, `one folder for ${prefix}: ${found.join(', ')}`)
  return join(dir, 'annotations', found[0] as string)
}

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
  const folder = await annotatorFolder(dir, 'bob')
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
  const folder = await annotatorFolder(dir, 'carol')
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
  const files = await readdir(await annotatorFolder(dir, 'eve'))
  assert.ok(files.length > 1 && files.length <= 64, `${files.length} shard files`)
})

test('a failed write changes nothing in memory; a later write does not bring it back', async (t) => {
  const dir = await tempDir(t)
  const store = await AnnotationStore.open(dir)
  await store.save(label('p1', 'gus'))
  const folder = await annotatorFolder(dir, 'gus')
  const [file] = await readdir(folder)
  const path = join(folder, file ?? '')
  // A folder where the document should be: the rename over it fails.
  await rm(path)
  await mkdir(path)
  await assert.rejects(store.save(label('p1', 'gus', { label: 'older' })))
  assert.equal(store.get('p1', 'gus')?.label, 'newer', 'memory still holds what was last written')
  assert.deepEqual(
    (await readdir(folder)).filter((f) => f.endsWith('.tmp')),
    [],
    'no temporary file is left behind'
  )
})

test("two stores on one workspace (the app and the CLI) keep each other's labels", async (t) => {
  const dir = await tempDir(t)
  const app = await AnnotationStore.open(dir)
  const cli = await AnnotationStore.open(dir)
  for (let i = 0; i < 50; i++) {
    await app.save(label(`a${i}`, 'same'))
    await cli.save(label(`c${i}`, 'same'))
  }
  assert.equal((await AnnotationStore.open(dir)).list().length, 100)
})

test('pair ids that are also object keys are ordinary ids', async (t) => {
  const dir = await tempDir(t)
  const store = await AnnotationStore.open(dir)
  assert.equal(store.get('constructor', 'hal'), null)
  await store.save(label('__proto__', 'hal'))
  await store.save(label('constructor', 'hal', { label: 'tie' }))
  const again = await AnnotationStore.open(dir)
  assert.equal(again.get('__proto__', 'hal')?.label, 'newer')
  assert.equal(again.get('constructor', 'hal')?.label, 'tie')
  assert.equal(again.get('toString', 'hal'), null)
  assert.equal(again.list().length, 2)
})

test('long and unusual annotator names get short, distinct folders', async (t) => {
  const dir = await tempDir(t)
  const store = await AnnotationStore.open(dir)
  const names = ['A'.repeat(100), '東京'.repeat(45), 'bob', 'bob.', 'Bob', '..']
  for (const name of names) await store.save(label('p1', name))
  const again = await AnnotationStore.open(dir)
  assert.deepEqual(again.annotators(), [...names].sort())
  const folders = await readdir(join(dir, 'annotations'))
  assert.equal(new Set(folders.map((f) => f.toLowerCase())).size, names.length)
  for (const f of folders) assert.ok(f.length <= 60 && !f.endsWith('.'), f)
})
