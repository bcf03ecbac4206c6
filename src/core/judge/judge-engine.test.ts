// The engine on the smoke-test judge (scripts/make-tiny-judge.ts, written by `npm run build`):
// reused prefixes, padded batches and split tokenization must give what one whole pass gives.
import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { before, test } from 'node:test'
import { smokeTestModelDir } from '../resources'
import { tempDir } from '../../../test/helpers/temp'
import { JudgeEngine, lineStartWithin, type ChatMessage } from './judge-engine'

let engine: JudgeEngine
before(async () => {
  engine = await JudgeEngine.load(smokeTestModelDir, { device: 'cpu', dtype: 'fp32' })
})

const response = 'Adding three and four gives seven. I checked it by counting up from three. '.repeat(4)
function chat(question: string, tail: string): ChatMessage[] {
  return [
    { role: 'system', content: 'You grade one requirement at a time.' },
    { role: 'user', content: `Question:\n${question}\n\nResponse:\n${response}\n\nRequirement: ${tail}` },
  ]
}

/** Each sequence alone, in its own pass: the reference every batched or cached path must match. */
async function alone(sequences: number[][], choices: number[]): Promise<number[][]> {
  const out: number[][] = []
  for (const s of sequences) {
    const [[only]] = (await engine.nextTokenLogprobs([[s]], choices, { batch: 1, prefixReuse: false })) as [
      [number[]],
    ]
    out.push(only)
  }
  return out
}

function maxDifference(a: number[][][], b: number[][]): number {
  const flat = a.flat()
  assert.equal(flat.length, b.length)
  let max = 0
  flat.forEach((row, i) => row.forEach((x, j) => (max = Math.max(max, Math.abs(x - (b[i]?.[j] ?? NaN))))))
  return max
}

test('reusing a shared prefix gives the log-probabilities of a full recomputation (within 1e-4)', async () => {
  const choices = engine.answerTokens(['Yes', 'No'])
  const groups = [
    [
      'The answer is 7',
      'The response explains the addition',
      'Brief',
      'Polite and clear, with no errors',
    ].map((c) => engine.chat(chat('What is 3+4?', c))),
    ['Mentions the sea', 'One sentence'].map((c) => engine.chat(chat('Write about the sea.', c))),
    // A lone sequence that begins like the group before it: served from the kept prefix.
    [engine.chat(chat('Write about the sea.', 'Uses a metaphor'))],
    [engine.chat(chat('Something else entirely', 'x'))],
  ]
  const reference = await alone(groups.flat(), choices)
  for (const batch of [1, 3, 8]) {
    const reused = await engine.nextTokenLogprobs(groups, choices, { batch, prefixReuse: true })
    assert.ok(maxDifference(reused, reference) < 1e-4, `batch ${batch} with reuse`)
    const padded = await engine.nextTokenLogprobs(groups, choices, { batch, prefixReuse: false })
    assert.ok(maxDifference(padded, reference) < 1e-4, `batch ${batch} without reuse`)
  }
  // Reuse feeds fewer tokens: the shared part once per group.
  const before = engine.counters.tokens
  await engine.nextTokenLogprobs(groups, choices, { batch: 1, prefixReuse: true })
  const withReuse = engine.counters.tokens - before
  await engine.nextTokenLogprobs(groups, choices, { batch: 1, prefixReuse: false })
  const without = engine.counters.tokens - before - withReuse
  assert.ok(withReuse * 2 < without, `${withReuse} tokens with reuse, ${without} without`)
})

test('chats that begin alike are tokenized as each would be alone', () => {
  const chats = ['Answer is 7', 'Brief', 'Has no\nline breaks that matter'].map((c) =>
    chat('What is 3+4?', c)
  )
  assert.deepEqual(
    engine.chatMany(chats),
    chats.map((c) => engine.chat(c))
  )
  assert.equal(lineStartWithin(['ab\ncd', 'ab\nce']), 3)
  assert.equal(lineStartWithin(['abc', 'abd']), 0)
  assert.equal(lineStartWithin(['only one\nline start']), 9)
})

test('answer words must begin with different tokens', () => {
  assert.equal(engine.answerTokens(['Yes', 'No']).length, 2)
  assert.throws(() => engine.answerTokens(['Yes', 'Yeah']), /begin with the same token/)
})

test('generation is the same for the same seed, and stops at the token limit', async () => {
  const sequence = engine.chat(chat('What is 3+4?', 'x'))
  const run = async (seed: number): Promise<string> => {
    const { mulberry32 } = await import('../../shared/seeded-random')
    const out = await engine.generate(sequence, {
      maxNewTokens: 24,
      temperature: 0.6,
      random: mulberry32(seed),
      prefix: null,
    })
    assert.ok(out.tokens <= 24)
    return out.text
  }
  assert.equal(await run(1), await run(1))
})

test('a device that is not there is refused with the reason, never silently replaced', async () => {
  await assert.rejects(
    JudgeEngine.load(smokeTestModelDir, { device: 'cuda', dtype: 'fp32' }),
    /device cuda is not available: .*(CUDA|cuda)/
  )
})

