// `models pull` and `models list` from the built CLI against a local hub over real HTTP.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { runCli } from './helpers/cli'
import { startFakeHub } from './helpers/hub-server'
import { tempDir } from './helpers/temp'

test('models pull prints the folder; a cut download resumes; models list shows the cache', async (t) => {
  const hub = await startFakeHub(t, {
    'acme/judge': { 'config.json': Buffer.from('{}'), 'onnx/model.onnx': Buffer.alloc(50_000, 3) },
  })
  const cache = await tempDir(t)
  hub.cutAfter('onnx/model.onnx', 10_000)
  const cut = await runCli([
    'models',
    'pull',
    'acme/judge',
    '--hub',
    hub.url,
    '--cache',
    cache,
    '--idle-timeout',
    '0.3',
  ])
  assert.equal(cut.status, 2)
  assert.match(cut.stderr, /was cut after 10000 bytes \(nothing arrived for 0.3 s\); pull again to resume/)
  const listed = await runCli(['models', 'list', '--cache', cache])
  assert.match(listed.stdout, /acme\/judge .*1 partial \(pull again to resume\)/)
  const done = await runCli(['models', 'pull', 'acme/judge', '--hub', hub.url, '--cache', cache])
  assert.equal(done.status, 0, done.stderr)
  assert.equal(done.stdout.trim(), join(cache, 'acme', 'judge'))
  assert.match(done.stderr, /acme\/judge@main \(c0ffee\): 1 file downloaded, 1 already there, all verified/)
  const json = JSON.parse((await runCli(['models', 'list', '--cache', cache, '--json'])).stdout) as {
    repo: string
    partial: number
  }[]
  assert.deepEqual(
    json.map((m) => [m.repo, m.partial]),
    [['acme/judge', 0]]
  )
  const missing = await runCli(['models', 'pull', 'acme/none', '--hub', hub.url, '--cache', cache])
  assert.match(missing.stderr, /acme\/none@main was not found/)
})
