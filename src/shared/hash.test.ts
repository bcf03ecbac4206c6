import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fnv1a, mix32 } from './hash'

test('fnv1a matches the published FNV-1a 32-bit values', () => {
  assert.equal(fnv1a(''), 0x811c9dc5)
  assert.equal(fnv1a('a'), 0xe40c292c)
  assert.equal(fnv1a('foobar'), 0xbf9cf968)
})

test('mixed, the lowest bit of ids that differ only at the end is a fair coin', () => {
  // Sequential pair ids under one salt: about half must land each way.
  for (const salt of ['/tmp/ws-a', '/home/me/.config/rubric-workbench/workspaces/run-1']) {
    let ones = 0
    const n = 2000
    for (let i = 0; i < n; i++) ones += mix32(fnv1a(`${salt}\nrg-L${i}`)) & 1
    assert.ok(Math.abs(ones / n - 0.5) < 0.05, `${salt}: ${ones} of ${n}`)
  }
})
