// The Bradley–Terry reward head: the train-step graph takes the same steps as the plain
// TypeScript reference, learns a separable synthetic set (loss falls, held-out accuracy far above
// chance), and the saved inference graph scores as the reference does.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as ort from 'onnxruntime-node'
import { mulberry32 } from '../../shared/seeded-random'
import {
  ADAM,
  inferenceModel,
  initParams,
  ReferenceTrainer,
  referenceScore,
  RewardHeadTrainer,
  type HeadSize,
} from './reward-head'

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
}

/** Pairs of embeddings where the chosen side lies further along a hidden direction. */
function separable(n: number, dim: number, seed: number): { chosen: Float32Array; rejected: Float32Array } {
  const random = mulberry32(seed)
  const direction = Float32Array.from({ length: dim }, (_, i) => (i % 3 === 0 ? 1 : 0))
  const chosen = new Float32Array(n * dim)
  const rejected = new Float32Array(n * dim)
  for (let r = 0; r < n; r++)
    for (let i = 0; i < dim; i++) {
      const shared = gaussian(random)
      chosen[r * dim + i] = shared + gaussian(random) * 0.5 + (direction[i] as number) * 0.8
      rejected[r * dim + i] = shared + gaussian(random) * 0.5 - (direction[i] as number) * 0.8
    }
  return { chosen, rejected }
}

test('the train-step graph takes the same AdamW steps as the reference implementation', async (t) => {
  const size: HeadSize = { dim: 12, hidden: 8, batch: 4 }
  // A larger ε than training uses: where a gradient is exactly 0 in one implementation and 1e-8
  // of rounding in the other, Adam with ε = 1e-8 turns both into steps of different size.
  const adam = { ...ADAM, eps: 1e-4 }
  const graph = await RewardHeadTrainer.create(size, 3, { adam })
  t.after(() => graph.release())
  const reference = new ReferenceTrainer(size, initParams(size, 3), adam)
  const data = separable(size.batch * 5, size.dim, 9)
  for (let s = 0; s < 5; s++) {
    const at = s * size.batch * size.dim
    const chosen = data.chosen.slice(at, at + size.batch * size.dim)
    const rejected = data.rejected.slice(at, at + size.batch * size.dim)
    const a = await graph.step(chosen, rejected, 0.01)
    const b = reference.step(chosen, rejected, 0.01)
    assert.ok(Math.abs(a.loss - b) < 1e-4, `step ${s}: loss ${a.loss} vs ${b}`)
    for (const [name, values] of Object.entries(reference.params))
      values.forEach((x, i) =>
        assert.ok(
          Math.abs(x - (graph.params[name]?.[i] as number)) < 1e-4,
          `step ${s}: ${name}[${i}] ${graph.params[name]?.[i]} vs ${x}`
        )
      )
  }
})

test('the head learns a separable set: the loss falls and held-out accuracy beats chance clearly', async (t) => {
  const size: HeadSize = { dim: 24, hidden: 16, batch: 16 }
  const trainer = await RewardHeadTrainer.create(size, 1)
  t.after(() => trainer.release())
  const train = separable(512, size.dim, 2)
  const held = separable(256, size.dim, 3)
  const losses: number[] = []
  for (let epoch = 0; epoch < 4; epoch++)
    for (let b = 0; b < 512 / size.batch; b++) {
      const at = b * size.batch * size.dim
      const { loss } = await trainer.step(
        train.chosen.slice(at, at + size.batch * size.dim),
        train.rejected.slice(at, at + size.batch * size.dim),
        0.01
      )
      losses.push(loss)
    }
  const first = losses.slice(0, 8).reduce((a, b) => a + b) / 8
  const last = losses.slice(-8).reduce((a, b) => a + b) / 8
  assert.ok(last < first * 0.5, `loss ${first} → ${last}`)
  const sc = referenceScore(size, trainer.params, held.chosen, 256)
  const sr = referenceScore(size, trainer.params, held.rejected, 256)
  const accuracy = sc.filter((x, i) => x > (sr[i] as number)).length / 256
  assert.ok(accuracy > 0.9, `held-out accuracy ${accuracy}`)

  // The saved inference graph scores as the reference does.
  const session = await ort.InferenceSession.create(inferenceModel(size, trainer.params, 256))
  const out = await session.run({ embeddings: new ort.Tensor('float32', held.chosen, [256, size.dim]) })
  const scores = out['scores']?.data as Float32Array
  scores.forEach((s, i) => assert.ok(Math.abs(s - (sc[i] as number)) < 1e-4))
  await session.release()
})
