// The judge host: a child process that owns the model, and every other use of the inference runtime
// (embedding responses, training steps, scoring saved heads). onnxruntime's session.run blocks its
// thread, and a native failure (out of memory, a driver fault) ends only this process; the
// workbench reports it and the job resumes in a fresh one.
import { defaultBatch } from '../../shared/judge'
import { mulberry32 } from '../../shared/seeded-random'
import { JudgeEngine } from './judge-engine'
import type { CurvePoint } from '../../shared/training'
import { scoreRows } from '../training/score-rows'
import { trainCriterionWeights } from '../training/train-criteria'
import { EmbeddingCache } from '../training/embedding-cache'
import { trainRewardHead, type RewardTrainingData } from '../training/train-reward'
import type { HostReply, HostRequest, TrainingTask } from './host-protocol'
import { runProtocol } from './protocols'

let engine: JudgeEngine | null = null
/**
 * A cancel stops every request received before it, the one running and any still queued: a cancel
 * that arrives while its request waits in the queue is not forgotten when that request starts.
 */
let lastSeq = 0
let cancelledThrough = 0
const stopped = (seq: number): boolean => seq <= cancelledThrough
/** Requests run one at a time, in order; cancel acts at once. */
let queue: Promise<void> = Promise.resolve()

function send(reply: HostReply): void {
  process.send?.(reply)
}

/** The end of a run or generate request, with what it cost. */
function sendDone(seq: number, model: JudgeEngine, before: JudgeEngine['counters'], started: number): void {
  send({
    seq,
    type: 'done',
    cancelled: stopped(seq),
    tokens: model.counters.tokens - before.tokens,
    passes: model.counters.passes - before.passes,
    seconds: (performance.now() - started) / 1000,
  })
}

function log(message: string): void {
  send({ seq: 0, type: 'log', message })
}

async function handle(request: HostRequest): Promise<void> {
  if (request.type === 'load') {
    engine = await JudgeEngine.load(request.model, {
      device: request.device,
      dtype: request.dtype,
      log,
      ...(request.hiddenStatesIn !== undefined && { hiddenStatesIn: request.hiddenStatesIn }),
    })
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
  if (request.type === 'train') return train(request.seq, request.task)
  if (request.type === 'score') {
    const values = await scoreRows(request.model, request.input, request.output, request.rows)
    return send({ seq: request.seq, type: 'scored', values })
  }
  if (engine === null) throw new Error('no model is loaded')
  if (request.type === 'generate') return generate(engine, request)
  if (request.type === 'embed') return embed(engine, request)
  if (request.type !== 'run') return
  const started = performance.now()
  const before = { ...engine.counters }
  let done = 0
  await runProtocol(engine, request.template, request.items, {
    batch: request.batch ?? defaultBatch(engine.device.used),
    prefixReuse: request.prefixReuse,
    seed: request.seed,
    shouldStop: () => stopped(request.seq),
    onResult: (result) => {
      send({ seq: request.seq, type: 'result', result })
      send({ seq: request.seq, type: 'progress', done: ++done, total: request.items.length })
    },
  })
  sendDone(request.seq, engine, before, started)
}

async function generate(
  model: JudgeEngine,
  request: Extract<HostRequest, { type: 'generate' }>
): Promise<void> {
  const started = performance.now()
  const before = { ...model.counters }
  for (const r of request.requests) {
    if (stopped(request.seq)) break
    try {
      const sequence = model.chat(r.messages, r.chatOptions)
      if (sequence.length >= model.contextLength)
        throw new Error(
          `the prompt takes ${sequence.length} tokens, the model's whole context of ${model.contextLength}`
        )
      const out = await model.generate(sequence, {
        maxNewTokens: r.maxNewTokens,
        temperature: r.temperature,
        random: mulberry32(r.seed),
        prefix: null,
        shouldStop: () => stopped(request.seq),
      })
      if (out.stoppedEarly) break
      send({
        seq: request.seq,
        type: 'generated',
        generated: { key: r.key, text: out.text, tokens: out.tokens, error: null },
      })
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      send({
        seq: request.seq,
        type: 'generated',
        generated: { key: r.key, text: null, tokens: 0, error: message },
      })
    }
  }
  sendDone(request.seq, model, before, started)
}

/** Tokens a response is embedded from (its prompt's end included), and sequences per GPU pass. */
const EMBED_TOKENS = 1024
const EMBED_GPU_BATCH = 2

async function embed(model: JudgeEngine, request: Extract<HostRequest, { type: 'embed' }>): Promise<void> {
  const started = performance.now()
  const before = { ...model.counters }
  // Every position's logits come out of a pass (vocabulary × tokens floats): embedding keeps
  // passes short and small, whatever the judge's own batch is.
  const batch = request.batch ?? (model.device.used === 'cpu' ? 1 : EMBED_GPU_BATCH)
  let done = 0
  // A batch at a time, so results stream and cancel acts between batches.
  for (let at = 0; at < request.items.length && !stopped(request.seq); at += batch) {
    const items = request.items.slice(at, at + batch)
    const out = await model.embed(
      items.map((i) => model.responseSequence(i.prompt, i.response, EMBED_TOKENS)),
      { batch, shouldStop: () => stopped(request.seq) }
    )
    items.forEach((item, k) => {
      const vector = out.vectors[k] ?? null
      if (vector === null) return
      send({
        seq: request.seq,
        type: 'embedded',
        embedded: { key: item.key, vector, kind: out.kind, error: null },
      })
      send({ seq: request.seq, type: 'progress', done: ++done, total: request.items.length })
    })
  }
  sendDone(request.seq, model, before, started)
}

/** Least time between two progress messages of a training. */
const PROGRESS_MS = 100

async function train(seq: number, task: TrainingTask): Promise<void> {
  let lastProgress = -Infinity
  const options = {
    ...task.options,
    shouldStop: () => stopped(seq),
    onEpoch: (point: CurvePoint) => send({ seq, type: 'epoch', point }),
    // A step takes well under a millisecond: a message for each would flood the workbench.
    onStep: (done: number, total: number) => {
      const now = performance.now()
      if (now - lastProgress < PROGRESS_MS && done < total) return
      lastProgress = now
      send({ seq, type: 'progress', done, total })
    },
  }
  const head =
    task.head === 'criteria'
      ? await trainCriterionWeights(task.data, task.labels, options, task.saveAs)
      : await trainRewardHead(await withVectors(task.data), task.labels, options, task.saveAs)
  send({ seq, type: 'trained', head })
}

/** The reward head's data with its vectors, read here: sending them would copy gigabytes. */
async function withVectors(
  data: Extract<TrainingTask, { head: 'reward' }>['data']
): Promise<RewardTrainingData> {
  const cache = await EmbeddingCache.open(data.cacheDir)
  return {
    ...data,
    vector: (id) => {
      const v = cache.get(id)
      if (v === undefined) throw new Error(`response ${id} has no embedding in ${data.cacheDir}`)
      return v
    },
  }
}

process.on('message', (request: HostRequest) => {
  if (request.type === 'cancel') {
    cancelledThrough = lastSeq
    return
  }
  lastSeq = request.seq
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
