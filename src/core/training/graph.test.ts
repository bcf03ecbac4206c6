// Gradient checks: for each op the graph's gradients, computed by onnxruntime from the built
// model, against central finite differences of the same model's loss; then AdamW against the
// formula by hand.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as ort from 'onnxruntime-node'
import { mulberry32 } from '../../shared/seeded-random'
import { Graph, type T } from './graph'

type Feeds = Record<string, Float32Array>

async function session(model: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'disabled',
  })
}

async function run(
  s: ort.InferenceSession,
  shapes: Record<string, number[]>,
  feeds: Feeds
): Promise<Record<string, Float32Array>> {
  const inputs = Object.fromEntries(
    Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v, shapes[k])])
  )
  const out = await s.run(inputs)
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]))
}

/**
 * Builds loss = Σ w ⊙ f(inputs) (w fixed random weights, so every output element matters) and
 * checks d loss / d input against (loss(x + ε) − loss(x − ε)) / 2ε element by element.
 */
async function check(
  what: string,
  shapes: Record<string, number[]>,
  f: (g: Graph, xs: Record<string, T>) => T,
  values: (name: string, i: number, random: () => number) => number = (_, __, r) => r() * 2 - 1
): Promise<void> {
  const random = mulberry32(7)
  const g = new Graph()
  const xs = Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, g.input(k, s)]))
  const y = f(g, xs)
  const w = g.constant(
    Float32Array.from({ length: y.shape.reduce((a, b) => a * b, 1) }, () => random() * 2 - 1),
    y.shape
  )
  const loss = g.reduceSum(
    g.mul(y, w),
    y.shape.map((_, i) => i)
  )
  const names = Object.keys(shapes)
  const grads = g.grad(
    loss,
    names.map((k) => xs[k] as T)
  )
  const s = await session(
    g.build({ loss, ...Object.fromEntries(names.map((k, i) => [`d_${k}`, grads[i] as T])) })
  )
  const feeds: Feeds = Object.fromEntries(
    Object.entries(shapes).map(([k, shape]) => [
      k,
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => values(k, i, random)),
    ])
  )
  const base = await run(s, shapes, feeds)
  const eps = 1e-2
  for (const k of names) {
    const x = feeds[k] as Float32Array
    for (let i = 0; i < x.length; i++) {
      const keep = x[i] as number
      x[i] = keep + eps
      const up = (await run(s, shapes, feeds))['loss']?.[0] as number
      x[i] = keep - eps
      const down = (await run(s, shapes, feeds))['loss']?.[0] as number
      x[i] = keep
      const numeric = (up - down) / (2 * eps)
      const analytic = base[`d_${k}`]?.[i] as number
      assert.ok(
        Math.abs(numeric - analytic) <= 2e-3 * Math.max(1, Math.abs(numeric)),
        `${what}: d/d${k}[${i}] = ${analytic}, finite differences give ${numeric}`
      )
    }
  }
}

test('gradients of every op agree with finite differences', async () => {
  await check('matmul', { a: [2, 3], b: [3, 4] }, (g, x) => g.matmul(x['a'] as T, x['b'] as T))
  await check('add (broadcast)', { a: [2, 3], b: [3] }, (g, x) => g.add(x['a'] as T, x['b'] as T))
  await check('sub (broadcast)', { a: [2, 1], b: [2, 3] }, (g, x) => g.sub(x['a'] as T, x['b'] as T))
  await check('mul (broadcast)', { a: [2, 3], b: [1, 3] }, (g, x) => g.mul(x['a'] as T, x['b'] as T))
  await check(
    'div',
    { a: [2, 3], b: [2, 3] },
    (g, x) => g.div(x['a'] as T, x['b'] as T),
    (k, _, r) => (k === 'b' ? 0.5 + r() : r() * 2 - 1)
  )
  // Away from the kink at 0, where the derivative is not defined.
  await check(
    'relu',
    { a: [3, 4] },
    (g, x) => g.relu(x['a'] as T),
    (_, i) => (i % 2 === 0 ? 0.5 + i / 10 : -0.5 - i / 10)
  )
  await check('sigmoid', { a: [3, 4] }, (g, x) => g.sigmoid(x['a'] as T))
  await check('softplus', { a: [3, 4] }, (g, x) => g.softplus(x['a'] as T))
  await check(
    'log',
    { a: [3, 4] },
    (g, x) => g.log(x['a'] as T),
    (_, __, r) => 0.5 + r()
  )
  await check('neg', { a: [2, 2] }, (g, x) => g.neg(x['a'] as T))
  await check('transpose', { a: [2, 3] }, (g, x) => g.transpose(x['a'] as T))
  await check('reduce sum (keep)', { a: [2, 3] }, (g, x) => g.reduceSum(x['a'] as T, [1], true))
  await check('reduce mean', { a: [2, 3] }, (g, x) => g.reduceMean(x['a'] as T, [0]))
  await check('reshape', { a: [2, 3] }, (g, x) => g.reshape(x['a'] as T, [3, 2]))
  // A composition that uses one input twice: the gradients of both uses add up.
  await check('composition', { a: [2, 3], b: [3, 2] }, (g, x) =>
    g.sigmoid(g.add(g.matmul(x['a'] as T, x['b'] as T), g.matmul(x['a'] as T, x['b'] as T)))
  )
})

test('AdamW in the graph matches the formula', async () => {
  const g = new Graph()
  const p = g.input('p', [3])
  const grad = g.input('g', [3])
  const m = g.input('m', [3])
  const v = g.input('v', [3])
  const step = g.input('t', [])
  const lr = g.input('lr', [])
  const o = { beta1: 0.9, beta2: 0.999, eps: 1e-8, decay: 0.01 }
  const next = g.adamw(p, grad, m, v, step, lr, o)
  const s = await session(g.build({ p2: next.p, m2: next.m, v2: next.v }))
  const feeds = {
    p: Float32Array.of(1, -2, 0.5),
    g: Float32Array.of(0.1, -0.3, 0),
    m: Float32Array.of(0.01, 0, -0.02),
    v: Float32Array.of(0.001, 0.002, 0.003),
    t: Float32Array.of(3),
    lr: Float32Array.of(0.01),
  }
  const out = await run(s, { p: [3], g: [3], m: [3], v: [3], t: [], lr: [] }, feeds)
  for (let i = 0; i < 3; i++) {
    const m2 = 0.9 * (feeds.m[i] as number) + 0.1 * (feeds.g[i] as number)
    const v2 = 0.999 * (feeds.v[i] as number) + 0.001 * (feeds.g[i] as number) ** 2
    const mHat = m2 / (1 - 0.9 ** 3)
    const vHat = v2 / (1 - 0.999 ** 3)
    const p2 =
      (feeds.p[i] as number) - 0.01 * (mHat / (Math.sqrt(vHat) + 1e-8) + 0.01 * (feeds.p[i] as number))
    assert.ok(Math.abs((out['m2']?.[i] as number) - m2) < 1e-6)
    assert.ok(Math.abs((out['v2']?.[i] as number) - v2) < 1e-7)
    assert.ok(
      Math.abs((out['p2']?.[i] as number) - p2) < 1e-5 * Math.max(1, Math.abs(p2)),
      `p[${i}]: ${out['p2']?.[i]} vs ${p2}`
    )
  }
})
