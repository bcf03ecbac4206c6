// `rubrics generate` end to end: on the smoke-test model (random weights: every rubric it writes
// fails the format rule, and says why) and on an OpenAI-compatible endpoint; reruns write only
// what is missing, and the workbench lists the rubrics per prompt.
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import type { GeneratedRubric } from '../src/shared/generated-rubric'
import { Workbench } from '../src/core/workbench'
import { writeJudgeFixture } from './fixtures/judge-fixture'
import { lastJsonLine, runCli } from './helpers/cli'
import { startFakeEndpoint } from './helpers/openai-server'
import { tempDir } from './helpers/temp'

test('rubrics generate on the smoke-test model: K per prompt, checked, kept, and not written twice', async (t) => {
  const dir = await tempDir(t)
  const run = join(dir, 'run')
  await writeJudgeFixture(run)
  const ws = ['--workspace', join(dir, 'ws')]
  const first = await runCli(['rubrics', 'generate', run, '--template', 'v3', '-k', '2', '--json', ...ws])
  assert.equal(first.status, 0, first.stderr)
  const summary = lastJsonLine(first.stdout)
  assert.deepEqual([summary['generated'], summary['skipped'], summary['failed']], [4, 0, 0])
  assert.equal((summary['valid'] as number) + (summary['invalid'] as number), 4)
  const lines = (await readFile(join(dir, 'ws', 'rubrics', 'generated.jsonl'), 'utf8')).trim().split('\n')
  const rubrics = lines.map((l) => JSON.parse(l) as GeneratedRubric)
  assert.deepEqual(rubrics.map((r) => r.sample).sort(), [0, 0, 1, 1])
  for (const r of rubrics)
    if (!r.formatValid) assert.ok((r.invalidReason ?? '') !== '', 'a failed format check says why')

  const again = lastJsonLine(
    (await runCli(['rubrics', 'generate', run, '--template', 'v3', '-k', '3', '--json', ...ws])).stdout
  )
  assert.deepEqual([again['generated'], again['skipped']], [2, 4])

  const wb = new Workbench({ transport: 'cli', workspace: join(dir, 'ws') })
  t.after(() => wb.close())
  await wb.open(run)
  assert.equal((await wb.handlers['rubrics.generated']({ promptId: 'p1' })).length, 3)
})

test('rubrics generate on an endpoint: valid rubrics pass the format rule; bad templates are named', async (t) => {
  const dir = await tempDir(t)
  const run = join(dir, 'run')
  await writeJudgeFixture(run)
  const server = await startFakeEndpoint(t, ['gen-model'])
  const r = await runCli([
    'rubrics',
    'generate',
    run,
    '--template',
    'v2',
    '-k',
    '2',
    '--endpoint',
    server.url,
    '--model-name',
    'gen-model',
    '--json',
    '--workspace',
    join(dir, 'ws'),
  ])
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(lastJsonLine(r.stdout), {
    generated: 4,
    skipped: 0,
    valid: 4,
    invalid: 0,
    failed: 0,
    seconds: lastJsonLine(r.stdout)['seconds'],
  })
  const seeds = server.requests.map((q) => q.body['seed'])
  assert.equal(new Set(seeds).size, 4, 'one seed per (prompt, sample)')
  const bad = join(dir, 'bad.txt')
  await writeFile(bad, 'kind: rubric-generator\nversion: 1\n[user]\n{{answer}}\n')
  const refused = await runCli(['rubrics', 'generate', run, '--template', bad, '-k', '1'])
  assert.equal(refused.status, 2)
  assert.match(
    refused.stderr,
    /bad.txt: \[user\] uses \{\{answer\}\}; a rubric generator offers \{\{prompt\}\} \{\{reference\}\}/
  )
  const missing = await runCli([
    'rubrics',
    'generate',
    run,
    '--template',
    'v3',
    '-k',
    '1',
    '--model',
    join(dir, 'none'),
  ])
  assert.match(missing.stderr, /none: no such folder/)
})

test('judging under generated rubrics: one verdict per rubric and response, shown per generated rubric', async (t) => {
  const dir = await tempDir(t)
  const run = join(dir, 'run')
  await writeJudgeFixture(run)
  const server = await startFakeEndpoint(t, ['gen-model'])
  const ws = ['--workspace', join(dir, 'ws')]
  const endpoint = ['--endpoint', server.url, '--model-name', 'gen-model']
  await runCli(['rubrics', 'generate', run, '--template', 'v3', '-k', '2', ...endpoint, ...ws])
  const judged = await runCli([
    'judge',
    run,
    '--protocol',
    'criteria-logprob',
    '--generated-rubrics',
    'rubric-v3',
    '--json',
    ...ws,
  ])
  // 2 judgeable pairs × 2 rubrics × 2 sides, and the sea prompt's pairs: sea-new under 2 rubrics
  // (judged twice, once per pair, but one key) and the empty sea-old failing under each.
  const summary = lastJsonLine(judged.stdout)
  assert.deepEqual([summary['scored'], summary['failed']], [12, 2], judged.stderr)
  const wb = new Workbench({ transport: 'cli', workspace: join(dir, 'ws') })
  t.after(() => wb.close())
  await wb.open(run)
  const groups = (await wb.handlers['judge.pair']({ pairId: 'pair-0' })).groups
  assert.equal(groups.length, 2)
  assert.ok(groups.every((g) => g.generatedRubric?.startsWith('gen-') === true && g.margin !== null))
  const none = await runCli([
    'judge',
    run,
    '--protocol',
    'criteria-logprob',
    '--generated-rubrics',
    'rubric-v2',
    ...ws,
  ])
  assert.match(none.stderr, /no rubric-v2 rubrics in this workspace/)
})
