// The fit loop on a small model of its own (one number pulled towards the batch mean, with a
// step too large to settle): the loss it reports drives early stopping, the best epoch's value is
// restored, `shouldStop` ends it between steps, and an empty held-out side gives null points.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fit, type Trainable } from './fit'

function model(step: number, held: number[]): Trainable<number, number> & { x: number } {
  const m = {
    x: 0,
    step: (batch: number[]) => {
      const mean = batch.reduce((a, b) => a + b, 0) / batch.length
      const loss = (m.x - mean) ** 2
      m.x += step * 2 * (mean - m.x)
      return Promise.resolve(loss)
    },
    evaluate: () => {
      const loss = held.reduce((a, b) => a + (m.x - b) ** 2, 0) / held.length
      return Promise.resolve({
        loss,
        accuracy: held.filter((b) => Math.abs(m.x - b) < 1).length / held.length,
      })
    },
    snapshot: () => m.x,
    restore: (x: number) => (m.x = x),
  }
  return m
}

test('early stopping keeps the best epoch; an empty held-out side reports nulls and watches the training loss', async () => {
  const train = Array.from({ length: 40 }, (_, i) => 3 + (i % 2 === 0 ? 0.5 : -0.5))
  const good = model(0.2, [3, 3.2])
  const fitted = await fit(train, good, { epochs: 50, patience: 3, batch: 8, seed: 1 })
  assert.ok(fitted.curve.length < 50, 'it stops once the held-out loss stops falling')
  assert.ok(Math.abs(good.x - 3.1) < 0.2)
  const best = fitted.curve.find((p) => p.epoch === fitted.bestEpoch)
  assert.equal(Math.min(...fitted.curve.map((p) => p.validLoss as number)), best?.validLoss)

  const alone = model(0.2, [])
  const noValid = await fit(train, alone, { epochs: 10, patience: 2, batch: 8, seed: 1 })
  assert.ok(noValid.curve.every((p) => p.validLoss === null && p.validAccuracy === null))
  assert.ok(noValid.bestEpoch >= 1)

  let steps = 0
  const stopped = await fit(train, model(0.2, [3]), {
    epochs: 10,
    patience: 10,
    batch: 8,
    seed: 1,
    shouldStop: () => steps >= 7,
    onStep: () => steps++,
  })
  assert.equal(stopped.stopped, true)
  assert.equal(steps, 7)
  assert.equal(stopped.curve.length, 1, 'the epoch the stop cut short has no point')
})
