// The judge host: a child process that owns the model. onnxruntime's session.run blocks its thread,
// and a native failure (out of memory, a driver fault) ends only this process; the workbench reports
// it and the job resumes in a fresh one.
import { defaultBatch } from '../../shared/judge'
import { JudgeEngine } from './judge-engine'
import type { HostReply, HostRequest } from './host-protocol'
import { runProtocol } from './protocols'

let engine: JudgeEngine | null = null
let cancelled = false
/** Requests run one at a time, in order; cancel acts at once. */
let queue: Promise<void> = Promise.resolve()

function send(reply: HostReply): void {
  process.send?.(reply)
}

function log(message: string): void {
  send({ seq: 0, type: 'log', message })
}

async function handle(request: HostRequest): Promise<void> {
  if (request.type === 'load') {
    engine = await JudgeEngine.load(request.model, { device: request.device, dtype: request.dtype, log })
    send({
      seq: request.seq,
      type: 'loaded',
      loaded: {
        judge: engine.judge,
        device: engine.device,
        contextLength: engine.contextLength,
        smokeTest: engine.model.smokeTest,
      },
    })
    return
  }
  if (request.type !== 'run') return
  if (engine === null) throw new Error('no judge is loaded')
  cancelled = false
  const started = performance.now()
  const before = { ...engine.counters }
  let done = 0
  await runProtocol(engine, request.template, request.items, {
    batch: request.batch ?? defaultBatch(engine.device.used),
    prefixReuse: request.prefixReuse,
    seed: request.seed,
    shouldStop: () => cancelled,
    onResult: (result) => {
      send({ seq: request.seq, type: 'result', result })
      send({ seq: request.seq, type: 'progress', done: ++done, total: request.items.length })
    },
  })
  send({
    seq: request.seq,
    type: 'done',
    cancelled,
    tokens: engine.counters.tokens - before.tokens,
    passes: engine.counters.passes - before.passes,
    seconds: (performance.now() - started) / 1000,
  })
}

process.on('message', (request: HostRequest) => {
  if (request.type === 'cancel') {
    cancelled = true
    return
  }
  queue = queue.then(() =>
    handle(request).catch((error: unknown) =>
      send({
        seq: request.seq,
        type: 'error',
        message: error instanceof Error ? error.message : String(error),
      })
    )
  )
})
// The workbench going away ends the host too.
process.on('disconnect', () => process.exit(0))
