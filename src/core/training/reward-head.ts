// The scalar reward head: a Bradley–Terry MLP on frozen response embeddings. score(x) =
// relu(x·W1 + b1)·w2 + b2, and the loss on a pair is softplus(−(score(chosen) − score(rejected))),
// the negative log-likelihood that the chosen response wins. Trained one session run per step
// (train-step graph: forward, gradients, AdamW); saved as a plain inference graph. A reference
// implementation of the same math in TypeScript checks the graph and is the benchmark's baseline.
import * as ort from 'onnxruntime-node'
import { mulberry32 } from '../../shared/seeded-random'
import type { DeviceReport, JudgeDevice } from '../../shared/judge'
import { Graph, intAttr, type T } from './graph'
import { trainingSession } from './training-session'

export interface HeadSize {
  dim: number
  hidden: number
  batch: number
}

export interface AdamOptions {
  beta1: number
  beta2: number
  eps: number
  decay: number
}

export const ADAM: AdamOptions = { beta1: 0.9, beta2: 0.999, eps: 1e-8, decay: 0.01 }

/** Parameter names and shapes, in a fixed order. */
export function headParams(size: HeadSize): [string, number[]][] {
  return [
    ['w1', [size.dim, size.hidden]],
    ['b1', [size.hidden]],
    ['w2', [size.hidden, 1]],
    ['b2', [1]],
  ]
}

export type Params = Record<string, Float32Array>

/** He-initialised weights, zero biases, reproducible from the seed. */
export function initParams(size: HeadSize, seed: number): Params {
  const random = mulberry32(seed)
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
  const out: Params = {}
  for (const [name, shape] of headParams(size)) {
    const n = shape.reduce((a, b) => a * b, 1)
    const fanIn = shape[0] as number
    out[name] = name.startsWith('w')
      ? Float32Array.from({ length: n }, () => normal() * Math.sqrt(2 / fanIn))
      : new Float32Array(n)
  }
  return out
}

function score(g: Graph, x: T, p: Record<string, T>): T {
  const h = g.relu(g.add(g.matmul(x, p['w1'] as T), p['b1'] as T))
  return g.add(g.matmul(h, p['w2'] as T), p['b2'] as T)
}

/** The train-step graph: inputs chosen, rejected, each parameter, m_/v_ state, t, lr; outputs loss, accuracy and the new values. */
export function trainStepModel(size: HeadSize, adam: AdamOptions = ADAM): Uint8Array {
  const g = new Graph()
  const chosen = g.input('chosen', [size.batch, size.dim])
  const rejected = g.input('rejected', [size.batch, size.dim])
  const specs = headParams(size)
  const p = Object.fromEntries(specs.map(([n, s]) => [n, g.input(n, s)]))
  const m = Object.fromEntries(specs.map(([n, s]) => [n, g.input(`m_${n}`, s)]))
  const v = Object.fromEntries(specs.map(([n, s]) => [n, g.input(`v_${n}`, s)]))
  const step = g.input('t', [])
  const lr = g.input('lr', [])
  const margin = g.sub(score(g, chosen, p), score(g, rejected, p))
  const loss = g.reduceMean(g.softplus(g.neg(margin)), [0, 1])
  const grads = g.grad(
    loss,
    specs.map(([n]) => p[n] as T)
  )
  const outputs: Record<string, T> = {
    loss,
    accuracy: g.raw(
      'ReduceMean',
      [
        // The share of pairs with a positive margin: the booleans cast to float (ONNX type 1).
        g.raw('Cast', [g.raw('Greater', [margin, g.constant(0)], margin.shape)], margin.shape, [
          intAttr('to', 1),
        ]),
      ],
      [],
      [intAttr('keepdims', 0)]
    ),
  }
  specs.forEach(([n], i) => {
    const next = g.adamw(p[n] as T, grads[i] as T, m[n] as T, v[n] as T, step, lr, adam)
    outputs[`new_${n}`] = next.p
    outputs[`new_m_${n}`] = next.m
    outputs[`new_v_${n}`] = next.v
  })
  return g.build(outputs)
}

/**
 * The trained head as an inference graph: embeddings [rows, dim] → scores [rows, 1], weights
 * inside. With `scale`, raw embeddings are standardised first ((x − mean) / std, as in training).
 */
export function inferenceModel(
  size: Omit<HeadSize, 'batch'>,
  params: Params,
  rows: number,
  scale?: { mean: Float32Array; std: Float32Array }
): Uint8Array {
  const g = new Graph()
  let x = g.input('embeddings', [rows, size.dim])
  if (scale !== undefined)
    x = g.div(g.sub(x, g.constant(scale.mean, [1, size.dim])), g.constant(scale.std, [1, size.dim]))
  const p = Object.fromEntries(
    headParams({ ...size, batch: rows }).map(([n, s]) => [n, g.constant(params[n] as Float32Array, s)])
  )
  return g.build({ scores: score(g, x, p) }, 'reward-head')
}

