// The criterion-weight learner: which kinds of criteria predict the side people (or the temporal
// label) prefer, and what weights they deserve. Rubrics are written per prompt, so it learns over
// what criteria have in common, their features (cluster, dealbreaker, a stated answer and whether
// it matches the reference, the weight the generator gave): a criterion's learned weight is its
// generator weight times softplus(features · θ), a pair's margin is Σ weight · (P(yes) newer −
// P(yes) older), and the loss is Bradley–Terry's softplus(−label · margin). A train-step graph
// steps it; the proposed rubric keeps each criterion and rescales its weight.
import * as ort from 'onnxruntime-node'
import type { DeviceReport, JudgeDevice } from '../../shared/judge'
import {
  featureVector,
  FEATURES,
  multiplierOf,
  reweightRubric,
  type CriterionFeatures,
} from './criterion-features'
import { Graph, type T } from './graph'
import { ADAM, type AdamOptions } from './reward-head'
import { trainingSession } from './training-session'

/** One labelled pair: per criterion its features and P(yes) on each side. */
export interface CriterionPair {
  criteria: { features: CriterionFeatures; newer: number; older: number }[]
  /** +1 the newer side is preferred, −1 the older. */
  label: 1 | -1
}

export interface LearnerSize {
  batch: number
  /** Criteria per pair (fewer are padded and masked). */
  criteria: number
}

/** The train-step graph: features [B·K, F], diffs, mask [B, K], labels [B, 1], θ and Adam state, t, lr. */
export function learnerStepModel(size: LearnerSize, adam: AdamOptions = ADAM): Uint8Array {
  const { batch: b, criteria: k } = size
  const g = new Graph()
  const x = g.input('features', [b * k, FEATURES])
  const d = g.input('diffs', [b, k])
  const mask = g.input('mask', [b, k])
  const y = g.input('labels', [b, 1])
  const theta = g.input('theta', [FEATURES, 1])
  const m = g.input('m_theta', [FEATURES, 1])
  const v = g.input('v_theta', [FEATURES, 1])
  const step = g.input('t', [])
  const lr = g.input('lr', [])
  const weight = g.reshape(g.softplus(g.matmul(x, theta)), [b, k])
  const margin = g.reduceSum(g.mul(g.mul(weight, d), mask), [1], true)
  const signed = g.mul(y, margin)
  const loss = g.reduceMean(g.softplus(g.neg(signed)), [0, 1])
  const [grad] = g.grad(loss, [theta])
  const next = g.adamw(theta, grad as T, m, v, step, lr, { ...adam, decay: 0 })
  return g.build({
    loss,
    accuracy: g.shareAboveZero(signed),
    new_theta: next.p,
    new_m_theta: next.m,
    new_v_theta: next.v,
  })
}

export class CriterionWeightLearner {
  theta: Float32Array = new Float32Array(FEATURES)
  private m: Float32Array = new Float32Array(FEATURES)
  private v: Float32Array = new Float32Array(FEATURES)
  private t = 0

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly size: LearnerSize,
    /** Where the steps run, and why there. */
    readonly device: DeviceReport
  ) {
    // softplus(θ·f) = 1 for every criterion at the start: the generator's own weights.
    this.theta[0] = Math.log(Math.E - 1)
  }

  static async create(
    size: LearnerSize,
    options: { device?: JudgeDevice; adam?: AdamOptions } = {}
  ): Promise<CriterionWeightLearner> {
    const { session, device } = await trainingSession(
      learnerStepModel(size, options.adam ?? ADAM),
      options.device ?? 'cpu'
    )
    return new CriterionWeightLearner(session, size, device)
  }

  /** One step on `pairs` (exactly `size.batch` of them). */
  async step(pairs: readonly CriterionPair[], lr: number): Promise<{ loss: number; accuracy: number }> {
    const { batch: b, criteria: k } = this.size
    if (pairs.length !== b) throw new Error(`a step takes ${b} pairs, not ${pairs.length}`)
    const features = new Float32Array(b * k * FEATURES)
    const diffs = new Float32Array(b * k)
    const mask = new Float32Array(b * k)
    const labels = new Float32Array(b)
    pairs.forEach((p, r) => {
      labels[r] = p.label
      p.criteria.slice(0, k).forEach((c, j) => {
        features.set(featureVector(c.features), (r * k + j) * FEATURES)
        diffs[r * k + j] = c.newer - c.older
        mask[r * k + j] = 1
      })
    })
    this.t++
    const out = await this.session.run({
      features: new ort.Tensor('float32', features, [b * k, FEATURES]),
      diffs: new ort.Tensor('float32', diffs, [b, k]),
      mask: new ort.Tensor('float32', mask, [b, k]),
      labels: new ort.Tensor('float32', labels, [b, 1]),
      theta: new ort.Tensor('float32', this.theta, [FEATURES, 1]),
      m_theta: new ort.Tensor('float32', this.m, [FEATURES, 1]),
      v_theta: new ort.Tensor('float32', this.v, [FEATURES, 1]),
      t: new ort.Tensor('float32', Float32Array.of(this.t), []),
      lr: new ort.Tensor('float32', Float32Array.of(lr), []),
    })
    this.theta = out['new_theta']?.data as Float32Array
    this.m = out['new_m_theta']?.data as Float32Array
    this.v = out['new_v_theta']?.data as Float32Array
    return {
      loss: (out['loss']?.data as Float32Array)[0] as number,
      accuracy: (out['accuracy']?.data as Float32Array)[0] as number,
    }
  }

  /** A criterion's learned multiplier of its generator weight. */
  multiplier(f: CriterionFeatures): number {
    return multiplierOf(this.theta, f)
  }

  reweight(criteria: readonly { weight: number | null; features: CriterionFeatures }[]): number[] {
    return reweightRubric(this.theta, criteria)
  }

  async release(): Promise<void> {
    await this.session.release()
  }
}
