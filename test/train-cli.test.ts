// `rubric-workbench train` on the demo run. The criteria head: per-criterion verdicts from the
// smoke-test judge, trained against the temporal label with a split by prompt, its figures with
// intervals, and the saved ONNX head reloaded and run. The reward head: responses embedded by the
// smoke-test judge (cached: a second run embeds nothing), a Bradley–Terry head saved as ONNX that
// reloads and scores. Then the refusals.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import * as ort from 'onnxruntime-node'
import { dispatch } from '../src/core/api/dispatch'
import { featureVector } from '../src/core/training/criterion-features'
import { Workbench } from '../src/core/workbench'
import { NO_FILTERS, type CuratedSet } from '../src/shared/curated-set'
import type { RubricDetail } from '../src/shared/domain'
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
    device: string
    valid_accuracy: { value: number; items: number }
    baseline_accuracy: { items: number }
    model: string
    metadata: string
  }
  assert.ok(result.train_pairs > 0 && result.valid_pairs > 0)
  assert.ok(result.epochs >= 1 && result.epochs <= 3)
  assert.equal(result.device, 'cpu')
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

  // The proposed weights go into a curated set as weight edits that keep each rubric's total.
  const wb = new Workbench({ transport: 'cli', workspace: ws[1] as string })
  t.after(() => wb.close())
  await wb.open(demoRun)
  await dispatch(wb.handlers, 'curation.save', { name: 'learned', filters: NO_FILTERS })
  const applied = (await dispatch(wb.handlers, 'curation.applyWeights', {
    name: 'learned',
    head: (lastJsonLine(r.stdout) as { id: string }).id,
  })) as { set: CuratedSet; edits: number; rubrics: number }
  assert.ok(applied.edits > 0 && applied.rubrics > 0)
  const edited = applied.set.rubrics.filter((x) => x.edits.length > 0)
  assert.equal(edited.length, applied.rubrics)
  for (const rubric of edited.slice(0, 20)) {
    const detail = (await dispatch(wb.handlers, 'rubrics.get', { id: rubric.rubricId })) as RubricDetail
    const before = (detail.rubric.criteriaList ?? []).map((c) => c.weight ?? 1)
    const after = before.map((w, k) => {
      const edit = rubric.edits.filter((e) => e.criterion === k).at(-1)
      return edit === undefined ? w : (edit.to as number)
    })
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)
    assert.ok(Math.abs(sum(after) - sum(before)) < 1e-3 * before.length, `${rubric.rubricId} keeps its total`)
    for (const e of rubric.edits) assert.equal(e.field, 'weight')
  }
  assert.equal(
    ((await dispatch(wb.handlers, 'curation.get', { name: 'learned' })) as CuratedSet).rubrics.length,
    applied.set.rubrics.length
  )
  // Applying again replaces the learned edits rather than compounding them; no head takes them out.
  const headId = (lastJsonLine(r.stdout) as { id: string }).id
  const again = (await dispatch(wb.handlers, 'curation.applyWeights', { name: 'learned', head: headId })) as {
    set: CuratedSet
  }
  assert.deepEqual(
    again.set.rubrics.map((x) => x.edits.map((e) => [e.criterion, e.from, e.to, e.by])),
    applied.set.rubrics.map((x) => x.edits.map((e) => [e.criterion, e.from, e.to, e.by]))
  )
  assert.ok(applied.set.rubrics.every((x) => x.edits.every((e) => e.by === headId)))
  const emptied = (await dispatch(wb.handlers, 'curation.applyWeights', { name: 'learned', head: null })) as {
    set: CuratedSet
  }
  assert.ok(emptied.set.rubrics.every((x) => x.edits.length === 0))
  const notCriteria = await wb.handlers['curation.applyWeights']({
    name: 'learned',
    head: 'no-such-head',
  }).catch((e: Error) => e)
  assert.match(String(notCriteria), /no trained head/)

  // `auto` tries the GPUs first; on a machine without one it trains on the CPU and says why.
  const auto = await runCli([
    'train',
    demoRun,
    '--head',
    'criteria',
    '--epochs',
    '1',
    '--device',
    'auto',
    '--json',
    ...ws,
  ])
  assert.equal(auto.status, 0, auto.stderr)
  const autoDevice = (lastJsonLine(auto.stdout) as { device: string }).device
  if (autoDevice === 'cpu') assert.match(auto.stderr, /^device: cpu \(.*(cuda|webgpu): /m)

  // Refused, each with the reason.
  const human = await runCli(['train', demoRun, '--head', 'criteria', '--labels', 'human', ...ws])
  assert.equal(human.status, 2)
  assert.match(human.stderr, /0 training pairs after the split by prompt/)
  const epochs = await runCli(['train', demoRun, '--head', 'criteria', '--epochs', 'many', ...ws])
  assert.match(epochs.stderr, /--epochs: must be a number/)
  const device = await runCli(['train', demoRun, '--head', 'criteria', '--device', 'tpu', ...ws])
  assert.match(device.stderr, /--device.*tpu.*(invalid|Allowed choices)/i)
})

test('train --head reward: embeddings from the judge model, cached; a Bradley–Terry head that reloads', async (t) => {
  const ws = ['--workspace', join(await tempDir(t), 'ws')]
  const args = ['train', demoRun, '--head', 'reward', '--epochs', '4', '--seed', '2', '--json', ...ws]
  const first = await runCli(args)
  assert.equal(first.status, 0, first.stderr)
  assert.match(first.stderr, /^embedding responses: \d+\/\d+$/m)
  const result = lastJsonLine(first.stdout) as {
    head: string
    train_pairs: number
    valid_pairs: number
    train_prompts: number
    valid_prompts: number
    epochs: number
    valid_accuracy: { value: number; low: number; high: number; items: number }
    embedding: { kind: string; dim: number }
    model: string
  }
  assert.equal(result.head, 'reward')
  assert.deepEqual(result.embedding, { kind: 'hidden-mean', dim: 64 })
  assert.ok(result.train_prompts > 0 && result.valid_prompts > 0)
  assert.equal(result.valid_accuracy.items, result.valid_pairs)
  assert.ok(
    result.valid_accuracy.low <= result.valid_accuracy.value &&
      result.valid_accuracy.value <= result.valid_accuracy.high
  )
  // The saved head reloads and scores raw embeddings, one row at a time.
  const session = await ort.InferenceSession.create(result.model)
  const scores = await session.run({
    embeddings: new ort.Tensor('float32', new Float32Array(64).fill(0.1), [1, 64]),
  })
  assert.ok(Number.isFinite((scores['scores']?.data as Float32Array)[0]))
  await session.release()
  // Embeddings are kept in the workspace: the same training again embeds nothing and splits alike.
  const second = await runCli(args)
  assert.equal(second.status, 0, second.stderr)
  assert.doesNotMatch(second.stderr, /embedding responses/)
  const again = lastJsonLine(second.stdout) as typeof result
  assert.equal(again.valid_pairs, result.valid_pairs)
  assert.deepEqual(again.valid_accuracy, result.valid_accuracy)
})
