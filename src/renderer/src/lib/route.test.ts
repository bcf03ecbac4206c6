import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { href, parentOf, parseHash } from './route'

describe('parseHash', () => {
  it('treats the empty hash as the timeline', () => {
    for (const hash of ['', '#', '#/', '#/timeline', '#/timeline/']) {
      assert.deepEqual(parseHash(hash), { name: 'timeline' }, hash)
    }
  })

  it('reads the pair table filters and page from the hash query', () => {
    assert.deepEqual(parseHash('#/pairs?checkpoint=policy-50&offset=200'), {
      name: 'pairs',
      params: { checkpoint: 'policy-50', prompt: null, offset: 200 },
    })
    assert.deepEqual(parseHash('#/pairs?offset=-3&checkpoint='), {
      name: 'pairs',
      params: { checkpoint: null, prompt: null, offset: 0 },
    })
  })

  it('decodes detail IDs', () => {
    assert.deepEqual(parseHash('#/pairs/p-1_a.b%3A2'), { name: 'pair', id: 'p-1_a.b:2' })
    assert.deepEqual(parseHash('#/rubrics/r:1'), { name: 'rubric', id: 'r:1' })
    assert.deepEqual(parseHash('#/prompts/q.7'), { name: 'prompt', id: 'q.7' })
    assert.deepEqual(parseHash('#/errors?offset=400'), { name: 'errors', offset: 400 })
  })

  it('reports unknown and malformed routes as not found', () => {
    for (const hash of [
      '#/nope',
      '#/pairs/a/b',
      '#/rubrics',
      '#/prompts/%E0%A4%A',
      '#/errors/x',
      '#/timeline/x',
    ]) {
      assert.equal(parseHash(hash).name, 'not-found', hash)
    }
  })
})

describe('href', () => {
  it('round-trips through parseHash', () => {
    const id = 'pair:policy-50/step.1'
    assert.deepEqual(parseHash(href.pair(id)), { name: 'pair', id })
    assert.deepEqual(parseHash(href.pairs({ checkpoint: 'rubric-100', prompt: 'p 1', offset: 100 })), {
      name: 'pairs',
      params: { checkpoint: 'rubric-100', prompt: 'p 1', offset: 100 },
    })
    assert.equal(href.pairs(), '#/pairs')
    assert.equal(href.errors(0), '#/errors')
  })

  it('sends detail pages back to the pair table', () => {
    assert.equal(parentOf(parseHash('#/pairs/x')), '#/pairs')
    assert.equal(parentOf(parseHash('#/timeline')), null)
  })
})
