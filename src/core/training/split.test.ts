import assert from 'node:assert/strict'
import { test } from 'node:test'
import { splitByPrompt } from './split'

test('the split is by prompt: no prompt on both sides, the share holds, the seed decides', () => {
  const items = Array.from({ length: 1000 }, (_, i) => ({ id: i, promptId: `p${i % 97}` }))
  const { train, valid } = splitByPrompt(items, 0.2, 7)
  const trainPrompts = new Set(train.map((i) => i.promptId))
  assert.equal(
    valid.some((i) => trainPrompts.has(i.promptId)),
    false
  )
  assert.equal(train.length + valid.length, 1000)
  assert.equal(new Set(valid.map((i) => i.promptId)).size, Math.round(97 * 0.2))
  assert.deepEqual(splitByPrompt(items, 0.2, 7).valid, valid)
  assert.notDeepEqual(splitByPrompt(items, 0.2, 8).valid, valid)
})
