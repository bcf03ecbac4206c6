// The criterion-weight learner on a synthetic set where only concrete criteria tell the preferred
// side and holistic ones are noise: the loss falls, concrete criteria end up weighted above
// holistic ones, and the proposed rubric keeps its total weight.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { mulberry32 } from '../../shared/seeded-random'
import type { CriterionFeatures } from './criterion-features'
import { CriterionWeightLearner, type CriterionPair } from './criterion-weights'

const concrete: CriterionFeatures = {
  clusters: ['concrete'],
  dealbreaker: false,
  statedAnswer: false,
  wrongAnswer: false,
  weightShare: 0.25,
}
const holistic: CriterionFeatures = { ...concrete, clusters: ['holistic'] }

function pairs(n: number, seed: number): CriterionPair[] {
  const random = mulberry32(seed)
  return Array.from({ length: n }, () => {
    const label = random() < 0.5 ? 1 : -1
    const signal = () => {
      const d = 0.3 + random() * 0.4
      return label === 1
        ? { newer: 0.5 + d / 2, older: 0.5 - d / 2 }
        : { newer: 0.5 - d / 2, older: 0.5 + d / 2 }
    }
    // Holistic criteria lean the wrong way as often as the right way, and further.
    const noise = () => {
      const d = (random() * 2 - 1) * 0.9
      return { newer: 0.5 + d / 2, older: 0.5 - d / 2 }
    }
    return {
      label,
      criteria: [
        { features: concrete, ...signal() },
        { features: concrete, ...signal() },
        { features: holistic, ...noise() },
        { features: holistic, ...noise() },
      ],
    } as CriterionPair
  })
}

test('the learner weights the criteria that predict the preferred side above those that do not', async (t) => {
  const learner = await CriterionWeightLearner.create({ batch: 32, criteria: 4 })
  t.after(() => learner.release())
  const data = pairs(32 * 40, 3)
  const losses: number[] = []
  for (let epoch = 0; epoch < 3; epoch++)
    for (let b = 0; b < 40; b++) losses.push((await learner.step(data.slice(b * 32, b * 32 + 32), 0.05)).loss)
  const first = losses.slice(0, 5).reduce((a, b) => a + b) / 5
  const last = losses.slice(-5).reduce((a, b) => a + b) / 5
  assert.ok(last < first, `loss ${first} → ${last}`)
  assert.ok(
    learner.multiplier(concrete) > 2 * learner.multiplier(holistic),
    `${learner.multiplier(concrete)} vs ${learner.multiplier(holistic)}`
  )
  const weights = learner.reweight([
    { weight: 0.25, features: concrete },
    { weight: 0.25, features: concrete },
    { weight: 0.25, features: holistic },
    { weight: 0.25, features: holistic },
  ])
  assert.ok(Math.abs(weights.reduce((a, b) => a + b) - 1) < 1e-9)
  assert.ok((weights[0] as number) > (weights[2] as number))
  await assert.rejects(learner.step(data.slice(0, 3), 0.05), /a step takes 32 pairs, not 3/)
})
