import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { href, parentOf, parseHash } from './route'

describe('parseHash', () => {
  it('treats the empty hash as the timeline', () => {
    for (const hash of ['', '#', '#/', '#/timeline', '#/timeline/']) {
      assert.deepEqual(parseHash(hash), { name: 'timeline' }, hash)
    }
  })

  it('reads the pair table query from the hash, dropping what it does not understand', () => {
    assert.deepEqual(
      parseHash('#/pairs?checkpoint=policy-50&gapMin=5&gapMax=x&outcome=disagrees,bogus,tie&q=a.b&regex=1'),
      {
        name: 'pairs',
        params: {
          checkpoint: 'policy-50',
          gapMin: 5,
          outcomes: ['disagrees', 'tie'],
          search: 'a.b',
          regex: true,
        },
      }
    )
    // Values the API would refuse are dropped rather than breaking the table.
    assert.deepEqual(parseHash(`#/pairs?gapMin=1e13&task=${'x'.repeat(300)}&q=ok`), {
      name: 'pairs',
      params: { search: 'ok' },
    })
    assert.deepEqual(parseHash('#/pairs?sort=nope&desc=1&checkpoint=&annotation=maybe'), {
      name: 'pairs',
      params: { desc: true },
    })
  })

  it('decodes detail IDs', () => {
    assert.deepEqual(parseHash('#/pairs/p-1_a.b%3A2'), { name: 'pair', id: 'p-1_a.b:2' })
    assert.deepEqual(parseHash('#/rubrics/r:1'), { name: 'rubric', id: 'r:1' })
    assert.deepEqual(parseHash('#/prompts/q.7'), { name: 'prompt', id: 'q.7' })
    assert.deepEqual(parseHash('#/errors?offset=400'), { name: 'errors', offset: 400 })
    assert.deepEqual(parseHash('#/audit'), { name: 'audit' })
    assert.deepEqual(parseHash('#/judge'), { name: 'judge' })
    assert.equal(href.judge(), '#/judge')
    assert.deepEqual(parseHash('#/models'), { name: 'models' })
    assert.deepEqual(parseHash('#/analysis'), { name: 'analysis' })
    assert.deepEqual(parseHash('#/training'), { name: 'training' })
    assert.equal(href.training(), '#/training')
    assert.deepEqual(parseHash('#/audit/report'), { name: 'report' })
    assert.deepEqual(parseHash('#/audit/queue-1a2b'), { name: 'queue', id: 'queue-1a2b' })
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
    const params = {
      checkpoint: 'rubric-100',
      promptId: 'p 1&x',
      gapMin: 0,
      gapMax: 40,
      taskType: 'math',
      outcomes: ['agrees' as const, 'parse-failure' as const],
      annotation: 'unlabelled' as const,
      search: '\\d+ & ?',
      regex: true,
      sort: 'margin' as const,
      desc: true,
    }
    assert.deepEqual(parseHash(href.pairs(params)), { name: 'pairs', params })
    assert.equal(href.pairs(), '#/pairs')
    assert.equal(href.errors(0), '#/errors')
  })

  it('sends detail pages back to the pair table', () => {
    assert.equal(parentOf(parseHash('#/pairs/x')), '#/pairs')
    assert.equal(parentOf(parseHash('#/timeline')), null)
  })
})
