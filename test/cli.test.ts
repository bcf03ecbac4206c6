// The built command-line tool, as a user runs it.
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { test } from 'node:test'
import { writeEvolmFixture } from './fixtures/evolm-fixture'
import { builtCli, packageRoot } from './helpers/serve-process'
import { tempDir } from './helpers/temp'

function cli(
  args: string[],
  env: Record<string, string> = {}
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [builtCli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

test('inspect --json prints exactly one JSON object with the documented fields', async (t) => {
  const dir = await tempDir(t)
  await writeEvolmFixture(join(dir, 'run'))
  const r = cli(['inspect', join(dir, 'run'), '--json', '--workspace', join(dir, 'ws')])
  assert.equal(r.status, 0, r.stderr)
  const lines = r.stdout.trim().split('\n')
  assert.equal(lines.length, 1)
  const out = JSON.parse(lines[0] ?? '') as Record<string, unknown>
  assert.deepEqual(Object.keys(out), [
    'format',
    'prompts',
    'checkpoints',
    'responses',
    'rubrics',
    'rubrics_format_invalid',
    'pairs',
    'verdicts',
    'judge_parse_failures',
    'errors',
    'errors_total',
    'sample',
  ])
  assert.equal(out['format'], 'evolm')
  assert.deepEqual(out['checkpoints'], [
    { phase: 'policy', step: 25 },
    { phase: 'policy', step: 50 },
    { phase: 'rubric', step: 50 },
    { phase: 'policy', step: 75 },
    { phase: 'policy', step: 100 },
  ])
  assert.equal(out['pairs'], 5)
  assert.equal(out['judge_parse_failures'], 2)
  assert.equal(out['errors_total'], 4)
  const errors = out['errors'] as { file: string; line: number; message: string }[]
  assert.deepEqual(
    errors.map((e) => [e.file, e.line]),
    [5, 6, 7, 9].map((line) => ['generation_examples/rubric_generations.jsonl', line])
  )
  const sample = out['sample'] as Record<string, string[]>
  assert.deepEqual(sample['pair_ids'], ['rg-L1', 'rg-L2', 'rg-L3', 'rg-L4', 'rg-L8'])
  assert.equal(sample['rubric_ids']?.length, 10)
  assert.equal(sample['prompt_ids']?.length, 4)
})

test('inspect names problem files relative to the path given, even above the run', async (t) => {
  const dir = await tempDir(t)
  await writeEvolmFixture(join(dir, 'runs', 'exp1'))
  const r = cli(['inspect', dir, '--json', '--workspace', join(dir, 'ws')])
  assert.equal(r.status, 0, r.stderr)
  const out = JSON.parse(r.stdout) as { errors: { file: string }[] }
  assert.equal(out.errors[0]?.file, 'runs/exp1/generation_examples/rubric_generations.jsonl')
})

test('inspect without --json is readable and names every problem line', async (t) => {
  const dir = await tempDir(t)
  await writeEvolmFixture(join(dir, 'run'))
  const r = cli(['inspect', join(dir, 'run')], { RUBRIC_WORKBENCH_HOME: dir })
  assert.equal(r.status, 0)
  assert.match(r.stdout, /EvoLM output tree/)
  assert.match(r.stdout, /pairs\s+5/)
  assert.match(r.stdout, /4 unreadable lines:/)
  assert.match(r.stdout, /generation_examples\/rubric_generations.jsonl:9 {2}truncated last line/)
})

test('inspect exits 2 with a clear message when the path is no run', async (t) => {
  const dir = await tempDir(t)
  const r = cli(['inspect', dir, '--json'])
  assert.equal(r.status, 2)
  const out = JSON.parse(r.stdout) as { error: string }
  assert.match(out.error, /is not a run/)
  const plain = cli(['inspect', join(dir, 'nope')])
  assert.equal(plain.status, 2)
  assert.match(plain.stdout, /no such file or folder/)
})

test('bad arguments get usage help, not a stack trace', () => {
  const r = cli(['serve', '--port', 'abc'])
  assert.notEqual(r.status, 0)
  assert.match(r.stderr, /a port is a whole number from 0 to 65535/)
  assert.doesNotMatch(r.stderr, /at .*\.js:\d+/)
  const help = cli(['--help'])
  assert.match(help.stdout, /inspect \[options\] <path>/)
  assert.match(help.stdout, /serve \[options\] \[path\]/)
})

test('npm start without a display says why and falls back to serve', async (t) => {
  const dir = await tempDir(t)
  const env: NodeJS.ProcessEnv = { ...process.env, RUBRIC_WORKBENCH_HOME: dir }
  delete env['DISPLAY']
  delete env['WAYLAND_DISPLAY']
  const child = spawn(process.execPath, [join(packageRoot, 'scripts', 'start.js')], {
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  t.after(() => {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM')
  })
  const lines: string[] = []
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line)
      if (line.startsWith('Rubric Workbench: http://127.0.0.1:')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`start exited ${code}: ${lines.join('\n')}`)))
  })
  assert.match(lines.join('\n'), /Electron cannot start here: no display/)
})
