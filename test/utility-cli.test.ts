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
  assert.match(r.stdout, /"level":"judge"/)
  assert.doesNotMatch(r.stdout, /"level":"criterion"/)
})

test('utility --json after a criteria-logprob judge: per-criterion rows with n, accuracy, margin, added value and intervals', async (t) => {
  const ws = ['--workspace', join(await tempDir(t), 'ws')]
  for (const extra of [[], ['--no-rubric']]) {
    const judged = await runCli([
      'judge',
      demoRun,
      '--protocol',
      'criteria-logprob',
      '--limit',
      '12',
      ...extra,
      ...ws,
    ])
    assert.ok(judged.status === 0 || judged.status === 1, judged.stderr)
  }
  const r = await runCli(['utility', demoRun, '--json', ...ws])
  assert.equal(r.status, 0, r.stderr)
  const rows = JSON.parse(r.stdout) as Record<string, unknown>[]
  const judges = rows.filter((row) => row['level'] === 'judge').map((row) => row['judge'])
  assert.equal(judges.length, 2)
  const local = rows.find((row) => row['level'] === 'judge' && row['judge'] !== 'stored')
  // The baseline ran on the same pairs: the local judge's added value has an n.
  assert.ok((local?.['added_value_n'] as number) > 0)
  const criteria = rows.filter((row) => row['level'] === 'criterion')
  assert.ok(criteria.length > 12)
  for (const row of criteria) {
    for (const key of [
      'judge',
      'rubric_id',
      'criterion',
      'n',
      'accuracy',
      'accuracy_low',
      'accuracy_high',
      'margin',
      'added_value',
      'flip_rate',
      'mark',
    ])
      assert.ok(key in row, `${key} in a criterion row`)
    assert.ok(typeof row['n'] === 'number' && row['n'] > 0)
  }
  const text = await runCli(['utility', demoRun, ...ws])
  assert.match(text.stdout, /#1 {2}tiny-judge/)
})
