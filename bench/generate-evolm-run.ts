// Writes a large EvoLM-shaped output tree for the ingest benchmark: long responses with thinking,
// Markdown, LaTeX, code and non-Latin text, v2/v3 rubrics, NaN scores, qualitative-eval files per
// checkpoint. Deterministic (seeded), and fast: texts are assembled from a pool of fragments.
import { createWriteStream, type WriteStream } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { NO_RRD } from '../scripts/lib/evolm-row'
import { mulberry32 } from '../src/shared/seeded-random'

const FRAGMENTS = [
  'Let me think about this step by step.',
  'First, we compute the product: $12 \\times 12 = 144$.',
  'The integral $$\\int_0^1 x^2 \\, dx = \\frac{1}{3}$$ follows directly.',
  '```python\ndef reverse(s: str) -> str:\n    """Return s reversed."""\n    return s[::-1]\n```',
  '| step | value |\n|---|---|\n| 1 | 0.5 |\n| 2 | 0.75 |',
  '- **Tokyo** (東京) is the capital of Japan.\n- Ελλάδα borders Albania.',
  'She said "the answer is \\"42\\"" and left 🙂.',
  'However, we must check the edge case where n = 0.',
  '### Summary\n\nThe response follows all constraints.',
  'Wait, that is not right. Let me recompute: 17 * 23 = 391.',
  'In conclusion, the river carries sediment to the delta over many years.',
  'const total = items.reduce((a, b) => a + b, 0); // sum\n',
]

class Texts {
  constructor(readonly random: () => number) {}
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.random() * (hi - lo + 1))
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T
  }
  prose(chars: number): string {
    const parts: string[] = []
    let n = 0
    while (n < chars) {
      const f = this.pick(FRAGMENTS)
      parts.push(f)
      n += f.length + 2
    }
    return parts.join('\n\n')
  }
  response(): string {
    return `<think>${this.prose(this.int(1000, 12000))}</think>\n${this.prose(this.int(500, 6000))}`
  }
  rubric(answer: number): string {
    const n = this.int(2, 6)
    const criteria = Array.from({ length: n }, (_, i) => ({
      criterion:
        i === 0
          ? `The final answer is equivalent to ${answer}`
          : `Criterion ${i}: ${this.pick(FRAGMENTS).slice(0, 60)}`,
      weight: i === 0 ? 0.5 : 0.5 / (n - 1),
      scoring_levels: { '1.0': 'fully met', '0.5': 'partly met', '0.0': 'not met' },
    }))
    return `<think>${this.prose(this.int(200, 1500))}</think>\n${JSON.stringify({ criteria })}`
  }
}

const NAN = '"__NAN__"'
const line = (row: object): string => `${JSON.stringify(row).replaceAll(NAN, 'NaN')}\n`

async function writeLines(path: string, targetBytes: number, make: (i: number) => string): Promise<number> {
  const out: WriteStream = createWriteStream(path, { highWaterMark: 4 << 20 })
  let bytes = 0
  let i = 0
  while (bytes < targetBytes) {
    const l = make(i++)
    bytes += Buffer.byteLength(l)
    if (!out.write(l)) await new Promise<void>((resolve) => out.once('drain', () => resolve()))
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve()))
  )
  return i
}

export async function generateEvolmRun(root: string, totalBytes: number, seed = 7): Promise<void> {
  await rm(root, { recursive: true, force: true })
  await mkdir(join(root, 'generation_examples'), { recursive: true })
  const t = new Texts(mulberry32(seed))
  const prompts = Array.from(
    { length: 512 },
    (_, i) => `Problem ${i}: compute ${i} * 12 and explain. ${t.prose(t.int(50, 400))}`
  )
  const score = (): number | string => (t.random() < 0.02 ? '__NAN__' : Math.round(t.random() * 20) / 20)
  await writeLines(join(root, 'generation_examples', 'rubric_generations.jsonl'), totalBytes * 0.5, (i) => {
    const step = 51 + (i % 1000)
    const gap = t.int(5, 100)
    const q = t.int(0, prompts.length - 1)
    const a = score()
    return line({
      training_step: step,
      actor_type: 'rubric',
      example_index: i % 64,
      question: prompts[q],
      rubric: t.rubric(q * 12),
      policy_answer: t.response(),
      score: a,
      accepted_reasoning: t.prose(300),
      rejected_answer: t.response(),
      rejected_reasoning: t.prose(300),
      accepted_score: a,
      rejected_score: score(),
      reward: 1,
      inferred_question: null,
      rejected_step: step - gap,
      current_step: step,
      step_gap: gap,
      ...NO_RRD,
      timestamp: '2026-05-01T00:00:00',
    })
  })
  await writeLines(join(root, 'generation_examples', 'policy_generations.jsonl'), totalBytes * 0.3, (i) => {
    const q = t.int(0, prompts.length - 1)
    return line({
      training_step: 1 + (i % 1000),
      actor_type: 'policy',
      example_index: i % 64,
      question: prompts[q],
      rubric: t.rubric(q * 12),
      policy_answer: t.response(),
      score: score(),
      accepted_reasoning: t.prose(300),
      timestamp: '2026-05-01T00:00:00',
    })
  })
  const checkpoints = { policy: [] as number[], rubric: [] as number[] }
  const perFile = (totalBytes * 0.2) / 60
  for (let k = 1; k <= 40; k++) checkpoints.policy.push(k * 25)
  for (let k = 1; k <= 20; k++) checkpoints.rubric.push(k * 50)
  for (const phase of ['policy', 'rubric'] as const) {
    await mkdir(join(root, 'qualitative_eval', phase), { recursive: true })
    for (const step of checkpoints[phase]) {
      await writeLines(join(root, 'qualitative_eval', phase, `step_${step}.jsonl`), perFile, (i) =>
        line({
          prompt_index: i,
          question: prompts[i % prompts.length],
          generation: phase === 'policy' ? t.response() : t.rubric(i * 12),
        })
      )
    }
  }
  await writeFile(
    join(root, 'qualitative_eval', 'manifest.json'),
    JSON.stringify({ types_processed: checkpoints, rubric_prompt_key: 'v3' })
  )
}
