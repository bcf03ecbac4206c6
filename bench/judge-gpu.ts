// npm run bench:judge-gpu [-- --model DIR --dtype fp16 --device cuda|webgpu|auto --items N]
// The judge engine on a GPU against the CPU of the same machine: the same criteria-logprob work
// (the demo run's items) on each device, reported as tokens fed per second. Without a usable GPU
// it says why and still prints its JSON line (gpu: null). Progress lines first; the last line is
// one JSON object.
import { parseArgs } from 'node:util'
import {
  defaultBatch,
  judgeDevices,
  modelDtypes,
  type JudgeDevice,
  type ModelDtype,
} from '../src/shared/judge'
import { openRun } from '../src/core/reader/open-run'
import { TextStore } from '../src/core/run/text-store'
import { JudgeEngine } from '../src/core/judge/judge-engine'
import { bundledTemplate } from '../src/core/judge/judge-template'
import { judgeWork } from '../src/core/judge/judge-work'
import { runProtocol, type JudgeItem } from '../src/core/judge/protocols'
import { demoRunPath } from '../src/cli/paths'
import { smokeTestModelDir } from '../src/core/resources'

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: smokeTestModelDir },
    dtype: { type: 'string', default: 'fp32' },
    device: { type: 'string', default: 'auto' },
    items: { type: 'string', default: '200' },
  },
})
const device = values.device as JudgeDevice
const dtype = values.dtype as ModelDtype
if (!judgeDevices.includes(device) || device === 'cpu')
  throw new Error(`--device is one of auto, webgpu, cuda`)
if (!modelDtypes.includes(dtype)) throw new Error(`--dtype is one of ${modelDtypes.join(', ')}`)

const { index } = await openRun(demoRunPath)
const template = await bundledTemplate('criteria-logprob')

async function measure(engine: JudgeEngine, items: JudgeItem[]): Promise<number> {
  const work = (list: JudgeItem[]): Promise<void> =>
    runProtocol(engine, template, list, {
      batch: defaultBatch(engine.device.used),
      prefixReuse: true,
      seed: 0,
      shouldStop: () => false,
      onResult: () => {},
    })
  await work(items.slice(0, 8)) // warm-up: kernels, allocations
  const tokens = engine.counters.tokens
  const started = performance.now()
  await work(items)
  return (engine.counters.tokens - tokens) / ((performance.now() - started) / 1000)
}

const cpu = await JudgeEngine.load(values.model, { device: 'cpu', dtype })
const all = await judgeWork(
  {
    index,
    texts: new TextStore(index),
    select: async () => Array.from({ length: index.pairs.length }, (_, i) => i),
  },
  { protocol: 'criteria-logprob', rubric: true, limit: null, selection: { kind: 'run' } },
  cpu.judge,
  template,
  () => false
)
const items = all.items.slice(0, Number(values.items))
console.log(`${items.length} items on ${cpu.model.name} (${dtype})`)
const cpuRate = await measure(cpu, items)
console.log(`cpu: ${cpuRate.toFixed(0)} tokens/s`)

let gpu: { device: string; rate: number } | null = null
let reason: string | null = null
try {
  const engine = await JudgeEngine.load(values.model, { device, dtype, log: (l) => console.log(l) })
  if (engine.device.used === 'cpu') reason = `no GPU started: ${engine.device.notes.join('; ')}`
  else {
    const rate = await measure(engine, items)
    gpu = { device: engine.device.used, rate }
    console.log(`${engine.device.used}: ${rate.toFixed(0)} tokens/s`)
  }
} catch (error) {
  reason = (error as Error).message
}
if (reason !== null) console.log(`no GPU figure: ${reason}`)
console.log(
  JSON.stringify({
    model: cpu.judge,
    items: items.length,
    cpu_tokens_per_s: Math.round(cpuRate),
    gpu_device: gpu?.device ?? null,
    gpu_tokens_per_s: gpu === null ? null : Math.round(gpu.rate),
    speedup: gpu === null ? null : Number((gpu.rate / cpuRate).toFixed(2)),
    reason,
  })
)
