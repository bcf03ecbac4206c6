// npm run bench:judge [-- --protocol P --batch N --repeat N]
// Scores the demo run's pairs with the smoke-test judge, in this one process, twice: with the
// shared-prefix key/value reuse and without it (every sequence recomputed whole). Each pass is
// timed from the first forward pass to the last result, tokenization included; the model is
// loaded and warmed up once before either. The two passes must give the same scores.
// Progress lines first; the last line is one JSON object.
import { parseArgs } from 'node:util'
import { defaultBatch, isJudgeProtocol } from '../src/shared/judge'
import { openRun } from '../src/core/reader/open-run'
import { TextStore } from '../src/core/run/text-store'
import { JudgeEngine } from '../src/core/judge/judge-engine'
import { bundledTemplate } from '../src/core/judge/judge-template'
import { judgeWork } from '../src/core/judge/judge-work'
import { runProtocol, type ItemResult, type JudgeItem } from '../src/core/judge/protocols'
import { demoRunPath } from '../src/cli/paths'
import { smokeTestModelDir } from '../src/core/resources'

const { values } = parseArgs({
  options: {
    protocol: { type: 'string', default: 'criteria-logprob' },
    batch: { type: 'string' },
    repeat: { type: 'string', default: '3' },
  },
})
const protocol = values.protocol
if (!isJudgeProtocol(protocol)) throw new Error(`unknown protocol ${protocol}`)
const repeat = Number(values.repeat)

const { index } = await openRun(demoRunPath)
const texts = new TextStore(index)
const engine = await JudgeEngine.load(smokeTestModelDir, { device: 'cpu', dtype: 'fp32' })
const template = await bundledTemplate(protocol)
const batch = values.batch === undefined ? defaultBatch(engine.device.used) : Number(values.batch)
const work = await judgeWork(
  { index, texts, select: async () => Array.from({ length: index.pairs.length }, (_, i) => i) },
  { protocol, rubric: true, limit: null, selection: { kind: 'run' } },
  engine.judge,
  template,
  () => false
)
console.log(
  `${work.items.length} items from ${index.pairs.length} pairs (${work.invalid.length} cannot be judged)`
)

async function pass(
  items: JudgeItem[],
  prefixReuse: boolean
): Promise<{ seconds: number; results: Map<string, ItemResult> }> {
  const results = new Map<string, ItemResult>()
  const started = performance.now()
  await runProtocol(engine, template, items, {
    batch,
    prefixReuse,
    seed: 0,
    shouldStop: () => false,
    onResult: (r) => results.set(r.key, r),
  })
  return { seconds: (performance.now() - started) / 1000, results }
}

await pass(work.items.slice(0, 20), true)
await pass(work.items.slice(0, 20), false)
// Alternate the two and keep each one's best, so a noisy neighbour hurts neither more.
let withReuse = Infinity
let withoutReuse = Infinity
let maxDiff = 0
for (let r = 0; r < repeat; r++) {
  const a = await pass(work.items, true)
  const b = await pass(work.items, false)
  withReuse = Math.min(withReuse, a.seconds)
  withoutReuse = Math.min(withoutReuse, b.seconds)
  for (const [key, x] of a.results) {
    const y = b.results.get(key)
    if (x.score !== null && y?.score != null) maxDiff = Math.max(maxDiff, Math.abs(x.score - y.score))
  }
  console.log(`round ${r + 1}: with reuse ${a.seconds.toFixed(2)} s, without ${b.seconds.toFixed(2)} s`)
}
if (maxDiff > 1e-4) throw new Error(`scores differ between the two passes by ${maxDiff}`)
console.log(
  JSON.stringify({
    protocol,
    items: work.items.length,
    with_reuse_s: Number(withReuse.toFixed(3)),
    without_reuse_s: Number(withoutReuse.toFixed(3)),
    ratio: Number((withoutReuse / withReuse).toFixed(2)),
    device: engine.device.used,
    batch,
    max_score_diff: maxDiff,
  })
)
