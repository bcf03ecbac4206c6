// `rubric-workbench judge` as scripts use it, from the built CLI: the last line with --json, a
// rerun that skips what is done, the no-rubric baseline, and clear refusals of bad arguments.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'
import { writeJudgeFixture } from './fixtures/judge-fixture'
import { lastJsonLine, runCli } from './helpers/cli'
import { startFakeEndpoint } from './helpers/openai-server'
import { builtCli } from './helpers/serve-process'
import { tempDir } from './helpers/temp'

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [builtCli, ...args], { encoding: 'utf8', timeout: 120_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

test('judge --json ends with {scored, skipped, failed, seconds, device}; a rerun skips what is done', async (t) => {
  const dir = await tempDir(t)
  const run = join(dir, 'run')
  await writeJudgeFixture(run)
  const ws = ['--workspace', join(dir, 'ws')]
  const first = cli(['judge', run, '--protocol', 'criteria-logprob', '--json', ...ws])
  assert.equal(first.status, 1, 'some items failed') // the empty response and the unparsed rubric
  const summary = lastJsonLine(first.stdout)
  assert.deepEqual(Object.keys(summary), ['scored', 'skipped', 'failed', 'seconds', 'device'])
  assert.deepEqual(
    [summary['scored'], summary['skipped'], summary['failed'], summary['device']],
    [5, 0, 3, 'cpu']
  )
  assert.match(first.stderr, /device: cpu \(cuda: .*\)/)
  assert.match(first.stderr, /response sea-old is empty/)

  const again = lastJsonLine(cli(['judge', run, '--protocol', 'criteria-logprob', '--json', ...ws]).stdout)
  assert.deepEqual([again['scored'], again['skipped']], [0, 5])

  const baseline = cli([
    'judge',
    run,
    '--protocol',
    'pairwise-logprob',
    '--no-rubric',
    '--limit',
    '2',
    '--batch',
    '2',
    '--no-prefix-cache',
    ...ws,
  ])
  assert.equal(baseline.status, 0, baseline.stderr)
  assert.match(
    baseline.stdout,
    /^done: judged 2 items with tiny-judge@fp32#\w+, skipped 0 already done, 0 failed/
  )
})

test('judge refuses unknown protocols, devices and numbers, and names a missing run', async (t) => {
  const dir = await tempDir(t)
  const run = join(dir, 'run')
  await writeJudgeFixture(run)
  const bad = cli(['judge', run, '--protocol', 'likert'])
  assert.equal(bad.status, 1)
  assert.match(
    bad.stderr,
    /argument 'likert' is invalid. Allowed choices are pointwise-json, criteria-logprob, pairwise-logprob/
  )
  assert.match(
    cli(['judge', run, '--protocol', 'criteria-logprob', '--device', 'tpu']).stderr,
    /Allowed choices are auto, cpu, webgpu, cuda/
  )
  assert.match(
    cli(['judge', run, '--protocol', 'criteria-logprob', '--batch', '0']).stderr,
    /expected a whole number ≥ 1/
  )
  assert.match(cli(['judge', run]).stderr, /required option '--protocol <protocol>' not specified/)
  const missing = cli(['judge', join(dir, 'nope'), '--protocol', 'criteria-logprob'])
  assert.equal(missing.status, 2)
  assert.match(missing.stderr, /nope: no such file or folder/)
  const device = cli([
    'judge',
    run,
    '--protocol',
    'criteria-logprob',
    '--device',
    'webgpu',
    '--limit',
    '1',
    '--workspace',
    join(dir, 'ws'),
  ])
  assert.equal(device.status, 2)
  assert.match(device.stderr, /device webgpu is not available/)
  const help = cli(['judge', '--help'])
  assert.match(help.stdout, /--no-prefix-cache/)
})

test('judge --endpoint scores on an OpenAI-compatible server, with the key from a named variable', async (t) => {
  const dir = await tempDir(t)
  const run = join(dir, 'run')
  await writeJudgeFixture(run)
  const server = await startFakeEndpoint(t)
  const args = [
    'judge',
    run,
    '--protocol',
    'pairwise-logprob',
    '--endpoint',
    server.url,
    '--model-name',
    'judge-model',
  ]
  const r = await runCli(
    [...args, '--api-key-env', 'JUDGE_API_KEY', '--json', '--workspace', join(dir, 'ws')],
    {
      ...process.env,
      JUDGE_API_KEY: 'k',
    }
  )
  assert.equal(r.status, 1, r.stderr) // the pair with an empty response fails alone
  assert.deepEqual(lastJsonLine(r.stdout), { ...lastJsonLine(r.stdout), scored: 2, device: 'endpoint' })
  assert.equal(server.requests[0]?.authorization, 'Bearer k')
  const missing = await runCli(['judge', run, '--protocol', 'criteria-logprob', '--endpoint', server.url])
  assert.match(missing.stderr, /--endpoint needs --model-name/)
})
