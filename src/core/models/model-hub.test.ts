// Pulling model folders from a hub over real HTTP: listing, include globs, resume with Range
// after a cut connection, hash checks, missing repos and files, and the offline listing after.
import assert from 'node:assert/strict'
import { readFile, readdir, stat } from 'node:fs/promises'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { test } from 'node:test'
import { startFakeHub } from '../../../test/helpers/hub-server'
import { tempDir } from '../../../test/helpers/temp'
import { listCached, pullModel } from './model-hub'

/** A port nothing listens on. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

const weights = Buffer.alloc(300_000, 0).map((_, i) => (i * 7) % 251)
const repo = {
  'config.json': Buffer.from('{"model_type": "gpt2"}'),
  'tokenizer.json': Buffer.from('{"model": {}}'),
  'onnx/model.onnx': Buffer.from(weights),
  'onnx/model_q4.onnx': Buffer.from(weights.subarray(0, 5000)),
}

test('pull downloads the listed files, verified, and lists them offline afterwards', async (t) => {
  const hub = await startFakeHub(t, { 'acme/judge': repo })
  const cache = await tempDir(t)
  const seen: number[] = []
  const pulled = await pullModel('acme/judge', { hub: hub.url, cache, onProgress: (p) => seen.push(p.bytes) })
  assert.equal(pulled.commit, 'c0ffee')
  assert.deepEqual(
    await readFile(join(cache, 'acme', 'judge', 'onnx', 'model.onnx')),
    repo['onnx/model.onnx']
  )
  assert.ok(seen.length > 0 && (seen.at(-1) ?? 0) > 300_000)
  const [cached] = await listCached(cache)
  assert.deepEqual(
    [cached?.repo, cached?.files, cached?.partial, cached?.revision],
    ['acme/judge', 4, 0, 'main']
  )
  // Again: everything is there and verified; nothing is fetched.
  const again = await pullModel('acme/judge', { hub: hub.url, cache })
  assert.equal(again.reused, 4)
  assert.equal(hub.ranges.get('config.json')?.length, 1)
})

test('--include keeps only matching files', async (t) => {
  const hub = await startFakeHub(t, { 'acme/judge': repo })
  const cache = await tempDir(t)
  await pullModel('acme/judge', { hub: hub.url, cache, include: ['*.json', 'onnx/model_q4.onnx'] })
  const onnx = await readdir(join(cache, 'acme', 'judge', 'onnx'))
  assert.deepEqual(onnx, ['model_q4.onnx'])
  await assert.rejects(
    pullModel('acme/judge', { hub: hub.url, cache, include: ['*.bin'] }),
    /no file of acme\/judge@main matches \*\.bin/
  )
})

test('a cut connection keeps the partial file; the next pull resumes it with a Range request', async (t) => {
  const hub = await startFakeHub(t, { 'acme/judge': repo })
  const cache = await tempDir(t)
  hub.cutAfter('onnx/model.onnx', 100_000)
  await assert.rejects(
    pullModel('acme/judge', { hub: hub.url, cache, idleTimeoutMs: 300 }),
    /download of onnx\/model.onnx was cut after 100000 bytes \(nothing arrived for 0.3 s\); pull again to resume/
  )
  assert.equal((await stat(join(cache, 'acme', 'judge', 'onnx', 'model.onnx.part'))).size, 100_000)
  assert.equal((await listCached(cache))[0]?.partial, 1)
  await pullModel('acme/judge', { hub: hub.url, cache })
  assert.deepEqual(hub.ranges.get('onnx/model.onnx'), ['', 'bytes=100000-'])
  assert.deepEqual(
    await readFile(join(cache, 'acme', 'judge', 'onnx', 'model.onnx')),
    repo['onnx/model.onnx']
  )
})

test('content that does not match the hub is refused and removed; unknown repos and hubs are named', async (t) => {
  const hub = await startFakeHub(t, { 'acme/judge': repo })
  const cache = await tempDir(t)
  hub.corrupt('onnx/model.onnx')
  await assert.rejects(
    pullModel('acme/judge', { hub: hub.url, cache }),
    /onnx\/model.onnx does not match the hub \(sha256 .* where the hub lists .*\); the broken copy was removed/
  )
  hub.corrupt('config.json')
  await assert.rejects(
    pullModel('acme/judge', { hub: hub.url, cache: await tempDir(t), include: ['config.json'] }),
    /config.json does not match the hub \(git blob id/
  )
  await assert.rejects(
    pullModel('acme/nothing', { hub: hub.url, cache }),
    /acme\/nothing@main was not found on http:\/\/127.0.0.1:\d+/
  )
  await assert.rejects(pullModel('not a repo', { hub: hub.url, cache }), /is not a repo id/)
  const closed = await freePort()
  await assert.rejects(
    pullModel('acme/judge', { hub: `http://127.0.0.1:${closed}`, cache }),
    /cannot reach http:\/\/127.0.0.1:\d+ \(ECONNREFUSED\)/
  )
})