/** Scores of `rows` embeddings at a time under parameters given as inputs (evaluation while training). */
export function scoreModel(size: Omit<HeadSize, 'batch'>, rows: number): Uint8Array {
  const g = new Graph()
  const x = g.input('embeddings', [rows, size.dim])
  const p = Object.fromEntries(headParams({ ...size, batch: rows }).map(([n, s]) => [n, g.input(n, s)]))
  return g.build({ scores: score(g, x, p) }, 'reward-head-scores')
}

/** Scores many embeddings with the head's current parameters, a fixed-size chunk per session run. */
export class HeadScorer {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly size: Omit<HeadSize, 'batch'>,
    private readonly rows: number
  ) {}

  static async create(size: Omit<HeadSize, 'batch'>, rows = 256): Promise<HeadScorer> {
    const session = await ort.InferenceSession.create(scoreModel(size, rows), { executionProviders: ['cpu'] })
    return new HeadScorer(session, size, rows)
  }

  async scores(vectors: readonly Float32Array[], params: Params): Promise<Float32Array> {
    const { dim } = this.size
    const out = new Float32Array(vectors.length)
    const feeds: Record<string, ort.Tensor> = {}
    for (const [n, shape] of headParams({ ...this.size, batch: this.rows }))
      feeds[n] = new ort.Tensor('float32', params[n] as Float32Array, shape)
    for (let at = 0; at < vectors.length; at += this.rows) {
      // The last chunk is padded with zeros; their scores are dropped.
      const chunk = new Float32Array(this.rows * dim)
      const n = Math.min(this.rows, vectors.length - at)
      for (let i = 0; i < n; i++) chunk.set(vectors[at + i] as Float32Array, i * dim)
      const run = await this.session.run({
        ...feeds,
        embeddings: new ort.Tensor('float32', chunk, [this.rows, dim]),
      })
      out.set((run['scores']?.data as Float32Array).subarray(0, n), at)
    }
    return out
  }

  async release(): Promise<void> {
    await this.session.release()
  }
}

/** One trainer: the session, the parameters and Adam's state, stepped one batch at a time. */
export class RewardHeadTrainer {
  private m: Params = {}
  private v: Params = {}
  private t = 0

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly size: HeadSize,
    public params: Params,
    /** Where the steps run, and why there. */
    readonly device: DeviceReport
  ) {
    for (const [n, shape] of headParams(size)) {
      const len = shape.reduce((a, b) => a * b, 1)
      this.m[n] = new Float32Array(len)
      this.v[n] = new Float32Array(len)
    }
  }

  static async create(
    size: HeadSize,
    seed: number,
    options: { device?: JudgeDevice; adam?: AdamOptions; threads?: number } = {}
  ): Promise<RewardHeadTrainer> {
    const { session, device } = await trainingSession(
      trainStepModel(size, options.adam),
      options.device ?? 'cpu',
      options.threads
    )
    return new RewardHeadTrainer(session, size, initParams(size, seed), device)
  }

  /** One AdamW step on a batch (row-major [batch, dim] each); returns the batch's loss and accuracy. */
  async step(
    chosen: Float32Array,
    rejected: Float32Array,
    lr: number
  ): Promise<{ loss: number; accuracy: number }> {
    const { batch, dim } = this.size
    this.t++
    const feeds: Record<string, ort.Tensor> = {
      chosen: new ort.Tensor('float32', chosen, [batch, dim]),
      rejected: new ort.Tensor('float32', rejected, [batch, dim]),
      t: new ort.Tensor('float32', Float32Array.of(this.t), []),
      lr: new ort.Tensor('float32', Float32Array.of(lr), []),
    }
    for (const [n, shape] of headParams(this.size)) {
      feeds[n] = new ort.Tensor('float32', this.params[n] as Float32Array, shape)
      feeds[`m_${n}`] = new ort.Tensor('float32', this.m[n] as Float32Array, shape)
      feeds[`v_${n}`] = new ort.Tensor('float32', this.v[n] as Float32Array, shape)
    }
    const out = await this.session.run(feeds)
    for (const [n] of headParams(this.size)) {
      this.params[n] = out[`new_${n}`]?.data as Float32Array
      this.m[n] = out[`new_m_${n}`]?.data as Float32Array
      this.v[n] = out[`new_v_${n}`]?.data as Float32Array
    }
    return {
      loss: (out['loss']?.data as Float32Array)[0] as number,
      accuracy: (out['accuracy']?.data as Float32Array)[0] as number,
    }
  }

  async release(): Promise<void> {
    await this.session.release()
  }
}

