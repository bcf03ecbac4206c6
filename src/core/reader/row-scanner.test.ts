import assert from 'node:assert/strict'
import { test } from 'node:test'
import { decodeValue, parseLenientJson } from './lenient-json'
import { scanRow } from './row-scanner'

function fields(text: string): Record<string, unknown> {
  const line = Buffer.from(text)
  const result = scanRow(line)
  assert.ok(result.ok, result.ok ? '' : result.message)
  return Object.fromEntries([...result.fields].map(([k, v]) => [k, decodeValue(line, v)]))
}

test('scanRow finds every top-level value and decodes them like JSON.parse', () => {
  const row = {
    a: 'x "quoted" \\ back\\\\slash \n end',
    b: [1, { c: '}]' }, [null]],
    n: -1.5e3,
    t: true,
    z: null,
    u: 'Ελλάδα 東京 🙂',
    'k\\"ey': 1,
  }
  assert.deepEqual(fields(JSON.stringify(row)), row)
})

test('scanRow accepts the NaN and Infinity tokens Python writes', () => {
  const got = fields('{"s": NaN, "t": -Infinity, "l": [NaN, 1]}')
  assert.ok(Number.isNaN(got['s']))
  assert.equal(got['t'], Number.NEGATIVE_INFINITY)
  assert.ok(Array.isArray(got['l']) && Number.isNaN((got['l'] as number[])[0]))
})

test('scanRow rejects malformed rows with a reason', () => {
  const cases: [string, RegExp][] = [
    ['', /empty line/],
    ['[1, 2]', /not a JSON object/],
    ['{"a": 1', /ends before the object closes/],
    ['{"a": "unterminated', /unterminated string/],
    ['{"a": 1 "b": 2}', /expected "," or "}"/],
    ['{"a": nope}', /invalid value/],
    ['{"a": [1, 2}', /mismatched bracket/],
    ['{"a": 1} trailing', /unexpected text after/],
    ['{a: 1}', /expected a quoted key/],
  ]
  for (const [text, reason] of cases) {
    const result = scanRow(Buffer.from(text))
    assert.equal(result.ok, false, text)
    if (!result.ok) assert.match(result.message, reason, text)
  }
})

test('parseLenientJson leaves NaN inside strings alone', () => {
  assert.deepEqual(parseLenientJson('{"a": "NaN and Infinity", "b": [1]}'), { a: 'NaN and Infinity', b: [1] })
  assert.throws(() => parseLenientJson('{"a": NaNx}'), SyntaxError)
})

test('rubric summaries from the bytes after </think> match summaries of the whole text', async () => {
  const { extractRubric } = await import('./rubric-extract')
  const { Row } = await import('./row')
  const { summarizeRubric } = await import('../../shared/rubric-format')
  const json = JSON.stringify({
    criteria: [
      { criterion: 'a "quoted" <b>', weight: 0.5 },
      { criterion: 'b', weight: 0.5 },
    ],
  })
  const rubrics = [
    `<think>long "thinking" \\ with escapes 東京</think>\n${json}`,
    `thinking without an opening tag</think>${json}`,
    `intro <think>x</think>${json}`,
    `<think>a</think>${json}<think>b`,
    `<think>a</think>not json`,
    `${json}`,
    `<think>cut off`,
    `<think>x</think>junk</think>${json}`,
  ]
  for (const rubric of rubrics) {
    const line = Buffer.from(JSON.stringify({ rubric }))
    const scanned = scanRow(line)
    assert.ok(scanned.ok)
    const got = extractRubric(new Row(line, scanned.fields, 0, 0), 'rubric')
    const want = summarizeRubric(rubric)
    assert.deepEqual({ criteria: got?.criteria, formatValid: got?.formatValid }, want, rubric)
  }
})

test('numbers read from the bytes equal Number() on their text', async () => {
  const { Row } = await import('./row')
  const samples = [
    '0',
    '-0',
    '7',
    '120',
    '0.85',
    '0.1',
    '0.3',
    '-2.5',
    '123456789012345',
    '1234567890123456',
    '0.000001',
    '1e5',
    '3.14159265358979',
    '-0.0',
    '9007199254740993',
  ]
  let seed = 7
  const random = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    return seed / 2 ** 32
  }
  for (let i = 0; i < 2000; i++)
    samples.push(String(Math.round(random() * 1e6) / 10 ** Math.floor(random() * 7)))
  for (const text of samples) {
    const line = Buffer.from(`{"n": ${text}}`)
    const scanned = scanRow(line)
    assert.ok(scanned.ok, text)
    assert.ok(Object.is(new Row(line, scanned.fields, 0, 0).number('n'), Number(text)), text)
  }
})
