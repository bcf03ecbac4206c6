// npm run bench:train [-- --steps N --threads N --device cpu|webgpu|cuda|auto --pairs N]
// Trains the Bradley–Terry reward head on synthetic 384-d embeddings (hidden 64, batches of 32)
// with the train-step graph on onnxruntime and with the plain-TypeScript reference implementation
// of the same math, in this one process, alternating and keeping each one's best of three; both
// start from the same weights and see the same batches. `--device` runs the graph's steps on a GPU
// (the reference always runs in JavaScript). Progress lines first; the last line is one JSON object.
import { mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { judgeDevices, type DeviceReport, type JudgeDevice } from '../src/shared/judge'
import { mulberry32 } from '../src/shared/seeded-random'
import {
  initParams,
  ReferenceTrainer,
  RewardHeadTrainer,
  type HeadSize,
} from '../src/core/training/reward-head'
import { trainRewardHead } from '../src/core/training/train-reward'

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '400' },
    threads: { type: 'string' },
    device: { type: 'string', default: 'cpu' },
    pairs: { type: 'string', default: '20000' },
  },
})
const STEPS = Number(values.steps)
const threads = values.threads === undefined ? undefined : Number(values.threads)
if (!(judgeDevices as readonly string[]).includes(values.device)) {
  console.error(`bench:train: --device must be one of ${judgeDevices.join(', ')}`)
  process.exit(2)
}
const device = values.device as JudgeDevice
let used = null as DeviceReport | null
const size: HeadSize = { dim: 384, hidden: 64, batch: 32 }
const random = mulberry32(5)
const batches = Array.from({ length: 16 }, () => ({
  chosen: Float32Array.from({ length: size.batch * size.dim }, () => random() * 2 - 1 + 0.05),
  rejected: Float32Array.from({ length: size.batch * size.dim }, () => random() * 2 - 1 - 0.05),
}))

async function graphRun(): Promise<number> {
  const trainer = await RewardHeadTrainer.create(size, 1, {
    device,
    ...(threads !== undefined && { threads }),
  })
  used = trainer.device
  for (let s = 0; s < 20; s++) await trainer.step(batches[s % 16]!.chosen, batches[s % 16]!.rejected, 1e-3) // warm-up
  const started = performance.now()
  for (let s = 0; s < STEPS; s++) await trainer.step(batches[s % 16]!.chosen, batches[s % 16]!.rejected, 1e-3)
  const seconds = (performance.now() - started) / 1000
  await trainer.release()
  return STEPS / seconds
}

function referenceRun(): number {
  const trainer = new ReferenceTrainer(size, initParams(size, 1))
  const steps = Math.max(20, Math.round(STEPS / 10))
  for (let s = 0; s < 5; s++) trainer.step(batches[s % 16]!.chosen, batches[s % 16]!.rejected, 1e-3)
  const started = performance.now()
  for (let s = 0; s < steps; s++) trainer.step(batches[s % 16]!.chosen, batches[s % 16]!.rejected, 1e-3)
  return steps / ((performance.now() - started) / 1000)
}

let graph = 0
let reference = 0
for (let round = 0; round < 3; round++) {
  const g = await graphRun().catch((error: unknown) => {
    console.error(`bench:train: ${(error as Error).message}`)
    process.exit(2)
  })
  const r = referenceRun()
  console.log(`round ${round + 1}: graph ${g.toFixed(0)} steps/s, reference ${r.toFixed(1)} steps/s`)
  graph = Math.max(graph, g)
  reference = Math.max(reference, r)
}
// A whole reward-head training at the size of a real run's pairs: `--pairs` pairs (2 responses
// each, 896-d, like a 0.5B judge's hidden states), 3 epochs, 20% of prompts held out; the time
// per epoch includes scoring every held-out response with the scoring graph.
const PAIRS = Number(values.pairs)
const FIT_DIM = 896
const vectors = new Map<string, Float32Array>()
const fitRandom = mulberry32(9)
const direction = Float32Array.from({ length: FIT_DIM }, () => fitRandom() - 0.5)
const vectorOf = (quality: number): Float32Array =>
  Float32Array.from(
    { length: FIT_DIM },
    (_, d) => fitRandom() - 0.5 + quality * 0.05 * (direction[d] as number)
  )
const pairs = Array.from({ length: PAIRS }, (_, i) => {
  vectors.set(`c${i}`, vectorOf(1))
  vectors.set(`r${i}`, vectorOf(-1))
  return {
    pairId: `pair-${i}`,
    promptId: `prompt-${i % Math.max(1, Math.round(PAIRS / 6))}`,
    chosen: `c${i}`,
    rejected: `r${i}`,
  }
})
const fitDir = await mkdtemp(join(tmpdir(), 'rw-bench-train-'))
const epochTimes: number[] = []
let last = performance.now()
const fitStarted = last
const head = await trainRewardHead(
  {
    source: 'synthetic',
    embedding: { kind: 'hidden-mean', dim: FIT_DIM },
    pairs,
    vector: (id) => vectors.get(id) as Float32Array,
  },
  'temporal',
  {
    epochs: 3,
    patience: 3,
    batch: 32,
    seed: 1,
    lr: 0.001,
    validShare: 0.2,
    device,
    onEpoch: (e) => {
      const now = performance.now()
      epochTimes.push((now - last) / 1000)
      last = now
      console.log(
        `fit epoch ${e.epoch}: ${epochTimes.at(-1)?.toFixed(2)} s, held-out accuracy ${((e.validAccuracy ?? 0) * 100).toFixed(1)}%`
      )
    },
  },
  join(fitDir, 'head')
)
const fitSeconds = (performance.now() - fitStarted) / 1000
await rm(fitDir, { recursive: true, force: true })

console.log(
  JSON.stringify({
    graph_steps_per_s: Math.round(graph),
    reference_steps_per_s: Math.round(reference * 10) / 10,
    ratio: Math.round((graph / reference) * 100) / 100,
    device: used?.used ?? device,
    device_notes: used?.notes ?? [],
    threads: threads ?? availableParallelism(),
    dim: size.dim,
    hidden: size.hidden,
    batch: size.batch,
    fit_pairs: PAIRS,
    fit_dim: FIT_DIM,
    fit_epoch_s: Math.round(Math.min(...epochTimes) * 100) / 100,
    fit_total_s: Math.round(fitSeconds * 10) / 10,
    fit_valid_accuracy: head?.validAccuracy.value ?? null,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  })
)
