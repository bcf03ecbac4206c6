// The human majority that every analysis measures judges against.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { humanMajority } from './utility'

test('the human majority: a side needs more votes than the other side and than tie', () => {
  assert.equal(humanMajority(['newer', 'newer', 'older']), 'newer')
  assert.equal(humanMajority(['newer', 'older']), 'tie')
  assert.equal(humanMajority(['older', 'tie', 'skip', 'both-bad']), 'tie')
  assert.equal(humanMajority(['older', 'older', 'tie']), 'older')
  assert.equal(humanMajority(['skip', 'both-bad']), null)
})
