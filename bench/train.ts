// npm run bench:train [-- --steps N --threads N --device cpu|webgpu|cuda|auto]
// Trains the Bradley–Terry reward head on synthetic 384-d embeddings (hidden 64, batches of 32)
// with the train-step graph on onnxruntime and with the plain-TypeScript reference implementation
// of the same math, in this one process, alternating and keeping each one's best of three; both
// start from the same weights and see the same batches. `--device` runs the graph's steps on a GPU
// (the reference always runs in JavaScript). Progress lines first; the last line is one JSON object.
import { availableParallelism } from 'node:os'
import { parseArgs } from 'node:util'
import { judgeDevices, type DeviceReport, type JudgeDevice } from '../src/shared/judge'
import { mulberry32 } from '../src/shared/seeded-random'
import {
  initParams,
  ReferenceTrainer,
  RewardHeadTrainer,
  type HeadSize,
} from '../src/core/training/reward-head'

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '400' },
    threads: { type: 'string' },
    device: { type: 'string', default: 'cpu' },
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
  })
)