// ---------------------------------------------------------------------------------------------
// The same math in plain TypeScript

export function referenceScore(
  size: Omit<HeadSize, 'batch'>,
  p: Params,
  x: Float32Array,
  rows: number
): Float32Array {
  const { dim, hidden } = size
  const w1 = p['w1'] as Float32Array
  const b1 = p['b1'] as Float32Array
  const w2 = p['w2'] as Float32Array
  const b2 = (p['b2'] as Float32Array)[0] as number
  const out = new Float32Array(rows)
  const h = new Float32Array(hidden)
  for (let r = 0; r < rows; r++) {
    h.set(b1)
    for (let i = 0; i < dim; i++) {
      const xi = x[r * dim + i] as number
      if (xi === 0) continue
      for (let j = 0; j < hidden; j++) h[j] = (h[j] as number) + xi * (w1[i * hidden + j] as number)
    }
    let s = b2
    for (let j = 0; j < hidden; j++) if ((h[j] as number) > 0) s += (h[j] as number) * (w2[j] as number)
    out[r] = s
  }
  return out
}

/** One reference AdamW step (same loss, gradients and update as the graph); returns the loss. */
export class ReferenceTrainer {
  private readonly m: Params = {}
  private readonly v: Params = {}
  private t = 0

  constructor(
    readonly size: HeadSize,
    readonly params: Params,
    private readonly adam: AdamOptions = ADAM
  ) {
    for (const [n, p] of Object.entries(params)) {
      this.m[n] = new Float32Array(p.length)
      this.v[n] = new Float32Array(p.length)
    }
  }

  step(chosen: Float32Array, rejected: Float32Array, lr: number): number {
    const { dim, hidden, batch } = this.size
    const p = this.params
    const w1 = p['w1'] as Float32Array
    const b1 = p['b1'] as Float32Array
    const w2 = p['w2'] as Float32Array
    const g: Params = Object.fromEntries(Object.entries(p).map(([n, a]) => [n, new Float32Array(a.length)]))
    const hc = new Float32Array(hidden)
    const hr = new Float32Array(hidden)
    const hidden1 = (x: Float32Array, r: number, h: Float32Array): void => {
      h.set(b1)
      for (let i = 0; i < dim; i++) {
        const xi = x[r * dim + i] as number
        for (let j = 0; j < hidden; j++) h[j] = (h[j] as number) + xi * (w1[i * hidden + j] as number)
      }
    }
    let loss = 0
    for (let r = 0; r < batch; r++) {
      hidden1(chosen, r, hc)
      hidden1(rejected, r, hr)
      let margin = 0
      for (let j = 0; j < hidden; j++)
        margin += (Math.max(0, hc[j] as number) - Math.max(0, hr[j] as number)) * (w2[j] as number)
      loss += Math.log1p(Math.exp(-margin)) / batch
      // d loss / d margin = −σ(−margin) / batch
      const dm = -1 / (1 + Math.exp(margin)) / batch
      for (const [h, x, sign] of [
        [hc, chosen, 1],
        [hr, rejected, -1],
      ] as const) {
        for (let j = 0; j < hidden; j++) {
          if ((h[j] as number) <= 0) continue
          const gw2 = g['w2'] as Float32Array
          gw2[j] = (gw2[j] as number) + sign * dm * (h[j] as number)
          const dh = sign * dm * (w2[j] as number)
          const gb1 = g['b1'] as Float32Array
          gb1[j] = (gb1[j] as number) + dh
          const gw1 = g['w1'] as Float32Array
          for (let i = 0; i < dim; i++)
            gw1[i * hidden + j] = (gw1[i * hidden + j] as number) + dh * (x[r * dim + i] as number)
        }
      }
    }
    // b2 cancels in the margin: its gradient is 0.
    this.t++
    const { beta1, beta2, eps, decay } = this.adam
    const c1 = 1 - beta1 ** this.t
    const c2 = 1 - beta2 ** this.t
    for (const [n, a] of Object.entries(p)) {
      const m = this.m[n] as Float32Array
      const v = this.v[n] as Float32Array
      const grad = g[n] as Float32Array
      for (let i = 0; i < a.length; i++) {
        const gi = grad[i] as number
        m[i] = beta1 * (m[i] as number) + (1 - beta1) * gi
        v[i] = beta2 * (v[i] as number) + (1 - beta2) * gi * gi
        const update =
          (m[i] as number) / c1 / (Math.sqrt((v[i] as number) / c2) + eps) + decay * (a[i] as number)
        a[i] = (a[i] as number) - lr * update
      }
    }
    return loss
  }
}
