import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type DiffSegment, WORD_DIFF_CHAR_LIMIT, diffStats, diffWords, sidesOf } from './word-diff'

const join = (segments: DiffSegment[]): string => segments.map((s) => s.text).join('')

function assertReassembles(a: string, b: string): DiffSegment[] {
  const segments = diffWords(a, b)
  const { left, right } = sidesOf(segments)
  assert.equal(join(left), a)
  assert.equal(join(right), b)
  assert.ok(left.every((s) => s.kind !== 'added'))
  assert.ok(right.every((s) => s.kind !== 'removed'))
  assert.ok(segments.every((s) => s.text !== ''))
  return segments
}

test('identical texts are one unchanged segment; two empty texts are none', () => {
  assert.deepEqual(diffWords('Same text.\n', 'Same text.\n'), [{ kind: 'same', text: 'Same text.\n' }])
  assert.deepEqual(diffWords('', ''), [])
  assert.deepEqual(diffStats(diffWords('two words', 'two words')), { added: 0, removed: 0, same: 2 })
})

test('an inserted word is added, the rest kept', () => {
  const segments = assertReassembles('The answer is 42.', 'The final answer is 42.')
  assert.deepEqual(segments, [
    { kind: 'same', text: 'The ' },
    { kind: 'added', text: 'final ' },
    { kind: 'same', text: 'answer is 42.' },
  ])
  assert.deepEqual(diffStats(segments), { added: 1, removed: 0, same: 4 })
})

test('a deleted word is removed, and texts from or to nothing are wholly removed or added', () => {
  const segments = assertReassembles('It is very likely true.', 'It is likely true.')
  assert.deepEqual(segments, [
    { kind: 'same', text: 'It is ' },
    { kind: 'removed', text: 'very ' },
    { kind: 'same', text: 'likely true.' },
  ])
  assert.deepEqual(diffWords('gone', ''), [{ kind: 'removed', text: 'gone' }])
  assert.deepEqual(diffWords('', 'new'), [{ kind: 'added', text: 'new' }])
})

test('replaced words become one removal then one addition, spaces between them included', () => {
  const segments = assertReassembles('the cat sat down', 'a dog sat down')
  assert.deepEqual(segments, [
    { kind: 'removed', text: 'the cat' },
    { kind: 'added', text: 'a dog' },
    { kind: 'same', text: ' sat down' },
  ])
  assert.deepEqual(diffStats(segments), { added: 2, removed: 2, same: 2 })
  assertReassembles('x = 3.14;\n\ty = 2', 'x = 3.15;\n  y = 2\n')
})

test('whitespace changes show, so both texts reassemble exactly', () => {
  const segments = assertReassembles('a  b\nc', 'a b\r\nc ')
  assert.ok(segments.some((s) => s.kind === 'removed' && s.text === '  '))
  assert.ok(segments.some((s) => s.kind === 'added' && s.text.includes('\r\n')))
})

test('CJK is compared per character, other scripts per word, emoji never cut apart', () => {
  const cjk = assertReassembles('你好世界', '你好地球')
  assert.deepEqual(cjk, [
    { kind: 'same', text: '你好' },
    { kind: 'removed', text: '世界' },
    { kind: 'added', text: '地球' },
  ])
  assert.deepEqual(diffStats(cjk), { added: 2, removed: 2, same: 2 })

  const cyrillic = assertReassembles('Привет мир', 'Привет друг')
  assert.deepEqual(cyrillic, [
    { kind: 'same', text: 'Привет ' },
    { kind: 'removed', text: 'мир' },
    { kind: 'added', text: 'друг' },
  ])

  const family = assertReassembles('We 👨‍👩‍👧 it 👍🏻', 'We 👨‍👩‍👦 it 👍🏽')
  assert.deepEqual(
    family.filter((s) => s.kind !== 'same').map((s) => s.text),
    ['👨‍👩‍👧', '👨‍👩‍👦', '👍🏻', '👍🏽']
  )
  const flags = assertReassembles('🇫🇷 or café', '🇩🇪 or cafe\u0301')
  assert.deepEqual(
    flags.filter((s) => s.kind !== 'same').map((s) => s.text),
    ['🇫🇷', '🇩🇪', 'café', 'cafe\u0301']
  )
})

test('past the size limit the diff is by whole lines, and still reassembles', () => {
  const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} says something\n`)
  const a = lines.join('')
  const b = lines.map((l, i) => (i === 500 ? 'line 500 says nothing\n' : l)).join('')
  assert.ok(a.length + b.length > WORD_DIFF_CHAR_LIMIT)

  const started = Date.now()
  const segments = assertReassembles(a, b)
  assert.ok(Date.now() - started < 5_000)
  assert.deepEqual(
    segments.filter((s) => s.kind !== 'same'),
    [
      { kind: 'removed', text: 'line 500 says something\n' },
      { kind: 'added', text: 'line 500 says nothing\n' },
    ]
  )
  assert.deepEqual(diffStats(segments).removed, 4)

  // Under the limit the same change is found word by word.
  const small = diffWords(lines.slice(0, 600).join(''), b.split('\n').slice(0, 600).join('\n') + '\n')
  assert.deepEqual(
    small.filter((s) => s.kind !== 'same'),
    [
      { kind: 'removed', text: 'something' },
      { kind: 'added', text: 'nothing' },
    ]
  )
})

test('two long unrelated texts still come back quickly, whole', () => {
  const a = Array.from({ length: 8_000 }, (_, i) => `alpha${i % 97}`).join(' ')
  const b = Array.from({ length: 8_000 }, (_, i) => `beta${i % 89}`).join(' ')
  const started = Date.now()
  assertReassembles(a, b)
  assert.ok(Date.now() - started < 5_000)
})