test('a model whose attention ignores padding is noticed: one sequence per pass, the same results', async (t) => {
  const { writeTinyJudge } = await import('../../../scripts/make-tiny-judge')
  const dir = await tempDir(t)
  writeTinyJudge(dir, { ignorePadding: true })
  const careless = await JudgeEngine.load(dir, { device: 'cpu', dtype: 'fp32' })
  assert.equal(engine.batching, 'exact')
  assert.equal(careless.batching, 'single')
  assert.match(careless.device.notes.join('\n'), /batching: off/)
  const choices = careless.answerTokens(['Yes', 'No'])
  const groups = [
    ['a', 'b', 'cc'].map((c) => careless.chat(chat('What is 3+4?', c))),
    [careless.chat(chat('Hi', 'x'))],
  ]
  const reference: number[][] = []
  for (const s of groups.flat())
    reference.push(
      (
        (await careless.nextTokenLogprobs([[s]], choices, { batch: 1, prefixReuse: false }))[0] as number[][]
      )[0] as number[]
    )
  const batched = await careless.nextTokenLogprobs(groups, choices, { batch: 8, prefixReuse: true })
  assert.ok(maxDifference(batched, reference) < 1e-4)
})

test('weights a folder does not have are named', async () => {
  await assert.rejects(
    JudgeEngine.load(smokeTestModelDir, { device: 'cpu', dtype: 'q4' }),
    /has no q4 weights \(present: fp32\)/
  )
})

test('response embeddings: a padded batch gives what each sequence alone gives, pooled over the response only', async () => {
  const texts = ['Seven.', 'The sum is seven, found by counting up from three.', 'Eight, I think.']
  const sequences = texts.map((t) => engine.responseSequence('What is three plus four?', t))
  const batched = await engine.embed(sequences, { batch: 3 })
  assert.equal(batched.kind, 'hidden-mean')
  for (const [i, s] of sequences.entries()) {
    const [one] = (await engine.embed([s], { batch: 1 })).vectors
    const v = batched.vectors[i] as Float32Array
    assert.equal(v.length, 64)
    assert.ok(v.every((x, d) => Math.abs(x - (one as Float32Array)[d]!) < 1e-4))
  }
  // The prompt's tokens are not in the mean: changing only the response changes the vector.
  assert.notDeepEqual(batched.vectors[0], batched.vectors[2])
  const [first] = sequences
  assert.ok(first !== undefined && first.from > 0 && first.from < first.tokens.length)
  // Past the context the prompt keeps its end and the response its beginning.
  const long = engine.responseSequence('word '.repeat(3000), 'answer '.repeat(3000))
  assert.ok(long.tokens.length < engine.contextLength)
  assert.ok(long.from > 0 && long.from <= engine.contextLength / 2)
})

test('an export with logits only: sketches as it is, and real hidden states from a copy whose graph outputs them', async (t) => {
  const { writeTinyJudge } = await import('../../../scripts/make-tiny-judge')
  const dir = join(await tempDir(t), 'logits-only')
  writeTinyJudge(dir, { logitsOnly: true })
  const sequence = [engine.responseSequence('What is three plus four?', 'Seven, by counting up.')]
  const plain = await JudgeEngine.load(dir, { device: 'cpu', dtype: 'fp32' })
  const sketched = await plain.embed(sequence, { batch: 1 })
  assert.equal(sketched.kind, 'logprob-sketch')
  assert.equal(sketched.vectors[0]?.length, 256)
  // The copy: the same weights, so the same hidden states as the smoke-test judge's own output.
  const copies = join(await tempDir(t), 'copies')
  const derived = await JudgeEngine.load(dir, { device: 'cpu', dtype: 'fp32', hiddenStatesIn: copies })
  const real = await derived.embed(sequence, { batch: 1 })
  assert.equal(real.kind, 'hidden-mean')
  const reference = (await engine.embed(sequence, { batch: 1 })).vectors[0] as Float32Array
  assert.ok((real.vectors[0] as Float32Array).every((x, d) => Math.abs(x - (reference[d] as number)) < 1e-5))
  assert.equal(derived.judge, plain.judge, 'the copy is the same judge')
  // Made once: a second load finds the copy; the original folder is untouched.
  const [copy] = await readdir(copies)
  const again = await JudgeEngine.load(dir, { device: 'cpu', dtype: 'fp32', hiddenStatesIn: copies })
  assert.deepEqual(await readdir(copies), [copy])
  assert.equal((await again.embed(sequence, { batch: 1 })).kind, 'hidden-mean')
  // A graph that has the output already needs no copy.
  const own = await JudgeEngine.load(smokeTestModelDir, {
    device: 'cpu',
    dtype: 'fp32',
    hiddenStatesIn: copies,
  })
  assert.equal((await own.embed(sequence, { batch: 1 })).kind, 'hidden-mean')
  assert.equal((await readdir(copies)).filter((n) => !n.endsWith('.none')).length, 1)
})
