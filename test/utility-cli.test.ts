// `rubric-workbench utility` on the demo run: the stored judge over all rubrics agrees with what
// `inspect` counts (newer preferred in 131 pairs, 21 ties, the rest unscored), then per rubric.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { runCli } from './helpers/cli'
import { packageRoot } from './helpers/serve-process'
import { tempDir } from './helpers/temp'

const demoRun = join(packageRoot, 'resources', 'demo-run')

test('utility --json: the stored judge over all rubrics first, then each rubric, each with n and an interval', async (t) => {
  const ws = ['--workspace', join(await tempDir(t), 'ws')]
  const r = await runCli(['utility', demoRun, '--json', ...ws])
  assert.equal(r.status, 0, r.stderr)
  const rows = JSON.parse(r.stdout) as Record<string, number | string | null>[]
  const [overall] = rows
  assert.equal(overall?.['rubric_id'], '*')
  assert.equal(overall?.['judge'], 'stored')
  const n = overall?.['n'] as number
  assert.equal(n + (overall?.['unscored'] as number), 242)
  assert.equal(overall?.['ties'], 21)
  assert.equal(overall?.['accuracy'], Math.round((131 / n) * 10000) / 10000)
  assert.ok((overall?.['accuracy_low'] as number) < (overall?.['accuracy'] as number))
  assert.ok(rows.slice(1).every((row) => row['rubric_id'] !== '*' && typeof row['n'] === 'number'))
  const human = await runCli(['utility', demoRun, '--labels', 'human', ...ws])
  assert.match(human.stdout, /no pair is both labelled by people and scored on both sides/)
})
