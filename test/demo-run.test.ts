// The committed demo run is exactly what its generator writes: regenerate and compare bytes.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { test } from 'node:test'
import { generateDemoRun } from '../scripts/generate-demo-run'
import { packageRoot } from './helpers/serve-process'
import { tempDir } from './helpers/temp'

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]))
    .sort()
}

test('resources/demo-run is the deterministic output of scripts/generate-demo-run.ts', async (t) => {
  const committed = join(packageRoot, 'resources', 'demo-run')
  const fresh = join(await tempDir(t), 'demo-run')
  await generateDemoRun(fresh)
  const a = listFiles(committed).map((f) => relative(committed, f))
  const b = listFiles(fresh).map((f) => relative(fresh, f))
  assert.deepEqual(b, a)
  for (const rel of a)
    assert.ok(readFileSync(join(committed, rel)).equals(readFileSync(join(fresh, rel))), `${rel} differs`)
})
