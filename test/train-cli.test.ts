// `rubric-workbench train` on the demo run: per-criterion verdicts from the smoke-test judge, the
// criterion-weight head trained against the temporal label with a split by prompt, its figures
// with intervals, and the saved ONNX head reloaded and run; then the refusals.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import * as ort from 'onnxruntime-node'
import { featureVector } from '../src/core/training/criterion-weights'
import { lastJsonLine, runCli } from './helpers/cli'
import { packageRoot } from './helpers/serve-process'
import { tempDir } from './helpers/temp'

const demoRun = join(packageRoot, 'resources', 'demo-run')

test('train --head criteria: a split by prompt, curves, held-out figures, and a head that reloads', async (t) => {
  const ws = ['--workspace', join(await tempDir(t), 'ws')]
  const judged = await runCli(['judge', demoRun, '--protocol', 'criteria-logprob', '--limit', '80', ...ws])
  assert.ok(judged.status === 0 || judged.status === 1, judged.stderr)
  const r = await runCli([
    'train',
    demoRun,
    '--head',
    'criteria',
    '--labels',
    'temporal',
    '--epochs',
    '3',
    '--seed',
    '4',
    '--json',
    ...ws,
  ])
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stderr, /^epoch 1: train loss \d\.\d{4}, validation loss \d\.\d{4}, accuracy \d+\.\d%$/m)
  const result = lastJsonLine(r.stdout) as {
    train_pairs: number
    valid_pairs: number
    epochs: number
    valid_accuracy: { value: number; items: number }
    baseline_accuracy: { items: number }
    model: string
    metadata: string
  }
  assert.ok(result.train_pairs > 0 && result.valid_pairs > 0)
  assert.ok(result.epochs >= 1 && result.epochs <= 3)
  assert.equal(result.valid_accuracy.items, result.valid_pairs)
  assert.equal(result.baseline_accuracy.items, result.valid_pairs)
  const metadata = JSON.parse(await readFile(result.metadata, 'utf8')) as {
    theta: number[]
    split: string
    curve: unknown[]
  }
  assert.equal(metadata.split, 'by prompt')
  assert.equal(metadata.curve.length, result.epochs)
  // The saved head reloads and gives softplus(features · θ).
  const session = await ort.InferenceSession.create(result.model)
  const f = featureVector({
    clusters: ['concrete'],
    dealbreaker: false,
    statedAnswer: true,
    wrongAnswer: false,
    weightShare: 0.3,
  })
  const out = await session.run({ features: new ort.Tensor('float32', Float32Array.from(f), [1, f.length]) })
  const z = f.reduce((s, x, i) => s + x * (metadata.theta[i] as number), 0)
  assert.ok(
    Math.abs(((out['multiplier']?.data as Float32Array)[0] as number) - Math.log1p(Math.exp(z))) < 1e-5
  )
  await session.release()

  // Refused, each with the reason.
  const human = await runCli(['train', demoRun, '--head', 'criteria', '--labels', 'human', ...ws])
  assert.equal(human.status, 2)
  assert.match(human.stderr, /0 training pairs after the split by prompt/)
  const reward = await runCli(['train', demoRun, '--head', 'reward', ...ws])
  assert.match(reward.stderr, /does not export yet/)
  const epochs = await runCli(['train', demoRun, '--head', 'criteria', '--epochs', 'many', ...ws])
  assert.match(epochs.stderr, /--epochs must be a whole number/)
  const gpu = await runCli(['train', demoRun, '--head', 'criteria', '--device', 'webgpu', ...ws])
  assert.match(gpu.stderr, /training runs on the CPU in this version/)
})
