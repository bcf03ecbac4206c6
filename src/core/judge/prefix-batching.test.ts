import assert from 'node:assert/strict'
import { test } from 'node:test'
import { lengthSortedChunks, longestCommonPrefix, paddedBatch } from './prefix-batching'

test('the shared prefix leaves every sequence a token of its own', () => {
  assert.equal(
    longestCommonPrefix([
      [1, 2, 3],
      [1, 2, 4],
    ]),
    2
  )
  assert.equal(
    longestCommonPrefix([
      [1, 2],
      [1, 2, 3],
    ]),
    1
  )
  assert.equal(longestCommonPrefix([[5, 6, 7]]), 2)
  assert.equal(longestCommonPrefix([]), 0)
})

test('rows are padded on the left; cached prefixes are right-aligned; positions count real tokens', () => {
  const b = paddedBatch([[7, 8, 9], [5]], [2, 1], 2)
  assert.equal(b.width, 3)
  assert.deepEqual([...b.inputIds], [7n, 8n, 9n, 0n, 0n, 5n])
  assert.deepEqual([...b.attentionMask], [1n, 1n, 1n, 1n, 1n, 0n, 1n, 0n, 0n, 1n])
  assert.deepEqual([...b.positionIds], [2n, 3n, 4n, 1n, 1n, 1n])
  const plain = paddedBatch([[1, 2], [3]], [], 0)
  assert.deepEqual([...plain.attentionMask], [1n, 1n, 0n, 1n])
  assert.deepEqual([...plain.positionIds], [0n, 1n, 0n, 0n])
})

test('chunks come longest first', () => {
  assert.deepEqual(
    lengthSortedChunks(['a', 'ccc', 'bb'], (s) => s.length, 2),
    [['ccc', 'bb'], ['a']]
  )
})
