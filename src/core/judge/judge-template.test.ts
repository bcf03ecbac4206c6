import assert from 'node:assert/strict'
import { test } from 'node:test'
import { judgeProtocols } from '../../shared/judge'
import { bundledTemplate, fill, listTemplates, parseTemplate } from './judge-template'

const minimal = (body: string): string => `protocol: criteria-logprob\nversion: 2\n\n[user]\n${body}\n`

test('every protocol has a bundled template, each with a no-rubric section', async () => {
  const all = await listTemplates()
  for (const protocol of judgeProtocols) {
    const t = await bundledTemplate(protocol)
    assert.equal(t.protocol, protocol)
    assert.notEqual(t.userWithoutRubric, null)
  }
  assert.equal(all.length, judgeProtocols.length)
})

test('a template file: header, sections, answer words and chat options', () => {
  const t = parseTemplate(
    '# comment\nprotocol: criteria-logprob\nname: mine\nversion: 3\nyes: Oui\nno: Non\nenable_thinking: false\n\n[system]\nBe strict.\n[user]\n{{prompt}} {{response}} {{criterion}}\n[user without rubric]\n{{prompt}} {{response}}\n',
    'mine.txt'
  )
  assert.equal(t.name, 'mine')
  assert.equal(t.version, 3)
  assert.deepEqual(t.choices, ['Oui', 'Non'])
  assert.deepEqual(t.chatOptions, { enable_thinking: false })
  assert.equal(t.system, 'Be strict.')
})

test('template mistakes are named with the file and the line', () => {
  assert.throws(
    () => parseTemplate('protocol: nope\nversion: 1\n[user]\nx', 'a.txt'),
    /a.txt: unknown protocol "nope"/
  )
  assert.throws(
    () => parseTemplate('protocol: criteria-logprob\n[user]\nx', 'a.txt'),
    /"version" must be a whole number/
  )
  assert.throws(
    () => parseTemplate(minimal('{{rubric}}'), 'a.txt'),
    /\[user\] uses \{\{rubric\}\}; criteria-logprob offers/
  )
  assert.throws(
    () => parseTemplate('protocol: criteria-logprob\nversion: 1\n[assistant]\nx', 'a.txt'),
    /line 3: unknown section \[assistant\]/
  )
  assert.throws(
    () => parseTemplate('protocol: criteria-logprob\nversion: 1\nthis is not a field\n[user]\nx', 'a.txt'),
    /line 3: expected "key: value"/
  )
  assert.throws(
    () => parseTemplate('protocol: criteria-logprob\nversion: 1\n', 'a.txt'),
    /a \[user\] section is required/
  )
  assert.throws(
    () => parseTemplate('protocol: pairwise-logprob\nversion: 1\nfirst: A\nsecond: A\n[user]\nx', 'a.txt'),
    /must differ/
  )
})

test('fill inserts values literally, without expanding placeholders inside them', () => {
  assert.equal(fill('{{a}} and {{ b }}', { a: '{{b}}', b: 'x' }), '{{b}} and x')
})
