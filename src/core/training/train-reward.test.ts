// The reward head's whole training on a synthetic separable set with prompts: the split holds
// out whole prompts, the loss falls, held-out accuracy is far above chance, and the saved graph
// (which standardises raw embeddings itself) orders held-out pairs as training measured.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import * as ort from 'onnxruntime-node'
import { tempDir } from '../../../test/helpers/temp'
import { mulberry32 } from '../../shared/seeded-random'
import { heldOut } from './split'
import { trainRewardHead, type RewardPair } from './train-reward'

test('trainRewardHead: loss falls, held-out prompts are ordered right, the saved head agrees', async (t) => {
  const dim = 24
  const random = mulberry32(9)
  const direction = Float32Array.from({ length: dim }, () => random() - 0.5)
  // Raw embeddings far from zero and unevenly scaled: the head must standardise them.
  const embed = (quality: number): Float32Array =>
    Float32Array.from(
      { length: dim },
      (_, d) => 5 + (d + 1) * (random() - 0.5 + quality * (direction[d] as number))
    )
  const pairs: RewardPair[] = []
  const vectors = new Map<string, Float32Array>()
  const response = (id: string, quality: number): string => {
    vectors.set(id, embed(quality))
    return id
  }
  for (let p = 0; p < 80; p++)
    for (let k = 0; k < 4; k++)
      pairs.push({
        pairId: `pair-${p}-${k}`,
        promptId: `prompt-${p}`,
        chosen: response(`good-${p}-${k}`, 1.5),
        rejected: response(`bad-${p}-${k}`, -1.5),
      })
  const curve: number[] = []
  const head = await trainRewardHead(
    {
      source: 'synthetic',
      embedding: { kind: 'hidden-mean', dim },
      pairs,
      vector: (id) => vectors.get(id) as Float32Array,
    },
    'human',
    {
      epochs: 25,
      patience: 25,
      batch: 16,
      seed: 1,
      lr: 0.003,
      validShare: 0.25,
      device: 'cpu',
      onEpoch: (e) => curve.push(e.trainLoss ?? Infinity),
    },
    join(await tempDir(t), 'training', 'synthetic')
  )
  assert.ok(head !== null)
  const validPrompts = new Set(pairs.filter((p) => heldOut(p.promptId, 0.25, 1)).map((p) => p.promptId))
  assert.equal(head.prompts.valid, validPrompts.size)
  assert.equal(head.pairs.valid, validPrompts.size * 4)
  assert.ok((curve.at(-1) as number) < (curve[0] as number) / 2, `loss ${curve[0]} → ${curve.at(-1)}`)
  assert.ok((head.validAccuracy.value as number) > 0.9, JSON.stringify(head.validAccuracy))
  // The saved graph takes raw embeddings and orders the held-out pairs as training measured.
  const session = await ort.InferenceSession.create(head.model)
  const score = async (v: Float32Array): Promise<number> =>
    (
      (await session.run({ embeddings: new ort.Tensor('float32', v, [1, dim]) }))['scores']
        ?.data as Float32Array
    )[0] as number
  let right = 0
  const held = pairs.filter((p) => validPrompts.has(p.promptId))
  for (const p of held)
    if (
      (await score(vectors.get(p.chosen) as Float32Array)) >
      (await score(vectors.get(p.rejected) as Float32Array))
    )
      right++
  await session.release()
  assert.equal(right / held.length, head.validAccuracy.value)
})
