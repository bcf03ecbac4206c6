import assert from 'node:assert/strict'
import { test } from 'node:test'
import { splitByPrompt } from './split'

test('the split is by prompt: no prompt on both sides, the share holds, the seed decides', () => {
  const items = Array.from({ length: 5000 }, (_, i) => ({ id: i, promptId: `p${i % 997}` }))
  const { train, valid } = splitByPrompt(items, 0.2, 7)
  const trainPrompts = new Set(train.map((i) => i.promptId))
  assert.equal(
    valid.some((i) => trainPrompts.has(i.promptId)),
    false
  )
  assert.equal(train.length + valid.length, 5000)
  const share = new Set(valid.map((i) => i.promptId)).size / 997
  assert.ok(share > 0.17 && share < 0.23, `held-out share ${share}`)
  assert.deepEqual(splitByPrompt(items, 0.2, 7).valid, valid)
  assert.notDeepEqual(splitByPrompt(items, 0.2, 8).valid, valid)
})

test("a prompt's side does not depend on the other prompts present", () => {
  const items = Array.from({ length: 400 }, (_, i) => ({ id: i, promptId: `prompt-${i}` }))
  const whole = new Set(splitByPrompt(items, 0.3, 11).valid.map((i) => i.promptId))
  const part = splitByPrompt(
    items.filter((i) => i.id % 3 === 0),
    0.3,
    11
  )
  for (const i of part.valid) assert.ok(whole.has(i.promptId))
  for (const i of part.train) assert.ok(!whole.has(i.promptId))
})
